"""cmp9's two compare_groups steps, old way against new, alternating in one process on a kept
run's tables (function level: no start-up, imports or figures).

    python benchmarks/bench_compare_shared_pass.py RUN_DIR [--pairs 6] [--by outlet]

``pass``: frames and topics by group and over time, a call per kind (old) against
``compare_over_time.shared_pass`` (new). ``actors``: the actor table read with string columns,
its pivot, top actors and actor keys (old) against ``compare_actors.read_actor_rows``
(categorical) and the same steps on integer codes (new). Prints each pair's CPU-seconds
(process time), the paired difference new - old with a percentile bootstrap 95 % interval over
pairs (``common.mean_interval``), and checks that both ways give equal results.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, mean_interval, verdict  # noqa: E402

sys.path.insert(0, str(REPO / "scripts"))
from newslens import compare as cp  # noqa: E402
from newslens import compare_actors as ca  # noqa: E402
from newslens import compare_over_time as ct  # noqa: E402
from newslens.runtime import read_parquet  # noqa: E402


def pass_steps(run_dir: Path, by: list[str]):
    cfg = yaml.safe_load((run_dir / "config" / "config.yaml").read_text())
    c = cfg["compare"]
    tables = run_dir / "results" / "tables"
    docs = cp.read_documents(tables / "documents.csv", by)
    groups = cp.read_groups(tables / "documents.csv", by, docs)
    periods = cp.read_periods(tables / "documents.csv", c["time"]["period"], docs)
    values = {
        "frames": cp.read_item_values("frames", tables / "frames_documents.csv"),
        "topics": cp.read_item_values("topics", tables / "topic_articles.csv"),
    }
    boot = c["bootstrap"]
    kw = {
        "resamples": boot["resamples"],
        "confidence": boot["confidence"],
        "seed": boot["seed"],
        "min_articles": c["min_articles"],
    }
    tk = {"periods": periods, "model": c["time"]["model"], "df": c["time"]["spline_df"]}
    bounds = {"frames": (0.0, 1.0), "topics": (0.0, 1.0)}

    def old():
        out = {}
        for k, v in values.items():
            g = cp.group_differences(v, groups, "rest", **kw, bounds=bounds[k])
            t = ct.time_table(v, groups, reference="rest", **kw, bounds=bounds[k], **tk)
            out[k] = (g, *t)
        return out

    def new():
        g = ct.shared_pass(
            cp.group_differences, values, bounds, groups=groups, reference="rest", **kw
        )
        t = ct.shared_pass(
            ct.time_table, values, bounds, groups=groups, reference="rest", **kw, **tk
        )
        return {k: (g[k], *t[k]) for k in values}

    return old, new


def actor_steps(run_dir: Path):
    path = run_dir / "results" / "tables" / "sentiment_actor_sentences" / "_manifest.json"
    cols = ["doc_id", "sent_id", "actor", "compound"]

    def steps(rows):
        pivot = cp.actor_article_sentiment(rows[["doc_id", "actor", "compound"]])
        top = ca.top_actors(rows, 30)
        keys = ca._actor_keys(rows, top)
        return pivot, top, keys["doc_codes"], keys["actor"]

    return (lambda: steps(read_parquet(path, columns=cols))), (
        lambda: steps(ca.read_actor_rows(path, cols))
    )


def equal(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, pd.DataFrame):
        return a.equals(b) and list(a.columns) == list(b.columns) and a.index.equals(b.index)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--by", nargs="+", default=["outlet"])
    ap.add_argument("--steps", nargs="+", default=["pass", "actors"])
    args = ap.parse_args()
    for step in args.steps:
        old, new = (
            pass_steps(args.run_dir, args.by) if step == "pass" else actor_steps(args.run_dir)
        )
        assert equal(old(), new()), f"{step}: old and new differ"  # also warms the caches
        got = {"old": [], "new": []}
        for pair in range(args.pairs):
            for side in ("old", "new") if pair % 2 == 0 else ("new", "old"):
                t = time.process_time()
                (old if side == "old" else new)()
                got[side].append(time.process_time() - t)
            print(
                f"{step} pair {pair + 1}: old {got['old'][-1]:.3f} new {got['new'][-1]:.3f} "
                f"CPU-s (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        d = np.array(got["new"]) - np.array(got["old"])
        lo, hi = mean_interval(d)
        print(
            f"{args.run_dir.name} {step}: old {np.mean(got['old']):.3f}, new "
            f"{np.mean(got['new']):.3f} CPU-s, new - old {d.mean():+.3f} [{lo:+.3f}, {hi:+.3f}] "
            f"({verdict(lo, hi)}; loses = new is cheaper); results equal"
        )


if __name__ == "__main__":
    main()
