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


def news_like_counts(
    n_docs: int,
    n_topics: int = 5,
    vocab_size: int = 8000,
    words_per_topic: int = 400,
    overlap: float = 0.3,
    subtopics: int = 3,
    subtopic_share: float = 0.3,
    background_share: float = 0.5,
    second_share: float = 0.1,
    doc_length: float = 200.0,
    zipf: float = 1.07,
    seed: int = 0,
) -> tuple[sparse.csr_matrix, np.ndarray, list[str]]:
    """A news-like units x terms count matrix with ``n_topics`` planted sections, each unit's
    section, and the vocabulary.

    Closer to real news than ``planted_counts``: one Zipf-ranked vocabulary of ``vocab_size``
    words (a word's background frequency falls with its rank, exponent ``zipf``) from which
    every section *borrows* its ``words_per_topic`` characteristic words, a share ``overlap``
    of them taken from other sections' lists (news sections share words: "minister" in
    politics and business); within a section ``subtopics`` stories with their own Zipf
    weights over the section's words (football vs tennis in sport), a story's words making
    ``subtopic_share`` of the section part; log-normal document lengths around
    ``doc_length`` terms (after stopwords); a share ``background_share`` of each document from
    the general vocabulary and ``second_share`` from a second random section.
    """
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(vocab_size)]
    p_bg = _zipf(vocab_size, zipf)
    # characteristic words: mid-frequency ranks (the most frequent words are function-like)
    pool = np.arange(min(50, vocab_size // 10), vocab_size)
    own = [rng.choice(pool, size=words_per_topic, replace=False) for _ in range(n_topics)]
    words = []
    for t in range(n_topics):
        n_shared = int(round(overlap * words_per_topic)) if n_topics > 1 else 0
        others = np.concatenate([own[u] for u in range(n_topics) if u != t]) if n_shared else []
        shared = rng.choice(others, size=n_shared, replace=False) if n_shared else []
        w = np.concatenate([own[t][: words_per_topic - n_shared], np.asarray(shared, int)])
        words.append(rng.permutation(w).astype(np.int64))
    p_topic = _zipf(words_per_topic, 0.9)
    story_p = []
    for _t in range(n_topics):
        sp = []
        for _ in range(max(subtopics, 1)):
            q = rng.permutation(p_topic)
            sp.append(q / q.sum())
        story_p.append(sp)
    labels = rng.integers(0, n_topics, size=n_docs)
    second = (labels + rng.integers(1, max(n_topics, 2), size=n_docs)) % n_topics
    story = rng.integers(0, max(subtopics, 1), size=n_docs)
    sigma = 0.5
    lengths = np.maximum(
        20, rng.lognormal(np.log(doc_length) - sigma**2 / 2, sigma, size=n_docs).astype(int)
    )
    n_bg = rng.binomial(lengths, background_share)
    n_sec = rng.binomial(lengths - n_bg, second_share if n_topics > 1 else 0.0)
    n_main = lengths - n_bg - n_sec
    n_story = rng.binomial(n_main, subtopic_share if subtopics > 1 else 0.0)
    n_sect = n_main - n_story
    rows, cols = [], []
    for d in range(n_docs):
        t, t2 = labels[d], second[d]
        parts = [
            rng.choice(vocab_size, size=n_bg[d], p=p_bg),
            words[t][rng.choice(words_per_topic, size=n_sect[d], p=p_topic)],
            words[t][rng.choice(words_per_topic, size=n_story[d], p=story_p[t][story[d]])],
            words[t2][rng.choice(words_per_topic, size=n_sec[d], p=p_topic)],
        ]
        w = np.concatenate(parts)
        rows.append(np.full(len(w), d))
        cols.append(w)
    r, c = np.concatenate(rows), np.concatenate(cols)
    x = sparse.coo_matrix(
        (np.ones(len(r), dtype=np.float32), (r, c)), shape=(n_docs, vocab_size)
    ).tocsr()
    x.sum_duplicates()
    return x, labels, vocab
