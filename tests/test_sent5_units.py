"""newslens.sentiment_gather.shard_units: the article and paragraph units of a shard from its
scored batches (the loop formerly in scripts/sentiment_score.py), on a small frame with a known
answer."""

import numpy as np
import pandas as pd
import pytest
from newslens.sentiment_gather import BLOCK, shard_units
from newslens.shards_gather import OrderError

BOOT = {"resamples": 100, "seed": 1, "confidence": 0.95}
TH = {"negative": -0.05, "positive": 0.05}


def scored() -> pd.DataFrame:
    rows = [
        ("a", 0, 0, 0.5, "positive", 0),
        ("a", 0, 1, -0.5, "negative", 0),
        ("a", 1, 2, 0.0, "neutral", 0),
        ("b", 0, 0, 0.2, "positive", 1),
    ]
    df = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "compound", "label", BLOCK])
    return df.assign(neg=0.0, neu=1.0, pos=0.0)


def gather(batches, batch_rows):
    out = list(shard_units(iter(batches), batch_rows, BOOT, TH))
    documents = pd.concat([d for d, _, _ in out], ignore_index=True)
    blocks = np.concatenate([b for _, b, _ in out])
    paragraphs = pd.concat([p.to_pandas() for _, _, p in out], ignore_index=True)
    return len(out), documents, blocks, paragraphs


def test_units_of_two_articles_cut_across_batches():
    df = scored()
    # batches of 3 + 1 sentences re-cut into 2 + 2, then into whole articles: a, then b
    n, documents, blocks, paragraphs = gather([df.iloc[:3], df.iloc[3:]], 2)
    assert n == 2
    assert documents["doc_id"].tolist() == ["a", "b"]
    assert documents["n_sentences"].tolist() == [3, 1]
    assert documents["compound"].tolist() == pytest.approx([0.0, 0.2])
    assert documents["share_negative"].tolist() == pytest.approx([1 / 3, 0.0])
    assert documents["share_neutral"].tolist() == pytest.approx([1 / 3, 0.0])
    assert documents["share_positive"].tolist() == pytest.approx([1 / 3, 1.0])
    assert documents["label"].tolist() == ["neutral", "positive"]
    # a unit of one sentence has no interval; a's lies within its sentences' range
    assert documents["compound_ci_low"].isna().tolist() == [False, True]
    assert -0.5 <= documents["compound_ci_low"][0] <= 0.0 <= documents["compound_ci_high"][0]
    assert documents["compound_ci_high"][0] <= 0.5

    # paragraphs: renamed as the table has them, each to its article's part
    assert paragraphs[["doc_id", "para_id"]].values.tolist() == [["a", 0], ["a", 1], ["b", 0]]
    assert blocks.tolist() == [0, 0, 1]
    assert paragraphs["n_sentences"].tolist() == [2, 1, 1]
    assert paragraphs["mean_compound"].tolist() == pytest.approx([0.0, 0.0, 0.2])
    assert paragraphs["share_negative"].tolist() == pytest.approx([0.5, 0.0, 0.0])
    assert paragraphs["share_neutral"].tolist() == pytest.approx([0.0, 1.0, 0.0])
    assert paragraphs["share_positive"].tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert paragraphs["label"].tolist() == ["neutral", "neutral", "positive"]
    # the two-sentence paragraph (+0.5, -0.5): its resample means lie in {-0.5, 0, 0.5}
    assert paragraphs["mean_compound_ci_low"][0] == -0.5
    assert paragraphs["mean_compound_ci_high"][0] == 0.5


def test_the_cut_into_batches_does_not_change_single_article_units():
    df = scored()
    _, whole, _, whole_paras = gather([df], 100)
    _, cut, _, cut_paras = gather([df.iloc[:1], df.iloc[1:2], df.iloc[2:]], 1)
    pd.testing.assert_frame_equal(whole, cut)
    pd.testing.assert_frame_equal(whole_paras, cut_paras)


def test_an_article_split_apart_is_an_order_error():
    df = scored()
    split = pd.concat([df.iloc[:1], df.iloc[3:], df.iloc[1:3]], ignore_index=True)
    with pytest.raises(OrderError):
        gather([split], 1)
