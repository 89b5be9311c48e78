"""CPU-seconds of the compare stage's figures (build, lay out, PNG + SVG) from two checkouts,
in alternating fresh processes, with the paired difference's interval.

    python benchmarks/bench_compare_figure_layout.py RUN_DIR BASELINE_SCRIPTS [--pairs 6]
                                                     [--figures forest|time|all]

RUN_DIR is a kept run's working directory (e.g. ``DIR/n100000`` of
``bench_compare_share.py 100000 --keep DIR``). ``--figures forest`` (the default): its
``compare_{frames,actors,topics}.csv`` and ``compare_keyness.csv`` are drawn by
``compare_figures.differences_figure`` / ``keyness_figure``; ``--figures time``: its
``compare_{frames,actors,topics}_time.csv`` by ``time_figure`` and ``compare_actor_frames.csv``
by ``actor_frames_figure`` (with the run's ``figures.min_cell_n``,
``compare.time.figure_items`` and ``figures.max_actors``); ``all``: both. Each figure is saved
by ``save_laid_out``, as the compare jobs do; the PNGs and SVGs of the last pair are kept in
``--out`` when given (to compare the two sides' files). BASELINE_SCRIPTS
is the ``scripts/`` folder of another checkout (e.g. a ``git archive`` of main); this
checkout's ``scripts/`` is the method. Each pair runs both (order alternating) and the
printout gives each side's mean and the paired difference (method - baseline) with a
percentile bootstrap 95 % interval over pairs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, mean_interval  # noqa: E402
from shard_runner import rule_threads, run_job  # noqa: E402

CHILD = r"""
import inspect, json, sys, time
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import pandas as pd
from newslens import compare_figures as cf
from newslens.figures import apply_style
apply_style()
import yaml
tables, out, which = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
cfg = yaml.safe_load((tables.parents[1] / "config" / "config.yaml").read_text())
min_n = cfg["figures"]["min_cell_n"]
# the fixed-grid flag is an argument of save_laid_out in newer checkouts (an attribute before)
EXPLICIT = "fixed_size" in inspect.signature(cf.save_laid_out).parameters
def save(fig, png, svg):
    cf.save_laid_out(fig, png, svg, **({"fixed_size": True} if EXPLICIT else {}))
t0 = time.process_time()
if which in ("forest", "all"):
    for name in ("compare_frames", "compare_actors", "compare_topics"):
        tab = pd.read_csv(tables / f"{name}.csv")
        fig = cf.differences_figure(tab, name, "difference", "value", min_n=min_n)
        save(fig, out / f"{name}.png", out / f"{name}.svg")
    key = pd.read_csv(tables / "compare_keyness.csv")
    fig = cf.keyness_figure(key, 10)
    save(fig, out / "keyness.png", out / "keyness.svg")
if which in ("time", "all"):
    t = cfg["compare"]["time"]
    for name in ("compare_frames_time", "compare_actors_time", "compare_topics_time"):
        prev = pd.read_csv(tables / f"{name}.csv", keep_default_na=False, na_values=[""])
        fig = cf.time_figure(prev, name, "mean (0-1)", max_items=t["figure_items"],
                             period=f"{t['period']} of the article date", min_n=min_n)
        save(fig, out / f"{name}.png", out / f"{name}.svg")
    tab = pd.read_csv(tables / "compare_actor_frames.csv", keep_default_na=False, na_values=[""])
    fig = cf.actor_frames_figure(tab, cfg["figures"]["max_actors"], min_n=min_n)
    save(fig, out / "compare_actor_frames.png", out / "compare_actor_frames.svg")
print(json.dumps({"cpu_s": time.process_time() - t0}))
"""


def run(scripts: Path, tables: Path, out: Path, figures: str) -> float:
    """CPU-seconds of the figures in a fresh process with ``scripts`` first on the path and the
    threads Snakemake gives the compare jobs that draw them (shard_runner.run_job)."""
    out.mkdir(parents=True, exist_ok=True)
    argv = ["-c", CHILD, tables, out, figures]
    threads = max(rule_threads("compare_groups"), rule_threads("compare_keyness"))
    return run_job(argv, scripts, threads, "figures", {"MPLBACKEND": "Agg"})["cpu_s"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("baseline_scripts", type=Path)
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--figures", choices=["forest", "time", "all"], default="forest")
    ap.add_argument("--out", type=Path, default=None, help="keep the last pair's files here")
    args = ap.parse_args()
    tables = args.run_dir / "results" / "tables"
    sides = {"method": REPO / "scripts", "baseline": args.baseline_scripts.resolve()}
    cpu = {k: [] for k in sides}
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        for i in range(args.pairs):
            order = list(sides) if i % 2 == 0 else list(sides)[::-1]
            for side in order:
                cpu[side].append(run(sides[side], tables, out / side, args.figures))
            print(
                f"pair {i + 1}: "
                + "  ".join(f"{k} {cpu[k][-1]:.2f}" for k in sides)
                + f"  (load {os.getloadavg()[0]:.1f})"
            )
    diff = np.array(cpu["method"]) - np.array(cpu["baseline"])
    lo, hi = mean_interval(diff, resamples=2000, seed=0)
    print(f"baseline ({sides['baseline']}): {np.mean(cpu['baseline']):.2f} CPU-s")
    print(f"method   ({sides['method']}): {np.mean(cpu['method']):.2f} CPU-s")
    print(f"method - baseline: {diff.mean():+.2f} CPU-s [{lo:+.2f}, {hi:+.2f}] ({len(diff)} pairs)")


if __name__ == "__main__":
    main()
