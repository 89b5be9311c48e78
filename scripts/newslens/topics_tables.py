"""Topic modelling, tables: per-topic and per-unit tables, labels, representatives, topics by
metadata and the topic network (topics numbered 1..K, most prevalent first)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from newslens.topics_measures import dominant_topic, top_terms


def topic_labels(h: np.ndarray, terms: Sequence[str], n: int = 3) -> list[str]:
    """A readable label per topic: its ``n`` heaviest terms joined by ', ', skipping a term
    already contained in one chosen before (so "prime minister" does not follow "minister").
    Two topics with the same label get their topic number appended."""
    labels = []
    for row in top_terms(h, min(h.shape[1], 4 * n + 10)):
        chosen: list[str] = []
        for i in row:
            t = str(terms[i])
            words = set(t.split())
            if any(words & set(c.split()) for c in chosen):
                continue
            chosen.append(t)
            if len(chosen) == n:
                break
        labels.append(", ".join(chosen))
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    return [f"{lab} ({i + 1})" if seen[lab] > 1 else lab for i, lab in enumerate(labels)]


def terms_table(h: np.ndarray, terms: Sequence[str], n: int) -> pd.DataFrame:
    """topic (1-based), rank (1-based), term, weight (the topic-term weight; for LDA the
    probability of the term in the topic) for each topic's ``n`` heaviest terms."""
    top = top_terms(h, n)
    rows = [
        (t + 1, r + 1, str(terms[i]), float(h[t, i]))
        for t in range(h.shape[0])
        for r, i in enumerate(top[t])
        if h[t, i] > 0
    ]
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


def documents_table(units: pd.DataFrame, share: np.ndarray) -> pd.DataFrame:
    """Per unit: unit, unit_type, doc_id, para_id, n_terms, topic_1..topic_K (share of the
    unit's topic weight), dominant_topic (<NA> for a unit without terms), dominant_share."""
    out = units[["unit", "unit_type", "doc_id", "para_id", "n_terms"]].reset_index(drop=True).copy()
    k = share.shape[1]
    cols = pd.DataFrame(np.round(share, 6), columns=[f"topic_{i + 1}" for i in range(k)])
    out = pd.concat([out, cols], axis=1)
    dom = dominant_topic(share)
    out["dominant_topic"] = pd.array(np.where(dom >= 0, dom + 1, 0), dtype="Int64")
    out.loc[dom < 0, "dominant_topic"] = pd.NA
    out["dominant_share"] = np.round(share.max(axis=1) if k else np.zeros(len(out)), 6)
    return out


def articles_table(units: pd.DataFrame, share: np.ndarray) -> pd.DataFrame:
    """Per article: doc_id, n_units, n_terms, topic_1..topic_K, dominant_topic, dominant_share.
    An article's mixture is the mean of its units' shares weighted by their number of terms
    (at article level, the article's own shares); an article without terms gets zeros."""
    k = share.shape[1]
    weights = units["n_terms"].to_numpy(dtype=np.float64)
    doc_codes, docs = pd.factorize(units["doc_id"], sort=False)
    mix = np.zeros((len(docs), k))
    np.add.at(mix, doc_codes, share * weights[:, None])
    tot = np.bincount(doc_codes, weights=weights, minlength=len(docs))
    mix = np.divide(mix, tot[:, None], out=np.zeros_like(mix), where=tot[:, None] > 0)
    out = pd.DataFrame(
        {
            "doc_id": np.asarray(docs, dtype=object),
            "n_units": np.bincount(doc_codes, minlength=len(docs)),
            "n_terms": tot.astype("int64"),
        }
    )
    out = pd.concat(
        [out, pd.DataFrame(np.round(mix, 6), columns=[f"topic_{i + 1}" for i in range(k)])], axis=1
    )
    dom = dominant_topic(mix)
    out["dominant_topic"] = pd.array(np.where(dom >= 0, dom + 1, 0), dtype="Int64")
    out.loc[dom < 0, "dominant_topic"] = pd.NA
    out["dominant_share"] = np.round(mix.max(axis=1) if k else np.zeros(len(out)), 6)
    return out


def summary_table(
    h: np.ndarray,
    share: np.ndarray,
    terms: Sequence[str],
    coherence: np.ndarray,
    labels: Sequence[str],
    n_terms: int = 10,
) -> pd.DataFrame:
    """topic, label, prevalence (mean share over units with terms = share of the corpus),
    n_dominant (units where it is the dominant topic), coherence (NPMI of its top words),
    top_terms."""
    has = share.sum(axis=1) > 0
    prev = share[has].mean(axis=0) if has.any() else np.zeros(share.shape[1])
    dom = dominant_topic(share)
    top = top_terms(h, n_terms)
    return pd.DataFrame(
        {
            "topic": np.arange(1, h.shape[0] + 1),
            "label": list(labels),
            "prevalence": np.round(prev, 6),
            "n_dominant": [int((dom == t).sum()) for t in range(h.shape[0])],
            "coherence": np.round(coherence, 6),
            "top_terms": [", ".join(str(terms[i]) for i in row) for row in top],
        }
    )


def representatives(share: np.ndarray, units: pd.DataFrame, n: int) -> pd.DataFrame:
    """Each topic's ``n`` most representative units: the highest share of that topic, ties to
    the longer unit (more terms), then corpus order. Columns: topic, rank, unit, doc_id,
    para_id, share, n_terms."""
    rows = []
    n_terms = units["n_terms"].to_numpy()
    for t in range(share.shape[1]):
        s = share[:, t]
        cand = np.flatnonzero(s > 0)
        order = cand[np.lexsort((cand, -n_terms[cand], -s[cand]))][:n]
        for r, i in enumerate(order):
            u = units.iloc[i]
            rows.append(
                {
                    "topic": t + 1,
                    "rank": r + 1,
                    "unit": u["unit"],
                    "doc_id": u["doc_id"],
                    "para_id": u["para_id"],
                    "share": round(float(s[i]), 6),
                    "n_terms": int(n_terms[i]),
                }
            )
    out = pd.DataFrame(
        rows, columns=["topic", "rank", "unit", "doc_id", "para_id", "share", "n_terms"]
    )
    out["para_id"] = out["para_id"].astype("Int64")
    return out


def snippet(text: str, n_chars: int) -> str:
    """The first ``n_chars`` characters of ``text`` on one line, cut at a word, with '…'."""
    text = " ".join(str(text).split())
    if len(text) <= n_chars:
        return text
    cut = text[:n_chars].rsplit(" ", 1)[0]
    return cut + " …"


def metadata_columns(documents: pd.DataFrame, configured: Sequence[str]) -> pd.DataFrame:
    """The grouping variables present for each article: the configured metadata columns found
    in documents.csv, plus 'month' (YYYY-MM) when any article has a date. Returns doc_id and
    one column per variable (empty values dropped later)."""
    out = pd.DataFrame({"doc_id": documents["doc_id"].astype(str)})
    for col in configured:
        if col in documents.columns and col != "doc_id":
            out[col] = documents[col].astype(str).replace({"nan": "", "None": ""}).fillna("")
    if "date" in documents.columns:
        month = documents["date"].fillna("").astype(str).str.slice(0, 7)
        month = month.where(month.str.match(r"^\d{4}-\d{2}$"), "")
        if (month != "").any():
            out["month"] = month.to_numpy()
    return out


def prevalence_by(
    share: np.ndarray, units: pd.DataFrame, meta: pd.DataFrame, labels: Sequence[str]
) -> pd.DataFrame:
    """Topic prevalence (mean share over the group's units with terms) by each metadata
    variable: variable, value, topic, label, prevalence, n_units. Units whose value is empty
    are left out of that variable."""
    cols = ["variable", "value", "topic", "label", "prevalence", "n_units"]
    variables = [c for c in meta.columns if c != "doc_id"]
    has = share.sum(axis=1) > 0
    if not variables or not has.any():
        return pd.DataFrame(columns=cols)
    joined = units[["doc_id"]].reset_index(drop=True).merge(meta, on="doc_id", how="left")
    k = share.shape[1]
    frames = []
    for var in variables:
        vals = joined[var].fillna("").astype(str).to_numpy()
        ok = has & (vals != "")
        if not ok.any():
            continue
        df = pd.DataFrame(share[ok], columns=range(1, k + 1))
        df["value"] = vals[ok]
        g = df.groupby("value", sort=True)
        mean = (
            g.mean().reset_index().melt(id_vars="value", var_name="topic", value_name="prevalence")
        )
        mean["n_units"] = mean["value"].map(g.size())
        mean.insert(0, "variable", var)
        frames.append(mean)
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["topic"] = out["topic"].astype(int)
    out["label"] = [labels[t - 1] for t in out["topic"]]
    out["prevalence"] = out["prevalence"].round(6)
    return out.sort_values(["variable", "value", "topic"]).reset_index(drop=True)[cols]


def topic_network(
    share: np.ndarray,
    labels: Sequence[str],
    prevalence: Sequence[float],
    min_correlation: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ANTMN view (Walter & Ophir 2019): topics as nodes, an edge where the Pearson
    correlation of two topics' unit shares (over units with terms) is above
    ``min_correlation`` (positive only), communities by greedy modularity maximisation
    (Clauset-Newman-Moore) on the correlation weights. Returns (nodes, edges):
    nodes: topic, label, prevalence, community (1-based, largest first), degree, strength;
    edges: source, target, correlation."""
    import networkx as nx
    from networkx.algorithms.community import greedy_modularity_communities

    k = share.shape[1]
    has = share.sum(axis=1) > 0
    x = share[has]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(x, rowvar=False) if x.shape[0] > 2 else np.full((k, k), np.nan)
    corr = np.atleast_2d(corr)
    g = nx.Graph()
    g.add_nodes_from(range(1, k + 1))
    edges = []
    for i, j in itertools.combinations(range(k), 2):
        r = corr[i, j]
        if np.isfinite(r) and r > max(min_correlation, 0.0):
            edges.append((i + 1, j + 1, round(float(r), 6)))
            g.add_edge(i + 1, j + 1, weight=float(r))
    comms = (
        greedy_modularity_communities(g, weight="weight")
        if g.number_of_edges()
        else [{n} for n in g.nodes]
    )
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    community = {n: ci + 1 for ci, c in enumerate(comms) for n in c}
    nodes = pd.DataFrame(
        {
            "topic": np.arange(1, k + 1),
            "label": list(labels),
            "prevalence": np.round(np.asarray(prevalence, dtype=float), 6),
            "community": [community[t] for t in range(1, k + 1)],
            "degree": [g.degree(t) for t in range(1, k + 1)],
            "strength": [round(float(g.degree(t, weight="weight")), 6) for t in range(1, k + 1)],
        }
    )
    return nodes, pd.DataFrame(edges, columns=["source", "target", "correlation"])
