"""topic_counts' ShardCounter keeps each batch's entries sorted by shard-wide term and merges a
unit cut between two batches, so that the matrix is canonical as built; with ``capacity`` the
entries go into one buffer that becomes the matrix. The matrix (indptr, indices, data, their
dtypes) and the terms are those of the counts summed by scipy from every token: batches of 1
row (a unit over many batches), cut inside units, units named twice in a batch, units not
listed, batches not in unit order, paragraph units, and a buffer too small."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import topics_matrix as tm
from newslens.runtime import iter_parquet_arrow
from scipy import sparse
from test_topics4_counts import token_table


def reference(tokens: pd.DataFrame, units: pd.DataFrame, unit: str, terms: list[str]):
    """The counts of kept, non-blank tokens per listed unit and term, summed by scipy (COO to a
    canonical CSR), columns in the order of ``terms``."""
    kept = tokens[tokens["keep"].fillna(False).astype(bool) & (tokens["term"] != "")]
    key = (
        kept["doc_id"] if unit == "article" else kept["doc_id"] + "#" + kept["para_id"].astype(str)
    )
    rows = pd.Index(units["unit"]).get_indexer(key)
    cols = pd.Index(terms).get_indexer(kept["term"])
    ok = rows >= 0
    mat = sparse.coo_matrix(
        (np.ones(int(ok.sum()), np.float32), (rows[ok], cols[ok])),
        shape=(len(units), len(terms)),
    ).tocsr()
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


def assert_same_matrix(got, want):
    assert got.shape == want.shape
    assert got.has_canonical_format
    for attr in ("indptr", "indices", "data"):
        g, w = getattr(got, attr), getattr(want, attr)
        assert g.dtype == w.dtype, attr
        assert g.tobytes() == w.tobytes(), attr


def count(path, units, unit, batch_rows, capacity, dictionary=("doc_id", "term")):
    counter = tm.ShardCounter(units, unit, 1, capacity)
    cols = tm.token_columns(unit, 1)
    for batch in iter_parquet_arrow(path, batch_rows, cols, list(dictionary or []) or None):
        counter.add(batch)
    terms = counter.terms
    return counter.matrix(), terms


@pytest.mark.parametrize("unit", ["article", "paragraph"])
@pytest.mark.parametrize("batch_rows", [1, 7, 150, 100_000])
@pytest.mark.parametrize("capacity", [None, "rows", 40])
def test_matrix_equals_the_summed_counts(tmp_path, unit, batch_rows, capacity):
    tokens = token_table(n_docs=90, seed=11)
    path = tmp_path / "tokens.parquet"
    pq.write_table(pa.Table.from_pandas(tokens, preserve_index=False), path, row_group_size=61)
    # d010 not listed (a dropped duplicate): its tokens are left out
    docs = pd.DataFrame({"doc_id": [f"d{d:03d}" for d in range(90) if d != 10]})
    units = tm.unit_index(tokens[["doc_id", "para_id"]].drop_duplicates(), docs, unit)
    cap = len(tokens) if capacity == "rows" else capacity  # 40: the buffer runs out
    got, terms = count(path, units, unit, batch_rows, cap)
    plain, plain_terms = count(path, units, unit, batch_rows, None, dictionary=None)
    assert terms == plain_terms
    assert_same_matrix(got, reference(tokens, units, unit, terms))
    assert_same_matrix(plain, got)
    assert got.sum() > 0


def test_batches_out_of_unit_order_and_a_unit_named_twice():
    units = pd.DataFrame({"unit": ["a", "b", "c"]})
    batches = [
        pa.table(  # "c" before "a", and "a" twice in one batch
            {
                "doc_id": ["c", "c", "a", "b", "a"],
                "term": ["x", "y", "y", "x", "x"],
                "keep": [True] * 5,
            }
        ),
        pa.table({"doc_id": ["a", "b"], "term": ["z", "z"], "keep": [True, True]}),
    ]
    tokens = pd.concat([b.to_pandas() for b in batches], ignore_index=True)
    for capacity in (None, 7, 3):
        counter = tm.ShardCounter(units, "article", 1, capacity)
        for b in batches:
            counter.add(b)
        terms = counter.terms
        assert terms == ["x", "y", "z"]
        got = counter.matrix()
        assert got.toarray().tolist() == [[1, 1, 1], [1, 0, 1], [1, 1, 0]]
        assert_same_matrix(got, reference(tokens, units, "article", terms))


def test_a_unit_over_three_batches_is_merged_once():
    units = pd.DataFrame({"unit": ["a", "b"]})
    batches = [
        pa.table({"doc_id": ["a", "a"], "term": ["y", "x"], "keep": [True, True]}),
        pa.table({"doc_id": ["a"], "term": ["z"], "keep": [True]}),
        pa.table({"doc_id": ["a", "a", "b"], "term": ["x", "w", "x"], "keep": [True] * 3}),
    ]
    counter = tm.ShardCounter(units, "article", 1, 6)
    for b in batches:
        counter.add(b)
    assert counter.terms == ["y", "x", "z", "w"]
    # one run per unit: a's entries in one part, sorted by column
    assert [p[0].tolist() for p in counter._parts] == [[0, 1]]
    got = counter.matrix()
    assert got.indptr.tolist() == [0, 4, 5]
    assert got.indices.tolist() == [0, 1, 2, 3, 1]
    assert got.data.tolist() == [1.0, 2.0, 1.0, 1.0, 1.0]
    assert got.has_canonical_format
