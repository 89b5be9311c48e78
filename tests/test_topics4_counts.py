"""topic_counts reads doc_id and term dictionary-encoded (no string per token): the codes, the
shard's count matrix and its term order are those of the plain-string path, on tokens written
to Parquet in parts and row groups and read back in batches, and on hand-made dictionary
arrays (unused entries, entries out of first-appearance order, repeated values, nulls)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import topics_matrix as tm
from newslens.runtime import iter_parquet_arrow

WORDS = ["", "minister", "council", "vote", "market", "bank", "rate", "the", "of", "city"]


def token_table(n_docs=40, seed=7, nulls=False):
    """Tokens of ``n_docs`` articles in doc order: terms with blanks ("") and stopwords (keep
    false), paragraph ids, an article without kept terms and one without tokens."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        if d == 5:
            continue  # an article without tokens
        n = int(rng.integers(1, 60))
        for i in range(n):
            term = WORDS[int(rng.zipf(1.6)) % len(WORDS)]
            keep = bool(term) and term not in ("the", "of") and d != 9
            rows.append((f"d{d:03d}", int(i // 7), i, term, keep))
    tokens = pd.DataFrame(rows, columns=["doc_id", "para_id", "tok_id", "term", "keep"])
    if nulls:
        tokens["keep"] = tokens["keep"].astype(object)
        tokens.loc[3, "term"] = None
        tokens.loc[11, "keep"] = None
    return tokens


def plain_codes(table, unit):
    """The string path's result, the dictionary columns (if any) decoded first."""
    return tm._string_codes(tm._plain_strings(table), unit)


def assert_same_codes(got, want):
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        assert g.tolist() == w.tolist()


@pytest.mark.parametrize("unit", ["article", "paragraph"])
@pytest.mark.parametrize("batch_rows", [1, 13, 250, 10_000])
def test_dictionary_read_gives_the_string_path_codes(tmp_path, unit, batch_rows):
    tokens = token_table()
    path = tmp_path / "tokens.parquet"
    pq.write_table(pa.Table.from_pandas(tokens, preserve_index=False), path, row_group_size=97)
    cols = tm.token_columns(unit, 1)
    coded = list(iter_parquet_arrow(path, batch_rows, cols, ["doc_id", "term"]))
    assert sum(c.num_rows for c in coded) == len(tokens)
    for c in coded:  # (batches end at row groups: the counts of a unit over two add up)
        assert pa.types.is_dictionary(c.column("term").type)
        assert tm._dictionary_codes(c, unit) is not None  # the fast path was taken
        assert_same_codes(tm.arrow_unit_term_codes(c, unit), plain_codes(c, unit))


@pytest.mark.parametrize("unit", ["article", "paragraph"])
def test_shard_counter_matrix_and_terms_equal_the_string_path(tmp_path, unit):
    tokens = token_table(n_docs=120, seed=3)
    path = tmp_path / "tokens.parquet"
    pq.write_table(pa.Table.from_pandas(tokens, preserve_index=False), path, row_group_size=200)
    docs = pd.DataFrame({"doc_id": [f"d{d:03d}" for d in range(120)]})
    paragraphs = tokens[["doc_id", "para_id"]].drop_duplicates()
    units = tm.unit_index(paragraphs, docs, unit)
    cols = tm.token_columns(unit, 1)
    out = []
    for dictionary in (None, ["doc_id", "term"]):
        counter = tm.ShardCounter(units, unit)
        for batch in iter_parquet_arrow(path, 150, cols, dictionary):
            counter.add(batch)
        out.append((counter.matrix(), counter.terms))
    (a, terms_a), (b, terms_b) = out
    assert terms_a == terms_b
    assert terms_a[:3] == [t for t in pd.unique(tokens["term"])][:3]  # first appearance
    for attr in ("indptr", "indices", "data"):
        assert getattr(a, attr).tobytes() == getattr(b, attr).tobytes()
    # the counts themselves: kept, non-blank tokens per unit and term
    kept = tokens[tokens["keep"] & (tokens["term"] != "")]
    key = (
        kept["doc_id"] if unit == "article" else kept["doc_id"] + "#" + kept["para_id"].astype(str)
    )
    want = kept.groupby([key, kept["term"]]).size()
    row = pd.Index(units["unit"]).get_indexer(want.index.get_level_values(0))
    col = pd.Index(terms_b).get_indexer(want.index.get_level_values(1))
    assert b[row, col].A1.tolist() == want.astype(float).tolist()
    assert b.sum() == len(kept)


def dict_column(indices, values):
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))


def test_dictionary_out_of_order_unused_and_repeated_entries():
    # dictionary entries not in order of first appearance, one unused, "minister" twice,
    # "" twice: the codes still number the terms by first appearance, blanks are never kept
    term = dict_column(
        [3, 0, 5, 3, 1, 6, 4, 0], ["", "bank", "unused", "minister", "", "vote", "minister"]
    )
    doc = dict_column([1, 1, 1, 0, 0, 0, 2, 2], ["b", "a", "c"])
    keep = pa.array([True, True, True, True, False, True, True, True])
    table = pa.table({"doc_id": doc, "term": term, "keep": keep})
    got = tm._dictionary_codes(table, "article")
    units, names, u, c = got
    assert units.tolist() == ["a", "b", "c"]
    assert names.tolist() == ["minister", "", "vote", "bank", "minister", ""]
    assert u.tolist() == [0, 0, 1, 1]  # "bank" not kept, both blanks left out
    assert names[c].tolist() == ["minister", "vote", "minister", "minister"]
    counter_a = tm.ShardCounter(pd.DataFrame({"unit": ["a", "b", "c"]}), "article")
    counter_b = tm.ShardCounter(pd.DataFrame({"unit": ["a", "b", "c"]}), "article")
    counter_a.add(table)
    counter_b.add(tm._plain_strings(table))
    assert counter_a.terms == counter_b.terms == ["minister", "", "vote", "bank"]
    mat_a, mat_b = counter_a.matrix(), counter_b.matrix()  # (matrix() takes the parts)
    assert mat_a.toarray().tolist() == mat_b.toarray().tolist()
    assert mat_a.toarray().tolist() == [[1, 0, 1, 0], [2, 0, 0, 0], [0, 0, 0, 0]]


def test_nulls_and_plain_columns_take_the_string_path():
    tokens = token_table(n_docs=12, nulls=True)
    plain = pa.Table.from_pandas(tokens[["doc_id", "term", "keep"]], preserve_index=False)
    coded = plain.set_column(1, "term", plain.column("term").dictionary_encode())
    coded = coded.set_column(0, "doc_id", coded.column("doc_id").dictionary_encode())
    assert tm._dictionary_codes(plain, "article") is None
    assert tm._dictionary_codes(coded, "article") is None  # a null term
    assert_same_codes(tm.arrow_unit_term_codes(coded, "article"), plain_codes(plain, "article"))
    names = tm.arrow_unit_term_codes(coded, "article")[1]
    assert "" in names.tolist()  # the null term counts as blank, as before
    empty = tm.arrow_unit_term_codes(coded.slice(0, 0), "article")
    assert [len(x) for x in empty] == [0, 0, 0, 0]
