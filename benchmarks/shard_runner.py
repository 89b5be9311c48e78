"""The runner shared by the benchmarks that time per-shard jobs of a kept run
(bench_sentiment_shard.py, bench_shard_jobs.py; bench_compare_figure_layout.py runs its
figures by run_job too): every measurement is a fresh Python process
with one checkout's package first on PYTHONPATH and the BLAS/OpenMP thread count Snakemake gives
the job, and two checkouts are paired in alternating order.

Snakemake runs a ``script:`` job through its shell, which sets the six variables of
:data:`THREAD_VARIABLES` to the job's threads (snakemake/shell.py); a job's threads are its
rule's ``threads:`` (1 when the rule has none, as every per-shard rule). Without them OpenBLAS
spins a thread per core, and a BLAS-heavy job costs more CPU than in the pipeline
(sentiment_units' bootstrap products ~70 % more with two).

    from shard_runner import paired_runs, rule_threads, run_job
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "workflow" / "rules"

#: what Snakemake's shell sets to the job's threads
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def rule_threads(rule: str, rules: Path = RULES) -> int:
    """The ``threads:`` of ``rule`` in workflow/rules/*.smk (1 when it sets none). A threads
    expression that is not a plain number (it depends on the cores) is an error."""
    for smk in sorted(Path(rules).glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        start = re.search(rf"^rule {re.escape(rule)}:\s*$", text, re.M)
        if not start:
            continue
        end = re.search(r"^\S", text[start.end() :], re.M)
        body = text[start.end() : start.end() + end.start()] if end else text[start.end() :]
        threads = re.search(r"^\s+threads:\s*(.+?)\s*$", body, re.M)
        if threads is None:
            return 1
        if not threads.group(1).isdigit():
            raise SystemExit(f"{smk}: rule {rule} has threads: {threads.group(1)}, not a number")
        return int(threads.group(1))
    raise SystemExit(f"no rule {rule} in {rules}/*.smk")


def job_env(scripts: str | Path, threads: int = 1, env: dict | None = None) -> dict:
    """The environment of a job's process: ``scripts`` (a checkout's scripts/ folder) as
    PYTHONPATH and :data:`THREAD_VARIABLES` set to ``threads``."""
    env = dict(os.environ if env is None else env, PYTHONPATH=str(scripts))
    env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    return env


def run_job(
    argv: Sequence[str],
    scripts: str | Path,
    threads: int = 1,
    what: str = "",
    extra_env: dict | None = None,
) -> dict:
    """Run ``python argv`` in a fresh process with :func:`job_env` (and ``extra_env``) and
    return the JSON object of the last line it prints. On failure exit with ``what`` and the
    tail of its stderr."""
    cmd = [sys.executable, *map(str, argv)]
    env = {**job_env(scripts, threads), **(extra_env or {})}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{what or cmd} with {scripts} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def paired_runs(
    sides: Sequence[str], pairs: int, measure: Callable[[str], dict]
) -> Iterator[tuple[int, dict, list[float]]]:
    """For each of ``pairs`` pairs: ``measure(side)`` of every side, in the given order in even
    pairs and reversed in odd ones (so load drifts hit both alike). Yields the pair's number
    (from 1), its results by side and the 1-minute load average before each run, in run order."""
    for r in range(pairs):
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]
        results, loads = {}, []
        for side in order:
            loads.append(os.getloadavg()[0])
            results[side] = measure(side)
        yield r + 1, {side: results[side] for side in sides}, loads
