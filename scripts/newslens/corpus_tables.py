"""Corpus-level tables gathered from the shards: documents, audit, term and n-gram counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
from nltk.probability import FreqDist

STAGE_ORDER = {"ingest": 0, "clean": 1, "dedup": 2}


def order_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """Audit rows in a stable order that does not depend on the number of shards."""
    audit = audit.copy()
    audit["_stage"] = audit["stage"].map(STAGE_ORDER).fillna(9)
    audit["_line"] = pd.to_numeric(audit["line_no"], errors="coerce").fillna(-1)
    audit = audit.sort_values(["_stage", "source", "doc_id", "_line"], kind="stable")
    audit["line_no"] = audit["line_no"].astype("Int64")
    return audit.drop(columns=["_stage", "_line"]).reset_index(drop=True)


def duplicates_as_audit(dropped: pd.DataFrame, sources: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": dropped["doc_id"],
            "source": dropped["doc_id"].map(sources).fillna(""),
            "stage": "dedup",
            "action": "dropped_duplicate",
            "reason": [
                f"{k} duplicate of {kept} (estimated Jaccard similarity {s:.2f}); the earlier article is kept"
                for k, kept, s in zip(
                    dropped["kind"], dropped["kept_doc_id"], dropped["similarity"], strict=True
                )
            ],
            "line_no": pd.NA,
            "content": "",
            "related_doc_id": dropped["kept_doc_id"],
        }
    )


def term_frequencies(ngrams: pd.DataFrame, n_docs: int) -> pd.DataFrame:
    """Unigram term table: term, count, share of all term occurrences, doc_freq, doc_share, rank."""
    terms = ngrams.loc[ngrams["n"] == 1, ["ngram", "count", "doc_freq"]].rename(
        columns={"ngram": "term"}
    )
    terms = terms.sort_values(
        ["count", "term"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    total = terms["count"].sum()
    terms.insert(2, "share", (terms["count"] / total).round(6) if total else 0.0)
    terms["doc_share"] = (terms["doc_freq"] / n_docs).round(6) if n_docs else 0.0
    terms["rank"] = range(1, len(terms) + 1)
    return terms


def ngram_frequencies(ngrams: pd.DataFrame, min_count: int) -> pd.DataFrame:
    grams = ngrams.loc[(ngrams["n"] >= 2) & (ngrams["count"] >= min_count)]
    return grams.sort_values(
        ["n", "count", "ngram"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def collocations(ngrams: pd.DataFrame, measure: str, min_freq: int, top_n: int) -> pd.DataFrame:
    """Bigram collocations ranked by an NLTK association measure, from the corpus counts
    (``BigramCollocationFinder`` built from the unigram and bigram frequency distributions)."""
    columns = ["rank", "bigram", "word1", "word2", "count", "score", "measure"]
    unigrams = ngrams.loc[ngrams["n"] == 1]
    bigrams = ngrams.loc[ngrams["n"] == 2]
    if bigrams.empty:
        return pd.DataFrame(columns=columns)
    word_fd = FreqDist(dict(zip(unigrams["ngram"], unigrams["count"], strict=True)))
    bigram_fd = FreqDist(
        {tuple(g.split(" ")): c for g, c in zip(bigrams["ngram"], bigrams["count"], strict=True)}
    )
    finder = BigramCollocationFinder(word_fd, bigram_fd)
    finder.apply_freq_filter(min_freq)
    scored = finder.score_ngrams(getattr(BigramAssocMeasures, measure))
    scored = sorted(scored, key=lambda item: (-item[1], item[0]))[:top_n]
    rows = [
        (i + 1, f"{w1} {w2}", w1, w2, bigram_fd[(w1, w2)], round(score, 6), measure)
        for i, ((w1, w2), score) in enumerate(scored)
    ]
    return pd.DataFrame(rows, columns=columns)


def approximate_scores(
    measure: str, n_ii: np.ndarray, n_ix: np.ndarray, n_xi: np.ndarray, n_xx: float
) -> np.ndarray:
    """NLTK's ``BigramAssocMeasures.<measure>`` for arrays of bigrams, in numpy (equal to the
    NLTK score up to rounding in the last bits). Used to find the candidates of the top list,
    which are then scored by NLTK itself. None for a measure without a vectorised form."""
    small = 1e-20
    n_ii = n_ii.astype(np.float64)
    n_ix = n_ix.astype(np.float64)
    n_xi = n_xi.astype(np.float64)
    if measure == "raw_freq":
        return n_ii / n_xx
    if measure == "student_t":
        return (n_ii - n_ix * n_xi / n_xx) / (n_ii + small) ** 0.5
    if measure == "pmi":
        return np.log2(n_ii * n_xx) - np.log2(n_ix * n_xi)
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    n_oo = n_xx - n_ii - n_oi - n_io
    if measure == "chi_sq":
        return (
            n_xx
            * (n_ii * n_oo - n_io * n_oi) ** 2
            / ((n_ii + n_io) * (n_ii + n_oi) * (n_io + n_oo) * (n_oi + n_oo))
        )
    if measure == "likelihood_ratio":
        cont = (n_ii, n_oi, n_io, n_oo)
        expected = (
            (n_ii + n_oi) * (n_ii + n_io) / n_xx,
            (n_oi + n_ii) * (n_oi + n_oo) / n_xx,
            (n_io + n_oo) * (n_io + n_ii) / n_xx,
            (n_oo + n_io) * (n_oo + n_oi) / n_xx,
        )
        total = np.zeros(len(n_ii))
        with np.errstate(divide="ignore", invalid="ignore"):
            for obs, exp in zip(cont, expected, strict=True):
                total += obs * np.log(obs / (exp + small) + small)
        return 2 * total
    return None


def collocation_candidates(
    unigrams: pd.DataFrame,
    bigrams: pd.DataFrame,
    measure: str,
    min_freq: int,
    top_n: int,
) -> pd.DataFrame:
    """The bigrams (ngram, count) that can be among the ``top_n`` collocations of ``bigrams``
    (or of any larger set containing them): scores computed in numpy, then every bigram
    scoring at least the ``top_n``-th best, less a margin for rounding (ties included). The
    corpus word counts ``unigrams`` (ngram, count) give the marginals."""
    bigrams = bigrams.loc[bigrams["count"] >= min_freq, ["ngram", "count"]]
    if len(bigrams) <= top_n:
        return bigrams
    # word counts of each bigram's two words, looked up in Arrow (no Python string per bigram)
    uni_terms = pa.array(unigrams["ngram"]).cast(pa.large_string())
    uni_counts = np.append(unigrams["count"].to_numpy(dtype=np.float64), 0.0)
    split = pc.split_pattern(pa.array(bigrams["ngram"]).cast(pa.large_string()), " ", max_splits=1)
    lookup = []
    for j in (0, 1):
        pos = pc.index_in(pc.list_element(split, j), value_set=uni_terms).fill_null(-1)
        lookup.append(uni_counts[pos.to_numpy()])  # -1: a word without a count (0, as NLTK)
    n_ix, n_xi = lookup
    n_xx = float(unigrams["count"].sum())
    scores = approximate_scores(measure, bigrams["count"].to_numpy(), n_ix, n_xi, n_xx)
    if scores is None:
        return bigrams
    finite = np.where(np.isnan(scores), np.inf, scores)
    threshold = np.partition(finite, len(finite) - top_n)[len(finite) - top_n]
    margin = 1e-9 * max(1.0, abs(threshold)) if math.isfinite(threshold) else 0.0
    return bigrams.loc[finite >= threshold - margin]


def collocations_from_counts(
    unigrams: pd.DataFrame,
    bigrams: pd.DataFrame,
    measure: str,
    min_freq: int,
    top_n: int,
) -> pd.DataFrame:
    """The table of ``collocations`` from corpus counts (unigrams: ngram, count; bigrams:
    ngram, count), without building NLTK frequency distributions of all bigrams: only the
    ``collocation_candidates`` are scored by NLTK's finder, whose scores and order are the
    result. Same output as ``collocations``; ``bigrams`` may be the union of the candidates of
    several parts of the corpus's bigrams."""
    bigrams = collocation_candidates(unigrams, bigrams, measure, min_freq, top_n)
    candidates = pd.concat(
        [unigrams[["ngram", "count"]].assign(n=1), bigrams[["ngram", "count"]].assign(n=2)],
        ignore_index=True,
    )
    return collocations(candidates, measure, min_freq, top_n)
