"""The codebook suggestions' term matrix (newslens.frames_suggest._term_matrix), built from
each chunk's distinct (sentence, term) pairs in one pass: binary, canonical CSC, the same for
every chunk size, and equal to a per-sentence set count on a random corpus."""

from __future__ import annotations

import numpy as np
import pytest
from newslens.frames_suggest import TOKEN_RE, _term_matrix

WORDS = ["troops", "Troop", "border", "aid", "İzmir", "army’s", "peace-keeping", "the", "at", "7"]


def corpus(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=rng.integers(0, 9))) for _ in range(n)]


def stem(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def expected(texts, indicators, stopwords, min_length):
    """Sentence -> set of terms, by the definition (module doc of frames_suggest)."""
    out = []
    for t in texts:
        terms = set()
        for w in (m.group().lower() for m in TOKEN_RE.finditer(t)):
            if len(w) < min_length or w in stopwords:
                continue
            norm = stem(w)
            if norm and norm not in indicators and w not in indicators:
                terms.add(norm)
        out.append(terms)
    return out


@pytest.mark.parametrize("chunk", [1, 7, 100, 20_000])
def test_matrix_is_the_set_of_terms_of_each_sentence(chunk):
    texts = corpus(600)
    x, terms, surface = _term_matrix(texts, {"aid"}, stem, {"the"}, 3, chunk=chunk)
    want = expected(texts, {"aid"}, {"the"}, 3)
    assert list(terms) == sorted(set().union(*want))
    assert x.format == "csc" and x.has_canonical_format and x.shape == (600, len(terms))
    assert set(np.unique(x.data)) == {1.0}
    got = [{terms[j] for j in x.getrow(i).indices} for i in range(600)]
    assert got == want
    # surface forms count every token, not once per sentence
    n_troops = sum(t.lower().split().count("troops") for t in texts)
    assert surface["troop"]["troops"] == n_troops


def test_no_terms_and_no_sentences():
    x, terms, surface = _term_matrix(["the at 7", ""], set(), stem, {"the"}, 3)
    assert x.shape == (2, 0) and x.nnz == 0 and len(terms) == 0 and surface == {}
    x, terms, surface = _term_matrix([], set(), stem, set(), 3)
    assert x.shape == (0, 0) and surface == {}
