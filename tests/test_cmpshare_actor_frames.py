"""The actor x frame aggregation by integer keys (``compare_actors.actor_frame_shares``) equals
the pandas merge and group means of tests/reference_actor_frames.py, exactly, on tables with
repeated rows, NaN shares, actors that are listed but never named, sentences without a frame
row and articles in only one table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare_actors as ca
from reference_actor_frames import reference_actor_frame_shares as _old


def _frames(dtype=np.float64):
    return pd.DataFrame(
        {
            "doc_id": ["d2", "d2", "d1", "d1", "d1", "d3", "d9"],
            "sent_id": [0, 1, 0, 1, 2, 0, 0],
            "primary_frame": ["war", "aid", "war", "aid", "war", "aid", "war"],
            "share_war": np.array([1.0, 0.0, 0.5, np.nan, 0.25, 0.0, 1.0], dtype=dtype),
            "share_aid": np.array([0.0, 1.0, 0.5, 1.0, 0.75, 1.0, 0.0], dtype=dtype),
            "share_none": 0.0,
        }
    )


def _actors():
    # d1 sentence 0 names X twice (a repeated row); d1 sentence 7 has no frame row; Z is
    # named only in a sentence without a frame row; W is listed but never named
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d1", "d2", "d2", "d1", "d3", "d1", "d1", "d2"],
            "sent_id": [0, 0, 2, 1, 0, 1, 0, 7, 7, 1],
            "actor": ["X", "X", "X", "X", "Y", "Y", "Y", "X", "Z", "Q"],
        }
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_equals_the_pandas_merge(dtype):
    frames, actors = _frames(dtype), _actors()
    listed = ["Y", "X", "W", "Z"]
    values, sentences, names, n_rows = ca.actor_frame_shares(
        actors, frames.drop(columns="primary_frame"), listed
    )
    old_values, old_sentences, old_names, old_rows = _old(actors, frames, listed)
    pd.testing.assert_frame_equal(values, old_values, check_exact=True)
    pd.testing.assert_frame_equal(sentences, old_sentences, check_exact=True)
    assert names == old_names == ["war", "aid"]
    assert n_rows == old_rows == 6  # 8 listed rows, less the repeat and the unmatched X
    # known answers: d1 X = sentences 0 (.5) and 2 (.25) -> war .375; d1 Y = sentence 1, NaN
    assert values.loc["d1", ("X", "war")] == pytest.approx(0.375)
    assert np.isnan(values.loc["d1", ("Y", "war")])
    assert values.loc["d1", ("Y", "aid")] == 1.0
    assert np.isnan(values.loc["d3", ("X", "war")])  # d3 does not name X
    assert list(values.columns.get_level_values(0).unique()) == ["X", "Y"]  # W, Z: no row
    assert sentences.loc["d1", "X"] == 2 and sentences.loc["d3", "X"] == 0
    assert list(values.index) == ["d1", "d2", "d3"]  # d9 names nobody


def test_numeric_doc_ids_and_many_rows_equal_the_merge():
    rng = np.random.default_rng(7)
    n_docs, per = 300, 6
    frames = pd.DataFrame(
        {
            "doc_id": np.repeat(np.arange(n_docs), per),
            "sent_id": np.tile(np.arange(per), n_docs),
            "primary_frame": "war",
            "share_war": rng.random(n_docs * per),
            "share_aid": rng.random(n_docs * per),
        }
    )
    frames.loc[rng.integers(0, len(frames), 40), "share_aid"] = np.nan
    picks = rng.integers(0, len(frames), 2500)
    actors = pd.DataFrame(
        {
            "doc_id": frames["doc_id"].to_numpy()[picks],
            "sent_id": frames["sent_id"].to_numpy()[picks],
            "actor": rng.choice(["A", "B", "C", "D"], len(picks)),
        }
    ).sample(frac=1.0, random_state=3)
    listed = ["A", "B", "C"]
    values, sentences, names, n_rows = ca.actor_frame_shares(actors, frames, listed)
    old_values, old_sentences, old_names, old_rows = _old(actors, frames, listed)
    pd.testing.assert_frame_equal(values, old_values, check_exact=True)
    pd.testing.assert_frame_equal(sentences, old_sentences, check_exact=True)
    assert (names, n_rows) == (old_names, old_rows)


def test_nothing_matched_gives_empty_tables():
    frames = _frames()
    actors = pd.DataFrame({"doc_id": ["d5"], "sent_id": [0], "actor": ["X"]})
    values, sentences, names, n_rows = ca.actor_frame_shares(actors, frames, ["X"])
    assert values.empty and sentences.empty and n_rows == 0 and names == ["war", "aid"]
    values, _s, _n, n_rows = ca.actor_frame_shares(actors.iloc[:0], frames, [])
    assert values.empty and n_rows == 0


def test_repeated_frame_rows_are_an_error():
    frames = pd.concat([_frames(), _frames().iloc[:1]])
    with pytest.raises(ValueError, match="more than one row"):
        ca.actor_frame_shares(_actors(), frames, ["X"])
