"""The forest plots of group differences: a tiny group's wide (honest) interval does not set
the shared x axis; the axis comes from the cells with at least ``figures.min_cell_n``
articles each side, a thin cell's interval past it is clipped at the edge with an arrow head,
and long item names (the 15 policy frames) are wrapped whole on two lines without overlaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.collections import LineCollection
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens import compare_synthetic as syn
from newslens.figures import apply_style, save_figure
from test_compare_figures_n import _overlaps

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "config" / "codebooks" / "policy_frames.yaml"
MIN_N = 10


def _with_tiny_group(outlets: int, big: int = 300, tiny: int = 3, seed: int = 5):
    """Frame differences (each outlet vs the rest) where the last outlet has ``tiny``
    articles and the others ``big``."""
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=big, seed=seed))
    docs = data["documents"]
    last = f"outlet_{outlets - 1}"
    drop = np.flatnonzero(docs["outlet"].to_numpy() == last)[tiny:]
    keep = np.setdiff1d(np.arange(len(docs)), drop)
    groups = cp.group_labels(docs.iloc[keep].reset_index(drop=True), ["outlet"])
    frames = data["frames"].iloc[keep]  # indexed by doc_id
    return cp.group_differences(frames, groups, "rest", resamples=200, seed=0), last


def _panel(fig, group):
    return next(ax for ax in fig.axes if ax.axison and f": {group}\n" in ax.get_title())


def _arrows(ax):
    """The arrow heads of a panel: (x, y, marker) of its clipped-interval markers."""
    return [
        (x, y, line.get_marker())
        for line in ax.lines
        if line.get_gid() == "clipped"
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
    ]


@pytest.mark.parametrize("outlets", [3, 4, 20])
def test_tiny_group_does_not_set_the_axis(outlets, tmp_path):
    apply_style()
    tab, tiny = _with_tiny_group(outlets, big=300 if outlets < 20 else 60)
    thin = tab[tab["group"] == tiny]
    assert (thin["n_group"] == 3).all()
    well = tab[(tab["n_group"] >= MIN_N) & (tab["n_reference"] >= MIN_N)]
    # the tiny group's intervals are far wider than the rest's
    assert (thin["difference_high"] - thin["difference_low"]).max() > 2 * (
        well["difference_high"] - well["difference_low"]
    ).max()
    fig = cf.differences_figure(
        tab, "Frames by group", "difference (share, 0-1)", "share", min_n=MIN_N
    )
    lo = min(well["difference_low"].min(), 0.0)
    hi = max(well["difference_high"].max(), 0.0)
    pad = 0.05 * (hi - lo)
    for ax in [a for a in fig.axes if a.axison]:
        assert ax.get_xlim() == pytest.approx((lo - pad, hi + pad))
    # the tiny group's intervals run past both edges: arrow heads there, one per clipped end
    ax = _panel(fig, tiny)
    past_lo = int((thin["difference_low"] < lo - pad).sum())
    past_hi = int((thin["difference_high"] > hi + pad).sum())
    assert past_lo >= 1 and past_hi >= 1
    arrows = _arrows(ax)
    assert sum(np.isclose(x, lo - pad) and m == "<" for x, _y, m in arrows) == past_lo
    assert sum(np.isclose(x, hi + pad) and m == ">" for x, _y, m in arrows) == past_hi
    assert len(arrows) == past_lo + past_hi
    assert all(line.get_clip_on() is False for line in ax.lines if line.get_gid() == "clipped")
    # its dashed intervals are drawn inside the axis
    grey = [c for c in ax.collections if isinstance(c, LineCollection)]
    for c in grey:
        for seg in c.get_segments():
            assert lo - pad - 1e-12 <= seg[:, 0].min() and seg[:, 0].max() <= hi + pad + 1e-12
    # the big groups' panels have no arrows
    big = [a for a in fig.axes if a.axison and a is not ax]
    assert all(_arrows(a) == [] for a in big)
    assert "arrow: interval runs past the axis" in fig._suptitle.get_text()
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / f"forest_{outlets}.png")


@pytest.mark.parametrize(("outlets", "min_n"), [(3, 1), (2, MIN_N)])
def test_every_cell_sets_the_axis_when_none_or_all_are_thin(outlets, min_n):
    """Without a minimum every cell counts; with two groups one of them tiny, every cell is
    thin (one side has 3 articles), so all of them set the axis as before."""
    tab, _tiny = _with_tiny_group(outlets)
    fig = cf.differences_figure(tab, "Frames", "difference", "share", min_n=min_n)
    lo, hi = tab["difference_low"].min(), tab["difference_high"].max()
    pad = 0.05 * (hi - lo)
    for ax in [a for a in fig.axes if a.axison]:
        assert ax.get_xlim() == pytest.approx((lo - pad, hi + pad))
        assert _arrows(ax) == []


@pytest.mark.parametrize("outlets", [2, 20])
def test_fifteen_policy_frame_names_whole_on_two_lines(outlets, tmp_path):
    apply_style()
    names = [f["name"] for f in yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))["frames"]]
    tab, _tiny = _with_tiny_group(outlets, big=40)
    keys = sorted(tab["item"].unique())
    # 15 items named by the policy frames (each synthetic frame's numbers reused)
    wide = pd.concat(
        [tab[tab["item"] == keys[i % len(keys)]].assign(item=n) for i, n in enumerate(names)],
        ignore_index=True,
    )
    fig = cf.differences_figure(wide, "Frames", "difference (share, 0-1)", "share", min_n=MIN_N)
    first = next(a for a in fig.axes if a.axison)
    labels = [t.get_text() for t in first.get_yticklabels()]
    assert len(labels) == 15 and max(map(len, names)) == 45
    assert {t.replace("\n", " ") for t in labels} == set(names)  # whole, none cut
    assert all(t.count("\n") <= 1 for t in labels)
    assert "Legality, constitutionality\nand jurisprudence" in labels
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / f"names_{outlets}.png")


@pytest.mark.parametrize("outlets", [2, 20])
def test_fixed_grid_keyness_with_long_terms(outlets, tmp_path):
    """The forest and keyness figures are laid out once on a fixed grid (no layout engine to
    solve at save time); keyness terms of 18 characters (the longest shown) keep clear of the
    neighbouring panel."""
    apply_style()
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=40, seed=5))
    groups = cp.group_labels(data["documents"], ["outlet"])
    terms = [f"{t}_{'x' * 20}" for t in data["terms"]]
    key = cp.keyness_table(
        data["counts"], data["documents"]["doc_id"].to_numpy(), groups, terms, "rest", 5
    )
    fig = cf.keyness_figure(key, 10)
    assert fig.get_layout_engine() is None
    labels = [t.get_text() for ax in fig.axes if ax.axison for t in ax.get_yticklabels()]
    assert labels and max(map(len, labels)) == 18
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / f"k_{outlets}.png")
    tab, _tiny = _with_tiny_group(max(outlets, 3), big=40)
    fig = cf.differences_figure(tab, "Frames", "difference", "share", min_n=MIN_N)
    assert fig.get_layout_engine() is None
