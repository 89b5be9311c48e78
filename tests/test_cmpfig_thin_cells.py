"""The actor x frame heatmap and the over-time figures: a thin cell (fewer than
``figures.min_cell_n`` articles) with an extreme value does not set the colour scale or the y
axis; it is drawn capped (colour bar with pointed ends) or at the axis edge with a triangle,
and the figures stay free of overlapping labels with 2 and 20 groups."""

from __future__ import annotations

import pytest
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_figures as cf
from newslens import compare_over_time as ct
from newslens import compare_synthetic as syn
from newslens.figures import apply_style, save_figure
from test_compare_figures_n import _all_axes, _overlaps, _time_data

MIN_N = 8


def _actor_frames(outlets: int):
    sent = syn.make_sentences(syn.PlantedSentences(outlets=outlets, articles_per_outlet=15))
    groups = cp.group_labels(sent["documents"], ["outlet"])
    values, sentences, _f, _n = ca.actor_frame_shares(sent["actors"], sent["frames"], syn.ACTORS)
    return ca.actor_frame_differences(values, sentences, groups, "rest", resamples=30, seed=0)


@pytest.mark.parametrize("outlets", [2, 20])
def test_thin_row_does_not_set_the_colour_scale(outlets, tmp_path):
    apply_style()
    tab = _actor_frames(outlets)
    tab = tab[tab["n_group"] >= MIN_N].copy()
    assert (tab["n_reference"] >= MIN_N).all()
    measured = float(tab["difference"].abs().max())
    # one row made thin (3 articles) with an extreme difference in one frame
    thin = tab.index[(tab["group"] == tab["group"].iloc[-1]) & (tab["actor"] == syn.ACTORS[0])]
    tab.loc[thin, "n_group"] = 3
    tab.loc[thin[0], "difference"] = 0.9
    tab.loc[thin[1], "difference"] = -0.8
    fig = cf.actor_frames_figure(tab, 6, min_n=MIN_N)
    heat = [ax for ax in fig.axes if ax.axison and ax.get_images()]
    for ax in heat:
        assert ax.get_images()[0].get_clim() == pytest.approx((-measured, measured))
    bar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    assert bar._colorbar.extend == "both"
    assert "capped at the bar's pointed ends" in fig._suptitle.get_text()
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / f"af_{outlets}.png")
    # without thin cells: the scale is every cell's, no pointed ends, no note
    fig = cf.actor_frames_figure(_actor_frames(outlets), 6)
    bar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    assert bar._colorbar.extend == "neither"
    assert "capped" not in fig._suptitle.get_text()


@pytest.mark.parametrize("outlets", [2, 20])
def test_thin_period_does_not_set_the_y_axis(outlets, tmp_path):
    apply_style()
    data, _docs, groups, periods = _time_data(outlets, articles=20)
    prev, _eff = ct.time_table(
        data["frames"], groups[["doc_id", "outlet"]], periods, "rest", resamples=50, seed=0
    )
    prev = prev[prev["n_articles"] >= MIN_N].copy()
    cols = ["mean", "low", "high"]
    lo, hi = prev[cols].min().min(), prev[cols].max().max()
    pad = 0.05 * (hi - lo)
    # one group x period x item cell: 2 articles, far above everything else; one far below
    up, down = prev.index[0], prev.index[-1]
    prev.loc[up, ["n_articles", "mean", "low", "high"]] = [2, hi + 0.5, hi - 0.2, hi + 1.0]
    prev.loc[down, ["n_articles", "mean", "low", "high"]] = [2, lo - 0.5, lo - 1.0, lo + 0.2]
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", min_n=MIN_N, max_items=4)
    panels = [ax for ax in _all_axes(fig) if ax.axison]
    for ax in panels:
        assert ax.get_ylim()[1] == pytest.approx(hi + pad)
    arrows = [
        (line.get_marker(), float(line.get_ydata()[0]))
        for ax in panels
        for line in ax.lines
        if line.get_gid() == "clipped"
    ]
    assert sorted(arrows) == sorted([("^", hi + pad), ("v", lo - pad)])
    assert "triangle: past the axis" in fig._suptitle.get_text()
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / f"time_{outlets}.png")
