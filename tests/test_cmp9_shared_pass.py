"""cmp9: frames and topics in one bootstrap pass (compare_over_time.shared_pass) give every
row of the by-group and over-time tables bit for bit as one pass per kind; the actor table on
integer codes (categorical doc_id and actor) gives the same pivot, top actors and actor keys."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_codes as cc
from newslens import compare_over_time as ct
from newslens.runtime import read_parquet

BOOT = {"resamples": 200, "confidence": 0.95, "seed": 7, "min_articles": 5}


def _corpus(n=900, seed=3):
    rng = np.random.default_rng(seed)
    docs = [f"d{i:05d}" for i in range(n)]
    frames = pd.DataFrame(rng.dirichlet(np.ones(5), n), index=docs, columns=list("abcde"))
    frames.iloc[::7, 1] = 0.0  # sparse-ish columns
    topics = pd.DataFrame(
        rng.dirichlet(np.ones(4), n), index=docs, columns=[f"{k}: t{k}" for k in range(1, 5)]
    )
    topics.iloc[:5] = np.nan  # five articles without topic values: another pattern
    outlet = np.array([f"o{i % 6}" for i in range(n)], dtype=object)
    outlet[rng.random(n) < 0.05] = ""  # in no group
    outlet[:40] = "small"  # a group under small_n
    groups = pd.DataFrame({"doc_id": docs, "outlet": outlet})
    periods = pd.Series(
        rng.choice(["2024-01", "2024-02", "2024-03", ""], n, p=[0.3, 0.3, 0.3, 0.1]), index=docs
    )
    return frames, topics, groups, periods


def _bytes(tab: pd.DataFrame) -> bytes:
    return tab.to_csv(index=False, float_format="%.17g").encode()


@pytest.mark.parametrize("reference", ["rest", "o1"])
def test_shared_group_differences_equal_a_pass_per_kind(reference):
    frames, topics, groups, _ = _corpus()
    values = {"frames": frames, "topics": topics}
    bounds = {"frames": (0.0, 1.0), "topics": (0.0, 1.0)}
    joint = ct.shared_pass(
        cp.group_differences, values, bounds, groups=groups, reference=reference, **BOOT
    )
    for kind, vals in values.items():
        alone = cp.group_differences(vals, groups, reference, **BOOT, bounds=bounds[kind])
        assert len(alone) == len(joint[kind]) == (7 - (reference != "rest")) * vals.shape[1]
        assert list(joint[kind]["item"].unique()) == list(vals.columns)
        pd.testing.assert_frame_equal(joint[kind], alone, check_exact=True)
        assert _bytes(joint[kind]) == _bytes(alone)
        assert joint[kind]["q_value"].notna().all()


@pytest.mark.parametrize("model", ["dummies", "spline"])
def test_shared_time_table_equals_a_pass_per_kind(model):
    frames, topics, groups, periods = _corpus()
    values = {"frames": frames, "topics": topics}
    bounds = {"frames": (0.0, 1.0), "topics": (0.0, 1.0)}
    kw = {"model": model, "df": 2}
    joint = ct.shared_pass(
        ct.time_table, values, bounds, groups=groups, periods=periods, reference="rest",
        **BOOT, **kw,
    )  # fmt: skip
    for kind, vals in values.items():
        prev, eff = ct.time_table(vals, groups, periods, "rest", **BOOT, bounds=bounds[kind], **kw)
        # 7 groups x 3 months x items; effects: 7 comparisons x items
        assert len(prev) == 7 * 3 * vals.shape[1]
        assert len(eff) == 7 * vals.shape[1]
        for got, want in zip(joint[kind], (prev, eff), strict=True):
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            assert _bytes(got) == _bytes(want)


def test_shared_pass_falls_back_to_a_call_per_kind():
    frames, topics, groups, _ = _corpus()
    calls = []

    def compute(values, bounds, **kw):
        calls.append(list(values.columns))
        return cp.group_differences(values, bounds=bounds, **kw)

    bounds = {"frames": (0.0, 1.0), "topics": (0.0, 1.0)}
    # other article order: not shared (the weights would go to other articles)
    values = {"frames": frames, "topics": topics.iloc[::-1]}
    out = ct.shared_pass(compute, values, bounds, groups=groups, reference="rest", **BOOT)
    assert calls == [list(frames.columns), list(topics.columns)]
    alone = cp.group_differences(topics.iloc[::-1], groups, "rest", **BOOT, bounds=(0.0, 1.0))
    pd.testing.assert_frame_equal(out["topics"], alone, check_exact=True)
    # shared: one call with both kinds' columns
    calls.clear()
    ct.shared_pass(
        compute, {"frames": frames, "topics": topics}, bounds, groups=groups, reference="rest",
        **BOOT,
    )  # fmt: skip
    assert calls == [list(frames.columns) + list(topics.columns)]
    # other bounds or a shared item name: a call per kind
    for vals, bnd in (
        ({"frames": frames, "topics": topics}, {"frames": (0.0, 1.0), "topics": (-1.0, 1.0)}),
        ({"frames": frames, "topics": topics.set_axis(["a", "x", "y", "z"], axis=1)}, bounds),
    ):
        calls.clear()
        ct.shared_pass(compute, vals, bnd, groups=groups, reference="rest", **BOOT)
        assert len(calls) == 2


def _actor_rows(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    actors = np.array(["Zeta", "Armenia", "NATO", "azerbaijan", "Öster"], dtype=object)
    rows = pd.DataFrame(
        {
            "doc_id": [f"d{k:04d}" for k in rng.integers(0, 400, n)],
            "sent_id": rng.integers(0, 30, n),
            "actor": actors[rng.choice(5, n, p=[0.4, 0.3, 0.15, 0.1, 0.05])],
            "compound": np.round(rng.uniform(-1, 1, n), 4),
        }
    )
    coded = rows.copy()
    for col in ("doc_id", "actor"):  # categories in first-seen order, as Arrow's dictionaries
        coded[col] = pd.Categorical(rows[col], categories=pd.unique(rows[col]))
    return rows, coded


def test_coded_actor_table_gives_the_same_pivot_top_actors_and_keys():
    rows, coded = _actor_rows()
    cols = ["doc_id", "actor", "compound"]
    want = cp.actor_article_sentiment(rows[cols])
    got = cp.actor_article_sentiment(coded[cols])
    assert cc.coded_pivot(coded[cols]) is not None
    assert want.shape == (rows["doc_id"].nunique(), 5) and want.shape[0] > 390
    assert list(want.columns) == sorted(want.columns)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    first = rows[(rows["doc_id"] == want.index[0]) & (rows["actor"] == "Armenia")]
    assert got.loc[want.index[0], "Armenia"] == first["compound"].mean()
    assert ca.top_actors(coded, 3) == ca.top_actors(rows, 3)
    assert ca.top_actors(coded, None) == ca.top_actors(rows, None)
    listed = ca.top_actors(rows, 3)
    old, new = ca._actor_keys(rows, listed), ca._actor_keys(coded, listed)
    assert old["listed"] == new["listed"] == sorted(listed)
    assert list(old["docs"]) == list(new["docs"])
    for key in ("doc_codes", "sent", "actor"):
        np.testing.assert_array_equal(old[key], new[key])
    assert len(new["sent"]) == int(rows["actor"].isin(listed).sum())


def test_coded_pivot_falls_back_on_nan_and_other_dtypes():
    rows, coded = _actor_rows(200)
    cols = ["doc_id", "actor", "compound"]
    assert cc.coded_pivot(rows[cols]) is None  # strings
    nan = coded[cols].copy()
    nan.loc[3, "compound"] = np.nan
    assert cc.coded_pivot(nan) is None
    pd.testing.assert_frame_equal(
        cp.actor_article_sentiment(nan),
        cp.actor_article_sentiment(rows[cols].assign(compound=nan["compound"])),
    )


def test_read_actor_rows_categorical_with_the_same_values(tmp_path):
    rows, _ = _actor_rows(500)
    path = tmp_path / "actors.parquet"
    pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), path)
    cols = ["doc_id", "sent_id", "actor", "compound"]
    got = ca.read_actor_rows(path, cols)
    want = read_parquet(path, columns=cols)
    assert isinstance(got["doc_id"].dtype, pd.CategoricalDtype)
    assert isinstance(got["actor"].dtype, pd.CategoricalDtype)
    assert len(got) == 500
    for col in cols:
        assert got[col].astype(want[col].dtype).tolist() == want[col].tolist()
    # a null doc_id: read as strings, as before
    rows.loc[2, "doc_id"] = None
    pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), path)
    got = ca.read_actor_rows(path, cols)
    assert not isinstance(got["doc_id"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(got, read_parquet(path, columns=cols))
