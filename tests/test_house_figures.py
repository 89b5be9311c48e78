"""Figures and summary honest to config: interval names from sentiment.bootstrap.confidence,
neutral bands from sentiment.thresholds, low-n heatmap cells marked (figures.min_cell_n)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from newslens.figures import apply_style
from newslens.frames_figures import actor_heatmap
from newslens.sentiment_figures import (
    ci_label,
    normal_z,
    plot_actors,
    plot_arc_pooled,
    plot_distribution,
    plot_groups,
    plot_time,
)
from newslens.summary import sentiment_section


def texts(fig) -> str:
    out = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
    return " ".join(out)


def actors_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "actor": ["Armenia", "Armenia"],
            "scope": ["all", "alone"],
            "n_sentences": [12, 4],
            "n_articles": [3, 2],
            "mean_compound": [0.2, -0.1],
            "mean_compound_ci_low": [0.05, -0.3],
            "mean_compound_ci_high": [0.35, 0.1],
        }
    )


def groups_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_by": ["month", "month", "outlet", "outlet"],
            "group": ["2024-01", "2024-02", "Daily", "Herald"],
            "n_articles": [5, 7, 6, 6],
            "n_sentences": [50, 70, 60, 60],
            "mean_compound": [0.1, -0.2, 0.0, 0.3],
            "mean_compound_ci_low": [0.0, -0.3, -0.1, 0.2],
            "mean_compound_ci_high": [0.2, -0.1, 0.1, 0.4],
        }
    )


def test_ci_label_and_z_follow_confidence():
    assert ci_label(0.95) == "95% CI"
    assert ci_label(0.9) == "90% CI"
    assert ci_label(0.995) == "99.5% CI"
    assert abs(normal_z(0.95) - 1.959964) < 1e-5
    assert abs(normal_z(0.9) - 1.644854) < 1e-5


def test_sentiment_figures_name_the_configured_interval():
    apply_style()
    g = groups_table()
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "title": ["A", "B"],
            "mean_compound": [0.1, -0.1],
            "mean_compound_ci_low": [0.0, -0.2],
            "mean_compound_ci_high": [0.2, 0.0],
        }
    )
    hist = np.ones(40)
    figs = [
        plot_time(g, "month", {"negative": -0.05, "positive": 0.05}, 0.9),
        plot_groups(g, ["outlet"], {"negative": -0.05, "positive": 0.05}, confidence=0.9),
        plot_distribution(
            hist, np.linspace(-1, 1, 41), docs, {"negative": -0.05, "positive": 0.05}, 0.9
        ),
        plot_actors(actors_summary(), None, 0.9),
        plot_arc_pooled(
            np.full(4, 10.0),
            np.ones(4),
            np.full(4, 2.0),
            3,
            {"negative": -0.05, "positive": 0.05},
            0.9,
        ),
    ]
    for fig in figs:
        t = texts(fig)
        assert "90% CI" in t and "95%" not in t


def test_pooled_arc_band_width_uses_z_of_confidence():
    apply_style()
    count, total, total_sq = np.full(2, 5.0), np.zeros(2), np.full(2, 4.0)  # mean 0, var 1
    th = {"negative": -0.05, "positive": 0.05}
    widths = {}
    for conf in (0.8, 0.99):
        fig = plot_arc_pooled(count, total, total_sq, 1, th, conf)
        band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
        widths[conf] = band.max() - band.min()
    se = 1 / np.sqrt(5)
    assert abs(widths[0.8] - 2 * normal_z(0.8) * se) < 1e-6
    assert abs(widths[0.99] - 2 * normal_z(0.99) * se) < 1e-6


def test_actor_figure_neutral_band_follows_thresholds():
    apply_style()
    fig = plot_actors(actors_summary(), {"negative": -0.2, "positive": 0.1})
    spans = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) or hasattr(p, "get_xy")]
    xs = []
    for p in spans:
        v = np.asarray(p.get_xy() if not isinstance(p, Rectangle) else p.get_bbox().get_points())
        xs.append((round(float(v[:, 0].min()), 6), round(float(v[:, 0].max()), 6)))
    assert (-0.2, 0.1) in xs, xs


def test_summary_names_the_configured_interval():
    groups = pd.DataFrame(
        {
            "group_by": ["corpus"],
            "group": ["all"],
            "n_articles": [10],
            "n_sentences": [100],
            "mean_compound": [0.1],
            "mean_compound_ci_low": [0.0],
            "mean_compound_ci_high": [0.2],
            "share_negative": [0.2],
            "share_positive": [0.3],
        }
    )
    docs = pd.DataFrame({"doc_id": ["a", "b"]})
    text = "\n".join(sentiment_section(groups, docs, actors_summary(), confidence=0.8))
    assert "80% CI +0.00 to +0.20" in text
    assert "80% CI +0.05 to +0.35" in text  # the actor line
    assert "95%" not in text


def heat_table(n_by_actor: dict[str, int]) -> pd.DataFrame:
    rows = []
    for actor, n in n_by_actor.items():
        for frame, share in [("conflict", 0.5), ("economic", 1.0 if n == 1 else 0.1)]:
            rows.append(
                {
                    "actor": actor,
                    "frame": frame,
                    "share": share if n else 0.0,
                    "n_sentences": int(round(share * n)),
                    "n_actor_sentences": n,
                }
            )
    return pd.DataFrame(rows)


def test_heatmap_greys_and_hatches_low_n_cells():
    apply_style()
    fig = actor_heatmap(heat_table({"Kremlin": 40, "NATO": 1, "UN": 0}), {}, "Frames", 10)
    ax = fig.axes[0]
    image = ax.images[0].get_array()
    order = [t.get_text().split(" (")[0] for t in ax.get_yticklabels()]
    assert order == ["Kremlin", "NATO", "UN"]
    assert not np.ma.getmaskarray(image)[0].any()  # Kremlin coloured
    assert np.ma.getmaskarray(image)[1].all()  # NATO (n=1, shown as 100 %) not coloured
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1 and abs(hatched[0].get_y() - 0.5) < 1e-9
    assert "hatched: n < 10" in ax.get_title()
    # with the mark switched off, the cell is coloured again and no note is written
    fig = actor_heatmap(heat_table({"Kremlin": 40, "NATO": 1}), {}, "Frames", 0)
    ax = fig.axes[0]
    assert not np.ma.getmaskarray(ax.images[0].get_array()).any()
    assert not [p for p in ax.patches if p.get_hatch()] and "hatched" not in ax.get_title()


def test_summary_html_keeps_structure_and_escapes():
    from newslens.summary import summary_html

    md = (
        "# newslens summary\n\nCorpus: `a<b`. Every *number* is **read**.\n\n## Corpus\n\n"
        "- **3 articles** & more\n- Actors:\n  - Armenia: +0.05\n  - NATO: x\n- last\n"
    )
    got = summary_html(md)
    assert got.count("<ul>") == 2 and got.count("</ul>") == 2
    assert got.count("<li>") == 5 and got.count("</li>") == 5
    assert "<h2>newslens summary</h2>" in got and "<h3>Corpus</h3>" in got
    assert '<span style="font-family:monospace">a&lt;b</span>' in got
    assert "<em>number</em>" in got and "<strong>3 articles</strong> &amp; more" in got
