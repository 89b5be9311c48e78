"""CPU-seconds of one bootstrap pass of the compare stage (``poisson_group_sums``), this code
beside the former arithmetic, in alternating repeats on the same synthetic table.

    python benchmarks/bench_compare_bootstrap_pass.py [--articles 100000] [--items 14]
                                                      [--groups 20] [--resamples 1000]
                                                      [--repeats 6]

Methods (the same weights; the sums agree to floating-point rounding, checked in every repeat
and the largest relative difference printed: the order of the additions inside BLAS depends
on the number of threads and the matrix shapes):

* ``this code``: one product of the weights with the values and the measured indicators side
  by side per run of a group's articles, on one BLAS thread (``compare_bootstrap``);
* ``former, 2 threads``: two products per run (values, then the indicators), with the
  measurement patterns from ``np.unique`` over rows, on OpenBLAS's default threads;
* ``former, 1 thread``: the same on one thread (what the thread limit alone gives).

The weights are drawn (and cached) before the timing. Prints the CPU-seconds of each method
(process time: every thread counts) and the paired difference of this code to each former
one with its 95 % bootstrap interval over the repeats.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap_indices, format_difference  # noqa: E402
from newslens import compare_bootstrap as cb  # noqa: E402


def former_sums(values, codes, n_groups, resamples, seed):
    """The former pass: patterns by np.unique over rows, two products per run."""
    n, k = values.shape
    sums = np.zeros((n_groups, resamples, k))
    finite = np.isfinite(values)
    filled = np.where(finite, values, 0.0)
    _u, first, inverse = np.unique(
        np.packbits(finite, axis=0).T, axis=0, return_index=True, return_inverse=True
    )
    present = finite[:, first].astype(np.float64)
    counts = np.zeros((n_groups, resamples, len(first)))
    order = np.argsort(codes, kind="stable")
    chunk = cb.chunk_size(resamples)
    sorted_codes = codes[order]
    blocks = cb.weight_blocks(seed, n, resamples)
    for start, block in zip(range(0, n, chunk), blocks, strict=True):
        rows = order[start : start + chunk]
        cod = sorted_codes[start : start + chunk]
        w = block.astype(np.float64)
        bounds = np.flatnonzero(np.diff(cod)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(rows)], strict=True):
            g = cod[lo]
            if g < 0:
                continue
            sums[g] += w[:, lo:hi] @ filled[rows[lo:hi]]
            counts[g] += w[:, lo:hi] @ present[rows[lo:hi]]
    return sums, counts[..., np.ravel(inverse)]


def cpu(run) -> tuple[float, tuple]:
    t0 = time.process_time()
    out = run()
    return time.process_time() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=14)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=6)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, k = args.articles, args.items
    values = rng.random((n, k)) * (rng.random((n, k)) < 0.3)  # sparse shares
    codes = rng.integers(0, args.groups, n)
    seed = 12345
    list(cb.weight_blocks(seed, n, args.resamples))  # draw and cache the weights first
    methods = {
        "this code": lambda: cb.poisson_group_sums(
            values, codes, args.groups, args.resamples, seed
        ),
        "former, 2 threads": lambda: former_sums(values, codes, args.groups, args.resamples, seed),
    }
    times = {name: [] for name in [*methods, "former, 1 thread"]}
    worst = 0.0

    def check(out, ref):
        for a, b in zip(out, ref, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)
            scale = np.maximum(np.abs(b), 1e-300)
            yield float((np.abs(a - b) / scale)[np.abs(b) > 0].max(initial=0.0))

    for _ in range(args.repeats):
        ref = None
        for name, run in methods.items():
            t, out = cpu(run)
            times[name].append(t)
            ref = out if ref is None else ref
            worst = max(worst, *check(out, ref))
        with threadpool_limits(limits=1, user_api="blas"):
            t, out = cpu(methods["former, 2 threads"])
        times["former, 1 thread"].append(t)
        worst = max(worst, *check(out, ref))
    print(
        f"== one bootstrap pass: {n:,} articles x {k} items, {args.groups} groups, "
        f"{args.resamples} resamples, {args.repeats} repeats; load {os.getloadavg()[0]:.1f}"
    )
    print(f"largest relative difference of the sums between methods: {worst:.1e}")
    for name, t in times.items():
        print(f"{name:18s} CPU-s median {np.median(t):.3f}  (min {min(t):.3f}, max {max(t):.3f})")
    idx = bootstrap_indices(args.repeats, 2000, seed=1)
    mine = np.asarray(times["this code"])
    for base in ("former, 2 threads", "former, 1 thread"):
        d = np.array([(mine[i] - np.asarray(times[base])[i]).mean() for i in idx])
        print(f"this code - {base:18s} CPU-s: {format_difference(d)} (below 0: cheaper)")


if __name__ == "__main__":
    main()
