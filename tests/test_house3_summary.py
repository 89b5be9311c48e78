"""summary.md writes counts of a thousand and more with thousands separators, as the figures
do ("3,000 sentences"), so that 69574 and 6957 are not misread."""

from __future__ import annotations

import pandas as pd
from newslens.summary import corpus_section, sentiment_section


def test_corpus_counts_have_thousands_separators():
    n = 1200
    documents = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "title": ["t"] * n,
            "date": ["2024-03-04"] * (n - 200) + [None] * 200,
            "author": [None] * n,
            "n_paragraphs": [2] * n,
            "n_sentences": [4] * n,
            "n_tokens": [58] * n,
            "n_terms": [30] * n,
        }
    )
    audit = pd.DataFrame({"action": ["removed_line"] * 3})
    text = "\n".join(corpus_section(documents, audit))
    assert "**1,200 articles** kept, 2,400 paragraphs, 4,800 sentences, 69,600 tokens" in text
    assert "(36,000 kept as terms)" in text
    assert "(1,000 of 1,200 articles dated)" in text


def test_sentiment_counts_have_thousands_separators():
    ci = {f"{k}_ci_{e}": v for k in ("mean_compound",) for e, v in (("low", -0.2), ("high", 0.0))}
    groups = pd.DataFrame(
        [
            {"group_by": "corpus", "group": "all", "n_articles": 1200, "n_sentences": 4801}
            | {"mean_compound": -0.1, "share_negative": 0.5, "share_positive": 0.2}
            | ci
        ]
    )
    actors = pd.DataFrame(
        [
            {"actor": "Kastan", "scope": "all", "n_sentences": 1428, "n_articles": 400}
            | {"mean_compound": -0.11}
            | ci
        ]
    )
    text = "\n".join(sentiment_section(groups, pd.DataFrame({"doc_id": ["a", "b"]}), actors))
    assert "over 1,200 articles and 4,801 sentences" in text
    assert "  - Kastan: -0.11 (95% CI -0.20 to +0.00), 1,428 sentences" in text
