"""Cost of the compare stage's statistics on synthetic tables (in process, no Snakemake):
keyness of every term for G groups (each against the rest) from an article x term count matrix,
and frame shares by group with the bootstrap.

    python benchmarks/bench_compare.py [--articles N] [--terms-per-article T] [--vocabulary V]
                                       [--groups G] [--frame-articles M] [--resamples R]

The count matrix is drawn directly as a sparse matrix (T distinct terms per article, Zipf-like
term choice); time and peak memory (ru_maxrss) are printed for building the group sums and
testing every term of every comparison. Defaults: 1,000,000 articles, 20 groups.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))
from newslens import compare as cp  # noqa: E402


def count_matrix(n: int, per_doc: int, vocab: int, seed: int = 0) -> sparse.csr_matrix:
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocab + 1)
    p = 1.0 / ranks
    p /= p.sum()
    cols = rng.choice(vocab, size=n * per_doc, p=p).astype(np.int32)
    data = rng.integers(1, 4, size=n * per_doc).astype(np.float32)
    indptr = np.arange(0, n * per_doc + 1, per_doc, dtype=np.int64)
    mat = sparse.csr_matrix((data, cols, indptr), shape=(n, vocab))
    mat.sum_duplicates()
    return mat


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--terms-per-article", type=int, default=60)
    ap.add_argument("--vocabulary", type=int, default=20_000)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--frame-articles", type=int, default=100_000)
    ap.add_argument("--resamples", type=int, default=1000)
    a = ap.parse_args()

    t0 = time.perf_counter()
    dtm = count_matrix(a.articles, a.terms_per_article, a.vocabulary)
    doc_id = np.array([f"d{i}" for i in range(a.articles)], dtype=object)
    rng = np.random.default_rng(1)
    groups = pd.DataFrame(
        {"doc_id": doc_id, "outlet": [f"outlet_{g}" for g in rng.integers(0, a.groups, a.articles)]}
    )
    terms = [f"t{i}" for i in range(a.vocabulary)]
    print(
        f"synthetic matrix: {a.articles:,} articles x {a.vocabulary:,} terms, {dtm.nnz:,} "
        f"non-zeros, built in {time.perf_counter() - t0:.1f} s; peak {peak_mb():.0f} MB"
    )
    t0 = time.perf_counter()
    tab = cp.keyness_table(dtm, doc_id, groups, terms, "rest", min_count=5, top_n=200)
    dt = time.perf_counter() - t0
    print(
        f"keyness: {a.groups} groups vs rest, {a.vocabulary:,} terms each: {dt:.1f} s "
        f"({len(tab):,} rows kept); peak {peak_mb():.0f} MB"
    )

    n = a.frame_articles
    shares = pd.DataFrame(
        rng.dirichlet(np.ones(14), size=n), index=[f"d{i}" for i in range(n)]
    ).add_prefix("frame_")
    fgroups = groups.iloc[:n].reset_index(drop=True)
    t0 = time.perf_counter()
    diff = cp.group_differences(shares, fgroups, "rest", resamples=a.resamples, seed=0)
    dt = time.perf_counter() - t0
    print(
        f"frames by group: {n:,} articles x 14 frames, {a.groups} groups vs rest, "
        f"{a.resamples} resamples: {dt:.1f} s ({len(diff)} rows, "
        f"{int((diff['q_value'] < 0.05).sum())} with q < 0.05 under the null); "
        f"peak {peak_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
