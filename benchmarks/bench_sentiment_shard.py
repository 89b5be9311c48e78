"""CPU of the sentiment per-shard jobs on one shard of a finished run, two checkouts paired.

    python benchmarks/bench_sentiment_shard.py WORKDIR --base /work/main/scripts \
        --new scripts [--shard 1-of-2] [--pairs 4] [--jobs sentiment_score sentiment_units]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout whose package is measured)
runs in a fresh Python process on the shard's inputs of that run, with the run's config and
the rule's params and one BLAS/OpenMP thread (as Snakemake gives a one-thread job), writing
its outputs to a temporary folder. Per pair the two checkouts run
one after the other (the order alternates between pairs), so load drifts hit both alike. The
measure is the process's CPU (user + system, imports included) and the CPU of the script's
work alone (`time.process_time` around it). Printed: every run, the mean of each checkout and
the mean paired difference (new - base) with its 95 % bootstrap interval (10,000 resamples of
the pairs, seed 0). A difference is a change only when its interval excludes 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import mean_interval  # noqa: E402
from shard_runner import paired_runs, rule_threads, run_job  # noqa: E402

# the rule's constants (workflow/rules/sentiment.smk)
BATCH_ROWS = 100_000
CACHE_SIZE = 200_000
ACTOR_BATCH_ARTICLES = 20_000


class Named(dict):
    """Enough of Snakemake's Namedlist: attributes, get(), and log[0]."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def job_smk(job: str, cfg: dict, shard: str, out: Path) -> Named:
    """The stand-in ``snakemake`` object of ``job`` on ``shard`` (inputs from the run in the
    current directory, outputs under ``out``)."""
    s = cfg["sentiment"]
    interim = "results/interim"
    if job == "sentiment_score":
        return Named(
            input=Named(sentences=f"{interim}/sentences/{shard}.json"),
            output=Named(scores=str(out / "scores.parquet"), sentences=str(out / "sentences.json")),
            params=Named(
                implementation=s["implementation"],
                thresholds=s["thresholds"],
                batch_rows=BATCH_ROWS,
                cache_size=CACHE_SIZE,
                table=str(out / "sentiment_sentences"),
            ),
            log=[str(out / "log.txt")],
        )
    if job == "sentiment_units":
        return Named(
            input=Named(scores=f"{interim}/sentiment/{shard}.parquet"),
            output=Named(
                documents=str(out / "documents.parquet"),
                paragraphs=str(out / "paragraphs.parquet"),
            ),
            params=Named(
                bootstrap=dict(s["bootstrap"]), thresholds=s["thresholds"], batch_rows=BATCH_ROWS
            ),
            log=[str(out / "log.txt")],
        )
    if job == "actor_articles":
        return Named(
            input=Named(
                scores=f"{interim}/sentiment/{shard}.parquet",
                mentions=f"{interim}/actors/{shard}.parquet",
                targets=f"{interim}/actor_targets/{shard}.parquet",
                sentences=f"{interim}/sentences/{shard}.json",
            ),
            output=Named(pairs=str(out / "pairs.parquet")),
            params=Named(
                scores=s["actor_scores"],
                batch_rows=BATCH_ROWS,
                batch_articles=ACTOR_BATCH_ARTICLES,
            ),
            log=[str(out / "log.txt")],
        )
    raise SystemExit(f"unknown job {job}")


JOBS = ("sentiment_score", "sentiment_units", "actor_articles")


def child(job: str, workdir: Path, shard: str, keep: Path | None = None) -> None:
    """Run one job's entry script (from the checkout on PYTHONPATH) and print its CPU; its
    outputs go to a temporary folder, or to ``keep``."""
    os.chdir(workdir)
    cfg = yaml.safe_load(Path("config/config.yaml").read_text())
    import newslens

    script = Path(newslens.__file__).resolve().parents[1] / f"{job}.py"
    with tempfile.TemporaryDirectory() as tmp:
        out = keep.resolve() if keep else tmp
        smk = job_smk(job, cfg, shard, Path(out))
        code = compile(script.read_text(), str(script), "exec")
        t0 = time.process_time()
        exec(code, {"snakemake": smk, "__name__": "__main__", "__file__": str(script)})
        work = time.process_time() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"work": work, "process": ru.ru_utime + ru.ru_stime}))


def measure(job: str, workdir: Path, shard: str, scripts: str) -> dict:
    """The CPU of ``job`` on ``shard`` run from ``scripts`` in a fresh process, with the threads
    Snakemake gives the job (shard_runner)."""
    cmd = [__file__, "--child", job, str(workdir), "--shard", shard]
    return run_job(cmd, scripts, rule_threads(job), what=job)


def paired_interval(diff: np.ndarray, resamples: int = 10_000) -> tuple[float, float]:
    """95 % percentile interval of the mean paired difference (common's bootstrap, seed 0)."""
    return mean_interval(diff, resamples, seed=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2")
    parser.add_argument("--base", default="/work/main/scripts", help="PYTHONPATH of the baseline")
    parser.add_argument("--new", default="scripts", help="PYTHONPATH of the changed code")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--jobs", nargs="+", default=["sentiment_score"], choices=JOBS)
    parser.add_argument("--child", choices=JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--keep-output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    if args.child:
        child(args.child, workdir, args.shard, args.keep_output)
        return
    paths = {"base": str(Path(args.base).resolve()), "new": str(Path(args.new).resolve())}
    print(f"{workdir} shard {args.shard}; base {paths['base']}; new {paths['new']}")
    for job in args.jobs:
        runs = {"base": [], "new": []}
        loads = []

        def one(side: str, job: str = job) -> dict:
            return measure(job, workdir, args.shard, paths[side])

        for r, pair, pair_loads in paired_runs(("base", "new"), args.pairs, one):
            loads += pair_loads
            for which in runs:
                runs[which].append(pair[which])
            print(
                f"  {job} pair {r}: base {runs['base'][-1]['work']:.2f} "
                f"({runs['base'][-1]['process']:.2f} process), new {runs['new'][-1]['work']:.2f} "
                f"({runs['new'][-1]['process']:.2f} process) CPU-s; load {loads[-1]:.1f}",
                flush=True,
            )
        for measure_name in ("work", "process"):
            base = np.array([x[measure_name] for x in runs["base"]])
            new = np.array([x[measure_name] for x in runs["new"]])
            diff = new - base
            low, high = paired_interval(diff)
            print(
                f"{job} ({measure_name} CPU-s, {args.pairs} pairs, load "
                f"{min(loads):.1f}-{max(loads):.1f}): base {base.mean():.2f}, new "
                f"{new.mean():.2f}, new - base {diff.mean():+.2f} [{low:+.2f}, {high:+.2f}] "
                f"({diff.mean() / base.mean():+.0%})"
            )


if __name__ == "__main__":
    main()
