"""CPU of the mojibake repair on one shard of a finished run: with ftfy's badness test swapped
for the equal-answer fast one during each repair (newslens.mojibake, the pipeline's code)
against ftfy called unchanged after the same fast pre-check (no swap).

    PYTHONPATH=scripts python benchmarks/bench_mojibake.py WORKDIR [--shard 1-of-2]
        [--batches 20] [--repeat 3]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py
--keep DIR` on the BBC set). The shard's raw texts (results/interim/raw/SHARD.parquet) are cut
into --batches consecutive batches; each batch is repaired by each method (process CPU, the
fastest of --repeat), and the CPU the swap saves in all is given with a 95 % bootstrap interval
of the paired differences over the batches. The repaired texts of the two methods must be
identical.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap_indices, format_difference  # noqa: E402


def ftfy_as_is(text: str) -> tuple[str, int]:
    """``repair_mojibake`` without the swap: ftfy runs its own ``is_bad``."""
    import ftfy
    from newslens import mojibake as mj

    if not text or text.isascii() or mj.GARBLED.search(text) is None or not mj.fast_is_bad(text):
        return text, 0
    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return text, 0
    return fixed, len(mj.GARBLED.findall(text)) - len(mj.GARBLED.findall(fixed))


def cpu_seconds(function, texts: list[str], repeat: int) -> tuple[float, list]:
    """The fastest process CPU of ``repeat`` runs over the texts, and the results."""
    best, out = float("inf"), []
    for _ in range(repeat):
        t0 = time.process_time()
        out = [function(t) for t in texts]
        best = min(best, time.process_time() - t0)
    return best, out


def main() -> None:
    from newslens.mojibake import repair_mojibake

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = args.workdir / "results" / "interim" / "raw" / f"{args.shard}.parquet"
    texts = [t or "" for t in pq.read_table(path, columns=["raw"]).column("raw").to_pylist()]
    batches = [b.tolist() for b in np.array_split(np.array(texts, dtype=object), args.batches)]
    methods = {"swap (pipeline)": repair_mojibake, "ftfy as is (no swap)": ftfy_as_is}
    times = {name: [] for name in methods}
    same = True
    for batch in batches:
        outs = []
        for name, function in methods.items():
            seconds, out = cpu_seconds(function, batch, args.repeat)
            times[name].append(seconds)
            outs.append(out)
        same &= outs[0] == outs[1]
    n_garbled = sum(ftfy_as_is(t)[1] > 0 for t in texts)
    print(f"{len(texts):,} texts, {n_garbled:,} repaired, {args.batches} batches")
    for name, values in times.items():
        print(f"{name:24s} {sum(values):7.3f} CPU-s")
    # CPU saved by the swap: positive = the swap is faster ("wins")
    d = np.array(times["ftfy as is (no swap)"]) - np.array(times["swap (pipeline)"])
    total = d[bootstrap_indices(len(d), 2000, seed=0)].sum(axis=1)
    print(f"saved by the swap        {format_difference(total)} CPU-s")
    print(f"identical repaired texts: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
