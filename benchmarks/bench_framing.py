"""Throughput of the codebook frame classifier (sentences/s, articles/s).

Builds a synthetic corpus from the seed article's sentences (shuffled into articles of 18
sentences) and times, on one core: normalise + one compiled matcher + sentence scores, then
article aggregation; and, for comparison, the same hits found with one regex per indicator.

    PYTHONPATH=scripts python benchmarks/bench_framing.py [n_articles] [codebook]
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from newslens.codebook import Matcher, load_codebook, normalize_words
from newslens.framing import aggregate, classify_sentences, split_sentences
from newslens.tokenize import make_normalizer

REPO = Path(__file__).resolve().parents[1]


def corpus(n_articles: int, per_article: int = 18, seed: int = 0) -> pd.DataFrame:
    text = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")
    sents = [s for s in split_sentences(text) if len(s.split()) > 4]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(sents), size=n_articles * per_article)
    return pd.DataFrame(
        {
            "doc_id": np.repeat([f"d{i}" for i in range(n_articles)], per_article),
            "para_id": np.tile(np.arange(per_article) // 3, n_articles),
            "sent_id": np.tile(np.arange(per_article), n_articles),
            "text": [sents[i] for i in idx],
        }
    )


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    cb_path = sys.argv[2] if len(sys.argv) > 2 else REPO / "config/codebooks/policy_frames.yaml"
    cb = load_codebook(cb_path, "stem", schema_path=REPO / "workflow/schemas/codebook.schema.yaml")
    norm = make_normalizer("stem", "english")
    df = corpus(n)
    opts = {
        "min_weight": 1.0,
        "relative_threshold": 0.5,
        "negation_window": 3,
        "negation_cues": ["not", "no", "never", "without"],
    }
    classify_sentences(df.head(500), cb, Matcher(cb), norm, opts)  # warm the stem cache
    t0 = time.perf_counter()
    matcher = Matcher(cb)
    t1 = time.perf_counter()
    table, hits = classify_sentences(df, cb, matcher, norm, opts)
    t2 = time.perf_counter()
    aggregate(table, ["doc_id"], cb)
    aggregate(table, ["doc_id", "para_id"], cb)
    t3 = time.perf_counter()
    total = t3 - t0
    print(f"codebook: {cb.name}: {len(cb.indicators)} indicators, {len(cb.frames)} frames")
    print(f"corpus: {n} articles, {len(df)} sentences, {len(hits)} hits")
    print(f"compile matcher: {1000 * (t1 - t0):.1f} ms")
    print(f"match + sentence scores: {len(df) / (t2 - t1):,.0f} sentences/s")
    print(f"aggregate to paragraphs + articles: {n / (t3 - t2):,.0f} articles/s")
    print(f"all: {len(df) / total:,.0f} sentences/s, {n / total:,.0f} articles/s")

    # comparison: one regex per indicator phrase over the same normalised sentences
    lines = [" ".join(normalize_words(t, norm)) for t in df["text"].head(len(df) // 10)]
    regexes = [
        re.compile(r"(?<!\S)" + re.escape(i.norm) + r"(?!\S)")
        for i in cb.indicators
        if i.kind == "term"
    ]
    t4 = time.perf_counter()
    n_hits = sum(len(r.findall(line)) for line in lines for r in regexes)
    t5 = time.perf_counter()
    t6 = time.perf_counter()
    n_hits2 = sum(1 for line in lines for _ in matcher.find(line))
    t7 = time.perf_counter()
    print(
        f"matching only, one regex per indicator: {len(lines) / (t5 - t4):,.0f} sentences/s "
        f"({n_hits} hits); one compiled trie regex: {len(lines) / (t7 - t6):,.0f} "
        f"sentences/s ({n_hits2} hits, longest match, no overlaps)"
    )


if __name__ == "__main__":
    main()
