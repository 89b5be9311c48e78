"""sent3: sentiment_actors as a cheap merge of per-shard results. The actor_articles jobs join
each shard's mentions to its scores and write the actor-sentence parts and per-article sums;
sentiment_actors merges them. The dataset's part files (bytes) and the per-article sums (bits)
equal those of the single job that joined and merged every shard (kept as the path for
repeated doc_ids), whatever the order of the doc_ids in the corpus."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import actor_sentences as asent
from newslens.sentiment import LABELS, ActorUnitSums, label_compound
from newslens.shards import MANIFEST, dataset_parts

REPO = Path(__file__).resolve().parents[1]
ACTORS = ["Armenia", "Azerbaijan", "NATO"]


def doc_table(doc_ids) -> pa.Table:
    """A shard's document table as tokenize writes it, as far as the actor jobs read it: every
    article with its sentence count (here 1)."""
    ids = [str(d) for d in doc_ids]
    return pa.table({"doc_id": pa.array(ids, pa.large_string()), "n_sentences": [1] * len(ids)})


def load_script(name):
    path = REPO / "scripts" / f"{name}.py"
    source = path.read_text().replace("run(main, snakemake)", "")
    module = type(sys)(name)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def make_shards(tmp: Path, n_docs: int, n_shards: int, block: int, seed: int, sorted_ids: bool):
    """A corpus of n_docs articles dealt to shards in blocks of ``block`` consecutive
    articles (block b to shard b % n_shards), as ingest deals them; per shard the score file
    (corpus order), the mention file (doc_id order), the targets file and the doc list."""
    rng = np.random.default_rng(seed)
    ids = [f"d{i:05d}" for i in range(n_docs)]
    if not sorted_ids:
        ids = [f"{rng.integers(0, 10**6):06d}-{i}" for i in range(n_docs)]
    shards = []
    for s in range(n_shards):
        docs = [d for i, d in enumerate(ids) if (i // block) % n_shards == s]
        scores, mentions = [], []
        for doc in docs:
            n_sent = int(rng.integers(0, 6))  # an article without sentences: not scored
            for sent in range(n_sent):
                c = float(np.round(rng.uniform(-1, 1), 4)) if rng.random() > 0.1 else 0.0
                scores.append((doc, 0, sent, c))
                for actor in rng.choice(ACTORS, int(rng.integers(0, 3))):
                    for _ in range(int(rng.integers(1, 3))):
                        start = int(rng.integers(0, 50))
                        mentions.append((doc, sent, str(actor), start, start + 5))
        sc = pd.DataFrame(scores, columns=["doc_id", "para_id", "sent_id", "compound"])
        sc["label"] = label_compound(sc["compound"].to_numpy())
        me = pd.DataFrame(mentions, columns=["doc_id", "sent_id", "actor", "start", "end"])
        me = me.sort_values(["doc_id", "sent_id", "start"], kind="stable")
        name = f"{s + 1}-of-{n_shards}"
        paths = {k: tmp / k / f"{name}.parquet" for k in ("scores", "mentions", "targets", "docs")}
        for p in paths.values():
            p.parent.mkdir(exist_ok=True)
        sc.to_parquet(paths["scores"], index=False)
        me.to_parquet(paths["mentions"], index=False)
        targets = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("doc_id", "actor")})
        targets.assign(aliases="", n_mentions=0).to_parquet(paths["targets"], index=False)
        pq.write_table(doc_table(sc["doc_id"].unique()), paths["docs"])
        shards.append({k: str(v) for k, v in paths.items()} | {"name": name})
    return shards


def single_job(tmp: Path, shards, part_articles: int):
    script = load_script("sentiment_actors")
    smk = SimpleNamespace(
        input=SimpleNamespace(
            scores=[s["scores"] for s in shards], mentions=[s["mentions"] for s in shards]
        ),
        output=SimpleNamespace(actor_sentences=str(tmp / "single" / MANIFEST)),
        params=SimpleNamespace(batch_rows=7, part_articles=part_articles),
    )
    (tmp / "single").mkdir()
    return script.merge_all_shards(smk, ACTORS)


def actor_articles_jobs(tmp: Path, shards, part_articles: int) -> dict:
    """Every shard's actor_articles job (per-shard join) into tmp/merged; their output lists
    (actor_sentences, shared, units), in shard order."""
    articles = load_script("actor_articles")
    folder = tmp / "merged"
    folder.mkdir(exist_ok=True)
    lists = {"actor_sentences": [], "shared": [], "units": []}
    for s in shards:
        out = SimpleNamespace(
            actor_sentences=str(tmp / "own" / f"{s['name']}.json"),
            actor_shared=str(tmp / "shared" / f"{s['name']}.json"),
            actor_units=str(tmp / "units" / f"{s['name']}.parquet"),
        )
        for p in vars(out).values():
            Path(p).parent.mkdir(exist_ok=True)
        smk = SimpleNamespace(
            input=SimpleNamespace(
                scores=s["scores"],
                mentions=s["mentions"],
                targets=s["targets"],
                doc_list=s["docs"],
                doc_lists=[x["docs"] for x in shards],
            ),
            output=out,
            params=SimpleNamespace(
                batch_rows=5, actors=ACTORS, actor_table=str(folder), part_articles=part_articles
            ),
        )
        articles.actor_sentences(smk)
        for key, path in zip(lists, vars(out).values(), strict=True):
            lists[key].append(path)
    return lists


def per_shard_jobs(tmp: Path, shards, part_articles: int):
    folder = tmp / "merged"
    folder.mkdir()
    (folder / "part-00009999.parquet").write_bytes(b"left by an earlier run")
    lists = actor_articles_jobs(tmp, shards, part_articles)
    script = load_script("sentiment_actors")
    smk = SimpleNamespace(
        input=SimpleNamespace(**lists),
        output=SimpleNamespace(actor_sentences=str(folder / MANIFEST)),
    )
    doc_index, _ = asent.doc_owners([s["docs"] for s in shards])
    assert asent.repeated_articles(doc_index) == []
    return script.merge_shard_results(smk, ACTORS, doc_index), lists


def digests(manifest: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dataset_parts(manifest)}


def same_units(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for key in a:
        for x, y in zip(a[key], b[key], strict=True):
            assert x.dtype == y.dtype and x.shape == y.shape, key
            np.testing.assert_array_equal(x, y)
            np.testing.assert_array_equal(np.signbit(x), np.signbit(y))
        assert a[key][0].flags.f_contiguous == b[key][0].flags.f_contiguous


@pytest.mark.parametrize(
    "n_docs, n_shards, block, part_articles, sorted_ids, seed",
    [
        (60, 2, 5, 5, True, 0),  # doc_id order = corpus order: parts mostly one shard's
        (60, 3, 4, 7, True, 1),  # part and deal blocks of different sizes
        (90, 4, 5, 5, False, 2),  # doc_ids in no order: most parts shared
        (40, 1, 5, 3, False, 3),  # one shard: nothing shared
    ],
)
def test_per_shard_parts_and_sums_equal_the_single_job(
    tmp_path, n_docs, n_shards, block, part_articles, sorted_ids, seed
):
    shards = make_shards(tmp_path, n_docs, n_shards, block, seed, sorted_ids)
    want = single_job(tmp_path, shards, part_articles)
    got, lists = per_shard_jobs(tmp_path, shards, part_articles)
    same_units(got, want)
    old, new = tmp_path / "single" / MANIFEST, tmp_path / "merged" / MANIFEST
    assert digests(new) == digests(old) and len(digests(old)) > 3
    assert json.loads(new.read_text())["parts"] == json.loads(old.read_text())["parts"]
    assert not (tmp_path / "merged" / "part-00009999.parquet").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(new.parent), pd.read_parquet(old.parent))
    shared = sum(len(json.loads(Path(p).read_text())["parts"]) for p in lists["shared"])
    if n_shards == 1:
        assert shared == 0
    elif not sorted_ids:
        assert shared > 0


def test_doc_owners_sorts_as_python_and_finds_repeats(tmp_path):
    lists = []
    for k, ids in enumerate([["b", "a", "é", "Z"], ["c", "a0", "ä"]]):
        path = tmp_path / f"{k}.parquet"
        pq.write_table(doc_table(ids), path)
        lists.append(path)
    index, owner = asent.doc_owners(lists)
    assert index.tolist() == sorted(["b", "a", "é", "Z", "c", "a0", "ä"])
    assert owner.tolist() == [0, 0, 1, 0, 1, 1, 0]  # Z a a0 b c ä é
    assert asent.repeated_articles(index) == []
    pq.write_table(doc_table(["a", "q"]), tmp_path / "2.parquet")
    index, _ = asent.doc_owners([*lists, tmp_path / "2.parquet"])
    assert asent.repeated_articles(index) == ["a"]


def test_own_blocks_are_those_of_one_shard_only():
    owner = np.array([0, 0, 0, 1, 1, 1, 0, 0, 1])
    assert asent.own_blocks(owner, 0, 3) == {0}
    assert asent.own_blocks(owner, 1, 3) == {1}
    assert asent.own_blocks(owner, 0, 2) == {0, 3}
    assert asent.own_blocks(owner, 1, 2) == {2, 4}
    assert asent.own_blocks(owner, 0, 9) == set()


def test_ranked_unit_sums_are_the_units_with_their_ranks():
    index = pd.Index(sorted(ACTORS), dtype=object)
    t = pd.DataFrame(
        {
            "actor": ["NATO", "Armenia", "NATO", "NATO"],
            "alone": [True, False, False, True],
            "n_mentions": [1, 2, 1, 3],
            "compound": [0.5, -0.25, 0.125, 0.0],
            "doc_rank": [2, 2, 2, 7],
        }
    )
    lab = label_compound(t["compound"].to_numpy())
    for name in LABELS:
        t[f"is_{name}"] = (lab == name).astype(float)
    plain, ranked = ActorUnitSums(index), ActorUnitSums(index, ranks=True)
    plain.add(t)
    ranked.add(t)
    table = asent.unit_table(ranked).to_pandas()
    nato = table[(table.actor == "NATO") & (table.scope == "all")]
    assert nato["doc_rank"].tolist() == [2, 7] and nato["size"].tolist() == [2, 1]
    assert nato["compound"].tolist() == [0.625, 0.0] and nato["n_mentions"].tolist() == [2, 3]
    alone = table[(table.actor == "NATO") & (table.scope == "alone")]
    assert alone["doc_rank"].tolist() == [2, 7] and alone["compound"].tolist() == [0.5, 0.0]
    assert set(table.actor) == {"NATO", "Armenia"} and len(table) == 5


def test_a_doc_id_in_two_shards_leaves_the_join_to_sentiment_actors(tmp_path):
    shards = make_shards(tmp_path, 30, 2, 5, seed=4, sorted_ids=True)
    # shard 2 scores an article of shard 1 as well
    first = pd.read_parquet(shards[0]["scores"])["doc_id"].iloc[0]
    docs = pd.read_parquet(shards[1]["docs"])["doc_id"].tolist() + [first]
    pq.write_table(doc_table(docs), shards[1]["docs"])
    doc_index, _ = asent.doc_owners([s["docs"] for s in shards])
    assert asent.repeated_articles(doc_index) == [first]
    lists = per_shard_jobs_repeated(tmp_path, shards)
    for path in lists["actor_sentences"] + lists["shared"]:
        assert json.loads(Path(path).read_text())["parts"] == []
    for path in lists["units"]:
        assert pq.read_table(path).num_rows == 0
    assert not any((tmp_path / "merged").glob("part-*.parquet"))


def per_shard_jobs_repeated(tmp: Path, shards):
    """The actor_articles side of :func:`per_shard_jobs` only (sentiment_actors then takes
    the single-job path, tested above)."""
    return actor_articles_jobs(tmp, shards, part_articles=5)


def test_doc_owners_reads_scored_articles_of_document_tables(tmp_path):
    """Only articles with a sentence are scored (and numbered); an id repeated within a shard's
    table counts once; a list without n_sentences counts every id."""
    docs = pa.table(
        {
            "doc_id": pa.array(["b", "a", "z", "b", "c"], pa.large_string()),
            "n_sentences": [2, 0, 1, 3, 4],
        }
    )
    pq.write_table(docs, tmp_path / "1.parquet")
    pq.write_table(pa.table({"doc_id": ["y", "d"]}), tmp_path / "2.parquet")
    assert asent.scored_ids(tmp_path / "1.parquet").to_pylist() == ["b", "z", "c"]
    index, owner = asent.doc_owners([tmp_path / "1.parquet", tmp_path / "2.parquet"])
    assert index.tolist() == ["b", "c", "d", "y", "z"]
    assert owner.tolist() == [0, 0, 1, 1, 0]
    assert asent.repeated_articles(index) == []
