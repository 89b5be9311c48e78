"""sent7: sentiment_score without per-row string round trips.

* ``SentenceScorer`` builds its frame without converting doc_id to Arrow and back and takes
  the label from an Arrow array by code (``_table``): the same frame, dtypes and Arrow
  conversion (with its pandas metadata, which the scores file keeps) as the general path.
* The units' shard order and each paragraph's part come from the runs of an article's rows
  (``first_run_index``): the same order and parts as pandas' factorize and map, and the
  general path wherever the ids are not grouped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens import sentiment
from newslens.sentiment import SentenceScorer, first_run_index, shard_order, within_unit_ci
from newslens.sentiment_gather import BLOCK, article_blocks
from test_sentiment_stats import random_shard

TEXTS = [
    "The results were great and everyone was happy.",
    "This is a terrible, awful outcome!!",
    "The committee met on Tuesday.",
    None,
    "",
    "Not bad at all, but the ending was VERY disappointing??",
    "The results were great and everyone was happy.",
    "ok",
    "I love it :)",
    "12 345",
]


def sentences(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    docs = np.sort(rng.integers(0, max(1, n // 3), n))
    return pd.DataFrame(
        {
            "doc_id": pd.Series([f"d{d:03d}" for d in docs], dtype=str),
            "para_id": rng.integers(0, 3, n),
            "sent_id": np.arange(n),
            "text": pd.Series([TEXTS[i] for i in rng.integers(0, len(TEXTS), n)], dtype=str),
        }
    )


def general(scorer: SentenceScorer, df: pd.DataFrame, monkeypatch) -> pd.DataFrame:
    """The scorer where pandas' string dtype is ``object`` (pandas < 3): the labels as Python
    strings (since sent8 the one path's other label branch; the former general path is
    tests/test_sent8_scorer_path.py's reference)."""
    with monkeypatch.context() as m:
        m.setattr(sentiment, "_STRING_DTYPE", np.dtype(object))
        return scorer(df)


@pytest.mark.parametrize("thresholds", [(-0.05, 0.05), (-0.3, 0.6), (0.2, 0.1), (0.0, 0.0)])
def test_scorer_frame_equals_the_general_path(thresholds, monkeypatch):
    df = sentences(200)
    fast = SentenceScorer(negative=thresholds[0], positive=thresholds[1])(df)
    slow = general(SentenceScorer(negative=thresholds[0], positive=thresholds[1]), df, monkeypatch)
    assert list(fast.columns) == list(slow.columns) == sentiment.SENTENCE_COLUMNS
    assert fast.dtypes.astype(str).tolist() == slow.dtypes.astype(str).tolist()
    assert fast["doc_id"].dtype == object and fast["label"].dtype == sentiment._STRING_DTYPE
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    # the labels follow label_compound: positive wins where both thresholds hold
    want = sentiment.label_compound(slow["compound"], *thresholds).tolist()
    assert fast["label"].tolist() == want
    # the Arrow table both writers get: same values, same schema and pandas metadata
    a = pa.Table.from_pandas(fast, preserve_index=False)
    b = pa.Table.from_pandas(slow, preserve_index=False)
    assert a.equals(b, check_metadata=True)
    assert a.schema.metadata == b.schema.metadata


def test_scorer_values_and_empty_frame():
    df = sentences(30, seed=3)
    out = SentenceScorer()(df)
    assert len(out) == 30 and out["sent_id"].tolist() == list(range(30))
    assert out["doc_id"].tolist() == df["doc_id"].tolist()
    missing = df["text"].isna() | (df["text"] == "")
    assert (out.loc[missing, ["neg", "neu", "pos", "compound"]] == 0).all().all()
    assert set(out.loc[missing, "label"]) <= {"neutral"}
    empty = SentenceScorer()(df.iloc[:0])
    assert list(empty.columns) == sentiment.SENTENCE_COLUMNS and len(empty) == 0


def factorize_codes(ids: pd.Series, of: pd.Series) -> np.ndarray:
    _, uniques = pd.factorize(ids)
    return pd.Index(uniques).get_indexer(of)


def test_first_run_index_is_the_factorize_code_for_grouped_ids():
    ids = pd.Series(["c", "c", "a", "a", "a", "b", "z"], dtype=object)
    assert first_run_index(ids, pd.Series(["a", "c", "c", "z", "b", "a"])).tolist() == [
        1,
        0,
        0,
        3,
        2,
        1,
    ]
    rng = np.random.default_rng(5)
    for n in (1, 2, 50, 400):
        docs = [f"x{d}" for d in rng.permutation(n)]
        ids = pd.Series(np.repeat(docs, rng.integers(1, 6, n)), dtype=object)
        of = ids.sample(frac=0.7, random_state=1).sort_values()
        got = first_run_index(ids, of)
        assert got.tolist() == factorize_codes(ids, of).tolist()
    assert first_run_index(pd.Series([], dtype=object), pd.Series([], dtype=object)).size == 0


def test_first_run_index_declines_what_it_cannot_settle():
    # an id whose rows are not together; an id of ``of`` not in ``ids``; missing ids
    assert first_run_index(pd.Series(["a", "b", "a"]), pd.Series(["a"])) is None
    assert first_run_index(pd.Series(["a", "b"]), pd.Series(["a", "q"])) is None
    assert first_run_index(pd.Series(["a", None, None]), pd.Series(["a"])) is None


def shard_order_general(table, doc_ids, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(sentiment, "first_run_index", lambda ids, of: None)
        return shard_order(table, doc_ids)


@pytest.mark.parametrize("keys", [["doc_id"], ["doc_id", "para_id"]])
def test_shard_order_equals_the_general_path(keys, monkeypatch):
    s = random_shard(120, seed=4)
    table = within_unit_ci(s, keys, 50, 3)
    fast = shard_order(table, s["doc_id"])
    pd.testing.assert_frame_equal(fast, shard_order_general(table, s["doc_id"], monkeypatch))
    assert fast["doc_id"].drop_duplicates().tolist() == s["doc_id"].drop_duplicates().tolist()
    # not grouped (an article's sentences apart): the general path, same order
    mixed = s.sample(frac=1.0, random_state=2)
    want = shard_order_general(table, mixed["doc_id"], monkeypatch)
    pd.testing.assert_frame_equal(shard_order(table, mixed["doc_id"]), want)
    # a unit whose article is not among the sentences goes last, in its order
    extra = pd.concat([table.iloc[:0], table.iloc[:2].assign(doc_id="zzz")], ignore_index=True)
    both = pd.concat([extra, table], ignore_index=True)
    got = shard_order(both, s["doc_id"])
    assert got["doc_id"].tolist()[-2:] == ["zzz", "zzz"]
    pd.testing.assert_frame_equal(got, shard_order_general(both, s["doc_id"], monkeypatch))


def test_article_blocks_are_those_of_each_articles_first_sentence():
    s = random_shard(80, seed=6)
    s[BLOCK] = np.arange(len(s)) // 25 * 4  # parts cut inside articles too
    table = shard_order(within_unit_ci(s, ["doc_id", "para_id"], 20, 1), s["doc_id"])
    block = s.drop_duplicates("doc_id").set_index("doc_id")[BLOCK]
    want = table["doc_id"].map(block).to_numpy()
    got = article_blocks(s, table)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()
    # articles apart: the general path
    mixed = s.iloc[::-1].reset_index(drop=True)
    mixed = pd.concat([mixed.iloc[1::2], mixed.iloc[::2]], ignore_index=True)
    block = mixed.drop_duplicates("doc_id").set_index("doc_id")[BLOCK]
    assert article_blocks(mixed, table).tolist() == table["doc_id"].map(block).tolist()
