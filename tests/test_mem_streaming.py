"""The memory-bounded versions of the shard and gather jobs give exactly what one pass gives,
and hold no more than their batch in memory (tested on the function level, tiny batches)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens import actor_sentiment
from newslens.actor_sentiment import (
    actor_article_scores,
    actor_pairs_batched,
    add_unnamed_targets,
)


def actor_tables(n_docs=37, seed=3):
    """Sentence scores, actor mentions and per-article targets of ``n_docs`` articles, in an
    order that is not sorted by doc_id (as a shard lists its articles in corpus order)."""
    rng = np.random.default_rng(seed)
    scores, mentions, targets = [], [], []
    for d in rng.permutation(n_docs):
        doc = f"d{d:03d}"
        n_sent = int(rng.integers(1, 9))
        for s in range(n_sent):
            scores.append((doc, s, round(float(rng.uniform(-1, 1)), 4)))
            for actor in ("army", "police", "rebels"):
                if rng.random() < 0.25:
                    mentions.append((doc, s, actor))
        for actor in ("government", "army"):
            if rng.random() < 0.4:
                targets.append((doc, actor, 0))
    scores = pd.DataFrame(scores, columns=["doc_id", "sent_id", "compound"])
    mentions = pd.DataFrame(mentions, columns=["doc_id", "sent_id", "actor"])
    targets = pd.DataFrame(targets, columns=["doc_id", "actor", "n_mentions"])
    return scores, mentions, targets


def one_pass(scores, mentions, targets, **kw):
    pairs = actor_article_scores(scores, mentions, negative=-0.05, positive=0.05, **kw)
    return add_unnamed_targets(pairs, targets, scores, -0.05, 0.05)


@pytest.mark.parametrize("batch", [1, 2, 5, 1000])
@pytest.mark.parametrize("method", ["sentences", "distance", "prior"])
def test_actor_pairs_batched_equal_one_pass(batch, method):
    scores, mentions, targets = actor_tables()
    expected = one_pass(scores, mentions, targets, method=method)
    got = actor_pairs_batched(
        pa.table(scores),
        pa.table(mentions),
        pa.table(targets),
        batch,
        negative=-0.05,
        positive=0.05,
        method=method,
    )
    assert len(expected) > 40 and (expected["n_mentions"] == 0).any()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_actor_pairs_batched_holds_one_batch(monkeypatch):
    scores, mentions, targets = actor_tables()
    seen = []
    real = actor_sentiment.actor_article_scores

    def spy(s, m, **kw):
        seen.append((s["doc_id"].nunique(), len(s)))
        return real(s, m, **kw)

    monkeypatch.setattr(actor_sentiment, "actor_article_scores", spy)
    actor_pairs_batched(pa.table(scores), pa.table(mentions), pa.table(targets), 4)
    assert len(seen) == int(np.ceil(37 / 4))
    assert max(n for n, _ in seen) <= 4
    assert sum(rows for _, rows in seen) == len(scores)


def test_actor_pairs_batched_empty_and_bad_batch():
    scores, mentions, targets = actor_tables()
    empty = actor_pairs_batched(
        pa.table(scores.iloc[:0]), pa.table(mentions.iloc[:0]), pa.table(targets.iloc[:0]), 3
    )
    assert len(empty) == 0 and list(empty.columns) == actor_sentiment.PAIR_COLUMNS
    with pytest.raises(actor_sentiment.NewslensError, match="batch_articles"):
        actor_pairs_batched(pa.table(scores), pa.table(mentions), pa.table(targets), 0)
