"""Time as a smooth term (compare.time.model: spline): the spline fit and the group effect
equal least squares on the articles (numpy), a spline with as many columns as periods is the
dummies' fit, and on the planted-trend corpus the spline recovers the trend with narrower
intervals than the dummies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_over_time as ct
from newslens import compare_synthetic as syn


def _trend(seed=0, **kw):
    data = syn.make_trend(syn.PlantedTrend(seed=seed, **kw))
    docs = data["documents"]
    groups = cp.group_labels(docs, ["outlet"])
    periods = pd.Series(cp.period_labels(docs["date"], "month").to_numpy(), index=docs["doc_id"])
    return data, groups, periods


def test_period_days_and_basis():
    assert ct.period_days(["2024-01", "2024-02", "2024-03"]).tolist() == [0, 31, 60]
    assert ct.period_days(["2024-W01", "2024-W02"]).tolist() == [0, 7]
    basis = ct.spline_basis(np.arange(12.0) * 30, 5)
    assert basis.shape == (12, 5) and np.allclose(basis.sum(axis=1), 1.0)
    assert np.array_equal(ct.spline_basis(np.arange(3.0), 5), np.eye(3))  # df >= periods


def test_spline_fit_and_effect_equal_least_squares_on_articles():
    data, groups, periods = _trend(seed=3, periods=8, articles_per_period=6)
    values = data["values"]
    per = periods.loc[values.index].to_numpy()
    labels = sorted(set(per))
    t = ct.period_days(labels)
    basis = ct.spline_basis(t, 4)
    rows = basis[pd.Index(labels).get_indexer(per)]
    y = values["trend"].to_numpy()
    outlet = groups.set_index("doc_id").loc[values.index, "outlet"].to_numpy()
    prev, eff = ct.time_table(
        values, groups, periods, "rest", resamples=50, seed=0, model="spline", df=4
    )
    # the group's fit: least squares of its articles on the basis
    mine = outlet == "outlet_1"
    beta = np.linalg.lstsq(rows[mine], y[mine], rcond=None)[0]
    fit = prev[prev["group"] == "outlet_1"].set_index("period")["mean"]
    assert np.allclose(fit.loc[labels].to_numpy(), basis @ beta, atol=1e-6)
    # the effect: coefficient of [in group] in y ~ group + spline(time), over all articles
    design = np.column_stack([mine.astype(float), rows])
    coef = np.linalg.lstsq(design, y, rcond=None)[0][0]
    got = eff[(eff["group"] == "outlet_1") & (eff["item"] == "trend")]["estimate"].iloc[0]
    assert got == pytest.approx(coef, abs=1e-6)


def test_spline_with_a_column_per_period_is_the_dummies_fit():
    data, groups, periods = _trend(seed=1, periods=4)
    a = ct.time_table(data["values"], groups, periods, "rest", resamples=60, seed=2)
    b = ct.time_table(
        data["values"], groups, periods, "rest", resamples=60, seed=2, model="spline", df=4
    )
    pd.testing.assert_frame_equal(a[0], b[0], atol=1e-9)
    pd.testing.assert_frame_equal(a[1], b[1], atol=1e-9)


def test_spline_recovers_the_planted_trend_with_narrower_bands():
    errors, widths = {"dummies": [], "spline": []}, {"dummies": [], "spline": []}
    for seed in range(3):
        data, groups, periods = _trend(seed=seed)
        truth = data["truth"].rename(columns={"outlet": "group"})
        for model in errors:
            prev, _eff = ct.time_table(
                data["values"], groups, periods, "rest", resamples=200, seed=seed, model=model
            )
            tab = prev.merge(truth, on=["group", "period"])
            assert len(tab) == 3 * 12
            errors[model].append((tab["mean"] - tab["truth"]).abs().mean())
            widths[model].append((tab["high"] - tab["low"]).mean())
            covered = ((tab["low"] <= tab["truth"]) & (tab["truth"] <= tab["high"])).mean()
            assert covered >= 0.8, (model, seed, covered)
    assert all(s < d for s, d in zip(widths["spline"], widths["dummies"], strict=True))
    assert np.mean(errors["spline"]) < np.mean(errors["dummies"])
    # the rising outlet's fitted curve follows the planted rise (averaged over 3 corpora)
    curves = []
    for seed in (9, 10, 11):
        data, groups, periods = _trend(seed=seed)
        prev, _ = ct.time_table(data["values"], groups, periods, "rest", 100, model="spline")
        curves.append(prev[prev["group"] == "outlet_1"].sort_values("period")["mean"].to_numpy())
    curve = np.mean(curves, axis=0)
    truth = syn.trend_truth(syn.PlantedTrend())
    planted = truth[truth["outlet"] == "outlet_1"]["truth"].to_numpy()
    assert np.corrcoef(curve, planted)[0, 1] > 0.9
    assert curve[-3:].mean() - curve[:3].mean() == pytest.approx(
        planted[-3:].mean() - planted[:3].mean(), abs=0.08
    )


def test_unknown_model_is_refused():
    data, groups, periods = _trend(periods=2)
    with pytest.raises(ValueError, match="dummies"):
        ct.time_table(data["values"], groups, periods, "rest", 10, model="loess")
