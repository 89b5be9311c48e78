"""CPU-seconds (user + system) of the compare stage's bootstrap passes, a baseline checkout's
``compare_bootstrap`` against this checkout's, in alternating fresh processes.

    python benchmarks/bench_compare_pass_pairs.py BASELINE_SCRIPTS [--articles 100000]
                                                  [--items 14] [--groups 20] [--passes 7]
                                                  [--resamples 1000] [--pairs 6]

Each process draws one synthetic table (articles x items, 1 % not measured, the groups
random, ``--seed``), draws and caches the Poisson weights with a first pass, then times
``--passes`` passes of ``poisson_group_sums`` (as compare_groups runs 7 at 100k: frames,
topics and actors by group and over time, actors x frames) and prints their CPU-seconds, user
and system apart (``resource.getrusage``: a fresh array per weight block shows as the kernel's
page faults, system time) and a checksum of the sums, which must be equal between the two
checkouts. Prints each pair, the means and the paired difference (this - baseline) with a
percentile bootstrap 95 % interval over the pairs (``common``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, mean_interval, verdict  # noqa: E402

CHILD = r"""
import hashlib, json, resource, sys
import numpy as np
from newslens.compare_bootstrap import poisson_group_sums
n, k, g, passes, resamples, seed = map(int, sys.argv[1:7])
rng = np.random.default_rng(seed)
values = rng.random((n, k))
values[rng.random(values.shape) < 0.01] = np.nan
codes = rng.integers(-1, g, n)
poisson_group_sums(values, codes, g, resamples, seed=seed)  # draws and caches the weights
r0 = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(passes):
    sums, counts = poisson_group_sums(values, codes, g, resamples, seed=seed)
r1 = resource.getrusage(resource.RUSAGE_SELF)
digest = hashlib.sha256(sums.tobytes() + counts.tobytes()).hexdigest()[:16]
print(json.dumps({"user": r1.ru_utime - r0.ru_utime, "system": r1.ru_stime - r0.ru_stime,
                  "sha": digest}))
"""


def passes_cpu(scripts: Path, args) -> dict:
    """One fresh process of ``scripts``' package: CPU of the timed passes and the checksum."""
    env = dict(os.environ, PYTHONPATH=str(scripts), OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, "-c", CHILD]
    cmd += [str(a) for a in (args.articles, args.items, args.groups, args.passes)]
    cmd += [str(args.resamples), str(args.seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{scripts}: failed\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("baseline", type=Path, help="the baseline checkout's scripts/ folder")
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=14)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--passes", type=int, default=7)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--pairs", type=int, default=6)
    args = ap.parse_args()
    sides = {"baseline": args.baseline.resolve(), "this": REPO / "scripts"}
    cpu = {s: [] for s in sides}
    print(
        f"== {args.passes} bootstrap passes, {args.articles} x {args.items}, {args.groups} groups"
    )
    for k in range(args.pairs):
        row, shas = [], set()
        for side, scripts in sides.items():
            load = os.getloadavg()[0]
            out = passes_cpu(scripts, args)
            cpu[side].append(out["user"] + out["system"])
            shas.add(out["sha"])
            row.append(
                f"{side} {out['user']:.2f} + {out['system']:.2f} = {cpu[side][-1]:.2f} CPU-s "
                f"(load {load:.1f})"
            )
        same = "sums equal" if len(shas) == 1 else "SUMS DIFFER"
        print(f"pair {k + 1}: " + "; ".join(row) + f"; {same}", flush=True)
    base, this = (np.array(cpu[s]) for s in sides)
    diff = this - base
    lo, hi = mean_interval(diff)
    print(f"baseline: {base.mean():.2f} CPU-s; this: {this.mean():.2f} CPU-s")
    print(f"this - baseline: {diff.mean():+.2f} CPU-s [{lo:+.2f}, {hi:+.2f}] {verdict(lo, hi)}")


if __name__ == "__main__":
    main()
