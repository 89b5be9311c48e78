"""cmp12: the forest plots' inner columns and the actor x frame heatmap's inner panels draw their
unlabelled tick marks as one marker line a panel (``compare_panels.tick_marks``) instead of a
matplotlib ``Tick`` per mark. The figures' pixels equal those of the old path
(``set_yticks(positions, [])`` / ``set_xticks``) at 2 and at 20 groups; the inner panels hold
no ticks, the labelled ones keep theirs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.lines import TICKDOWN, TICKLEFT
from newslens import compare_figures as cf
from newslens import compare_panels as cpn
from newslens.figures import apply_style
from test_cmpfig_forest import _with_tiny_group
from test_compare_actor_frames import _figure_table


def _old_tick_marks(ax, positions, axis="y", size=None):
    """The path before cmp12: a labelled-empty tick per mark."""
    (ax.set_yticks if axis == "y" else ax.set_xticks)(positions, [])
    if size is not None:
        ax.tick_params(axis=axis, length=size)


def _pixels(fig) -> np.ndarray:
    fig.set_dpi(100)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return pixels


def _both(monkeypatch, build):
    """(new figure's pixels, old path's pixels, new figure) of ``build()``."""
    new = build()
    with monkeypatch.context() as m:
        m.setattr(cf, "tick_marks", _old_tick_marks)
        old = _pixels(build())
    return new, old


def _marks(ax):
    """The panel's tick-mark lines (``tick_marks``: TICKLEFT/TICKDOWN markers, no line)."""
    return [
        a
        for a in ax.lines
        if a.get_linestyle() == "None" and a.get_marker() in (TICKLEFT, TICKDOWN)
    ]


@pytest.mark.parametrize("outlets", [2, 20])
def test_forest_plot_pixels_equal_the_tick_path(outlets, monkeypatch):
    apply_style()
    tab, _tiny = _with_tiny_group(outlets, big=40 if outlets == 20 else 300)
    items = sorted(tab["item"].unique())

    def build():
        return cf.differences_figure(tab, "Frames", "difference", "share", min_n=10)

    fig, old = _both(monkeypatch, build)
    panels = [a for a in fig.axes if a.axison]
    assert len(panels) == outlets
    first_col = [a for a in panels if a.get_subplotspec().is_first_col()]
    inner = [a for a in panels if not a.get_subplotspec().is_first_col()]
    assert len(inner) == (1 if outlets == 2 else outlets - len(first_col)) and len(inner) > 0
    for ax in first_col:
        assert len(ax.get_yticklabels()) == len(items) and not _marks(ax)
    for ax in inner:
        assert list(ax.get_yticks()) == [] and len(ax.yaxis.majorTicks) <= 1
        (marks,) = _marks(ax)
        assert marks.get_marker() == TICKLEFT
        assert sorted(marks.get_ydata()) == list(range(len(items)))
        assert (marks.get_xdata() == 0).all()
    new = _pixels(fig)
    assert new.shape == old.shape
    assert np.array_equal(new, old)


@pytest.mark.parametrize("outlets", [2, 20])
def test_actor_frames_heatmap_pixels_equal_the_tick_path(outlets, monkeypatch):
    apply_style()
    tab = _figure_table(outlets)
    frames = tab["frame"].nunique()

    def build():
        return cf.actor_frames_figure(tab, max_actors=12, max_cols=2)  # two panel rows

    fig, old = _both(monkeypatch, build)
    panels = [ax for ax in fig.axes if ax.axison and ax.get_title()]
    rows = outlets + 3  # outlets and months
    labelled_y = [ax for ax in panels if ax.get_yticklabels()]
    assert 0 < len(labelled_y) < len(panels)
    for ax in labelled_y:
        assert [t.get_text() for t in ax.get_yticklabels()][0] == "month: 2024-01"
    for ax in panels:
        marks = {m.get_marker(): m for m in _marks(ax)}
        if ax not in labelled_y:
            assert len(ax.get_yticks()) == 0
            assert sorted(marks[TICKLEFT].get_ydata()) == list(range(rows))
            assert marks[TICKLEFT].get_markersize() == 1.5
        if len(ax.get_xticks()) == 0:
            assert sorted(marks[TICKDOWN].get_xdata()) == list(range(frames))
        else:
            assert TICKDOWN not in marks and len(ax.get_xticks()) == frames
    assert any(TICKDOWN in {m.get_marker() for m in _marks(ax)} for ax in panels)
    new = _pixels(fig)
    assert np.array_equal(new, old)


def test_tick_marks_view_interval_as_set_yticks():
    """The view interval grows to the marks as ``set_yticks`` makes it (inversion kept)."""
    for axis in "xy":
        a_new, a_old = plt.subplots(1, 2)[1]
        for ax in (a_new, a_old):
            ax.plot([0.2, 0.4], [0.2, 0.4])
            (ax.invert_yaxis if axis == "y" else ax.invert_xaxis)()
        cpn.tick_marks(a_new, [-1, 0, 3], axis)
        _old_tick_marks(a_old, [-1, 0, 3], axis)
        get = "get_ylim" if axis == "y" else "get_xlim"
        assert getattr(a_new, get)() == getattr(a_old, get)()
        assert getattr(a_new, get)()[0] > getattr(a_new, get)()[1]  # inverted
        plt.close("all")
