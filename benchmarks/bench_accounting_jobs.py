"""CPU and peak memory of the input_accounting job on a finished run, two checkouts paired.

    python benchmarks/bench_accounting_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--pairs 4] [--compare]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`, or a 1M run; it is only read). scripts/input_accounting.py of each checkout runs in a
fresh Python process with the rule's inputs (workflow/rules/ingest.smk: ingest's input list,
every clean shard and its audit, the duplicates) and its output in a temporary folder; the two
checkouts alternate pair by pair (benchmarks/shard_runner.py). Measured: the CPU of the
script's work (`time.process_time` around it), the process's CPU (imports included) and its
peak resident memory (`ru_maxrss`, MiB); printed: every run, the means and the mean paired
difference (new - base) with its 95 % bootstrap interval. With ``--compare`` the outputs of
the two checkouts' first runs are compared byte for byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shard_runner import Named, outputs, pair_main  # noqa: E402

JOBS = ("input_accounting",)


def shards(kind: str) -> list[str]:
    """The run's per-shard files of ``results/interim/<kind>``, in shard order."""
    found = Path("results/interim", kind).glob("*-of-*.parquet")
    return sorted((str(p) for p in found), key=lambda p: int(Path(p).name.split("-")[0]))


def job_smk(job: str, cfg: dict, out: Path, args) -> Named:
    """The stand-in ``snakemake`` object of input_accounting (inputs in the current folder,
    the output under ``out``)."""
    if job != "input_accounting":
        raise SystemExit(f"unknown job {job}")
    return Named(
        input=Named(
            inputs="results/interim/audit/ingest_inputs.parquet",
            clean=shards("clean"),
            clean_audit=shards("audit/clean"),
            dropped="results/interim/duplicates.parquet",
        ),
        output=outputs(out, accounting="input_accounting.csv"),
        params=Named(),
        log=[str(out / "log.txt")],
    )


def main() -> None:
    pair_main(__doc__, JOBS, job_smk, default_jobs=JOBS)


if __name__ == "__main__":
    main()
