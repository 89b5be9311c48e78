"""Figures of the sentiment stage. Each function returns a matplotlib figure (call
``apply_style()`` first); when there is nothing to plot it returns an ``empty_figure`` that
says why."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from newslens.figures import (
    COLUMN_WIDTH,
    FULL_WIDTH,
    NEGATIVE,
    NEUTRAL,
    OKABE_ITO,
    POSITIVE,
    SEQUENTIAL_CMAP,
    empty_figure,
)

LABEL_COLOURS = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}
COMPOUND_AXIS = "Mean VADER compound (−1 to +1)"
# Article means in the distribution figure: a dark grey, so they are not read as the
# "positive" blue of the sentence labels beside them.
ARTICLE_COLOUR = "#404040"


def _short(text, width: int = 70) -> str:
    text = " ".join(str(text or "").split())
    return textwrap.shorten(text, width=width, placeholder="…") if text else ""


def ci_label(confidence: float = 0.95) -> str:
    """The interval's name in figure text, from ``sentiment.bootstrap.confidence``:
    0.95 -> "95% CI", 0.9 -> "90% CI", 0.995 -> "99.5% CI"."""
    return f"{float(confidence) * 100:.4g}% CI"


def normal_z(confidence: float = 0.95) -> float:
    """Two-sided normal quantile for ``confidence`` (1.96 for 0.95)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + float(confidence) / 2))


def kernel_smooth(x, y, bandwidth: float, grid) -> np.ndarray:
    """Nadaraya-Watson regression with a Gaussian kernel of sd ``bandwidth``."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    g = np.asarray(grid, float)
    w = np.exp(-0.5 * ((g[:, None] - x[None, :]) / bandwidth) ** 2)
    return (w @ y) / w.sum(axis=1)


def _neutral_band(ax, thresholds, horizontal: bool = True):
    lo, hi = thresholds["negative"], thresholds["positive"]
    if horizontal:
        ax.axhspan(lo, hi, color=NEUTRAL, alpha=0.15, lw=0, zorder=0)
        ax.axhline(0, color="0.4", lw=0.6, zorder=1)
    else:
        ax.axvspan(lo, hi, color=NEUTRAL, alpha=0.15, lw=0, zorder=0)
        ax.axvline(0, color="0.4", lw=0.6, zorder=1)


# --------------------------------------------------------------------------- arc


def plot_arc_articles(sentences: pd.DataFrame, docs: pd.DataFrame, thresholds, bandwidth):
    """One panel per article: each sentence's compound (stem coloured by label), a
    Gaussian-kernel smoothed line, paragraph starts as dotted lines."""
    doc_ids = list(docs["doc_id"])
    n = len(doc_ids)
    fig, axes = plt.subplots(n, 1, figsize=(FULL_WIDTH, 2.4 * n + 0.3), squeeze=False)
    for ax, doc_id in zip(axes[:, 0], doc_ids, strict=True):
        s = sentences[sentences.doc_id == doc_id].sort_values("sent_id")
        title = docs.loc[docs.doc_id == doc_id, "title"].iloc[0] if "title" in docs else ""
        ax.set_title(_short(f"{title} ({doc_id})" if title else doc_id, 95), loc="left")
        if len(s) == 0:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No sentences", ha="center", transform=ax.transAxes)
            continue
        x = s["sent_id"].to_numpy() + 1
        y = s["compound"].to_numpy()
        _neutral_band(ax, thresholds)
        for p0 in s.groupby("para_id")["sent_id"].min().to_numpy()[1:] + 1:
            ax.axvline(p0 - 0.5, color="0.75", lw=0.6, ls=":", zorder=0)
        colours = [LABEL_COLOURS.get(lab, NEUTRAL) for lab in s["label"]]
        ax.vlines(x, 0, y, colors=colours, lw=1.2, zorder=2)
        ax.scatter(x, y, c=colours, s=14, zorder=3, edgecolors="none")
        grid = np.linspace(x.min(), x.max(), 200)
        h = max(1.0, bandwidth * len(x))
        ax.plot(grid, kernel_smooth(x, y, h, grid), color="black", lw=1.4, zorder=4)
        ax.set_ylim(-1.05, 1.05)
        ax.set_xlim(0.3, x.max() + 0.7)
        ax.set_ylabel("VADER compound")
        ax.set_xlabel("Sentence number in the article (dotted lines: paragraph starts)")
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=c, label=lab)
        for lab, c in LABEL_COLOURS.items()
    ] + [plt.Line2D([], [], color="black", lw=1.4, label="smoothed (Gaussian kernel)")]
    fig.suptitle("Sentiment arc through the article", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.25 / fig.get_figheight(), 1, 1))
    fig.legend(handles=handles, ncols=4, loc="lower center", bbox_to_anchor=(0.5, 0), frameon=False)
    return fig


def arc_bins(positions, compounds, bins: int = 20):
    """Sums for the pooled arc: per bin of relative position, count, sum and sum of squares."""
    idx = np.minimum((np.asarray(positions) * bins).astype(int), bins - 1)
    c = np.asarray(compounds, float)
    return (
        np.bincount(idx, minlength=bins).astype(float),
        np.bincount(idx, weights=c, minlength=bins),
        np.bincount(idx, weights=c * c, minlength=bins),
    )


def plot_arc_pooled(count, total, total_sq, n_articles: int, thresholds, confidence: float = 0.95):
    """Mean compound by relative position in the article (bins), with a normal interval at
    ``confidence`` (+-z standard errors)."""
    z = normal_z(confidence)
    bins = len(count)
    ok = count > 1
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    var = np.where(ok, (total_sq - count * mean**2) / np.maximum(count - 1, 1), np.nan)
    se = np.sqrt(np.maximum(var, 0) / np.maximum(count, 1))
    centers = (np.arange(bins) + 0.5) / bins
    keep = count > 0  # bins no sentence falls in (short articles) are left out
    centers, mean, se = centers[keep], mean[keep], se[keep]
    fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.7, 2.8))
    _neutral_band(ax, thresholds)
    ax.fill_between(
        centers,
        mean - z * se,
        mean + z * se,
        color=OKABE_ITO[0],
        alpha=0.25,
        lw=0,
        label=f"{ci_label(confidence)} (normal, sentences as units)",
    )
    ax.plot(
        centers,
        mean,
        color=OKABE_ITO[0],
        marker="o",
        ms=3,
        lw=1.4,
        label=f"mean compound in each {100 // bins}% of the article",
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel("Relative position in the article (0 = first sentence, 1 = last)")
    ax.set_ylabel(COMPOUND_AXIS)
    ax.set_title(f"Sentiment arc pooled over {n_articles:,} articles", loc="left")
    ax.legend(frameon=False, loc="best")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- distribution


def _label_patches(thresholds) -> list:
    """Legend entries of the three labels with their compound cut-offs."""
    neg, pos = (f"{thresholds[k]:+g}".replace("-", "−") for k in ("negative", "positive"))
    return [
        Patch(color=NEGATIVE, label=f"negative (≤ {neg})"),
        Patch(color=NEUTRAL, label="neutral"),
        Patch(color=POSITIVE, label=f"positive (≥ {pos})"),
    ]


def plot_distribution(
    sentence_hist, edges, docs: pd.DataFrame, thresholds, confidence: float = 0.95
):
    """(a) histogram of sentence compounds, coloured by label; (b) article means with CIs
    (up to 30 articles) or their histogram."""
    if sentence_hist.sum() == 0:
        return empty_figure("No scored sentences in the corpus.", "Sentiment distribution")
    fig, (a, b) = plt.subplots(
        1, 2, figsize=(FULL_WIDTH, 2.8), gridspec_kw={"width_ratios": [1, 1.2]}
    )
    centers = (edges[:-1] + edges[1:]) / 2
    colours = [
        NEGATIVE
        if c <= thresholds["negative"]
        else POSITIVE
        if c >= thresholds["positive"]
        else NEUTRAL
        for c in centers
    ]
    a.bar(centers, sentence_hist, width=np.diff(edges), color=colours, edgecolor="white", lw=0.3)
    a.set_xlabel("Sentence VADER compound (−1 to +1)")
    a.set_ylabel("Sentences (count)")
    a.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half sentences
    a.set_title(f"(a) {int(sentence_hist.sum()):,} sentences", loc="left")
    a.set_xlim(-1, 1)
    d = docs.dropna(subset=["mean_compound"])
    if len(d) == 0:
        b.set_axis_off()
        b.text(0.5, 0.5, "No articles with sentences", ha="center", transform=b.transAxes)
    elif len(d) <= 30:
        d = d.sort_values("mean_compound")
        y = np.arange(len(d))
        _neutral_band(b, thresholds, horizontal=False)
        lo = (d["mean_compound"] - d["mean_compound_ci_low"]).fillna(0).clip(lower=0)
        hi = (d["mean_compound_ci_high"] - d["mean_compound"]).fillna(0).clip(lower=0)
        b.errorbar(
            d["mean_compound"],
            y,
            xerr=[lo, hi],
            fmt="o",
            color=ARTICLE_COLOUR,
            ms=4,
            capsize=2,
            lw=1,
        )
        names = d["title"] if "title" in d else d["doc_id"]
        names = [
            _short(t if str(t).strip() else i, 38) for t, i in zip(names, d["doc_id"], strict=True)
        ]
        b.set_yticks(y, names)
        b.set_ylim(-0.7, len(d) - 0.3)
        b.set_xlabel(f"{COMPOUND_AXIS}, {ci_label(confidence)}")
        b.set_title(f"(b) {len(d)} article{'s' if len(d) > 1 else ''}", loc="left")
    else:
        b.hist(
            d["mean_compound"],
            bins=np.linspace(-1, 1, 41),
            color=ARTICLE_COLOUR,
            edgecolor="white",
            lw=0.3,
        )
        _neutral_band(b, thresholds, horizontal=False)
        b.set_xlabel("Article mean VADER compound (−1 to +1)")
        b.set_ylabel("Articles (count)")
        b.yaxis.set_major_locator(MaxNLocator(integer=True))
        b.set_title(f"(b) {len(d):,} articles", loc="left")
    fig.suptitle("Sentiment distribution", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.32 / fig.get_figheight(), 1, 1))
    fig.legend(
        handles=_label_patches(thresholds),
        title="sentence label (a)",
        ncols=4,
        loc="lower left",
        bbox_to_anchor=(0.01, 0),
        frameon=False,
        fontsize=6.5,
        title_fontsize=6.5,
        alignment="left",
    )
    return fig


# --------------------------------------------------------------------------- groups, time


def _dot_ci(ax, g: pd.DataFrame, labels, colour):
    y = np.arange(len(g))
    lo = (g["mean_compound"] - g["mean_compound_ci_low"]).fillna(0).clip(lower=0)
    hi = (g["mean_compound_ci_high"] - g["mean_compound"]).fillna(0).clip(lower=0)
    ax.errorbar(g["mean_compound"], y, xerr=[lo, hi], fmt="o", color=colour, ms=4, capsize=2, lw=1)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(g) - 0.3)


def plot_time(groups: pd.DataFrame, period: str, thresholds, confidence: float = 0.95):
    """Mean article compound per period with CI band, and articles per period."""
    g = groups[groups.group_by == period] if len(groups) else groups
    title = f"Sentiment over time (by {period})"
    if len(g) == 0:
        return empty_figure(
            "No date metadata: no article has a publication date,\nso sentiment over time "
            "cannot be shown.",
            title,
        )
    if len(g) < 2:
        return empty_figure(
            f"All dated articles fall in one {period} ({g['group'].iloc[0]},\n"
            f"{int(g['n_articles'].iloc[0])} article(s)): nothing to compare over time.",
            title,
        )
    g = g.sort_values("group")
    x = np.arange(len(g))
    fig, (a, b) = plt.subplots(
        2, 1, figsize=(FULL_WIDTH, 3.4), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    _neutral_band(a, thresholds)
    a.fill_between(
        x,
        g["mean_compound_ci_low"],
        g["mean_compound_ci_high"],
        color=OKABE_ITO[0],
        alpha=0.25,
        lw=0,
        label=ci_label(confidence),
    )
    a.plot(x, g["mean_compound"], color=OKABE_ITO[0], marker="o", ms=3, label="mean")
    a.set_ylabel("Mean article\nVADER compound")
    a.set_title(title, loc="left")
    a.legend(frameon=False)
    b.bar(x, g["n_articles"], color="0.6")
    b.set_ylabel("Articles")
    step = max(1, len(g) // 12)
    b.set_xticks(x[::step], g["group"].iloc[::step], rotation=45, ha="right")
    b.set_xlabel("ISO week" if period == "week" else "Month")
    fig.tight_layout()
    return fig


def plot_groups(
    groups: pd.DataFrame, group_by: list[str], thresholds, top: int = 20, confidence: float = 0.95
):
    """One panel per metadata column: mean article compound per value, with CIs."""
    cols = [c for c in group_by if len(groups) and (groups.group_by == c).any()]
    title = "Sentiment by " + (", ".join(group_by) if group_by else "outlet / metadata")
    if not cols:
        why = (
            "No metadata columns to compare: set corpus.metadata\n(e.g. [outlet]) for a "
            "table corpus."
            if not group_by
            else f"No article has a value in {', '.join(group_by)}."
        )
        return empty_figure(why, title)
    cols = cols[:3]
    sizes = [min(top, int((groups.group_by == c).sum())) for c in cols]
    fig, axes = plt.subplots(
        len(cols),
        1,
        figsize=(COLUMN_WIDTH * 1.6, 0.6 + 0.22 * sum(sizes) + 0.6 * len(cols)),
        squeeze=False,
        gridspec_kw={"height_ratios": [s + 1 for s in sizes]},
    )
    for ax, c in zip(axes[:, 0], cols, strict=True):
        g = groups[groups.group_by == c].nlargest(top, "n_articles").sort_values("mean_compound")
        _neutral_band(ax, thresholds, horizontal=False)
        _dot_ci(
            ax,
            g,
            [f"{_short(v, 28)} (n={n})" for v, n in zip(g["group"], g["n_articles"], strict=True)],
            OKABE_ITO[0],
        )
        ax.set_title(f"by {c}", loc="left")
        ax.set_xlabel(f"{COMPOUND_AXIS}, {ci_label(confidence)}")
    fig.suptitle(title, x=0.01, ha="left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- actors


def top_actors(summary: pd.DataFrame, max_actors: int | None) -> list[str]:
    """The actors of ``summary`` in table order, or, when there are more than
    ``max_actors``, the ``max_actors`` with the most mentions (ties in table order), most
    mentioned first."""
    actors = list(dict.fromkeys(summary["actor"]))
    if max_actors is None or len(actors) <= max_actors:
        return actors
    n = summary[summary.scope == "all"].set_index("actor")["n_mentions"].reindex(actors)
    order = np.argsort(-n.fillna(0).to_numpy(), kind="stable")[:max_actors]
    return [actors[i] for i in order]


def plot_actors(
    summary: pd.DataFrame,
    thresholds=None,
    confidence: float = 0.95,
    max_actors: int | None = None,
):
    """Mean compound (interval at ``confidence``) of the sentences naming each actor: all of
    them (filled) and those naming no other actor (open); actors never mentioned say so. The
    grey band is the neutral range of ``sentiment.thresholds``. With more than ``max_actors``
    actors, the ``max_actors`` most mentioned ones."""
    thresholds = thresholds or {"negative": -0.05, "positive": 0.05}
    n_total = summary["actor"].nunique()
    actors = top_actors(summary, max_actors)
    title = "Sentiment of sentences mentioning each actor"
    if not actors:
        return empty_figure(
            "No actors configured (config keys actors, corpus.columns.target, actor_targets.file).",
            title,
        )
    if len(actors) < n_total:
        title += f"\n({len(actors)} of {n_total} actors, most mentioned; all in the table)"
        summary = summary[summary["actor"].isin(actors)]
    fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.75, 0.9 + 0.42 * len(actors)))
    _neutral_band(ax, thresholds, horizontal=False)
    y0 = np.arange(len(actors))[::-1]
    styles = {
        "all": (-0.14, "o", OKABE_ITO[0], "all sentences naming the actor"),
        "alone": (0.14, "o", OKABE_ITO[1], "sentences naming only this actor"),
    }
    for scope, (dy, marker, colour, label) in styles.items():
        s = summary[summary.scope == scope].set_index("actor").reindex(actors)
        ok = s["n_sentences"].fillna(0).to_numpy() > 0
        m = s["mean_compound"].to_numpy(float)
        # clipped at 0: an interval of identical resamples may sit a rounding error off
        lo = np.clip(np.nan_to_num(m - s["mean_compound_ci_low"].to_numpy(float)), 0, None)
        hi = np.clip(np.nan_to_num(s["mean_compound_ci_high"].to_numpy(float) - m), 0, None)
        ax.errorbar(
            m[ok],
            y0[ok] + dy,
            xerr=[lo[ok], hi[ok]],
            fmt=marker,
            color=colour,
            mfc=colour if scope == "all" else "white",
            ms=5,
            capsize=2,
            lw=1,
            label=label,
        )
    all_ = summary[summary.scope == "all"].set_index("actor").reindex(actors)
    alone = summary[summary.scope == "alone"].set_index("actor").reindex(actors)
    labels = []
    for a in actors:
        n_all = int(all_.loc[a, "n_sentences"])
        n_alone = int(alone.loc[a, "n_sentences"])
        name = _short(a, 40)
        labels.append(f"{name}\n(n={n_all}; alone {n_alone})" if n_all else f"{name}\n(n=0)")
    ax.set_yticks(y0, labels)
    ax.set_ylim(-0.7, len(actors) - 0.3)
    vals = summary[["mean_compound_ci_low", "mean_compound_ci_high", "mean_compound"]]
    vals = vals.to_numpy(float)
    vals = vals[np.isfinite(vals)]
    lim = max(0.3, float(np.abs(vals).max()) * 1.1) if len(vals) else 1
    lim = min(lim, 1.05)
    ax.set_xlim(-lim, lim)
    for a, y in zip(actors, y0, strict=True):
        if int(all_.loc[a, "n_sentences"]) == 0:
            ax.text(
                0, y, "not mentioned", ha="center", va="center", color="0.35", fontstyle="italic"
            )
    ax.set_xlabel(f"{COMPOUND_AXIS}, {ci_label(confidence)}")
    ax.set_title(title, loc="left")
    fig.tight_layout(rect=(0, 0.3 / fig.get_figheight(), 1, 1))
    handles, labels_ = ax.get_legend_handles_labels()
    fig.legend(
        handles, labels_, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 0), ncols=2
    )
    return fig


# --------------------------------------------------------------------------- validation


def confusion_heatmap(ax, confusion: pd.DataFrame, title: str, xlabel: str, ylabel: str):
    """Counts in each cell, colour = share of the row (true class)."""
    labels = list(dict.fromkeys(confusion["true"]))
    m = (
        confusion.pivot(index="true", columns="predicted", values="n")
        .reindex(index=labels, columns=labels)
        .fillna(0)
        .to_numpy()
    )
    share = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    ax.imshow(share, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(
                j,
                i,
                f"{int(m[i, j])}",
                ha="center",
                va="center",
                color="white" if share[i, j] < 0.6 else "black",
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.spines[:].set_visible(False)


def plot_validation(
    scores: pd.DataFrame, correlations: pd.DataFrame, confusion: pd.DataFrame, classifier: str
):
    """(a) human rating vs classifier score with Pearson/Spearman r; (b) confusion matrix."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 3.1))
    score_name = "VADER compound" if classifier == "vader" else "supervised score (P+ − P−)"
    if "rating" in scores and len(scores):
        rng = np.random.default_rng(0)
        r = scores["rating"].to_numpy(float)
        spread = np.ptp(r) if np.ptp(r) > 0 else 1
        jitter = rng.uniform(-0.015, 0.015, len(r)) * spread
        a.scatter(
            r + jitter, scores["score"], s=6, alpha=0.35, color=OKABE_ITO[0], edgecolors="none"
        )
        if len(scores) >= 3 and np.std(r) > 0:
            k, c = np.polyfit(r, scores["score"], 1)
            xs = np.linspace(r.min(), r.max(), 50)
            a.plot(xs, k * xs + c, color="black", lw=1.2)
        txt = "\n".join(
            f"{row.measure.capitalize()} r = {row.r:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]"
            for row in correlations.itertuples()
        )
        a.text(0.02, 0.98, f"{txt}\nn = {len(scores)}", transform=a.transAxes, va="top", fontsize=7)
        a.set_xlabel("Human rating")
        a.set_ylabel(score_name)
        a.set_title("(a) rating vs score", loc="left")
    else:
        a.set_axis_off()
        a.text(
            0.5,
            0.5,
            "No rating column given\n(sentiment.validation.rating_column)",
            ha="center",
            va="center",
            transform=a.transAxes,
        )
    if len(confusion):
        confusion_heatmap(b, confusion, "(b) labels", "Predicted label", "Human label")
    else:
        b.set_axis_off()
        b.text(
            0.5,
            0.5,
            "No human labels\n(label_column or rating_thresholds)",
            ha="center",
            va="center",
            transform=b.transAxes,
        )
    fig.suptitle(
        "Validation against human coding: "
        + ("VADER" if classifier == "vader" else "supervised classifier"),
        x=0.01,
        ha="left",
    )
    fig.tight_layout()
    return fig


def plot_supervised(cv_confusion: pd.DataFrame, corpus_cross: pd.DataFrame, folds: int):
    """(a) cross-validated confusion matrix; (b) supervised vs VADER labels on the corpus."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 3.0))
    confusion_heatmap(
        a, cv_confusion, f"(a) {folds}-fold cross-validation", "Predicted label", "Coder's label"
    )
    if corpus_cross["n"].sum() > 0:
        confusion_heatmap(
            b, corpus_cross, "(b) corpus sentences", "Supervised label", "VADER label"
        )
    else:
        b.set_axis_off()
        b.text(0.5, 0.5, "No corpus sentences", ha="center", transform=b.transAxes)
    fig.suptitle("Supervised classifier (TF-IDF + linear model)", x=0.01, ha="left")
    fig.tight_layout()
    return fig
