"""Benchmark of the sentiment stage: VADER implementations (speed and agreement), the stage's
scoring function, bootstrap aggregation and actor matching. Prints a table; no assertions.

Sentences: the seed's own sentences plus news-like sentences generated from them (clauses of
different seed sentences recombined, some words swapped for VADER-lexicon words, negations,
boosters and "but" inserted), all distinct, so that caching of repeated sentences does not
flatter the numbers. Usage:

    PYTHONPATH=scripts python benchmarks/bench_sentiment.py [N_SENTENCES] [--seed 0]
        [--sentences results/tables/sentences [--rows 200000]]
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
TRIGGERS = [
    "not",
    "never",
    "no",
    "very",
    "extremely",
    "barely",
    "but",
    "least",
    "without doubt",
    "kind of",
    "isn't",
    "hardly",
]


def seed_sentences() -> list[str]:
    text = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")
    text = " ".join(line.strip() for line in text.splitlines() if len(line.split()) > 4)
    return [s for s in re.split(r"(?<=[.!?\u201d])\s+", text) if len(s.split()) > 3]


def news_sentences(n: int, seed: int = 0) -> list[str]:
    """n distinct news-like sentences generated from the seed (see the module docstring)."""
    from newslens.vader import FastVader

    rng = np.random.default_rng(seed)
    base = seed_sentences()
    clauses = [c.strip() for s in base for c in re.split(r",\s+|\s+-\s+", s) if len(c.split()) > 2]
    lexicon = sorted(w for w in FastVader().lexicon if w.isalpha())
    out = list(dict.fromkeys(base))
    seen = set(out)
    while len(out) < n:
        k = int(rng.integers(1, 4))
        words = ", ".join(clauses[i] for i in rng.integers(0, len(clauses), k)).split()
        for _ in range(int(rng.poisson(1.5))):
            words[int(rng.integers(len(words)))] = lexicon[int(rng.integers(len(lexicon)))]
        if rng.random() < 0.4:
            words.insert(int(rng.integers(len(words))), TRIGGERS[int(rng.integers(len(TRIGGERS)))])
        s = " ".join(words).rstrip(".,") + "."
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out[:n]


def rate(fn, items, repeat: int = 3) -> float:
    """Items per CPU-second of this process (per core; robust to other load on the machine)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn(items)
        best = min(best, time.process_time() - t0)
    return len(items) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n", type=int, nargs="?", default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--sentences",
        help="also time the stage steps on this sentence shard "
        "(results/tables/sentences of a pipeline run: the partitioned table, or one part file of it)",
    )
    ap.add_argument("--rows", type=int, default=200_000, help="rows of --sentences to use")
    args = ap.parse_args()

    from newslens.vader import FastVader, nltk_analyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as PackageVader

    sents = news_sentences(args.n, args.seed)
    n_words = sum(len(s.split()) for s in sents)
    print(
        f"{len(sents):,} distinct sentences, {n_words / len(sents):.1f} words each; rates are "
        f"per CPU-second of one core (load average {os.getloadavg()[0]:.1f})\n"
    )

    package, fast, nltk = PackageVader(), FastVader(), nltk_analyzer()
    impls = {
        "vaderSentiment 3.3.2 (package)": lambda xs: [package.polarity_scores(s) for s in xs],
        "newslens FastVader (port)": lambda xs: [fast.score(s) for s in xs],
        "NLTK SentimentIntensityAnalyzer": lambda xs: [nltk.polarity_scores(s) for s in xs],
    }
    print(f"{'implementation':<34}{'sentences/s':>12}")
    for name, fn in impls.items():
        print(f"{name:<34}{rate(fn, sents, 1 if 'NLTK' in name else 3):>12,.0f}")

    ref = np.array([tuple(package.polarity_scores(s).values()) for s in sents])
    cmp = {
        "FastVader": np.array([fast.score(s) for s in sents]),
        "NLTK": np.array([nltk.score(s) for s in sents]),
    }
    print(
        f"\nagreement with vaderSentiment  {'r(compound)':>12}{'compound ==':>12}"
        f"{'all 4 ==':>10}{'label ==':>10}"
    )
    lab = lambda c: np.where(c <= -0.05, -1, np.where(c >= 0.05, 1, 0))  # noqa: E731
    for name, got in cmp.items():
        r = np.corrcoef(ref[:, 3], got[:, 3])[0, 1]
        same_c = (ref[:, 3] == got[:, 3]).mean()
        same_all = (ref == got).all(axis=1).mean()
        same_l = (lab(ref[:, 3]) == lab(got[:, 3])).mean()
        print(f"{name:<31}{r:>12.4f}{same_c:>12.1%}{same_all:>10.1%}{same_l:>10.1%}")

    # The stage's own path: a sentence table in, a scored table out.
    n_docs = len(sents) // 18
    table = pd.DataFrame(
        {
            "doc_id": np.repeat([f"d{i:06d}" for i in range(n_docs + 1)], 18)[: len(sents)],
            "para_id": (np.arange(len(sents)) % 18) // 3,
            "sent_id": np.arange(len(sents)) % 18,
            "start": 0,
            "text": sents,
        }
    )
    stage_steps(table, "generated sentences")
    if args.sentences:
        shard = pd.read_parquet(
            args.sentences, columns=["doc_id", "para_id", "sent_id", "start", "text"]
        )
        stage_steps(shard.iloc[: args.rows], args.sentences)


ACTORS = {
    "Armenia": ["Armenia", "Armenian", "Armenians", "Yerevan", "Pashinyan", "Nikol Pashinyan"],
    "Azerbaijan": ["Azerbaijan", "Azerbaijani", "Azerbaijanis", "Azeri", "Baku", "Aliyev"],
    "Russia": ["Russia", "Russian", "Russians", "Russian Federation", "Moscow", "Putin"],
    "CSTO": ["CSTO", "Collective Security Treaty Organization"],
    "NATO": ["NATO", "North Atlantic Alliance"],
    "Ukraine": ["Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev", "Zelensky"],
}


def plain_actor_regex(actors):
    """The straightforward matcher (one group around each alias, no first-character
    lookahead), for comparison with newslens.actors.compile_actors."""
    from newslens.actors import alias_pattern, validate_actors

    aliases = sorted(
        (a for al in validate_actors(actors).values() for a in al), key=lambda a: (-len(a), a)
    )
    return re.compile(
        r"(?<!\w)(?:" + "|".join(f"({alias_pattern(a)})" for a in aliases) + r")(?!\w)"
    )


def stage_steps(table: pd.DataFrame, name: str) -> None:
    """CPU time and sentences/s of each per-shard step on one sentence table."""
    from newslens.actors import find_actor_mentions
    from newslens.sentiment import score_sentences, within_unit_ci

    steps = []
    t0 = time.process_time()
    scored = score_sentences(table)
    steps.append(("score_sentences (FastVader, DataFrame in/out)", time.process_time() - t0))
    t0 = time.process_time()
    docs = within_unit_ci(scored, ["doc_id"], resamples=1000, seed=0)
    steps.append((f"article CIs, 1000 resamples ({len(docs):,} art.)", time.process_time() - t0))
    t0 = time.process_time()
    within_unit_ci(scored, ["doc_id", "para_id"], resamples=1000, seed=0)
    steps.append(("paragraph CIs, 1000 resamples", time.process_time() - t0))
    t0 = time.process_time()
    mentions = find_actor_mentions(table, ACTORS)
    steps.append((f"actor mentions ({len(mentions):,} found)", time.process_time() - t0))
    plain = plain_actor_regex(ACTORS)
    joined = "\x00".join(table["text"].fillna("").astype(str).tolist())
    t0 = time.process_time()
    n_plain = sum(1 for _ in plain.finditer(joined))
    steps.append((f"  plain regex, scan only ({n_plain:,} found)", time.process_time() - t0))
    n = len(table)
    print(f"\n{name}: {n:,} sentences, {table['doc_id'].nunique():,} articles")
    print(f"{'stage step':<46}{'CPU s':>9}{'sentences/s':>13}")
    for step, secs in steps:
        print(f"{step:<46}{secs:>9.2f}{n / secs:>13,.0f}")


if __name__ == "__main__":
    main()
