"""Codebook suggestions counted by word type (newslens.frames_suggest._term_matrix) give the
same table as the per-token CountVectorizer analyzer they replace, on ASCII and non-ASCII
sentences (Turkish dotted capital I, curly apostrophes, Greek, digits, hyphens)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from newslens import frames_suggest
from newslens.frames_suggest import TOKEN_RE, _term_matrix, suggest_terms
from sklearn.feature_extraction.text import CountVectorizer


def reference_matrix(texts, indicators, normalizer, stopwords, min_length):
    """The former implementation: a per-token analyzer inside CountVectorizer."""
    surface: dict[str, dict[str, int]] = {}

    def analyzer(text):
        out = []
        for m in TOKEN_RE.finditer(text):
            w = m.group().lower()
            norm = None if len(w) < min_length or w in stopwords else (normalizer(w) or None)
            if norm is not None and (norm in indicators or w in indicators):
                norm = None
            if norm is not None:
                out.append(norm)
                forms = surface.setdefault(norm, {})
                forms[w] = forms.get(w, 0) + 1
        return out

    vec = CountVectorizer(analyzer=analyzer, binary=True, dtype=np.float64)
    x = vec.fit_transform(texts).tocsc()
    return x, vec.get_feature_names_out(), surface


TEXTS = [
    "Troops crossed the border at dawn, officials said.",
    "The ceasefire talks in İstanbul stalled; ΟΔΟΣ closed.",
    "Peace-keeping forces won't leave: the army’s 2nd unit stayed.",
    "Refugees fled the shelling -- border camps filled.",
    "",
    "1234 5678",
    "Officials said the ceasefire held. Troops, troops and TROOPS.",
    "Ministers met in Zürich over the border dispute's costs.",
]


def stem(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def test_term_matrix_equals_the_countvectorizer_analyzer():
    args = ({"border"}, stem, {"the", "and", "over"}, 3)
    x, terms, surface = _term_matrix(TEXTS, *args)
    rx, rterms, rsurface = reference_matrix(TEXTS, *args)
    assert list(terms) == list(rterms)
    assert (x != rx).nnz == 0 and x.dtype == rx.dtype
    assert surface == rsurface
    # known answers: "troops" three times in one sentence and once in another, binary per
    # sentence; the indicator "border" and stopwords are never terms
    col = list(terms).index("troop")
    assert x[:, col].toarray().ravel().tolist() == [1, 0, 0, 0, 0, 0, 1, 0]
    assert surface["troop"] == {"troops": 4}
    assert "border" not in terms and "the" not in terms
    assert "i̇stanbul" in terms  # lowercased dotted capital I, as str.lower gives it


def test_term_matrix_does_not_depend_on_the_chunk_size():
    """Sentences are tokenised a chunk at a time (bounded memory): any chunk size gives the
    same matrix, terms and surface forms (in the same order) as one chunk."""
    args = ({"border"}, stem, {"the", "and", "over"}, 3)
    whole = _term_matrix(TEXTS * 3, *args, chunk=10_000)
    for chunk in (1, 2, 5):
        x, terms, surface = _term_matrix(TEXTS * 3, *args, chunk=chunk)
        assert (x != whole[0]).nnz == 0 and x.shape == whole[0].shape
        assert list(terms) == list(whole[1])
        assert list(surface.items()) == list(whole[2].items())
    assert whole[2]["troop"] == {"troops": 12}


def test_suggest_terms_table_unchanged(monkeypatch):
    rng = np.random.default_rng(3)
    words = ["troops", "ceasefire", "talks", "shelling", "refugees", "camps", "aid", "İzmir"]
    texts = [" ".join(rng.choice(words, size=8)) + "." for _ in range(400)]
    labels = [
        "conflict" if "shelling" in t else ("humanitarian" if "aid" in t else "") for t in texts
    ]
    sentences = pd.DataFrame({"text": texts, "labels": labels})
    args = (["conflict", "humanitarian"], {"conflict": "Conflict"}, {"shelling"}, stem, set())
    fast = suggest_terms(sentences, *args, min_count=2)
    monkeypatch.setattr(frames_suggest, "_term_matrix", reference_matrix)
    slow = suggest_terms(sentences, *args, min_count=2)
    assert len(fast) > 0
    pd.testing.assert_frame_equal(fast, slow)
