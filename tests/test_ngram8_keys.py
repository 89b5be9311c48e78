"""ngram8: corpus_ngrams sums the n-gram counts by 64-bit string keys (newslens.corpus_tables.
ngram_keys), with a check of every row's string and the dictionary encoding as fallback."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from newslens import corpus_tables as ct

STRINGS = [
    "",
    "a",
    "a\x00",
    "\x00",
    "abcdefg",
    "abcdefgh",
    "abcdefghi",
    "abcdefgh\x00",
    "abcdefghijklmnop",
    "abcdefghijklmnopq",
    "naïve café",
    "naïve cafe",
    "the prime minister said",
    "the prime minister says",
    "b a",
    "a b",
]


def by_dictionary(table: pa.Table) -> pa.Table:
    """The old sums: Arrow's dictionary encoding of the strings, order of first appearance."""
    enc = pc.dictionary_encode(table.column("ngram").combine_chunks())
    codes = enc.indices.to_numpy()
    first = ct._first_rows(codes)
    out = {"ngram": enc.dictionary, "n": table.column("n").take(pa.array(first))}
    for col in ("count", "doc_freq"):
        out[col] = pa.array(
            np.bincount(codes, weights=table.column(col).to_numpy(), minlength=len(first)).astype(
                np.int64
            )
        )
    return pa.table(out)


def ngram_table(strings, seed=0) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "ngram": pa.array(strings, pa.large_string()),
            "n": pa.array([s.count(" ") + 1 for s in strings], pa.int64()),
            "count": pa.array(rng.integers(1, 50, len(strings)), pa.int64()),
            "doc_freq": pa.array(rng.integers(1, 5, len(strings)), pa.int64()),
        }
    )


def test_keys_equal_for_equal_strings_and_distinct_here():
    strings = pa.array(STRINGS * 3, pa.large_string())
    keys = ct.ngram_keys(strings)
    assert keys.dtype == np.uint64 and len(keys) == len(strings)
    first = keys[: len(STRINGS)]
    assert len(set(first.tolist())) == len(STRINGS)  # zero bytes and lengths count
    assert (keys[len(STRINGS) : 2 * len(STRINGS)] == first).all()
    # a slice (non-zero offset), a chunked array and a plain string array: the same keys
    assert (ct.ngram_keys(strings.slice(5, 20)) == keys[5:25]).all()
    chunked = pa.chunked_array([strings.slice(0, 7), strings.slice(7)])
    assert (ct.ngram_keys(chunked) == keys).all()
    assert (ct.ngram_keys(strings.cast(pa.string())) == keys).all()
    assert len(ct.ngram_keys(pa.array([], pa.large_string()))) == 0


def test_sum_by_keys_equals_dictionary_sums():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)] + ["naïve", "x" * 30]
    strings = [" ".join(rng.choice(words, rng.integers(1, 4))) for _ in range(3000)]
    table = ngram_table(strings, 1)
    got = ct.sum_ngrams(table)
    expected = by_dictionary(table)
    assert got.equals(expected)
    assert got.num_rows == len(set(strings)) < 3000
    assert got.column("ngram").to_pylist() == list(dict.fromkeys(strings))


@pytest.mark.parametrize("kind", ["all", "two"])
def test_a_forced_collision_falls_back_to_the_strings(kind):
    strings = ["a b", "c", "a b", "d e f", "c", "g"] * 4
    table = ngram_table(strings, 2)
    keys = ct.ngram_keys(table.column("ngram"))
    if kind == "all":
        forced = np.zeros(len(strings), dtype=np.uint64)
    else:  # "c" and "g" share a key, the others keep theirs
        forced = keys.copy()
        forced[np.array(strings) == "g"] = keys[1]
    got = ct.sum_ngrams(table, forced)
    assert got.equals(by_dictionary(table))
    sums = pd.DataFrame(table.to_pydict()).groupby("ngram", sort=False)["count"].sum()
    assert dict(
        zip(got.column("ngram").to_pylist(), got.column("count").to_pylist(), strict=True)
    ) == (sums.to_dict())
    assert got.num_rows == 4


def test_partitions_follow_the_keys():
    strings = pa.array(STRINGS * 2, pa.large_string())
    keys = ct.ngram_keys(strings)
    parts = ct.ngram_partition(strings, 5)
    assert (parts == (keys % np.uint64(5)).astype(np.int64)).all()
    assert (ct.ngram_partition(strings, 5, keys) == parts).all()
    assert (ct.ngram_partition(strings, 1) == 0).all()
