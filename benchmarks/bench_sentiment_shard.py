"""CPU of the sentiment per-shard jobs on one shard of a finished run, two checkouts paired.

    python benchmarks/bench_sentiment_shard.py WORKDIR --base /work/main/scripts \
        --new scripts [--shard 1-of-2] [--pairs 4] [--jobs sentiment_score sentiment_units]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout whose package is measured)
runs in a fresh Python process on the shard's inputs of that run, with the run's config and
the rule's params and one BLAS/OpenMP thread (as Snakemake gives a one-thread job), writing
its outputs to a temporary folder. Per pair the two checkouts run
one after the other (the order alternates between pairs), so load drifts hit both alike
(benchmarks/shard_runner.py; sentiment_units and actor_articles are built as in
bench_actor_jobs.py). The measure is the process's CPU (user + system, imports included), the
CPU of the script's work alone (`time.process_time` around it) and the peak RSS. Printed: every run, the mean of each checkout and
the mean paired difference (new - base) with its 95 % bootstrap interval (10,000 resamples of
the pairs, seed 0). A difference is a change only when its interval excludes 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_actor_jobs  # noqa: E402
from bench_actor_jobs import ACTOR_BATCH_ARTICLES, BATCH_ROWS  # noqa: E402, F401
from shard_runner import CHILD_ENV, Named, outputs, pair_main, run_job  # noqa: E402

# the rule's constants (workflow/rules/sentiment.smk)
CACHE_SIZE = 200_000
JOBS = ("sentiment_score", "sentiment_units", "actor_articles")


def job_smk(job: str, cfg: dict, out: Path, shard: str) -> Named:
    """The stand-in ``snakemake`` object of ``job`` on ``shard`` (inputs from the run in the
    current directory, outputs under ``out``); the jobs but sentiment_score as in
    bench_actor_jobs.py."""
    s = cfg["sentiment"]
    interim = "results/interim"
    if job == "sentiment_score":
        return Named(
            input=Named(sentences=f"{interim}/sentences/{shard}.json"),
            output=outputs(
                out,
                scores="scores.parquet",
                sentences="sentences.json",
                docs="docs.parquet",
                documents="documents.parquet",
                paragraphs="paragraphs.json",
            ),
            params=Named(
                implementation=s["implementation"],
                thresholds=s["thresholds"],
                bootstrap=dict(s["bootstrap"]),
                batch_rows=BATCH_ROWS,
                cache_size=CACHE_SIZE,
                table=str(out / "sentiment_sentences"),
                paragraph_table=str(out / "sentiment_paragraphs"),
            ),
            log=[str(out / "log.txt")],
        )
    if job in JOBS:
        return bench_actor_jobs.job_smk(job, cfg, out, shard, [shard])
    raise SystemExit(f"unknown job {job}")


def unit_digests(out: Path) -> dict:
    """Content digests of the article and paragraph units a sentiment_score (and
    sentiment_units) stand-in wrote under ``out``: the paragraphs as the table
    results/tables/sentiment_paragraphs/ holds them (renamed, rounded), from the per-shard
    Parquet file of sentiment_units or the parts sentiment_score writes since sent4."""
    import hashlib

    import pandas as pd
    from newslens.sentiment_gather import RENAME

    def digest(df: pd.DataFrame) -> str:
        df = df.reset_index(drop=True)
        body = pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes()
        return (
            f"{list(df.columns)} {list(df.dtypes.astype(str))} {hashlib.sha256(body).hexdigest()}"
        )

    old = out / "paragraphs.parquet"
    paragraphs = (
        pd.read_parquet(old).rename(columns=RENAME).round(4)
        if old.is_file()
        else pd.read_parquet(out / "sentiment_paragraphs")
    )
    documents = pd.read_parquet(out / "documents.parquet")
    return {"documents (content)": digest(documents), "paragraphs (content)": digest(paragraphs)}


def with_units(bench: Path, flags: list):
    """The measure of sentiment_score as one job with the unit aggregates: a checkout that
    still has scripts/sentiment_units.py runs it after its sentiment_score (CPU summed, peak
    the larger), as the pipeline did. With digests, the documents and paragraphs are compared by
    content (:func:`unit_digests`), the other outputs by bytes."""
    import tempfile

    def measure(job: str, scripts: str, digests: bool) -> dict:
        runs = ["sentiment_score"]
        if (Path(scripts) / "sentiment_units.py").is_file():
            runs.append("sentiment_units")
        total = {"work": 0.0, "process": 0.0, "peak_mb": 0.0, "files": {}}
        with tempfile.TemporaryDirectory(prefix="units.") as tmp:
            for name in runs:
                argv = [bench, *flags, "--child", name, "--out", tmp]
                argv += ["--digests"] if digests else []
                r = run_job(argv, scripts, 1, what=name, extra_env=CHILD_ENV)
                total["work"] += r["work"]
                total["process"] += r["process"]
                total["peak_mb"] = max(total["peak_mb"], r["peak_mb"])
                total["files"].update(r.get("files", {}))
            if digests:
                total["files"] = {
                    k: v for k, v in total["files"].items() if "paragraphs" not in k
                } | unit_digests(Path(tmp))
        return total

    return measure, ("work", "process", "peak_mb")


def main() -> None:
    stand_in = lambda job, cfg, out, args: job_smk(job, cfg, out, args.shard)  # noqa: E731
    pair_main(
        __doc__,
        JOBS,
        stand_in,
        default_jobs=["sentiment_score"],
        own_measure=lambda job, bench, flags: (
            with_units(bench, flags) if job == "sentiment_score" else None
        ),
    )


if __name__ == "__main__":
    main()
