"""Paired CPU-seconds and peak memory of compare jobs' scripts: a baseline checkout against
another checkout (default: this one), on one kept run's tables.

    python benchmarks/bench_compare_jobs_pairs.py RUN_DIR BASELINE_REPO [--new REPO]
                                                  [--jobs compare_groups ...] [--pairs 4]

Each pair runs ``benchmarks/bench_compare_jobs.py RUN_DIR --jobs JOB`` of the baseline and of
the new checkout back to back (the order alternates from pair to pair), each in a fresh
wrapper process whose children's peak RSS is the job's (the job's child process is the
largest). Prints every run's CPU-seconds (imports + main, from bench_compare_jobs), peak MiB
and load, then per job each side's mean and the paired difference (new - baseline) with a
percentile bootstrap 95 % interval over pairs (``common.mean_interval``). With ``--out`` the
last pair's outputs stay in OUT/base and OUT/new, to compare byte by byte.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, mean_interval, verdict  # noqa: E402

CPU = re.compile(r"=\s+([0-9.]+) CPU-s")
WRAP = (
    "import resource, subprocess, sys\n"
    "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stdout.write(proc.stdout); sys.stderr.write(proc.stderr)\n"
    "print('maxrss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(proc.returncode)\n"
)


def one_run(repo: Path, run_dir: Path, job: str, out: Path) -> tuple[float, float]:
    """One job by ``repo``'s bench_compare_jobs.py: (CPU-seconds, peak MiB)."""
    script = repo / "benchmarks" / "bench_compare_jobs.py"
    cmd = [sys.executable, "-c", WRAP, sys.executable, str(script), str(run_dir)]
    cmd += ["--jobs", job, "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{repo} {job} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    cpu = float(CPU.search(proc.stdout).group(1))
    kb = int(proc.stdout.split("maxrss_kb")[-1].split()[0])
    return cpu, kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("baseline", type=Path)
    ap.add_argument("--new", type=Path, default=REPO)
    ap.add_argument("--jobs", nargs="+", default=["compare_groups"])
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="newslens-compare-pairs-"))
    sides = {"base": args.baseline.resolve(), "new": args.new.resolve()}
    print(f"== {args.run_dir}: base {sides['base']}, new {sides['new']}, {args.pairs} pairs")
    for job in args.jobs:
        got: dict[str, list] = {"base": [], "new": []}
        for pair in range(args.pairs):
            order = ["base", "new"] if pair % 2 == 0 else ["new", "base"]
            for side in order:
                cpu, mib = one_run(sides[side], args.run_dir, job, out / side)
                got[side].append((cpu, mib))
                print(
                    f"{job} pair {pair + 1} {side:4s}: {cpu:6.2f} CPU-s  {mib:7.0f} MiB  "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        for k, what in ((0, "CPU-s"), (1, "peak MiB")):
            base = np.array([g[k] for g in got["base"]])
            new = np.array([g[k] for g in got["new"]])
            lo, hi = mean_interval(new - base)
            print(
                f"{job} {what}: base {base.mean():.2f}, new {new.mean():.2f}, new - base "
                f"{(new - base).mean():+.2f} [{lo:+.2f}, {hi:+.2f}] ({verdict(lo, hi)}; "
                "loses = new is smaller)"
            )


if __name__ == "__main__":
    main()
