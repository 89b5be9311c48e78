"""Figures of the compare stage: keyness bars (as quanteda's textplot_keyness) and forest plots
of group differences, one small panel per comparison so that 2 and 20 groups both stay
readable."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from newslens.compare import natural_key
from newslens.figures import FULL_WIDTH, NEGATIVE, NEUTRAL, POSITIVE, empty_figure

NOTHING = (
    "No comparison configured.\nSet compare.by in config/config.yaml to metadata columns\n"
    "(listed in corpus.metadata, e.g. [outlet]) and/or week / month."
)


def _grid(n: int, panel_height: float, max_cols: int = 4):
    cols = min(max_cols, max(n, 1))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(FULL_WIDTH, max(1.6, rows * panel_height + 0.5)),
        squeeze=False,
        layout="constrained",
    )
    fig.get_layout_engine().set(wspace=0.12, w_pad=0.06)  # edge tick labels of neighbours
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    return fig, axes.ravel()


def _short(text: str, n: int = 22) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _comparison_title(variable: str, group: str, reference: str) -> str:
    ref = "all others" if reference == "rest" else _short(reference, 16)
    return f"{variable}: {_short(group, 18)}\nvs {ref}"


def keyness_figure(tab: pd.DataFrame, n_terms: int, message: str = NOTHING):
    """Top ``n_terms`` terms each way per comparison, bars = signed log-odds z-score (Monroe et
    al. 2008): right (blue) over-used by the group, left (vermillion) by the reference."""
    title = "Keyness: terms that distinguish each group"
    if tab.empty:
        return empty_figure(message, title, width=FULL_WIDTH)
    keys = list(tab.groupby(["variable", "group", "reference"], sort=True).groups)
    fig, axes = _grid(len(keys), panel_height=0.16 * 2 * n_terms + 0.5)
    for ax, (var, group, ref) in zip(axes, keys, strict=False):
        sub = tab[(tab["variable"] == var) & (tab["group"] == group) & (tab["reference"] == ref)]
        up = sub[sub["log_odds_z"] > 0].nlargest(n_terms, "log_odds_z")
        down = sub[sub["log_odds_z"] < 0].nsmallest(n_terms, "log_odds_z")
        shown = pd.concat([up, down.iloc[::-1]])
        y = np.arange(len(shown))[::-1]
        colours = [POSITIVE if z > 0 else NEGATIVE for z in shown["log_odds_z"]]
        ax.barh(y, shown["log_odds_z"], color=colours, height=0.75)
        ax.set_yticks(y, [_short(t, 18) for t in shown["term"]], fontsize=6)
        ax.axvline(0, color=NEUTRAL, lw=0.6)
        ax.set_title(_comparison_title(var, group, ref), fontsize=7)
        ax.tick_params(axis="x", labelsize=6)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    fig.supxlabel("log-odds ratio with informative Dirichlet prior, z-score", fontsize=7)
    fig.suptitle(title + "\n(blue: group uses more; vermillion: reference uses more)", fontsize=8)
    return fig


def differences_figure(
    tab: pd.DataFrame,
    title: str,
    xlabel: str,
    item_label: str,
    message: str = NOTHING,
    max_items: int = 15,
):
    """Forest plot per comparison: difference group - reference per item with its bootstrap
    interval; filled markers are significant after BH (q < 0.05), open ones are not."""
    if tab.empty or tab["difference"].notna().sum() == 0:
        return empty_figure(message, title, width=FULL_WIDTH)
    tab = tab[tab["difference"].notna()]
    order = (
        tab.groupby("item")["difference"]
        .apply(lambda s: s.abs().max())
        .sort_values(ascending=False)
        .index[:max_items]
    )
    items = sorted(order, key=natural_key)
    keys = list(tab.groupby(["variable", "group", "reference"], sort=True).groups)
    fig, axes = _grid(len(keys), panel_height=0.14 * len(items) + 0.6)
    lo = np.nanmin(tab["difference_low"].to_numpy(dtype=float))
    hi = np.nanmax(tab["difference_high"].to_numpy(dtype=float))
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    for i, (ax, (var, group, ref)) in enumerate(zip(axes, keys, strict=False)):
        sub = tab[(tab["variable"] == var) & (tab["group"] == group) & (tab["reference"] == ref)]
        sub = sub.set_index("item").reindex(items)
        y = np.arange(len(items))[::-1]
        sig = (sub["q_value"] < 0.05).to_numpy()
        ax.hlines(y, sub["difference_low"], sub["difference_high"], color=POSITIVE, lw=1)
        ax.scatter(y=y[sig], x=sub["difference"][sig], color=POSITIVE, s=12, zorder=3)
        ax.scatter(
            y=y[~sig],
            x=sub["difference"][~sig],
            facecolor="white",
            edgecolor=POSITIVE,
            s=12,
            zorder=3,
        )
        ax.axvline(0, color=NEUTRAL, lw=0.6)
        ax.set_xlim(lo - pad, hi + pad)
        if i % 4 == 0:
            ax.set_yticks(y, [_short(t, 20) for t in items], fontsize=6)
        else:
            ax.set_yticks(y, [])
        ax.set_title(_comparison_title(var, group, ref), fontsize=7)
        ax.tick_params(axis="x", labelsize=6)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    fig.supxlabel(xlabel, fontsize=7)
    fig.suptitle(
        f"{title}\n(lines: {item_label} difference with interval; filled: BH q < 0.05)",
        fontsize=8,
    )
    return fig
