"""The runner shared by the benchmarks that time jobs of a kept run, two checkouts paired
(bench_actor_jobs.py, bench_corpus_jobs.py, bench_frames_jobs.py, bench_sentiment_shard.py,
bench_job_startup.py; bench_shard_jobs.py and bench_compare_figure_layout.py run their jobs by
run_job too): every measurement is a fresh Python process with one checkout's package on
PYTHONPATH and the BLAS/OpenMP thread count Snakemake gives the job, two checkouts are paired in
alternating order, and the paired difference gets its interval from benchmarks/common.

A per-area script only says how to build each job's stand-in ``snakemake`` object (its inputs
in the kept run, its params, outputs in a scratch folder): :func:`pair_parser` gives the command
line, :func:`child_main` runs the job's entry script in the child (:func:`exec_job`: work CPU,
process CPU, peak RSS, optional output digests) and :func:`bench_pairs` pairs the checkouts
and prints every pair, the means and the interval of new - base (:func:`report`).

Snakemake runs a ``script:`` job through its shell, which sets the six variables of
:data:`THREAD_VARIABLES` to the job's threads (snakemake/shell.py); a job's threads are its
rule's ``threads:`` (1 when the rule has none, as every per-shard rule). Without them OpenBLAS
spins a thread per core, and a BLAS-heavy job costs more CPU than in the pipeline
(sentiment_units' bootstrap products ~70 % more with two).

    from shard_runner import Named, bench_pairs, child_main, pair_parser, run_job
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BIN, mean_interval, verdict  # noqa: E402

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


def run_process(
    argv: Sequence[str],
    scripts: str | Path,
    threads: int = 1,
    what: str = "",
    extra_env: dict | None = None,
    cwd: str | Path | None = None,
) -> tuple[dict, str]:
    """Run ``python argv`` in a fresh process with :func:`job_env` (and ``extra_env``) in
    ``cwd``; return that process's own CPU (user + system, interpreter start included) and peak
    RSS (``{"process": CPU-s, "peak_mb": MiB}``, from ``os.wait4``) and its stdout. On failure
    exit with ``what`` and the tail of its stderr. The peak is floored at this (the spawning)
    process's own peak RSS: Linux records the pre-exec high-water mark in the child's maxrss,
    so a job smaller than the runner reads as the runner's size (runners are small, ~100 MB)."""
    cmd = [sys.executable, *map(str, argv)]
    env = {**job_env(scripts, threads), **(extra_env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{what or cmd} with {scripts} failed:\n{stderr[-2000:]}")
    cpu = {"process": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}
    return cpu, stdout


def run_job(*args, **kwargs) -> dict:
    """Run a process as :func:`run_process` (same arguments) and return the JSON object of the
    last line it prints."""
    return json.loads(run_process(*args, **kwargs)[1].strip().splitlines()[-1])


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


class Named(dict):
    """Enough of Snakemake's Namedlist for a job's stand-in ``snakemake`` object: attributes,
    get(), and log[0]."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def outputs(out: Path, **files: str) -> Named:
    """A job's ``output``: each name's file under the scratch folder ``out``."""
    return Named({name: str(Path(out) / file) for name, file in files.items()})


def shard_names(folder: str | Path = "results/interim/docs") -> list[str]:
    """The shard names (``1-of-2`` ...) of a run's per-shard folder, in shard order."""
    names = {p.name.split(".")[0] for p in Path(folder).glob("*-of-*.*")}
    return sorted(names, key=lambda s: int(s.split("-")[0]))


# ---- the child: one job's entry script in this process -----------------------------------------
def exec_job(job: str, smk: Named) -> dict:
    """Run scripts/<job>.py of the package on PYTHONPATH (the rule and its script share the
    name) with the stand-in ``smk`` as ``snakemake``; return the CPU of its work
    (``time.process_time`` around it), of the whole process so far (imports included) and the
    process's peak RSS (``ru_maxrss``, MiB)."""
    import newslens

    script = Path(newslens.__file__).resolve().parents[1] / f"{job}.py"
    code = compile(script.read_text(encoding="utf-8"), str(script), "exec")
    t0 = time.process_time()
    exec(code, {"snakemake": smk, "__name__": "__main__", "__file__": str(script)})
    work = time.process_time() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"work": work, "process": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digests(folder: Path, extra: Sequence[Path] = (), root: Path | None = None) -> dict:
    """sha256 of every file under ``folder`` (and of the ``extra`` files, named relative to
    ``root``) but figures (PNG/SVG: drawn by the same code, they embed no data of their own) and
    log.txt; in JSON files (manifests, part lists) the folder's own path reads ``OUT`` first."""
    files = {str(p.relative_to(folder)): p for p in sorted(Path(folder).rglob("*"))}
    files.update({str(p.relative_to(root) if root else p): p for p in extra})
    out = {}
    for name, path in files.items():
        if not path.is_file() or path.suffix in (".png", ".svg") or path.name == "log.txt":
            continue
        if path.suffix == ".json":
            data = path.read_bytes().replace(str(folder).encode(), b"OUT")
            out[name] = hashlib.sha256(data).hexdigest()
        else:
            out[name] = sha256(path)
    return out


def differing(a: dict, b: dict) -> list[str]:
    """The names whose digests differ between ``a`` and ``b`` (or that only one has)."""
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def child_main(
    args: argparse.Namespace,
    job_smk: Callable[[str, dict, Path], Named],
    extra_outputs: Callable[[str], Sequence[Path]] = lambda job: (),
) -> None:
    """The child's side of :func:`bench_pairs`: in the kept run ``args.workdir`` build
    ``job_smk(job, config, out)`` (outputs under ``out``: ``args.out`` or a temporary folder),
    run the job (:func:`exec_job`) and print its measures as one JSON line; with
    ``args.digests`` also ``files``, the digests of its outputs (:func:`file_digests`, with
    ``extra_outputs(job)``, paths relative to the run)."""
    import yaml

    os.chdir(args.workdir)
    cfg = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out).resolve() if args.out else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        result = exec_job(args.child, job_smk(args.child, cfg, out))
        if args.digests:
            extra = [Path.cwd() / p for p in extra_outputs(args.child)]
            result["files"] = file_digests(out, extra, Path.cwd())
    print(json.dumps(result))


# ---- the parent: pairs of checkouts -------------------------------------------------------------
def pair_parser(doc: str, jobs: Sequence[str], default_jobs: Sequence[str] | None = None):
    """The command line of a paired job benchmark: WORKDIR (a kept run), --shard, --base and
    --new (the checkouts' scripts/ folders), --pairs, --jobs, --compare (outputs byte-identical
    on the first pair?) and the child's hidden options."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2")
    parser.add_argument("--base", default="/work/main/scripts", help="PYTHONPATH of the baseline")
    parser.add_argument("--new", default="scripts", help="PYTHONPATH of the changed code")
    parser.add_argument("--pairs", type=int, default=4)
    default = list(jobs if default_jobs is None else default_jobs)
    parser.add_argument("--jobs", nargs="+", default=default, choices=list(jobs))
    parser.add_argument("--compare", action="store_true", help="outputs byte-identical?")
    parser.add_argument("--child", choices=list(jobs), help=argparse.SUPPRESS)
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", "--keep-output", type=Path, help=argparse.SUPPRESS)
    return parser


#: every child runs with these (hash order fixed; figures without a display)
CHILD_ENV = {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
UNITS = {"work": "CPU-s", "process": "CPU-s", "longest": "CPU-s", "peak_mb": "MiB"}


def report(name: str, runs: dict, loads: Sequence[float], measures: Sequence[str]) -> list[str]:
    """One line per measure: both checkouts' means and the mean paired difference new - base
    with its 95 % bootstrap interval (common.mean_interval, 10,000 resamples, seed 0) and
    verdict: "costs more" (the interval lies above 0), "costs less" (below 0) or "n.s."; with one
    pair there is no interval."""
    lines = []
    for m in measures:
        base = np.array([x[m] for x in runs["base"]])
        new = np.array([x[m] for x in runs["new"]])
        diff = new - base
        low, high = mean_interval(diff, 10_000, seed=0)
        word = (
            "n.s." if verdict(low, high) == "n.s." else "costs less" if high < 0 else "costs more"
        )
        if len(diff) < 2:
            word = "one pair: no interval, no verdict"
        lines.append(
            f"{name} ({m} {UNITS.get(m, '')}, {len(diff)} pairs, load {min(loads):.1f}-"
            f"{max(loads):.1f}): base {base.mean():.2f}, new {new.mean():.2f}, new - base "
            f"{diff.mean():+.2f} [{low:+.2f}, {high:+.2f}] ({diff.mean() / base.mean():+.0%}; {word})"
        )
    return lines


def pair_line(name: str, r: int, pair: dict, load: float, measures: Sequence[str]) -> str:
    """``  NAME pair R: base 1.23 (process 2.00, peak_mb 150), new ...; load 1.0``."""

    def one(x: dict) -> str:
        rest = ", ".join(f"{m} {x[m]:.2f}" for m in measures[1:])
        return f"{x[measures[0]]:.2f}" + (f" ({rest})" if rest else "")

    return f"  {name} pair {r}: base {one(pair['base'])}, new {one(pair['new'])}; load {load:.1f}"


def bench_pairs(
    jobs: Sequence[str],
    paths: dict,
    pairs: int,
    measure: Callable[[str, str, bool], dict],
    measures: Sequence[str] = ("work", "process", "peak_mb"),
    compare: bool = False,
) -> dict:
    """For each job: ``measure(job, scripts, digests)`` of the ``base`` and ``new`` checkouts
    (``paths``: side -> scripts folder), ``pairs`` pairs in alternating order
    (:func:`paired_runs`); prints every pair, with ``compare`` whether the first pair's outputs
    (the ``files`` digests) are byte-identical, and :func:`report`. Returns job -> runs."""
    every = {}
    for job in jobs:
        runs, loads, calls = {"base": [], "new": []}, [], []

        def one(side: str, job: str = job, calls: list = calls) -> dict:
            calls.append(side)
            return measure(job, paths[side], compare and len(calls) <= 2)

        for r, pair, pair_loads in paired_runs(("base", "new"), pairs, one):
            loads += pair_loads
            for side in runs:
                runs[side].append(pair[side])
            print(pair_line(job, r, pair, pair_loads[-1], measures), flush=True)
            if compare and r == 1:
                files = pair["base"].get("files", {})
                differ = differing(files, pair["new"].get("files", {}))
                state = f"DIFFER: {differ}" if differ else "all byte-identical"
                print(f"  {job} outputs: {len(files)} files, {state}", flush=True)
        print("\n".join(report(job, runs, loads, measures)), flush=True)
        every[job] = runs
    return every


def child_measure(
    bench: str | Path,
    child_args: Callable[[str], list] = lambda job: [],
    threads: Callable[[str], int] = rule_threads,
):
    """The ``measure`` of :func:`bench_pairs` for a benchmark whose children are ``python bench
    --child JOB ...``: ``threads(job)`` (the rule's, :func:`rule_threads`), :data:`CHILD_ENV`."""

    def measure(job: str, scripts: str, digests: bool) -> dict:
        argv = [bench, *child_args(job), "--child", job, *(["--digests"] if digests else [])]
        return run_job(argv, scripts, threads(job), what=job, extra_env=CHILD_ENV)

    return measure


def checkout_paths(args: argparse.Namespace) -> dict:
    """side -> the resolved scripts/ folder of ``--base`` and ``--new``."""
    return {"base": str(Path(args.base).resolve()), "new": str(Path(args.new).resolve())}


# ---- a job exactly as Snakemake runs it -----------------------------------------------------------
def snakemake_job_script(workdir: Path, rule: str) -> Path:
    """The first job script Snakemake wrote for ``rule`` in the kept run ``workdir``
    (.snakemake/scripts/*.RULE.py: its preamble with the pickled ``snakemake`` object, then the
    rule's script); made once by rerunning the rule's jobs with ``--skip-script-cleanup``."""
    found = sorted((workdir / ".snakemake" / "scripts").glob(f"*.{rule}.py"))
    if not found:
        repo = Path(__file__).resolve().parents[1]
        cmd = [str(BIN / "snakemake"), "--snakefile", str(repo / "workflow" / "Snakefile")]
        cmd += ["--directory", str(workdir), "--cores", "1", "--forcerun", rule, "--until", rule]
        subprocess.run([*cmd, "--skip-script-cleanup", "--quiet"], check=True, capture_output=True)
        found = sorted((workdir / ".snakemake" / "scripts").glob(f"*.{rule}.py"))
    return found[0]


def pair_main(
    doc: str,
    jobs: Sequence[str],
    job_smk: Callable[[str, dict, Path, argparse.Namespace], Named],
    default_jobs: Sequence[str] | None = None,
    options: Callable[[argparse.ArgumentParser], None] = lambda parser: None,
    child_flags: Callable[[argparse.Namespace], list] = lambda args: [],
    scratch: Callable[[argparse.Namespace, Path], Path] | None = None,
    extra_outputs: Callable[[str], Sequence[Path]] = lambda job: (),
    compare: bool = False,
    threads: Callable[[str], int] = rule_threads,
    own_measure: Callable[[str, Path, list], tuple | None] = lambda job, bench, flags: None,
) -> None:
    """The whole command line of a paired job benchmark (:func:`pair_parser` plus ``options``).
    As the child (``--child JOB``): :func:`child_main` with ``job_smk(job, config, out, args)``.
    As the parent: the children run in WORKDIR (or in ``scratch(args, tmp)``, a folder made
    from it) with ``--shard`` and ``child_flags(args)``, paired by :func:`bench_pairs`;
    ``compare`` compares the outputs without ``--compare``; ``threads(job)``: the job's
    threads (the rule's); ``own_measure(job, bench, flags)``: a job's own (measure, measures)
    for :func:`bench_pairs` (e.g. a job timed with the per-shard jobs it was split into), or
    None for the common one."""
    parser = pair_parser(doc, jobs, default_jobs)
    options(parser)
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    if args.child:
        child_main(args, lambda job, cfg, out: job_smk(job, cfg, out, args), extra_outputs)
        return
    paths = checkout_paths(args)
    print(f"{args.workdir} shard {args.shard}; base {paths['base']}; new {paths['new']}")
    with tempfile.TemporaryDirectory(prefix="bench_jobs.") as tmp:
        run_in = scratch(args, Path(tmp)) if scratch else args.workdir
        flags = [run_in, "--shard", args.shard, *child_flags(args)]
        bench = Path(sys.argv[0]).resolve()
        measure = child_measure(bench, lambda job: flags, threads)
        common = [job for job in args.jobs if own_measure(job, bench, flags) is None]
        if common:
            bench_pairs(common, paths, args.pairs, measure, compare=compare or args.compare)
        for job in args.jobs:
            own = own_measure(job, bench, flags)
            if own is not None:
                bench_pairs([job], paths, args.pairs, *own, compare=compare or args.compare)
