"""Framing figures: corpus distribution, frames through the article, actors x frames,
validation scores. Each function returns a matplotlib figure (an explanatory empty figure when
there is nothing to plot)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from newslens.figures import (
    COLUMN_WIDTH,
    FULL_WIDTH,
    NEUTRAL,
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    empty_figure,
)

NONE_COLOR = "#DDDDDD"
REST_COLOR = NEUTRAL


def _short_name(s: str, width: int = 40) -> str:
    return textwrap.shorten(" ".join(str(s).split()), width=width, placeholder="…") or str(s)


def _wrap(s: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(s), width)) or str(s)


def distribution_figure(dist: pd.DataFrame, title: str):
    """Horizontal bars: mean share of each frame across articles; dots: % of articles whose
    primary frame it is. dist: frame_distribution() output."""
    if dist.empty or dist["n_documents"].max() == 0:
        return empty_figure("No articles to classify.", title)
    d = dist.sort_values("mean_share", ascending=True)
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.5, 0.28 * len(d) + 1.0))
    y = np.arange(len(d))
    colors = [NONE_COLOR if f == "none" else OKABE_ITO[0] for f in d["frame"]]
    ax.barh(
        y,
        d["mean_share"] * 100,
        color=colors,
        edgecolor="#555555",
        linewidth=0.4,
        label="mean share of article text",
    )
    prim = d["primary_share"].to_numpy() > 0
    ax.scatter(
        d["primary_share"].to_numpy()[prim] * 100,
        y[prim],
        color=OKABE_ITO[3],
        zorder=3,
        s=14,
        marker="D",
        label="articles with it as primary frame",
    )
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(n, 34) for n in d["name"]])
    ax.set_xlabel("% (of article text / of articles)")
    n = int(d["n_documents"].max())
    ax.set_title(f"{title}\n({n} article{'s' if n != 1 else ''})")
    ax.set_xlim(0, max(5.0, float(max(d["mean_share"].max(), d["primary_share"].max())) * 110))
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def _palette(frames: list[str]) -> dict[str, str]:
    cols = [c for c in OKABE_ITO if c != "#000000"] + ["#000000"]
    return {f: cols[i % len(cols)] for i, f in enumerate(frames)}


def position_figure(
    positions: pd.DataFrame, names: dict[str, str], title: str, max_frames: int = 7
):
    """Stacked bars: mean frame shares by paragraph position (0 = first paragraph / lede);
    the max_frames most common frames get colours, the rest are pooled.
    positions: position, n_paragraphs, n_documents, pooled, share_<frame>..., share_none
    (the frames_positions table)."""
    if positions.empty:
        return empty_figure("No paragraphs to classify.", title, FULL_WIDTH)
    t = positions.sort_values("position")
    scols = [c for c in t.columns if c.startswith("share_") and c != "share_none"]
    weights = t["n_paragraphs"].to_numpy(dtype=float)
    means = pd.Series({c: float(np.average(t[c], weights=weights)) for c in scols})
    means = means.sort_values(ascending=False, kind="stable")
    keep = [c for c in means.index if means[c] > 0][:max_frames]
    rest = [c for c in scols if c not in keep]
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, 3.2))
    x = t["position"].to_numpy()
    bottom = np.zeros(len(x))
    pal = _palette([c[6:] for c in keep])
    for c in keep:
        ax.bar(
            x,
            t[c] * 100,
            bottom=bottom,
            color=pal[c[6:]],
            edgecolor="white",
            linewidth=0.3,
            label=_wrap(names.get(c[6:], c[6:]), 30),
        )
        bottom += t[c].to_numpy() * 100
    rest_share = t[rest].sum(axis=1).to_numpy() if rest else np.zeros(len(x))
    if rest_share.sum() > 0:
        ax.bar(
            x,
            rest_share * 100,
            bottom=bottom,
            color=REST_COLOR,
            edgecolor="white",
            linewidth=0.3,
            label="all other frames",
        )
        bottom += rest_share * 100
    ax.bar(
        x,
        t["share_none"] * 100,
        bottom=bottom,
        color=NONE_COLOR,
        edgecolor="white",
        linewidth=0.3,
        label="no frame",
    )
    labels = [
        f"{int(p) + 1}+" if pooled else str(int(p) + 1)
        for p, pooled in zip(x, t["pooled"], strict=True)
    ]
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    ax.set_xlabel("paragraph position in the article (1 = first)")
    ax.set_ylabel("% of paragraph text")
    ax.set_ylim(0, 100)
    n_docs = int(t["n_documents"].max())
    lo, hi = int(t["n_paragraphs"].min()), int(t["n_paragraphs"].max())
    per_pos = str(lo) if lo == hi else f"{lo}-{hi}"
    ax.set_title(
        f"{title} ({n_docs} article{'s' if n_docs != 1 else ''}; "
        f"paragraphs per position: {per_pos})"
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def actor_heatmap(
    table: pd.DataFrame,
    names: dict[str, str],
    title: str,
    min_cell_n: int = 0,
    max_actors: int | None = None,
):
    """Actors (rows) x frames (columns): % of the sentences naming the actor that carry the
    frame, annotated with the sentence count. A cell whose percentage rests on fewer than
    ``min_cell_n`` sentences (the actor's sentences, its denominator) is not coloured but
    greyed and hatched (config key figures.min_cell_n): a once-named actor must not look
    strongest. With more than ``max_actors`` actors, the ``max_actors`` named in the most
    sentences (the table keeps all)."""
    if table.empty:
        return empty_figure(
            "No actors configured (config keys actors, corpus.columns.target, actor_targets.file).",
            title,
            FULL_WIDTH,
        )
    if table["n_actor_sentences"].max() == 0:
        return empty_figure("No actor is named in any classified sentence.", title, FULL_WIDTH)
    table, title = _most_named_actors(table, title, max_actors)
    piv = table.pivot(index="actor", columns="frame", values="share")
    cnt = table.pivot(index="actor", columns="frame", values="n_sentences")
    nact = table.groupby("actor")["n_actor_sentences"].first()
    frames = [f for f in table["frame"].drop_duplicates() if f in piv.columns]
    used = [f for f in frames if cnt[f].sum() > 0] or frames
    piv, cnt = piv[used], cnt[used]
    order = nact.sort_values(ascending=False).index
    piv, cnt = piv.loc[order], cnt.loc[order]
    fig, ax = plt.subplots(
        figsize=(max(COLUMN_WIDTH, 0.55 * len(used) + 2.0), 0.38 * len(piv) + 1.6)
    )
    vals = piv.to_numpy() * 100
    n_row = nact.loc[piv.index].to_numpy()
    absent = n_row == 0
    few = (n_row > 0) & (n_row < min_cell_n)
    vals[absent | few] = np.nan  # never named: grey, not "0 %"; few sentences: not coloured
    cmap = plt.get_cmap(SEQUENTIAL_CMAP).with_extremes(bad="#EEEEEE")
    im = ax.imshow(vals, cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i in np.flatnonzero(few):
        ax.add_patch(
            plt.Rectangle(
                (-0.5, i - 0.5),
                len(used),
                1,
                facecolor="none",
                edgecolor="#AAAAAA",
                hatch="///",
                lw=0,
            )
        )
    ax.set_xticks(range(len(used)))
    ax.set_xticklabels(
        [_wrap(names.get(f, f), 18) for f in used], rotation=60, ha="right", rotation_mode="anchor"
    )
    ax.set_yticks(range(len(piv)))
    ax.set_yticklabels([f"{_short_name(a)} (n={int(nact[a])})" for a in piv.index])
    ax.set_xlabel("Frame (codebook)")
    ax.set_ylabel("Actor (n = sentences naming it)")
    _annotate_counts(ax, vals, cnt, absent, few)
    cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label("% of the actor's sentences with the frame")
    notes = ["cell text: number of sentences", "n = sentences naming the actor"]
    if absent.any():
        notes.append("grey: actor never named")
    if few.any():
        notes.append(f"hatched: n < {min_cell_n}, too few to colour")
    extra = f"\n({'; '.join(notes[2:])})" if notes[2:] else ""
    ax.set_title(f"{title}\n({'; '.join(notes[:2])}){extra}")
    ax.spines[:].set_visible(False)
    return fig


def _most_named_actors(table: pd.DataFrame, title: str, max_actors: int | None):
    """The rows of the ``max_actors`` actors named in the most sentences (all when there are
    no more), and the title saying so when actors are left out."""
    n_total = table["actor"].nunique()
    if max_actors is not None and n_total > max_actors:
        per_actor = table.groupby("actor", sort=False)["n_actor_sentences"].first()
        order = np.argsort(-per_actor.to_numpy(), kind="stable")[:max_actors]
        table = table[table["actor"].isin(per_actor.index[order])]
        title = f"{title}\n({max_actors} of {n_total} actors, most named; all in the table)"
    return table, title


def _annotate_counts(ax, vals: np.ndarray, cnt: pd.DataFrame, absent, few) -> None:
    """Each cell's sentence count ("-" for an actor never named), on a grey box where the
    cell is not coloured (too few sentences)."""
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            if absent[i]:
                ax.text(j, i, "-", ha="center", va="center", fontsize=6, color="#777777")
                continue
            ax.text(
                j,
                i,
                f"{int(cnt.iat[i, j])}",
                ha="center",
                va="center",
                fontsize=6,
                color="black" if few[i] or vals[i, j] >= 55 else "white",
                bbox={"facecolor": "#EEEEEE", "lw": 0, "pad": 0.6} if few[i] else None,
            )


MARKERS = ["o", "s", "D", "^", "v", "P", "X", "<", ">"]


def validation_figure(
    per_frame: pd.DataFrame, summary: pd.DataFrame, names: dict[str, str], title: str
):
    """Per-frame F1 of each method (a dot per method on each frame's row; baselines in grey),
    summary scores in the legend. per_frame: method, frame, support, f1; summary: method,
    micro_f1, macro_f1, alpha_pooled."""
    if per_frame.empty:
        return empty_figure("No items to score.", title, FULL_WIDTH)
    support = per_frame.drop_duplicates("frame").set_index("frame")["support"]
    unscored = support.index[support.fillna(0) <= 0].tolist()  # no gold item: F1 undefined
    per_frame = per_frame[~per_frame["frame"].isin(unscored)]
    if per_frame.empty:
        return empty_figure("No frame has a gold item to score.", title, FULL_WIDTH)
    if unscored:
        shown = ", ".join(names.get(f, f) for f in unscored[:4])
        more = f" and {len(unscored) - 4} more" if len(unscored) > 4 else ""
        title = f"{title}\n(not shown, no gold item: {_wrap(shown + more, 70)})"
    frames = (
        per_frame.drop_duplicates("frame").sort_values("support", ascending=True)["frame"].tolist()
    )
    methods = summary["method"].tolist()
    fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.8, 0.3 * len(frames) + 1.6))
    y = np.arange(len(frames))
    colors = [c for c in OKABE_ITO if c != "#000000"]
    ci = 0
    for i, m in enumerate(methods):
        sub = per_frame[per_frame["method"] == m].set_index("frame").reindex(frames)
        s = summary[summary["method"] == m].iloc[0]
        alpha = s.get("alpha_pooled", np.nan)
        lab = f"{m}: micro-F1 {s['micro_f1']:.2f}, macro-F1 {s['macro_f1']:.2f}"
        if pd.notna(s.get("micro_f1_lo", np.nan)):  # bootstrap intervals
            lab = (
                f"{m}: micro-F1 {s['micro_f1']:.2f} [{s['micro_f1_lo']:.2f}, "
                f"{s['micro_f1_hi']:.2f}], macro-F1 {s['macro_f1']:.2f} "
                f"[{s['macro_f1_lo']:.2f}, {s['macro_f1_hi']:.2f}]"
            )
        if pd.notna(alpha):
            lab += f", alpha {alpha:.2f}"
        if m.startswith("baseline"):
            color = "#777777" if "top" not in m else "#BBBBBB"
        else:
            color = colors[ci % len(colors)]
            ci += 1
        offset = (i - (len(methods) - 1) / 2) * min(0.12, 0.7 / max(1, len(methods)))
        if "f1_lo" in sub.columns and sub["f1_lo"].notna().any():  # 95 % interval per frame
            ax.hlines(y - offset, sub["f1_lo"], sub["f1_hi"], color=color, linewidth=0.8, zorder=2)
        ax.scatter(
            sub["f1"],  # an undefined F1 (NaN) is not drawn, never drawn as 0
            y - offset,
            color=color,
            marker=MARKERS[i % len(MARKERS)],
            s=22,
            zorder=3,
            label=lab,
            edgecolor="white",
            linewidth=0.3,
        )
    sup = per_frame.drop_duplicates("frame").set_index("frame")["support"]
    ax.set_yticks(y)
    ax.set_yticklabels([f"{_wrap(names.get(f, f), 30)} (n={int(sup[f])})" for f in frames])
    for yy in y:
        ax.axhline(yy, color="#F2F2F2", linewidth=0.6, zorder=0)
    ax.set_xlabel("F1 score (0-1)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.6, len(frames) - 0.4)
    ax.set_title(title)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.5 / (0.3 * len(frames) + 1.6) - 0.08),
        frameon=False,
        ncol=1,
    )
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig
