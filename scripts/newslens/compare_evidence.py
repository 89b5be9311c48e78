"""Evidence for the group comparisons: keyword-in-context lines (configured terms and each
comparison's key terms, in the group's articles) and seeded samples of example sentences per
group and frame or actor. Text is joined by the rule scripts; these functions pick the rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from newslens.compare import comparisons

# ----------------------------------------------------------------------------------------------
# Evidence: keyword in context
# ----------------------------------------------------------------------------------------------

KWIC_COLUMNS = [
    "variable",
    "group",
    "reference",
    "source",
    "term",
    "doc_id",
    "sent_id",
    "left",
    "keyword",
    "right",
]


def kwic_targets(keyness: pd.DataFrame, terms: Sequence[str], top: int) -> pd.DataFrame:
    """What to show in context: every configured term for every group (source ``config``) and
    each comparison's ``top`` terms over-used by the group, by G2 (source ``keyness``)."""
    rows = []
    if top and not keyness.empty:
        over = keyness[keyness["direction"] == "group"].sort_values(
            ["g2", "term"], ascending=[False, True], kind="stable"
        )
        best = over.groupby(["variable", "group", "reference"], sort=False).head(top)
        rows.append(best[["variable", "group", "reference", "term"]].assign(source="keyness"))
    if terms:
        rows.append(pd.DataFrame({"term": [str(t).lower() for t in terms], "source": "config"}))
    if not rows:
        return pd.DataFrame(columns=["variable", "group", "reference", "term", "source"])
    out = pd.concat(rows, ignore_index=True)
    return out.reindex(columns=["variable", "group", "reference", "term", "source"])


KWIC_HIT_COLUMNS = ["term", "doc_id", "sent_id", "left", "keyword", "right"]


def kwic_positions(tokens: pd.DataFrame, wanted: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``tokens`` whose normalised ``term`` or lower-cased form is in ``wanted``, in
    reading order, and the wanted form each matched (the term first, else the lower form)."""
    if tokens.empty or not wanted:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    wanted = {str(w) for w in wanted}
    hit_term = tokens["term"].isin(wanted).to_numpy()  # hash look-ups, not sorted string arrays
    hit_lower = tokens["lower"].isin(wanted).to_numpy() & ~hit_term
    hits = np.flatnonzero(hit_term | hit_lower)
    term = tokens["term"].to_numpy()[hits].astype(str)
    lower = tokens["lower"].to_numpy()[hits].astype(str)
    return hits, np.where(hit_term[hits], term, lower).astype(object)


def kwic_context(tokens: pd.DataFrame, rows: np.ndarray, window: int) -> list[tuple[str, str, str]]:
    """(left, keyword, right) of each token row in ``rows``: ``window`` tokens each side,
    within the article (``tokens`` holds whole articles in reading order)."""
    doc = tokens["doc_id"].astype(str).to_numpy()
    words = tokens["token"].astype(str).to_numpy()
    out = []
    for i in rows:
        lo, hi = max(0, i - window), min(len(words), i + window + 1)
        left = [w for j, w in zip(range(lo, i), words[lo:i], strict=True) if doc[j] == doc[i]]
        right = [
            w for j, w in zip(range(i + 1, hi), words[i + 1 : hi], strict=True) if doc[j] == doc[i]
        ]
        out.append((" ".join(left), words[i], " ".join(right)))
    return out


def kwic(tokens: pd.DataFrame, wanted: set[str], window: int, context: bool = True) -> pd.DataFrame:
    """Keyword-in-context lines of one or more whole articles' tokens (in reading order) for
    every token whose normalised ``term`` or lower-cased form is in ``wanted``: ``window``
    tokens left and right, within the article. ``context=False`` leaves left/keyword/right
    empty and adds ``row`` (the token's row in ``tokens``), so that contexts can be built
    later for a sample of the hits only (``kwic_context``)."""
    rows, names = kwic_positions(tokens, wanted)
    if not len(rows):
        return pd.DataFrame(columns=KWIC_HIT_COLUMNS)
    out = pd.DataFrame(
        {
            "term": names,
            "doc_id": tokens["doc_id"].to_numpy()[rows].astype(str).astype(object),
            "sent_id": tokens["sent_id"].to_numpy()[rows].astype(np.int64),
        }
    )
    if context:
        lines = kwic_context(tokens, rows, window)
        out["left"] = [a for a, _k, _b in lines]
        out["keyword"] = [k for _a, k, _b in lines]
        out["right"] = [b for _a, _k, b in lines]
    else:
        out["left"] = out["keyword"] = out["right"] = ""
        out["row"] = rows
    return out


def kwic_table(
    hits: pd.DataFrame,
    targets: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    max_rows: int,
    seed: int,
    min_articles: int = 1,
) -> pd.DataFrame:
    """Assign context lines to the comparisons they document: keyness terms to their own
    comparison, configured terms to every comparison; lines from the group's articles; at most
    ``max_rows`` per comparison and term (a seeded sample, in reading order)."""
    if hits.empty or targets.empty:
        return pd.DataFrame(columns=KWIC_COLUMNS)
    hits = hits.assign(doc_id=hits["doc_id"].astype(str))
    labels = groups.set_index(groups["doc_id"].astype(str))
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        for g, ref, _gm, _rm in comparisons(
            labels[var].reset_index(drop=True), reference, min_articles
        ):
            mine = targets[
                (targets["source"] == "config")
                | (
                    (targets["variable"] == var)
                    & (targets["group"] == g)
                    & (targets["reference"] == ref)
                )
            ]
            in_group = labels.index[labels[var] == g]
            sub = hits[hits["doc_id"].isin(in_group)]
            for (term, source), _ in mine.groupby(["term", "source"], sort=True):
                lines = sub[sub["term"] == term]
                if len(lines) > max_rows:
                    lines = lines.sample(max_rows, random_state=seed).sort_index()
                if len(lines):
                    parts.append(lines.assign(variable=var, group=g, reference=ref, source=source))
    extra = [c for c in ("batch", "row") if c in hits.columns]  # where to build the context
    if not parts:
        return pd.DataFrame(columns=KWIC_COLUMNS + extra)
    return pd.concat(parts, ignore_index=True)[KWIC_COLUMNS + extra]


EXAMPLE_COLUMNS = ["variable", "group", "frame", "doc_id", "sent_id", "text"]


def frame_examples(
    sentences: pd.DataFrame, groups: pd.DataFrame, n: int, seed: int, none: str = "none"
) -> pd.DataFrame:
    """A seeded sample of up to ``n`` sentences per variable x group x frame, from the
    per-sentence frame table (doc_id, sent_id, primary_frame); sentences whose primary frame is
    ``none`` or empty are left out. Text is joined later."""
    frames = sentences[["doc_id", "sent_id", "primary_frame"]].copy()
    frames["doc_id"] = frames["doc_id"].astype(str)
    frames = frames[~frames["primary_frame"].astype(str).isin(["", none, "nan"])]
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        lab = dict(zip(groups["doc_id"].astype(str), groups[var].astype(str), strict=True))
        tab = frames.assign(group=frames["doc_id"].map(lab).fillna(""))
        tab = tab[tab["group"] != ""]
        for (g, f), cell in tab.groupby(["group", "primary_frame"], sort=True):
            pick = cell if len(cell) <= n else cell.sample(n, random_state=seed)
            parts.append(
                pick.sort_values(["doc_id", "sent_id"]).assign(variable=var, frame=f, group=g)
            )
    if not parts:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["text"] = ""
    return out[EXAMPLE_COLUMNS]


# ----------------------------------------------------------------------------------------------
# Example sentences naming an actor
# ----------------------------------------------------------------------------------------------

ACTOR_EXAMPLE_COLUMNS = [
    "variable",
    "group",
    "actor",
    "doc_id",
    "sent_id",
    "compound",
    "primary_frame",
    "text",
]


def actor_examples(
    actor_sentences: pd.DataFrame,
    groups: pd.DataFrame,
    n: int,
    seed: int,
    primary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A seeded sample of up to ``n`` sentences naming each actor per variable x group (from
    the per-sentence actor table: doc_id, sent_id, actor, compound), in article order, with the
    sentence's sentiment and (from ``primary``: doc_id, sent_id, primary_frame) primary frame.
    The sample does not depend on the row order of the input. Text is joined later."""
    if actor_sentences.empty or n <= 0:
        return pd.DataFrame(columns=ACTOR_EXAMPLE_COLUMNS)
    rows = actor_sentences[["doc_id", "sent_id", "actor", "compound"]].assign(
        doc_id=lambda t: t["doc_id"].astype(str),
        sent_id=lambda t: t["sent_id"].astype(np.int64),
        actor=lambda t: t["actor"].astype(str),
    )
    rows = rows.sort_values(["actor", "doc_id", "sent_id"], kind="stable").drop_duplicates(
        ["doc_id", "sent_id", "actor"]
    )
    if primary is not None and len(primary):
        prim = primary[["doc_id", "sent_id", "primary_frame"]].assign(
            doc_id=lambda t: t["doc_id"].astype(str),
            sent_id=lambda t: t["sent_id"].astype(np.int64),
        )
        rows = rows.merge(prim.drop_duplicates(["doc_id", "sent_id"]), how="left")
    else:
        rows["primary_frame"] = ""
    rows["primary_frame"] = rows["primary_frame"].fillna("").astype(str)
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        lab = dict(zip(groups["doc_id"].astype(str), groups[var].astype(str), strict=True))
        tab = rows.assign(group=rows["doc_id"].map(lab).fillna(""))
        tab = tab[tab["group"] != ""]
        for (g, _actor), cell in tab.groupby(["group", "actor"], sort=True):
            pick = cell if len(cell) <= n else cell.sample(n, random_state=seed)
            parts.append(pick.sort_values(["doc_id", "sent_id"]).assign(variable=var, group=g))
    if not parts:
        return pd.DataFrame(columns=ACTOR_EXAMPLE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["text"] = ""
    return out[ACTOR_EXAMPLE_COLUMNS]
