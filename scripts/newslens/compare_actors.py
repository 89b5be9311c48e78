"""Actors x frames by group: per article and actor the frame shares of the sentences that
name the actor, compared between groups (bootstrap intervals over articles, BH q)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from newslens.compare import REST, SHARE_COLUMNS, group_differences

# ----------------------------------------------------------------------------------------------
# Actors x frames by group
# ----------------------------------------------------------------------------------------------

ACTOR_FRAME_COLUMNS = [
    *SHARE_COLUMNS[:3],  # variable, group, reference
    "actor",
    "frame",
    "n_group",
    "n_reference",
    "sentences_group",
    "sentences_reference",
    *SHARE_COLUMNS[6:],  # mean_group ... q_value, as every by-group table
]


def top_actors(actor_sentences: pd.DataFrame, max_actors: int | None) -> list[str]:
    """The ``max_actors`` actors named in the most articles (ties by name); None: all."""
    if actor_sentences.empty:
        return []
    per = actor_sentences.groupby("actor")["doc_id"].nunique()
    order = sorted(per.index.astype(str), key=lambda a: (-int(per[a]), a))
    return order if max_actors is None else order[:max_actors]


def actor_frame_shares(
    actor_sentences: pd.DataFrame, frame_sentences: pd.DataFrame, actors: Sequence[str]
):
    """Per article and actor, the mean share of each frame over the article's sentences that
    name the actor, for the listed actors. The actors' sentences are matched to the frame
    table's rows by integer keys (sorted article codes x sentence number, one hash look-up),
    repeated (article, sentence, actor) rows count once, sentences without a frame row are
    left out, and the means are taken per (article, actor) by an integer group key. Needs only
    doc_id, sent_id and the ``share_*`` columns of the frame table (``share_none`` left out).
    Raises ValueError when the frame table has more than one row for a (doc_id, sent_id).
    tests/reference_actor_frames.py is the same computation by a pandas merge; the two agree
    exactly.

    Returns (values, sentences, frames, n_rows): ``values`` has a doc_id index (sorted) and
    (actor, frame) columns, NaN where the article does not name the actor; ``sentences`` the
    number of the actor's matched sentences per article (doc_id index, actor columns, 0 = not
    named); ``frames`` the frame names (the share columns without their prefix, in table
    order); ``n_rows`` the number of distinct (article, sentence, actor) rows matched. Only
    articles and actors with a matched sentence get a row or column."""
    share_cols = [
        c for c in frame_sentences.columns if c.startswith("share_") and c != "share_none"
    ]
    frames = [c.removeprefix("share_") for c in share_cols]
    listed = sorted(set(map(str, actors)))
    actor = actor_sentences["actor"].astype(str)
    keep = actor.isin(listed).to_numpy()
    # article codes in sorted doc_id order (the order of groupby's sorted index)
    doc_codes, docs = pd.factorize(actor_sentences["doc_id"].astype(str)[keep], sort=True)
    a_sent = actor_sentences["sent_id"].to_numpy()[keep].astype(np.int64)
    a_actor = pd.Index(listed).get_indexer(actor[keep])
    f_codes = pd.Index(docs).get_indexer(frame_sentences["doc_id"].astype(str))
    f_sent = frame_sentences["sent_id"].to_numpy().astype(np.int64)
    inside = f_codes >= 0
    lo = min(a_sent.min(initial=0), f_sent[inside].min(initial=0))
    stride = max(a_sent.max(initial=0), f_sent[inside].max(initial=0)) - lo + 1
    f_keys = pd.Index(f_codes[inside] * stride + (f_sent[inside] - lo))
    if not f_keys.is_unique:
        raise ValueError("the frame table has more than one row for a (doc_id, sent_id)")
    hit = f_keys.get_indexer(doc_codes * stride + (a_sent - lo))  # -1: no frame row
    # the first of repeated (article, sentence, actor) rows, as drop_duplicates keeps
    key = (doc_codes * stride + (a_sent - lo)) * len(listed) + a_actor
    use = (hit >= 0) & ~pd.Index(key).duplicated(keep="first")
    if not use.any():
        empty = pd.DataFrame(index=pd.Index([], name="doc_id"))
        return empty, empty, frames, 0
    rows = np.flatnonzero(inside)[hit[use]]
    group = doc_codes[use].astype(np.int64) * len(listed) + a_actor[use]
    shares = frame_sentences[share_cols].take(rows).set_axis(frames, axis=1)
    shares.index = group
    means = shares.groupby(level=0, sort=True).mean()
    counts = np.bincount(group, minlength=len(docs) * len(listed)).reshape(len(docs), -1)
    present_docs = np.flatnonzero(counts.sum(axis=1) > 0)
    present = [k for k in range(len(listed)) if counts[:, k].any()]
    names = [listed[k] for k in present]
    index = pd.Index(np.asarray(docs)[present_docs], name="doc_id")
    # one row per article, one column per (actor, frame); NaN where the article does not
    # name the actor (as the unstacked group means)
    column = np.full(len(listed), -1)
    column[present] = np.arange(len(present))
    keys = means.index.to_numpy()
    mean = means.to_numpy()
    table = np.full((len(index), len(present) * len(frames)), np.nan, dtype=mean.dtype)
    cols = column[keys % len(listed)][:, None] * len(frames) + np.arange(len(frames))
    table[np.searchsorted(present_docs, keys // len(listed))[:, None], cols] = mean
    values = pd.DataFrame(table, index=index, columns=pd.MultiIndex.from_product([names, frames]))
    sentences = pd.DataFrame(counts[np.ix_(present_docs, present)], index=index, columns=names)
    sentences.columns.name = "actor"
    return values, sentences, frames, int(use.sum())


def actor_frame_differences(
    values: pd.DataFrame,
    sentences: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    *bootstrap_args,
    **bootstrap,
) -> pd.DataFrame:
    """Actor x frame by group: for each actor, the mean (over the articles that name it) share
    of each frame in the sentences naming the actor, per group, with bootstrap intervals over
    articles, the difference to the reference with interval and BH q (over every actor, frame
    and comparison of a variable), and the articles (``n_*``) and sentences (``sentences_*``)
    behind each number. The further arguments are ``group_differences``'s
    (resamples, confidence, seed, min_articles: ``compare_bootstrap.bootstrap_args``)."""
    if values.empty:
        return pd.DataFrame(columns=ACTOR_FRAME_COLUMNS)
    flat = values.copy()
    keys = list(flat.columns)
    flat.columns = [f"{i}" for i in range(len(keys))]
    tab = group_differences(flat, groups, reference, *bootstrap_args, **bootstrap)
    if tab.empty:
        return pd.DataFrame(columns=ACTOR_FRAME_COLUMNS)
    pos = tab["item"].astype(int).to_numpy()
    tab["actor"] = [keys[i][0] for i in pos]
    tab["frame"] = [keys[i][1] for i in pos]
    # sentence counts per variable x group x actor, and over the whole variable (for `rest`)
    sent = sentences.copy()
    sent.index = sent.index.astype(str)
    lab = groups.set_index(groups["doc_id"].astype(str))
    counts = {}
    for var in [c for c in groups.columns if c != "doc_id"]:
        g = lab[var].reindex(sent.index).fillna("").astype(str)
        per = sent.groupby(g.to_numpy()).sum()
        per = per.drop(index="", errors="ignore")
        counts[var] = (per, per.sum(axis=0))
    sg, sr = [], []
    for var, g, ref, actor in tab[["variable", "group", "reference", "actor"]].itertuples(
        index=False
    ):
        per, total = counts[var]
        own = int(per.at[g, actor]) if g in per.index else 0
        sg.append(own)
        if ref == REST:
            sr.append(int(total[actor]) - own)
        else:
            sr.append(int(per.at[ref, actor]) if ref in per.index else 0)
    tab["sentences_group"] = sg
    tab["sentences_reference"] = sr
    return tab[ACTOR_FRAME_COLUMNS]
