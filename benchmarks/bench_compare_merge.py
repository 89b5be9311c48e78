"""What keyness and the evidence in one job would save: their scripts in two processes against
both in one process, in alternating pairs, on a kept run's tables.

    python benchmarks/bench_compare_merge.py RUN_DIR [--pairs 4]

RUN_DIR is a finished run's working directory (``DIR/n100000`` of ``bench_compare_share.py
100000 --keep DIR``). "two jobs": ``compare_keyness`` and then ``compare_evidence``, each in a
fresh Python process as ``bench_compare_jobs.py`` runs them (interpreter start, imports, the
script's ``main``); "one job": both ``main``s one after the other in one fresh process (one
interpreter start, the shared imports once, documents.csv read twice as the two scripts do).
CPU-seconds of the child processes (``RUSAGE_CHILDREN``), so start-up is counted. Snakemake's
own per-job work (its script preamble, about 0.2 CPU-s, and scheduling) is not included: a
merged rule would save that on top. Prints each pair, the means and the paired difference
(one - two) with a percentile bootstrap 95 % interval over the pairs (``common``).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_compare_jobs import CHILD, REPO  # noqa: E402
from common import mean_interval, verdict  # noqa: E402

JOBS = ["compare_keyness", "compare_evidence"]

# both jobs in one interpreter: CHILD run once per job with its argv
BOTH = (
    "import sys\nCHILD = sys.argv.pop(1)\nrun_dir, out, repo = sys.argv[1], sys.argv[2], "
    "sys.argv[3]\nfor job in ('compare_keyness', 'compare_evidence'):\n"
    "    sys.argv = ['-c', run_dir, job, out + '/' + job, repo]\n"
    "    exec(compile(CHILD, 'child', 'exec'), {'__name__': 'child'})\n"
)


def child_cpu(cmd: list[str]) -> float:
    """CPU-seconds of one child process (user + system), start-up included."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "scripts"), env.get("PYTHONPATH")])
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def two_jobs(run_dir: Path, out: Path) -> float:
    return sum(
        child_cpu([sys.executable, "-c", CHILD, str(run_dir), job, str(out / job), str(REPO)])
        for job in JOBS
    )


def one_job(run_dir: Path, out: Path) -> float:
    return child_cpu([sys.executable, "-c", BOTH, CHILD, str(run_dir), str(out), str(REPO)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="newslens-compare-merge-"))
    cpu = {"two": [], "one": []}
    print(f"== keyness + evidence: two processes vs one, {args.run_dir}; outputs in {out}")
    for k in range(args.pairs):
        row = []
        for side, fn in (("two", two_jobs), ("one", one_job)):
            load = os.getloadavg()[0]
            cpu[side].append(fn(args.run_dir, out / side))
            row.append(f"{side} {cpu[side][-1]:5.2f} CPU-s (load {load:.1f})")
        print(f"pair {k + 1}: " + "; ".join(row), flush=True)
    two, one = (np.array(cpu[s]) for s in ("two", "one"))
    diff = one - two
    lo, hi = mean_interval(diff)
    print(f"two processes: {two.mean():.2f} CPU-s; one process: {one.mean():.2f} CPU-s")
    print(f"one - two: {diff.mean():+.2f} CPU-s [{lo:+.2f}, {hi:+.2f}] {verdict(lo, hi)}")


if __name__ == "__main__":
    main()
