"""Job start-up: the CPU of each rule script's imports in a fresh interpreter, two checkouts
paired; or a whole job as Snakemake runs it.

    python benchmarks/bench_job_startup.py imports [--base /work/main/scripts] [--new scripts] \
        [--pairs 3] [--scripts tokens_tokenize clean ...] [--importtime]
    python benchmarks/bench_job_startup.py job WORKDIR --rule tokens_tokenize \
        [--base ...] [--new ...] [--pairs 4]

Both modes run their processes and pair the checkouts by benchmarks/shard_runner.py (a job's
PYTHONPATH and thread variables; the process's CPU and peak RSS from ``os.wait4``).

``imports``: every rule script (scripts/<rule>.py; the rule and its script share the name) has
its module-level import lines run in a fresh Python process, as a job's process starts (with
Snakemake's preamble imports, ``snakemake.logging`` and ``snakemake.iocontainers``, first).
The measure is the child's CPU (user + system, interpreter start included) and peak RSS. Per pair the two package paths (PYTHONPATH) run one after the other,
the order alternating. Printed per script: both means, the mean paired difference with its
95 % bootstrap interval (common.bootstrap_indices / percentile_interval), and the heavy
packages the imports load; with ``--importtime``, the top import costs (``python -X
importtime``, cumulative wall ms of each heavy package where it is first imported).

``job``: the job scripts Snakemake wrote for RULE in WORKDIR (a finished run, e.g. one kept by
``bench_pipeline.py --keep DIR``) are made once with ``--skip-script-cleanup`` (Snakemake reruns
the rule's jobs), then the first of them runs again in a fresh process per measurement, exactly
as Snakemake starts it (its preamble with the pickled ``snakemake`` object, then the script;
one BLAS/OpenMP thread, the job's PYTHONPATH with the package first). Its outputs are rewritten
in place (the same bytes). Measure and pairing as above.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BIN, REPO  # noqa: E402
from shard_runner import (  # noqa: E402
    checkout_paths,
    job_env,
    pair_line,
    paired_runs,
    report,
    run_process,
    snakemake_job_script,
)

HEAVY = ("nltk", "scipy", "sklearn", "matplotlib", "pandas", "pyarrow", "numpy", "simplemma")
PREAMBLE = "from snakemake.logging import logger\nfrom snakemake.iocontainers import Snakemake\n"
MEASURES = ("process", "peak_mb")


def import_block(script: Path) -> str:
    """The module-level import lines of a rule script."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    return "\n".join(
        ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
    )


def loaded_heavy(code: str, env: dict) -> list[str]:
    probe = code + f"\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [str(BIN / "python"), "-c", probe], env=env, capture_output=True, text=True
    )
    return out.stdout.split()


def import_times(code: str, env: dict) -> dict[str, float]:
    """Cumulative import wall ms of each HEAVY package where it is first imported."""
    cmd = [str(BIN / "python"), "-X", "importtime", "-c", code]
    err = subprocess.run(cmd, env=env, capture_output=True, text=True).stderr
    times = {}
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)$", line)
        if m and m.group(3) in HEAVY:
            times[m.group(3)] = max(times.get(m.group(3), 0.0), int(m.group(1)) / 1000)
    return dict(sorted(times.items(), key=lambda kv: -kv[1]))


def measure_pairs(argv_of, paths: dict, pairs: int, cwd: Path | None = None):
    """The paired runs (benchmarks/shard_runner.py) of ``python argv_of(side)``: side -> list of
    {process, peak_mb}, and the loads."""
    runs, loads = {"base": [], "new": []}, []

    def one(side: str) -> dict:
        return run_process(argv_of(side), paths[side], what=" ".join(argv_of(side))[:60], cwd=cwd)[
            0
        ]

    for _, pair, pair_loads in paired_runs(("base", "new"), pairs, one):
        loads += pair_loads
        for side in runs:
            runs[side].append(pair[side])
    return runs, loads


def bench_imports(args, paths: dict) -> None:
    scripts = args.scripts or sorted(p.stem for p in (REPO / "scripts").glob("*.py"))
    print(f"import CPU-s per rule script (fresh interpreter, {args.pairs} pairs)")
    for name in scripts:
        code = PREAMBLE + import_block(REPO / "scripts" / f"{name}.py")
        runs, loads = measure_pairs(lambda _w, code=code: ["-c", code], paths, args.pairs)
        heavy = {w: loaded_heavy(code, job_env(paths[w])) for w in paths}
        print("\n".join(report(name, runs, loads, MEASURES)), flush=True)
        print(
            f"    heavy base: {' '.join(heavy['base'])}; new: {' '.join(heavy['new'])}", flush=True
        )
        if args.importtime:
            for which in paths:
                times = import_times(code, job_env(paths[which]))
                print(
                    f"    {which} importtime ms: "
                    + ", ".join(f"{k} {v:.0f}" for k, v in times.items())
                )


def bench_job(args, paths: dict) -> None:
    workdir = args.workdir.resolve()
    script = snakemake_job_script(workdir, args.rule)
    print(f"{args.rule}: {script} in a fresh process ({args.pairs} pairs)")
    runs, loads = measure_pairs(lambda _w: [str(script)], paths, args.pairs, workdir)
    for r in range(args.pairs):
        pair = {side: runs[side][r] for side in runs}
        print(pair_line(args.rule, r + 1, pair, loads[2 * r + 1], MEASURES))
    print("\n".join(report(args.rule, runs, loads, MEASURES)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["imports", "job"])
    parser.add_argument("workdir", type=Path, nargs="?")
    parser.add_argument("--rule", default="tokens_tokenize")
    parser.add_argument("--scripts", nargs="*")
    parser.add_argument("--base", default="/work/main/scripts", help="PYTHONPATH of the baseline")
    parser.add_argument("--new", default=str(REPO / "scripts"), help="PYTHONPATH of the change")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    os.environ.pop("NEWSLENS_NLTK_IMPORT", None)  # the job's own import path
    paths = checkout_paths(args)
    print(f"base {paths['base']}; new {paths['new']}; load {os.getloadavg()[0]:.1f}")
    if args.mode == "imports":
        bench_imports(args, paths)
    else:
        if args.workdir is None:
            parser.error("job needs WORKDIR")
        bench_job(args, paths)


if __name__ == "__main__":
    main()
