"""Actors x frames per article by a pandas merge and group means: the reference that
``newslens.compare_actors.actor_frame_shares`` (integer keys, no string merge) must equal
exactly. Used only by tests (tests/test_cmpshare_actor_frames.py,
tests/test_compare_actor_frames.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def actor_sentence_frames(
    actor_sentences: pd.DataFrame, frame_sentences: pd.DataFrame, actors: Sequence[str]
) -> pd.DataFrame:
    """One row per (doc_id, sent_id, actor) of the listed actors with the sentence's frame
    shares (one column per frame, ``share_none`` left out) and its primary frame. Sentences of
    the actor table without a row in the frame table are dropped."""
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


def reference_actor_frame_shares(
    actor_sentences: pd.DataFrame, frame_sentences: pd.DataFrame, actors: Sequence[str]
):
    """What ``actor_frame_shares`` returns, (values, sentences, frames, n_rows), by the merge.
    The frame table needs a ``primary_frame`` column."""
    joined = actor_sentence_frames(actor_sentences, frame_sentences, actors)
    frames = [c for c in joined.columns if c not in {"doc_id", "sent_id", "actor", "primary_frame"}]
    values, sentences = actor_frame_article_shares(joined, frames)
    return values, sentences, frames, len(joined)
