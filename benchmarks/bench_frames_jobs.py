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
after the other (the order alternates between pairs), so load drifts hit both alike. Measured:
the process's CPU (user + system, imports included), the CPU of the script's work alone
(`time.process_time` around it) and its peak resident memory (`ru_maxrss`). Printed: every
run, each checkout's mean and the mean paired difference (new - base) with its 95 % bootstrap
interval (benchmarks/common; "saved" = base - new, so "wins" means the new code costs less).
``--compare`` also checks, on the first pair, that every output
file of the two checkouts is byte-identical (the figures' PNG/SVG excepted: they embed no
data of their own and are drawn by the same code).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap_indices, format_difference  # noqa: E402

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
JOBS = ("frames_sentences", "frames_paragraphs_part", "frames_actors")
# the rules' constants (workflow/rules/framing.smk)
SENTENCE_BATCH_ROWS = 100_000
PARAGRAPH_BATCH_ROWS = 100_000
ACTOR_BATCH_ROWS = 200_000
N_PARTS = 2


class Named(dict):
    """Enough of Snakemake's Namedlist: attributes, get(), and log[0]."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def shards() -> list[str]:
    """The run's shard names (``1-of-2`` ...), in order."""
    names = [p.stem for p in Path("results/interim/docs").glob("*.parquet")]
    return sorted(names, key=lambda s: int(s.split("-")[0]))


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


def job_smk(job: str, cfg: dict, shard: str, out: Path) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs from the run in the current
    directory, outputs under ``out``)."""
    frames = "results/interim/frames"
    every = shards()
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
            output=Named(csv=str(out / "part.csv"), positions=str(out / "positions.json")),
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
            output=Named(
                table=str(out / "frames_actors.csv"),
                fig=str(out / "frames_actors.png"),
                fig_svg=str(out / "frames_actors.svg"),
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


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` but figures and the log (relative path ->
    digest); in JSON files (part lists) the folder's own path is replaced first."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix not in (".png", ".svg") and path.name != "log.txt":
            data = path.read_bytes()
            if path.suffix == ".json":
                data = data.replace(str(folder).encode(), b"OUT")
            out[str(path.relative_to(folder))] = hashlib.sha256(data).hexdigest()
    return out


def child(job: str, workdir: Path, shard: str, want_digests: bool) -> None:
    """Run one job's entry script (from the checkout on PYTHONPATH) and print its CPU, peak
    memory and (with ``want_digests``) its outputs' digests."""
    os.chdir(workdir)
    cfg = yaml.safe_load(Path("config/config.yaml").read_text())
    import newslens

    script = Path(newslens.__file__).resolve().parents[1] / f"{job}.py"
    with tempfile.TemporaryDirectory() as tmp:
        smk = job_smk(job, cfg, shard, Path(tmp))
        code = compile(script.read_text(), str(script), "exec")
        t0 = time.process_time()
        exec(code, {"snakemake": smk, "__name__": "__main__", "__file__": str(script)})
        work = time.process_time() - t0
        files = digests(Path(tmp)) if want_digests else {}
    ru = resource.getrusage(resource.RUSAGE_SELF)
    result = {"work": work, "process": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024}
    print(json.dumps({**result, "files": files}))


def measure(job: str, workdir: Path, shard: str, scripts: str, want_digests: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=scripts, PYTHONHASHSEED="0")
    env.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    cmd = [sys.executable, __file__, "--child", job, str(workdir), "--shard", shard]
    cmd += ["--digests"] if want_digests else []
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{job} with {scripts} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2")
    parser.add_argument("--base", default="/work/main/scripts", help="PYTHONPATH of the baseline")
    parser.add_argument("--new", default="scripts", help="PYTHONPATH of the changed code")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=JOBS)
    parser.add_argument("--compare", action="store_true", help="outputs byte-identical?")
    parser.add_argument("--child", choices=JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    if args.child:
        child(args.child, workdir, args.shard, args.digests)
        return
    paths = {"base": str(Path(args.base).resolve()), "new": str(Path(args.new).resolve())}
    print(f"{workdir} shard {args.shard}; base {paths['base']}; new {paths['new']}")
    for job in args.jobs:
        runs = {"base": [], "new": []}
        loads = []
        for r in range(args.pairs):
            order = ("base", "new") if r % 2 == 0 else ("new", "base")
            check = args.compare and r == 0
            for which in order:
                loads.append(os.getloadavg()[0])
                runs[which].append(measure(job, workdir, args.shard, paths[which], check))
            b, n = runs["base"][-1], runs["new"][-1]
            print(
                f"  {job} pair {r + 1}: base {b['work']:.2f} ({b['process']:.2f} process, "
                f"{b['peak_mb']:.0f} MB), new {n['work']:.2f} ({n['process']:.2f} process, "
                f"{n['peak_mb']:.0f} MB) CPU-s; load {loads[-1]:.1f}",
                flush=True,
            )
            if check:
                same = b["files"] == n["files"]
                differ = sorted(
                    k
                    for k in set(b["files"]) | set(n["files"])
                    if b["files"].get(k) != n["files"].get(k)
                )
                print(
                    f"  {job} outputs: {len(b['files'])} files, "
                    + ("all byte-identical" if same else f"DIFFER: {differ}"),
                    flush=True,
                )
        idx = bootstrap_indices(args.pairs, 10_000)
        for name in ("work", "process", "peak_mb"):
            base = np.array([x[name] for x in runs["base"]])
            new = np.array([x[name] for x in runs["new"]])
            saved = base - new
            unit = "MB" if name == "peak_mb" else "CPU-s"
            print(
                f"{job} {name} ({unit}, {args.pairs} pairs, load {min(loads):.1f}-"
                f"{max(loads):.1f}): base {base.mean():.2f}, new {new.mean():.2f}, saved "
                f"(base - new) {format_difference(saved[idx].mean(axis=1))} "
                f"({-saved.mean() / base.mean():+.0%})"
            )


if __name__ == "__main__":
    main()
