"""CPU and peak memory of the framing jobs on a finished run, two checkouts paired.

    python benchmarks/bench_frames_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--shard 1-of-2] [--pairs 4] \
        [--jobs frames_sentences frames_paragraph_table frames_actors] [--compare]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout whose package is measured)
runs in a fresh Python process on that run's inputs, with the run's config and the rule's
params and one BLAS/OpenMP thread (as Snakemake gives a one-thread job), writing its outputs
to a temporary folder: frames_sentences on one shard (``--shard``), frames_paragraphs_part on
range 1 of 2 (all shards; a checkout before the frame paragraph dataset), frames_actors on all
shards. Per pair the two checkouts run one
after the other (the order alternates between pairs), so load drifts hit both alike
(benchmarks/shard_runner.py). Measured:
the process's CPU (user + system, imports included), the CPU of the script's work alone
(`time.process_time` around it) and its peak resident memory (`ru_maxrss`). Printed: every
pair, each checkout's mean and the mean paired difference (new - base) with its 95 % bootstrap
interval (benchmarks/common).

frames_actors of a checkout with rule frames_actors_shard (scripts/frames_actors_shard.py) is
that job on every shard, one process each, then frames_actors summing their counts: its
``process`` and ``work`` are the sums over those jobs, ``longest`` the largest process CPU of
one of them (the time the jobs hold a core at most: the shard jobs run side by side) and
``peak_mb`` the largest peak; of an older checkout (one job over every shard) all are that
job's.

frames_shard_jobs is frames_paragraph_table plus the actors x frames: in a checkout with
scripts/frames_actors_shard.py its shard jobs, then frames_actors summing the shards' counts
(``--compare``: frames_actors' outputs); in a later one the frames_sentences jobs count them.

frames_paragraph_table is the CPU the paragraph table costs with the shard jobs that write it:
frames_sentences on every shard, one process each, and in a checkout with
scripts/frames_paragraphs_part.py (the CSV of every run, before the partitioned dataset) then
its two range jobs and frames_paragraphs joining them; ``process`` and ``work`` are the sums,
``longest`` the largest process CPU of one job, ``peak_mb`` the largest peak.

frames_documents is the one job of that rule (the codebook classifier's article table, the
frame distribution and their figures) on the run's gathered inputs.

``--compare`` also checks, on the first pair, that every output
file of the two checkouts is byte-identical (the figures' PNG/SVG excepted: they embed no
data of their own and are drawn by the same code).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import codebook_options  # noqa: E402
from shard_runner import (  # noqa: E402
    CHILD_ENV,
    Named,
    child_measure,
    outputs,
    pair_main,
    rule_threads,
    run_job,
    shard_names,
)

JOBS = (
    "frames_sentences",
    "frames_paragraphs_part",
    "frames_actors",
    "frames_actors_shard",
    "frames_paragraph_table",
    "frames_paragraphs",
    "frames_shard_jobs",
    "frames_documents",
)
#: the jobs measured unless --jobs says otherwise (frames_actors includes its shard jobs)
DEFAULT_JOBS = ("frames_sentences", "frames_paragraph_table", "frames_actors")
# the rules' constants (workflow/rules/framing.smk)
SENTENCE_BATCH_ROWS = 100_000
PARAGRAPH_BATCH_ROWS = 100_000
ACTOR_BATCH_ROWS = 200_000
N_PARTS = 2


def paragraph_csv_checkout() -> bool:
    """Whether the checkout on PYTHONPATH writes the frame paragraphs as one CSV by its range
    jobs (scripts/frames_paragraphs_part.py), rather than as a dataset by frames_sentences."""
    import newslens

    return (Path(newslens.__file__).resolve().parents[1] / "frames_paragraphs_part.py").exists()


def actor_parts(out: Path) -> Path:
    """The folder of the shards' actor counts of frames_sentences jobs writing to ``out``
    (``DIR/s/<shard>``): ``DIR/a``."""
    return Path(out).parent.parent / "a"


def sentences_smk(cfg: dict, out: Path, shard: str) -> Named:
    """frames_sentences on ``shard`` (outputs of either checkout: see paragraph_csv_checkout)."""
    legacy = paragraph_csv_checkout()
    files = {k: f"{k}.parquet" for k in ("hits", "documents", "counts", "examples")}
    files.update(sentences="sentences.json", positions="positions.json")
    files["paragraphs"] = "paragraphs.parquet" if legacy else "paragraphs.json"
    # actors x frames (a checkout without frames_actors_shard): beside the folder, where
    # frames_actors_shard would write them (``actor_parts``), for frames_actors
    actor_out = actor_parts(out) / shard
    return Named(
        input=Named(
            sentences=f"results/interim/sentences/{shard}.json",
            codebook="results/interim/frames/codebook.json",
            actors=f"results/interim/actors/{shard}.parquet",
            actor_targets=f"results/interim/actor_targets/{shard}.parquet",
        ),
        output=Named(
            **outputs(out, **files),
            actor_counts=str(actor_out / "counts.parquet"),
            actor_targets=str(actor_out / "targets.json"),
        ),
        params=Named(
            actor_batch_rows=ACTOR_BATCH_ROWS,
            options=codebook_options(cfg),
            batch_rows=SENTENCE_BATCH_ROWS,
            table=str(out / "frames_sentences"),
            paragraphs_table=str(out / "frames_paragraphs"),
            max_paragraphs=cfg["framing"]["figures"]["max_paragraphs"],
        ),
        log=[str(out / "log.txt")],
    )


def documents_smk(cfg: dict, out: Path) -> Named:
    """frames_documents of the codebook classifier (the article table, distribution, figures)."""
    figures = ("distribution", "position")
    files = {f"fig_{f}": f"frames_{f}.png" for f in figures}
    files.update({f"fig_{f}_svg": f"frames_{f}.svg" for f in figures})
    return Named(
        input=Named(
            frames="results/interim/frames/documents_codebook.parquet",
            codebook="results/interim/frames/codebook.json",
            documents="results/tables/documents.csv",
            positions="results/tables/frames_positions.csv",
        ),
        output=outputs(
            out, documents="frames_documents.csv", distribution="frames_distribution.csv", **files
        ),
        params=Named(
            classifier=cfg["framing"]["classifier"],
            metadata=cfg["corpus"]["metadata"],
            max_frames=cfg["framing"]["figures"]["max_frames"],
        ),
        log=[str(out / "log.txt")],
    )


def job_smk(job: str, cfg: dict, out: Path, shard: str, parts: str | None = None) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs from the run in the current
    directory, outputs under ``out``; ``parts``: the folder of the frames_actors_shard jobs'
    outputs, one subfolder per shard, that frames_actors sums, or of the frames_sentences jobs'
    outputs that frames_paragraphs_part reads (then its ``--shard`` is its range, 1 or 2), or of
    the range jobs' outputs that frames_paragraphs joins)."""
    frames = "results/interim/frames"
    every = shard_names()
    if job == "frames_sentences":
        return sentences_smk(cfg, out, shard)
    if job == "frames_documents":
        return documents_smk(cfg, out)
    if job == "frames_paragraphs":
        ranges = [str(Path(parts, str(r), "part.csv")) for r in range(1, N_PARTS + 1)]
        return Named(
            input=Named(parts=ranges),
            output=outputs(out, paragraphs="frames_paragraphs.csv"),
            log=[str(out / "log.txt")],
        )
    if job == "frames_paragraphs_part":
        own = parts is not None  # the paragraphs of this benchmark's frames_sentences jobs
        return Named(
            input=Named(
                paragraphs=[
                    str(Path(parts, s, "paragraphs.parquet"))
                    if own
                    else f"{frames}/paragraphs/{s}.parquet"
                    for s in every
                ],
                docs=[f"results/interim/docs/{s}.parquet" for s in every],
            ),
            output=outputs(out, csv="part.csv", positions="positions.json"),
            wildcards=Named(part=shard if own else "1"),
            params=Named(
                n_parts=N_PARTS,
                max_paragraphs=cfg["framing"]["figures"]["max_paragraphs"],
                batch_rows=PARAGRAPH_BATCH_ROWS,
            ),
            log=[str(out / "log.txt")],
        )
    if job == "frames_actors_shard":
        return Named(
            input=Named(
                codebook=f"{frames}/codebook.json",
                actors=f"results/interim/actors/{shard}.parquet",
                targets=f"results/interim/actor_targets/{shard}.parquet",
                frames=f"{frames}/sentences/{shard}.json",
            ),
            output=outputs(out, counts="counts.parquet", targets="targets.json"),
            params=Named(batch_rows=ACTOR_BATCH_ROWS),
            log=[str(out / "log.txt")],
        )
    if job == "frames_actors":
        params = Named(
            actors=sorted(cfg["actors"]),
            max_actors=cfg["figures"]["max_actors"],
            min_cell_n=cfg["figures"]["min_cell_n"],
        )
        if parts is not None:  # the sum of the frames_actors_shard jobs' counts
            inputs = Named(
                codebook=f"{frames}/codebook.json",
                counts=[str(Path(parts, s, "counts.parquet")) for s in every],
                targets=[str(Path(parts, s, "targets.json")) for s in every],
            )
        else:  # one job counting every shard
            inputs = Named(
                codebook=f"{frames}/codebook.json",
                actors=[f"results/interim/actors/{s}.parquet" for s in every],
                targets=[f"results/interim/actor_targets/{s}.parquet" for s in every],
                frames=[f"{frames}/sentences/{s}.json" for s in every],
            )
            params["batch_rows"] = ACTOR_BATCH_ROWS
        return Named(
            input=inputs,
            output=outputs(
                out, table="frames_actors.csv", fig="frames_actors.png", fig_svg="frames_actors.svg"
            ),
            params=params,
            log=[str(out / "log.txt")],
        )
    raise SystemExit(f"unknown job {job}")


def actors_measure(bench: Path, workdir: Path, flags: list):
    """The ``measure`` of frames_actors (see the module's docstring): in a checkout with
    scripts/frames_actors_shard.py, every shard's job and then the sum; else the one job."""
    one = child_measure(bench, lambda job: flags)

    def measure(job: str, scripts: str, digests: bool) -> dict:
        if not (Path(scripts) / "frames_actors_shard.py").exists():
            x = one(job, scripts, digests)
            return {**x, "longest": x["process"]}
        runs = []
        with tempfile.TemporaryDirectory(prefix="bench_actor_parts.") as parts:
            for shard in shard_names(workdir / "results/interim/docs"):
                argv = [bench, workdir, "--shard", shard, "--child", "frames_actors_shard"]
                argv += ["--out", Path(parts, shard)]
                runs.append(
                    run_job(
                        argv,
                        scripts,
                        rule_threads("frames_actors_shard"),
                        what=job,
                        extra_env=CHILD_ENV,
                    )
                )
            argv = [bench, *flags, "--parts", parts, "--child", job]
            argv += ["--digests"] if digests else []
            last = run_job(argv, scripts, rule_threads(job), what=job, extra_env=CHILD_ENV)
        runs.append(last)
        total = {m: sum(x[m] for x in runs) for m in ("work", "process")}
        longest = max(x["process"] for x in runs)
        peak = max(x["peak_mb"] for x in runs)
        return {**last, **total, "longest": longest, "peak_mb": peak}

    return measure


def paragraph_table_measure(bench: Path, workdir: Path, with_actors: bool = False):
    """The ``measure`` of frames_paragraph_table or, ``with_actors``, of frames_shard_jobs (see
    the module's docstring)."""

    rules = (Path(__file__).resolve().parents[1] / "workflow" / "rules").glob("*.smk")
    own_rules = {m for p in rules for m in re.findall(r"^rule (\w+):", p.read_text(), re.M)}

    def measure(job: str, scripts: str, digests: bool) -> dict:
        runs = []

        def child(name: str, shard: str, out: Path, parts=None, last: bool = False) -> dict:
            argv = [bench, workdir, "--shard", shard, "--child", name, "--out", out]
            argv += ["--parts", parts] if parts else []
            argv += ["--digests"] if last and digests else []
            threads = rule_threads(name) if name in own_rules else 1  # removed rules had 1
            runs.append(run_job(argv, scripts, threads, what=job, extra_env=CHILD_ENV))
            return runs[-1]

        with tempfile.TemporaryDirectory(prefix="bench_paragraphs.") as tmp:
            for shard in shard_names(workdir / "results/interim/docs"):
                child("frames_sentences", shard, Path(tmp, "s", shard))
            if (Path(scripts) / "frames_paragraphs_part.py").exists():
                for r in range(1, N_PARTS + 1):
                    child(
                        "frames_paragraphs_part",
                        str(r),
                        Path(tmp, "r", str(r)),
                        str(Path(tmp, "s")),
                    )
                child("frames_paragraphs", "1", Path(tmp, "csv"), str(Path(tmp, "r")))
            files = {}
            if with_actors:
                if (Path(scripts) / "frames_actors_shard.py").exists():
                    for shard in shard_names(workdir / "results/interim/docs"):
                        child("frames_actors_shard", shard, Path(tmp, "a", shard))
                last = child("frames_actors", "1", Path(tmp, "t"), str(Path(tmp, "a")), True)
                files = last.get("files", {})
        total = {m: sum(x[m] for x in runs) for m in ("work", "process")}
        longest = max(x["process"] for x in runs)
        peak = max(x["peak_mb"] for x in runs)
        return {**total, "longest": longest, "peak_mb": peak, "files": files}

    return measure


def main() -> None:
    def own_measure(job: str, bench: Path, flags: list):
        workdir = Path(flags[0])
        measures = ("process", "longest", "work", "peak_mb")
        if job in ("frames_paragraph_table", "frames_shard_jobs"):
            with_actors = job == "frames_shard_jobs"
            return paragraph_table_measure(bench, workdir, with_actors), measures
        if job != "frames_actors":
            return None
        return actors_measure(bench, workdir, flags), measures

    pair_main(
        __doc__,
        JOBS,
        lambda job, cfg, out, args: job_smk(job, cfg, out, args.shard, args.parts),
        DEFAULT_JOBS,
        options=lambda parser: parser.add_argument("--parts", default=None, help=argparse.SUPPRESS),
        own_measure=own_measure,
    )


if __name__ == "__main__":
    main()
