"""Build a synthetic news corpus of N articles from the seed's real sentences, resampled.

Each article gets a title line, a date line, and 8-20 paragraphs of 1-3 sentences drawn at
random from the seed (after cleaning), with a Zipf-distributed share of words replaced by
pseudo-words from a 50,000-word vocabulary so that the vocabulary grows with the corpus the way
a real one does (the seed alone has ~400 word types). Usage:

    python benchmarks/synthetic_corpus.py N out.parquet [--seed 0]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]


def seed_sentences() -> list[str]:
    from newslens.clean import CleaningRules, clean_article

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    text = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")
    article = clean_article(text, CleaningRules.from_config(cfg["cleaning"]))
    return [
        s for s in re.split(r"(?<=[.!?\"])\s+", article.text.replace("\n\n", " ")) if len(s) > 20
    ]


def pseudo_vocabulary(n: int, rng: np.random.Generator) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(4, 11, size=n)
    return np.array(["".join(rng.choice(letters, size=k)) for k in lengths], dtype=object)


def build_corpus(n_articles: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sentences = seed_sentences()
    vocab = pseudo_vocabulary(50_000, rng)
    zipf_p = 1.0 / np.arange(1, len(vocab) + 1)
    zipf_p /= zipf_p.sum()
    # all random draws up front, vectorised (a per-paragraph weighted choice over 50k words
    # would dominate the cost of building a large corpus)
    n_paras = rng.integers(8, 21, size=n_articles)
    total_paras = int(n_paras.sum())
    n_sents = rng.integers(1, 4, size=total_paras)
    picks = iter(rng.integers(0, len(sentences), size=int(n_sents.sum())).tolist())
    swap_pool = iter(vocab[rng.choice(len(vocab), size=total_paras * 30, p=zipf_p)].tolist())
    unit = iter(rng.random(total_paras * 30).tolist())
    rows, para_index = [], 0
    for i in range(n_articles):
        paras = []
        for _ in range(int(n_paras[i])):
            k = int(n_sents[para_index])
            para_index += 1
            words = " ".join(sentences[next(picks)] for _ in range(k)).split(" ")
            for _ in range(max(1, len(words) // 8)):
                words[int(next(unit) * len(words))] = next(swap_pool)
            paras.append(" ".join(words))
        day = 1 + i % 28
        rows.append(
            {
                "id": f"a{i:07d}",
                "text": f"Synthetic article {i}\n\nDate of publication: {day} November 2022\n\n"
                + "\n\n".join(paras),
                "outlet": f"outlet{i % 7}",
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build_corpus(args.n, args.seed).to_parquet(args.out, index=False)
    print(f"wrote {args.n} articles to {args.out}")


if __name__ == "__main__":
    main()
