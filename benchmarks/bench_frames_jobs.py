"""CPU and peak memory of the framing jobs on a finished run, two checkouts paired.

    python benchmarks/bench_frames_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--shard 1-of-2] [--pairs 4] \
        [--jobs frames_sentences frames_paragraphs_part frames_actors] [--compare]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout whose package is measured)
runs in a fresh Python process on that run's inputs, with the run's config and the rule's
params and one BLAS/OpenMP thread (as Snakemake gives a one-thread job), writing its outputs
to a temporary folder: frames_sentences on one shard (``--shard``), frames_paragraphs_part on
range 1 of 2 (all shards), frames_actors on all shards. Per pair the two checkouts run one
after the other (the order alternates between pairs), so load drifts hit both alike
(benchmarks/shard_runner.py). Measured:
the process's CPU (user + system, imports included), the CPU of the script's work alone
(`time.process_time` around it) and its peak resident memory (`ru_maxrss`). Printed: every
pair, each checkout's mean and the mean paired difference (new - base) with its 95 % bootstrap
interval (benchmarks/common).
``--compare`` also checks, on the first pair, that every output
file of the two checkouts is byte-identical (the figures' PNG/SVG excepted: they embed no
data of their own and are drawn by the same code).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shard_runner import Named, outputs, pair_main, shard_names  # noqa: E402

JOBS = ("frames_sentences", "frames_paragraphs_part", "frames_actors")
# the rules' constants (workflow/rules/framing.smk)
SENTENCE_BATCH_ROWS = 100_000
PARAGRAPH_BATCH_ROWS = 100_000
ACTOR_BATCH_ROWS = 200_000
N_PARTS = 2


def codebook_options(cfg: dict) -> dict:
    """``framing_codebook_options()`` of workflow/rules/framing_common.smk."""
    f = cfg["framing"]
    return {
        "min_weight": f["min_weight"],
        "relative_threshold": f["relative_threshold"],
        "negation_window": f["negation_window"],
        "negation_cues": list(f["negation_cues"]),
        "doc_min_share": f["doc_min_share"],
        "doc_max_labels": f["doc_max_labels"],
        "n_examples": f["diagnostics"]["examples"],
        "abbreviations": list(cfg["tokenize"]["abbreviations"]),
    }


def job_smk(job: str, cfg: dict, out: Path, shard: str) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs from the run in the current
    directory, outputs under ``out``)."""
    frames = "results/interim/frames"
    every = shard_names()
    if job == "frames_sentences":
        return Named(
            input=Named(
                sentences=f"results/interim/sentences/{shard}.json",
                codebook=f"{frames}/codebook.json",
            ),
            output=Named(
                {
                    k: str(out / f"{k}.{'json' if k == 'sentences' else 'parquet'}")
                    for k in ("sentences", "hits", "paragraphs", "documents", "counts", "examples")
                }
            ),
            params=Named(
                options=codebook_options(cfg),
                batch_rows=SENTENCE_BATCH_ROWS,
                table=str(out / "frames_sentences"),
            ),
            log=[str(out / "log.txt")],
        )
    if job == "frames_paragraphs_part":
        return Named(
            input=Named(
                paragraphs=[f"{frames}/paragraphs/{s}.parquet" for s in every],
                docs=[f"results/interim/docs/{s}.parquet" for s in every],
            ),
            output=outputs(out, csv="part.csv", positions="positions.json"),
            wildcards=Named(part="1"),
            params=Named(
                n_parts=N_PARTS,
                max_paragraphs=cfg["framing"]["figures"]["max_paragraphs"],
                batch_rows=PARAGRAPH_BATCH_ROWS,
            ),
            log=[str(out / "log.txt")],
        )
    if job == "frames_actors":
        return Named(
            input=Named(
                codebook=f"{frames}/codebook.json",
                actors=[f"results/interim/actors/{s}.parquet" for s in every],
                targets=[f"results/interim/actor_targets/{s}.parquet" for s in every],
                frames=[f"{frames}/sentences/{s}.json" for s in every],
            ),
            output=outputs(
                out, table="frames_actors.csv", fig="frames_actors.png", fig_svg="frames_actors.svg"
            ),
            params=Named(
                actors=sorted(cfg["actors"]),
                max_actors=cfg["figures"]["max_actors"],
                batch_rows=ACTOR_BATCH_ROWS,
                min_cell_n=cfg["figures"]["min_cell_n"],
            ),
            log=[str(out / "log.txt")],
        )
    raise SystemExit(f"unknown job {job}")


def main() -> None:
    pair_main(__doc__, JOBS, lambda job, cfg, out, args: job_smk(job, cfg, out, args.shard))


if __name__ == "__main__":
    main()
