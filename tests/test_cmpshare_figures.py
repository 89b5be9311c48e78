"""Cheaper compare figures draw the same thing: the keyness bars as one collection equal
barh's rectangles and x range; the over-time cells from one array equal the per-line
filter-and-reindex they replace; the layout solved without a whole draw gives the same files
as ``draw_without_rendering``."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from newslens import compare_figures as cf
from newslens.figures import NEGATIVE, POSITIVE, apply_style, save_figure
from PIL import Image


@pytest.fixture(autouse=True)
def _style():
    apply_style()
    yield
    plt.close("all")


@pytest.mark.parametrize("widths", [[2.0, 0.5, -1.0, -3.0], [1.0, 2.5, 0.25]])
def test_bars_equal_barh(widths):
    widths = np.array(widths)
    y = np.arange(len(widths))[::-1].astype(float)
    fig, (a, b) = plt.subplots(1, 2)
    old = a.barh(y, widths, color=[POSITIVE if z > 0 else NEGATIVE for z in widths], height=0.75)
    cf._bars(b, y, widths, height=0.75)
    (coll,) = b.collections
    for rect, path, colour in zip(
        old.patches, coll.get_paths(), coll.get_facecolors(), strict=True
    ):
        x, y0, w, h = rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()
        corners = [[x, y0], [x + w, y0], [x + w, y0 + h], [x, y0 + h]]  # a Rectangle's order
        np.testing.assert_allclose(path.vertices[:4], corners)
        assert tuple(colour) == to_rgba(rect.get_facecolor())
    assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()
    if (widths > 0).all():
        assert b.get_xlim()[0] == 0  # 0 stays the edge, as with barh


def test_period_cube_equals_the_reindex():
    rng = np.random.default_rng(4)
    periods = ["2024-W01", "2024-W02", "2024-W03", "2024-W04"]
    rows = [
        (g, item, t, rng.random(), rng.random(), rng.random(), int(rng.integers(0, 50)))
        for g in ["A", "B", "C"]
        for item in ["war", "aid"]
        for t in periods
        if not (g == "C" and t == "2024-W02")  # a missing cell
    ]
    tab = pd.DataFrame(rows, columns=["group", "item", "period", "mean", "low", "high", "n"])
    tab = tab.rename(columns={"n": "n_articles"}).sample(frac=1.0, random_state=1)
    panels, lines = ["aid", "war"], ["A", "C"]  # B is not drawn
    cube = cf._period_cube(tab, "item", panels, "group", lines, periods)
    assert cube.shape == (2, 2, 4, 4)
    for p, panel in enumerate(panels):
        for k, name in enumerate(lines):
            one = tab[(tab["item"] == panel) & (tab["group"] == name)]
            one = one.set_index("period").reindex(periods)
            expected = one[["mean", "low", "high", "n_articles"]].to_numpy(dtype=float).T
            np.testing.assert_array_equal(cube[p, k], expected)
    assert np.isnan(cube[0, 1, :, 1]).all()  # C has no 2024-W02


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_save_laid_out_equals_a_whole_draw(tmp_path):
    """A figure not on a fixed grid (the empty one) still gets its tight box measured once:
    the same bytes as a layout by a whole draw. (Fixed-grid figures: tests/test_cmp6_*.)"""
    cf.save_laid_out(
        cf.empty_figure("nothing", "Frames", width=cf.FULL_WIDTH),
        tmp_path / "new.png",
        tmp_path / "new.svg",
        fixed_size=False,
    )
    fig = cf.empty_figure("nothing", "Frames", width=cf.FULL_WIDTH)
    fig.set_dpi(plt.rcParams["savefig.dpi"])
    fig.draw_without_rendering()  # the previous way: a whole draw to lay out
    bbox = fig.get_tightbbox().padded(plt.rcParams["savefig.pad_inches"])
    save_figure(fig, tmp_path / "old.png", tmp_path / "old.svg", bbox_inches=bbox)
    # the same pixels (the compare PNGs are deflated at zlib level 1 since cmp11: other bytes)
    new_px = np.asarray(Image.open(tmp_path / "new.png"))
    np.testing.assert_array_equal(new_px, np.asarray(Image.open(tmp_path / "old.png")))
    assert new_px.shape[0] > 100 and (new_px[..., :3] < 128).any()
    assert _digest(tmp_path / "new.svg") == _digest(tmp_path / "old.svg")
