"""frames7: frames_sentences classifies a part read as one batch once (``part_batches``: the
held-back last article no longer a batch of its own) and writes the hits and articles in the
row groups the two batches wrote (``pieces``), as Arrow tables of the first batch's schema
(``PandasArrow``); ``MentionedShares`` takes its distinct keys by a sort. Everything the job
writes is held to the former loop (one ``shard_tables`` call per ``document_batches`` batch,
DataFrames to the writers): the same bytes, tables and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens.codebook import Matcher
from newslens.frames_actors import MentionedShares
from newslens.frames_merge import (
    PandasArrow,
    PositionSums,
    document_batches,
    merge_examples,
    merge_hit_counts,
    part_batches,
    pieces,
    regex_hit_mask,
    shard_tables,
)
from newslens.runtime import iter_parquet
from newslens.shards import ParquetShardWriter, dataset_parts, part_name
from test_frames2_fastpaths import codebook, stem, tricky_sentences

COLUMNS = ["doc_id", "para_id", "sent_id", "text"]
PARAMS = {
    "doc_min_share": 0.1,
    "doc_max_labels": 3,
    "n_examples": 3,
    "negation_cues": ["not", "never", "no"],
    "negation_window": 3,
    "min_weight": 1.0,
    "relative_threshold": 0.5,
}


def write_parts(folder: Path, n_parts: int, seed: int) -> list[pd.DataFrame]:
    """``n_parts`` parts of tricky articles (whole articles per part), blocks 0, 4, 8, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for k in range(n_parts):
        frame = tricky_sentences(8 + 3 * k, seed + k)
        frame["doc_id"] = f"p{k}-" + frame["doc_id"]
        frame.to_parquet(folder / part_name(4 * k), index=False)
        parts.append(frame)
    return parts


def run_loop(folder: Path, out: Path, batch_rows: int, new: bool) -> dict:
    """frames_sentences' loop over the parts of ``folder``: the former one (``new`` False) or
    this one; returns every output (file bytes, tables, JSON)."""
    cb, norm = codebook(), stem()
    matcher = Matcher(cb)
    empty = shard_tables(pd.DataFrame(columns=COLUMNS), cb, matcher, norm, PARAMS)
    out.mkdir(parents=True, exist_ok=True)
    tables, paragraphs, examples, counts, regex_hits, batches = [], [], [], [], [], []
    positions = PositionSums(15)
    convert = (PandasArrow(), PandasArrow()) if new else (lambda df: df, lambda df: df)
    if new:
        stream = part_batches(folder, batch_rows, COLUMNS)
    else:
        stream = (
            (b, None, None)
            for part in dataset_parts(folder)
            for b in document_batches(iter_parquet(part, batch_rows, COLUMNS), part)
        )
    with (
        ParquetShardWriter(out / "hits.parquet", empty[1]) as hits_w,
        ParquetShardWriter(out / "documents.parquet", empty[3]) as docs_w,
    ):
        for sentences, _, last in stream:
            batches.append((len(sentences), last))
            table, hits, paras, docs, ex, cnt = shard_tables(sentences, cb, matcher, norm, PARAMS)
            regex = regex_hit_mask(hits, cb)
            for piece in pieces(hits[~regex], last):
                hits_w.write(convert[0](piece))
            if regex.any():
                regex_hits.append(hits[regex])
            for piece in pieces(paras, last):
                if len(piece):
                    positions(piece)
            for piece in pieces(docs, last):
                docs_w.write(convert[1](piece))
            tables.append(table)
            paragraphs.append(paras)
            examples.append(ex)
            counts.append(cnt)
        if regex_hits:
            regex_hits = pd.concat(regex_hits, ignore_index=True)
            rank = {f: k for k, f in enumerate(matcher.frame_regex)}
            order = regex_hits["frame"].map(rank).to_numpy().argsort(kind="stable")
            hits_w.write(convert[0](regex_hits.iloc[order]))
    return {
        "hits": (out / "hits.parquet").read_bytes(),
        "documents": (out / "documents.parquet").read_bytes(),
        "positions": json.dumps(positions.to_json()),
        "sentences": pd.concat(tables, ignore_index=True),
        "paragraphs": pd.concat(paragraphs, ignore_index=True),
        "examples": merge_examples(examples, cb, 3),
        "counts": merge_hit_counts(counts),
        "batches": batches,
    }


@pytest.mark.parametrize("seed", [3])
def test_one_batch_a_part_writes_what_the_former_batches_wrote(tmp_path, seed):
    parts = write_parts(tmp_path / "s", 4, seed)
    old = run_loop(tmp_path / "s", tmp_path / "old", 100_000, new=False)
    new = run_loop(tmp_path / "s", tmp_path / "new", 100_000, new=True)
    # the former loop: two batches a part (the last article apart); this one: one
    assert [n for n, _ in old["batches"]] == [
        n
        for p in parts
        for n in (
            len(p) - (p["doc_id"] == p["doc_id"].iat[-1]).sum(),
            (p["doc_id"] == p["doc_id"].iat[-1]).sum(),
        )
    ]
    assert new["batches"] == [(len(p), p["doc_id"].iat[-1]) for p in parts]
    for key in ("hits", "documents", "positions"):
        assert new[key] == old[key], key
    for key in ("sentences", "paragraphs", "examples", "counts"):
        pd.testing.assert_frame_equal(new[key], old[key], check_exact=True)
    # the files hold what they should: a row group per former batch with hits, the regex hits
    hits = pq.read_table(tmp_path / "new" / "hits.parquet").to_pandas()
    assert len(hits) > 100 and hits["negated"].any()
    assert set(hits["doc_id"]) <= set(pd.concat(parts)["doc_id"])
    assert pq.ParquetFile(tmp_path / "new" / "hits.parquet").metadata.num_row_groups >= 5
    docs = pq.read_table(tmp_path / "new" / "documents.parquet").to_pandas()
    assert docs["doc_id"].tolist() == pd.concat(parts)["doc_id"].unique().tolist()
    assert docs["n_sentences"].sum() == sum(map(len, parts))
    assert pq.read_schema(tmp_path / "new" / "hits.parquet").metadata[b"pandas"]


def test_part_batches_other_cases(tmp_path):
    parts = write_parts(tmp_path / "s", 2, 5)
    # a part longer than a batch: document_batches' batches, as before (no last)
    small = list(part_batches(tmp_path / "s", 7, COLUMNS))
    assert all(last is None for _, _, last in small)
    assert [b for _, b, _ in small][0] == 0 and [b for _, b, _ in small][-1] == 4
    whole = pd.concat([s for s, _, _ in small], ignore_index=True)
    pd.testing.assert_frame_equal(whole, pd.concat(parts, ignore_index=True)[COLUMNS])
    # a part of one article: one batch, nothing held back
    one = tricky_sentences(1, 2)
    (tmp_path / "one").mkdir()
    one.to_parquet(tmp_path / "one" / part_name(0), index=False)
    got = list(part_batches(tmp_path / "one", 100_000, COLUMNS))
    assert len(got) == 1 and got[0][2] is None and len(got[0][0]) == len(one)


def test_pieces_keep_row_order():
    df = pd.DataFrame({"doc_id": ["a", "b", "c", "b", "c", "a"], "x": range(6)})
    first, second = pieces(df, "c")
    assert first["x"].tolist() == [0, 1, 3, 5] and second["x"].tolist() == [2, 4]
    assert pieces(df, None)[0] is df and len(pieces(df.iloc[:0], "c")) == 1


def test_pandas_arrow_gives_the_writers_bytes(tmp_path):
    rng = np.random.default_rng(4)

    def batch(n, k):
        return pd.DataFrame(
            {
                "doc_id": [f"dé{k}-{i}" for i in range(n)],
                "para_id": rng.integers(0, 9, n),
                "weight": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
                "neg": rng.random(n) < 0.5,
                "frame": pd.array([None if i % 7 == 0 else "war" for i in range(n)], "str"),
            }
        )

    frames = [batch(50, 0), batch(0, 1), batch(30, 2).iloc[::2], batch(1, 3)]
    frames.append(frames[0].astype({"para_id": "float64"}))  # other dtypes: from_pandas
    convert = PandasArrow()
    for name, wrap in (("old", lambda df: df), ("new", convert)):
        with ParquetShardWriter(tmp_path / f"{name}.parquet", frames[0].iloc[:0]) as w:
            for f in frames:
                w.write(wrap(f))
    assert (tmp_path / "new.parquet").read_bytes() == (tmp_path / "old.parquet").read_bytes()
    assert isinstance(convert(frames[2]), pa.Table) and convert(frames[1]) is frames[1]
    assert convert.schema.metadata[b"pandas"] and convert.schema.field("frame").type in (
        pa.string(),
        pa.large_string(),
    )
    # a first table with an all-missing column is not taken as the schema
    nulls = PandasArrow()
    nulls(pd.DataFrame({"a": [None, None]}, dtype=object))
    assert nulls.schema is None


class StubIndex:
    def __init__(self, keys):
        self.keys = np.asarray(keys, dtype=np.int64)

    def arrays(self):
        return self.keys, np.zeros(len(self.keys), dtype=np.int64)


@pytest.mark.parametrize(
    "keys",
    [[], [-1, -1], [5, 5, 5], [(1 << 32) + 2, -1, 3, 3, (1 << 32) + 2, 0, 7, 0], list(range(9))],
)
def test_mentioned_shares_distinct_keys(keys):
    found = MentionedShares(StubIndex(keys), ["share_a"])
    k = np.asarray(keys, dtype=np.int64)
    expected = np.sort(pd.unique(k[k >= 0]))
    assert found.wanted.dtype == np.int64 and found.wanted.tolist() == expected.tolist()
    assert found.shares.shape == (len(expected), 1)


def test_pandas_arrow_falls_back_when_the_values_do_not_fit(tmp_path):
    first = pd.DataFrame({"a": ["x", "y"], "n": [1, 2]}, dtype=object)
    later = pd.DataFrame({"a": [3, None], "n": [4, 5]}, dtype=object)  # ints in a text column
    convert = PandasArrow()
    assert convert(first).schema.field("a").type == pa.string()
    table = convert(later)
    assert table.column("a").type == pa.int64() and table.column("a").to_pylist() == [3, None]
