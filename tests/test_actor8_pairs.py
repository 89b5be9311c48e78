"""actor8: the (article, actor) pair scores on integer codes (newslens.actor_sentiment.
named_pairs) hold the rows, dtypes and bits of the pandas path (actor_article_scores), and
actor_pairs_batched takes them only where they apply."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens.actor_sentiment import actor_article_scores, actor_pairs_batched, named_pairs
from test_mem_streaming import actor_tables

TH = {"negative": -0.3, "positive": 0.03}


def tricky_tables(n_docs=300, seed=5):
    """Scores and mentions with what the join must get right: doc_ids whose code point order
    differs from their first appearance (non-ASCII, case, prefixes), repeated (doc_id, sent_id)
    scores, mentions of unscored sentences and articles, repeated mentions in a sentence, long
    articles (many sentences naming an actor: sums of more than eight values), actors whose
    order differs from their appearance."""
    rng = np.random.default_rng(seed)
    names = ["d", "D", "é", "ä", "z", "a", "Ω", "d1"]
    actors = ["Zeta", "army", "Élysée", "police", "NATO", "rebels", "ß"]
    scores, mentions = [], []
    for d in rng.permutation(n_docs):
        doc = f"{names[d % len(names)]}{d // len(names):03d}"
        n_sent = int(rng.integers(1, 40))
        for s in rng.permutation(n_sent):
            scores.append((doc, int(s), round(float(rng.uniform(-1, 1)), 4)))
            if rng.random() < 0.05:  # a repeated sentence score: counted once
                scores.append((doc, int(s), round(float(rng.uniform(-1, 1)), 4)))
        for s in range(n_sent + 2):  # +2: mentions of sentences without a score
            for actor in actors:
                if rng.random() < 0.3:
                    for _ in range(int(rng.integers(1, 4))):
                        mentions.append((doc, s, actor))
    for s in range(3):  # an article with mentions and no scores
        mentions.append(("unscored", s, "army"))
    scores = pd.DataFrame(scores, columns=["doc_id", "sent_id", "compound"])
    mentions = pd.DataFrame(mentions, columns=["doc_id", "sent_id", "actor"])
    return scores, mentions


def pandas_path(scores, mentions, method="sentences"):
    return actor_article_scores(scores, mentions, method=method, variants=False, **TH)


def parquet_bytes(frame):
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


@pytest.mark.parametrize("method", ["sentences", "prior", "article"])
def test_named_pairs_equal_the_pandas_path_bit_for_bit(method):
    scores, mentions = tricky_tables()
    expected = pandas_path(scores, mentions, method)
    got = named_pairs(pa.table(scores), pa.table(mentions), method, 0.5, **TH)
    assert len(expected) > 1500 and expected["n_sentences"].max() > 8
    assert expected["doc_id"].tolist() == sorted(expected["doc_id"])  # code point order
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert (got.dtypes == expected.dtypes).all()
    assert parquet_bytes(got) == parquet_bytes(expected)
    # the values themselves, on one pair: sentences naming the actor, their mean
    row = got.iloc[0]
    s = scores.drop_duplicates(["doc_id", "sent_id"])
    s = s[s["doc_id"] == row["doc_id"]].sort_values("sent_id")
    named = mentions[(mentions["doc_id"] == row["doc_id"]) & (mentions["actor"] == row["actor"])]
    named = named[named["sent_id"].isin(s["sent_id"])]
    assert row["n_mentions"] == len(named)
    assert row["n_sentences"] == named["sent_id"].nunique()
    assert row["doc_sentences"] == len(s)
    mean = s[s["sent_id"].isin(named["sent_id"])]["compound"].mean()
    assert row["sentences_compound"] == pytest.approx(mean, abs=1e-12)


def test_named_pairs_large_string_and_chunked_columns():
    scores, mentions = tricky_tables(n_docs=60, seed=8)
    expected = pandas_path(scores, mentions)
    big = pa.table(mentions).cast(
        pa.schema(
            [("doc_id", pa.large_string()), ("sent_id", pa.int64()), ("actor", pa.large_string())]
        )
    )
    half = len(scores) // 2
    chunked = pa.concat_tables([pa.table(scores.iloc[:half]), pa.table(scores.iloc[half:])])
    got = named_pairs(chunked, big, "sentences", 0.5, **TH)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_named_pairs_hands_over_or_returns_no_rows():
    scores, mentions = tricky_tables(n_docs=20, seed=2)
    s, m = pa.table(scores), pa.table(mentions)
    # integer doc_ids, missing keys or compounds: the pandas path decides
    as_int = m.set_column(0, "doc_id", pa.array(np.arange(m.num_rows)))
    assert named_pairs(s, as_int, "sentences", 0.5, **TH) is None
    missing = m.set_column(2, "actor", pa.array([None] * m.num_rows, pa.string()))
    assert named_pairs(s, missing, "sentences", 0.5, **TH) is None
    nan = s.set_column(2, "compound", pa.array(np.full(s.num_rows, np.nan)))
    assert named_pairs(nan, m, "sentences", 0.5, **TH) is None
    # no mentions, no scores, no mention of a scored sentence: the empty pair table
    empty = pandas_path(scores.iloc[:0], mentions)
    for got in (
        named_pairs(s.slice(0, 0), m, "sentences", 0.5, **TH),
        named_pairs(s, m.slice(0, 0), "sentences", 0.5, **TH),
        named_pairs(
            s, m.filter(pa.array(mentions["doc_id"] == "unscored")), "sentences", 0.5, **TH
        ),
    ):
        pd.testing.assert_frame_equal(got, empty, check_exact=True)


@pytest.mark.parametrize("batch", [1, 7, 1000])
@pytest.mark.parametrize("method", ["sentences", "prior", "window"])
def test_batched_pairs_of_both_paths_equal(batch, method):
    scores, mentions, targets = actor_tables(n_docs=90, seed=4)
    kw = dict(method=method, variants=False, **TH)
    expected = actor_article_scores(scores, mentions, **kw)
    from newslens.actor_sentiment import add_unnamed_targets

    expected = add_unnamed_targets(expected, targets, scores, TH["negative"], TH["positive"])
    got = actor_pairs_batched(pa.table(scores), pa.table(mentions), pa.table(targets), batch, **kw)
    assert len(expected) > 100 and (expected["n_mentions"] == 0).any()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
