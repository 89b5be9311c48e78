"""actor7: actor_mentions finds the global actors' mentions on the Arrow batch
(``newslens.actors.arrow_mentions``): the same rows, dtypes and Parquet bytes as
``find_actor_mentions`` on the batch's DataFrame, for tricky and random text, string and
large_string columns, missing texts, non-ASCII text (character, not byte, offsets), empty
batches and batches without mentions; it hands back None where the pandas path must run
(sentences out of order, missing keys, non-string ids)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens.actors import (
    arrow_mentions,
    compile_actors,
    find_actor_mentions,
    mention_schema,
    mentions_follow,
)
from newslens.shards import ParquetShardWriter
from test_sent3_actor_regex import CONFIGS, DEFAULT, random_texts

TRICKY = [
    "Armenia's talks with NATO and the Russian Federation; russia, RUSSIA and Russian\u2009Federation.",
    "Belorussia, Armenianness, pro-Russian and anti-NATO: Armenian-Azerbaijani talks in Baku.",
    "Nikol\nPashinyan met Vladimir  Putin; Pashinyan\u00a0and Putin\u2019s aide in Kyiv (Kiev).",
    "",
    "No actor here at all, only é, ü and 日本語 before Moscow.",
    "CSTO csto Csto Collective Security Treaty Organization",
    "\x00Kremlin\x00NATO\x00",
]


def sentence_table(texts, docs=None, large=False) -> pa.Table:
    n = len(texts)
    docs = docs if docs is not None else [f"d{i // 3:04d}" for i in range(n)]
    text_type = pa.large_string() if large else pa.string()
    return pa.table(
        {
            "doc_id": pa.array(docs, text_type),
            "para_id": pa.array([i // 2 for i in range(n)], pa.int64()),
            "sent_id": pa.array([i % 3 for i in range(n)], pa.int64()),
            "start": pa.array([7 * (i % 3) for i in range(n)], pa.int64()),
            "text": pa.array(texts, text_type),
        }
    )


def parquet_bytes(mentions) -> bytes:
    """The bytes ParquetShardWriter writes for one table of mentions."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.parquet"
        with ParquetShardWriter(path, pd.DataFrame()) as writer:
            writer.write(mentions)
        return path.read_bytes()


def check_same(table: pa.Table, matcher) -> pa.Table:
    old = find_actor_mentions(table.to_pandas(), matcher)
    new = arrow_mentions(table, matcher)
    assert new is not None
    assert new.schema.equals(mention_schema(), check_metadata=True)
    if len(old):  # (ParquetShardWriter skips an empty batch)
        assert new.equals(pa.Table.from_pandas(old, preserve_index=False), check_metadata=True)
    pd.testing.assert_frame_equal(
        new.to_pandas(), old.reset_index(drop=True), check_exact=True, check_dtype=False
    )
    if len(old):
        assert parquet_bytes(new) == parquet_bytes(old)
    return new


@pytest.mark.parametrize("large", [False, True])
def test_tricky_text_same_rows_and_bytes(large):
    matcher = compile_actors(DEFAULT)
    new = check_same(sentence_table(TRICKY, large=large), matcher)
    # known answers: the multiword alias with a thin space is one mention, "Belorussia" none
    rows = new.to_pandas()
    assert "Russian Federation" in set(rows["alias"])
    assert "Belorussia" not in set(rows["alias"])
    assert len(rows) == 21
    assert rows["alias"].tolist()[:5] == [
        "Armenia",
        "NATO",
        "Russian Federation",
        "Russia",
        "Russian Federation",
    ]
    # after é, ü and three CJK characters: a character offset (47 in the text, + start 7)
    moscow = rows[rows["alias"] == "Moscow"]
    assert moscow[["start", "end"]].values.tolist() == [[54, 60]]


@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_random_text_same_rows(config):
    matcher = compile_actors(CONFIGS[config])
    texts = random_texts(matcher, seed=config, n=200)
    new = check_same(sentence_table(texts), matcher)
    assert len(new) > 100


def test_missing_texts_empty_batches_and_no_mentions():
    matcher = compile_actors(DEFAULT)
    table = sentence_table(["Putin", None, "nothing", None, "NATO and Kyiv"])
    new = check_same(table, matcher)
    assert new.column("alias").to_pylist() == ["Putin", "NATO", "Kyiv"]
    empty = arrow_mentions(sentence_table([]), matcher)
    assert empty.num_rows == 0 and empty.schema.equals(mention_schema())
    none = check_same(sentence_table(["no one", "at all"]), matcher)
    assert none.num_rows == 0


def test_out_of_order_and_odd_columns_go_to_pandas():
    matcher = compile_actors(DEFAULT)
    assert arrow_mentions(sentence_table(["Putin", "NATO"], docs=["b", "a"]), matcher) is None
    table = sentence_table(["Putin", "NATO"])
    ints = table.set_column(0, "doc_id", pa.array([1, 2]))
    assert arrow_mentions(ints, matcher) is None
    nulls = table.set_column(0, "doc_id", pa.array([None, "a"]))
    assert arrow_mentions(nulls, matcher) is None
    assert arrow_mentions(table.drop_columns(["start"]), matcher) is None
    # the same document, later sentence first: pandas sorts these rows
    order = table.set_column(2, "sent_id", pa.array([2, 1], pa.int64()))
    order = order.set_column(0, "doc_id", pa.array(["a", "a"]))
    assert arrow_mentions(order, matcher) is None
    old = find_actor_mentions(order.to_pandas(), matcher)
    assert old["sent_id"].tolist() == [1, 2]


def test_mentions_follow_on_arrow_and_pandas_alike():
    matcher = compile_actors(DEFAULT)
    first = arrow_mentions(sentence_table(["Putin", "NATO"], docs=["a", "b"]), matcher)
    second = arrow_mentions(sentence_table(["Kyiv"], docs=["c"]), matcher)
    earlier = arrow_mentions(sentence_table(["Kyiv"], docs=["a"]), matcher)
    for a, b, want in [(first, second, True), (first, earlier, False), (None, first, True)]:
        assert mentions_follow(a, b) is want
        pa_ = None if a is None else a.to_pandas()
        assert mentions_follow(pa_, b.to_pandas()) is want
        assert mentions_follow(pa_, b) is want


def test_many_batches_written_in_turn_give_the_pandas_file(tmp_path):
    matcher = compile_actors(DEFAULT)
    texts = random_texts(matcher, seed=11, n=400)
    batches = [
        sentence_table(texts[i : i + 100], [f"d{i + j:05d}" for j in range(100)])
        for i in range(0, 400, 100)
    ]
    old = [find_actor_mentions(b.to_pandas(), matcher) for b in batches]
    new = [arrow_mentions(b, matcher) for b in batches]
    assert parquet_bytes(pa.concat_tables(new)) == parquet_bytes(pd.concat(old, ignore_index=True))
    path_old, path_new = tmp_path / "old.parquet", tmp_path / "new.parquet"
    for path, parts in [(path_old, old), (path_new, new)]:
        with ParquetShardWriter(path, pd.DataFrame()) as writer:
            for part in parts:
                writer.write(part)
    assert path_old.read_bytes() == path_new.read_bytes()
    assert pq.read_table(path_new).num_rows == sum(len(o) for o in old) > 0
