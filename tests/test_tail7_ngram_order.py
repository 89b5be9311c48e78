"""corpus_ngrams' spill pass sorts the partition numbers as small integers (``partition_order``,
NumPy's radix sort): the same order and bounds as NumPy's stable sort of the int64 numbers, the
same sums as a pandas group sum, and the job's three tables byte-identical in memory and
spilled to 2 to 100 partitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import corpus_tables as ct
from test_clean3_corpus_ngrams import corpus_counts, run_corpus_ngrams, shard_files
from test_corpus_tables import random_ngrams


@pytest.mark.parametrize("n_parts", [1, 2, 33, 255, 256, 257, 65_536, 70_000])
def test_partition_order_is_the_stable_argsort(n_parts):
    rng = np.random.default_rng(n_parts)
    part = rng.integers(0, n_parts, 20_000).astype(np.int64)
    order, bounds = ct.partition_order(part, n_parts)
    want = np.argsort(part, kind="stable")
    assert order.tolist() == want.tolist()
    assert bounds.tolist() == np.searchsorted(part[want], np.arange(n_parts + 1)).tolist()
    assert bounds[0] == 0 and bounds[-1] == len(part)


@pytest.mark.parametrize("partition_rows", [10**9, 200, 37])
def test_summed_ngrams_equal_groupby(tmp_path, partition_rows):
    shards = [random_ngrams(60, seed) for seed in range(3)]
    paths = []
    for i, s in enumerate(shards):
        paths.append(tmp_path / f"{i}.parquet")
        s.to_parquet(paths[-1], index=False)
    expected = (
        pd.concat(shards, ignore_index=True)
        .groupby(["ngram", "n"], as_index=False)[["count", "doc_freq"]]
        .sum()
        .sort_values("ngram")
        .reset_index(drop=True)
    )
    spill = tmp_path / "spill"
    spill.mkdir()
    parts = list(ct.summed_ngrams(paths, spill, partition_rows, 101))
    got = pd.concat([p.to_pandas() for p in parts], ignore_index=True)
    got = got.sort_values("ngram").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    total = sum(len(x) for x in shards)
    assert len(parts) == max(1, -(-total // partition_rows))  # one table per partition
    assert list(spill.iterdir()) == []  # the spilled partitions are removed


@pytest.mark.parametrize("partition_rows", [10**9, 300, 1000, 70])  # in memory; spilled
def test_tables_byte_identical_for_every_partition_count(tmp_path, monkeypatch, partition_rows):
    ngrams, doc_files = shard_files(tmp_path, corpus_counts(n_docs=80), 3)
    want = run_corpus_ngrams(tmp_path, monkeypatch, ngrams, doc_files, 10**9)
    got = run_corpus_ngrams(tmp_path, monkeypatch, ngrams, doc_files, partition_rows)
    assert got == want
    assert set(want) == {"collocations.csv", "ngram_frequencies.csv", "term_frequencies.csv"}
    assert want["ngram_frequencies.csv"].count(b"\n") > 50
