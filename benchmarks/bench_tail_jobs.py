"""CPU of the jobs that end a run (provenance; report_tables; frames_codebook_suggestions) on a
finished run, two checkouts paired.

    python benchmarks/bench_tail_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--jobs provenance report_tables frames_codebook_suggestions] [--pairs 4] [--compare] \
        [--max-sentences N]

WORKDIR is the working directory of a finished pipeline run (e.g. one kept by
`bench_pipeline.py --keep DIR`; it is only read). Each job's own entry script (scripts/<job>.py
of the checkout whose package is measured) runs in a fresh Python process in WORKDIR with a
stand-in ``snakemake`` object, its outputs in a scratch folder (benchmarks/shard_runner.py):
provenance with the input and output files the run's own results/provenance.json lists (every
part file of a partitioned table through its dataset's manifest, as the rule gives them) and
2 threads (the rule's on 2 cores); report_tables with the run's five report tables;
frames_codebook_suggestions with every shard's sentence and frame tables and the run's
framing.suggestions (``--max-sentences N`` samples N of them instead of the config's
max_sentences, e.g. the share a 1M run samples: 500,000 of ~40M). Per pair
the two checkouts run one after the other, the order alternating. Printed: every run, the
means, and the mean paired difference (new - base) with its 95 % bootstrap interval
(benchmarks/common.py): a difference is a change only when its interval excludes 0. With
``--compare`` the first pair's outputs are compared byte for byte (provenance.json holds the
run's own config, versions and job timings, so both checkouts must write the same bytes).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shard_runner import Named, outputs, pair_main  # noqa: E402

JOBS = ("provenance", "report_tables", "frames_codebook_suggestions")
REPORT_TABLES = ("documents", "frames_documents", "sentiment_actors", "frames_actors")
THREADS = {"provenance": 2}


def is_part(path: str) -> bool:
    """A part file of a partitioned table (listed by its dataset's manifest, not by the rule)."""
    p = Path(path)
    return p.name.startswith("part-") and (p.parent / "_manifest.json").exists()


def job_smk(job: str, cfg: dict, out: Path, args) -> Named:
    """The stand-in ``snakemake`` object of ``job`` in the current folder (a finished run)."""
    log = [str(out / "log.txt")]
    if job == "provenance":
        recorded = json.loads(Path("results/provenance.json").read_text(encoding="utf-8"))
        return Named(
            input=Named(
                corpus=sorted(recorded["input_files"]["sha256"]),
                config_files=[],
                results=sorted(p for p in recorded["output_files"]["sha256"] if not is_part(p)),
            ),
            output=outputs(out, provenance="provenance.json"),
            params=Named(
                config=recorded["config"],
                workflow_version=recorded["workflow"],
                bench_root="results/benchmarks",
            ),
            threads=THREADS["provenance"],
            log=log,
        )
    if job == "report_tables":
        names = [*REPORT_TABLES, "topic_summary"]
        return Named(
            input=Named({n: f"results/tables/{n}.csv" for n in names}),
            output=outputs(out, **{n: f"{n}.html" for n in names}),
            params=Named(max_rows=cfg["report"]["max_table_rows"]),
            threads=1,
            log=log,
        )
    if job == "frames_codebook_suggestions":
        options = dict(cfg["framing"]["suggestions"])
        if args.max_sentences:
            options["max_sentences"] = args.max_sentences
        return Named(
            input=Named(
                codebook="results/interim/frames/codebook.json",
                stopwords=cfg["tokenize"]["stopwords_file"],
                sentences=sorted(map(str, Path("results/interim/sentences").glob("*-of-*.json"))),
                frames=sorted(
                    map(str, Path("results/interim/frames/sentences").glob("*-of-*.json"))
                ),
            ),
            output=outputs(out, suggestions="frames_codebook_suggestions.csv"),
            params=Named(options=options),
            threads=1,
            log=log,
        )
    raise SystemExit(f"unknown job {job}")


def options(parser) -> None:
    parser.add_argument("--max-sentences", type=int, default=0, help="suggestions' sample")


if __name__ == "__main__":
    pair_main(
        __doc__,
        JOBS,
        job_smk,
        default_jobs=("provenance",),
        options=options,
        child_flags=lambda args: ["--max-sentences", str(args.max_sentences)],
        threads=lambda job: THREADS.get(job, 1),
    )
