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

``--rerun-compare`` (with ``--keep``) reruns only the compare jobs of a kept run, forced, one
at a time (``--cores 1``), and prints their CPU-seconds exactly (the run's child-process
rusage, Snakemake's own DAG work included) beside the benchmark files' per-job numbers and the
share against the kept run's other jobs. Running it from two checkouts back to back (e.g. main
and a branch, each with this script) compares the stage's cost on the same tables and load.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import ID_TEXT_COLUMNS, read_config, run_snakemake, write_config, write_corpus  # noqa: E402
from synthetic_corpus import TYPICAL_SHAPE, build_corpus  # noqa: E402


def job_table(workdir: Path) -> pd.DataFrame:
    """Job-seconds, CPU-seconds, jobs and peak memory per rule from results/benchmarks/**.tsv."""
    return common.rule_table(common.job_table(workdir)).rename_axis("output")


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
    ap.add_argument(
        "--rerun-compare", action="store_true", help="rerun the compare jobs of a kept run"
    )
    args = ap.parse_args()
    workdir = (args.keep or Path(tempfile.mkdtemp(prefix="newslens-compare-share-"))) / (
        f"n{args.n}"
    )
    if args.report_only:
        report(job_table(workdir), args, float("nan"))
        return
    if args.rerun_compare:
        rerun_compare(workdir, args)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus.parquet"
    if not corpus.exists():
        table = build_corpus(args.n, **TYPICAL_SHAPE)
        table["outlet"] = [f"outlet_{i % args.groups:02d}" for i in range(len(table))]
        write_corpus(table, corpus)
    cfg = read_config()
    cfg["corpus"].update(path=str(corpus), columns=dict(ID_TEXT_COLUMNS), metadata=["outlet"])
    cfg["tokenize"]["csv_tables"] = False
    cfg["compare"].update(
        by=["outlet"],
        reference="rest",
        time={"period": args.period, "figure_items": 12},
        bootstrap={"resamples": args.resamples, "confidence": 0.95, "seed": 12345},
    )
    write_config(workdir, base=cfg)
    wall = run_snakemake(workdir, cores=args.cores, shards=args.shards, quiet=[])
    jobs = job_table(workdir)
    report(jobs, args, wall)


COMPARE_RULES = ["compare_keyness", "compare_groups", "compare_evidence"]


def rerun_compare(workdir: Path, args) -> None:
    """Force the compare jobs of a kept run, one core, and print their exact CPU-seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    extra = ["--rerun-triggers", "mtime", "--forcerun", *COMPARE_RULES]
    wall = run_snakemake(
        workdir, *COMPARE_RULES, cores=1, shards=args.shards, quiet=[], extra=extra
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    jobs = job_table(workdir)
    rest = jobs.loc[~jobs.index.str.startswith("compare_"), "cpu_seconds"].sum()
    compare = jobs[jobs.index.str.startswith("compare_")]
    print(
        f"== rerun of the compare jobs ({common.REPO.name}), {args.n} articles; load average "
        f"at the end {os.getloadavg()[0]:.1f}\nwall {wall:.1f} s; CPU of the run (snakemake "
        f"included) {cpu:.1f} s; jobs' benchmark CPU {compare['cpu_seconds'].sum():.1f} s; "
        f"the other jobs of the kept run {rest:.1f} CPU-s -> compare share "
        f"{100 * cpu / (cpu + rest):.1f} % (run CPU) / "
        f"{100 * compare['cpu_seconds'].sum() / (compare['cpu_seconds'].sum() + rest):.1f} % "
        "(benchmark CPU)"
    )
    print(compare.round(1).to_string())


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
