"""Figures of the topic stage. Each function returns a matplotlib figure (or an
``empty_figure`` that says why there is nothing to plot); the entry script saves it."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from newslens.figures import FULL_WIDTH, OKABE_ITO, SEQUENTIAL_CMAP, empty_figure, save_figure


def save_laid_out(fig, png_path, svg_path) -> None:
    """Save ``fig`` as PNG and SVG (``figures.save_figure``) with its layout done and its tight
    box measured once, at the PNG's resolution: ``savefig`` with the house's tight box would
    draw the figure (layout engine included) and measure the box again for each format. Empty
    axis labels get fixed coordinates, so that no measure searches the neighbouring panels'
    tick labels to place text that is not drawn (an empty label adds nothing to the box).
    A figure with wrapped text (the figures that say why there is nothing to plot) is saved
    by ``save_figure`` as before: each format wraps the text at its own resolution, so one box
    would not fit both."""
    from matplotlib.text import Text

    if any(t.get_wrap() for t in fig.findobj(Text)):
        save_figure(fig, png_path, svg_path)
        return
    fig.set_dpi(plt.rcParams["savefig.dpi"])
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0.5, 0.5)
    renderer = fig._get_renderer()
    engine = fig.get_layout_engine()
    if engine is not None:  # constrained layout: solved once, then frozen
        engine.execute(fig)
    box = fig.get_tightbbox(renderer).padded(plt.rcParams["savefig.pad_inches"])
    fig.set_layout_engine("none")
    save_figure(fig, png_path, svg_path, bbox_inches=box)


def _tick(value, width: int = 20) -> str:
    """A category as a tick label: whole up to ``width`` characters, else cut with an ellipsis
    (the tables keep the full names)."""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def short_label(topic: int, label: str, n_words: int = 2, max_chars: int = 30) -> str:
    """'T3 armenia, border' from topic 3 with label 'armenia, border, ceasefire': at most
    ``n_words`` terms, dropping whole terms (never cutting one) to stay within ``max_chars``."""
    words = [w for w in str(label).split(", ") if w][:n_words]
    text = f"T{topic} " + ", ".join(words)
    while len(words) > 1 and len(text) > max_chars:
        words = words[:-1]
        text = f"T{topic} " + ", ".join(words)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def top_words_figure(terms: pd.DataFrame, summary: pd.DataFrame, unit: str, n_words: int = 8):
    """Small multiples: each topic's heaviest terms as horizontal bars."""
    if terms.empty:
        return empty_figure("No topics were fitted.", "Top words per topic")
    k = int(summary["topic"].max())
    ncols = min(4, k)
    nrows = math.ceil(k / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(FULL_WIDTH, 0.25 + 1.35 * nrows), squeeze=False)
    for ax in axes.ravel()[k:]:
        ax.set_axis_off()
    for t in range(1, k + 1):
        ax = axes.ravel()[t - 1]
        sub = terms[terms["topic"] == t].sort_values("rank").head(n_words)
        color = OKABE_ITO[(t - 1) % len(OKABE_ITO)]
        if color == "#F0E442":  # yellow is too pale for thin bars on white
            color = "#999999"
        ax.barh(range(len(sub)), sub["weight"], color=color, height=0.7)
        ax.set_yticks(range(len(sub)), [str(s)[:22] for s in sub["term"]])
        ax.invert_yaxis()
        prev = float(summary.loc[summary["topic"] == t, "prevalence"].iloc[0])
        ax.set_title(f"Topic {t} ({prev:.0%} of topic weight)", fontsize=7.5)
        ax.tick_params(axis="x", labelsize=6)
        ax.tick_params(axis="y", labelsize=6.5, length=0)
        ax.xaxis.get_offset_text().set_fontsize(6)
    for t in range(1, k + 1):  # x label under the lowest panel of each column
        if t + ncols > k:
            axes.ravel()[t - 1].set_xlabel("term weight", fontsize=7)
    fig.suptitle(f"Top words per topic (K={k}, unit: {unit})", fontsize=9)
    fig.tight_layout()
    return fig


def prevalence_figure(summary: pd.DataFrame, unit: str):
    """Topic prevalence (share of the corpus) as sorted horizontal bars."""
    if summary.empty:
        return empty_figure("No topics were fitted.", "Topic prevalence")
    k = len(summary)
    fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.75, 0.6 + 0.24 * k))
    labels = [f"T{t}  {lab}" for t, lab in zip(summary["topic"], summary["label"], strict=True)]
    ax.barh(range(k), summary["prevalence"] * 100, color=OKABE_ITO[0], height=0.7)
    ax.set_yticks(range(k), labels)
    ax.invert_yaxis()
    for i, v in enumerate(summary["prevalence"] * 100):
        ax.text(v, i, f" {v:.1f}", va="center", fontsize=6.5)
    ax.set_xlabel(f"prevalence (% of {unit} topic weight)")
    ax.set_title(f"Topic prevalence (K={k}, unit: {unit})")
    ax.set_xlim(0, float(summary["prevalence"].max()) * 100 * 1.15 + 1e-9)
    fig.tight_layout()
    return fig


def k_selection_figure(selection: pd.DataFrame, rule: str, k_rule: str = "stability"):
    """Stability, coherence and diversity against K: one dot per subsample fit (stability:
    its agreement with the reference fit), the mean as a line with +/- 1 SD over the
    subsamples, the chosen K and the rule that chose it marked."""
    if selection.empty:
        return empty_figure(rule, "Choosing the number of topics", width=FULL_WIDTH * 0.7)
    grid = selection[selection["stage"] != "final"] if "stage" in selection else selection
    chosen = int(selection.loc[selection["selected"].astype(bool), "K"].iloc[0])
    fig, axes = plt.subplots(1, 3, figsize=(FULL_WIDTH, 2.5))
    measures = [
        ("stability", "agreement with reference\n(avg. Jaccard, 0-1)", "Stability"),
        ("coherence", "mean NPMI of top words\n(-1 to 1)", "Coherence (diagnostic)"),
        ("diversity", "unique share of top-25 words\n(0-1)", "Diversity (diagnostic)"),
    ]
    if grid.empty:
        grid = selection
    ks = sorted(set(grid["K"].astype(int)) | {chosen})
    pos = {k: i for i, k in enumerate(ks)}  # evenly spaced K: no crowded ticks at small K
    for ax, (col, ylabel, title) in zip(axes, measures, strict=True):
        data = grid
        if col == "stability" and "stage" in grid and (grid["stage"] == "reference").any():
            data = grid[grid["stage"] != "reference"]  # the reference row holds the mean
        data = data[["K", col]].dropna()
        if data.empty:
            ax.text(
                0.5,
                0.5,
                f"{col}: not measured\n(one K or one seed)",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=7,
            )
        else:
            ax.scatter(
                data["K"].map(pos),
                data[col],
                s=9,
                color=OKABE_ITO[5],
                alpha=0.7,
                label="one subsample fit" if col == "stability" else "one fit",
                zorder=2,
            )
            g = data.groupby("K")[col]
            mean, sd = g.mean(), g.std(ddof=1).fillna(0.0)
            ax.errorbar(
                [pos[k] for k in mean.index],
                mean.values,
                yerr=sd.values if col == "stability" else None,
                color=OKABE_ITO[0],
                marker="o",
                ms=3,
                lw=1.2,
                capsize=2,
                label="mean ± 1 SD" if col == "stability" else "mean",
                zorder=3,
            )
        ax.axvline(
            pos[chosen], color=OKABE_ITO[3], ls="--", lw=1, label=f"chosen K={chosen}", zorder=1
        )
        ax.set_xlabel("number of topics K (grid values)")
        ax.set_ylabel(ylabel, fontsize=7)
        marker = " - rule" if col == k_rule or (k_rule == "quality" and col != "stability") else ""
        ax.set_title(title + marker, fontsize=8)
        ax.set_xticks(range(len(ks)), [str(k) for k in ks], fontsize=6)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        names,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.92),
        ncol=3,
        frameon=False,
        fontsize=6.5,
    )
    fig.suptitle(f"Choosing the number of topics: K={chosen} by the {k_rule} rule", fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 0.86))
    fig.text(0.5, 0.01, textwrap_rule(rule), ha="center", va="bottom", fontsize=6)
    return fig


def textwrap_rule(rule: str, width: int = 150) -> str:
    """The rule's reason on at most two lines."""
    import textwrap

    return "\n".join(textwrap.wrap(rule, width)[:2])


def validation_figure(
    topics: pd.DataFrame, cross: pd.DataFrame, by_k: pd.DataFrame, column: str | None, unit: str
):
    """Topic validation against a known category: the chosen K's topic x category heatmap
    (share of each topic's units in each category, purity beside each row) and NMI, adjusted
    Rand index and purity against K (grid reference fits; the chosen K marked)."""
    title = "Topics against known categories"
    if not column:
        return empty_figure(
            "Not configured: set topics.validation.column to a documents.csv column "
            "(e.g. section) to compare dominant topics with it.",
            title,
            width=FULL_WIDTH * 0.7,
        )
    if cross.empty or topics["n_units"].sum() == 0:
        return empty_figure(f"No {unit} has both a topic and a value of '{column}'.", title)
    mat = cross.pivot(index="topic", columns="category", values="share").fillna(0.0)
    cats = list(mat.columns)
    k = mat.shape[0]
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(FULL_WIDTH, max(2.6, 0.9 + 0.22 * k)),
        gridspec_kw={"width_ratios": [max(1.6, 0.35 * len(cats) + 1.2), 1.6]},
    )
    ax = axes[0]
    im = ax.imshow(mat.to_numpy() * 100, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=100, aspect="auto")
    ylabels = [
        short_label(int(t), lab, 2, 26)
        for t, lab in zip(topics["topic"], topics["label"], strict=True)
    ]
    ax.set_yticks(range(k), ylabels, fontsize=6)
    ax.set_xticks(range(len(cats)), [_tick(c) for c in cats], fontsize=6, rotation=45, ha="right")
    ax.set_xlabel(f"{column}")
    ax.set_ylabel("dominant topic")
    vals = mat.to_numpy() * 100
    if vals.size <= 400:
        for i in range(vals.shape[0]):
            for j in range(vals.shape[1]):
                v = vals[i, j]
                ax.text(
                    j,
                    i,
                    f"{v:.0f}",
                    ha="center",
                    va="center",
                    fontsize=5.5,
                    color="white" if v < 50 else "black",
                )
    cb = fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    cb.set_label(f"% of the topic's {unit}s", fontsize=6)
    cb.ax.tick_params(labelsize=6)
    final = by_k[by_k["stage"] == "final"]
    sub = f" (NMI {final['nmi'].iloc[0]:.2f})" if len(final) else ""
    ax.set_title(f"Chosen K={k}: topic x {column}{sub}", fontsize=8)
    ax2 = axes[1]
    ref = by_k[by_k["stage"] == "reference"].sort_values("K")
    if ref.empty:
        ref = final
    ks = sorted(set(ref["K"].astype(int)) | {k})
    pos = {v: i for i, v in enumerate(ks)}  # evenly spaced grid values
    for col, name, color, mk in (
        ("nmi", "NMI", OKABE_ITO[0], "o"),
        ("ari", "adjusted Rand", OKABE_ITO[1], "s"),
        ("purity", "purity", OKABE_ITO[2], "^"),
    ):
        ax2.plot(ref["K"].map(pos), ref[col], marker=mk, ms=3, lw=1.1, color=color, label=name)
    ax2.axvline(pos[k], color=OKABE_ITO[3], ls="--", lw=1, label=f"chosen K={k}")
    ax2.set_xlabel("number of topics K (grid values)")
    ax2.set_ylabel(f"agreement with {column} (0-1)", fontsize=7)
    ax2.set_ylim(0, 1.02)
    ax2.set_xticks(range(len(ks)), [str(v) for v in ks])
    ax2.tick_params(axis="x", labelsize=6)
    ax2.set_title("Every K of the grid", fontsize=8)
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=2, frameon=False, fontsize=6)
    fig.suptitle(f"Topics against known categories ({column}; unit: {unit})", fontsize=9)
    fig.tight_layout()
    return fig


def metadata_figure(by_meta: pd.DataFrame, summary: pd.DataFrame, unit: str, max_values: int = 20):
    """Heatmaps of topic prevalence by each metadata variable (topics x values)."""
    if by_meta.empty:
        return empty_figure(
            "No metadata to compare: the corpus has no dated articles and no metadata columns "
            "(corpus.metadata).",
            "Topics by metadata",
            width=FULL_WIDTH * 0.7,
        )
    n_values = by_meta.groupby("variable")["value"].nunique()
    by_meta = by_meta[by_meta["variable"].isin(n_values[n_values >= 2].index)]
    if by_meta.empty:
        listed = ", ".join(f"{v} (one value)" for v in n_values.index)
        return empty_figure(
            f"Nothing to compare: {listed}. Topics by metadata need at least two groups.",
            "Topics by metadata",
            width=FULL_WIDTH * 0.7,
        )
    variables = list(dict.fromkeys(by_meta["variable"]))
    k = len(summary)
    ylabels = [
        short_label(t, lab) for t, lab in zip(summary["topic"], summary["label"], strict=True)
    ]
    # one panel per variable, stacked, on one colour scale (one colour bar for all panels)
    fig, axes = plt.subplots(
        len(variables),
        1,
        figsize=(FULL_WIDTH * 0.8, 0.5 + (0.26 * k + 1.3) * len(variables)),
        squeeze=False,
        layout="constrained",
    )
    vmax = max(float(by_meta["prevalence"].max()) * 100, 1e-9)
    for ax, var in zip(axes[:, 0], variables, strict=True):
        sub = by_meta[by_meta["variable"] == var]
        sizes = sub.drop_duplicates("value").set_index("value")["n_units"]
        values = sizes.sort_values(ascending=False, kind="stable").index[:max_values]
        values = sorted(values) if var == "month" else list(values)
        mat = (
            sub.pivot(index="topic", columns="value", values="prevalence").reindex(
                index=summary["topic"], columns=values
            )
            * 100
        ).to_numpy(dtype=float)
        im = ax.imshow(mat, aspect="auto", cmap=SEQUENTIAL_CMAP, vmin=0, vmax=vmax)
        rotate = len(values) > 6 or max(len(_tick(v)) for v in values) > 12
        ax.set_xticks(
            range(len(values)),
            [_tick(v) for v in values],
            rotation=30 if rotate else 0,
            ha="right" if rotate else "center",
        )
        ax.set_yticks(range(k), ylabels)
        ax.tick_params(axis="y", labelsize=6.5)
        if mat.size <= 150:  # the prevalence in each cell, readable at column width
            for (i, j), v in np.ndenumerate(mat):
                if np.isfinite(v):
                    dark = v < 0.5 * vmax  # viridis: white text on its dark half
                    colour = "white" if dark else "black"
                    ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6, color=colour)
        lo, hi = int(sizes.loc[values].min()), int(sizes.loc[values].max())
        per = f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"
        shown = "" if len(sizes) <= max_values else f"; the {max_values} largest of {len(sizes)}"
        ax.set_title(f"by {var} ({per} {unit}s per group{shown})", loc="left", fontsize=8)
    cb = fig.colorbar(im, ax=axes[:, 0].tolist(), fraction=0.04, pad=0.02)
    cb.set_label(f"prevalence (% of the group's {unit} topic weight)", fontsize=7)
    cb.ax.tick_params(labelsize=6)
    fig.suptitle(f"Topic prevalence by metadata (unit: {unit}; cell text: %)", fontsize=9)
    return fig


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame, min_correlation: float):
    """Topics as nodes (size = prevalence, colour = community), edges = positive correlation of
    unit-topic shares (width = correlation). Nodes sit on a circle grouped by community (then
    by topic number), labels outside it: deterministic, and no two labels overlap."""
    if nodes.empty:
        return empty_figure("No topics were fitted.", "Topic network")
    order = nodes.sort_values(["community", "topic"], kind="stable")["topic"].tolist()
    k = len(order)
    angle = {t: math.pi / 2 - 2 * math.pi * (i + 0.5) / k for i, t in enumerate(order)}
    pos = {t: (math.cos(a), math.sin(a)) for t, a in angle.items()}
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, FULL_WIDTH * 0.8))
    comm = nodes.set_index("topic")["community"]
    colours = _CommunityColours(comm)
    _draw_edges(ax, edges, pos, comm, colours)
    prev = nodes.set_index("topic")["prevalence"]
    size = (40 + 700 * prev / max(float(prev.max()), 1e-9)) * min(1.0, 12 / k)
    xy = np.array([pos[t] for t in nodes["topic"]])
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=size.to_numpy(),
        zorder=2,
        edgecolor="white",
        linewidth=0.8,
        c=[colours(c) for c in comm.loc[nodes["topic"]].to_numpy()],
    )
    _draw_radial_labels(ax, order, angle, size, nodes.set_index("topic")["label"])
    # Room for the longest radial label (about one unit) on every side.
    ax.set_xlim(-2.4, 2.4)
    ax.set_ylim(-2.4, 2.7)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.legend(
        handles=colours.legend_handles(),
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        frameon=False,
        fontsize=6.5,
    )
    thr = max(min_correlation, 0)
    note = (
        f"{len(edges)} edges with correlation > {thr:g}, {len(colours.groups)} communities"
        if len(edges)
        else f"no pair of topics correlates above {thr:g}"
    )
    ax.set_title(
        f"Topic network\n(node size = prevalence; line width = correlation; {note})", pad=10
    )
    fig.tight_layout()
    return fig


class _CommunityColours:
    """The colour of a topic community (Okabe-Ito without yellow, largest community first;
    grey for an isolated topic, dark grey beyond the palette) and the legend's entries."""

    def __init__(self, comm: pd.Series):
        self.palette = [c for c in OKABE_ITO if c != "#F0E442"]
        self.members = comm.value_counts()
        # numbered largest first
        self.groups = sorted(c for c in self.members.index if self.members[c] >= 2)

    def __call__(self, c) -> str:
        if c not in self.groups:
            return "#BBBBBB"  # an isolated topic belongs to no community
        i = self.groups.index(c)
        return self.palette[i] if i < len(self.palette) else "#666666"

    def legend_handles(self) -> list:
        def dot(colour, label):
            return plt.Line2D([], [], marker="o", ls="", color=colour, label=label)

        handles = [dot(self(c), f"community {c}") for c in self.groups[: len(self.palette)]]
        if len(self.groups) > len(self.palette):
            handles.append(dot("#666666", "more communities"))
        if len(self.groups) < len(self.members):
            handles.append(dot("#BBBBBB", "isolated topic"))
        return handles


def _draw_edges(ax, edges: pd.DataFrame, pos: dict, comm: pd.Series, colours) -> None:
    """One line per edge, width by correlation; coloured as the community when both topics
    belong to it, else grey."""
    if not len(edges):
        return
    rmax = float(edges["correlation"].max())
    for s_, t_, r in edges[["source", "target", "correlation"]].itertuples(index=False):
        (x0, y0), (x1, y1) = pos[int(s_)], pos[int(t_)]
        same = comm[int(s_)] == comm[int(t_)]
        ax.plot(
            [x0, x1],
            [y0, y1],
            lw=0.5 + 3.0 * r / rmax,
            alpha=0.7,
            zorder=1,
            color=colours(comm[int(s_)]) if same else "#999999",
        )


def _draw_radial_labels(ax, order: list, angle: dict, size: pd.Series, labels: pd.Series) -> None:
    """Radial labels outside the circle (read outward on the right, inward-flipped on the
    left): they never overlap."""
    k = len(order)
    for t in order:
        a = angle[t]
        r = 1.0 + 0.08 + math.sqrt(size[t]) / 150
        deg = math.degrees(a)
        right = math.cos(a) >= -1e-9
        ax.text(
            r * math.cos(a),
            r * math.sin(a),
            short_label(t, labels[t], 2 if k <= 15 else 1, max_chars=28),
            ha="left" if right else "right",
            va="center",
            rotation=deg if right else deg + 180,
            rotation_mode="anchor",
            fontsize=6.5 if k <= 15 else 6,
            zorder=3,
        )
