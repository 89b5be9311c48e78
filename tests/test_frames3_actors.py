"""frames_actors per shard (counted by the frames_sentences jobs as they classify each batch,
``ShardActorCounter``) and the sum of the shards' counts (rule frames_actors): on a made-up
corpus in 1, 2 and 4 shards, the table is byte for byte the table of one job counting every
shard itself (the former frames_actors), and its counts are the known answer of a whole-corpus
merge."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens.codebook import NONE_FRAME, Codebook, load_codebook
from newslens.frames_actors import ShardActorCounter, _actor_frame_counts_merge, target_actors
from newslens.framing import (
    MentionIndex,
    actor_share_counts,
    finish_actor_frames,
    mentioned_shares,
    merge_actor_counts,
    shard_actor_counts,
)
from newslens.runtime import iter_parquet_arrow, write_table

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
ACTORS = ["Armenia", "NATO", "Russia", "Ünion", 'Zed, "quoted"']
NEVER_NAMED = ["Azerbaijan", "UN"]


class Named(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@functools.cache
def codebook() -> Codebook:
    return load_codebook(REPO / "config/codebooks/policy_frames.yaml", "stem")


def made_up_corpus(n_docs: int = 240, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame sentence table, actor mentions): articles of 1-9 sentences whose frame shares
    are rounded Dirichlet draws (a third of the sentences frame-less), and mentions of five
    actors (repeated mentions in a sentence, mentions of sentences and articles not in the
    table)."""
    rng = np.random.default_rng(seed)
    frames = [*codebook().scored_keys, NONE_FRAME]
    rows = []
    for d in range(n_docs):
        for s in range(int(rng.integers(1, 10))):
            rows.append((f"dé{d:04d}", s))
    sent = pd.DataFrame(rows, columns=["doc_id", "sent_id"])
    shares = rng.dirichlet(np.ones(len(frames)) * 0.3, len(sent))
    shares[rng.random(len(sent)) < 0.33] = 0.0
    shares[shares[:, :-1].sum(axis=1) == 0, -1] = 1.0
    for j, k in enumerate(frames):
        sent[f"share_{k}"] = np.round(shares[:, j], 6)
    picks = rng.integers(0, len(sent), 3 * len(sent))
    mentions = pd.DataFrame(
        {
            "doc_id": sent["doc_id"].to_numpy()[picks],
            "sent_id": sent["sent_id"].to_numpy()[picks],
            "actor": rng.choice(ACTORS, len(picks), p=[0.4, 0.3, 0.2, 0.09, 0.01]),
        }
    )
    stray = pd.DataFrame(
        {"doc_id": ["dé0000", "nowhere"], "sent_id": [99, 0], "actor": ["NATO", "Russia"]}
    )
    return sent, pd.concat([mentions, stray], ignore_index=True)


def write_shards(tmp: Path, sent: pd.DataFrame, mentions: pd.DataFrame, n: int) -> list[dict]:
    """The corpus in ``n`` shards of whole articles, as the pipeline's files: the mention and
    frame sentence Parquet files (small row groups, so batches cut through articles) and the
    per-article targets (some shards list never-named actors)."""
    docs = sent["doc_id"].unique()
    shards = []
    for i, part in enumerate(np.array_split(docs, n), start=1):
        name = f"{i}-of-{n}"
        folder = tmp / name
        folder.mkdir()
        keep = set(part)
        files = {}
        stray = ~mentions["doc_id"].isin(docs) & (i == n)  # the last shard's
        for label, rows in (
            ("frames", sent[sent["doc_id"].isin(keep)]),
            ("actors", mentions[mentions["doc_id"].isin(keep) | stray]),
        ):
            path = folder / f"{label}.parquet"
            pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), path, 37)
            files[label] = str(path)
        targets = pd.DataFrame(
            {"doc_id": list(part[:2]), "actor": [NEVER_NAMED[i % 2], "NATO"][: len(part[:2])]}
        )
        files["targets"] = str(folder / "targets.parquet")
        targets.to_parquet(files["targets"], index=False)
        files["name"] = name
        shards.append(files)
    return shards


def one_job_counts(shard: dict, cb: Codebook, batch_rows: int) -> pd.DataFrame:
    """One shard's counts as the one-job frames_actors computed them in its own process."""
    frames = [*cb.scored_keys, NONE_FRAME]
    share_cols = [f"share_{k}" for k in frames]
    index = MentionIndex()
    columns, dictionary = ["doc_id", "sent_id", "actor"], ["doc_id", "actor"]
    for batch in iter_parquet_arrow(shard["actors"], batch_rows, columns, dictionary):
        index.add(batch.column("doc_id"), batch.column("sent_id"), batch.column("actor"))
    batches = iter_parquet_arrow(
        shard["frames"], batch_rows, ["doc_id", "sent_id", *share_cols], ["doc_id"]
    )
    keys, shares = mentioned_shares(index, batches, share_cols)
    return actor_share_counts(index, keys, shares, frames)


def one_job_table(shards: list[dict], cb: Codebook, batch_rows: int) -> pd.DataFrame:
    parts = [one_job_counts(s, cb, batch_rows) for s in shards]
    actors = set(ACTORS[:2])
    for s in shards:
        actors.update(pd.read_parquet(s["targets"], columns=["actor"])["actor"])
    table = finish_actor_frames(pd.concat(parts, ignore_index=True), cb, sorted(actors))
    table.insert(2, "frame_name", table["frame"].map(cb.names()))
    return table


def exec_script(name: str, smk: Named) -> None:
    script = SCRIPTS / f"{name}.py"
    code = compile(script.read_text(encoding="utf-8"), str(script), "exec")
    exec(code, {"snakemake": smk, "__name__": "__main__", "__file__": str(script)})


def codebook_json(tmp: Path) -> str:
    path = tmp / "codebook.json"
    path.write_text(json.dumps(codebook().to_dict()), encoding="utf-8")
    return str(path)


def run_rules(tmp: Path, shards: list[dict], batch_rows: int) -> Path:
    """The shard counts as frames_sentences makes them (``ShardActorCounter`` fed each shard's
    frame sentences in DataFrame batches of ``batch_rows``), then the frames_actors script."""
    cb_path = codebook_json(tmp)
    counts, targets = [], []
    for s in shards:
        out = tmp / "out" / s["name"]
        out.mkdir(parents=True)
        counts.append(str(out / "counts.parquet"))
        targets.append(str(out / "targets.json"))
        counter = ShardActorCounter(s["actors"], codebook(), batch_rows)
        for batch in iter_parquet_arrow(s["frames"], batch_rows):
            counter.add(batch.to_pandas())
        write_table(counter.counts(s["frames"]), counts[-1])
        Path(targets[-1]).write_text(json.dumps(target_actors(s["targets"])), encoding="utf-8")
    table = tmp / "out" / "frames_actors.csv"
    exec_script(
        "frames_actors",
        Named(
            input=Named(codebook=cb_path, counts=counts, targets=targets),
            output=Named(
                table=str(table),
                fig=str(tmp / "out" / "fig.png"),
                fig_svg=str(tmp / "out" / "fig.svg"),
            ),
            params=Named(actors=ACTORS[:2], max_actors=20, min_cell_n=5),
            log=[str(tmp / "out" / "log.txt")],
        ),
    )
    return table


@pytest.mark.parametrize("n_shards", [1, 2, 4])
def test_per_shard_rules_write_the_one_job_table_byte_for_byte(tmp_path, n_shards):
    sent, mentions = made_up_corpus()
    shards = write_shards(tmp_path, sent, mentions, n_shards)
    written = run_rules(tmp_path, shards, batch_rows=50)
    expected = tmp_path / "one_job.csv"
    write_table(one_job_table(shards, codebook(), 50), expected)
    assert written.read_bytes() == expected.read_bytes()
    table = pd.read_csv(written)
    # the never-named actors of the targets, with rows of zeros
    for actor in NEVER_NAMED[: min(n_shards + 1, 2)]:
        assert (table.loc[table["actor"] == actor, "n_actor_sentences"] == 0).all()
    assert set(ACTORS) <= set(table["actor"])


@pytest.mark.parametrize("n_shards", [1, 2, 4])
def test_merged_counts_are_the_whole_corpus_merge(tmp_path, n_shards):
    """Integer counts exactly, share sums to rounding: the same answer in any number of
    shards (every article lies in one shard)."""
    cb = codebook()
    sent, mentions = made_up_corpus(seed=11)
    shards = write_shards(tmp_path, sent, mentions, n_shards)
    parts = []
    for s in shards:
        path = tmp_path / s["name"] / "counts.parquet"
        write_table(shard_actor_counts(s["actors"], s["frames"], cb, 64), path)
        parts.append(pd.read_parquet(path))
    merged = finish_actor_frames(merge_actor_counts(parts), cb)
    m = mentions[["doc_id", "sent_id", "actor"]].drop_duplicates()
    whole = finish_actor_frames(_actor_frame_counts_merge(m, sent, cb), cb)
    assert merged["actor"].tolist() == whole["actor"].tolist()
    for col in ("n_sentences", "n_actor_sentences"):
        assert merged[col].tolist() == whole[col].tolist()
    np.testing.assert_allclose(merged["frame_share"], whole["frame_share"], atol=2e-6)
    # known answer: each actor's sentences, counted by hand from the mentions
    named = m.merge(sent[["doc_id", "sent_id"]], on=["doc_id", "sent_id"])
    by_hand = named.groupby("actor").size()
    got = merged.groupby("actor")["n_actor_sentences"].first()
    assert got.loc[by_hand.index].tolist() == by_hand.tolist()


def test_shard_counts_keep_their_dtypes_when_empty(tmp_path):
    cb = codebook()
    sent, mentions = made_up_corpus(n_docs=5)
    pq.write_table(pa.Table.from_pandas(sent, preserve_index=False), tmp_path / "f.parquet")
    none = mentions.iloc[:0]
    pq.write_table(pa.Table.from_pandas(none, preserve_index=False), tmp_path / "a.parquet")
    counts = shard_actor_counts(tmp_path / "a.parquet", tmp_path / "f.parquet", cb, 10)
    assert counts.empty
    assert counts.dtypes.astype(str).tolist()[2:] == ["int64", "int64", "float64"]
    assert merge_actor_counts([]).empty
    table = finish_actor_frames(merge_actor_counts([counts]), cb, ["NATO"])
    assert table["n_actor_sentences"].tolist() == [0] * len(cb.scored_keys + [NONE_FRAME])
