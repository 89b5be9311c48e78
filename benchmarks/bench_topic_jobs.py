"""CPU of the topic chain's jobs (topic_counts, topic_dtm, topic_model, topic_outputs) on a
finished run, two checkouts paired.

    python benchmarks/bench_topic_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--shard 1-of-2] [--pairs 4] [--jobs topic_counts topic_dtm topic_model topic_outputs]
        [--threads 2] [--compare]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout measured) runs in a fresh
Python process on that run's inputs (topic_counts on ``--shard``, the others on every shard),
with the run's config, the rule's params and outputs in a temporary folder. topic_model gets
``--threads`` BLAS threads and grid processes (its rule's ``threads:`` depends on the cores;
the 2-core runs give it 2); the other jobs one. Per pair the two checkouts run one after the
other, the order alternating between pairs (benchmarks/shard_runner.py). Printed per job: every
pair with the load average, each checkout's mean and new - base with its 95 % bootstrap
interval (benchmarks/common); ``--compare`` checks that the first pair's outputs are
byte-identical (figures are not compared; ``fit.json`` holds timings and is left out).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import topic_model_options  # noqa: E402
from shard_runner import Named, outputs, pair_main, shard_names  # noqa: E402

JOBS = ("topic_counts", "topic_dtm", "topic_model", "topic_outputs")
FIGURES = ("terms", "prevalence", "k", "metadata", "network", "validation")


def job_smk(job: str, cfg: dict, out: Path, shard: str, shards: list[str], threads: int) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs from the run in the current
    directory, outputs under ``out``), with the params of its rule (workflow/rules/topics.smk)."""
    tc, i, t = cfg["topics"], "results/interim", "results/tables"
    log = [str(out / "log.txt")]
    if job == "topic_counts":
        return Named(
            input=Named(
                tokens=f"{i}/tokens/{shard}.json",
                paragraphs=f"{i}/paragraphs/{shard}.json",
                docs=f"{i}/docs/{shard}.parquet",
                all_docs=[f"{i}/docs/{x}.parquet" for x in shards],
            ),
            output=outputs(out, counts="c.npz", terms="c.terms.parquet", units="c.units.parquet"),
            params=Named(
                unit=tc["unit"],
                auto_min_articles=tc["auto_min_articles"],
                ngram_max=tc["ngram_max"],
            ),
            log=log,
        )
    counts = f"{i}/topics/counts"
    if job == "topic_dtm":
        return Named(
            input=Named(
                counts=[f"{counts}/{x}.npz" for x in shards],
                terms=[f"{counts}/{x}.terms.parquet" for x in shards],
                units=[f"{counts}/{x}.units.parquet" for x in shards],
            ),
            output=outputs(
                out, dtm="dtm.npz", units="units.parquet", vocabulary="topic_vocabulary.csv"
            ),
            params=Named(min_df=tc["min_df"], max_df=tc["max_df"], max_features=tc["max_features"]),
            log=log,
        )
    if job == "topic_model":
        params = topic_model_options(cfg)
        return Named(
            input=Named(
                dtm=f"{i}/topics/dtm.npz",
                units=f"{i}/topics/units.parquet",
                vocabulary=f"{t}/topic_vocabulary.csv",
                documents=f"{t}/documents.csv",
            ),
            # fit.json (timings) is written outside the compared folder
            output=Named(
                selection=str(out / "topic_model_selection.csv"),
                validation=str(out / "topic_validation_k.csv"),
                fit=str(out / "fit.npz"),
                info=str(out.parent / f"{out.name}.fit.json"),
            ),
            params=Named(params),
            threads=threads,
            log=log,
        )
    if job == "topic_outputs":
        names = {
            "terms": "topic_terms.csv",
            "documents": "topic_documents.csv",
            "articles": "topic_articles.csv",
            "summary": "topic_summary.csv",
            "representatives": "topic_representatives.csv",
            "by_metadata": "topic_by_metadata.csv",
            "nodes": "topic_network_nodes.csv",
            "edges": "topic_network_edges.csv",
            "validation_topics": "topic_validation_topics.csv",
            "validation_categories": "topic_validation_categories.csv",
        }
        for f in FIGURES:
            names[f"fig_{f}"] = f"{f}.png"
            names[f"svg_{f}"] = f"{f}.svg"
        return Named(
            input=Named(
                fit=f"{i}/topics/fit.npz",
                info=f"{i}/topics/fit.json",
                selection=f"{t}/topic_model_selection.csv",
                validation=f"{t}/topic_validation_k.csv",
                units=f"{i}/topics/units.parquet",
                vocabulary=f"{t}/topic_vocabulary.csv",
                paragraphs=[f"{i}/paragraphs/{x}.json" for x in shards],
                documents=f"{t}/documents.csv",
            ),
            output=outputs(out, **names),
            params=Named(
                top_terms=tc["top_terms"],
                label_terms=tc["label_terms"],
                representatives=tc["representatives"],
                snippet_chars=tc["snippet_chars"],
                network_min_correlation=tc["network_min_correlation"],
                metadata=list(cfg["corpus"]["metadata"] or []),
                validation_column=tc["validation"]["column"],
            ),
            log=log,
        )
    raise SystemExit(f"unknown job {job}")


def stand_in(job: str, cfg: dict, out: Path, args) -> Named:
    return job_smk(job, cfg, out, args.shard, shard_names(), args.threads)


def main() -> None:
    pair_main(
        __doc__,
        JOBS,
        stand_in,
        options=lambda p: p.add_argument(
            "--threads", type=int, default=2, help="topic_model's BLAS threads and grid processes"
        ),
        child_flags=lambda args: ["--threads", str(args.threads)],
        threads=lambda job: THREADS if job == "topic_model" else 1,
    )


THREADS = 2
if "--threads" in sys.argv:
    THREADS = int(sys.argv[sys.argv.index("--threads") + 1])

if __name__ == "__main__":
    main()
