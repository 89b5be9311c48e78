"""Build a synthetic news corpus of N articles from the seed's real sentences, resampled.

Each article gets a title line, a date line, and paragraphs of sentences drawn at random from
the seed (after cleaning). The default shape, 5-15 paragraphs of 1-2 sentences (~15 sentences,
~450 tokens), is that of typical news (the reference corpus in shared/reference/measurements.md
has ~18 sentences and ~390 tokens per article); `--long` gives 8-20 paragraphs of 1-3 sentences
(~24 sentences, ~825 tokens), twice that. Sentences get a Zipf-distributed share of words replaced by pseudo-words from a 50,000-word vocabulary so that the vocabulary grows with the corpus the way
a real one does (the seed alone has ~400 word types). Usage:

    python benchmarks/synthetic_corpus.py N out.parquet [--seed 0] [--long]
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


def uniform_chunks(rng: np.random.Generator, n: int, skip: int = 0, chunk: int = 1 << 20):
    """The n uniforms ``rng.random(n)`` would give after ``skip`` earlier ones, in chunks (from a
    copy of rng's PCG64 state: one 64-bit step per double)."""
    bit_generator = np.random.PCG64()
    bit_generator.state = rng.bit_generator.state
    if skip:
        bit_generator.advance(skip)
    copy = np.random.Generator(bit_generator)
    for start in range(0, n, chunk):
        yield copy.random(min(chunk, n - start))


TYPICAL_SHAPE = {"paragraphs": (5, 15), "sentences_per_paragraph": (1, 2)}
LONG_SHAPE = {"paragraphs": (8, 20), "sentences_per_paragraph": (1, 3)}


def build_corpus(
    n_articles: int,
    seed: int = 0,
    paragraphs: tuple[int, int] = TYPICAL_SHAPE["paragraphs"],
    sentences_per_paragraph: tuple[int, int] = TYPICAL_SHAPE["sentences_per_paragraph"],
) -> pd.DataFrame:
    """N synthetic articles; paragraph and sentence counts uniform in the inclusive ranges."""
    rng = np.random.default_rng(seed)
    sentences = seed_sentences()
    vocab = pseudo_vocabulary(50_000, rng)
    zipf_p = 1.0 / np.arange(1, len(vocab) + 1)
    zipf_p /= zipf_p.sum()
    # all random draws up front, vectorised (a per-paragraph weighted choice over 50k words
    # would dominate the cost of building a large corpus)
    n_paras = rng.integers(paragraphs[0], paragraphs[1] + 1, size=n_articles)
    total_paras = int(n_paras.sum())
    n_sents = rng.integers(
        sentences_per_paragraph[0], sentences_per_paragraph[1] + 1, size=total_paras
    )
    picks = iter(rng.integers(0, len(sentences), size=int(n_sents.sum())).tolist())
    # the Zipf word draws and the swap positions, drawn in chunks from the generator's state as
    # if drawn at once (the same corpus; drawn at once they took ~20 GB at 1M articles)
    n_draws = total_paras * 30
    cdf = zipf_p.cumsum()
    cdf /= cdf[-1]
    swap_pool = (vocab[cdf.searchsorted(u, side="right")] for u in uniform_chunks(rng, n_draws))
    swap_pool = (word for chunk in swap_pool for word in chunk.tolist())
    unit = (x for chunk in uniform_chunks(rng, n_draws, skip=n_draws) for x in chunk.tolist())
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
    parser.add_argument("--long", action="store_true", help="articles twice the typical length")
    args = parser.parse_args()
    shape = LONG_SHAPE if args.long else TYPICAL_SHAPE
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build_corpus(args.n, args.seed, **shape).to_parquet(args.out, index=False)
    print(f"wrote {args.n} articles to {args.out}")


if __name__ == "__main__":
    main()
