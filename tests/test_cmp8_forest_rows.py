"""The actor forest plot prints each row's group n (issue 13 item 3: "with intervals and
counts"), and with few items the rows keep half a row clear of the x axis: the bottom row's
point, interval and n no longer sit on the axis line (the 5 % margin of 3 rows was about 1 pt).
With 11 items or more the y range is the former 5 % margin (frames, topics: the same figure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens import compare_synthetic as syn
from newslens.figures import apply_style


def _actor_table(outlets: int):
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=40, seed=5))
    groups = cp.group_labels(data["documents"], ["outlet"])
    actors = data["actors"].copy()
    rng = np.random.default_rng(1)
    actors = actors.mask(rng.random(actors.shape) < 0.4)  # n varies between the rows
    tab = cp.group_differences(actors, groups, "rest", resamples=50, seed=0)
    return tab, groups


@pytest.mark.parametrize("outlets", [2, 20])
def test_each_row_prints_its_n_clear_of_the_axis(outlets):
    apply_style()
    tab, groups = _actor_table(outlets)
    fig = cf.differences_figure(
        tab,
        "Actor sentiment by group",
        "difference",
        "sentiment",
        min_n=10,
        sizes=cf.group_sizes(groups),
        max_groups=8,
    )
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == min(outlets, 8)
    items = sorted(tab["item"].unique())  # 3 actors: every one drawn, in natural order
    for ax in panels:
        group = ax.get_title().splitlines()[0].removeprefix("outlet: ")
        sub = tab[tab["group"] == group].set_index("item")
        texts = ax.texts
        # one n per row, top row first, each the row's group n
        assert [t.get_text() for t in texts] == [str(int(sub.at[i, "n_group"])) for i in items]
        assert ax.get_ylim() == (-0.5, len(items) - 0.5)
        box = ax.get_window_extent(renderer)
        boxes = [t.get_window_extent(renderer) for t in texts]
        for b in boxes:  # inside the panel, clear of the x axis line
            assert b.y0 > box.y0 + 1 and b.y1 < box.y1
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert a.y0 > b.y1  # rows' n do not overlap
        points = [c for c in ax.collections if isinstance(c, PathCollection)]
        y = np.concatenate([c.get_offsets()[:, 1] for c in points])
        pix = ax.transData.transform(np.c_[np.zeros_like(y), y])[:, 1]
        radius = np.sqrt(12) / 2 * fig.dpi / 72  # s=12 points^2
        assert (pix - radius > box.y0 + 1).all() and (pix + radius < box.y1).all()


def test_many_items_keep_the_five_percent_margin():
    apply_style()
    data = syn.make(syn.Planted(outlets=2, articles_per_outlet=40, seed=5))
    groups = cp.group_labels(data["documents"], ["outlet"])
    rng = np.random.default_rng(2)
    values = pd.DataFrame(
        rng.random((len(groups), 14)),
        index=groups["doc_id"].astype(str),
        columns=[f"frame_{k}" for k in range(14)],
    )
    tab = cp.group_differences(values, groups, "rest", resamples=50, seed=0)
    fig = cf.differences_figure(tab, "Frames", "difference", "share")
    ax = [a for a in fig.axes if a.axison][0]
    assert ax.get_ylim() == (-0.65, 13.65)  # as matplotlib's 5 % margin of 13 rows gave
    assert len(ax.texts) == 0  # every frame rests on every article: no per-row n
