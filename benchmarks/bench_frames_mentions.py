"""The actor mention index of a frames_sentences job (``newslens.frames_actors.mention_index``)
on one shard's mention file, two checkouts paired.

    python benchmarks/bench_frames_mentions.py MENTIONS.parquet --base B --new N [--pairs 4]

MENTIONS.parquet is a shard's ``results/interim/actors/<shard>.parquet`` (at 1M articles with
4 shards ~7.5M rows: there the index's cost shows, at 20k it is a few hundredths of a second).
Each side builds the index in a fresh process (the checkout's scripts/ on PYTHONPATH, one
thread), the order alternating between pairs; measured: the CPU of ``mention_index`` alone
(``time.process_time``) and the process's peak resident memory. On the first pair the keys and
actor codes of both sides are compared (identical or not). Printed: every pair, the means and
the mean paired difference new - base with its 95 % bootstrap interval (benchmarks/common).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import mean_interval  # noqa: E402
from shard_runner import paired_runs, run_process  # noqa: E402

BATCH_ROWS = 200_000  # the rule's actor_batch_rows (workflow/rules/framing.smk)


def child(path: str) -> None:
    import time

    from newslens.frames_actors import mention_index

    t0 = time.process_time()
    index = mention_index(path, BATCH_ROWS)
    work = time.process_time() - t0
    keys, codes = index.arrays()
    digest = hashlib.sha256(keys.tobytes() + codes.tobytes()).hexdigest()
    print(json.dumps({"work": work, "rows": len(keys), "digest": digest}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mentions")
    parser.add_argument("--base", default="/work/main/scripts")
    parser.add_argument("--new", default="scripts")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.mentions)
    paths = {"base": args.base, "new": args.new}
    runs = {"base": [], "new": []}

    def measure(side: str) -> dict:
        argv = [__file__, str(Path(args.mentions).resolve()), "--child"]
        cpu, out = run_process(argv, paths[side], 1, what=side)
        return {**cpu, **json.loads(out.strip().splitlines()[-1])}

    for r, pair, loads in paired_runs(("base", "new"), args.pairs, measure):
        b, n = pair["base"], pair["new"]
        print(
            f"  pair {r}: base {b['work']:.2f} CPU-s ({b['peak_mb']:.0f} MiB), new "
            f"{n['work']:.2f} ({n['peak_mb']:.0f} MiB); load {loads[-1]:.1f}",
            flush=True,
        )
        if r == 1:
            same = b["digest"] == n["digest"]
            print(f"  keys and codes of {b['rows']} mentions: {'identical' if same else 'DIFFER'}")
        for side in runs:
            runs[side].append(pair[side])
    for m in ("work", "process", "peak_mb"):
        base = np.array([x[m] for x in runs["base"]])
        new = np.array([x[m] for x in runs["new"]])
        low, high = mean_interval(new - base, 10_000, seed=0)
        print(
            f"mention_index {m}: base {base.mean():.2f}, new {new.mean():.2f}, new - base "
            f"{(new - base).mean():+.2f} [{low:+.2f}, {high:+.2f}]"
        )


if __name__ == "__main__":
    main()
