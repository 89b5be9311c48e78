"""Codebook frame classification: sentence scores, paragraph/article aggregation, diagnostics,
actors x frames.

Sentence level: every indicator match (one compiled matcher for the whole codebook, see
``newslens.codebook``) adds its weight to its frame, unless a negation cue stands within
``negation_window`` words before it. A sentence carries frame f when its weighted hits reach
``min_weight`` and at least ``relative_threshold`` x the strongest frame of that sentence
(multi-label). ``score_<f>`` is weighted hits per 100 words (length-normalised).
A sentence's unit of framing is split over its frames in proportion to their hits
(``share_<f>``); a sentence without frames puts its unit on ``share_none``.

Paragraph and article level: shares are the word-weighted mean of sentence shares, so they sum
to 1 with ``share_none``; the primary frame is the frame with the largest share (the codebook's
residual frame, e.g. "Other", or "none" when no frame matched at all), and the article labels
are the frames whose share reaches ``doc_min_share`` (at most ``doc_max_labels``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from newslens.codebook import (
    NEGATION_CONTRACTION_RE,
    NONE_FRAME,
    WORD_RE,
    Codebook,
    Matcher,
    normalize_words,
)

SENT_SPLIT_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])|\n\s*\n?")


def split_sentences(text: str) -> list[str]:
    """A simple sentence splitter for texts outside the corpus (labeled and gold rows)."""
    parts = [p.strip() for p in SENT_SPLIT_RE.split(str(text))]
    return [p for p in parts if p]


def texts_to_sentences(ids: list[str], texts: list[str]) -> pd.DataFrame:
    """One row per sentence of each text (doc_id, para_id=0, sent_id, text)."""
    rows = []
    for doc_id, text in zip(ids, texts, strict=True):
        for i, s in enumerate(split_sentences(text)):
            rows.append((doc_id, 0, i, s))
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])


class _CachedNormalizer(dict):
    """word -> normalised word, computed once per distinct word (a dict: lookups run in C)."""

    def __init__(self, fn: Callable[[str], str]):
        super().__init__()
        self.fn = fn

    def __missing__(self, w: str) -> str:
        out = self.fn(w) or w
        self[w] = out
        return out

    def __call__(self, w: str) -> str:
        return self[w]


def _words(text: str, cache: _CachedNormalizer) -> list[str]:
    """normalize_words() with the cache inlined (the hot loop of the stage)."""
    text = NEGATION_CONTRACTION_RE.sub(" not", text.lower())
    return [cache[w] for w in WORD_RE.findall(text)]


def match_sentences(
    texts: list[str],
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    negation_cues: list[str] | tuple[str, ...] = (),
    negation_window: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Find indicator hits in sentences.

    Returns (hits, n_words): hits has one row per (sentence, frame, indicator) match with
    columns sent (row position), frame, indicator, weight, negated; n_words counts the words of
    each sentence.
    """
    norm = _CachedNormalizer(normalizer)
    cues = {w for c in negation_cues for w in normalize_words(c, norm)}
    check_neg = negation_window > 0 and bool(cues)
    n_words = np.zeros(len(texts), dtype=np.int64)
    rows = []
    for sent, text in enumerate(texts):
        words = _words(text or "", norm)
        n_words[sent] = len(words)
        for i, ind in matcher.hits(words):
            negated = check_neg and any(w in cues for w in words[max(0, i - negation_window) : i])
            rows.append((sent, ind.frame, ind.term, ind.weight, negated))
    for frame, rx in matcher.frame_regex.items():
        weights = matcher.regex_weight[frame]
        for sent, text in enumerate(texts):
            for m in rx.finditer(text or ""):
                # which alternative matched: the first regex indicator that matches the hit
                term = next(
                    (t for t in weights if re.fullmatch(t, m.group(0), re.IGNORECASE)),
                    next(iter(weights)),
                )
                negated = check_neg and any(
                    w in cues for w in _words(text[: m.start()], norm)[-negation_window:]
                )
                rows.append((sent, frame, term, weights[term], negated))
    hits = pd.DataFrame(rows, columns=["sent", "frame", "indicator", "weight", "negated"])
    return hits, n_words


def sentence_frames(
    hits: pd.DataFrame,
    n_words: np.ndarray,
    cb: Codebook,
    min_weight: float = 1.0,
    relative_threshold: float = 0.5,
) -> pd.DataFrame:
    """Per-sentence frame scores, shares and labels from the hits (row i = sentence i)."""
    keys = cb.scored_keys
    n = len(n_words)
    w = np.zeros((n, len(keys)))
    counted = hits[~hits["negated"]] if len(hits) else hits
    if len(counted):
        col = {k: j for j, k in enumerate(keys)}
        np.add.at(
            w,
            (counted["sent"].to_numpy(), counted["frame"].map(col).to_numpy()),
            counted["weight"].to_numpy(dtype=float),
        )
    mx = w.max(axis=1, keepdims=True) if len(keys) else np.zeros((n, 1))
    lab = (w >= min_weight) & (w >= relative_threshold * mx) & (w > 0)
    lw = np.where(lab, w, 0.0)
    tot = lw.sum(axis=1, keepdims=True)
    share = np.divide(lw, tot, out=np.zeros_like(lw), where=tot > 0)
    none = (tot[:, 0] == 0).astype(float)
    per100 = np.divide(
        w * 100.0, n_words[:, None], out=np.zeros_like(w), where=n_words[:, None] > 0
    )
    out = {"n_words": n_words, "n_frames_hit": (w > 0).sum(axis=1) if len(keys) else np.zeros(n)}
    key_arr = np.array(keys, dtype=object)
    fallback = cb.residual or NONE_FRAME
    labels, primary = [fallback] * n, [fallback] * n
    for i in np.flatnonzero(lab.any(axis=1)) if len(keys) else []:
        idx = np.flatnonzero(lab[i])
        order = idx[np.argsort(-lw[i, idx], kind="stable")]
        labels[i] = ";".join(key_arr[order])
        primary[i] = key_arr[order[0]]
    out["labels"] = labels
    out["primary_frame"] = primary
    for j, k in enumerate(keys):
        out[f"score_{k}"] = per100[:, j].round(4)
    for j, k in enumerate(keys):
        out[f"share_{k}"] = share[:, j]
    out["share_none"] = none
    return pd.DataFrame(out)


def classify_sentences(
    sentences: pd.DataFrame,
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sentence frame table (keys + sentence_frames columns) and hits table (keys + hit)."""
    texts = sentences["text"].fillna("").astype(str).tolist()
    hits, n_words = match_sentences(
        texts,
        cb,
        matcher,
        normalizer,
        params.get("negation_cues", ()),
        int(params.get("negation_window", 0)),
    )
    table = sentence_frames(
        hits,
        n_words,
        cb,
        float(params.get("min_weight", 1.0)),
        float(params.get("relative_threshold", 0.5)),
    )
    keys = sentences[["doc_id", "para_id", "sent_id"]].reset_index(drop=True)
    table = pd.concat([keys, table], axis=1)
    if len(hits):
        h = hits.join(keys, on="sent").drop(columns="sent")
    else:
        h = pd.DataFrame(
            columns=["frame", "indicator", "weight", "negated", "doc_id", "para_id", "sent_id"]
        )
    h = h[["doc_id", "para_id", "sent_id", "frame", "indicator", "weight", "negated"]]
    return table, h.reset_index(drop=True)


def share_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c.startswith("share_")]


def aggregate(
    sent_table: pd.DataFrame,
    by: list[str],
    cb: Codebook,
    doc_min_share: float = 0.1,
    doc_max_labels: int = 3,
) -> pd.DataFrame:
    """Word-weighted mean of sentence shares per group (paragraph or article).

    Columns: the group keys, n_sentences, n_words, n_framed_sentences, share_<frame>...,
    share_none (summing to 1), primary_frame, labels.
    """
    scols = share_columns(sent_table)
    keys = cb.scored_keys
    if sent_table.empty:
        cols = [
            *by,
            "n_sentences",
            "n_words",
            "n_framed_sentences",
            *scols,
            "primary_frame",
            "labels",
        ]
        return pd.DataFrame(columns=cols)
    t = sent_table[[*by, "n_words", "share_none", *[c for c in scols if c != "share_none"]]].copy()
    wts = t["n_words"].astype(float).clip(lower=0)
    # a group whose sentences have no words at all is weighted by sentence count
    t["_w"] = wts
    grp_words = t.groupby(by, sort=False)["_w"].transform("sum")
    t.loc[grp_words == 0, "_w"] = 1.0
    for c in scols:
        t[c] = t[c] * t["_w"]
    t["_framed"] = (sent_table["share_none"] < 1).astype(int)
    g = t.groupby(by, sort=False)
    out = g[scols].sum()
    wsum = g["_w"].sum()
    out = out.div(wsum, axis=0)
    out.insert(0, "n_framed_sentences", g["_framed"].sum())
    out.insert(0, "n_words", g["n_words"].sum())
    out.insert(0, "n_sentences", g.size())
    out = out.reset_index()
    fr = out[[f"share_{k}" for k in keys]].to_numpy() if keys else np.zeros((len(out), 0))
    key_arr = np.array(keys, dtype=object)
    fallback = cb.residual or NONE_FRAME
    primary, labels = [], []
    for i in range(len(out)):
        row = fr[i]
        if len(row) and row.max() > 0:
            order = np.argsort(-row, kind="stable")
            primary.append(key_arr[order[0]])
            chosen = [key_arr[j] for j in order[:doc_max_labels] if row[j] >= doc_min_share]
            labels.append(";".join(chosen) if chosen else key_arr[order[0]])
        else:
            primary.append(fallback)
            labels.append(fallback)
    out["primary_frame"] = primary
    out["labels"] = labels
    for c in scols:
        out[c] = out[c].round(6)
    return out


def frame_distribution(doc_table: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Corpus-level frame distribution: mean share over articles (with a share of 'none'),
    the share of articles where the frame is primary, and of articles labeled with it."""
    names = cb.names()
    rows = []
    n = len(doc_table)
    frames = [c[6:] for c in share_columns(doc_table) if c != "share_none"]
    for k in [*frames, NONE_FRAME]:
        col = f"share_{k}"
        if col not in doc_table:
            continue
        mean_share = float(doc_table[col].mean()) if n else 0.0
        prim = float((doc_table["primary_frame"] == k).mean()) if n else 0.0
        if k == NONE_FRAME and cb.residual:
            prim = float((doc_table["primary_frame"] == cb.residual).mean()) if n else 0.0
        labeled = (
            float(doc_table["labels"].str.split(";").apply(lambda s, k=k: k in s).mean())
            if n and k != NONE_FRAME
            else float("nan")
        )
        rows.append(
            {
                "frame": k,
                "name": names.get(k, k),
                "mean_share": mean_share,
                "primary_share": prim,
                "labeled_share": labeled,
                "n_documents": n,
            }
        )
    return pd.DataFrame(rows)


def diagnostics(
    hit_counts: pd.DataFrame,
    examples: pd.DataFrame,
    cb: Codebook,
    top_terms: int = 10,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Per frame: indicator terms defined / ever matched, hits, negated hits, top terms and
    example sentences.

    hit_counts: frame, indicator, n_hits, n_negated (summed over the corpus).
    examples: frame, doc_id, sent_id, text, score (best example sentences).
    """
    t = cb.terms_table()
    rows = []
    for f in cb.frames:
        k = f["key"]
        defined = t[t["frame"] == k]
        h = hit_counts[hit_counts["frame"] == k] if len(hit_counts) else hit_counts
        matched = h[h["n_hits"] > 0] if len(h) else h
        top = matched.sort_values(["n_hits", "indicator"], ascending=[False, True]).head(top_terms)
        ex = examples[examples["frame"] == k] if len(examples) else examples
        ex = ex.sort_values(["score", "doc_id", "sent_id"], ascending=[False, True, True]).head(
            n_examples
        )
        rows.append(
            {
                "frame": k,
                "name": f["name"],
                "n_indicators": len(defined),
                "n_indicators_matched": int(matched["indicator"].nunique()) if len(matched) else 0,
                "share_indicators_matched": (
                    round(matched["indicator"].nunique() / len(defined), 4) if len(defined) else 0.0
                ),
                "n_hits": int(h["n_hits"].sum()) if len(h) else 0,
                "n_negated": int(h["n_negated"].sum()) if len(h) else 0,
                "top_terms": "; ".join(
                    f"{r.indicator} ({int(r.n_hits)})" for r in top.itertuples()
                ),
                "examples": " || ".join(
                    f"[{r.doc_id}#{r.sent_id}] {r.text}" for r in ex.itertuples()
                ),
                "residual": bool(f.get("residual")),
            }
        )
    return pd.DataFrame(rows)


def hit_counts(hits: pd.DataFrame) -> pd.DataFrame:
    """Sum hits per frame and indicator (negated ones apart)."""
    if hits.empty:
        return pd.DataFrame(columns=["frame", "indicator", "n_hits", "n_negated"])
    h = hits.assign(
        _neg=hits["negated"].astype(int), _pos=(~hits["negated"].astype(bool)).astype(int)
    )
    out = h.groupby(["frame", "indicator"], sort=True).agg(
        n_hits=("_pos", "sum"), n_negated=("_neg", "sum")
    )
    return out.reset_index()


def example_sentences(
    sent_table: pd.DataFrame, sentences: pd.DataFrame, cb: Codebook, n: int = 3
) -> pd.DataFrame:
    """The n highest-scoring sentences of each frame (ties: first in corpus order)."""
    rows = []
    text = sentences.set_index(["doc_id", "sent_id"])["text"]
    for k in cb.scored_keys:
        col = f"score_{k}"
        sub = sent_table[sent_table[f"share_{k}"] > 0]
        if sub.empty:
            continue
        top = sub.sort_values([col, "doc_id", "sent_id"], ascending=[False, True, True]).head(n)
        for r in top.itertuples():
            rows.append(
                {
                    "frame": k,
                    "doc_id": r.doc_id,
                    "sent_id": int(r.sent_id),
                    "text": text.get((r.doc_id, r.sent_id), ""),
                    "score": float(getattr(r, col)),
                }
            )
    return pd.DataFrame(rows, columns=["frame", "doc_id", "sent_id", "text", "score"])


def actor_frame_counts(
    mentions: pd.DataFrame, sent_table: pd.DataFrame, cb: Codebook
) -> pd.DataFrame:
    """Per actor and frame (one shard): sentences naming the actor that carry the frame.

    mentions: doc_id, sent_id, actor (one row per mention; several mentions of one actor in a
    sentence count once). Returns actor, frame, n_sentences, n_actor_sentences, share_sum
    (the sum of the frame's sentence shares), ready to be summed over shards.
    """
    cols = ["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    if mentions.empty or sent_table.empty:
        return pd.DataFrame(columns=cols)
    m = mentions[["doc_id", "sent_id", "actor"]].drop_duplicates()
    m = m.astype({"doc_id": str, "sent_id": "int64"})
    keys = [*cb.scored_keys, NONE_FRAME]
    sc = [f"share_{k}" for k in keys]
    st = sent_table[["doc_id", "sent_id", *sc]].astype({"doc_id": str, "sent_id": "int64"})
    j = m.merge(st, on=["doc_id", "sent_id"], how="inner")
    if j.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for actor, g in j.groupby("actor", sort=True):
        for k in keys:
            col = g[f"share_{k}"]
            rows.append((actor, k, int((col > 0).sum()), len(g), float(col.sum())))
    return pd.DataFrame(rows, columns=cols)


def finish_actor_frames(
    counts: pd.DataFrame, cb: Codebook, actors: list[str] | None = None
) -> pd.DataFrame:
    """Sum shard counts; add share (n_sentences / n_actor_sentences: multi-label, so shares of
    an actor may sum above 1) and frame_share (mean sentence share, summing to 1 with 'none').
    Actors in ``actors`` that are never named get rows of zeros, so they are visibly absent."""
    keys = [*cb.scored_keys, NONE_FRAME]
    if len(counts):
        c = counts.groupby(["actor", "frame"], as_index=False, sort=False)[
            ["n_sentences", "n_actor_sentences", "share_sum"]
        ].sum()
    else:
        c = pd.DataFrame(
            columns=["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
        )
    all_actors = sorted(set(c["actor"]) | set(actors or []))
    grid = pd.MultiIndex.from_product([all_actors, keys], names=["actor", "frame"]).to_frame(
        index=False
    )
    out = grid.merge(c, on=["actor", "frame"], how="left").fillna(
        {"n_sentences": 0, "n_actor_sentences": 0, "share_sum": 0.0}
    )
    out["n_actor_sentences"] = out.groupby("actor")["n_actor_sentences"].transform("max")
    out = out.astype({"n_sentences": "int64", "n_actor_sentences": "int64"})
    denom = out["n_actor_sentences"].where(out["n_actor_sentences"] > 0)
    out["share"] = (out["n_sentences"] / denom).fillna(0.0).round(6)
    out["frame_share"] = (out["share_sum"] / denom).fillna(0.0).round(6)
    return out[["actor", "frame", "n_sentences", "n_actor_sentences", "share", "frame_share"]]


def classify_texts(
    ids: list[str],
    texts: list[str],
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> pd.DataFrame:
    """Codebook frames of whole texts outside the corpus (labeled/gold rows): split into
    sentences, score, aggregate per text. One row per id, in the order given."""
    sents = texts_to_sentences(list(ids), list(texts))
    table, _ = classify_sentences(sents, cb, matcher, normalizer, params)
    docs = aggregate(
        table,
        ["doc_id"],
        cb,
        float(params.get("doc_min_share", 0.1)),
        int(params.get("doc_max_labels", 3)),
    )
    docs = docs.set_index("doc_id").reindex(list(ids))
    scols = [c for c in docs.columns if c.startswith("share_")]
    empty = docs["primary_frame"].isna()
    docs.loc[empty, scols] = 0.0
    docs.loc[empty, ["n_sentences", "n_words", "n_framed_sentences"]] = 0
    docs.loc[empty, "share_none"] = 1.0
    docs.loc[empty, ["primary_frame", "labels"]] = cb.residual or NONE_FRAME
    return docs.reset_index()


class PositionSums:
    """Mean frame shares by paragraph position (positions >= max_pos - 1 pooled), summed
    shard by shard so that the figure never needs the whole paragraph table in memory."""

    def __init__(self, max_pos: int):
        self.max_pos, self.sums, self.counts, self.docs = max_pos, None, None, 0

    def __call__(self, df: pd.DataFrame) -> None:
        scols = [c for c in df.columns if c.startswith("share_")]
        pos = df["para_id"].clip(upper=self.max_pos - 1)
        s = df[scols].groupby(pos).sum()
        c = pos.value_counts()
        self.sums = s if self.sums is None else self.sums.add(s, fill_value=0)
        self.counts = c if self.counts is None else self.counts.add(c, fill_value=0)
        self.docs += df["doc_id"].nunique()
        self.any_beyond = getattr(self, "any_beyond", False) or bool(
            (df["para_id"] >= self.max_pos).any()
        )

    def table(self) -> pd.DataFrame:
        if self.sums is None:
            return pd.DataFrame(columns=["position", "n_paragraphs", "n_documents", "pooled"])
        out = self.sums.div(self.counts, axis=0).sort_index()
        out.insert(
            0, "pooled", [bool(self.any_beyond and p == self.max_pos - 1) for p in out.index]
        )
        out.insert(0, "n_documents", self.docs)
        out.insert(0, "n_paragraphs", self.counts.sort_index().astype(int).to_numpy())
        out.index.name = "position"
        return out.reset_index()
