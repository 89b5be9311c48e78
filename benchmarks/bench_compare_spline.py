"""Time as period dummies or as a smooth spline term, on the synthetic planted-trend corpus.

    python benchmarks/bench_compare_spline.py [--replicates 30] [--resamples 200] [--df 5]

Draws ``--replicates`` corpora of each planted shape (newslens.compare_synthetic.PlantedTrend:
3 outlets x 12 months x 15 articles, noise sd 0.3; ``rise``: one outlet's mean rises smoothly by
0.3; ``spike``: one outlet's mean is 0.3 higher in the middle month only) and runs
``newslens.compare_over_time.time_table`` on each with ``model="dummies"`` (the baseline) and
``model="spline"``. Per outlet x month cell it measures the absolute error of the estimated mean
against the planted truth, the width of the bootstrap interval and whether it covers the truth,
and the signed error at the planted peak (the last month of the rise, the spike's month);
prints each model's means beside each other, and the paired difference spline - dummies per
replicate with a bootstrap 95 % interval over replicates (a model is better only when that
interval excludes zero). Function-level: the values are drawn as tables, not as texts run
through the pipeline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import mean_interval  # noqa: E402
from newslens import compare as cp  # noqa: E402
from newslens import compare_over_time as ct  # noqa: E402
from newslens import compare_synthetic as syn  # noqa: E402


def one_replicate(seed: int, resamples: int, df: int, shape: str) -> pd.DataFrame:
    """Per model: mean absolute error, mean interval width and coverage over the cells."""
    data = syn.make_trend(syn.PlantedTrend(seed=seed, shape=shape))
    docs = data["documents"]
    groups = cp.group_labels(docs, ["outlet"])
    periods = pd.Series(cp.period_labels(docs["date"], "month").to_numpy(), index=docs["doc_id"])
    truth = data["truth"].rename(columns={"outlet": "group"})
    rows = []
    for model in ("dummies", "spline"):
        prev, _eff = ct.time_table(
            data["values"], groups, periods, "rest", resamples, seed=seed, model=model, df=df
        )
        tab = prev.merge(truth, on=["group", "period"])
        peak = tab.loc[tab["truth"].idxmax()]
        rows.append(
            {
                "replicate": seed,
                "model": model,
                "abs_error": float((tab["mean"] - tab["truth"]).abs().mean()),
                "peak_error": float(peak["mean"] - peak["truth"]),
                "width": float((tab["high"] - tab["low"]).mean()),
                "coverage": float(
                    ((tab["low"] <= tab["truth"]) & (tab["truth"] <= tab["high"])).mean()
                ),
            }
        )
    return pd.DataFrame(rows)


def paired_interval(diff: np.ndarray, resamples: int = 2000, seed: int = 0) -> tuple:
    """Mean of the paired differences with a percentile bootstrap 95 % interval (common's)."""
    return float(diff.mean()), *mean_interval(diff, resamples, seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=30)
    ap.add_argument("--resamples", type=int, default=200)
    ap.add_argument("--df", type=int, default=5)
    args = ap.parse_args()
    for shape in ("rise", "spike"):
        report(shape, args)


def report(shape: str, args) -> None:
    """Run the replicates of one planted shape and print both models and their difference."""
    res = pd.concat(
        [one_replicate(s, args.resamples, args.df, shape) for s in range(args.replicates)],
        ignore_index=True,
    )
    p = syn.PlantedTrend(shape=shape)
    print(
        f"\n== planted {shape}: {p.outlets} outlets x {p.periods} months x "
        f"{p.articles_per_period} articles, amplitude {p.amplitude}, noise sd {p.noise}; "
        f"{args.replicates} replicates, {args.resamples} resamples, spline df {args.df}"
    )
    print("mean over outlet x month cells:")
    print(
        res.groupby("model")[["abs_error", "peak_error", "width", "coverage"]]
        .mean()
        .round(4)
        .to_string()
    )
    wide = res.pivot(index="replicate", columns="model")
    print("\npaired difference spline - dummies (mean, bootstrap 95 % interval over replicates):")
    for metric in ("abs_error", "peak_error", "width", "coverage"):
        d = (wide[(metric, "spline")] - wide[(metric, "dummies")]).to_numpy()
        mean, lo, hi = paired_interval(d)
        verdict = "excludes 0" if lo > 0 or hi < 0 else "includes 0"
        print(f"  {metric:10s} {mean:+.4f} [{lo:+.4f}, {hi:+.4f}]  {verdict}")


if __name__ == "__main__":
    main()
