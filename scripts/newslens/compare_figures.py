"""Figures of the compare stage: keyness bars (as quanteda's textplot_keyness) and forest plots
of group differences, one small panel per comparison so that 2 and 20 groups both stay
readable."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from newslens.compare import natural_key
from newslens.compare_panels import (  # noqa: F401 (group_sizes, with_display_names: API)
    PT,
    _band_polygons,
    _count,
    _fit_title,
    _limits,
    _n_range,
    _short,
    _text_width,
    _wrap,
    drawn_items_note,
    group_sizes,
    keep_groups,
    largest_groups,
    save_png_svg,
    with_display_names,
)
from newslens.figures import (
    FULL_WIDTH,
    NEGATIVE,
    NEUTRAL,
    OKABE_ITO,
    POSITIVE,
    empty_figure,
)

NOTHING = (
    "No comparison configured.\nSet compare.by in config/config.yaml to metadata columns\n"
    "(listed in corpus.metadata, e.g. [outlet]) and/or week / month."
)


def _switch_off(axes, n: int):
    """The grid's panels as a flat array, the cells past the ``n``-th switched off."""
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    return axes.ravel()


def _frame_labels(frames: list[str], cols: int) -> list[str]:
    """The actor x frame figure's frame labels (rotated, 5 pt): on two lines where a frame
    column has room for them (~14 pt), else on one."""
    room = 0.75 * FULL_WIDTH / cols * 72 / max(len(frames), 1)
    return [_wrap(f, 24, 2) if room >= 14 else _wrap(f, 48, 1) for f in frames]


def _comparison_title(variable: str, group: str, reference: str) -> str:
    ref = "all others" if reference == "rest" else _short(reference, 16)
    return f"{variable}: {_short(group, 18)}\nvs {ref}"


def keyness_figure(
    tab: pd.DataFrame,
    n_terms: int,
    message: str = NOTHING,
    sizes: pd.DataFrame | None = None,
    max_groups: int | None = None,
):
    """Top ``n_terms`` terms each way per comparison, bars = signed log-odds z-score (Monroe et
    al. 2008): right (blue) over-used by the group, left (vermillion) by the reference. The
    panel title gives the articles each side rests on when ``sizes`` (variable, group,
    n_articles; e.g. ``group_sizes``) is given, else the terms counted. ``max_groups``: as
    ``differences_figure``."""
    title = "Keyness: terms that distinguish each group"
    if not has_values(tab):
        return empty_figure(message, title, width=FULL_WIDTH)
    tab, shown_note = keep_groups(tab, sizes, max_groups)
    keys = list(tab.groupby(["variable", "group", "reference"], sort=True).groups)
    panels = []
    for var, group, ref in keys:
        sub = tab[(tab["variable"] == var) & (tab["group"] == group) & (tab["reference"] == ref)]
        up = sub[sub["log_odds_z"] > 0].nlargest(n_terms, "log_odds_z")
        down = sub[sub["log_odds_z"] < 0].nsmallest(n_terms, "log_odds_z")
        panels.append((sub, pd.concat([up, down.iloc[::-1]])))
    terms = [_short(t, 18) for _sub, shown in panels for t in shown["term"]]
    suptitle = _fit_title(
        title
        + "\n(blue: group uses more; vermillion: reference uses more; n: group | reference)"
        + (f"\n({shown_note})" if shown_note else "")
    )
    fig, axes = _fixed_grid(
        len(keys),
        0.16 * 2 * n_terms + 0.1,
        terms,
        every_column=True,
        title_lines=suptitle.count("\n") + 1,
    )
    for ax, (var, group, ref), (sub, shown) in zip(axes, keys, panels, strict=False):
        y = np.arange(len(shown))[::-1]
        _bars(ax, y, shown["log_odds_z"].to_numpy(dtype=float), height=0.75)
        ax.set_yticks(y, [_short(t, 18) for t in shown["term"]], fontsize=6)
        ax.axvline(0, color=NEUTRAL, lw=0.6)
        if sizes is not None and len(sizes):
            n = sizes[sizes["variable"] == var].set_index("group")["n_articles"]
            n_g = int(n.get(group, 0))
            n_r = int(n.sum() - n_g) if ref == "rest" else int(n.get(ref, 0))
            n_text = f"n = {_count(n_g)} | {_count(n_r)} articles"
        else:
            n_text = (
                f"n = {_n_range(sub['total_group'])} | {_n_range(sub['total_reference'])} terms"
            )
        ax.set_title(f"{_comparison_title(var, group, ref)}\n{n_text}", fontsize=6.5, y=1.0)
        ax.tick_params(axis="x", labelsize=6)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    fig.supxlabel(
        "log-odds ratio with informative Dirichlet prior, z-score", fontsize=7, y=0.0, va="bottom"
    )
    fig.suptitle(suptitle, fontsize=8, y=1.0, va="top")
    return fig


def _bars(ax, y, widths, height: float) -> None:
    """Horizontal bars from 0 (as ``barh``: right blue, left vermillion), drawn as one
    collection instead of a patch per bar; 0 stays the edge of the x range, as with ``barh``."""
    top, bottom = y + height / 2, y - height / 2
    zero = np.zeros_like(widths)
    corners = np.stack(
        [np.c_[zero, bottom], np.c_[widths, bottom], np.c_[widths, top], np.c_[zero, top]], axis=1
    )  # the corners in a Rectangle's order
    colours = [POSITIVE if z > 0 else NEGATIVE for z in widths]
    bars = PolyCollection(corners, facecolors=colours, edgecolors="none", linewidths=0)
    bars.sticky_edges.x.append(0)
    ax.add_collection(bars)
    ax.autoscale_view()


def _forest_rows(ax, sub: pd.DataFrame, y, min_n: int, limits) -> bool:
    """One forest panel's rows: intervals and points (filled: q < 0.05; open: not; grey x with
    a dashed interval: fewer than ``min_n`` articles on a side, drawn clipped to ``limits``
    with arrow heads where it runs past them). Whether any interval was clipped."""
    x_lo, x_hi = limits
    # at least half a row above the top and below the bottom row: with few items the default
    # 5 % margin put the bottom row's point, interval and n on the x axis line
    pad = max(0.5, 0.05 * (len(y) - 1))
    ax.set_ylim(-pad, len(y) - 1 + pad)
    n_g = sub["n_group"].to_numpy(dtype=float)
    n_r = sub["n_reference"].to_numpy(dtype=float)
    few = (n_g < min_n) | (n_r < min_n)
    sig = (sub["q_value"] < 0.05).to_numpy() & ~few
    ok = ~few
    point = sub["difference"].to_numpy(dtype=float)
    low = sub["difference_low"].to_numpy(dtype=float)
    high = sub["difference_high"].to_numpy(dtype=float)
    inside = (point >= x_lo) & (point <= x_hi)
    # one collection per kind and panel, none when a kind has no row (fewer artists to draw)
    ax.hlines(y[ok], low[ok], high[ok], color=POSITIVE, lw=1)
    if few.any():
        ax.hlines(
            y[few],
            np.clip(low[few], x_lo, x_hi),
            np.clip(high[few], x_lo, x_hi),
            color=NEUTRAL,
            lw=0.8,
            linestyles="dashed",
        )
    clipped = _clip_arrows(ax, y, low, high, x_lo, x_hi, few)
    # the filled (q < 0.05) and open points as one scatter: each row has one point, so the
    # order between them draws nothing differently
    ax.scatter(
        y=y[ok],
        x=point[ok],
        facecolor=np.where(sig[ok], POSITIVE, "white"),
        edgecolor=POSITIVE,
        s=12,
        zorder=3,
    )
    shown_few = few & inside  # a thin cell's point past the limits: its arrow shows it
    if shown_few.any():
        ax.scatter(y=y[shown_few], x=point[shown_few], color=NEUTRAL, marker="x", s=10, zorder=3)
    return clipped


def differences_figure(
    tab: pd.DataFrame,
    title: str,
    xlabel: str,
    item_label: str,
    message: str = NOTHING,
    max_items: int = 15,
    min_n: int = 1,
    sizes: pd.DataFrame | None = None,
    max_groups: int | None = None,
):
    """Forest plot per comparison: difference group - reference per item with its bootstrap
    interval; filled markers are significant after BH (q < 0.05), open ones are not. The panel
    title gives the articles each side rests on (``n``: group | reference); when they differ
    between items (actors: the articles naming the actor) each row also prints its group's n.
    Items with fewer than ``min_n`` articles on either side are drawn grey with a dashed
    interval and an x, never as significant. With ``sizes`` (``group_sizes``), only the
    ``max_groups`` largest groups of each variable are drawn (``compare_panels``)."""
    if not has_values(tab, "difference"):
        return empty_figure(message, title, width=FULL_WIDTH)
    tab, shown_note = keep_groups(tab[tab["difference"].notna()], sizes, max_groups)
    measured = (tab["n_group"] >= min_n) & (tab["n_reference"] >= min_n)
    if not measured.any():  # every cell thin (e.g. a small reference): all set the axis
        measured = pd.Series(True, index=tab.index)
    # items ranked by their largest well-measured difference: a tiny group's noise does not
    # pick the rows (items measured in thin cells only come last)
    order = (
        tab["difference"]
        .abs()
        .where(measured)
        .groupby(tab["item"])
        .max()
        .sort_values(ascending=False, na_position="last", kind="stable")
        .index[:max_items]
    )
    items = sorted(order, key=natural_key)
    keys = list(tab.groupby(["variable", "group", "reference"], sort=True).groups)
    label_lines = [_wrap(t, 24, 2) for t in items]
    row_height = 0.22 if any("\n" in t for t in label_lines) else 0.14
    lo, hi = _limits(tab[measured & tab["item"].isin(items)])
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    x_lo, x_hi = lo - pad, hi + pad  # thin cells' intervals past these are clipped, arrowed
    varying = tab.groupby(["variable", "group", "reference"])["n_group"].nunique().max() > 1
    drawn = tab[tab["item"].isin(items)]  # thin rows past the limits get arrows
    clipped_any = bool(
        (
            ((drawn["n_group"] < min_n) | (drawn["n_reference"] < min_n))
            & ((drawn["difference_low"] < x_lo) | (drawn["difference_high"] > x_hi))
        ).any()
    )
    few_note = f"; grey x: fewer than {min_n} articles" if min_n > 1 else ""
    if clipped_any:
        few_note += "; arrow: interval runs past the axis"
    row_note = "; right: group n per row" if varying else ""
    suptitle = _fit_title(
        f"{title}\n(lines: {item_label} difference with interval; filled: BH q < 0.05; "
        f"n: articles, group | reference{row_note}{few_note})"
        + (f"\n({shown_note})" if shown_note else "")
    )
    fig, axes = _fixed_grid(
        len(keys),
        row_height * len(items) + 0.15,
        label_lines,
        title_lines=suptitle.count("\n") + 1,
    )
    room = 0.22 * (hi - lo if hi > lo else 1.0) if varying else 0.0  # for the per-row n
    for ax, (var, group, ref) in zip(axes, keys, strict=False):
        sub = tab[(tab["variable"] == var) & (tab["group"] == group) & (tab["reference"] == ref)]
        sub = sub.set_index("item").reindex(items)
        y = np.arange(len(items))[::-1]
        n_g = sub["n_group"].to_numpy(dtype=float)
        _forest_rows(ax, sub, y, min_n, (x_lo, x_hi))
        if varying:
            for yy, n in zip(y, n_g, strict=True):
                if np.isfinite(n):
                    ax.text(
                        1.0,
                        yy,
                        _count(n),
                        transform=ax.get_yaxis_transform(),
                        ha="right",
                        va="center",
                        fontsize=4.5,
                        color=NEUTRAL,
                    )
        ax.axvline(0, color=NEUTRAL, lw=0.6)
        ax.set_xlim(x_lo, x_hi + room)
        if ax.get_subplotspec().is_first_col():
            ax.set_yticks(y, label_lines, fontsize=6)
        else:
            ax.set_yticks(y, [])
        n_text = f"n = {_n_range(sub['n_group'])} | {_n_range(sub['n_reference'])}"
        ax.set_title(f"{_comparison_title(var, group, ref)}\n{n_text}", fontsize=6.5, y=1.0)
        ax.tick_params(axis="x", labelsize=6)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    fig.supxlabel(xlabel, fontsize=7, y=0.0, va="bottom")
    fig.suptitle(suptitle, fontsize=8, y=1.0, va="top")
    return fig


MIN_PANEL_WIDTH = 0.85  # inches: a fixed grid's panel, room for 4-5 x tick labels


def _panel_grid(rows: int, cols: int, axes_height: float, margins: dict):
    """A ``rows`` x ``cols`` grid of panels ``axes_height`` inches high on a full-width figure,
    with fixed ``margins`` in inches (``left``, ``right``, ``top``, ``bottom`` and the gaps
    ``wgap`` between columns and ``hgap`` between rows): the figure's height follows from
    them. Returns the figure, the axes array and the height."""
    m, width = margins, FULL_WIDTH
    height = rows * axes_height + (rows - 1) * m["hgap"] + m["top"] + m["bottom"]
    panel_w = (width - m["left"] - m["right"] - (cols - 1) * m["wgap"]) / cols
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width, height),
        squeeze=False,
        gridspec_kw={
            "left": m["left"] / width,
            "right": 1 - m["right"] / width,
            "bottom": m["bottom"] / height,
            "top": 1 - m["top"] / height,
            "wspace": m["wgap"] / panel_w,
            "hspace": m["hgap"] / axes_height,
        },
    )
    return fig, axes, height


def has_values(tab: pd.DataFrame, column: str | None = None) -> bool:
    """Whether a compare figure has something to draw from ``tab`` (rows, and a value in
    ``column``): then it is drawn on a fixed grid (save it with ``save_laid_out(...,
    fixed_size=True)``); otherwise it is the figure that says what to configure."""
    return not tab.empty and (column is None or bool(tab[column].notna().any()))


def _fixed_grid(
    n: int,
    axes_height: float,
    labels: list[str],
    max_cols: int = 4,
    every_column: bool = False,
    title_lines: int = 2,
):
    """The forest and keyness plots' grid of ``n`` panels (up to ``max_cols`` a row) with fixed margins
    computed once from the label extents, instead of a constrained layout solved from every
    text of the figure: left, the widest of the first column's item ``labels`` (6 pt);
    between rows, a panel title (3 lines, 6.5 pt) and the x tick labels (6 pt); between
    columns, room for neighbouring x tick labels; top, the super-title (``title_lines``, 8 pt);
    bottom, the x label (7 pt). Panels are ``axes_height`` inches high. ``every_column``: each
    panel has its own labels (keyness terms), so the gap between columns holds them too."""
    tick = (6 * 1.25 + 3.5 + 3.5) * PT  # x tick labels: line, tick length and pad
    title = (3 * 6.5 * 1.2 + 6) * PT  # three-line panel title and its pad
    top = title_lines * 8 * 1.25 * PT + 0.08 + title
    bottom = tick + 7 * 1.25 * PT + 0.1
    left = _text_width(labels, 6) + (3.5 + 3.5) * PT + 0.05  # labels, tick length and pad
    right = 0.12
    wgap = left + 0.1 if every_column else 0.25  # neighbours' labels, or x tick labels
    hgap = tick + title + 0.05
    width = FULL_WIDTH
    cols = min(max_cols, max(n, 1))
    while cols > 1 and (width - left - right - (cols - 1) * wgap) / cols < MIN_PANEL_WIDTH:
        cols -= 1  # long labels: fewer, wider panels a row, so the x tick labels stay apart
    rows = math.ceil(n / cols)
    margins = dict(left=left, right=right, top=top, bottom=bottom, wgap=wgap, hgap=hgap)
    fig, axes, _ = _panel_grid(rows, cols, axes_height, margins)
    return fig, _switch_off(axes, n)


def _clip_arrows(ax, y, low, high, x_lo, x_hi, rows) -> bool:
    """Arrow heads (grey triangles) at the panel's edge for the ``rows`` whose interval (or
    point) runs past ``x_lo`` / ``x_hi``: the interval is drawn clipped there and continues.
    Whether any was drawn."""
    drawn = False
    size = 3.5  # points; the head is drawn just inside the edge, its tip on the edge
    for edge, past, marker, inward in ((x_lo, low < x_lo, "<", 1), (x_hi, high > x_hi, ">", -1)):
        mask = rows & past
        if mask.any():
            shift = offset_copy(ax.transData, fig=ax.figure, x=inward * size / 2, units="points")
            ax.plot(
                np.full(int(mask.sum()), edge),
                y[mask],
                linestyle="none",
                marker=marker,
                color=NEUTRAL,
                markersize=size,
                markeredgewidth=0,
                zorder=4,
                clip_on=False,
                gid="clipped",
                transform=shift,
            )
            drawn = True
    return drawn


def actor_frames_figure(
    tab: pd.DataFrame,
    max_actors: int = 12,
    message: str = NOTHING,
    max_cols: int = 3,
    min_n: int = 1,
    sizes: pd.DataFrame | None = None,
    max_groups: int | None = None,
):
    """Actor x frame by group: one heatmap panel per actor (the ``max_actors`` named in the
    most articles), rows = comparisons (variable: group), columns = frames; the colour is the
    difference group - reference in the share of the frame in sentences naming the actor
    (diverging, colour-blind safe), a dot marks BH q < 0.05, grey cells have no data. Rows and
    columns are the same in every panel, so only the outer panels are labelled. The right edge
    of each panel gives each row's n (the group's articles naming the actor); rows with fewer
    than ``min_n`` are hatched (their colour is not to be read as certain). ``sizes``,
    ``max_groups``: as ``differences_figure`` (rows)."""
    title = "Actors x frames by group"
    if not has_values(tab, "difference"):
        return empty_figure(message, title, width=FULL_WIDTH)
    tab, shown_note = keep_groups(tab, sizes, max_groups)
    tab = tab.copy()
    tab["row"] = [
        f"{v}: {_short(g, 20)}" for v, g in zip(tab["variable"], tab["group"], strict=True)
    ]
    names = tab.groupby("actor")["n_group"].sum().sort_values(ascending=False, kind="stable")
    actors = list(names.index[:max_actors])
    pairs = sorted(
        set(zip(tab["variable"], tab["group"], tab["row"], strict=True)),
        key=lambda t: (t[0], natural_key(str(t[1]))),
    )
    rows = [r for _v, _g, r in pairs]
    frames = list(dict.fromkeys(tab["frame"]))
    lim, extend = _colour_limit(tab, min_n)
    cols = min(max_cols, len(actors))
    frame_labels = _frame_labels(frames, cols)
    n_labels = [_count(n) for n in tab["n_group"].dropna().unique()]
    suptitle = (
        f"{title}: share of each frame in sentences naming the actor, group - reference\n"
        "(purple: group frames the actor more; orange: less; dot: BH q < 0.05; grey: no data;\n"
        f"right: the group's articles naming the actor"
        + (f"; hatched: fewer than {min_n}" if min_n > 1 else "")
        + (",\ntheir colours capped at the bar's pointed ends" if extend != "neither" else "")
        + ")"
        + (f"\n({shown_note})" if shown_note else "")
    )
    suptitle = _fit_title(suptitle)
    fig, axes, cax = _heat_grid(
        len(actors),
        cols,
        len(rows),
        [_short(r, 28) for r in rows],
        n_labels,
        frame_labels,
        suptitle.count("\n") + 1,
    )
    cmap = plt.get_cmap("PuOr").with_extremes(bad="#DDDDDD")
    image = None
    for k, ax in enumerate(axes[: len(actors)]):
        image = _heat_panel(ax, tab[tab["actor"] == actors[k]], rows, frames, cmap, lim, min_n)
        ax.set_title(_wrap(actors[k], 24), fontsize=7, y=1.0)
        last_row = k + cols >= len(actors)
        ax.set_xticklabels(frame_labels if last_row else [], rotation=90)
        ax.set_yticklabels([_short(r, 28) for r in rows] if k % cols == 0 else [])
    bar = fig.colorbar(image, cax=cax, extend=extend)
    bar.set_label("difference in frame share,\ngroup - reference (0-1)", fontsize=6)
    bar.ax.tick_params(labelsize=5)
    box = cax.get_position()  # centred on the panels' height
    middle = (axes[0].get_position().x0 + axes[cols - 1].get_position().x1) / 2
    fig.supxlabel("frame", fontsize=7, x=middle, y=0.0, va="bottom")
    fig.supylabel("comparison (variable: group)", fontsize=7, x=0.0, y=(box.y0 + box.y1) / 2)
    fig.suptitle(suptitle, fontsize=8, y=1.0, va="top")
    return fig


def _heat_panel(ax, sub: pd.DataFrame, rows, frames, cmap, lim: float, min_n: int):
    """One actor's heatmap panel (comparison ``rows`` x ``frames`` of its table ``sub``):
    the differences in colour (``lim`` either side), a dot where q < 0.05, thin rows (fewer
    than ``min_n`` articles) hatched and without dots, each row's n at the right edge. The
    image."""
    grid = sub.pivot_table(index="row", columns="frame", values="difference", dropna=False)
    grid = grid.reindex(index=rows, columns=frames)
    qs = sub.pivot_table(index="row", columns="frame", values="q_value", dropna=False)
    qs = qs.reindex(index=rows, columns=frames)
    image = ax.imshow(
        np.ma.masked_invalid(grid.to_numpy(dtype=float)),
        cmap=cmap,
        vmin=-lim,
        vmax=lim,
        aspect="auto",
        interpolation="nearest",
    )
    n_row = sub.groupby("row")["n_group"].max().reindex(rows)
    few = (n_row < min_n).to_numpy()
    for r in np.flatnonzero(few):
        ax.add_patch(
            plt.Rectangle(
                (-0.5, r - 0.5),
                len(frames),
                1,
                facecolor="none",
                edgecolor=NEUTRAL,
                hatch="////",
                linewidth=0,
            )
        )
    q_ok = (qs.to_numpy(dtype=float) < 0.05) & ~few[:, None]
    yy, xx = np.nonzero(q_ok)
    ax.scatter(xx, yy, s=7, facecolor="black", edgecolor="white", linewidths=0.4)
    right = ax.secondary_yaxis("right")
    right.set_yticks(range(len(rows)), ["" if not np.isfinite(n) else _count(n) for n in n_row])
    right.tick_params(labelsize=4.5, length=0, pad=1)
    ax.set_xticks(range(len(frames)))
    ax.set_yticks(range(len(rows)))
    ax.tick_params(labelsize=5, length=1.5)
    return image


HEAT_ROW = 0.13  # inches per comparison row of an actor x frame panel
COLOUR_BAR = 0.09  # inches: the colour bar's width


def _heat_grid(n, cols, n_rows, row_labels, n_labels, frame_labels, title_lines):
    """The actor x frame figure's grid of ``n`` heatmap panels (``cols`` a row, each
    ``n_rows`` comparison rows of ``HEAT_ROW`` inches) and its colour bar's axes, with margins
    computed once from the label extents (as ``_fixed_grid``): left, the super y label and the
    widest comparison label (5 pt); right of every panel, its n labels (4.5 pt); right of the
    grid, the colour bar with its tick labels (5 pt) and two-line label (6 pt); between rows, a
    two-line actor title (7 pt); bottom, the rotated frame labels (5 pt: their longest line)
    and the super x label; top, the super-title of ``title_lines`` lines (8 pt). Returns the
    figure, the panels (the unused ones switched off) and the colour bar's axes."""
    tick = (1.5 + 3.5) * PT  # tick length and pad
    line = 1.25 * PT  # a text line per point of font size
    left = 7 * line + 0.06 + _text_width(row_labels, 5) + tick
    n_width = _text_width(n_labels, 4.5) + 1 * PT + 0.04  # the right-hand n labels, pad 1 pt
    bar_text = _text_width(["\u22120.000"], 5) + tick + 2 * 6 * line + 0.08  # 2-line label
    right = n_width + 0.08 + COLOUR_BAR + bar_text
    title = 2 * 7 * 1.2 * PT + 6 * PT  # two-line actor title and its pad
    top = title_lines * 8 * line + 0.08 + title
    bottom = tick + _text_width(frame_labels, 5) + 7 * line + 0.1
    wgap = n_width + 0.1
    hgap = 1.5 * PT + title + 0.06
    axes_height = max(HEAT_ROW * n_rows, 0.45)
    rows = math.ceil(n / cols)
    width = FULL_WIDTH
    margins = dict(left=left, right=right, top=top, bottom=bottom, wgap=wgap, hgap=hgap)
    fig, axes, height = _panel_grid(rows, cols, axes_height, margins)
    grid = rows * axes_height + (rows - 1) * hgap
    bar_h = max(0.6 * grid, min(1.2, grid + 0.5))  # about its label's length (1.1 in)
    cax = fig.add_axes(
        [
            (width - right + n_width + 0.08) / width,
            (bottom + (grid - bar_h) / 2) / height,
            COLOUR_BAR / width,
            bar_h / height,
        ],
        label="<colorbar>",
    )
    return fig, _switch_off(axes, n), cax


def _colour_limit(tab: pd.DataFrame, min_n: int) -> tuple[float, str]:
    """The actor x frame heatmap's colour limit: the largest absolute difference of the cells
    with at least ``min_n`` articles each side (all cells when none has), so a thin row's
    extreme difference does not wash out the others; and the colour bar's ``extend`` (the
    sides on which some cell lies past the limit and is drawn in the end colour)."""
    diff = tab["difference"].to_numpy(dtype=float)
    measured = (tab["n_group"] >= min_n).to_numpy() & (tab["n_reference"] >= min_n).to_numpy()
    base = diff[measured & np.isfinite(diff)]
    if base.size == 0:
        base = diff[np.isfinite(diff)]
    lim = float(np.abs(base).max()) if base.size else 0.0
    lim = lim if lim > 0 else 1.0
    below, above = bool(np.nanmin(diff) < -lim), bool(np.nanmax(diff) > lim)
    extend = {(True, True): "both", (True, False): "min", (False, True): "max"}
    return lim, extend.get((below, above), "neither")


def _time_layout(tab: pd.DataFrame, max_items: int, max_lines: int, shown=None):
    """Panels and lines of one variable's over-time block: up to ``max_lines`` groups, one
    panel per item (the ``max_items`` varying most) and a line per group; more groups, one
    panel per group (those in ``shown``, when given: ``compare_panels.largest_groups``) and a
    line per item (the ``max_lines`` varying most over the drawn groups)."""
    groups = sorted(tab["group"].unique(), key=natural_key)
    per_group = len(groups) > max_lines  # the layout follows every group, drawn or not
    if per_group and shown is not None:
        groups = [g for g in groups if g in set(shown)]
        tab = tab[tab["group"].isin(groups)]
    spread = tab.groupby("item")["mean"].agg(lambda s: s.max() - s.min())
    ranked = list(spread.sort_values(ascending=False, kind="stable").index)
    if not per_group:
        return "item", "group", sorted(ranked[:max_items], key=natural_key), groups
    return "group", "item", groups, sorted(ranked[:max_lines], key=natural_key)


def _period_cube(tab, panel_col, panels, line_col, lines, periods) -> np.ndarray:
    """The mean, low, high and n_articles of each panel x line x period cell of an over-time
    table as one array (panels, lines, 4, periods); NaN where the table has no such row."""
    cube = np.full((len(panels), len(lines), 4, len(periods)), np.nan)
    p = pd.Index(panels).get_indexer(tab[panel_col])
    k = pd.Index(lines).get_indexer(tab[line_col])
    t = pd.Index(periods).get_indexer(tab["period"])
    shown = (p >= 0) & (k >= 0) & (t >= 0)
    values = tab[["mean", "low", "high", "n_articles"]].to_numpy(dtype=float)[shown]
    cube[p[shown], k[shown], :, t[shown]] = values
    return cube


def _panels(fig) -> list:
    """Every axes of ``fig`` and of its subfigures."""
    return list(fig.axes) + [ax for sub in getattr(fig, "subfigs", []) for ax in _panels(sub)]


def _time_limits(cube: np.ndarray, min_n: int) -> tuple[float, float]:
    """The y range of an over-time block: the means and bands of the cells (``_period_cube``)
    with at least ``min_n`` articles (all cells when none has; (0, 1) when nothing is finite),
    so a thin period's mean, drawn without a band, does not squeeze the others."""
    values = cube[:, :, :3, :]
    n = cube[:, :, 3:4, :]
    measured = np.broadcast_to(n >= min_n, values.shape) & np.isfinite(values)
    if not measured.any():
        measured = np.isfinite(values)
    if not measured.any():
        return 0.0, 1.0
    return float(values[measured].min()), float(values[measured].max())


def _time_plan(tab: pd.DataFrame, max_items: int, max_lines: int, shown=None) -> dict:
    """What one variable's over-time block shows (``_time_layout``; ``shown``: the groups to
    draw when there is a panel per group): its panels, lines, periods, grid (4 panels a row
    from 4 panels on, else up to 3), legend labels (a group and its n of dated articles: the
    most measured of any item, summed over periods), the n bars' scale (``n_max``: the largest
    drawn group x period cell) and a ``note`` on the groups left out."""
    panel_col, line_col, panels, lines = _time_layout(tab, max_items, max_lines, shown)
    drawn = tab[tab[panel_col].isin(panels) & tab[line_col].isin(lines)]
    n_all = tab["group"].nunique()
    var = str(tab["variable"].iloc[0])
    note = f"the {len(panels)} largest of {n_all} {var} groups" if len(panels) < n_all else ""
    if panel_col == "item":
        note = ""
    n_group = tab.groupby(["group", "item"])["n_articles"].sum().groupby("group").max()
    labels = [
        f"{_short(name, 22)} (n={_count(n_group[name])})" if line_col == "group" else name
        for name in lines
    ]
    cols = min(4 if len(panels) > 3 else 3, len(panels))
    return {
        "tab": tab,
        "var": str(tab["variable"].iloc[0]),
        "panel_col": panel_col,
        "line_col": line_col,
        "panels": panels,
        "lines": lines,
        "periods": sorted(tab["period"].unique()),
        "n_group": n_group,
        "labels": [_short(t, 32) for t in labels],
        "cols": cols,
        "rows": math.ceil(len(panels) / cols),
        "n_max": max(int(np.nan_to_num(drawn["n_articles"].max())), 1),
        "note": note,
    }


def _time_block(parent, axes, plan, ylabel, period, min_n, n_max) -> None:
    """One variable's over-time panels (``plan`` of ``_time_plan``), drawn into ``axes`` of
    ``parent`` (a figure or subfigure), with its own legend; group n (articles) in the legend
    or the panel titles, and the n of every group x period cell as bars under the lines
    (``_n_strip``, tallest = ``n_max``)."""
    tab, periods = plan["tab"], plan["periods"]
    panel_col, line_col = plan["panel_col"], plan["line_col"]
    panels, lines, n_group = plan["panels"], plan["lines"], plan["n_group"]
    max_ticks = 4 if len(panels) > 3 else 6  # rotated period labels of narrow panels apart
    x = np.arange(len(periods))
    colours = {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(lines)}
    cube = _period_cube(tab, panel_col, panels, line_col, lines, periods)
    lo, hi = _time_limits(cube, min_n)
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    y_lo, y_hi = lo - pad, hi + pad  # thin cells' means past these: at the edge, arrowed
    for p, (ax, panel) in enumerate(zip(axes, panels, strict=False)):
        bands = [
            _time_line(ax, x, cube[p, k], colours[name], label, min_n, (y_lo, y_hi))
            for k, (name, label) in enumerate(zip(lines, plan["labels"], strict=True))
        ]
        _add_bands(ax, bands)
        head = _short(panel, 26)
        if panel_col == "group":
            head = f"{_short(panel, 18)} (n={_count(n_group[panel])})"
        ax.set_title(head, fontsize=7, y=1.0)
        step = max(1, math.ceil(len(periods) / max_ticks))
        ax.set_xticks(x[::step], [periods[k] for k in range(0, len(periods), step)])
        ax.tick_params(labelsize=5, length=1.5)
        ax.tick_params(axis="x", rotation=45)
        ax.set_xlabel(period, fontsize=6)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    shown = tab[tab[panel_col].isin(panels) & tab[line_col].isin(lines)]
    # n of every group x period cell: a strip of bars under the lines, one scale per figure
    cells = shown.groupby([panel_col, line_col, "period"])["n_articles"].max()
    series = [None] if panel_col == "group" else lines  # a group's panel: its articles
    for ax, panel in zip(axes, panels, strict=False):
        n = cells.loc[panel].groupby(level="period").max() if panel_col == "group" else None
        counts = [
            n if name is None else cells.loc[panel].get(name, pd.Series(dtype=float))
            for name in series
        ]
        gap = STRIP_GAP / (TIME_AXES * 72)  # the panel's height is fixed: a share of it
        _n_strip(ax, x, periods, counts, series, colours, n_max, (y_lo, y_hi), gap)
    handles, labels = axes[0].get_legend_handles_labels()
    parent.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=0.2,
        ncol=plan["legend_cols"],
        fontsize=6,
        frameon=False,
        title=f"{plan['var']} (n: dated articles)" if line_col == "group" else plan["item_name"],
        title_fontsize=6,
    )
    top, bottom = axes[0].get_position().y1, axes[len(panels) - 1].get_position().y0
    parent.supylabel(ylabel, fontsize=7, x=0.0, y=(top + bottom) / 2)


def _add_bands(ax, bands) -> None:
    """The bootstrap bands of a panel's lines (``_time_line``: each its polygons and colour,
    not yet drawn) as one collection: the same polygons and colours in the same order (all
    below the lines, as a fill's zorder is), one artist to draw instead of one per line."""
    verts = [poly for polys, _colour in bands for poly in polys]
    colours = [colour for polys, colour in bands for _poly in polys]
    merged = PolyCollection(verts, facecolors=colours, linewidths=0, label="_bands")
    ax.add_collection(merged)  # x and y limits come from the lines, ticks and n strip


def _time_line(ax, x, cells, colour, label, min_n, ylim):
    """One line of an over-time panel: the means (``cells`` = mean, low, high, n per period)
    and its bootstrap band, returned undrawn (``_add_bands`` draws a panel's bands as one); a
    mean of fewer than ``min_n`` articles without band, as an open marker, or when past
    ``ylim`` as an open triangle at that edge, pointing the way it continues (``_n_strip``
    keeps the n bars clear of it)."""
    mean, low, high, n = cells
    y_lo, y_hi = ylim
    few = n < min_n  # NaN (no such cell): not few, as a missing mean draws nothing
    past = few & ((mean < y_lo) | (mean > y_hi))
    mean = np.where(few, np.clip(mean, y_lo, y_hi), mean)
    band = _band_polygons(x, np.where(few, np.nan, low), np.where(few, np.nan, high))
    band = (band, to_rgba(colour, 0.18))
    ax.plot(x, mean, color=colour, lw=1, marker="o", ms=2.5, label=label)
    if (few & ~past).any():
        ax.scatter(
            x[few & ~past], mean[few & ~past], s=9, facecolor="white", edgecolor=colour, zorder=3
        )
    for edge, marker in ((y_hi, "^"), (y_lo, "v")):
        at = past & (mean == edge)
        if at.any():
            ax.plot(
                x[at],
                mean[at],
                linestyle="none",
                marker=marker,
                ms=EDGE_MARKER,
                markerfacecolor="white",
                markeredgecolor=colour,
                markeredgewidth=0.8,
                zorder=4,
                clip_on=False,
                gid="clipped",
            )
    return band


N_STRIP = 0.3  # the n strip's height, as a share of the lines' y range
N_PRINTED = 8  # print the n of each bar when a panel has at most this many bars
EDGE_MARKER = 3.5  # points: an edge triangle's size
EDGE_GAP = 1.5  # points between a bottom edge triangle (its edge line) and the n strip
STRIP_GAP = EDGE_MARKER / 2 + 0.4 + EDGE_GAP  # points between the lines' range and the strip


def _n_strip(ax, x, periods, counts, series, colours, n_max, ylim, gap: float = 0.0):
    """Under the panel's lines (y range ``ylim``, one scale for all panels), bars of the
    articles of each series (a group, or the panel's group for ``None``) per period, scaled to
    ``n_max``; the numbers are printed over the bars when there are few. The strip starts
    ``gap`` (a share of the panel's height) below the lines' range, so a triangle at its
    bottom edge stays clear of the strip. Only the lines' range gets y ticks."""
    lo, hi = ylim
    span = hi - lo
    strip_top = lo - gap * (span * (1 + N_STRIP)) / (1 - gap)
    base = strip_top - N_STRIP * span
    ax.set_ylim(base, hi)
    ax.set_yticks([t for t in MaxNLocator(nbins=4).tick_values(lo, hi) if lo <= t <= hi])
    ax.axhline(strip_top, color=NEUTRAL, lw=0.4, gid="n_strip_top")
    width = 0.8 / len(series)
    bars = len(series) * len(periods)
    for k, (name, n) in enumerate(zip(series, counts, strict=True)):
        values = pd.Series(n, dtype=float).reindex(periods).fillna(0).to_numpy()
        offset = (k - (len(series) - 1) / 2) * width
        colour = NEUTRAL if name is None else colours[name]
        height = values / n_max * 0.55 * N_STRIP * span
        left, right = x + offset - width / 2, x + offset + width / 2
        corners = np.stack(  # one collection of rectangles per series (not a patch per bar)
            [
                np.c_[left, np.full_like(left, base)],
                np.c_[left, base + height],
                np.c_[right, base + height],
                np.c_[right, np.full_like(left, base)],
            ],
            axis=1,
        )
        ax.add_collection(PolyCollection(corners, facecolors=colour, linewidths=0, label="_n_bars"))
        if bars <= N_PRINTED:
            for xx, v in zip(x + offset, values, strict=True):
                ax.text(
                    xx,
                    base + 0.62 * N_STRIP * span,
                    _count(v),
                    ha="center",
                    va="bottom",
                    fontsize=4.5,
                    color="#555555",
                )


def time_figure(
    prev: pd.DataFrame,
    title: str,
    ylabel: str,
    message: str = NOTHING,
    max_items: int = 12,
    max_lines: int = 8,
    period: str = "period",
    min_n: int = 1,
    smooth: bool = False,
    sizes: pd.DataFrame | None = None,
    max_groups: int | None = None,
    item_name: str = "item",
):
    """Prevalence over time per group with bootstrap bands (stm's ``estimateEffect`` plot),
    one block per comparison variable (a subfigure each when there are several).

    With up to ``max_lines`` groups: one panel per item (the ``max_items`` whose group x
    period means vary most), one line per group. With more groups (20 outlets, say): one panel
    per group, one line per item (the ``max_lines`` items varying most), so lines stay few
    enough to tell apart. Each group's n (dated articles) is in the legend or panel title;
    means of fewer than ``min_n`` articles are drawn as open markers without a band. Under the
    lines of every panel, bars give the n of each group x period cell (one scale per block, its
    tallest bar given in the title or the block's heading; the numbers printed when a panel has
    at most ``N_PRINTED`` bars). With ``sizes`` (``group_sizes``) and a panel per group, only
    the ``max_groups`` largest groups of each variable get a panel (``compare_panels``); the
    title names the items left out and the legend calls them ``item_name`` (topic, actor)."""
    if not has_values(prev, "mean"):
        return empty_figure(message, title, width=FULL_WIDTH)
    shown = largest_groups(sizes, max_groups) if sizes is not None and max_groups else {}
    plans = [
        _time_plan(prev[prev["variable"] == var], max_items, max_lines, shown.get(str(var)))
        for var in sorted(prev["variable"].unique())
    ]
    for plan in plans:
        plan["item_name"] = item_name
    notes = [plan["note"] for plan in plans if plan["note"]]
    shown_note = (
        f"\n(shown: {'; '.join(notes)} by articles (compare.figure_groups={max_groups}); "
        "the table has every group)"
        if notes
        else ""
    )
    items = drawn_items_note(plans, item_name)
    shown_note += f"\n(drawn: {items}; the table has every {item_name})" if items else ""
    margins = _time_margins(plans, 3 + shown_note.count("\n"))
    heights = [_block_height(plan, margins, i == 0, len(plans) > 1) for i, plan in enumerate(plans)]
    fig = plt.figure(figsize=(FULL_WIDTH, sum(heights)))
    parents = [fig]
    if len(plans) > 1:
        parents = list(fig.subfigures(len(plans), 1, height_ratios=heights, squeeze=False).ravel())
    for i, (parent, plan, height) in enumerate(zip(parents, plans, heights, strict=True)):
        above = margins["title"] if i == 0 else 0.0  # the figure's title over the first block
        axes = _time_axes(parent, plan, margins, height, above + margins["head"] * (len(plans) > 1))
        _time_block(parent, axes, plan, ylabel, period, min_n, plan["n_max"])
        if parent is not fig:
            parent.suptitle(
                f"by {plan['var']} (bars: tallest {_count(plan['n_max'])} articles)",
                fontsize=7,
                fontweight="bold",
                y=1 - above / height,
                va="top",
            )
    note = f"; open: fewer than {min_n} articles" if min_n > 1 else ""
    if any(line.get_gid() == "clipped" for ax in _panels(fig) for line in ax.lines):
        note += " (triangle: past the axis, drawn at its edge)"
    what = "spline fit of time" if smooth else "mean per period"
    unit = period.split()[0]
    scale = (
        f"the tallest {_count(plans[0]['n_max'])}"
        if len(plans) == 1
        else "one scale per block, its tallest in the block's heading"
    )
    fig.suptitle(
        f"{title}\n(lines: {what}; bands: bootstrap interval{note};\n"
        f"bars: articles per {unit} and group, {scale}){shown_note}",
        fontsize=8,
        y=1 - 0.04 / fig.get_figheight(),
        va="top",
    )
    return fig


TIME_AXES = 0.85  # inches: the height of an over-time panel (lines and n strip)
LINE = 1.25 * PT  # inches per point of font size: a line of text


def _time_margins(plans: list[dict], title_lines: int = 3) -> dict[str, float]:
    """The over-time figure's fixed margins in inches, computed once from the label extents
    (as ``_fixed_grid``): y tick labels (5 pt, at most 6 characters) and the super y label at
    the left and between panels; the period labels (5 pt, rotated 45 degrees: they reach below
    the panel and half their width to each side of their tick) and the x label (6 pt) under
    each row; a one-line panel title (7 pt) over it; the figure's title (8 pt, ``title_lines``) and
    a block's heading (7 pt) at the top."""
    tick = (1.5 + 3.5) * PT  # tick length and pad
    y_labels = _text_width(["\u22120.000"], 5) + tick
    period_w = _text_width([t for plan in plans for t in plan["periods"]], 5)
    rotated = (period_w + 5 * PT) * math.sqrt(0.5)  # the labels' extent, down and across
    overhang = rotated / 2
    under = tick + rotated + 4 * PT + 6 * LINE  # tick labels, label pad, x label
    title = 7 * LINE + 6 * PT
    return {
        "left": max(7 * LINE + 0.06 + y_labels, overhang + 0.05),
        "right": max(0.1, overhang + 0.05),
        "wgap": max(y_labels + 0.1, 2 * overhang + 0.08),
        "under": under,
        "panel_title": title,
        "hgap": under + title + 0.08,
        "title": title_lines * 8 * LINE + 0.1,
        "head": 7 * LINE + 0.06,
    }


def _legend_size(plan: dict, width: float) -> tuple[int, float]:
    """Columns (up to 4, as many as fit ``width`` inches) and height (inches) of a block's
    legend of 6 pt entries: each column (matplotlib fills them in turn) as wide as its widest
    label with the 2-character line and the pads, the columns 2 characters apart."""
    fs = 6 * PT
    widths = [_text_width([t], 6) + (2.0 + 0.8) * fs for t in plan["labels"]]
    cols = max(1, min(4, len(widths)))
    while cols > 1:
        parts = np.array_split(np.array(widths), cols)
        if sum(p.max() for p in parts) + (cols - 1) * 2.0 * fs + 0.8 * fs + 0.1 <= width:
            break
        cols -= 1
    rows = math.ceil(len(widths) / cols)
    return cols, (rows + 1) * 6 * 1.2 * PT + rows * 0.5 * fs + 2 * 0.4 * fs + 0.2 * fs + 0.04


def _block_height(plan: dict, m: dict, first: bool, several: bool) -> float:
    """The inches of one over-time block (``_time_plan``) with margins ``m``: the figure's
    title (``first``), a heading (``several`` blocks), the panel rows and the legend. Sets the
    plan's legend columns and height."""
    plan["legend_cols"], plan["legend_h"] = _legend_size(plan, FULL_WIDTH)
    rows = plan["rows"]
    panels = m["panel_title"] + rows * TIME_AXES + (rows - 1) * m["hgap"] + m["under"]
    return m["title"] * first + m["head"] * several + panels + 0.06 + plan["legend_h"]


def _time_axes(parent, plan: dict, m: dict, height: float, above: float):
    """The panels of one over-time block in ``parent`` (``height`` inches; ``above`` inches
    of titles over the first row's panel titles) on a fixed grid: ``plan['cols']`` a row,
    the cells past the last panel switched off."""
    cols, rows = plan["cols"], plan["rows"]
    width = FULL_WIDTH
    panel_w = (width - m["left"] - m["right"] - (cols - 1) * m["wgap"]) / cols
    grid = parent.add_gridspec(
        rows,
        cols,
        left=m["left"] / width,
        right=1 - m["right"] / width,
        top=1 - (above + m["panel_title"]) / height,
        bottom=(plan["legend_h"] + 0.06 + m["under"]) / height,
        wspace=m["wgap"] / panel_w,
        hspace=m["hgap"] / TIME_AXES,
    )
    axes = np.array([[parent.add_subplot(grid[r, c]) for c in range(cols)] for r in range(rows)])
    return _switch_off(axes, len(plan["panels"]))


def save_laid_out(fig, png_path, svg_path, *, fixed_size: bool) -> None:
    """Save ``fig`` as PNG and SVG (``compare_panels.save_png_svg``) with the layout done once.
    ``fixed_size=True``: the figure is on a fixed grid (every compare figure with data, see
    ``has_values``, ``_fixed_grid``, ``_heat_grid``, ``_time_axes``) whose margins were
    computed from the label extents, so it is saved at its own size and the house pad
    (``savefig.pad_inches``) around it, without measuring a tight box (that is a draw of the
    whole figure). ``fixed_size=False`` (the empty figures): its constrained layout is solved,
    if it has one, and its tight bounding box measured a single time, then both formats are
    drawn with the layout engine off and that box (``savefig`` would solve and measure again
    for each format). Panel titles are set at ``y=1.0`` and empty axis labels get fixed
    coordinates, so no draw searches the panel's decorations to place them (nothing sits
    above a panel; the same pixels)."""
    fig.set_dpi(plt.rcParams["savefig.dpi"])  # lay out at the PNG's resolution
    for ax in _panels(fig):  # an empty axis label needs no placing at each draw
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0.5, 0.5)
    if fixed_size:  # the figure's own box and the house pad, no draw
        box = fig.bbox_inches.padded(plt.rcParams["savefig.pad_inches"])
        save_png_svg(fig, png_path, svg_path, bbox_inches=box)
        return
    renderer = fig._get_renderer()
    engine = fig.get_layout_engine()
    if engine is not None:  # solve the layout only: a whole draw would lay every text out again
        engine.execute(fig)
    bbox = fig.get_tightbbox(renderer).padded(plt.rcParams["savefig.pad_inches"])
    fig.set_layout_engine("none")
    save_png_svg(fig, png_path, svg_path, bbox_inches=bbox)
