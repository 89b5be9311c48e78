"""Over-time figures show the n of every group x period cell (bars under the lines, numbers when
few) and stay readable with 2 and 20 groups and with 104 weeks; figures are laid out once and
saved as PNG and SVG of the same extent."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from newslens import compare_figures as cf
from newslens.figures import apply_style
from PIL import Image


def _prev(groups: int, weeks: int, items: int = 4, seed: int = 0) -> pd.DataFrame:
    """An over-time table with known cell n: group g, week w has 10 * (g + 1) + w articles."""
    rng = np.random.default_rng(seed)
    periods = [f"{2024 + (w // 52)}-W{w % 52 + 1:02d}" for w in range(weeks)]
    rows = []
    for g in range(groups):
        for w, t in enumerate(periods):
            for k in range(items):
                m = 0.1 + 0.02 * k + rng.normal(0, 0.005)
                n = 10 * (g + 1) + w
                rows.append(
                    ("outlet", f"outlet_{g:02d}", t, f"frame_{k}", n, m, m - 0.01, m + 0.01)
                )
    return pd.DataFrame(rows, columns=cf_time_columns())


def cf_time_columns():
    from newslens.compare_over_time import TIME_COLUMNS

    return TIME_COLUMNS


def _panels(fig):
    axes = list(fig.axes)
    for sub in getattr(fig, "subfigs", []):
        axes += list(sub.axes)
    return [ax for ax in axes if ax.axison]


def _bar_heights(ax) -> list[np.ndarray]:
    """Heights of the n bars of each series of a panel (one collection of rectangles each)."""
    return [
        np.array([np.ptp(p.vertices[:4, 1]) for p in coll.get_paths()])
        for coll in ax.collections
        if isinstance(coll, PolyCollection) and coll.get_label() == "_n_bars"
    ]


def _overlaps(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = []
    for ax in _panels(fig):
        lo, hi = sorted(ax.get_xlim())
        texts += [t for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
        texts += [t for t in ax.get_yticklabels()] + [ax.title]
        texts += list(ax.texts)
    texts += [fig._suptitle] + [t for leg in fig.legends for t in leg.get_texts()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t and t.get_text()]
    bad = []
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1:
            bad.append((ta, tb))
    return bad


def test_bars_give_each_group_and_period_its_n():
    apply_style()
    prev = _prev(groups=2, weeks=3)
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", period="week")
    assert "bars: articles per week and group, the tallest 22" in fig._suptitle.get_text()
    for ax in _panels(fig):
        series = _bar_heights(ax)
        assert len(series) == 2  # one per group, in the group's colour
        ratio = [s / s.max() for s in series]
        # outlet_00: 10, 11, 12; outlet_01: 20, 21, 22 articles (tallest 22 overall)
        np.testing.assert_allclose(series[0] / series[1].max(), np.array([10, 11, 12]) / 22)
        np.testing.assert_allclose(ratio[1], np.array([20, 21, 22]) / 22)
        printed = [t.get_text() for t in ax.texts]
        assert printed == ["10", "11", "12", "20", "21", "22"]  # 6 bars: numbers printed
    assert _overlaps(fig) == []


@pytest.mark.parametrize(("groups", "weeks"), [(2, 104), (20, 5), (20, 104)])
def test_readable_with_many_groups_and_weeks(groups, weeks):
    apply_style()
    prev = _prev(groups=groups, weeks=weeks)
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", period="week")
    panels = _panels(fig)
    assert len(panels) == (4 if groups == 2 else groups)
    for ax in panels:
        series = _bar_heights(ax)
        assert len(series) == (2 if groups == 2 else 1)  # a group's panel: its own articles
        assert all(len(s) == weeks for s in series)
        # numbers only when a panel has at most N_PRINTED bars
        assert (len(ax.texts) > 0) == (len(series) * weeks <= cf.N_PRINTED)
        # y ticks only over the lines' range, none in the n strip
        base, top = ax.get_ylim()
        strip_top = (base + cf.N_STRIP * top) / (1 + cf.N_STRIP)
        assert min(ax.get_yticks()) >= strip_top - 1e-9
    if groups == 20:  # group panel: the bars are that group's n
        first = _bar_heights(panels[0])[0]
        np.testing.assert_allclose(first / first[0], (10 + np.arange(weeks)) / 10)
    assert _overlaps(fig) == []


def test_laid_out_once_png_and_svg_same_extent(tmp_path):
    apply_style()
    fig = cf.time_figure(_prev(groups=20, weeks=5), "Frames over time", "share", period="week")
    cf.save_laid_out(fig, tmp_path / "t.png", tmp_path / "t.svg", fixed_size=True)
    width, height = Image.open(tmp_path / "t.png").size
    svg = (tmp_path / "t.svg").read_text()
    w_pt, h_pt = (
        float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    )
    assert width / 200 == pytest.approx(w_pt / 72, abs=0.02)  # same inches at 200 dpi / 72 pt
    assert height / 200 == pytest.approx(h_pt / 72, abs=0.02)
    assert 6.5 < width / 200 < 7.6  # full page width, trimmed to the drawing
