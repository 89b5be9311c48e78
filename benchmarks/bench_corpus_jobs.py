"""CPU and peak memory of the ingest, clean, corpus_ngrams and corpus_tables jobs on a finished
run, two checkouts paired.

    python benchmarks/bench_corpus_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--jobs ingest clean corpus_ngrams corpus_tables] [--shard 1-of-2] [--rows N] [--pairs 4]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`; it is only read). Each job's own entry script (scripts/<job>.py of the checkout whose
package is measured) runs in a fresh Python process with the run's config and the rule's
params and one BLAS/OpenMP thread, in a scratch folder whose results/interim entries and
partitioned-table part files are links to WORKDIR's. ingest reads the run's corpus
(config corpus.path) into as many raw shards as the run has; clean cleans the raw shard --shard (its
first --rows rows with --rows); corpus_ngrams and corpus_tables read all shards. Per pair the
two checkouts run one after the other (the order alternates between pairs), so load drifts
hit both alike (benchmarks/shard_runner.py). Measured: the CPU of the script's work (`time.process_time` around it), the
process's CPU (user + system, imports included) and its peak resident memory (`ru_maxrss`,
the kernel's high-water mark, MiB). Printed: every run, the means, and the mean paired
difference (new - base) with its 95 % bootstrap interval (benchmarks/common.py; 10,000
resamples of the pairs, seed 0): a difference is a change only when its interval excludes 0.
The outputs of the two checkouts' first runs are compared byte for byte (always; ``--compare``
is implied).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shard_runner import Named, outputs, pair_main  # noqa: E402

JOBS = ("ingest", "clean", "corpus_ngrams", "corpus_tables")
DEFAULT_JOBS = ("clean", "corpus_ngrams", "corpus_tables")


class Log(list):
    """A job's ``log`` with named entries (ingest's log and audit) and ``log[0]``."""

    def __init__(self, **files: str):
        super().__init__(files.values())
        self.__dict__.update(files)


def metadata_columns(cfg: dict) -> list[str]:
    """corpus.metadata plus the target column (rules/common.smk's carried_metadata)."""
    metadata = list(cfg["corpus"]["metadata"])
    target = cfg["corpus"]["columns"].get("target")
    if target and target not in metadata:
        metadata.append(target)
    return metadata


TABLES = ("sentences", "paragraphs", "tokens")  # PARTITIONED_CORPUS_TABLES (common.smk)


def shards(kind: str) -> list[str]:
    """The shard files of results/interim/<kind> in the current folder, in name order."""
    return sorted(str(p) for p in Path("results/interim", kind).glob("*-of-*.*"))


def job_smk(job: str, cfg: dict, out: Path, shard: str) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs in the current folder, outputs
    under ``out``), with the rule's params (workflow/rules/ingest.smk, tokenize.smk)."""
    log = [str(out / "log.txt")]
    if job == "ingest":
        corpus = dict(cfg["corpus"], metadata=metadata_columns(cfg))
        n_shards = len(shards("raw"))
        return Named(
            input=Named(files=[corpus["path"]]),
            output=Named(
                shards=[
                    str(out / f"raw/{i}-of-{n_shards}.parquet") for i in range(1, n_shards + 1)
                ],
                audit=str(out / "ingest.parquet"),
                inputs=str(out / "ingest_inputs.parquet"),
            ),
            params=Named(corpus=corpus, part_articles=cfg["tokenize"]["part_articles"]),
            log=Log(log=log[0], audit=str(out / "ingest_audit.csv")),
        )
    if job == "clean":
        metadata = metadata_columns(cfg)
        return Named(
            input=Named(raw=f"results/interim/raw/{shard}.parquet"),
            output=outputs(out, clean="clean.parquet", audit="audit.parquet"),
            params=Named(cleaning=cfg["cleaning"], metadata=metadata),
            log=log,
        )
    if job == "corpus_ngrams":
        return Named(
            input=Named(docs=shards("docs"), ngrams=shards("ngrams")),
            output=outputs(
                out,
                terms="term_frequencies.csv",
                ngrams="ngram_frequencies.csv",
                collocations="collocations.csv",
            ),
            params=Named(
                collocations=cfg["tokenize"]["collocations"],
                ngram_min_count=cfg["tokenize"]["collocations"]["min_freq"],
            ),
            log=log,
        )
    if job == "corpus_tables":
        output = Named(
            documents=str(out / "documents.csv"),
            documents_parquet=str(out / "documents.parquet"),
            audit=str(out / "cleaning_audit.csv"),
        )
        inputs = Named(
            docs=shards("docs"),
            clean=shards("clean"),
            clean_audit=shards("audit/clean"),
            ingest_audit="results/interim/audit/ingest.parquet",
            dropped="results/interim/duplicates.parquet",
        )
        for name in TABLES:
            output[name] = f"results/tables/{name}/_manifest.json"
            inputs[name] = shards(name)
            if cfg["tokenize"].get("csv_tables"):
                output[f"{name}_csv"] = str(out / f"{name}.csv")
        return Named(input=inputs, output=output, params=Named(), log=log)
    raise SystemExit(f"unknown job {job}")


def scratch_folder(workdir: Path, scratch: Path, shard: str, rows: int | None) -> None:
    """A folder that reads as ``workdir`` (config, interim files and table part files as links)
    but takes the jobs' outputs; with ``rows``, the raw shard cut to its first ``rows`` rows."""
    (scratch / "results" / "interim").mkdir(parents=True)
    (scratch / "config").symlink_to(workdir / "config")
    for entry in (workdir / "results" / "interim").iterdir():
        if entry.name != "raw" or not rows:
            (scratch / "results" / "interim" / entry.name).symlink_to(entry)
    if rows:
        raw = scratch / "results" / "interim" / "raw"
        raw.mkdir()
        table = pq.read_table(workdir / "results" / "interim" / "raw" / f"{shard}.parquet")
        pq.write_table(table.slice(0, rows), raw / f"{shard}.parquet")
    for name in TABLES:
        folder = scratch / "results" / "tables" / name
        folder.mkdir(parents=True)
        for part in (workdir / "results" / "tables" / name).glob("part-*.parquet"):
            (folder / part.name).symlink_to(part)


def extra_outputs(job: str) -> list[Path]:
    """corpus_tables' manifests, written in the (scratch) run beside the linked part files."""
    return (
        [Path("results/tables", n, "_manifest.json") for n in TABLES]
        if job == "corpus_tables"
        else []
    )


def main() -> None:
    def scratch(args, tmp: Path) -> Path:
        scratch_folder(args.workdir, tmp / "work", args.shard, args.rows)
        return tmp / "work"

    pair_main(
        __doc__,
        JOBS,
        lambda job, cfg, out, args: job_smk(job, cfg, out, args.shard),
        default_jobs=DEFAULT_JOBS,
        options=lambda p: p.add_argument("--rows", type=int, help="clean only this many rows"),
        scratch=scratch,
        extra_outputs=extra_outputs,
        compare=True,
    )


if __name__ == "__main__":
    main()
