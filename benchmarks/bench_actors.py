"""Benchmark of the actor steps with many actors: actor_mentions, sentiment_actors and
frames_actors on one synthetic corpus, run through the pipeline three times by config
overlays in one temporary working directory (the upstream steps run once):

1. the 6 default actors (baseline);
2. 1,000 global actors (the 6 plus 994 synthetic person names, each with two aliases:
   full name and surname);
3. the 6 default actors plus per-article targets from a table (actor_targets.file): each
   article's own 1-2 synthetic persons, 994 distinct target actors.

The corpus (benchmarks/synthetic_corpus.py) gets, in every run, the same 1-3 extra
sentences per article naming synthetic persons, so the three runs read the same text.
Prints, per run, the mentions found, each step's wall and CPU seconds and peak memory (from
the rules' benchmark files), the total against the baseline, and the actor figures' sizes
in pixels. Usage:

    PYTHONPATH=scripts python benchmarks/bench_actors.py [N_ARTICLES] [--cores 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    job_table,
    read_config,
    rule_table,
    run_snakemake,
    write_config,
    write_corpus,
)

STEPS = ["actor_mentions", "sentiment_actors", "frames_actors"]
TARGETS = ["results/tables/sentiment_actors.csv", "results/tables/frames_actors.csv"]


def person_names(n: int, rng: np.random.Generator) -> list[str]:
    """n distinct capitalised two-word pseudo names."""
    syll = ["ka", "lo", "mer", "vin", "do", "sa", "ret", "ul", "bra", "tis", "no", "gar", "he"]
    names: list[str] = []
    seen = set()
    while len(names) < n:
        first = "".join(rng.choice(syll, size=2)).capitalize()
        last = "".join(rng.choice(syll, size=3)).capitalize()
        if last not in seen:
            seen.add(last)
            names.append(f"{first} {last}")
    return names


def build(n_articles: int, seed: int, out: Path) -> tuple[list[str], pd.DataFrame]:
    from synthetic_corpus import build_corpus

    rng = np.random.default_rng(seed)
    names = person_names(994, rng)
    if (out / "corpus.parquet").exists() and (out / "targets.csv").exists():
        return names, pd.read_csv(out / "targets.csv")  # a kept working directory: reuse
    corpus = build_corpus(n_articles, seed)
    p = 1.0 / np.arange(1, len(names) + 1) ** 0.8
    p /= p.sum()
    texts, targets = [], []
    for doc_id, text in zip(corpus["id"], corpus["text"], strict=True):
        people = rng.choice(len(names), size=int(rng.integers(1, 3)), replace=False, p=p)
        extra = []
        for k in range(int(rng.integers(1, 4))):
            who = names[people[k % len(people)]]
            surname = who.split()[1]
            extra.append(f"{who} met officials on Tuesday, and {surname} praised the talks.")
        texts.append(text + "\n\n" + " ".join(extra))
        for i in people:
            targets.append((doc_id, names[i], f"{names[i]}; {names[i].split()[1]}"))
    corpus["text"] = texts
    write_corpus(corpus, out / "corpus.parquet")
    table = pd.DataFrame(targets, columns=["doc_id", "actor", "aliases"])
    table.to_csv(out / "targets.csv", index=False)
    return names, table


def run(workdir: Path, cfg: dict, cores: int) -> None:
    write_config(workdir, base=cfg)
    run_snakemake(workdir, *TARGETS, cores=cores, quiet=["all"])


def measure(workdir: Path) -> dict:
    rules = rule_table(job_table(workdir))
    out = {}
    for step in STEPS:
        out[f"{step}_s"] = float(rules.loc[step, "seconds"])
        out[f"{step}_cpu"] = float(rules.loc[step, "cpu_seconds"])
        out[f"{step}_rss"] = float(rules.loc[step, "max_rss_mb"])
    mentions = pd.concat(
        pd.read_parquet(p, columns=["actor"])
        for p in sorted((workdir / "results/interim/actors").glob("*.parquet"))
    )
    out["mentions"] = len(mentions)
    out["actors_named"] = mentions["actor"].nunique()
    from PIL import Image

    for fig in ("sentiment_actors", "frames_actors"):
        with Image.open(workdir / "results" / "figures" / f"{fig}.png") as im:
            out[f"{fig}_px"] = "x".join(map(str, im.size))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="working directory to keep (default: temp)")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench_actors_"))
    workdir.mkdir(parents=True, exist_ok=True)
    names, _ = build(args.n, args.seed, workdir)
    base = read_config()
    base["corpus"].update(path=str(workdir / "corpus.parquet"), format="parquet")
    base["corpus"]["columns"].update(id="id", text="text")
    many = {**base["actors"], **{n: [n, n.split()[1]] for n in names}}
    runs = {
        "6 actors": base,
        "1,000 actors": {**base, "actors": many},
        "6 + 994 targets": {
            **base,
            "actor_targets": {"file": str(workdir / "targets.csv")},
        },
    }
    rows = {}
    for label, cfg in runs.items():
        run(workdir, cfg, args.cores)
        rows[label] = measure(workdir)
    table = pd.DataFrame(rows).T
    base_total = sum(table.loc["6 actors", f"{s}_s"] for s in STEPS)
    base_cpu = sum(table.loc["6 actors", f"{s}_cpu"] for s in STEPS)
    table["total_s"] = sum(table[f"{s}_s"] for s in STEPS)
    table["total_cpu"] = sum(table[f"{s}_cpu"] for s in STEPS)
    table["x_baseline_wall"] = (table["total_s"] / base_total).round(2)
    table["x_baseline_cpu"] = (table["total_cpu"] / base_cpu).round(2)
    pd.set_option("display.width", 200)
    print(f"{args.n} synthetic articles, {args.cores} cores, workdir {workdir}")
    cols = ["mentions", "actors_named"] + [f"{s}_s" for s in STEPS] + ["total_s", "total_cpu"]
    cols += ["x_baseline_wall", "x_baseline_cpu"] + [f"{s}_rss" for s in STEPS]
    cols += [f"{s}_cpu" for s in STEPS]
    print(table[cols].to_string())
    print(table[["sentiment_actors_px", "frames_actors_px"]].to_string())
    if not args.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
