"""Honest p-values and intervals for small, sparse and constant groups (compare_small): an
all-zero group of 3 articles is never "significant", constant groups never get a zero-width
interval under small_n, p and the interval agree, large groups are unchanged, and the tests
reject at no more than the nominal rate with no planted difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_over_time as ct
from newslens import compare_small as cs
from scipy import special


def _table(group: np.ndarray, reference: np.ndarray, items=("a",)):
    """Articles x items: the group's rows first (outlet x), then the reference's (outlet y)."""
    both = np.vstack([group.reshape(len(group), -1), reference.reshape(len(reference), -1)])
    index = [f"d{i}" for i in range(len(both))]
    values = pd.DataFrame(both, index=index, columns=list(items))
    outlet = ["x"] * len(group) + ["y"] * len(reference)
    return values, pd.DataFrame({"doc_id": index, "outlet": outlet})


def _references(rng):
    """References a frame share can have: sparse (mean ~1 %), a third of articles using it,
    shares spread over 0-0.6, nearly constant 0.3, and one of only 3 articles."""
    yield np.where(np.arange(80) == 0, 0.96, 0.0)  # one article in 80: mean 1.2 %
    yield np.where(rng.random(200) < 0.3, rng.random(200), 0.0)
    yield rng.uniform(0.0, 0.6, 500)
    yield rng.normal(0.3, 0.01, 40)
    yield np.array([0.2, 0.5, 0.4])


def test_all_zero_group_of_three_is_not_significant_against_any_reference():
    rng = np.random.default_rng(3)
    for reference in _references(rng):
        values, groups = _table(np.zeros(3), reference)
        for ref in ("y", "rest"):
            row = cp.group_differences(values, groups, ref, resamples=200, seed=1)
            row = row[row["group"] == "x"].iloc[0]
            assert row["mean_group"] == 0.0
            assert row["p_value"] > 0.05, (reference.mean(), row["p_value"])
            # never zero width; the bound of 3 articles at 0: 1 - 0.025^(1/3)
            assert row["low_group"] == 0.0
            assert row["high_group"] >= 1 - 0.025 ** (1 / 3) - 1e-12
            assert row["difference_low"] < 0 < row["difference_high"]


def test_edge_bound_known_answer():
    # 3 articles at 0 against a reference mean 0.5: p = 2 x 0.5^3 = 0.25
    values, groups = _table(np.zeros(3), np.full(50, 0.5) + np.linspace(-0.1, 0.1, 50))
    row = cp.group_differences(values, groups, "y", resamples=100).iloc[0]
    assert row["p_value"] == pytest.approx(0.25)  # the t test's p is smaller here
    # 5 articles at 0 against 0.9: 2 x 0.1^5 is tiny, and the t test agrees: significant
    values, groups = _table(np.zeros(5), np.full(50, 0.9) + np.linspace(-0.05, 0.05, 50))
    row = cp.group_differences(values, groups, "y", resamples=100).iloc[0]
    assert row["p_value"] < 0.01 and row["difference_high"] < 0


def test_constant_inner_value_has_an_interval():
    """A group whose sentiment is 0.0 in all 4 articles (not at an edge of [-1, 1]) gets its
    interval from the variance moderated toward both sides' variance: not zero width."""
    rng = np.random.default_rng(5)
    values, groups = _table(np.zeros(4), np.clip(rng.normal(0.1, 0.4, 60), -1, 1))
    row = cp.group_differences(values, groups, "y", resamples=100).iloc[0]
    assert row["high_group"] - row["low_group"] > 0.2
    assert row["difference_low"] < row["difference"] < row["difference_high"]


def test_p_and_interval_agree_for_small_groups():
    rng = np.random.default_rng(11)
    agree = []
    for rep in range(40):
        n = int(rng.integers(3, 15))
        g = np.where(rng.random((n, 6)) < 0.4, rng.random((n, 6)), 0.0)
        r = np.where(rng.random((25, 6)) < 0.2, rng.random((25, 6)), 0.0) + rep % 3 * 0.1
        values, groups = _table(g, r, items="abcdef")
        tab = cp.group_differences(values, groups, "y", resamples=50, seed=rep)
        excludes = (tab["difference_low"] > 0) | (tab["difference_high"] < 0)
        agree.extend((tab["p_value"] < 0.05) == excludes)
    assert np.mean(agree) == 1.0


def test_large_groups_unchanged():
    """At 300 articles a side: point estimates identical, intervals the percentile bootstrap,
    p within Monte Carlo noise of the bootstrap z p-value."""
    rng = np.random.default_rng(2)
    g, r = rng.normal(0.1, 1, (300, 8)), rng.normal(0, 1, (300, 8))
    values, groups = _table(g, r, items="abcdefgh")
    tab = cp.group_differences(values, groups, "y", resamples=2000, seed=4)
    assert tab["mean_group"].to_numpy() == pytest.approx(g.mean(axis=0), abs=1e-12)
    assert tab["difference"].to_numpy() == pytest.approx(g.mean(0) - r.mean(0), abs=1e-12)
    se_boot = (tab["difference_high"] - tab["difference_low"]) / (2 * 1.959964)
    z_p = 2 * special.ndtr(-np.abs(tab["difference"]) / se_boot)
    assert np.abs(np.log(tab["p_value"] / z_p)).max() < 0.25
    assert (tab["high_group"] - tab["low_group"]).to_numpy() == pytest.approx(
        2 * 1.959964 * g.std(axis=0) / np.sqrt(300), rel=0.1
    )


def test_null_calibration_small_groups():
    """No planted difference, 5 articles a side, normal and sparse (90 % zeros) items: the
    p-values reject at no more than the nominal 5 % (3,000 tests each)."""
    rng = np.random.default_rng(17)
    for kind in ("normal", "sparse"):
        rejections = []
        for rep in range(15):
            if kind == "normal":
                both = rng.normal(size=(10, 200))
            else:
                both = np.where(rng.random((10, 200)) < 0.1, rng.random((10, 200)), 0.0)
            values, groups = _table(both[:5], both[5:], items=[f"i{j}" for j in range(200)])
            tab = cp.group_differences(values, groups, "y", resamples=50, seed=rep)
            rejections.extend(tab["p_value"] < 0.05)
        rate = float(np.mean(rejections))
        assert rate < 0.065, (kind, rate)  # binomial sd 0.004 at 5 %


def test_over_time_small_cells_and_effects():
    """Over time: a cell of 3 articles at 0 has a non-zero-width interval, and the effect of
    a group of 3 all-zero articles is not significant."""
    rng = np.random.default_rng(8)
    n_r = 60
    share = np.r_[np.zeros(3), np.where(rng.random(n_r) < 0.3, rng.random(n_r), 0.0)]
    index = [f"d{i}" for i in range(len(share))]
    values = pd.DataFrame({"a": share}, index=index)
    groups = pd.DataFrame({"doc_id": index, "outlet": ["x"] * 3 + ["y"] * n_r})
    periods = pd.Series(np.r_[["2024-01"] * 3, np.tile(["2024-01", "2024-02"], 30)], index=index)
    prev, eff = ct.time_table(values, groups, periods, "y", resamples=100)
    cell = prev[(prev["group"] == "x") & (prev["period"] == "2024-01")].iloc[0]
    assert cell["mean"] == 0.0 and cell["high"] >= 1 - 0.025 ** (1 / 3) - 1e-12
    effect = eff[eff["group"] == "x"].iloc[0]
    assert effect["p_value"] > 0.05
    assert effect["low"] < 0 < effect["high"]


def test_actor_frame_cells_of_three_zero_articles():
    """Actor x frame cells go through the same statistics."""
    rng = np.random.default_rng(1)
    docs = [f"d{i}" for i in range(43)]
    cols = pd.MultiIndex.from_product([["Azerbaijan"], ["security", "economic"]])
    share = np.where(rng.random((43, 2)) < 0.4, rng.random((43, 2)), 0.0)
    share[:3] = 0.0
    values = pd.DataFrame(share, index=docs, columns=cols)
    sentences = pd.DataFrame({"Azerbaijan": np.ones(43, dtype=int)}, index=docs)
    groups = pd.DataFrame({"doc_id": docs, "outlet": ["x"] * 3 + ["y"] * 40})
    tab = ca.actor_frame_differences(values, sentences, groups, "y", 100, 0.95, 0, 1)
    assert (tab["p_value"] > 0.05).all()
    assert (tab["high_group"] > 0.5).all()


def test_moments_from_sums_equal_moments():
    rng = np.random.default_rng(0)
    x = rng.random((30, 4))
    x[rng.random((30, 4)) < 0.2] = np.nan
    n, mean, m2, mn, mx = cs.moments(x)
    filled = np.nan_to_num(x)
    got = cs.moments_from_sums(n, filled.sum(0), (filled**2).sum(0), mn, mx)
    assert got[1] == pytest.approx(mean) and got[2] == pytest.approx(m2)
    assert m2 == pytest.approx(np.nanvar(x, axis=0) * n)


def test_item_range_given_or_inferred():
    """Sentiment all 0.0 in 3 articles is at the edge of [0, 1] (inferred from non-negative
    values) but inside [-1, 1] (actor sentiment): the edge bound applies only to the first."""
    rng = np.random.default_rng(6)
    values, groups = _table(np.zeros(3), rng.uniform(0.0, 0.8, 50))
    inferred = cp.group_differences(values, groups, "y", resamples=100).iloc[0]
    given = cp.group_differences(values, groups, "y", resamples=100, bounds=(-1, 1)).iloc[0]
    assert inferred["high_group"] == pytest.approx(1 - 0.025 ** (1 / 3))
    assert given["low_group"] < 0 < given["high_group"] < inferred["high_group"]
    assert cs.ITEM_RANGES["actors"] == (-1.0, 1.0)
