"""actor7: actor_pairs_batched takes each batch's rows by numbering every row's article once
(``newslens.actor_sentiment.ArticleBatches``) instead of an ``is_in`` lookup of every row
per batch: the same tables as the filter, for tables in article order (sliced), shuffled
(taken in a stable order), with repeated, unknown and missing ids, in several chunks, and
empty; the batched pairs equal one pass (tests/test_mem_streaming.py)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from newslens.actor_sentiment import ArticleBatches, actor_pairs_batched
from test_mem_streaming import actor_tables, one_pass


def filtered(table, ids, docs, size, k):
    return table.filter(pc.is_in(ids, value_set=docs.slice(k * size, size)))


def check(table, docs, size):
    ids = table.column("doc_id").cast(pa.large_string())
    batches = ArticleBatches(table, ids, docs, size)
    n = -(-len(docs) // size)
    got = [batches.batch(k) for k in range(n)]
    for k in range(n):
        assert got[k].equals(filtered(table, ids, docs, size, k)), k
    return batches, got


def table_of(doc_ids, chunks=1):
    n = len(doc_ids)
    t = pa.table({"doc_id": pa.array(doc_ids, pa.string()), "x": pa.array(np.arange(n))})
    if chunks > 1 and n:
        cut = np.linspace(0, n, chunks + 1).astype(int)
        t = pa.concat_tables([t.slice(a, b - a) for a, b in zip(cut[:-1], cut[1:], strict=True)])
    return t


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100])
@pytest.mark.parametrize("chunks", [1, 3])
def test_sorted_and_shuffled_tables_give_the_filter(size, chunks):
    rng = np.random.default_rng(size)
    ids = [f"d{i:03d}" for i in np.sort(rng.integers(0, 20, 60))]
    docs = pc.unique(pa.array(ids, pa.large_string()))
    batches, got = check(table_of(ids, chunks), docs, size)
    assert batches.order is None  # in article order: slices
    assert sum(g.num_rows for g in got) == 60
    shuffled = list(rng.permutation(ids))
    docs = pc.unique(pa.array(shuffled, pa.large_string()))
    batches, got = check(table_of(shuffled, chunks), docs, size)
    assert sum(g.num_rows for g in got) == 60
    if size < 20:
        assert batches.order is not None


def test_articles_of_other_tables_unknown_and_missing_ids():
    docs = pc.unique(pa.array(["b", "a", "c", "e"], pa.large_string()))
    # "a" and "e" have no rows here; every row's article is in docs
    _, got = check(table_of(["c", "b", "c", "b"]), docs, 2)
    assert [g.column("x").to_pylist() for g in got] == [[1, 3], [0, 2]]
    # an id not in docs, and a missing one: the filter itself
    batches, _ = check(table_of(["b", "zz", "c"]), docs, 2)
    assert batches.cuts is None
    missing = pa.table({"doc_id": pa.array(["b", None, "c"]), "x": pa.array([0, 1, 2])})
    batches, _ = check(missing, docs, 1)
    assert batches.cuts is None


def test_empty_table_and_no_articles():
    docs = pc.unique(pa.array(["a", "b"], pa.large_string()))
    _, got = check(table_of([]), docs, 1)
    assert [g.num_rows for g in got] == [0, 0]
    none = pc.unique(pa.array([], pa.large_string()))
    batches = ArticleBatches(table_of([]), pa.chunked_array([], pa.large_string()), none, 5)
    assert list(batches.cuts) == [0]


@pytest.mark.parametrize("batch", [1, 4, 1000])
def test_batched_pairs_equal_one_pass_on_more_articles(batch):
    scores, mentions, targets = actor_tables(n_docs=120, seed=9)
    expected = one_pass(scores, mentions, targets, method="sentences")
    got = actor_pairs_batched(
        pa.table(scores), pa.table(mentions), pa.table(targets), batch, method="sentences"
    )
    assert len(expected) > 150
    assert got.equals(expected)
