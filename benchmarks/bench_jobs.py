"""Per-rule wall seconds, CPU seconds and peak memory of a finished (or running) pipeline run,
from Snakemake's benchmark files (results/benchmarks/**.tsv), plus the run's wall time and
Snakemake's overhead when results/provenance.json is there.

    python benchmarks/bench_jobs.py WORKDIR [--rules corpus_tables sentiment_tables ...]

WORKDIR is a run kept by `bench_pipeline.py N --keep DIR` (DIR/nN). CPU seconds are Snakemake's
`cpu_time` (user + system of the job's processes): on a loaded machine they stay comparable
where wall seconds do not. Wall is summed over a rule's jobs; "longest" is its longest job.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def job_table(workdir: Path) -> pd.DataFrame:
    """One row per rule: jobs, summed wall s, longest job s, summed CPU s, max RSS MB (from
    common.job_table's one row per job)."""
    jobs = common.job_table(workdir)
    if jobs.empty:
        return pd.DataFrame(columns=["jobs", "wall_s", "longest_s", "cpu_s", "max_rss_mb"])
    return (
        jobs.groupby("rule")
        .agg(
            jobs=("s", "size"),
            wall_s=("s", "sum"),
            longest_s=("s", "max"),
            cpu_s=("cpu_s", "sum"),
            max_rss_mb=("max_rss_mb", "max"),
        )
        .sort_values("cpu_s", ascending=False)
    )


def run_span(workdir: Path) -> tuple[float, float] | None:
    """(wall seconds from the first job's start to the last job's end, seconds in which no job
    ran) from results/provenance.json, or None without it."""
    path = workdir / "results" / "provenance.json"
    if not path.is_file():
        return None
    jobs = json.loads(path.read_text())["jobs"]
    spans = sorted(
        (pd.Timestamp(j["start"]).timestamp(), pd.Timestamp(j["end"]).timestamp()) for j in jobs
    )
    start, end = spans[0][0], max(e for _, e in spans)
    idle, cursor = 0.0, start
    for s, e in spans:
        if s > cursor:
            idle += s - cursor
        cursor = max(cursor, e)
    return end - start, idle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--rules", nargs="*", default=None, help="only these rules")
    args = parser.parse_args()
    table = job_table(args.workdir)
    if args.rules:
        table = table[table.index.isin(args.rules)]
    print(f"{'rule':<30}{'jobs':>5}{'wall s':>9}{'longest':>9}{'CPU s':>9}{'max RSS MB':>12}")
    for rule, row in table.iterrows():
        print(
            f"{rule:<30}{int(row['jobs']):>5}{row['wall_s']:>9.1f}{row['longest_s']:>9.1f}"
            f"{row['cpu_s']:>9.1f}{row['max_rss_mb']:>12.0f}"
        )
    print(
        f"{'all':<30}{int(table['jobs'].sum()):>5}{table['wall_s'].sum():>9.1f}"
        f"{table['longest_s'].max():>9.1f}{table['cpu_s'].sum():>9.1f}"
        f"{table['max_rss_mb'].max():>12.0f}"
    )
    span = run_span(args.workdir)
    if span:
        wall, idle = span
        print(
            f"first job start to last job end {wall:.0f} s; no job running {idle:.0f} s "
            f"({100 * idle / wall:.1f} %)"
        )


if __name__ == "__main__":
    main()
