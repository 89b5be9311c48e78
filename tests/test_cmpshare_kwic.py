"""The KWIC scan reads term, lower and doc_id dictionary-encoded and tests each distinct value
once (compare_evidence._in_dictionary): the same rows as testing every row's string, with
nulls, empty strings and values that occur only in one batch; and the same hits from a token
dataset with null terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from newslens import compare_evidence as ce
from newslens.shards import PART_PREFIX

WANTED = pa.array(["aid", "war"], type=pa.string())


def _row_by_row(values) -> np.ndarray:
    """The reference: the test on every row's string (null: no)."""
    return np.array([v in {"aid", "war"} for v in values], dtype=bool)


def test_in_dictionary_equals_the_row_test():
    values = ["war", None, "aid", "", "peace", "war", None, "Aid", "aid"]
    plain = pa.chunked_array([pa.array(values[:4]), pa.array(values[4:])])
    encoded = pa.chunked_array([c.dictionary_encode() for c in plain.chunks])
    expected = _row_by_row(values)
    assert expected.sum() == 4
    np.testing.assert_array_equal(ce._in_dictionary(encoded, WANTED), expected)
    np.testing.assert_array_equal(ce._in_dictionary(plain, WANTED), expected)  # not encoded
    empty = pa.chunked_array([], type=pa.dictionary(pa.int32(), pa.string()))
    assert ce._in_dictionary(empty, WANTED).shape == (0,)
    nulls = pa.chunked_array([pa.array([None, None], type=pa.string()).dictionary_encode()])
    assert not ce._in_dictionary(nulls, WANTED).any()


def test_scan_hits_equals_the_string_scan(tmp_path):
    rng = np.random.default_rng(5)
    words = np.array(["war", "aid", "talks", "War", "AID", "peace", ""], dtype=object)
    n = 500
    term = rng.choice(words, n).astype(object)
    term[rng.integers(0, n, 30)] = None
    lower = np.array([None if t is None else t.lower() for t in term], dtype=object)
    lower[rng.integers(0, n, 10)] = None
    tokens = pd.DataFrame(
        {
            "doc_id": [f"d{i // 25:03d}" for i in range(n)],
            "sent_id": np.arange(n) // 7,
            "term": term,
            "lower": lower,
        }
    )
    folder = tmp_path / "tokens"
    folder.mkdir()
    for b, part in tokens.groupby(np.arange(n) // 200):
        pq.write_table(
            pa.Table.from_pandas(part.reset_index(drop=True), preserve_index=False),
            folder / f"{PART_PREFIX}{b:08d}.parquet",
            row_group_size=64,
        )
    hits = ce.scan_hits(folder, {"war", "aid"}, batch_rows=50)
    # the reference: each row's strings tested, the term's match first
    by_term = _row_by_row(tokens["term"])
    by_lower = _row_by_row(tokens["lower"])
    rows = np.flatnonzero(by_term | by_lower)
    assert len(hits) == len(rows) > 100
    expected = np.where(by_term[rows], tokens["term"].to_numpy()[rows], tokens["lower"][rows])
    assert list(hits["term"]) == list(expected)
    assert list(hits["doc_id"]) == list(tokens["doc_id"].to_numpy()[rows])
    assert list(hits["sent_id"]) == list(tokens["sent_id"].to_numpy()[rows])
    assert list(hits["part"] * 200 + hits["row"]) == list(rows)
    assert set(hits["term"]) == {"war", "aid"}  # "War"/"AID" found by their lower form
    # the plain Arrow test on decoded strings gives the same mask
    table = pq.read_table(folder, columns=["term"])
    plain = pc.fill_null(pc.is_in(table.column("term"), value_set=WANTED), False)
    np.testing.assert_array_equal(plain.to_numpy(zero_copy_only=False), by_term)
