"""newslens.sentiment_gather.shard_units: the article and paragraph units of a shard from its
scored batches (the loop formerly in scripts/sentiment_score.py), on a small frame with a known
answer."""

import numpy as np
import pandas as pd
import pytest
from newslens.sentiment_gather import BLOCK, paragraph_rows, shard_units, unit_table
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


def one_paragraph_shard(seed: int, articles: int = 400) -> pd.DataFrame:
    """Articles of 1 to 30 sentences, each one paragraph (para_id 0-2), random scores with
    ties, -0.0 and repeated values; two parts."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 31, articles)
    doc = np.repeat([f"d{i:04d}" for i in range(articles)], n)
    compound = np.round(rng.uniform(-1, 1, len(doc)), 2)
    compound[rng.random(len(doc)) < 0.05] = -0.0
    label = np.where(
        compound <= -0.05, "negative", np.where(compound >= 0.05, "positive", "neutral")
    )
    return pd.DataFrame(
        {
            "doc_id": doc,
            "para_id": np.repeat(rng.integers(0, 3, articles), n).astype(np.int64),
            "sent_id": np.concatenate([np.arange(k) for k in n]).astype(np.int64),
            "neg": 0.0,
            "neu": 1.0,
            "pos": 0.0,
            "compound": compound,
            "label": label,
            BLOCK: np.repeat(np.arange(articles) // 250, n),
        }
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_paragraph_articles_give_the_paragraph_units_bit_for_bit(seed):
    df = one_paragraph_shard(seed)
    for batch_rows in (1_000, 100_000):
        for documents, blocks, rows in shard_units(iter([df]), batch_rows, BOOT, TH):
            # what the paragraph path computes for the same whole articles
            whole = df[df["doc_id"].isin(set(documents["doc_id"]))].reset_index(drop=True)
            want = unit_table(whole, ["doc_id", "para_id"], BOOT, TH)
            pd.testing.assert_frame_equal(rows.to_pandas(), paragraph_rows(want).to_pandas())
            assert rows.equals(paragraph_rows(want))
            by_doc = whole.drop_duplicates("doc_id").set_index("doc_id")[BLOCK]
            assert blocks.tolist() == want["doc_id"].map(by_doc).tolist()
            assert len(documents) == len(want)


def test_a_batch_with_a_two_paragraph_article_takes_the_paragraph_path():
    df = one_paragraph_shard(5, 50)
    two = df.index[(df["doc_id"] == "d0001") & (df["sent_id"] > 0)]
    assert len(two)  # d0001 has 2+ sentences; its last ones become a paragraph of their own
    df.loc[two[-1], "para_id"] = 9
    documents, _, rows = next(shard_units(iter([df]), 100_000, BOOT, TH))  # all but the last
    whole = df[df["doc_id"].isin(set(documents["doc_id"]))].reset_index(drop=True)
    want = unit_table(whole, ["doc_id", "para_id"], BOOT, TH)
    assert rows.equals(paragraph_rows(want))
    assert rows.num_rows == len(documents) + 1
