"""corpus_ngrams sums the shards' n-gram counts in hashed pieces (the spill files of
``summed_ngrams``, ``NGRAM_PIECE_ROWS`` rows each) and sorts partition numbers as small
integers (``partition_order``): the same sums as a pandas group sum, the same order as NumPy's
stable sort of the int64 numbers, and the job's three tables byte-identical for every piece
size, in memory and spilled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
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


def test_ngram_partition_is_the_hash_modulo():
    strings = pa.array(["", "a", "war talks", "naïve é", "kyiv moscow peace", None])
    h = ct.ngram_hash(strings)
    assert h.dtype == np.uint64
    assert ct.ngram_partition(strings, 7).tolist() == (h % np.uint64(7)).astype(int).tolist()
    assert h[0] == h[5]  # a null hashes as the empty string
    assert len(set(h.tolist())) == 5
    assert ct.ngram_hash(pa.array([], pa.string())).tolist() == []


@pytest.mark.parametrize(("partition_rows", "piece_rows"), [(10**9, 40), (200, 30), (37, 5)])
def test_summed_ngrams_in_pieces_equal_groupby(tmp_path, partition_rows, piece_rows):
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
    parts = list(ct.summed_ngrams(paths, spill, partition_rows, 101, piece_rows))
    got = pd.concat([p.to_pandas() for p in parts], ignore_index=True)
    got = got.sort_values("ngram").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    total = sum(len(x) for x in shards)
    assert len(parts) == max(1, -(-total // partition_rows))  # one table per partition
    assert list(spill.iterdir()) == []  # the spilled pieces are removed


@pytest.mark.parametrize("partition_rows", [10**9, 300])  # in memory; spilled
def test_tables_byte_identical_for_every_piece_size(tmp_path, monkeypatch, partition_rows):
    ngrams, doc_files = shard_files(tmp_path, corpus_counts(n_docs=80), 3)
    defaults = ct.summed_ngrams.__defaults__  # (partition_rows, batch_rows, piece_rows)
    results = []
    for piece_rows in (10**12, 1, 17, 120):
        monkeypatch.setattr(ct.summed_ngrams, "__defaults__", (*defaults[:2], piece_rows))
        folder = tmp_path / f"p{piece_rows}"
        folder.mkdir()
        results.append(run_corpus_ngrams(folder, monkeypatch, ngrams, doc_files, partition_rows))
        monkeypatch.setattr(ct.summed_ngrams, "__defaults__", defaults)
    assert all(r == results[0] for r in results[1:])
    assert set(results[0]) == {"collocations.csv", "ngram_frequencies.csv", "term_frequencies.csv"}
    assert results[0]["ngram_frequencies.csv"].count(b"\n") > 50
