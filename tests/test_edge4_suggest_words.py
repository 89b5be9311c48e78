"""The codebook suggestions' tokens found on the bytes of all ASCII sentences at once: the same
tokens per sentence as the regular expressions, the same term matrix as a plain definition."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from newslens.frames_suggest import _chunk_words, _term_matrix, _tokens

EDGES = [
    "",
    "   ",
    "a",
    "b",
    "rock-'n'-roll",
    "ab-cd-",
    "don't",
    "x--y",
    "'tis",
    "a'b'c d-e",
    "1st 2nd",
    "ab\ncd",
    "ABC Def-GHI",
    "e-mail's",
    "--",
    "a-",
    "-a",
    "x'",
    "'",
    "Ünïcode wörds-here don't",
    "naïve café's -a",
    "z",
    "The U.S.-led talks' end: co-operate, re-elect; 'quoted' words-",
    "tab\tsep\x00nul",
]


def random_texts(n: int = 600, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    pieces = ["war", "peace", "'", "-", " ", "  ", "Ab", "c", "é", "9", ".", ",", "x-y", "dé-ja"]
    return ["".join(rng.choice(pieces, int(rng.integers(0, 12)))) for _ in range(n)]


def per_text(texts: list[str]) -> list[list[str]]:
    rows, codes, uniques = _chunk_words(texts)
    out: list[list[str]] = [[] for _ in texts]
    for row, code in zip(rows.tolist(), codes.tolist(), strict=True):
        out[row].append(uniques[code])
    return out


@pytest.mark.parametrize("texts", [EDGES, EDGES[::-1], random_texts(), random_texts(seed=1)[:7]])
def test_chunk_words_are_the_regex_tokens_of_each_text(texts):
    assert per_text(texts) == _tokens(texts)
    rows, codes, uniques = _chunk_words(texts)
    assert len(set(uniques)) == len(uniques) and codes.max() < len(uniques)
    # each text's tokens in order: sentences touching each other do not join tokens
    assert per_text(["ab", "cd", "-e", "f'", "g"]) == [["ab"], ["cd"], ["e"], ["f"], ["g"]]


def test_chunk_words_of_no_text_or_no_token():
    for texts in ([], [""], ["", " ", "123"]):
        rows, codes, uniques = _chunk_words(texts)
        assert len(rows) == len(codes) == len(uniques) == 0


def plain_term_matrix(texts, indicators, normalizer, stopwords, min_length):
    """The term matrix by its definition: per sentence the set of its terms."""
    surface: dict[str, Counter] = {}
    sets = []
    for words in _tokens(texts):
        terms = set()
        for w in words:
            norm = None if len(w) < min_length or w in stopwords else (normalizer(w) or None)
            if norm is None or norm in indicators or w in indicators:
                continue
            terms.add(norm)
            surface.setdefault(norm, Counter())[w] += 1
        sets.append(terms)
    vocab = sorted(surface)
    dense = np.zeros((len(texts), len(vocab)))
    col = {t: j for j, t in enumerate(vocab)}
    for i, terms in enumerate(sets):
        dense[i, [col[t] for t in terms]] = 1.0
    return dense, vocab, {t: dict(c) for t, c in surface.items()}


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_term_matrix_is_the_plain_definition(chunk):
    texts = EDGES + random_texts(300) + EDGES
    normalizer = lambda w: w.rstrip("s") if w != "dropped" else ""  # noqa: E731
    X, terms, surface = _term_matrix(texts, {"war"}, normalizer, {"the", "c"}, 2, chunk=chunk)
    dense, vocab, counts = plain_term_matrix(texts, {"war"}, normalizer, {"the", "c"}, 2)
    assert list(terms) == vocab and "peace" in vocab and "war" not in vocab
    assert X.format == "csc" and X.dtype == np.float64 and X.shape == dense.shape
    assert (X.toarray() == dense).all()
    assert surface == counts
