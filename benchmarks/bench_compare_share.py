"""The compare stage's share of the whole pipeline's time on a synthetic corpus with groups.

    python benchmarks/bench_compare_share.py N [--groups 20] [--period week] [--shards 2]
                                             [--cores 2] [--resamples 1000] [--keep DIR]

Builds N typical-length synthetic articles (benchmarks/synthetic_corpus.py; dates within one
month, so `week` gives 4-5 periods), gives them G outlets, writes a config overlay into a
fresh working directory (compare.by = [outlet], each outlet against the rest, over time by
`--period`) and runs the whole pipeline with Snakemake. Prints the job-seconds of every
compare_* rule, of the whole run, the compare share (goal: under 10 %), wall time and peak
memory per compare rule, from Snakemake's benchmark files: as job wall-seconds and as job
CPU-seconds (on a loaded machine wall-seconds include waiting for a core; CPU-seconds less so).
``--report-only`` reprints a kept run's numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_corpus import REPO, TYPICAL_SHAPE, build_corpus  # noqa: E402


def job_table(workdir: Path) -> pd.DataFrame:
    """Job-seconds, jobs and peak memory per rule from results/benchmarks/**.tsv."""
    rows = []
    root = workdir / "results" / "benchmarks"
    for path in root.rglob("*.tsv"):
        bench = pd.read_csv(path, sep="\t")
        name = str(path.relative_to(root)).split("/")[0].removesuffix(".tsv")
        rows.append(
            {
                "output": name,
                "s": float(bench["s"].iloc[-1]),
                "cpu_s": float(bench["cpu_time"].iloc[-1]),
                "max_rss_mb": float(bench["max_rss"].iloc[-1]),
            }
        )
    return (
        pd.DataFrame(rows)
        .groupby("output")
        .agg(
            seconds=("s", "sum"),
            cpu_seconds=("cpu_s", "sum"),
            jobs=("s", "size"),
            max_rss_mb=("max_rss_mb", "max"),
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--period", default="week", choices=["week", "month"])
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--report-only", action="store_true", help="reprint a kept run (--keep)")
    args = ap.parse_args()
    workdir = (args.keep or Path(tempfile.mkdtemp(prefix="newslens-compare-share-"))) / (
        f"n{args.n}"
    )
    if args.report_only:
        report(job_table(workdir), args, float("nan"))
        return
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus.parquet"
    if not corpus.exists():
        table = build_corpus(args.n, **TYPICAL_SHAPE)
        table["outlet"] = [f"outlet_{i % args.groups:02d}" for i in range(len(table))]
        table.to_parquet(corpus, index=False)
    shutil.copytree(REPO / "config", workdir / "config", dirs_exist_ok=True)
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    cfg["corpus"].update(
        path=str(corpus),
        columns={"text": "text", "id": "id", "title": None, "date": None, "author": None},
        metadata=["outlet"],
    )
    cfg["tokenize"]["csv_tables"] = False
    cfg["compare"].update(
        by=["outlet"],
        reference="rest",
        time={"period": args.period, "figure_items": 12},
        bootstrap={"resamples": args.resamples, "confidence": 0.95, "seed": 12345},
    )
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    cmd = [
        str(Path(sys.executable).parent / "snakemake"),
        "--snakefile",
        str(REPO / "workflow" / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        str(args.cores),
        "--set-scatter",
        f"shard={args.shards}",
        "--quiet",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed:\n{proc.stderr[-3000:]}")
    jobs = job_table(workdir)
    report(jobs, args, wall)


def report(jobs: pd.DataFrame, args, wall: float) -> None:
    compare = jobs[jobs.index.str.startswith("compare_")].sort_values("seconds", ascending=False)
    print(
        f"== {args.n} articles, {args.groups} outlets (each vs rest), period {args.period}, "
        f"{args.shards} shards, {args.cores} cores, {args.resamples} resamples; "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    print(f"wall time {wall:.1f} s")
    for col, what in (("seconds", "job wall-seconds"), ("cpu_seconds", "job CPU-seconds")):
        total, part = jobs[col].sum(), compare[col].sum()
        print(
            f"{what}: pipeline {total:.1f}, compare stage {part:.1f} = "
            f"{100 * part / total:.1f} % (goal < 10 %)"
        )
    print(compare.round(1).to_string())
    print("\nlargest rules (CPU-seconds):")
    print(jobs.sort_values("cpu_seconds", ascending=False).head(8).round(1).to_string())


if __name__ == "__main__":
    main()
