"""The compare figures are saved at their fixed grid's size (plus the house pad), without a
tight box measured by a draw: the saved PNG's size is the grid's, and no text runs past the
figure's edges (at 2 and 20 groups, one and two comparison variables)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from newslens import compare_figures as cf
from newslens.figures import apply_style
from PIL import Image
from test_cmp5_figures import _differences
from test_cmpgrid_figures import _heat_table, _time_table, layout_problems


def _keyness(groups: int) -> pd.DataFrame:
    rows = []
    for g in range(groups):
        for k in range(12):
            z = (k - 5.5) * (1 + g / 10)
            rows.append(("outlet", f"outlet_{g:02d}", "rest", f"term_{k}_{'x' * k}", z))
    tab = pd.DataFrame(rows, columns=["variable", "group", "reference", "term", "log_odds_z"])
    return tab.assign(total_group=5000, total_reference=90000)


def _figure(kind: str, groups: int):
    if kind == "forest":
        tab, sizes = _differences(groups)
        tab = tab.assign(n_group=tab["n_group"] + np.arange(len(tab)) % 3)  # per-row n
        return cf.differences_figure(
            tab,
            "Actor sentiment by group",
            "difference in mean compound sentiment (-1 to 1)",
            "mean compound sentiment of the sentences naming the actor",
            min_n=15,
        )
    if kind == "keyness":
        return cf.keyness_figure(_keyness(groups), 5)
    if kind == "time":
        return cf.time_figure(_time_table(groups), "Frames over time", "share (0-1)", min_n=5)
    if kind == "time2":
        prev = _time_table(groups, ("outlet", "country"))
        return cf.time_figure(prev, "Frames over time", "share (0-1)", min_n=5)
    return cf.actor_frames_figure(_heat_table(groups), 6, min_n=8)


@pytest.mark.parametrize("groups", [2, 20])
@pytest.mark.parametrize("kind", ["forest", "keyness", "time", "time2", "heatmap"])
def test_saved_at_the_fixed_grid_size_and_nothing_clipped(tmp_path, kind, groups):
    apply_style()
    fig = _figure(kind, groups)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(cf.FULL_WIDTH)
    cf.save_laid_out(fig, tmp_path / "f.png", tmp_path / "f.svg", fixed_size=True)
    pad, dpi = plt.rcParams["savefig.pad_inches"], plt.rcParams["savefig.dpi"]
    size = Image.open(tmp_path / "f.png").size
    expected = ((width + 2 * pad) * dpi, (height + 2 * pad) * dpi)
    assert np.abs(np.subtract(size, expected)).max() < 1  # whole pixels of the grid's inches
    svg = (tmp_path / "f.svg").read_text()
    assert f'width="{(width + 2 * pad) * 72:g}pt"' in svg.replace(".0pt", "pt")
    # every text's window extent inside the figure (the saved box only adds the pad)
    fig = _figure(kind, groups)
    assert layout_problems(fig) == []
    plt.close("all")


def test_fit_title_breaks_long_lines_at_separators():
    long = (
        "Title\n(lines: mean compound sentiment of the sentences naming the actor difference "
        "with interval; filled: BH q < 0.05; n: articles, group | reference; right: group n "
        "per row; grey x: fewer than 15 articles; arrow: interval runs past the axis)"
    )
    fitted = cf._fit_title(long)
    lines = fitted.split("\n")
    assert lines[0] == "Title" and len(lines) >= 3
    assert all(cf._text_width([line], 8) <= cf.FULL_WIDTH - 0.1 for line in lines)
    assert " ".join(lines[1:]) == long.split("\n")[1]  # nothing lost, only broken
    assert lines[1].endswith(";")  # broken after a separator
    assert cf._fit_title("short\ntitle") == "short\ntitle"


def test_band_polygons_one_per_finite_run():
    x = np.arange(6.0)
    low = np.array([1.0, 2.0, np.nan, 1.0, 1.0, 1.0])
    high = low + 1
    polys = cf._band_polygons(x, low, high)
    assert len(polys) == 2
    np.testing.assert_array_equal(polys[0], [[0, 1], [1, 2], [1, 3], [0, 2]])
    np.testing.assert_array_equal(polys[1], [[3, 1], [4, 1], [5, 1], [5, 2], [4, 2], [3, 2]])
    assert cf._band_polygons(x, np.full(6, np.nan), high) == []


def _edge_lines(ax):
    return [line for line in ax.get_lines() if line.get_gid() in ("clipped", "n_strip_top")]


def test_time_panels_draw_their_bands_as_one_collection():
    apply_style()
    fig = cf.time_figure(_time_table(20), "Frames over time", "share (0-1)", min_n=5)
    panels = [ax for ax in fig.axes if ax.axison]
    for ax in panels:
        bands = [c for c in ax.collections if c.get_label() == "_bands"]
        assert len(bands) == 1
        # every line's band (at least one run of periods) in that one collection
        assert len(bands[0].get_paths()) >= len(ax.get_lines()) - len(_edge_lines(ax))
    plt.close("all")
