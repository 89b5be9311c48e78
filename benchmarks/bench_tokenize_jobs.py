"""CPU and peak memory of the tokens_train_punkt and tokens_tokenize jobs on a finished run,
two checkouts paired, outputs compared byte for byte.

    python benchmarks/bench_tokenize_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--jobs tokens_train_punkt tokens_tokenize] [--shard 1-of-2] [--copies K] [--pairs 4]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`; it is only read). Each job's own entry script (scripts/<job>.py of the checkout whose
package is measured) runs in a fresh Python process with the run's config and the rule's params
and one BLAS/OpenMP thread (benchmarks/shard_runner.py), its outputs in a scratch folder.
tokens_tokenize tokenizes the clean shard --shard; tokens_train_punkt reads all clean shards,
each listed --copies times (default 1): the reading of a corpus K times as large, with the same
2M-character training text budget (Punkt's training itself does not grow with the corpus, the
reading does). Per pair the two checkouts run one after the other (the order alternates), so
load drifts hit both alike. Measured: the CPU of the script's work (`time.process_time` around
it), the process's CPU (user + system, imports included) and its peak RSS. Printed: every run,
the means, and the mean paired difference (new - base) with its 95 % bootstrap interval
(benchmarks/common.py): a difference is a change only when its interval excludes 0. The outputs
of the first pair are compared byte for byte (always).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shard_runner import Named, outputs, pair_main  # noqa: E402

JOBS = ("tokens_train_punkt", "tokens_tokenize")
TABLES = ("paragraphs", "sentences", "tokens")  # PARTITIONED_CORPUS_TABLES (common.smk)
TOKENIZE_KEYS = ("language", "lowercase", "normalize", "min_token_length", "keep_numbers")


def job_smk(job: str, cfg: dict, out: Path, shard: str, copies: int) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs in the current folder, outputs
    under ``out``), with the rule's params (workflow/rules/tokenize.smk)."""
    log = [str(out / "log.txt")]
    tok = cfg["tokenize"]
    dropped = "results/interim/duplicates.parquet"
    if job == "tokens_train_punkt":
        clean = sorted(str(p) for p in Path("results/interim/clean").glob("*-of-*.parquet"))
        return Named(
            input=Named(clean=clean * copies, dropped=dropped),
            output=outputs(out, params="punkt_params.json"),
            params=Named(
                training_chars=tok["punkt_training_chars"], abbreviations=tok["abbreviations"]
            ),
            log=log,
        )
    if job == "tokens_tokenize":
        files = {k: f"{k}.json" for k in TABLES}
        files.update(docs="docs.parquet", ngrams="ngrams.parquet")
        return Named(
            input=Named(
                clean=f"results/interim/clean/{shard}.parquet",
                dropped=dropped,
                punkt="results/interim/punkt_params.json",
                stopwords=tok["stopwords_file"],
            ),
            output=outputs(out, **files),
            params=Named(
                settings={k: tok[k] for k in (*TOKENIZE_KEYS, "ngram_max")},
                metadata=list(cfg["corpus"]["metadata"]),
                tables={k: str(out / "tables" / k) for k in TABLES},
                part_articles=tok["part_articles"],
            ),
            log=log,
        )
    raise SystemExit(f"unknown job {job}")


def main() -> None:
    pair_main(
        __doc__,
        JOBS,
        lambda job, cfg, out, args: job_smk(job, cfg, out, args.shard, args.copies),
        options=lambda p: p.add_argument("--copies", type=int, default=1),
        child_flags=lambda args: ["--copies", str(args.copies)],
        compare=True,
    )


if __name__ == "__main__":
    main()
