"""The compare figures say what each number rests on: articles per group (and per row where it
varies) in titles, tick labels or legends, and cells with fewer than the configured minimum are
marked (grey x, hatch, open marker), never drawn as significant; the over-time figure draws
every comparison variable; all of it readable (no overlapping labels) with 2 and 20 groups."""

from __future__ import annotations

import itertools

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_figures as cf
from newslens import compare_over_time as ct
from newslens import compare_synthetic as syn
from newslens.figures import NEUTRAL, apply_style, save_figure


def _all_axes(fig):
    """Every axes of the figure and its subfigures, once."""
    axes = list(fig.axes)
    for sub in getattr(fig, "subfigs", []):
        axes += _all_axes(sub)
    return list({id(ax): ax for ax in axes}.values())


def _boxes(fig):
    """Tick labels, titles, legend texts and super-titles of every visible panel (subfigures
    included), as (text, window extent)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = []
    for ax in _all_axes(fig):
        if not ax.axison:
            continue
        lo, hi = sorted(ax.get_xlim())
        y_lo, y_hi = sorted(ax.get_ylim())
        texts += [
            t
            for t in ax.get_yticklabels()
            if t.get_text() and y_lo - 1e-9 <= t.get_position()[1] <= y_hi + 1e-9
        ]
        texts += [
            t
            for t in ax.get_xticklabels()
            if t.get_text() and lo - 1e-9 <= t.get_position()[0] <= hi + 1e-9
        ]
        texts.append(ax.title)
    figs = [fig, *getattr(fig, "subfigs", [])]
    for f in figs:
        texts += [t for t in (f._suptitle, f._supxlabel, f._supylabel) if t is not None]
        for leg in f.legends:
            texts += [t for t in leg.get_texts() if t.get_text()]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]


def _overlaps(fig):
    bad = []
    for (ta, a), (tb, b) in itertools.combinations(_boxes(fig), 2):
        w = min(a.x1, b.x1) - max(a.x0, b.x0)
        h = min(a.y1, b.y1) - max(a.y0, b.y0)
        if w > 1 and h > 1:
            bad.append((ta, tb))
    return bad


def _time_data(outlets: int, articles: int = 30):
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=articles, seed=4))
    docs = data["documents"].copy()
    docs["country"] = np.where(docs.index % 2 == 0, "North", "South")
    groups = cp.group_labels(docs, ["outlet", "country"])
    periods = pd.Series(cp.period_labels(docs["date"], "month").to_numpy(), index=docs["doc_id"])
    return data, docs, groups, periods


def test_differences_figure_prints_n_and_marks_small_groups():
    apply_style()
    data = syn.make(syn.Planted(outlets=3, articles_per_outlet=40, seed=5))
    groups = cp.group_labels(data["documents"], ["outlet"])
    actors = data["actors"].copy()
    # outlet_2 names Kastan in 3 articles only
    in2 = data["documents"]["outlet"].to_numpy() == "outlet_2"
    kastan = actors["Kastan"].to_numpy()
    keep = np.flatnonzero(in2 & np.isfinite(kastan))[:3]
    drop = np.setdiff1d(np.flatnonzero(in2), keep)
    actors.iloc[drop, actors.columns.get_loc("Kastan")] = np.nan
    tab = cp.group_differences(actors, groups, "rest", resamples=100, seed=0)
    fig = cf.differences_figure(tab, "Actor sentiment", "difference", "sentiment", min_n=5)
    panels = [ax for ax in fig.axes if ax.axison]
    titles = [ax.get_title() for ax in panels]
    for title, (_key, sub) in zip(titles, tab.groupby("group", sort=True), strict=True):
        lo, hi = int(sub["n_group"].min()), int(sub["n_group"].max())
        assert f"n = {lo}-{hi} |" in title or f"n = {lo} |" in title
    assert "n = 3-" in titles[2]
    # the per-row n of outlet_2's panel, and Kastan's point as a grey x, not as significant
    row_n = [t.get_text() for t in panels[2].texts]
    assert "3" in row_n and len(row_n) == tab["item"].nunique()
    grey = [
        c
        for c in panels[2].collections
        if isinstance(c, PathCollection)
        and len(c.get_offsets())
        and any(np.allclose(col, mcolors.to_rgba(NEUTRAL)) for col in c.get_edgecolor())
    ]
    assert len(grey) == 1 and len(grey[0].get_offsets()) == 1
    assert "fewer than 5 articles" in fig._suptitle.get_text()
    # frames: every item rests on all articles, so the title says it once, no per-row n
    fr = cp.group_differences(data["frames"], groups, "rest", resamples=50, seed=0)
    fig = cf.differences_figure(fr, "Frames", "difference", "share")
    ax = [a for a in fig.axes if a.axison][0]
    assert "n = 40 | 80" in ax.get_title() and len(ax.texts) == 0


def test_keyness_figure_prints_articles_per_side():
    data = syn.make(syn.Planted(outlets=3, articles_per_outlet=40, seed=6))
    groups = cp.group_labels(data["documents"], ["outlet"])
    key = cp.keyness_table(
        data["counts"], data["documents"]["doc_id"].to_numpy(), groups, data["terms"], "rest"
    )
    fig = cf.keyness_figure(key, 5, sizes=cf.group_sizes(groups))
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert all("n = 40 | 80 articles" in t for t in titles) and len(titles) == 3
    sizes = cf.group_sizes(groups)
    assert sizes["n_articles"].tolist() == [40, 40, 40]


def test_time_figure_draws_every_variable_with_n():
    apply_style()
    data, docs, groups, periods = _time_data(3)
    prev, _eff = ct.time_table(data["frames"], groups, periods, "rest", resamples=50, seed=0)
    assert set(prev["variable"]) == {"outlet", "country"}
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", max_items=4, min_n=12)
    assert len(fig.subfigs) == 2
    legends = {f.legends[0].get_title().get_text(): f.legends[0] for f in fig.subfigs}
    assert set(legends) == {"outlet (n: dated articles)", "country (n: dated articles)"}
    labels = [t.get_text() for t in legends["country (n: dated articles)"].get_texts()]
    n_country = docs["country"].value_counts()
    assert labels == [f"North (n={n_country['North']})", f"South (n={n_country['South']})"]
    # each block: one panel per item; open markers where a month has fewer than 12 articles
    for sub in fig.subfigs:
        assert len([ax for ax in sub.axes if ax.axison]) == 4
    assert _overlaps(fig) == []


@pytest.mark.parametrize("outlets", [2, 20])
def test_time_and_actor_frame_figures_readable(outlets, tmp_path):
    apply_style()
    data, _docs, groups, periods = _time_data(outlets, articles=20)
    prev, _eff = ct.time_table(
        data["actors"], groups[["doc_id", "outlet"]], periods, "rest", resamples=50, seed=0
    )
    fig = cf.time_figure(prev, "Actor sentiment over time", "mean sentiment (-1..1)", min_n=5)
    panels = [ax for ax in _all_axes(fig) if ax.axison]
    if outlets == 20:  # one panel per outlet, its n in the title
        assert len(panels) == 20 and all("(n=" in ax.get_title() for ax in panels)
    else:
        assert len(panels) == len(syn.ACTORS)
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "t.png")
    sent = syn.make_sentences(syn.PlantedSentences(outlets=outlets, articles_per_outlet=15))
    sgroups = cp.group_labels(sent["documents"], ["outlet"])
    values, sentences, _f, _n = ca.actor_frame_shares(sent["actors"], sent["frames"], syn.ACTORS)
    tab = ca.actor_frame_differences(values, sentences, sgroups, "rest", resamples=30, seed=0)
    fig = cf.actor_frames_figure(tab, 6, min_n=8)
    heat = [ax for ax in fig.axes if ax.axison and ax.get_images()]
    assert len(heat) == len(syn.ACTORS)
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "af.png")
