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


def actor_sentence_frames(
    actor_sentences: pd.DataFrame, frame_sentences: pd.DataFrame, actors: Sequence[str]
) -> pd.DataFrame:
    """One row per (doc_id, sent_id, actor) of the listed actors with the sentence's frame
    shares (one column per frame, ``share_none`` left out) and its primary frame.

    Sentences of the actor table without a row in the frame table (there should be none) are
    dropped; the caller logs how many."""
    share_cols = [
        c for c in frame_sentences.columns if c.startswith("share_") and c != "share_none"
    ]
    left = actor_sentences.loc[
        actor_sentences["actor"].astype(str).isin(list(actors)), ["doc_id", "sent_id", "actor"]
    ].assign(
        doc_id=lambda t: t["doc_id"].astype(str),
        actor=lambda t: t["actor"].astype(str),
        sent_id=lambda t: t["sent_id"].astype(np.int64),
    )
    right = frame_sentences[["doc_id", "sent_id", "primary_frame", *share_cols]].assign(
        doc_id=lambda t: t["doc_id"].astype(str), sent_id=lambda t: t["sent_id"].astype(np.int64)
    )
    out = left.merge(right, on=["doc_id", "sent_id"], how="inner", validate="many_to_one")
    out = out.rename(columns={c: c.removeprefix("share_") for c in share_cols})
    return out.drop_duplicates(["doc_id", "sent_id", "actor"]).reset_index(drop=True)


def actor_frame_article_shares(joined: pd.DataFrame, frames: Sequence[str]):
    """Per article and actor, the mean share of each frame over the article's sentences that
    name the actor. Returns (values, sentences): ``values`` has a doc_id index and (actor,
    frame) columns, NaN where the article does not name the actor; ``sentences`` has the
    number of such sentences per article (doc_id index, actor columns, 0 = not named)."""
    frames = list(frames)
    if joined.empty:
        empty = pd.DataFrame(index=pd.Index([], name="doc_id"))
        return empty, empty
    means = joined.groupby(["doc_id", "actor"], sort=True)[frames].mean()
    values = means.unstack("actor")  # columns (frame, actor)
    values = values.swaplevel(0, 1, axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    actors = sorted(joined["actor"].unique())
    values = values.reindex(columns=pd.MultiIndex.from_product([actors, frames]))
    sentences = joined.groupby(["doc_id", "actor"], sort=True).size().unstack("actor", fill_value=0)
    return values, sentences.reindex(columns=actors, fill_value=0)


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
