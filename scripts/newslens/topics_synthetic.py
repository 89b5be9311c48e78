"""Synthetic corpora with planted topics, for tests and benchmarks (no download needed).

Each document has one known category. Its words are drawn from a mixture of a shared
Zipf-distributed background vocabulary (the words every news article uses), its category's own
Zipf-distributed vocabulary, and, with a small weight, a second random category's vocabulary,
so that categories overlap as real news sections do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse


def _zipf(n: int, s: float = 1.05) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def planted_counts(
    n_docs: int,
    n_topics: int = 5,
    words_per_topic: int = 200,
    background_words: int = 2000,
    doc_length: int = 150,
    background_share: float = 0.4,
    second_share: float = 0.15,
    seed: int = 0,
) -> tuple[sparse.csr_matrix, np.ndarray, list[str]]:
    """A units x terms count matrix, each unit's planted category, and the vocabulary.

    Vocabulary: ``background_words`` shared words ("bg123"), then ``words_per_topic`` words per
    category ("t3w17"). ``background_share = 0`` and ``second_share = 0`` give disjoint topics.
    """
    rng = np.random.default_rng(seed)
    vocab = [f"bg{i}" for i in range(background_words)] + [
        f"t{t}w{i}" for t in range(n_topics) for i in range(words_per_topic)
    ]
    v = len(vocab)
    labels = rng.integers(0, n_topics, size=n_docs)
    second = (labels + rng.integers(1, max(n_topics, 2), size=n_docs)) % n_topics
    p_bg, p_t = _zipf(background_words), _zipf(words_per_topic)
    lengths = np.maximum(5, rng.poisson(doc_length, size=n_docs))
    n_bg = rng.binomial(lengths, background_share)
    n_sec = rng.binomial(lengths - n_bg, second_share)
    n_main = lengths - n_bg - n_sec
    rows, cols = [], []
    for d in range(n_docs):
        parts = []
        if n_bg[d] and background_words:
            parts.append(rng.choice(background_words, size=n_bg[d], p=p_bg))
        base = background_words + labels[d] * words_per_topic
        parts.append(base + rng.choice(words_per_topic, size=n_main[d], p=p_t))
        if n_sec[d]:
            base2 = background_words + second[d] * words_per_topic
            parts.append(base2 + rng.choice(words_per_topic, size=n_sec[d], p=p_t))
        w = np.concatenate(parts)
        rows.append(np.full(len(w), d))
        cols.append(w)
    r, c = np.concatenate(rows), np.concatenate(cols)
    x = sparse.coo_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n_docs, v)).tocsr()
    x.sum_duplicates()
    return x, labels, vocab


def planted_tokens(
    n_docs: int,
    n_topics: int = 4,
    words_per_topic: int = 30,
    doc_length: int = 60,
    paragraphs: int = 1,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """A token table (data contract columns) of ``n_docs`` articles with disjoint planted
    topics, every 10th token a stopword ("the"), and the articles' categories."""
    rng = np.random.default_rng(seed)
    rows, labels = [], {}
    for d in range(n_docs):
        doc_id = f"d{d:05d}"
        topic = int(rng.integers(0, n_topics))
        labels[doc_id] = topic
        words = rng.choice(words_per_topic, size=doc_length, p=_zipf(words_per_topic))
        per_para = int(np.ceil(doc_length / paragraphs))
        for i, w in enumerate(words):
            stop = i % 10 == 9
            token = "the" if stop else f"topic{topic}word{w}"
            rows.append(
                (
                    doc_id,
                    i // per_para,
                    i // 12,
                    i,
                    token,
                    token,
                    "" if stop else token,
                    stop,
                    not stop,
                )
            )
    tokens = pd.DataFrame(
        rows,
        columns=[
            "doc_id",
            "para_id",
            "sent_id",
            "tok_id",
            "token",
            "lower",
            "term",
            "is_stop",
            "keep",
        ],
    )
    return tokens, pd.Series(labels, name="category")
