"""CPU of writing N part files into one dataset folder through ``runtime.atomic_path``: the
stale-file check by one folder listing per process (``runtime.remove_stale_tmp`` now) against
the former two glob patterns per part (each a listing of the folder, so N parts cost N
listings of up to N files).

    python benchmarks/bench_stale_listing.py [--parts 250 1000 4000] [--repeats 5]

Each repeat writes N empty part files (``part-00000.parquet`` ...) into a fresh folder in a
scratch directory, once with each check (order alternating), and prints the mean CPU-s per part
of each and the difference (glob - listing) with its 95 % bootstrap interval. At 1M articles a
dataset folder of 4 shards holds ~1,000 parts (250,000 articles a shard, 1,000 a part); at 10M
~10,000.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import mean_interval  # noqa: E402
from newslens import runtime  # noqa: E402


def glob_check(path: Path) -> list[Path]:
    """The former check: two glob patterns beside ``path`` (one folder listing each)."""
    found = []
    for pattern in (f".{path.name}.*.tmp", f".{path.name}.*.tmp.part"):
        found += [p for p in path.parent.glob(pattern) if p not in runtime._OWN_TMP]
    return found


def write_parts(folder: Path, parts: int, check) -> float:
    """CPU-s of writing ``parts`` empty part files through atomic_path with ``check``."""
    folder.mkdir()
    runtime._STALE_NAMES.clear()
    saved = runtime.remove_stale_tmp
    runtime.remove_stale_tmp = check
    try:
        start = time.process_time()
        for k in range(parts):
            with runtime.atomic_path(folder / f"part-{k:05d}.parquet") as tmp:
                tmp.write_bytes(b"")
        return time.process_time() - start
    finally:
        runtime.remove_stale_tmp = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, nargs="+", default=[250, 1000, 4000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    checks = {"glob": glob_check, "listing": runtime.remove_stale_tmp}
    with tempfile.TemporaryDirectory() as scratch:
        for parts in args.parts:
            cpu = {name: [] for name in checks}
            for r in range(args.repeats):
                order = list(checks) if r % 2 == 0 else list(checks)[::-1]
                for name in order:
                    folder = Path(scratch) / f"{name}-{parts}-{r}"
                    cpu[name].append(write_parts(folder, parts, checks[name]))
            diff = np.array(cpu["glob"]) - np.array(cpu["listing"])
            mean, (lo, hi) = diff.mean(), mean_interval(diff)
            print(
                f"{parts:6d} parts: glob {np.mean(cpu['glob']) / parts * 1e3:.3f} ms a part, "
                f"listing {np.mean(cpu['listing']) / parts * 1e3:.3f} ms a part; "
                f"glob - listing {mean:.3f} CPU-s [{lo:.3f}, {hi:.3f}] for the folder"
            )


if __name__ == "__main__":
    main()
