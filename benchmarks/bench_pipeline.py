"""The whole pipeline on a synthetic corpus of N articles: wall time, per-stage throughput, memory.

    python benchmarks/bench_pipeline.py N [N ...] [--shards 2] [--cores 2] [--long] [--keep DIR]
        [--timeline]
        [--generator synthetic|news | --corpus PATH [--text-column text] [--id-column ID]]
        [--compare-prototype]

For each N it builds a corpus table from the seed's resampled sentences
(benchmarks/synthetic_corpus.py), runs `snakemake` on it in a fresh working directory with the
project's config (CSV twins of the big tables off), and prints the wall time, articles/s, the
summed job time and peak memory (max RSS) per rule from Snakemake's benchmark files, and
Snakemake's own overhead: the part of the wall time in which no job was running (job start and end
times from results/provenance.json, whole seconds), and the CPU seconds of all its processes.
Then the schedule's losses on the cores: the seconds in which no job and exactly one job ran
(start and end of every job from its benchmark file's mtime and wall seconds), and the chain of
jobs that ends the run (`--timeline`: every job's start and end).

The corpus: the synthetic generator by default; `--generator news` writes news-like text in real
English vocabulary (benchmarks/news_corpus.py); `--corpus PATH` reads any CSV/Parquet corpus and
grows it to N articles by copies with their sentences reshuffled. `--compare-prototype` then runs
the single-script prototype (benchmarks/prototype.py) on the same corpus file and prints both
wall and CPU times and their ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ID_TEXT_COLUMNS, job_table, rule_table  # noqa: E402
from newslens.schedule import RULE_EDGES  # noqa: E402
from synthetic_corpus import LONG_SHAPE, REPO, TYPICAL_SHAPE, build_corpus  # noqa: E402


def idle_seconds(jobs: list[dict], wall_start: float, wall_end: float) -> float:
    """Seconds of [wall_start, wall_end] (epoch) covered by no job interval."""
    intervals = sorted(
        (pd.Timestamp(j["start"]).timestamp(), pd.Timestamp(j["end"]).timestamp()) for j in jobs
    )
    covered, cursor = 0.0, wall_start
    for start, end in intervals:
        start, end = max(start, cursor), min(end, wall_end)
        if end > start:
            covered += end - start
            cursor = end
    return (wall_end - wall_start) - covered


def job_intervals(jobs: pd.DataFrame, t0: float) -> pd.DataFrame:
    """The timeline of a run from common.job_table's rows (one per benchmark file): job (the
    file without its suffix), start and end in seconds after ``t0`` (epoch), end = the file's
    mtime, start = end - its wall seconds; sorted by start. Jobs without a benchmark file are
    not in it."""
    out = pd.DataFrame(
        {
            "job": jobs["file"].str.rsplit(".", n=1).str[0],
            "start": jobs["end"] - jobs["s"] - t0,
            "end": jobs["end"] - t0,
        }
    )
    return out.sort_values(["start", "end", "job"], kind="stable").reset_index(drop=True)


def concurrency_seconds(intervals: pd.DataFrame, t0: float, t1: float) -> dict[int, float]:
    """Seconds of [t0, t1] by the number of jobs of ``intervals`` (start, end) running then:
    {0: no job (idle), 1: exactly one job, 2: two, ...}."""
    events = sorted({t0, t1, *intervals["start"].clip(t0, t1), *intervals["end"].clip(t0, t1)})
    seconds: dict[int, float] = {}
    for a, b in itertools.pairwise(events):
        mid = (a + b) / 2
        n = int(((intervals["start"] <= mid) & (intervals["end"] > mid)).sum())
        seconds[n] = seconds.get(n, 0.0) + (b - a)
    return dict(sorted(seconds.items()))


def critical_chain(intervals: pd.DataFrame, edges=RULE_EDGES) -> list[int]:
    """The chain of jobs that ends the run: the job that ends last, then repeatedly the one of its
    inputs' jobs that ended last (what it waited for). Dependencies from the rule graph
    ``edges`` ((upstream, downstream) rule pairs, newslens.schedule.RULE_EDGES): a job of rule B
    follows a job of rule A if (A, B) is an edge and both are of the same shard ("rule/1-of-4")
    or either is not a per-shard job. Row labels of ``intervals``, first job first."""
    if intervals.empty:
        return []
    edges = set(edges)
    rule = intervals["job"].str.split("/").str[0]
    shard = (
        intervals["job"]
        .str.split("/")
        .str[1]
        .where(intervals["job"].str.contains("-of-", regex=False))
    )
    chain = [intervals["end"].idxmax()]
    while True:
        job = chain[-1]
        inputs = [
            i
            for i in intervals.index
            if (rule[i], rule[job]) in edges
            and (pd.isna(shard[i]) or pd.isna(shard[job]) or shard[i] == shard[job])
            and intervals.at[i, "end"] <= intervals.at[job, "start"] + 1.0
        ]
        if not inputs:
            return chain[::-1]
        chain.append(max(inputs, key=lambda i: intervals.at[i, "end"]))


def print_timeline(jobs: pd.DataFrame, t0: float, wall: float, every_job: bool = False) -> None:
    """Print the run's losses on the cores (seconds with no job and with exactly one job
    running, from the benchmark files) and the chain of jobs that ends the run."""
    intervals = job_intervals(jobs, t0)
    seconds = concurrency_seconds(intervals, 0.0, wall)
    last_end = float(intervals["end"].max()) if len(intervals) else 0.0
    print(
        f"timeline (jobs with a benchmark file): one job running {seconds.get(1, 0.0):.1f} s, "
        f"none {seconds.get(0, 0.0):.1f} s of {wall:.1f} s (of which {wall - last_end:.1f} s "
        "after the last timed job: report tables, summary, provenance without benchmark files, "
        "and Snakemake's end)"
    )
    print("critical chain at the end (start end seconds waited job; waited = start - the end of")
    print("the input it waited for: seconds the job was ready but no core was free for it)")
    previous_end = 0.0
    for row in intervals.loc[critical_chain(intervals)].itertuples():
        waited = max(row.start - previous_end, 0.0)
        print(f"{row.start:8.1f}{row.end:8.1f}{row.end - row.start:7.1f}{waited:7.1f} {row.job}")
        previous_end = row.end
    if every_job:
        print("every job (start end seconds job):")
        for row in intervals.itertuples():
            print(f"{row.start:8.1f}{row.end:8.1f}{row.end - row.start:7.1f} {row.job}")


def children_cpu() -> float:
    """User + system CPU seconds of all finished child processes (and their descendants)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` itself (not its children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_watched(cmd: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``cmd``; also return the CPU seconds of its own process (read every 0.2 s until it
    ends: Snakemake's scheduling, DAG and bookkeeping, without the jobs it starts)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=cwd)
        cpu = 0.0
        while proc.poll() is None:
            try:
                cpu = own_cpu(proc.pid)
            except (OSError, IndexError, ValueError):
                pass
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read()), cpu


def run_once(
    n: int, shards: int, cores: int, workdir: Path, long: bool = False, make_corpus=None
) -> dict:
    """One pipeline run on N articles; make_corpus(n) -> DataFrame (id, text, outlet) builds the
    corpus (default: the synthetic generator)."""
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus.parquet"
    t0 = time.perf_counter()
    if not corpus.exists():  # a corpus kept from an earlier run (--keep) is reused
        if make_corpus is None:
            shape = LONG_SHAPE if long else TYPICAL_SHAPE
            build_corpus(n, **shape).to_parquet(corpus, index=False)
        else:
            make_corpus(n).to_parquet(corpus, index=False)
    build_s = time.perf_counter() - t0
    for stale in ("results", ".snakemake"):
        shutil.rmtree(workdir / stale, ignore_errors=True)
    shutil.copytree(REPO / "config", workdir / "config", dirs_exist_ok=True)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["corpus"].update(
        path=str(corpus),
        columns=ID_TEXT_COLUMNS,
        metadata=["outlet"],
    )
    cfg["tokenize"]["csv_tables"] = False
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    cmd = [
        str(Path(sys.executable).parent / "snakemake"),
        "--snakefile",
        str(REPO / "workflow" / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        str(cores),
        "--set-scatter",
        f"shard={shards}",
        "--quiet",
    ]
    t0, epoch0, cpu0 = time.perf_counter(), time.time(), children_cpu()
    proc, snakemake_cpu = run_watched(cmd, workdir)
    wall = time.perf_counter() - t0
    cpu = children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed for N={n}:\n{proc.stderr[-3000:]}")
    per_job = job_table(workdir)
    jobs = rule_table(per_job)
    docs = pd.read_parquet(
        workdir / "results" / "tables" / "documents.parquet", columns=["n_tokens"]
    )
    provenance = json.loads((workdir / "results" / "provenance.json").read_text())
    return {
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "snakemake_cpu": snakemake_cpu,
        "idle": idle_seconds(provenance["jobs"], epoch0, epoch0 + wall),
        "build": build_s,
        "jobs": jobs,
        "per_job": per_job,
        "epoch0": epoch0,
        "tokens": int(docs["n_tokens"].sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="+")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--long", action="store_true", help="articles twice the typical length")
    parser.add_argument("--keep", type=Path, default=None, help="keep working directories here")
    parser.add_argument(
        "--timeline", action="store_true", help="also print every job's start, end and seconds"
    )
    add_corpus_options(parser)
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="newslens-bench-"))
    make_corpus = corpus_maker(args)
    for n in args.n:
        result = run_once(n, args.shards, args.cores, base / f"n{n}", args.long, make_corpus)
        jobs = result["jobs"].sort_values("cpu_seconds", ascending=False)
        busy = jobs["seconds"].sum()
        print(
            f"\n== {n} articles, {result['tokens']} tokens, {args.shards} shards, {args.cores} cores"
        )
        print(
            f"wall time {result['wall']:.1f} s  ->  {n / result['wall']:.0f} articles/s, "
            f"{result['tokens'] / result['wall'] / 1e3:.0f}k tokens/s end to end"
        )
        print(
            f"job time (sum over jobs) {busy:.1f} s, {jobs['cpu_seconds'].sum():.1f} CPU-s; peak memory of any job {jobs['max_rss_mb'].max():.0f} MB"
        )
        print(
            f"Snakemake overhead (no job running): {result['idle']:.1f} s, "
            f"{100 * result['idle'] / result['wall']:.1f}% of the wall time"
        )
        print(
            f"{'rule':<28}{'jobs':>5}{'seconds':>9}{'CPU-s':>8}{'articles/s':>12}{'max RSS MB':>12}"
        )
        for rule, row in jobs.iterrows():
            rate = n / row["seconds"] if row["seconds"] > 0 else float("inf")
            print(
                f"{rule:<28}{int(row['jobs']):>5}{row['seconds']:>9.1f}{row['cpu_seconds']:>8.1f}"
                f"{rate:>12.0f}{row['max_rss_mb']:>12.0f}"
            )
        jobs_cpu = jobs["cpu_seconds"].sum()
        print(
            f"CPU seconds (all processes) {result['cpu']:.1f} = jobs' benchmark files "
            f"{jobs_cpu:.1f} + Snakemake's own process {result['snakemake_cpu']:.1f} + the rest "
            f"{result['cpu'] - jobs_cpu - result['snakemake_cpu']:.1f} (jobs without a "
            "benchmark file, e.g. report tables and provenance, and job CPU after the "
            "last sample of Snakemake's benchmark timer, which samples every 0.5 s for 15 s, then "
            "every 30 s: jobs longer than ~15 s are undercounted)"
        )
        print_timeline(result["per_job"], result["epoch0"], result["wall"], args.timeline)
        if args.compare_prototype:
            compare_prototype(result, base / f"n{n}", args.cores)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--generator",
        choices=("synthetic", "news"),
        default="synthetic",
        help="synthetic: seed sentences with pseudo-words (synthetic_corpus.py); news: real "
        "English vocabulary with news-like statistics (news_corpus.py)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="a CSV/Parquet corpus instead of a generator; grown (or cut) to N articles by "
        "copies with reshuffled sentences",
    )
    parser.add_argument("--text-column", default="text", help="text column of --corpus")
    parser.add_argument("--id-column", default=None, help="id column of --corpus (default: rows)")
    parser.add_argument(
        "--compare-prototype",
        action="store_true",
        help="then run benchmarks/prototype.py on the same corpus and print both and the ratios",
    )


def corpus_maker(args):
    """n -> corpus DataFrame for the chosen source; None = the default synthetic generator."""
    from news_corpus import build_news_corpus, read_corpus, resample_real

    if args.corpus is not None:
        real = read_corpus(args.corpus, args.text_column, args.id_column)
        return lambda n: resample_real(real, n)
    if args.generator == "news":
        return build_news_corpus
    return None


def compare_prototype(result: dict, workdir: Path, cores: int) -> None:
    """Run the single-script prototype on the pipeline's corpus, one after the other, and print
    wall and CPU seconds (children included) of both and the pipeline/prototype ratios."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve().parent / "prototype.py"),
        str(workdir / "corpus.parquet"),
        str(workdir / "prototype"),
        "--workers",
        str(cores),
    ]
    t0, cpu0 = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"prototype failed:\n{proc.stderr[-3000:]}")
    print(proc.stdout.rstrip())
    print(f"{'':<12}{'wall s':>9}{'CPU s':>9}")
    print(f"{'pipeline':<12}{result['wall']:>9.1f}{result['cpu']:>9.1f}")
    print(f"{'prototype':<12}{wall:>9.1f}{cpu:>9.1f}")
    print(
        f"{'ratio':<12}{result['wall'] / wall:>8.2f}x{result['cpu'] / max(cpu, 1e-9):>8.2f}x"
        "  (pipeline / prototype; below 1 = the pipeline is faster)"
    )


if __name__ == "__main__":
    main()
