"""Topic modelling, validation: dominant topics against known categories (NMI, ARI, purity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def validation_scores(dominant: np.ndarray, categories: Sequence) -> dict:
    """Agreement of units' dominant topics with a known category (units with a topic and a
    non-empty category only): n_units, n_categories, nmi (arithmetic normalisation), ari
    (adjusted Rand index) and purity (share of units in their topic's majority category)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    dom = np.asarray(dominant)
    cat = pd.Series(list(categories), dtype=object).fillna("").astype(str).to_numpy()
    ok = (dom >= 0) & (cat != "")
    dom, cat = dom[ok], cat[ok]
    if not len(dom):
        return {"n_units": 0, "n_categories": 0, "nmi": np.nan, "ari": np.nan, "purity": np.nan}
    counts = pd.crosstab(dom, cat)
    return {
        "n_units": int(len(dom)),
        "n_categories": int(counts.shape[1]),
        "nmi": float(normalized_mutual_info_score(cat, dom)),
        "ari": float(adjusted_rand_score(cat, dom)),
        "purity": float(counts.max(axis=1).sum() / len(dom)),
    }


def topic_purity(
    dominant: np.ndarray, categories: Sequence, labels: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per topic (1-based, ``dominant`` is 0-based with -1 for none): its units with a known
    category, the majority category and purity (share of its units in that category); and the
    topic x category table of unit counts (long form: topic, category, n_units, share of the
    topic's units). Units without topic or category are left out."""
    dom = np.asarray(dominant)
    cat = pd.Series(list(categories), dtype=object).fillna("").astype(str).to_numpy()
    ok = (dom >= 0) & (cat != "")
    k = len(labels)
    cross = pd.crosstab(
        pd.Categorical(dom[ok] + 1, categories=range(1, k + 1)), cat[ok], dropna=False
    )
    cross.index.name, cross.columns.name = "topic", "category"
    n = cross.sum(axis=1)
    rows = []
    for t in range(1, k + 1):
        row = cross.loc[t] if len(cross.columns) else pd.Series(dtype=float)
        tot = int(n.loc[t]) if len(cross.columns) else 0
        top = str(row.idxmax()) if tot else ""
        rows.append(
            {
                "topic": t,
                "label": labels[t - 1],
                "n_units": tot,
                "majority_category": top,
                "purity": round(float(row.max() / tot), 6) if tot else np.nan,
            }
        )
    long = cross.stack().rename("n_units").reset_index()
    long["topic"] = long["topic"].astype(int)
    tot = long.groupby("topic")["n_units"].transform("sum")
    long["share"] = np.round(np.where(tot > 0, long["n_units"] / tot.where(tot > 0, 1), 0.0), 6)
    long = long.sort_values(["topic", "category"]).reset_index(drop=True)
    return pd.DataFrame(rows), long[["topic", "category", "n_units", "share"]]
