"""CPU of the actor, unit and topic-count jobs on a finished run, two checkouts paired.

    python benchmarks/bench_actor_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--shard 1-of-2] [--pairs 4] [--jobs sentiment_units topic_counts sentiment_paragraphs
        sentiment_actors actor_mentions actor_articles] [--only-shard]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout measured) runs in a fresh
Python process on that run's inputs -- the per-shard jobs on ``--shard``, the gathers
(sentiment_paragraphs, sentiment_actors) on every shard, or on ``--shard`` alone with
``--only-shard`` -- with the run's config, the rule's params, one BLAS thread, and its outputs
in a temporary folder. Per pair the two checkouts run one after the other, the order
alternating between pairs, so load drifts hit both alike (benchmarks/shard_runner.py).
Measured: the process's CPU (user + system, imports included), the CPU of the script's work
and its peak RSS. Printed per job: every pair with the load average, each checkout's mean and
new - base with its 95 % bootstrap interval (benchmarks/common); ``--compare`` also checks that
the first pair's outputs are byte-identical.

On a run made since actor_articles joins each shard's mentions to its scores (one with
results/interim/actor_sentences/), actor_articles also writes its shard's actor-sentence parts
and sums, and sentiment_actors merges them; its stand-in hard-links the parts the shards wrote
into its scratch folder (a checkout that joins every shard itself overwrites them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_topic_jobs import job_smk as topic_job_smk  # noqa: E402
from shard_runner import Named, outputs, pair_main, shard_names  # noqa: E402

# the rules' constants (workflow/rules/sentiment.smk)
BATCH_ROWS = 100_000
ACTOR_BATCH_ARTICLES = 20_000
JOBS = (
    "sentiment_units",
    "topic_counts",
    "sentiment_paragraphs",
    "sentiment_actors",
    "actor_mentions",
    "actor_articles",
)


def doc_lists() -> str:
    """The folder of the shards' article lists the measured checkout's actor jobs read: tokenize's
    document tables (``docs``) since newslens.actor_sentences.scored_ids, before that the
    sentiment_score jobs' lists (``sentiment_docs``)."""
    from newslens import actor_sentences

    return "docs" if hasattr(actor_sentences, "scored_ids") else "sentiment_docs"


def job_smk(job: str, cfg: dict, out: Path, shard: str, shards: list[str]) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs from the run in the current
    directory, outputs under ``out``), with the params of its rule."""
    s, at, i, t = cfg["sentiment"], cfg["actor_targets"], "results/interim", "results/tables"
    targets = {k: v for k, v in at.items() if k != "file"}
    cleaning = {k: cfg["cleaning"][k] for k in ("repair_mojibake", "fold_quotes", "fold_dashes")}
    log = [str(out / "log.txt")]
    if job == "actor_mentions":
        return Named(
            input=Named(sentences=f"{i}/sentences/{shard}.json", docs=f"{i}/docs/{shard}.parquet"),
            output=outputs(out, mentions="m.parquet", targets="t.parquet"),
            params=Named(
                actors=cfg["actors"],
                target_column=cfg["corpus"]["columns"].get("target"),
                targets=targets,
                cleaning=cleaning,
                batch_rows=BATCH_ROWS,
            ),
            log=log,
        )
    if job == "actor_articles":
        (out / "sentiment_actor_sentences").mkdir(exist_ok=True)
        return Named(
            input=Named(
                scores=f"{i}/sentiment/{shard}.parquet",
                mentions=f"{i}/actors/{shard}.parquet",
                targets=f"{i}/actor_targets/{shard}.parquet",
                sentences=f"{i}/sentences/{shard}.json",
                doc_list=f"{i}/{doc_lists()}/{shard}.parquet",
                doc_lists=[f"{i}/{doc_lists()}/{x}.parquet" for x in shards],
            ),
            output=outputs(
                out,
                pairs="pairs.parquet",
                actor_sentences="actor_sentences.json",
                actor_shared="actor_sentences_shared.json",
                actor_units="actor_units.parquet",
            ),
            params=Named(
                scores=s["actor_scores"],
                batch_rows=BATCH_ROWS,
                batch_articles=ACTOR_BATCH_ARTICLES,
                actors=list(cfg["actors"]),
                actor_table=str(out / "sentiment_actor_sentences"),
                part_articles=cfg["tokenize"]["part_articles"],
            ),
            log=log,
        )
    if job == "sentiment_units":
        return Named(
            input=Named(scores=f"{i}/sentiment/{shard}.parquet"),
            output=outputs(out, documents="documents.parquet", paragraphs="paragraphs.parquet"),
            params=Named(
                bootstrap=dict(s["bootstrap"]), thresholds=s["thresholds"], batch_rows=BATCH_ROWS
            ),
            log=log,
        )
    if job == "sentiment_paragraphs":
        return Named(
            input=Named(
                paragraphs=[f"{i}/sentiment_paragraphs/{x}.parquet" for x in shards],
                metadata=f"{t}/documents.csv",
            ),
            output=outputs(out, paragraphs="sentiment_paragraphs.csv"),
            params=Named(batch_rows=BATCH_ROWS),
            log=log,
        )
    if job == "sentiment_actors":
        return Named(
            input=Named(
                scores=[f"{i}/sentiment/{x}.parquet" for x in shards],
                mentions=[f"{i}/actors/{x}.parquet" for x in shards],
                targets=[f"{i}/actor_targets/{x}.parquet" for x in shards],
                doc_lists=[f"{i}/{doc_lists()}/{x}.parquet" for x in shards],
                shared=[f"{i}/actor_sentences_shared/{x}.json" for x in shards],
                units=[f"{i}/actor_units/{x}.parquet" for x in shards],
                actor_sentences=own_part_lists(out, shards),
            ),
            output=Named(
                actors=str(out / "sentiment_actors.csv"),
                targets=str(out / "actor_targets.csv"),
                actor_sentences=str(out / "sentiment_actor_sentences" / "_manifest.json"),
                png=str(out / "sentiment_actors.png"),
                svg=str(out / "sentiment_actors.svg"),
            ),
            params=Named(
                actors=list(cfg["actors"]),
                targets=targets,
                cleaning=cleaning,
                max_actors=cfg["figures"]["max_actors"],
                bootstrap=dict(s["bootstrap"]),
                thresholds=s["thresholds"],
                batch_rows=BATCH_ROWS,
                part_articles=cfg["tokenize"]["part_articles"],
            ),
            log=log,
        )
    if job == "topic_counts":  # the topic chain's stand-in (bench_topic_jobs.py)
        return topic_job_smk(job, cfg, out, shard, shards, threads=1)
    raise SystemExit(f"unknown job {job}")


def own_part_lists(out: Path, shards: list[str]) -> list[str]:
    """The actor_articles jobs' part lists of the parts they wrote into the run's
    sentiment_actor_sentences/, for a sentiment_actors job writing that dataset under ``out``:
    the parts hard-linked into out/sentiment_actor_sentences/ and the lists naming them there
    (the job's own merge of the part lists checks that every part is in its folder). None
    before the per-shard join (a run without results/interim/actor_sentences/)."""
    import json

    folder = out / "sentiment_actor_sentences"
    folder.mkdir(parents=True, exist_ok=True)
    lists = []
    for x in shards:
        path = Path(f"results/interim/actor_sentences/{x}.json")
        if not path.is_file():
            return []
        body = json.loads(path.read_text(encoding="utf-8"))
        for part in body["parts"]:
            target = folder / Path(part["file"]).name
            if not target.exists():
                os.link(part["file"], target)
            part["file"] = str(target)
        lists.append(out / f"actor_sentences.{x}.json")
        lists[-1].write_text(json.dumps(body), encoding="utf-8")
    return [str(p) for p in lists]


def stand_in(job: str, cfg: dict, out: Path, args) -> Named:
    """:func:`job_smk` on ``--shard``; the gathers on every shard, or on ``--shard`` with
    ``--only-shard``."""
    every = [args.shard] if args.only_shard else shard_names()
    return job_smk(job, cfg, out, args.shard, every)


def main() -> None:
    pair_main(
        __doc__,
        JOBS,
        stand_in,
        options=lambda p: p.add_argument(
            "--only-shard", action="store_true", help="gathers read --shard only"
        ),
        child_flags=lambda args: ["--only-shard"] if args.only_shard else [],
    )


if __name__ == "__main__":
    main()
