"""Over time by group: the period-adjusted group effect equals the least-squares coefficient
of the regression on group and period dummies; cell means and intervals; a planted
outlet x month x actor shift is found with the right sign and size; confounding by period is
removed; null effects are not significant more often than the nominal rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens import compare_over_time as ct
from newslens import compare_synthetic as syn
from newslens.figures import apply_style, save_figure
from test_compare_figures import _overlaps


def _panel(n=300, seed=0, effect=0.3):
    rng = np.random.default_rng(seed)
    g = rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2])
    t = rng.choice(["2024-01", "2024-02", "2024-03", "2024-04"], n)
    y = rng.normal(size=(n, 2)) + (g == "A")[:, None] * effect + (t == "2024-02")[:, None] * 0.5
    y[rng.random(n) < 0.1, 1] = np.nan
    idx = [f"d{i}" for i in range(n)]
    return (
        pd.DataFrame(y, index=idx, columns=["x", "z"]),
        pd.DataFrame({"doc_id": idx, "outlet": g}),
        pd.Series(t, index=idx),
    )


@pytest.mark.parametrize("reference", ["rest", "B"])
def test_effect_is_the_least_squares_coefficient(reference):
    values, groups, periods = _panel()
    prev, eff = ct.time_table(values, groups, periods, reference, resamples=200, seed=1)
    assert list(eff.columns) == ct.EFFECT_COLUMNS and list(prev.columns) == ct.TIME_COLUMNS
    g = groups["outlet"].to_numpy()
    t = periods.to_numpy()
    for item in ("x", "z"):
        y = values[item].to_numpy()
        side = np.isin(g, ["B", "C"]) if reference == "rest" else g == "B"
        keep = ~np.isnan(y) & ((g == "A") | side)
        dummies = [t == p for p in ["2024-02", "2024-03", "2024-04"]]
        x = np.column_stack([np.ones(len(y)), g == "A", *dummies]).astype(float)
        beta = np.linalg.lstsq(x[keep], y[keep], rcond=None)[0]
        row = eff[(eff["group"] == "A") & (eff["item"] == item)].iloc[0]
        assert row["reference"] == reference
        assert row["estimate"] == pytest.approx(beta[1], abs=1e-10)
        raw = y[keep & (g == "A")].mean() - y[keep & side].mean()
        assert row["difference_raw"] == pytest.approx(raw, abs=1e-10)
        assert row["n_group"] == int((keep & (g == "A")).sum())
        assert row["low"] < row["estimate"] < row["high"] and row["periods"] == 4
    # cell means and counts
    a1 = prev[(prev["group"] == "A") & (prev["period"] == "2024-01") & (prev["item"] == "z")]
    cell = values.loc[(g == "A") & (t == "2024-01"), "z"]
    assert a1["mean"].iloc[0] == pytest.approx(cell.mean())
    assert a1["n_articles"].iloc[0] == cell.notna().sum()
    assert ((prev["low"] <= prev["mean"] + 1e-12) & (prev["mean"] <= prev["high"] + 1e-12)).all()
    # deterministic for a seed
    again = ct.time_table(values, groups, periods, reference, resamples=200, seed=1)[1]
    pd.testing.assert_frame_equal(eff, again)


def test_no_variable_gives_the_corpus_over_time_and_undated_are_left_out():
    values, groups, periods = _panel()
    periods.iloc[:10] = ""
    prev, eff = ct.time_table(values, groups[["doc_id"]], periods, "rest", resamples=50)
    assert eff.empty and set(prev["group"]) == {"all"}
    assert prev[prev["item"] == "x"]["n_articles"].sum() == len(values) - 10


def test_period_confounding_removed():
    """Group A appears mostly in the month when every outlet covers the topic more: the raw
    difference is large, the period-adjusted effect is about 0 and not significant."""
    rng = np.random.default_rng(3)
    n = 600
    t = rng.choice(["2024-01", "2024-02"], n)
    in_a = rng.random(n) < np.where(t == "2024-02", 0.8, 0.2)
    g = np.where(in_a, "A", "B")
    y = 0.2 + 0.3 * (t == "2024-02") + rng.normal(0, 0.1, n)
    idx = [f"d{i}" for i in range(n)]
    prev, eff = ct.time_table(
        pd.DataFrame({"topic_1": y}, index=idx),
        pd.DataFrame({"doc_id": idx, "outlet": g}),
        pd.Series(t, index=idx),
        "B",
        resamples=300,
        seed=0,
    )
    row = eff.iloc[0]
    assert row["difference_raw"] > 0.15  # confounded
    assert abs(row["estimate"]) < 0.03 and row["low"] < 0 < row["high"]


def test_planted_outlet_month_actor_shift_found():
    data = syn.make_sentences(syn.PlantedSentences(seed=2))
    p = data["planted"]
    values = cp.actor_article_sentiment(data["actors"])
    groups = cp.group_labels(data["documents"], ["outlet"])
    periods = pd.Series(
        cp.period_labels(data["documents"]["date"], "month").to_numpy(),
        index=data["documents"]["doc_id"],
    )
    prev, eff = ct.time_table(values, groups, periods, "outlet_0", resamples=400, seed=0)
    cells = prev.set_index(["group", "period", "item"])
    hit = cells.loc[(p.outlet, p.month, p.negative_actor)]
    base = cells.loc[("outlet_0", p.month, p.negative_actor)]
    assert hit["high"] < base["low"]  # intervals apart
    assert hit["mean"] - base["mean"] == pytest.approx(p.shift, abs=0.15)
    # the other months of the outlet are not shifted
    for month in set(p.months) - {p.month}:
        other = cells.loc[(p.outlet, month, p.negative_actor)]
        assert other["low"] < cells.loc[("outlet_0", month, p.negative_actor)]["mean"] + 0.1
    # adjusted effect: the shift in one of three months -> about shift / 3, q < 0.05
    row = eff[(eff["group"] == p.outlet) & (eff["item"] == p.negative_actor)].iloc[0]
    assert row["high"] < 0 and row["q_value"] < 0.05
    assert row["estimate"] == pytest.approx(p.shift / 3, abs=0.07)
    null = eff[(eff["group"] == "outlet_2") | (eff["item"] != p.negative_actor)]
    assert (null["q_value"] > 0.05).all()


def test_null_effects_calibrated():
    rejections = []
    for rep in range(40):
        values, groups, periods = _panel(n=200, seed=100 + rep, effect=0.0)
        _prev, eff = ct.time_table(values, groups, periods, "rest", resamples=200, seed=rep)
        rejections.extend(eff["p_value"] < 0.05)
    rate = float(np.mean(rejections))
    assert rate < 0.09  # 240 tests, nominal 0.05


@pytest.mark.parametrize("outlets", [2, 20])
def test_time_figure_readable(outlets, tmp_path):
    apply_style()
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=30, seed=5))
    groups = cp.group_labels(data["documents"], ["outlet"])
    periods = pd.Series(
        cp.period_labels(data["documents"]["date"], "month").to_numpy(),
        index=data["documents"]["doc_id"],
    )
    prev, _eff = ct.time_table(data["frames"], groups, periods, "rest", resamples=50)
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", period="month", min_n=5)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == (len(syn.FRAMES) if outlets <= 8 else outlets)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    two = ["outlet_0 (n=30)", "outlet_1 (n=30)"]  # each group's dated articles
    assert legend == (two if outlets == 2 else sorted(syn.FRAMES))
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "t.png")
    assert (tmp_path / "t.svg").stat().st_size > 1000
    empty = cf.time_figure(pd.DataFrame(columns=ct.TIME_COLUMNS), "t", "y")
    assert "compare.by" in " ".join(t.get_text() for t in empty.axes[0].texts)
