"""CPU-seconds of each compare job's script on a kept run's tables, without Snakemake.

    python benchmarks/bench_compare_jobs.py RUN_DIR [--jobs compare_groups ...] [--out DIR]
                                            [--repeats 1]

RUN_DIR is a finished run's working directory, e.g. ``DIR/n100000`` of
``bench_compare_share.py 100000 --keep DIR`` (config/config.yaml and results/). For each compare
job this builds the object Snakemake would pass to its script (inputs, outputs into ``--out``,
params from the run's config, as in workflow/rules/compare.smk), runs the script's ``main`` in
a fresh Python process of this checkout (its scripts/ first on the path) and prints the
process's CPU-seconds: importing the script (pandas, matplotlib, newslens) and ``main``.
Snakemake's own start-up of the job is not included. Running it from two checkouts back to
back on the same RUN_DIR compares their cost job by job (with ``--out`` in different folders,
their tables can be compared byte by byte).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JOBS = ["compare_keyness", "compare_evidence", "compare_groups"]

# run inside the child process: argv = run_dir, job, out, repo
CHILD = r"""
import importlib.util, json, sys, time
from pathlib import Path
from types import SimpleNamespace
import yaml

class Named(dict):
    __getattr__ = dict.__getitem__
    def __iter__(self):
        return iter(self.values())

run_dir, job, out, repo = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
out.mkdir(parents=True, exist_ok=True)
cfg = yaml.safe_load((run_dir / "config" / "config.yaml").read_text())
c, figs = cfg["compare"], cfg["figures"]
res = run_dir / "results"
tab, interim = res / "tables", res / "interim"
def ds(name):
    return str(tab / name / "_manifest.json")
common = dict(by=c["by"], reference=c["reference"], min_articles=c["min_articles"])
boot = dict(bootstrap=c["bootstrap"])
if job == "compare_keyness":
    inp = Named(dtm=str(interim / "topics/dtm.npz"), units=str(interim / "topics/units.parquet"),
                vocabulary=str(tab / "topic_vocabulary.csv"), documents=str(tab / "documents.csv"))
    outp = Named({k: str(out / f"compare_keyness.{k}") for k in ("csv", "png", "svg")})
    outp = Named(table=outp["csv"], png=outp["png"], svg=outp["svg"])
    k = c["keyness"]
    par = Named(**common, min_count=k["min_count"], table_terms=k["table_terms"],
                figure_terms=k["figure_terms"], figure_groups=c.get("figure_groups", 8))
elif job == "compare_evidence":
    inp = Named(tokens=ds("tokens"), keyness=str(tab / "compare_keyness.csv"),
                frames=ds("frames_sentences"), actors=ds("sentiment_actor_sentences"),
                sentences=ds("sentences"), documents=str(tab / "documents.csv"))
    names = ["kwic", "frame_examples", "actor_examples"]
    outp = Named({n: str(out / f"compare_{n}.csv") for n in names})
    outp.update({f"{n}_page": str(out / f"compare_{n}.html") for n in names})
    kw = c["kwic"]
    par = Named(**common, terms=kw["terms"], top_keyness=kw["top_keyness"], window=kw["window"],
                max_rows=kw["max_rows"], seed=c["bootstrap"]["seed"], examples=c["examples"],
                report_rows=cfg["report"]["max_table_rows"])
else:
    inp = Named(frames=str(tab / "frames_documents.csv"), actors=ds("sentiment_actor_sentences"),
                topics=str(tab / "topic_articles.csv"), topic_summary=str(tab / "topic_summary.csv"),
                frame_names=str(tab / "frames_distribution.csv"), documents=str(tab / "documents.csv"),
                frames_sentences=ds("frames_sentences"))
    outp = Named()
    for kind in ["frames", "actors", "topics"]:
        for key, name in [("table", ""), ("time", "_time"), ("effects", "_effects")]:
            outp[f"{kind}_{key}"] = str(out / f"compare_{kind}{name}.csv")
        for fmt in ("png", "svg"):
            outp[f"{kind}_{fmt}"] = str(out / f"compare_{kind}.{fmt}")
            outp[f"{kind}_time_{fmt}"] = str(out / f"compare_{kind}_time.{fmt}")
    outp["actor_frames_table"] = str(out / "compare_actor_frames.csv")
    for fmt in ("png", "svg"):
        outp[f"actor_frames_{fmt}"] = str(out / f"compare_actor_frames.{fmt}")
    t = c["time"]
    par = Named(**common, **boot, period=t["period"], time_model=t.get("model", "dummies"),
                spline_df=t.get("spline_df", 5), max_items=t["figure_items"],
                min_cell_n=figs["min_cell_n"], max_actors=c["max_actors"],
                figure_actors=figs["max_actors"], figure_groups=c.get("figure_groups", 8))
smk = SimpleNamespace(input=inp, output=outp, params=par, log=[str(out / f"{job}.log")],
                      rule=job, wildcards=Named())
t0 = time.process_time()
spec = importlib.util.spec_from_file_location(job, f"{repo}/scripts/{job}.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = time.process_time()
from newslens.runtime import run
run(module.main, smk)
t2 = time.process_time()
print(json.dumps({"imports": t1 - t0, "main": t2 - t1}))
"""


def job_cpu(run_dir: Path, job: str, out: Path) -> dict:
    """Run one job's script in a child process of this checkout; its CPU-seconds."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "scripts"), env.get("PYTHONPATH")])
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(run_dir), job, str(out / job), str(REPO)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{job} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--jobs", nargs="+", default=JOBS, choices=JOBS)
    ap.add_argument("--out", type=Path, default=None, help="where the jobs write (default: temp)")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="newslens-compare-jobs-"))
    print(f"== compare jobs of {args.run_dir} from {REPO.name}; outputs in {out}")
    total = 0.0
    for job in args.jobs:
        for rep in range(args.repeats):
            cpu = job_cpu(args.run_dir, job, out)
            both = cpu["imports"] + cpu["main"]
            total += both / args.repeats
            print(
                f"{job:22s} run {rep + 1}: imports {cpu['imports']:5.2f}  main {cpu['main']:6.2f}"
                f"  = {both:6.2f} CPU-s  (load {os.getloadavg()[0]:.1f})"
            )
    print(f"the {len(args.jobs)} jobs: {total:.1f} CPU-s (mean over repeats)")


if __name__ == "__main__":
    main()
