"""CPU of the actor, unit and topic-count jobs on a finished run, two checkouts paired.

    python benchmarks/bench_actor_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--shard 1-of-2] [--pairs 4] [--jobs sentiment_units topic_counts sentiment_paragraphs
        sentiment_actors actor_mentions actor_articles] [--only-shard]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`). Each job's own entry script (scripts/<job>.py of the checkout measured) runs in a fresh
Python process on that run's inputs -- the per-shard jobs on ``--shard``, the gathers
(sentiment_paragraphs, sentiment_actors) on every shard, or on ``--shard`` alone with
``--only-shard`` -- with the run's config, the rule's params, one BLAS thread, and its outputs
in a temporary folder. Per pair the two checkouts run one after the other, the order
alternating between pairs, so load drifts hit both alike. Measured: the process's CPU (user +
system, imports included). Printed per job: every pair with the load average, each checkout's
mean and the CPU saved (base - new) with its 95 % bootstrap interval and verdict from
benchmarks/common ("wins": the new code is faster, the interval excludes 0).
"""

from __future__ import annotations

import argparse
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

# the rules' constants (workflow/rules/sentiment.smk)
BATCH_ROWS = 100_000
ACTOR_BATCH_ARTICLES = 20_000
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
JOBS = (
    "sentiment_units",
    "topic_counts",
    "sentiment_paragraphs",
    "sentiment_actors",
    "actor_mentions",
    "actor_articles",
)


class Named(dict):
    """Enough of Snakemake's Namedlist: attributes, get(), and log[0]."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def job_smk(job: str, cfg: dict, shard: str, shards: list[str], out: Path) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs from the run in the current
    directory, outputs under ``out``), with the params of its rule."""
    s, at, i, t = cfg["sentiment"], cfg["actor_targets"], "results/interim", "results/tables"
    targets = {k: v for k, v in at.items() if k != "file"}
    cleaning = {k: cfg["cleaning"][k] for k in ("repair_mojibake", "fold_quotes", "fold_dashes")}
    log = [str(out / "log.txt")]
    if job == "actor_mentions":
        return Named(
            input=Named(sentences=f"{i}/sentences/{shard}.json", docs=f"{i}/docs/{shard}.parquet"),
            output=Named(mentions=str(out / "m.parquet"), targets=str(out / "t.parquet")),
            params=Named(
                actors=cfg["actors"],
                target_column=cfg["corpus"]["columns"].get("target"),
                targets=targets,
                cleaning=cleaning,
                batch_rows=BATCH_ROWS,
            ),
            log=log,
        )
    if job == "actor_articles":
        return Named(
            input=Named(
                scores=f"{i}/sentiment/{shard}.parquet",
                mentions=f"{i}/actors/{shard}.parquet",
                targets=f"{i}/actor_targets/{shard}.parquet",
                sentences=f"{i}/sentences/{shard}.json",
            ),
            output=Named(pairs=str(out / "pairs.parquet")),
            params=Named(
                scores=s["actor_scores"], batch_rows=BATCH_ROWS, batch_articles=ACTOR_BATCH_ARTICLES
            ),
            log=log,
        )
    if job == "sentiment_units":
        return Named(
            input=Named(scores=f"{i}/sentiment/{shard}.parquet"),
            output=Named(
                documents=str(out / "documents.parquet"), paragraphs=str(out / "paragraphs.parquet")
            ),
            params=Named(
                bootstrap=dict(s["bootstrap"]), thresholds=s["thresholds"], batch_rows=BATCH_ROWS
            ),
            log=log,
        )
    if job == "sentiment_paragraphs":
        return Named(
            input=Named(
                paragraphs=[f"{i}/sentiment_paragraphs/{x}.parquet" for x in shards],
                metadata=f"{t}/documents.csv",
            ),
            output=Named(paragraphs=str(out / "sentiment_paragraphs.csv")),
            params=Named(batch_rows=BATCH_ROWS),
            log=log,
        )
    if job == "sentiment_actors":
        return Named(
            input=Named(
                scores=[f"{i}/sentiment/{x}.parquet" for x in shards],
                mentions=[f"{i}/actors/{x}.parquet" for x in shards],
                targets=[f"{i}/actor_targets/{x}.parquet" for x in shards],
            ),
            output=Named(
                actors=str(out / "sentiment_actors.csv"),
                targets=str(out / "actor_targets.csv"),
                actor_sentences=str(out / "sentiment_actor_sentences" / "_manifest.json"),
                png=str(out / "sentiment_actors.png"),
                svg=str(out / "sentiment_actors.svg"),
            ),
            params=Named(
                actors=list(cfg["actors"]),
                targets=targets,
                cleaning=cleaning,
                max_actors=cfg["figures"]["max_actors"],
                bootstrap=dict(s["bootstrap"]),
                thresholds=s["thresholds"],
                batch_rows=BATCH_ROWS,
                part_articles=cfg["tokenize"]["part_articles"],
            ),
            log=log,
        )
    if job == "topic_counts":
        tc = cfg["topics"]
        return Named(
            input=Named(
                tokens=f"{i}/tokens/{shard}.json",
                paragraphs=f"{i}/paragraphs/{shard}.json",
                docs=f"{i}/docs/{shard}.parquet",
                all_docs=[f"{i}/docs/{x}.parquet" for x in shards],
            ),
            output=Named(
                counts=str(out / "c.npz"),
                terms=str(out / "c.terms.parquet"),
                units=str(out / "c.units.parquet"),
            ),
            params=Named(
                unit=tc["unit"],
                auto_min_articles=tc["auto_min_articles"],
                ngram_max=tc["ngram_max"],
            ),
            log=log,
        )
    raise SystemExit(f"unknown job {job}")


def child(job: str, workdir: Path, shard: str, only_shard: bool) -> None:
    """Run one job's entry script (from the checkout on PYTHONPATH) and print its CPU."""
    os.chdir(workdir)
    cfg = yaml.safe_load(Path("config/config.yaml").read_text())
    n = int(shard.split("-of-")[1])
    shards = [shard] if only_shard else [f"{k}-of-{n}" for k in range(1, n + 1)]
    import newslens

    script = Path(newslens.__file__).resolve().parents[1] / f"{job}.py"
    with tempfile.TemporaryDirectory() as tmp:
        smk = job_smk(job, cfg, shard, shards, Path(tmp))
        code = compile(script.read_text(), str(script), "exec")
        t0 = time.process_time()
        exec(code, {"snakemake": smk, "__name__": "__main__", "__file__": str(script)})
        work = time.process_time() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"work": work, "process": ru.ru_utime + ru.ru_stime}))


def measure(job: str, args, scripts: str) -> dict:
    env = dict(os.environ, PYTHONPATH=scripts, MPLBACKEND="Agg")
    env.update(dict.fromkeys(THREAD_VARIABLES, "1"))  # one thread, as Snakemake gives a job
    cmd = [sys.executable, __file__, "--child", job, str(args.workdir), "--shard", args.shard]
    if args.only_shard:
        cmd.append("--only-shard")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{job} with {scripts} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2")
    parser.add_argument("--only-shard", action="store_true", help="gathers read --shard only")
    parser.add_argument("--base", default="/work/main/scripts", help="PYTHONPATH of the baseline")
    parser.add_argument("--new", default="scripts", help="PYTHONPATH of the changed code")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=JOBS)
    parser.add_argument("--child", choices=JOBS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    if args.child:
        child(args.child, args.workdir, args.shard, args.only_shard)
        return
    paths = {"base": str(Path(args.base).resolve()), "new": str(Path(args.new).resolve())}
    print(f"{args.workdir} shard {args.shard}; base {paths['base']}; new {paths['new']}")
    for job in args.jobs:
        runs: dict[str, list[float]] = {"base": [], "new": []}
        loads = []
        for r in range(args.pairs):
            for which in ("base", "new") if r % 2 == 0 else ("new", "base"):
                loads.append(os.getloadavg()[0])
                runs[which].append(measure(job, args, paths[which])["process"])
            print(
                f"  {job} pair {r + 1}: base {runs['base'][-1]:.2f}, new {runs['new'][-1]:.2f} "
                f"CPU-s; load {loads[-1]:.1f}",
                flush=True,
            )
        base, new = np.array(runs["base"]), np.array(runs["new"])
        saved = base - new
        boot = saved[bootstrap_indices(len(saved), 10_000)].mean(axis=1)
        print(
            f"{job} (process CPU-s, {args.pairs} pairs, load {min(loads):.1f}-{max(loads):.1f}): "
            f"base {base.mean():.2f}, new {new.mean():.2f}, saved (base - new) "
            f"{format_difference(boot)} ({saved.mean() / base.mean():+.0%})",
            flush=True,
        )


if __name__ == "__main__":
    main()
