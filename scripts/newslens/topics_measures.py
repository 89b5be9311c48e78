"""Topic modelling, measures: top terms, NPMI coherence, diversity, Average-Jaccard agreement
and stability, dominant topics (definitions in the docstring of newslens.topics)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse


def top_terms(h: np.ndarray, n: int, order: np.ndarray | None = None) -> np.ndarray:
    """Indices of each topic's ``n`` heaviest terms, heaviest first (ties: lower index).
    ``order``: ``term_order(h)`` when already computed (several ``n`` of one fit sort once);
    the result is a copy, so it does not keep the whole ranking alive."""
    n = min(n, h.shape[1])
    return (term_order(h) if order is None else order)[:, :n].copy()


def term_order(h: np.ndarray) -> np.ndarray:
    """Every topic's terms, heaviest first (ties: lower index): ``top_terms`` of all terms."""
    return np.argsort(-h, axis=1, kind="stable")


def npmi(p_i: float, p_j: float, p_ij: float) -> float:
    """Normalised PMI of one word pair from document probabilities (see module doc)."""
    if p_ij <= 0.0:
        return -1.0
    if p_ij >= 1.0:
        return 1.0
    return math.log(p_ij / (p_i * p_j)) / -math.log(p_ij)


def cooccurrence(counts: sparse.csr_matrix, words: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Document co-occurrence of ``words`` (term indices): entry (i, j) is the number of rows
    of ``counts`` (units x terms, nonzero = present) containing both words[i] and words[j].
    Summed over chunks of rows, so that no copy of the matrix is made."""
    counts = counts.tocsr()
    words = np.asarray(words, dtype=np.int64)
    co = np.zeros((len(words), len(words)))
    for start in range(0, counts.shape[0], chunk):
        sub = (counts[start : start + chunk][:, words] > 0).astype(np.float64)
        co += (sub.T @ sub).toarray()
    return co


def npmi_from_cooccurrence(
    co: np.ndarray, words: np.ndarray, top: np.ndarray, n: int
) -> np.ndarray:
    """Mean NPMI over all pairs of each topic's top words (rows of ``top``) from the
    co-occurrence matrix ``co`` of ``words`` among ``n`` units."""
    pos = {int(w): i for i, w in enumerate(words)}
    out = np.empty(top.shape[0])
    for t, row in enumerate(top):
        vals = []
        for a, b in itertools.combinations(row, 2):
            ia, ib = pos[int(a)], pos[int(b)]
            vals.append(npmi(co[ia, ia] / n, co[ib, ib] / n, co[ia, ib] / n))
        out[t] = float(np.mean(vals)) if vals else float("nan")
    return out


def npmi_coherence(binary: sparse.csr_matrix, top: np.ndarray) -> np.ndarray:
    """Mean NPMI over all pairs of each topic's top words (rows of ``top``: term indices),
    with document co-occurrence in ``binary`` (units x terms, nonzero = present)."""
    words = np.unique(top)
    return npmi_from_cooccurrence(cooccurrence(binary, words), words, top, binary.shape[0])


def topic_pairs(tops: Sequence[np.ndarray], words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of words that share a topic in ``tops`` (top-word index arrays, one row per
    topic), as positions in ``words`` (sorted term indices): (first, second), first < second,
    each pair once, in sorted order."""
    m = len(words)
    keys = []
    for top in tops:
        top = np.asarray(top)
        if top.ndim != 2 or top.shape[1] < 2:
            continue
        at = np.searchsorted(words, top)
        for i, j in itertools.combinations(range(top.shape[1]), 2):
            lo, hi = np.minimum(at[:, i], at[:, j]), np.maximum(at[:, i], at[:, j])
            keys.append(lo.astype(np.int64) * m + hi)
    key = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    key = key[key // m != key % m]  # a word paired with itself: its count is the diagonal
    return key // m, key % m


def pair_cooccurrence(
    counts: sparse.csr_matrix,
    words: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    chunk: int = 20_000,
    block: int = 4096,
) -> np.ndarray:
    """``cooccurrence`` of ``words`` on the diagonal and at the pairs (first[i], second[i]) (and
    their mirror) only; every other entry is 0. The same integer counts as ``cooccurrence``
    where filled, at a fraction of its cost: per chunk of rows, each word's presence is packed
    into a bit set and a pair's count is the number of bits its two words share."""
    counts = counts.tocsr()
    words = np.asarray(words, dtype=np.int64)
    m = len(words)
    column = np.full(counts.shape[1], -1, dtype=np.int64)
    column[words] = np.arange(m)
    diag = np.zeros(m, dtype=np.int64)
    shared = np.zeros(len(first), dtype=np.int64)
    indptr = counts.indptr
    for start in range(0, counts.shape[0], chunk):
        stop = min(start + chunk, counts.shape[0])
        a, b = indptr[start], indptr[stop]
        col = column[counts.indices[a:b]]
        keep = (col >= 0) & (counts.data[a:b] > 0)
        rows = np.repeat(np.arange(stop - start), np.diff(indptr[start : stop + 1]))[keep]
        col = col[keep]
        diag += np.bincount(col, minlength=m)
        if not len(first):
            continue
        present = np.zeros((m, stop - start), dtype=bool)
        present[col, rows] = True
        bits = np.packbits(present, axis=1)
        for s in range(0, len(first), block):
            both = bits[first[s : s + block]] & bits[second[s : s + block]]
            shared[s : s + block] += np.bitwise_count(both).sum(axis=1, dtype=np.int64)
    co = np.zeros((m, m))
    co[first, second] = shared
    co[second, first] = shared
    co[np.arange(m), np.arange(m)] = diag
    return co


def topic_coherences(
    counts: sparse.csr_matrix, n_units: int, tops: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """``npmi_coherence`` of several fits (their top-word index arrays) in one pass over
    ``counts``, among ``n_units`` units (the units with terms: rows without terms add no
    co-occurrence). Only the pairs of words that share a topic are counted
    (``pair_cooccurrence``): the values are those of the full co-occurrence matrix."""
    if not tops:
        return []
    words = np.unique(np.concatenate([np.ravel(t) for t in tops]))
    first, second = topic_pairs(tops, words)
    co = pair_cooccurrence(counts, words, first, second)
    return [npmi_from_cooccurrence(co, words, t, n_units) for t in tops]


def topic_diversity(h: np.ndarray, n: int = 25, order: np.ndarray | None = None) -> float:
    """Share of unique words among all topics' top ``n`` words (1 = no word shared);
    ``order`` as in ``top_terms``."""
    top = top_terms(h, n, order)
    return len(np.unique(top)) / top.size if top.size else float("nan")


def average_jaccard(r_i: Sequence, r_j: Sequence) -> float:
    """Average Jaccard of two term rankings (Greene et al. 2014, eq. 2): the mean over depths
    d = 1..t of the Jaccard index of their top-d sets, t = the shorter ranking's length.
    Unlike one Jaccard of the top-t sets, it rewards agreement at the top of the rankings."""
    t = min(len(r_i), len(r_j))
    if t == 0:
        raise ValueError("average_jaccard: empty ranking")
    seen_i: set = set()
    seen_j: set = set()
    common = 0
    total = 0.0
    for d in range(t):
        a, b = r_i[d], r_j[d]
        # |A@d & B@d| grows by each new element already present on the other side
        if a == b:
            common += 1
        else:
            common += (a in seen_j) + (b in seen_i)
        seen_i.add(a)
        seen_j.add(b)
        total += common / (2 * (d + 1) - common)
    return total / t


def aj_matrix(s_x: np.ndarray, s_y: np.ndarray) -> np.ndarray:
    """AJ of every topic ranking of fit ``s_x`` (rows: topics, columns: term indices by rank)
    against every topic ranking of fit ``s_y``."""
    return np.array([[average_jaccard(list(a), list(b)) for b in s_y] for a in s_x])


def agreement(s_x: np.ndarray, s_y: np.ndarray) -> tuple[float, np.ndarray]:
    """Agreement of two ranking sets with the same K (Greene et al. 2014, eq. 3): topics
    matched one-to-one by the Hungarian algorithm (scipy ``linear_sum_assignment``) to
    maximise the total AJ, then (1/K) * sum of the matched AJ. Returns (agreement, pi) where
    pi[i] is the topic of ``s_y`` matched to topic i of ``s_x``."""
    from scipy.optimize import linear_sum_assignment  # here: topic_outputs does not need it

    aj = aj_matrix(s_x, s_y)
    rows, cols = linear_sum_assignment(aj, maximize=True)
    pi = np.empty(aj.shape[0], dtype=np.int64)
    pi[rows] = cols
    return float(aj[rows, cols].sum() / aj.shape[0]), pi


def match_overlap(top_a: np.ndarray, top_b: np.ndarray) -> float:
    """Mean Jaccard overlap of two fits' top-word *sets* (no ranking depths), topics matched
    one-to-one by the Hungarian algorithm (maximum total overlap). A diagnostic kept for
    comparison; the stability of K is ``agreement`` (Average Jaccard)."""
    from scipy.optimize import linear_sum_assignment

    sa = [set(r) for r in top_a]
    sb = [set(r) for r in top_b]
    jac = np.array([[len(a & b) / len(a | b) for b in sb] for a in sa])
    rows, cols = linear_sum_assignment(-jac)
    return float(jac[rows, cols].mean())


def stability(tops: Sequence[np.ndarray]) -> np.ndarray:
    """For each fit in ``tops`` (top-word index arrays of fits with the same K), the mean
    matched set overlap (``match_overlap``) with every other fit; NaN when there is only one
    fit. A pairwise diagnostic; see ``reference_stability`` for the published measure."""
    m = len(tops)
    if m < 2:
        return np.full(m, np.nan)
    pair = np.zeros((m, m))
    for i, j in itertools.combinations(range(m), 2):
        pair[i, j] = pair[j, i] = match_overlap(tops[i], tops[j])
    return pair.sum(axis=1) / (m - 1)


def reference_stability(reference: np.ndarray, samples: Sequence[np.ndarray]) -> np.ndarray:
    """Greene et al. (2014): the agreement of each subsample fit's top-t rankings with the
    reference fit's (whole sample), one value per subsample fit. Their mean is the stability
    of K, their standard deviation its spread."""
    return np.array([agreement(reference, s)[0] for s in samples])


def dominant_topic(share: np.ndarray) -> np.ndarray:
    """0-based dominant topic of each unit, -1 for a unit with zero weights (or no topics)."""
    if share.shape[1] == 0:
        return np.full(share.shape[0], -1)
    dom = share.argmax(axis=1)
    dom[share.sum(axis=1) <= 0] = -1
    return dom


def nmi(labels_true: Iterable, labels_pred: Iterable) -> float:
    """Normalised mutual information (arithmetic mean normalisation, as sklearn)."""
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(list(labels_true), list(labels_pred)))
