"""corpus_tables.count_ngram_order sorts the n-gram buckets of ngram_frequencies.csv as Arrow's
sort on (count descending, ngram ascending) did: the same row order on strings that share
long prefixes, differ past 16 bytes, hold non-ASCII letters or zero bytes, are empty, and on
ties of count."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from newslens import corpus_tables as ct


def arrow_order(table: pa.Table) -> list[int]:
    return pc.sort_indices(table, [("count", "descending"), ("ngram", "ascending")]).to_pylist()


def random_ngrams(seed: int, rows: int) -> pa.Table:
    rng = random.Random(seed)
    words = ["a", "ab", "abc", "particular", "particularly", "é", "éa", "straße", "x\x00", "x"]
    words += ["".join(rng.choice("abcz") for _ in range(rng.randint(1, 9))) for _ in range(30)]
    grams = {" ".join(rng.choice(words) for _ in range(rng.randint(1, 3))) for _ in range(rows)}
    grams = sorted(grams)
    rng.shuffle(grams)
    counts = [rng.choice([2, 2, 2, 3, 5, 40]) for _ in grams]
    return pa.table(
        {"ngram": pa.array(grams, pa.large_string()), "count": pa.array(counts, pa.int64())}
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_order_equals_arrows_sort(seed):
    table = random_ngrams(seed, 3000)
    assert table.num_rows > 1000
    assert ct.count_ngram_order(table).tolist() == arrow_order(table)


def test_strings_equal_in_their_first_16_bytes_are_ordered_by_the_rest():
    grams = [
        "particular attention pay",
        "particular attention",
        "particular attention paid",
        "particular attentio",
        "particular attention\x00",
        "particular attention é",
        "particular attention e",
        "",
        "b",
    ]
    table = pa.table({"ngram": grams, "count": [2] * len(grams)})
    order = ct.count_ngram_order(table)
    assert [grams[i] for i in order] == [
        "",
        "b",
        "particular attentio",
        "particular attention",
        "particular attention\x00",
        "particular attention e",
        "particular attention paid",
        "particular attention pay",
        "particular attention é",
    ]
    assert order.tolist() == arrow_order(table)


def test_count_first_then_string_on_a_chunked_sliced_table():
    table = pa.table(
        {"ngram": ["c d", "a b", "a c", "zz", "a b c", "é"], "count": [2, 9, 2, 9, 3, 2]}
    )
    chunked = pa.concat_tables([table.slice(0, 2), table.slice(2)]).slice(1)
    order = ct.count_ngram_order(chunked)
    assert [chunked.column("ngram")[i].as_py() for i in order] == [
        "a b",
        "zz",
        "a b c",
        "a c",
        "é",
    ]
    assert order.tolist() == arrow_order(chunked)


def test_small_tables():
    empty = pa.table({"ngram": pa.array([], pa.large_string()), "count": pa.array([], pa.int64())})
    assert ct.count_ngram_order(empty).tolist() == []
    one = pa.table({"ngram": ["a"], "count": [3]})
    assert ct.count_ngram_order(one).tolist() == [0]


def test_prefix_keys_are_the_big_endian_bytes():
    keys = ct.string_prefix_keys(pa.array(["ab", "", "0123456789abcdefXYZ"]))
    assert keys[0].tolist()[:2] == [int.from_bytes(b"ab" + bytes(6), "big"), 0]
    assert keys[0][2] == np.uint64(int.from_bytes(b"01234567", "big"))
    assert keys[1][2] == np.uint64(int.from_bytes(b"89abcdef", "big"))
