"""Cost of the per-(article, actor) lexicon scores (rule actor_articles) on synthetic tables.

Builds a sentence-score table of N articles x S sentences and a mention table (each article
names K of A actors in a few sentences), then times ``actor_article_scores`` with the lean
default (``variants: false``) and with every variant column, one core, medians of reps.

    PYTHONPATH=scripts python benchmarks/bench_actor_articles.py [N] [--sentences 30]
        [--actors 6] [--per-article 2] [--reps 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from newslens.actor_sentiment import actor_article_scores


def tables(n: int, s: int, actors: int, per_article: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    doc = np.repeat(np.array([f"d{i:07d}" for i in range(n)], dtype=object), s)
    scores = pd.DataFrame(
        {"doc_id": doc, "sent_id": np.tile(np.arange(s), n), "compound": rng.uniform(-1, 1, n * s)}
    )
    k = n * per_article * 2  # two mentions per (article, actor) on average
    mentions = pd.DataFrame(
        {
            "doc_id": np.array([f"d{i:07d}" for i in range(n)], dtype=object)[
                np.repeat(np.arange(n), per_article * 2)
            ],
            "sent_id": rng.integers(0, s, k),
            "actor": np.array([f"actor{a}" for a in range(actors)], dtype=object)[
                rng.integers(0, actors, k)
            ],
        }
    )
    return scores, mentions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=50_000)
    ap.add_argument("--sentences", type=int, default=30)
    ap.add_argument("--actors", type=int, default=6)
    ap.add_argument("--per-article", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    scores, mentions = tables(args.n, args.sentences, args.actors, args.per_article)
    print(f"{args.n} articles, {len(scores)} sentences, {len(mentions)} mentions")
    for name, variants in (("default (sentences, lean)", False), ("all variants", True)):
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            out = actor_article_scores(scores, mentions, "sentences", variants=variants)
            times.append(time.perf_counter() - t0)
        t = statistics.median(times)
        print(f"{name:28s} {t:7.2f} s  {len(out)} pairs  {len(scores) / t / 1e3:8.0f}k sentences/s")


if __name__ == "__main__":
    main()
