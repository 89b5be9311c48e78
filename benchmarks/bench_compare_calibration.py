"""Null calibration and coverage of the compare stage's group tests at small n: the bootstrap
z test (the previous method: p from the Poisson bootstrap standard error and the normal,
percentile intervals) beside the current one (moderated Welch t + edge bound, t / edge
intervals under ``small_n``; ``newslens.compare_small``).

    python benchmarks/bench_compare_calibration.py [--tables 40] [--items 100] [--resamples 200]
        [--sections null time planted] [--prior-df 2] [--small-n 100]

Function level: values are drawn as tables (articles x items), not texts run through the
pipeline. Two groups of n articles each (n in 3, 5, 10, 30, 100), and a group of n against a
reference of 200 (as ``reference: rest`` gives; ``--no-rest`` leaves it out). Item types, with no
difference between the groups (null):

* ``normal``: N(0, 1);
* ``sparse``: a frame-share-like item, 0 in 90 % of articles, else uniform on (0, 1);
* ``zero group``: the group's n values are all 0, the reference's are drawn from a rare item
  that is non-zero with probability 1 - 0.5^(1/n) (so a group of n is all 0 half the time
  under the null): the rate is conditional on an all-zero group, which a valid test keeps at
  most 2 x 5 % (P(reject | all zero) <= 0.05 / P(all zero)).

Printed per cell: the rejection rate at p < 0.05 with its 95 % Wilson interval, old beside new,
and the share of zero-width group intervals. Over time: a group of n articles a month (n in 3,
10, 30) against 60 a month over 3 months, no difference, normal and sparse items: the
rejection rate of the period-adjusted effect (old: its bootstrap standard error and the
normal, recomputed here; new: ``time_table``). Then the planted differences (normal: shift 0.5
sd; sparse: non-zero in 20 % vs 10 % of articles): the coverage of the nominal 95 % interval of
the difference, its mean width and the power (p < 0.05), old beside new.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from newslens import compare as cp  # noqa: E402
from newslens import compare_over_time as ct  # noqa: E402
from newslens.compare_bootstrap import poisson_group_sums  # noqa: E402

SIZES = (3, 5, 10, 30, 50, 100)
KINDS = ("normal", "sparse", "zero group")


def old_method(values: np.ndarray, n_group: int, resamples: int, seed: int) -> dict:
    """The previous statistics: Poisson bootstrap of both groups, p = 2 Phi(-|d| / sd of the
    bootstrap differences), percentile intervals."""
    codes = np.r_[np.zeros(n_group, dtype=np.int64), np.ones(len(values) - n_group, np.int64)]
    sums, counts = poisson_group_sums(values, codes, 2, resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        bg, br = sums[0] / counts[0], sums[1] / counts[1]
        diff = bg - br
        d = values[:n_group].mean(0) - values[n_group:].mean(0)
        se = np.nanstd(diff, axis=0, ddof=1)
        p = 2 * special.ndtr(-np.abs(d) / se)
    p = np.where((se == 0) & (d == 0), 1.0, p)
    lo_g, hi_g = np.nanquantile(bg, [0.025, 0.975], axis=0)
    lo, hi = np.nanquantile(diff, [0.025, 0.975], axis=0)
    return {"p": p, "width_group": hi_g - lo_g, "low": lo, "high": hi}


SETTINGS = {"prior_df": 2.0, "small_n": 100}


def new_method(values: np.ndarray, n_group: int, resamples: int, seed: int) -> dict:
    index = [f"d{i}" for i in range(len(values))]
    frame = pd.DataFrame(values, index=index)
    groups = pd.DataFrame(
        {"doc_id": index, "outlet": ["g"] * n_group + ["r"] * (len(values) - n_group)}
    )
    tab = cp.group_differences(frame, groups, "r", resamples=resamples, seed=seed, **SETTINGS)
    return {
        "p": tab["p_value"].to_numpy(),
        "width_group": (tab["high_group"] - tab["low_group"]).to_numpy(),
        "low": tab["difference_low"].to_numpy(),
        "high": tab["difference_high"].to_numpy(),
    }


def draw(rng, kind: str, n: int, n_ref: int, items: int, shift: float = 0.0):
    """(values, true difference) of one table: n group rows, then n_ref reference rows."""
    if kind == "normal":
        g, r = rng.normal(shift, 1, (n, items)), rng.normal(0, 1, (n_ref, items))
        return np.vstack([g, r]), shift
    if kind == "sparse":
        rate_g = 0.1 + shift
        g = np.where(rng.random((n, items)) < rate_g, rng.random((n, items)), 0.0)
        r = np.where(rng.random((n_ref, items)) < 0.1, rng.random((n_ref, items)), 0.0)
        return np.vstack([g, r]), shift * 0.5
    rare = 1 - 0.5 ** (1 / n)
    r = np.where(rng.random((n_ref, items)) < rare, rng.random((n_ref, items)), 0.0)
    return np.vstack([np.zeros((n, items)), r]), 0.0


MONTHS = ("2024-01", "2024-02", "2024-03")


def time_null(kind: str, n: int, args) -> tuple[list, list]:
    """Over time, no difference: a group of n articles a month against 60 a month, 3 months;
    the period-adjusted effect's p < 0.05 by the previous method (normal, bootstrap standard
    error; recomputed here) and by ``time_table``."""
    rng = np.random.default_rng(zlib.crc32(f"time:{kind}:{n}".encode()))
    old, new = [], []
    n_r = 60
    for t in range(args.tables):
        values, _truth = draw(rng, kind, 3 * n, 3 * n_r, args.items)
        index = [f"d{i}" for i in range(len(values))]
        month = np.r_[np.repeat(MONTHS, n), np.repeat(MONTHS, n_r)]
        side = np.r_[np.zeros(3 * n, dtype=np.int64), np.ones(3 * n_r, dtype=np.int64)]
        cell = side * 3 + pd.Index(MONTHS).get_indexer(month)
        s_b, c_b = poisson_group_sums(values, cell, 6, args.resamples, seed=t)
        s0 = np.stack([values[cell == c].sum(0) for c in range(6)])
        c0 = np.stack([np.full(args.items, float((cell == c).sum())) for c in range(6)])
        est = ct.adjusted_difference(s0[:3], c0[:3], s0[3:], c0[3:])
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = ct.adjusted_difference(s_b[:3], c_b[:3], s_b[3:], c_b[3:])
            se = np.nanstd(boot, axis=0, ddof=1)
            p = 2 * special.ndtr(-np.abs(est) / se)
        old.extend(np.where((se == 0) & (est == 0), 1.0, p) < 0.05)
        frame = pd.DataFrame(values, index=index)
        groups = pd.DataFrame({"doc_id": index, "outlet": np.where(side == 0, "g", "r")})
        _prev, eff = ct.time_table(
            frame,
            groups,
            pd.Series(month, index=index),
            "r",
            args.resamples,
            seed=t,
            **SETTINGS,
        )
        new.extend(eff["p_value"] < 0.05)
    return old, new


def wilson(k: int, n: int) -> str:
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{100 * p:5.1f} % [{100 * (centre - half):4.1f}, {100 * (centre + half):4.1f}]"


def run(kind, n, n_ref, args, shift=0.0):
    rng = np.random.default_rng(zlib.crc32(f"{kind}:{n}:{n_ref}:{shift}".encode()))
    out = {m: {"reject": [], "zero": [], "cover": [], "width": []} for m in ("old", "new")}
    for t in range(args.tables):
        values, truth = draw(rng, kind, n, n_ref, args.items, shift)
        for name, method in (("old", old_method), ("new", new_method)):
            res = method(values, n, args.resamples, seed=t)
            ok = np.isfinite(res["p"])
            out[name]["reject"].extend(res["p"][ok] < 0.05)
            out[name]["zero"].extend(res["width_group"][ok] <= 0)
            out[name]["cover"].extend((res["low"] <= truth) & (truth <= res["high"]))
            out[name]["width"].extend(res["high"] - res["low"])
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tables", type=int, default=40)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--resamples", type=int, default=200)
    ap.add_argument("--no-rest", action="store_true", help="leave out the n vs 200 design")
    ap.add_argument("--prior-df", type=float, default=SETTINGS["prior_df"])
    ap.add_argument("--small-n", type=int, default=SETTINGS["small_n"])
    ap.add_argument(
        "--sections", nargs="+", default=["null", "time", "planted"], help="null time planted"
    )
    args = ap.parse_args(argv)
    SETTINGS.update(prior_df=args.prior_df, small_n=args.small_n)
    designs = [("n vs n", None)] + ([] if args.no_rest else [("n vs 200", 200)])
    print(
        f"{args.tables} tables x {args.items} items per cell; {args.resamples} resamples; "
        f"new method: prior_df {args.prior_df:g}, small_n {args.small_n}"
    )
    if "null" in args.sections:
        null_section(designs, args)
    if "time" in args.sections:
        time_section(args)
    if "planted" in args.sections:
        planted_section(args)


def null_section(designs, args) -> None:
    print("\nNull: rejection rate at p < 0.05 [95 % Wilson interval]; zero-width group intervals")
    print(
        "| design | item | n | old: rejected | new: rejected | old: zero width | new: zero width |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, n_ref in designs:
        for kind in KINDS:
            for n in SIZES:
                res = run(kind, n, n_ref or n, args)
                o, w = res["old"], res["new"]
                print(
                    f"| {label} | {kind} | {n} | {wilson(sum(o['reject']), len(o['reject']))} "
                    f"| {wilson(sum(w['reject']), len(w['reject']))} "
                    f"| {100 * np.mean(o['zero']):.1f} % | {100 * np.mean(w['zero']):.1f} % |"
                )


def time_section(args) -> None:
    print(
        "\nOver time, no difference: period-adjusted effect, p < 0.05 (n a month vs 60, 3 months)"
    )
    print("| item | n a month | old: rejected | new: rejected |")
    print("|---|---|---|---|")
    for kind in ("normal", "sparse"):
        for n in (3, 10, 30):
            o, w = time_null(kind, n, args)
            print(f"| {kind} | {n} | {wilson(sum(o), len(o))} | {wilson(sum(w), len(w))} |")


def planted_section(args) -> None:
    print("\nPlanted difference: coverage of the 95 % interval, mean width, power (p < 0.05)")
    print(
        "| item | n | old: coverage | new: coverage | old: width | new: width | old: power "
        "| new: power |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind, shift in (("normal", 0.5), ("sparse", 0.1)):
        for n in SIZES:
            res = run(kind, n, n, args, shift)
            o, w = res["old"], res["new"]
            print(
                f"| {kind} | {n} | {wilson(sum(o['cover']), len(o['cover']))} "
                f"| {wilson(sum(w['cover']), len(w['cover']))} "
                f"| {np.nanmean(o['width']):.3f} | {np.nanmean(w['width']):.3f} "
                f"| {100 * np.mean(o['reject']):.1f} % | {100 * np.mean(w['reject']):.1f} % |"
            )


if __name__ == "__main__":
    main()
