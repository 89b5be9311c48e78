"""The compare stage's cheap Poisson bootstrap: the look-up table is Poisson(1), one stream of
weights per seed serves every pass (a pass over n articles takes its first n columns, cached or
streamed alike), nominal 95 % intervals cover a planted truth about 95 % of the time, and the
rules' bootstrap keyword arguments come from one helper."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_bootstrap as cb
from newslens import compare_over_time as ct
from scipy import stats


def test_lookup_table_is_poisson_one():
    table = cb.POISSON_TABLE
    assert table.shape == (65536,) and table.dtype == np.uint8
    k = np.arange(int(table.max()) + 1)
    freq = np.bincount(table, minlength=len(k)) / 65536
    # each probability within one step of the 16-bit grid of the true Poisson(1) pmf
    assert np.abs(freq - stats.poisson.pmf(k, 1.0)).max() <= 1 / 65536
    mean = (freq * k).sum()
    var = (freq * k**2).sum() - mean**2
    assert abs(mean - 1) < 1e-4 and abs(var - 1) < 1e-3


def test_weights_are_poisson_and_independent():
    w = cb.poisson_weights(np.random.default_rng(3), (200, 5000)).astype(float)
    assert w.mean() == pytest.approx(1.0, abs=0.01)
    assert w.var() == pytest.approx(1.0, abs=0.02)
    # neighbouring articles and resamples uncorrelated
    assert abs(np.corrcoef(w[:, :-1].ravel(), w[:, 1:].ravel())[0, 1]) < 0.01
    assert abs(np.corrcoef(w[:-1].ravel(), w[1:].ravel())[0, 1]) < 0.01


def _stream(seed, n, resamples):
    return np.concatenate(list(cb.weight_blocks(seed, n, resamples)), axis=1)


def test_one_stream_per_seed_prefix_cached_or_streamed(monkeypatch):
    monkeypatch.setattr(cb, "CHUNK_CELLS", 1000)  # 10 articles a block at 100 resamples
    monkeypatch.setattr(cb, "_CACHE", {})
    long = _stream(7, 95, 100)
    short = _stream(7, 33, 100)
    assert long.shape == (100, 95) and short.shape == (100, 33)
    np.testing.assert_array_equal(short, long[:, :33])  # a shorter pass: the same first columns
    np.testing.assert_array_equal(_stream(7, 95, 100), long)  # from the cache
    assert not np.array_equal(_stream(8, 95, 100), long)  # another seed, other draws
    monkeypatch.setattr(cb, "CACHE_BYTES", 500)  # too big to keep: streamed, the same numbers
    monkeypatch.setattr(cb, "_CACHE", {})
    np.testing.assert_array_equal(_stream(7, 95, 100), long)
    assert cb._CACHE == {}


def test_group_sums_equal_weighted_sums():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(57, 3))
    values[rng.random(values.shape) < 0.2] = np.nan
    codes = rng.integers(-1, 3, size=57)
    sums, counts = cb.poisson_group_sums(values, codes, 3, 20, seed=5)
    # the weights go to the articles in group order (stable), the stream's columns in turn
    w = _stream(5, 57, 20).astype(float)
    order = np.argsort(codes, kind="stable")
    weight = np.empty_like(w)
    weight[:, order] = w
    for g in range(3):
        rows = codes == g
        filled = np.nan_to_num(values[rows])
        np.testing.assert_allclose(sums[g], weight[:, rows] @ filled)
        np.testing.assert_allclose(counts[g], weight[:, rows] @ np.isfinite(values[rows]))


def test_intervals_cover_a_planted_truth():
    """Nominal 95 % intervals of a group mean and of a difference cover the truth in about
    95 % of 300 simulated corpora (binomial SE 1.3 %)."""
    rng = np.random.default_rng(11)
    hits_mean = hits_diff = 0
    reps = 300
    for r in range(reps):
        n = 240
        group = np.where(np.arange(n) < 80, "A", "B")
        truth = {"A": 0.30, "B": 0.25}
        y = np.array([rng.beta(3, 7) if g == "A" else rng.beta(2.5, 7.5) for g in group])
        values = pd.DataFrame({"frame": y}, index=[f"d{i}" for i in range(n)])
        groups = pd.DataFrame({"doc_id": values.index, "outlet": group})
        tab = cp.group_differences(values, groups, "B", resamples=200, seed=r)
        row = tab.iloc[0]
        hits_mean += row["low_group"] <= truth["A"] <= row["high_group"]
        hits_diff += row["difference_low"] <= 0.05 <= row["difference_high"]
    assert 0.91 <= hits_mean / reps <= 0.985
    assert 0.91 <= hits_diff / reps <= 0.985


def test_point_estimates_do_not_depend_on_the_draws():
    rng = np.random.default_rng(2)
    values = pd.DataFrame({"a": rng.random(90), "b": rng.random(90)})
    values.index = [f"d{i}" for i in range(90)]
    groups = pd.DataFrame({"doc_id": values.index, "outlet": np.repeat(["x", "y", "z"], 30)})
    # small_n=1: the percentile bootstrap intervals at any n (under small_n they are t intervals)
    one = cp.group_differences(values, groups, "rest", resamples=50, seed=1, small_n=1)
    two = cp.group_differences(values, groups, "rest", resamples=80, seed=2, small_n=1)
    cols = ["n_group", "n_reference", "mean_group", "mean_reference", "difference"]
    pd.testing.assert_frame_equal(one[cols], two[cols])
    assert not np.allclose(one["difference_low"], two["difference_low"])
    expect = values["a"][:30].mean() - values["a"][30:].mean()
    assert one.loc[(one["group"] == "x") & (one["item"] == "a"), "difference"].item() == (
        pytest.approx(expect)
    )


def test_bootstrap_args_from_rule_params():
    params = SimpleNamespace(
        bootstrap={"resamples": 300, "confidence": 0.9, "seed": 4}, min_articles=12
    )
    args = cb.bootstrap_args(params)
    assert args == {"resamples": 300, "confidence": 0.9, "seed": 4, "min_articles": 12}
    rng = np.random.default_rng(0)
    values = pd.DataFrame({"a": rng.random(40)}, index=[f"d{i}" for i in range(40)])
    groups = pd.DataFrame({"doc_id": values.index, "outlet": np.repeat(["x", "y"], 20)})
    periods = pd.Series(np.tile(["2024-01", "2024-02"], 20), index=values.index)
    prev, _eff = ct.time_table(values, groups, periods, "rest", **args)
    assert len(prev) == 4  # 2 groups of 20 >= 12 articles x 2 months
    wide = ct.time_table(values, groups, periods, "rest", **{**args, "confidence": 0.99})[0]
    assert ((wide["high"] - wide["low"]) > (prev["high"] - prev["low"])).all()
    none = ct.time_table(values, groups, periods, "rest", **{**args, "min_articles": 25})[0]
    assert none.empty
