"""Job start-up: the CPU of each rule script's imports in a fresh interpreter, two checkouts
paired; or a whole job as Snakemake runs it.

    python benchmarks/bench_job_startup.py imports [--base /work/main/scripts] [--new scripts] \
        [--pairs 3] [--scripts tokens_tokenize clean ...] [--importtime]
    python benchmarks/bench_job_startup.py job WORKDIR --rule tokens_tokenize \
        [--base ...] [--new ...] [--pairs 4]

``imports``: every rule script (scripts/<rule>.py; the rule and its script share the name) has
its module-level import lines run in a fresh Python process, as a job's process starts (with
Snakemake's preamble imports, ``snakemake.logging`` and ``snakemake.iocontainers``, first).
The measure is the child's CPU (user + system, interpreter start included, from
``RUSAGE_CHILDREN``). Per pair the two package paths (PYTHONPATH) run one after the other,
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
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BIN, REPO, bootstrap_indices, percentile_interval  # noqa: E402

HEAVY = ("nltk", "scipy", "sklearn", "matplotlib", "pandas", "pyarrow", "numpy", "simplemma")
PREAMBLE = "from snakemake.logging import logger\nfrom snakemake.iocontainers import Snakemake\n"
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def import_block(script: Path) -> str:
    """The module-level import lines of a rule script."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    return "\n".join(
        ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
    )


def child_env(package: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NEWSLENS_NLTK_IMPORT"}
    env.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    env["PYTHONPATH"] = os.pathsep.join([package, *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def child_cpu(cmd: list[str], env: dict, cwd: Path | None = None) -> float:
    """User + system CPU-seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{proc.stderr[-2000:]}")
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


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


def paired(runs: dict[str, list[float]]) -> str:
    base, new = np.array(runs["base"]), np.array(runs["new"])
    diff = new - base
    low, high = percentile_interval(diff[bootstrap_indices(len(diff), 10_000)].mean(axis=1))
    return (
        f"base {base.mean():.3f}, new {new.mean():.3f}, new - base {diff.mean():+.3f} "
        f"[{low:+.3f}, {high:+.3f}]"
    )


def measure_pairs(cmd_of, paths: dict, pairs: int, cwd: Path | None = None) -> tuple[dict, list]:
    runs, loads = {"base": [], "new": []}, []
    for r in range(pairs):
        for which in ("base", "new") if r % 2 == 0 else ("new", "base"):
            loads.append(os.getloadavg()[0])
            runs[which].append(child_cpu(cmd_of(which), child_env(paths[which]), cwd))
    return runs, loads


def bench_imports(args, paths: dict) -> None:
    scripts = args.scripts or sorted(p.stem for p in (REPO / "scripts").glob("*.py"))
    print(f"import CPU-s per rule script (fresh interpreter, {args.pairs} pairs)")
    for name in scripts:
        code = PREAMBLE + import_block(REPO / "scripts" / f"{name}.py")
        cmd = [str(BIN / "python"), "-c", code]
        runs, loads = measure_pairs(lambda _w, cmd=cmd: cmd, paths, args.pairs)
        heavy = {w: loaded_heavy(code, child_env(paths[w])) for w in paths}
        print(
            f"{name:30s} {paired(runs)}; load {min(loads):.1f}-{max(loads):.1f}; "
            f"heavy base: {' '.join(heavy['base'])}; new: {' '.join(heavy['new'])}",
            flush=True,
        )
        if args.importtime:
            for which in paths:
                times = import_times(code, child_env(paths[which]))
                print(
                    f"    {which} importtime ms: "
                    + ", ".join(f"{k} {v:.0f}" for k, v in times.items())
                )


def job_script(workdir: Path, rule: str) -> Path:
    scripts = sorted((workdir / ".snakemake" / "scripts").glob(f"*.{rule}.py"))
    if not scripts:
        cmd = [
            str(BIN / "snakemake"),
            "--snakefile",
            str(REPO / "workflow" / "Snakefile"),
            "--directory",
            str(workdir),
            "--cores",
            "1",
            "--forcerun",
            rule,
            "--until",
            rule,
            "--skip-script-cleanup",
            "--quiet",
        ]
        subprocess.run(cmd, check=True, capture_output=True)
        scripts = sorted((workdir / ".snakemake" / "scripts").glob(f"*.{rule}.py"))
    return scripts[0]


def bench_job(args, paths: dict) -> None:
    workdir = args.workdir.resolve()
    script = job_script(workdir, args.rule)
    print(f"{args.rule}: {script} in a fresh process ({args.pairs} pairs)")
    runs, loads = measure_pairs(
        lambda _w: [str(BIN / "python"), str(script)], paths, args.pairs, workdir
    )
    for r in range(args.pairs):
        print(f"  pair {r + 1}: base {runs['base'][r]:.2f}, new {runs['new'][r]:.2f} CPU-s")
    print(f"{args.rule} process CPU-s: {paired(runs)}; load {min(loads):.1f}-{max(loads):.1f}")


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
    paths = {"base": str(Path(args.base).resolve()), "new": str(Path(args.new).resolve())}
    print(f"base {paths['base']}; new {paths['new']}; load {os.getloadavg()[0]:.1f}")
    if args.mode == "imports":
        bench_imports(args, paths)
    else:
        if args.workdir is None:
            parser.error("job needs WORKDIR")
        bench_job(args, paths)


if __name__ == "__main__":
    main()
