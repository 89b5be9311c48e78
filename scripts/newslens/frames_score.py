"""Codebook frames of sentences, paragraphs and articles from the indicator hits.

A sentence carries frame f when its weighted hits reach ``min_weight`` and at least
``relative_threshold`` x the strongest frame of that sentence (multi-label); ``score_<f>`` is
weighted hits per 100 words. A sentence's unit of framing is split over its frames in
proportion to their hits (``share_<f>``); a sentence without frames puts it on ``share_none``.
Paragraphs and articles take the word-weighted mean of their sentences' shares (``aggregate``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.codebook import (
    NONE_FRAME,
    Codebook,
    Matcher,
)
from newslens.frames_match import match_sentences, str_column


def texts_to_sentences(ids: list[str], texts: list[str], splitter) -> pd.DataFrame:
    """One row per sentence of each text (doc_id, para_id=0, sent_id, text), cut by
    ``tokenize.split_sentences`` with ``splitter``."""
    from newslens.tokenize import split_sentences  # imported here: NLTK costs ~1 CPU-s

    rows = []
    for doc_id, text in zip(ids, texts, strict=True):
        for i, s in enumerate(split_sentences(text, splitter)):
            rows.append((doc_id, 0, i, s))
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])


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
        frame = pc.index_in(pa.array(counted["frame"]), value_set=pa.array(keys, pa.string()))
        np.add.at(
            w,
            (counted["sent"].to_numpy(), frame.to_numpy(zero_copy_only=False)),
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
    # codes into [fallback, *keys] (primary) and [fallback, *joined labels] (labels)
    labels, label_names = np.zeros(n, dtype=np.int64), [fallback]
    primary = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(lab.any(axis=1)) if len(keys) else np.zeros(0, dtype=np.int64)
    if len(rows):
        # labeled frames by weight (ties: codebook order); unlabeled ones (weight 0) sort last
        order = np.argsort(-lw[rows], axis=1, kind="stable")
        n_lab = lab[rows].sum(axis=1)
        codes, names = joined_keys(order, np.arange(len(keys)) < n_lab[:, None], key_arr)
        labels[rows], label_names = codes + 1, [fallback, *names]
        primary[rows] = order[:, 0] + 1
    out["labels"] = str_column(labels, label_names)
    out["primary_frame"] = str_column(primary, [fallback, *keys])
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


def joined_keys(
    order: np.ndarray, chosen: np.ndarray, key_arr: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Per row, the keys ``key_arr[order[i, j]]`` of the chosen columns joined by ";" (the
    chosen ones lead each row), as (code of each row, the distinct joined strings): each
    distinct combination is joined once."""
    n, width = order.shape
    if width == 0:
        return np.zeros(n, dtype=np.int64), [""]
    masked = np.where(chosen, order, -1)
    base = len(key_arr) + 1
    if width * np.log2(base) < 62:  # each row as one integer
        code = ((masked + 1) * base ** np.arange(width, dtype=np.int64)).sum(axis=1)
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        combos = masked[first]
    else:
        combos, inverse = np.unique(masked, axis=0, return_inverse=True)
    return inverse.reshape(-1), [";".join(key_arr[c[c >= 0]]) for c in combos]


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
    starts = group_runs(sent_table, by)
    if starts is None:
        columns, means = _group_means_pandas(sent_table, by, scols)
    else:
        columns, means = _group_means_runs(sent_table, by, scols, starts)
    n = len(means)
    at = {c: j for j, c in enumerate(scols)}
    fr = means[:, [at[f"share_{k}"] for k in keys]] if keys else np.zeros((n, 0))
    key_arr = np.array(keys, dtype=object)
    fallback = cb.residual or NONE_FRAME
    # codes into [fallback, *keys, *joined labels]
    primary = np.zeros(n, dtype=np.int64)
    labels, names = np.zeros(n, dtype=np.int64), []
    rows = np.flatnonzero(fr.max(axis=1) > 0) if keys else np.zeros(0, dtype=np.int64)
    if len(rows):
        order = np.argsort(-fr[rows], axis=1, kind="stable")
        primary[rows] = order[:, 0] + 1
        top = order[:, : int(doc_max_labels)]
        chosen = np.take_along_axis(fr[rows], top, axis=1) >= doc_min_share
        codes, names = joined_keys(top, chosen, key_arr)
        # no frame reaches doc_min_share: the primary one
        labels[rows] = np.where(chosen.any(axis=1), codes + 1 + len(keys), primary[rows])
    for j, c in enumerate(scols):
        columns[c] = means[:, j].round(6)
    columns["primary_frame"] = str_column(primary, [fallback, *keys])
    columns["labels"] = str_column(labels, [fallback, *keys, *names])
    return pd.DataFrame(columns)


def _group_means_pandas(
    sent_table: pd.DataFrame, by: list[str], scols: list[str]
) -> tuple[dict, np.ndarray]:
    """``aggregate``'s columns up to its counts (the group keys, n_sentences, n_words,
    n_framed_sentences: name -> array) and the word-weighted mean shares per group (one column
    per name in ``scols``), by pandas' groupby (the reference of ``_group_means_runs``)."""
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
    columns = {c: out[c].array for c in out.columns if c not in scols}
    return columns, out[scols].to_numpy(dtype=float)


def group_runs(table: pd.DataFrame, by: list[str]) -> np.ndarray | None:
    """The first row of each group of ``table`` by the ``by`` columns (one or two: a text or
    integer key, then an integer one) when every group is one run of consecutive rows (as the
    tokenize stage writes sentences: an article's rows together, a paragraph's rows
    together), in row order; None otherwise (a group in two runs, a missing key, other
    kinds of keys)."""
    n = len(table)
    if n == 0 or not 1 <= len(by) <= 2:
        return None
    change = np.zeros(n, dtype=bool)
    change[0] = True
    values = []
    for k, col in enumerate(by):
        column = table[col]
        if column.isna().any():
            return None  # groupby leaves such rows out
        if pd.api.types.is_integer_dtype(column.dtype):
            v = column.to_numpy(dtype=np.int64)
        elif k == 0 and pd.api.types.is_string_dtype(column.dtype):
            v = column.to_numpy(dtype=object)
        else:
            return None
        change[1:] |= v[1:] != v[:-1]
        values.append(v)
    starts = np.flatnonzero(change)
    # each group one run: the first key's runs are distinct, and within one run of the first
    # key the second key's runs are too
    first = np.flatnonzero(np.r_[True, values[0][1:] != values[0][:-1]])
    if len(set(values[0][first].tolist())) < len(first):
        return None
    if len(values) == 2:
        marks = np.zeros(n, dtype=np.int64)
        marks[first] = 1
        run = np.cumsum(marks)[starts]
        second = values[1][starts]
        order = np.lexsort((second, run))
        same = (run[order][1:] == run[order][:-1]) & (second[order][1:] == second[order][:-1])
        if same.any():
            return None
    return starts


def group_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Column sums of groups of consecutive rows (``starts``: each group's first row), as
    pandas' groupby sums them when the group numbers are sorted: ``np.add.reduceat`` over each
    column as one contiguous array (numpy's pairwise summation within each group)."""
    out = np.empty((len(starts), values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.add.reduceat(np.ascontiguousarray(values[:, j]), starts)
    return out


def _group_means_runs(
    sent_table: pd.DataFrame, by: list[str], scols: list[str], starts: np.ndarray
) -> tuple[dict, np.ndarray]:
    """``_group_means_pandas`` for groups that are runs of rows (``group_runs``): numpy sums
    over the runs, bit for bit what the groupby gives."""
    n = len(sent_table)
    words = sent_table["n_words"]
    shares = sent_table[scols].to_numpy(dtype=float)
    if words.dtype != np.int64 or np.isnan(shares).any():  # pandas sums NaN otherwise
        return _group_means_pandas(sent_table, by, scols)
    lengths = np.diff(np.append(starts, n))
    w = words.to_numpy(dtype=float).clip(min=0)
    # a group whose sentences have no words at all is weighted by sentence count
    w[np.repeat(group_sums(w[:, None], starts)[:, 0] == 0, lengths)] = 1.0
    means = group_sums(shares * w[:, None], starts) / group_sums(w[:, None], starts)
    framed = (sent_table["share_none"].to_numpy() < 1).astype(np.int64)
    columns = {c: sent_table[c].array.take(starts) for c in by}
    columns["n_sentences"] = lengths.astype(np.int64)
    columns["n_words"] = np.add.reduceat(words.to_numpy(), starts)
    columns["n_framed_sentences"] = np.add.reduceat(framed, starts)
    return columns, means


def frame_distribution(doc_table: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Corpus-level frame distribution: mean share over articles (with a share of 'none'),
    the share of articles where the frame is primary, and of articles labeled with it."""
    names = cb.names()
    rows = []
    n = len(doc_table)
    frames = [c[6:] for c in share_columns(doc_table) if c != "share_none"]
    # ";a;b;": frame k is among the labels if ";k;" occurs (keys hold no ";")
    padded = ";" + doc_table["labels"].astype(str) + ";" if n else None
    for k in [*frames, NONE_FRAME]:
        col = f"share_{k}"
        if col not in doc_table:
            continue
        mean_share = float(doc_table[col].mean()) if n else 0.0
        prim = float((doc_table["primary_frame"] == k).mean()) if n else 0.0
        if k == NONE_FRAME and cb.residual:
            prim = float((doc_table["primary_frame"] == cb.residual).mean()) if n else 0.0
        labeled = (
            float(padded.str.contains(f";{k};", regex=False).mean())
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


def classify_texts(
    ids: list[str],
    texts: list[str],
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> pd.DataFrame:
    """Codebook frames of whole texts outside the corpus (labeled/gold rows): split into
    sentences (``tokenize.text_splitter`` of these texts with ``params['abbreviations']``),
    score, aggregate per text. One row per id, in the order given."""
    from newslens.tokenize import text_splitter  # imported here: NLTK costs ~1 CPU-s

    texts = [str(t) for t in texts]
    splitter = text_splitter(texts, params.get("abbreviations", ()))
    sents = texts_to_sentences(list(ids), texts, splitter)
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
