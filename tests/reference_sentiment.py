"""Per-article actor sums by a pandas group-by: the reference that
``newslens.sentiment.ActorUnitSums`` (integer codes) must equal, and the unit sums that the
actor summary tests feed to ``actor_summary``. Used only by tests
(tests/test_sentiment_stats.py)."""

from __future__ import annotations

import pandas as pd
from newslens.sentiment import LABELS


def actor_unit_sums(actor_sentences: pd.DataFrame) -> pd.DataFrame:
    """Per (actor, scope, doc_id): sentence count and sums of compound and label indicators,
    for scope "all" (sentences mentioning the actor) and "alone" (naming no other actor)."""
    cols = ["actor", "scope", "doc_id", "n_sentences", "n_mentions", "sum_compound"] + [
        f"sum_{lab}" for lab in LABELS
    ]
    if len(actor_sentences) == 0:
        return pd.DataFrame({c: [] for c in cols})
    parts = []
    for scope, df in (("all", actor_sentences), ("alone", actor_sentences[actor_sentences.alone])):
        g = df.groupby(["actor", "doc_id"], sort=True).agg(
            n_sentences=("compound", "size"),
            n_mentions=("n_mentions", "sum"),
            sum_compound=("compound", "sum"),
            sum_negative=("is_negative", "sum"),
            sum_neutral=("is_neutral", "sum"),
            sum_positive=("is_positive", "sum"),
        )
        g = g.reset_index()
        g.insert(1, "scope", scope)
        parts.append(g)
    return pd.concat(parts, ignore_index=True)[cols]
