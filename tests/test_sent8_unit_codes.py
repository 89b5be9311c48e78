"""sent8: ``within_unit_ci``'s units by integer codes (``_units_by_codes``) instead of pandas'
sort and groupby of the frame (``_units_by_pandas``, kept for what the codes cannot do): the
same indicator matrix in the same order, the same unit sizes, the same key frame (values and
dtypes: pandas infers its string dtype for object ids as groupby's index does), and so the same
interval table, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import sentiment
from newslens.sentiment import _units_by_codes, _units_by_pandas, within_unit_ci
from test_sentiment_stats import random_shard

KEYS = (["doc_id"], ["doc_id", "para_id"])


def shuffled(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


def assert_same_units(df: pd.DataFrame, keys: list[str]) -> None:
    got = _units_by_codes(df, keys)
    assert got is not None
    want = _units_by_pandas(df, keys)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[1].dtype == want[1].dtype
    pd.testing.assert_frame_equal(got[2], want[2], check_exact=True)
    assert got[2].dtypes.astype(str).tolist() == want[2].dtypes.astype(str).tolist()


@pytest.mark.parametrize("keys", KEYS)
@pytest.mark.parametrize("id_dtype", [object, "str"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_units_by_codes_equal_pandas(keys, id_dtype, seed):
    df = shuffled(random_shard(120, seed=seed), seed)
    df["doc_id"] = df["doc_id"].astype(id_dtype)
    assert_same_units(df, keys)
    n = df.groupby(keys).ngroups
    assert len(_units_by_codes(df, keys)[1]) == n
    assert _units_by_codes(df, keys)[1].sum() == len(df)


def test_ties_non_ascii_ids_and_one_row():
    # the same (doc_id, para_id, sent_id) twice: both sorts are stable, so the same order
    df = pd.DataFrame(
        {
            "doc_id": pd.Series(["é2", "b", "é2", "Z", "b", "é10", "b"], dtype=object),
            "para_id": np.array([1, 0, 0, 3, 0, 2, 0]),
            "sent_id": np.array([0, 1, 0, 5, 1, 0, 0]),
            "compound": [0.5, -0.2, 0.1, 0.0, 0.3, -0.9, 0.05],
            "label": pd.Series(
                ["positive", "negative", "positive", "neutral", "positive", "negative", None],
                dtype="str",
            ),
        }
    )
    for keys in KEYS:
        assert_same_units(df, keys)
        assert_same_units(df.iloc[:1], keys)
    units = _units_by_codes(df, ["doc_id"])[2]
    assert units["doc_id"].tolist() == ["Z", "b", "é10", "é2"]
    assert units["n_sentences"].tolist() == [1, 3, 1, 2]


def test_what_the_codes_cannot_do_goes_to_pandas():
    df = random_shard(20, seed=4)
    missing = df.assign(para_id=df["para_id"].astype(float))
    missing.loc[3, "para_id"] = np.nan
    assert _units_by_codes(missing, ["doc_id", "para_id"]) is None
    assert _units_by_codes(df.assign(sent_id=df["sent_id"].astype(float)), ["doc_id"]) is None
    assert _units_by_codes(df.assign(sent_id=df["sent_id"].astype("Int64")), ["doc_id"]) is None
    assert _units_by_codes(missing, ["doc_id"]) is not None  # para_id not a key there


@pytest.mark.parametrize("keys", KEYS)
def test_interval_table_equals_the_pandas_path(keys, monkeypatch):
    df = shuffled(random_shard(150, seed=9), 9)
    got = within_unit_ci(df, keys, 300, 3, 0.9)
    with monkeypatch.context() as m:
        m.setattr(sentiment, "_units_by_codes", lambda scored, keys: None)
        want = within_unit_ci(df, keys, 300, 3, 0.9)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert len(got) == df.groupby(keys).ngroups
    assert got["n_sentences"].sum() == len(df)
    assert got[keys].values.tolist() == sorted(got[keys].values.tolist())
