"""The compare stage's CPU at 100k, this checkout against a baseline checkout, in pairs.

    python benchmarks/bench_compare_share_pairs.py KEEP_DIR BASELINE_REPO [--n 100000]
                                                   [--pairs 3]

KEEP_DIR is the ``--keep`` folder of a finished ``bench_compare_share.py N --keep KEEP_DIR``
run (rerun at least once before: the first rerun in a copied folder is not comparable).
BASELINE_REPO is another checkout (e.g. ``git archive`` of main unpacked into a folder). Each
pair runs ``bench_compare_share.py N --keep KEEP_DIR --rerun-compare`` of the baseline and then
of this checkout, back to back on the same kept tables, and reads the run's CPU-seconds (the
compare jobs and Snakemake's own work for them, exact child rusage) and the share against the
kept run's other jobs. Prints every pair with the load average, each side's mean and the
paired difference (this - baseline) with a percentile bootstrap 95 % interval over pairs
(``common.bootstrap_indices``, ``percentile_interval``, ``verdict``: "loses" = this checkout
is cheaper).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, bootstrap_indices, percentile_interval, verdict  # noqa: E402

CPU = re.compile(r"CPU of the run \(snakemake included\) ([0-9.]+) s")
SHARE = re.compile(r"compare share ([0-9.]+) % \(run CPU\)")


def rerun(repo: Path, keep: Path, n: int) -> tuple[float, float]:
    """One forced rerun of the compare jobs by ``repo``'s benchmark: (CPU-seconds, share %)."""
    script = repo / "benchmarks" / "bench_compare_share.py"
    cmd = [sys.executable, str(script), str(n), "--keep", str(keep), "--rerun-compare"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=repo)
    if proc.returncode != 0:
        raise SystemExit(f"{repo}: rerun failed\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return float(CPU.search(proc.stdout).group(1)), float(SHARE.search(proc.stdout).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("keep", type=Path)
    ap.add_argument("baseline", type=Path)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    sides = {"baseline": args.baseline.resolve(), "this": REPO}
    cpu = {side: [] for side in sides}
    print(
        f"== compare stage rerun pairs, {args.n} articles: baseline {sides['baseline']}, this {REPO}"
    )
    for k in range(args.pairs):
        row = []
        for side, repo in sides.items():
            load = os.getloadavg()[0]
            seconds, share = rerun(repo, args.keep, args.n)
            cpu[side].append(seconds)
            row.append(f"{side} {seconds:5.1f} CPU-s ({share:4.1f} %, load {load:.1f})")
        print(f"pair {k + 1}: " + "; ".join(row), flush=True)
    base, this = (np.array(cpu[s]) for s in sides)
    diff = this - base
    means = diff[bootstrap_indices(len(diff), 2000)].mean(axis=1)
    lo, hi = percentile_interval(means)
    print(f"baseline: {base.mean():.1f} CPU-s; this: {this.mean():.1f} CPU-s")
    print(
        f"this - baseline: {diff.mean():+.1f} CPU-s [{lo:+.1f}, {hi:+.1f}] "
        f"({len(diff)} pairs) {verdict(lo, hi)}"
    )


if __name__ == "__main__":
    main()
