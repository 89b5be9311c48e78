"""Compare figures stay readable with 2 and with 20 groups (no overlapping labels or titles),
show what was computed, and say what to configure when there is nothing to compare."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens import compare_synthetic as syn
from newslens.figures import apply_style, save_figure


def _texts(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        if not ax.axison:
            continue
        labels = [t for t in ax.get_yticklabels() if t.get_text()]
        lo, hi = sorted(ax.get_xlim())
        labels += [
            t
            for t in ax.get_xticklabels()
            if t.get_text() and lo - 1e-9 <= t.get_position()[0] <= hi + 1e-9
        ]
        labels.append(ax.title)
        boxes.extend((t.get_text(), t.get_window_extent(renderer)) for t in labels)
    for t in (fig._suptitle, fig._supxlabel):
        if t is not None:
            boxes.append((t.get_text(), t.get_window_extent(renderer)))
    return boxes


def _overlaps(fig):
    boxes = _texts(fig)
    bad = []
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        if a.width and b.width and a.overlaps(b):
            inter_w = min(a.x1, b.x1) - max(a.x0, b.x0)
            inter_h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if inter_w > 1 and inter_h > 1:
                bad.append((ta, tb))
    return bad


@pytest.mark.parametrize("outlets", [2, 20])
def test_keyness_and_difference_figures_readable(outlets, tmp_path):
    apply_style()
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=40, seed=5))
    groups = cp.group_labels(data["documents"], ["outlet"])
    key = cp.keyness_table(
        data["counts"], data["documents"]["doc_id"].to_numpy(), groups, data["terms"], "rest", 5
    )
    fig = cf.keyness_figure(key, 10)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == outlets
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "k.png")
    diff = cp.group_differences(data["frames"], groups, "rest", resamples=100, seed=0)
    fig = cf.differences_figure(diff, "Frames by group", "difference (share, 0-1)", "share")
    assert len([ax for ax in fig.axes if ax.axison]) == outlets
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "d.png")
    assert (tmp_path / "d.svg").stat().st_size > 1000


def test_keyness_figure_shows_the_planted_terms():
    data = syn.make(syn.Planted(outlets=2, seed=6))
    groups = cp.group_labels(data["documents"], ["outlet"])
    key = cp.keyness_table(
        data["counts"], data["documents"]["doc_id"].to_numpy(), groups, data["terms"], "outlet_0"
    )
    fig = cf.keyness_figure(key, 10)
    ax = [a for a in fig.axes if a.axison][0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert set(syn.frame_vocabulary(data["planted"])) <= set(shown[:10])
    assert "outlet_1" in ax.get_title()


def test_empty_figures_say_what_to_configure():
    apply_style()
    fig = cf.keyness_figure(pd.DataFrame(columns=cp.KEYNESS_COLUMNS), 10)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "compare.by" in text
    fig = cf.differences_figure(pd.DataFrame(columns=cp.SHARE_COLUMNS), "t", "x", "share")
    assert "compare.by" in " ".join(t.get_text() for t in fig.axes[0].texts)
