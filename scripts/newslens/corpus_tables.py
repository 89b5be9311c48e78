"""Corpus-level tables gathered from the shards: documents, audit, term and n-gram counts."""

from __future__ import annotations

import pandas as pd
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
