"""The over-time figures and the actor x frame heatmap are laid out on a fixed grid (sizes and
margins computed once from the label extents, no layout engine to solve at save time) and stay
readable at 2 and at 20 groups with long group, frame and actor names: no text overlaps
another text, a panel other than its own or the colour bar, and every text lies inside the
canvas. A thin period's edge triangle stays clear of the n bars under the lines."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_figures as cf
from newslens import compare_over_time as ct
from newslens import compare_synthetic as syn
from newslens.figures import apply_style

LONG_FRAMES = {
    syn.FRAMES[0]: "Legality, constitutionality and jurisprudence",
    syn.FRAMES[1]: "Policy prescription and evaluation",
    syn.FRAMES[2]: "Crime and punishment",
    syn.FRAMES[3]: "Quality of life",
}
LONG_ACTORS = [
    "North Atlantic Treaty Organization",
    "Ministry of Foreign Affairs of the Russian Federation",
    "Alliance",
    "Organization for Security and Co-operation in Europe",
    "Kastan",
]


def _long_group(g: str) -> str:
    return f"{g} Broadcasting Corporation International"


def _time_table(outlets: int, variables=("outlet",), articles: int = 20) -> pd.DataFrame:
    """Frames over time (months) per outlet (and country), with long outlet and frame names."""
    data = syn.make(syn.Planted(outlets=outlets, articles_per_outlet=articles, seed=4))
    docs = data["documents"].copy()
    docs["outlet"] = docs["outlet"].map(_long_group)
    docs["country"] = np.where(docs.index % 2 == 0, "Northern Federation", "Southern Republic")
    groups = cp.group_labels(docs, list(variables))
    periods = pd.Series(cp.period_labels(docs["date"], "month").to_numpy(), index=docs["doc_id"])
    prev, _eff = ct.time_table(data["frames"], groups, periods, "rest", resamples=30, seed=0)
    return cf.with_display_names(prev, "item", LONG_FRAMES)


def _heat_table(outlets: int, actors: int = 5) -> pd.DataFrame:
    """Actor x frame differences with ``actors`` long-named actors (5: two panel rows, one
    cell empty), long frame and group names."""
    sent = syn.make_sentences(syn.PlantedSentences(outlets=outlets, articles_per_outlet=15))
    docs = sent["documents"].copy()
    docs["outlet"] = docs["outlet"].map(_long_group)
    groups = cp.group_labels(docs, ["outlet"])
    values, sentences, _frames, _n = ca.actor_frame_shares(
        sent["actors"], sent["frames"], syn.ACTORS
    )
    tab = ca.actor_frame_differences(values, sentences, groups, "rest", resamples=30, seed=0)
    tab = pd.concat(
        [
            tab[tab["actor"] == syn.ACTORS[i % len(syn.ACTORS)]].assign(actor=name)
            for i, name in enumerate(LONG_ACTORS[:actors])
        ],
        ignore_index=True,
    )
    return cf.with_display_names(tab, "frame", LONG_FRAMES)


def _figures(fig):
    return [fig, *[s for sub in getattr(fig, "subfigs", []) for s in _figures(sub)]]


def _texts(fig):
    """(owner axes or None, text) of every visible text: tick labels in view (of secondary
    axes too), panel titles, axis labels, legend texts, super-titles and labels."""
    out = []
    for ax in [a for a in fig.axes if a.axison]:
        axes = [ax, *[c for c in ax.child_axes if c.axison]]
        for a in axes:
            lo, hi = sorted(a.get_xlim())
            y_lo, y_hi = sorted(a.get_ylim())
            out += [
                (ax, t)
                for t in a.get_xticklabels()
                if t.get_visible() and lo - 1e-9 <= t.get_position()[0] <= hi + 1e-9
            ]
            out += [
                (ax, t)
                for t in a.get_yticklabels()
                if t.get_visible() and y_lo - 1e-9 <= t.get_position()[1] <= y_hi + 1e-9
            ]
        out += [(ax, t) for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]
    for f in _figures(fig):
        out += [(None, t) for t in (f._suptitle, f._supxlabel, f._supylabel) if t is not None]
        for leg in f.legends:
            out += [(None, t) for t in [leg.get_title(), *leg.get_texts()]]
    return [(ax, t) for ax, t in out if t.get_text()]


def layout_problems(fig) -> list[str]:
    """What breaks a fixed layout: a text outside the canvas, two texts overlapping, a text
    over a panel (or the colour bar) that is not its own."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    boxes = [(ax, t.get_text(), t.get_window_extent(renderer)) for ax, t in _texts(fig)]
    panels = [ax for ax in fig.axes if ax.axison]
    bad = []
    for _ax, text, b in boxes:
        if b.x0 < canvas.x0 - 1 or b.x1 > canvas.x1 + 1 or b.y0 < canvas.y0 - 1:
            bad.append(f"outside the canvas: {text!r}")
        elif b.y1 > canvas.y1 + 1:
            bad.append(f"outside the canvas: {text!r}")
    for (_a, ta, a), (_b, tb, b) in itertools.combinations(boxes, 2):
        if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1:
            bad.append(f"overlap: {ta!r} / {tb!r}")
    for owner, text, b in boxes:
        for ax in panels:
            if ax is owner:
                continue
            p = ax.get_window_extent(renderer)
            if min(p.x1, b.x1) - max(p.x0, b.x0) > 1 and min(p.y1, b.y1) - max(p.y0, b.y0) > 1:
                bad.append(f"{text!r} over the panel {ax.get_title() or ax.get_label()!r}")
    for a, b in itertools.combinations(panels, 2):
        pa, pb = a.get_window_extent(renderer), b.get_window_extent(renderer)
        if min(pa.x1, pb.x1) - max(pa.x0, pb.x0) > 1 and min(pa.y1, pb.y1) - max(pa.y0, pb.y0) > 1:
            bad.append(f"panels overlap: {a.get_title()!r} / {b.get_title()!r}")
    return bad


@pytest.mark.parametrize("outlets", [2, 20])
def test_time_figure_on_a_fixed_grid_with_long_names(outlets):
    apply_style()
    prev = _time_table(outlets)
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", period="month", min_n=5)
    assert fig.get_layout_engine() is None
    panels = [ax for ax in fig.axes if ax.axison]
    titles = [ax.get_title() for ax in panels]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    if outlets == 2:  # a panel per frame, a line per outlet (its n in the legend)
        assert len(panels) == len(syn.FRAMES)
        assert LONG_FRAMES[syn.FRAMES[0]][:25] + "…" in titles  # cut at 26 characters
        assert legend == [f"{_long_group(f'outlet_{g}')[:21]}… (n=20)" for g in range(2)]
    else:  # a panel per outlet, a line per frame: the long frame names in the legend
        assert len(panels) == 20
        assert all(t.startswith("outlet_") and "(n=20)" in t for t in titles)
        assert "Legality, constitutionality and…" in legend  # cut at 32
    assert layout_problems(fig) == []


@pytest.mark.parametrize("outlets", [2, 20])
def test_time_figure_blocks_per_variable_on_a_fixed_grid(outlets):
    """Two variables: a subfigure per variable, each with its heading, legend and y label."""
    apply_style()
    prev = _time_table(outlets, ("outlet", "country"))
    fig = cf.time_figure(prev, "Frames over time", "share (0-1)", period="month", min_n=5)
    assert fig.get_layout_engine() is None
    heads = [sub._suptitle.get_text() for sub in fig.subfigs]
    assert [h.split(" (")[0] for h in heads] == ["by country", "by outlet"]
    assert all("(bars: tallest" in h for h in heads)  # each block its own n scale
    assert [len(sub.legends) for sub in fig.subfigs] == [1, 1]
    assert layout_problems(fig) == []
    # the blocks follow each other down the page, the first under the figure's title
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(renderer)
    boxes = [
        [ax.get_window_extent(renderer) for ax in sub.axes if ax.axison] for sub in fig.subfigs
    ]
    tops = [max(b.y1 for b in block) for block in boxes]
    bottoms = [min(b.y0 for b in block) for block in boxes]
    assert tops[0] < title.y0 and bottoms[0] > tops[1]


@pytest.mark.parametrize(("outlets", "actors"), [(2, 5), (20, 5), (2, 3), (20, 1)])
def test_actor_frame_heatmap_on_a_fixed_grid_with_long_names(outlets, actors):
    apply_style()
    tab = _heat_table(outlets, actors)
    fig = cf.actor_frames_figure(tab, 6, min_n=8)
    assert fig.get_layout_engine() is None
    heat = [ax for ax in fig.axes if ax.axison and ax.get_images()]
    assert len(heat) == actors  # 5: two rows of 3, the last cell switched off
    assert {ax.get_title().replace("\n", " ") for ax in heat} == set(LONG_ACTORS[:actors])
    rows = [t.get_text() for t in heat[0].get_yticklabels()]
    assert len(rows) == outlets and all(r.startswith("outlet: outlet_") for r in rows)
    # frame names below the last panel of each column (the third column's in the first row)
    labelled = [ax for ax in heat if any(t.get_text() for t in ax.get_xticklabels())]
    assert labelled == (heat[2:] if actors == 5 else heat)
    bar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    assert bar.get_ylabel().startswith("difference in frame share")
    problems = layout_problems(fig)
    assert problems == []
    # the colour bar right of every panel and its n labels, centred on the panels' height
    renderer = fig.canvas.get_renderer()
    box = bar.get_window_extent(renderer)
    right = max(
        t.get_window_extent(renderer).x1
        for ax in heat
        for c in ax.child_axes
        for t in c.get_yticklabels()
        if t.get_text()
    )
    assert box.x0 > right
    assert box.x1 < fig.bbox.x1


def _thin_edges(outlets: int) -> pd.DataFrame:
    """An over-time table with one thin cell (2 articles) far below every other mean and one
    far above, both with their n printed (few periods)."""
    prev = _time_table(outlets, articles=40)
    prev = prev[prev["n_articles"] >= 8].copy()
    cols = ["mean", "low", "high"]
    lo, hi = prev[cols].min().min(), prev[cols].max().max()
    up, down = prev.index[0], prev.index[-1]
    prev.loc[up, ["n_articles", "mean", "low", "high"]] = [2, hi + 0.5, hi - 0.2, hi + 1.0]
    prev.loc[down, ["n_articles", "mean", "low", "high"]] = [2, lo - 0.5, lo - 1.0, lo + 0.2]
    return prev


@pytest.mark.parametrize("outlets", [2, 20])
def test_edge_triangles_clear_of_the_n_bars(outlets):
    """A thin period's mean past the axis is drawn as a triangle centred on the edge (where
    its line ends); the n strip starts ``STRIP_GAP`` points below the lines' range, so the
    bottom triangle, its edge line included, stays ``EDGE_GAP`` points clear of the strip,
    its bars and its printed numbers; the top one stays under the panel title."""
    apply_style()
    fig = cf.time_figure(_thin_edges(outlets), "Frames", "share (0-1)", min_n=8, max_items=4)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72  # pixels per point
    edge_width = 0.8 / 2 * px  # half the triangle's edge line
    seen = set()
    for ax in [a for a in fig.axes if a.axison]:
        separator = next(ln for ln in ax.lines if ln.get_gid() == "n_strip_top")
        strip_top = ax.transData.transform((0, separator.get_ydata()[0]))[1]
        bars = [
            p.get_extents(ax.transData)
            for c in ax.collections
            if isinstance(c, PolyCollection) and c.get_label() == "_n_bars"
            for p in c.get_paths()
        ]
        printed = [t.get_window_extent(renderer) for t in ax.texts]
        assert bars and all(b.y1 <= strip_top + 1e-6 for b in bars)
        title = ax.title.get_window_extent(renderer)
        for line in [ln for ln in ax.lines if ln.get_gid() == "clipped"]:
            marker = line.get_marker()
            seen.add(marker)
            box = line.get_window_extent(renderer)
            edge = ax.get_window_extent(renderer).y1 if marker == "^" else None
            if marker == "v":
                assert box.y0 - edge_width - strip_top == pytest.approx(cf.EDGE_GAP * px)
                for other in bars + printed:
                    assert box.y0 - edge_width > other.y1 or box.x1 < other.x0 or box.x0 > other.x1
            else:
                assert box.y0 < edge < box.y1 and box.y1 + edge_width < title.y0
    assert seen == {"^", "v"}
