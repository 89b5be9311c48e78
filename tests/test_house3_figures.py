"""A researcher's read of the seed report: sentiment captions name the configured interval
(sentiment.bootstrap.confidence), the sentiment histogram counts whole sentences and explains its
colours with the configured thresholds, topic panels name what their percentage is of, and the
actor x frame heatmap labels its axes."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import jinja2
import numpy as np
import pandas as pd
import pytest
import yaml
from newslens.figures import apply_style
from newslens.frames_figures import actor_heatmap
from newslens.sentiment_figures import plot_distribution
from newslens.topics_plots import metadata_figure, top_words_figure

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
SENTIMENT_CAPTIONS = [
    "sentiment_actors",
    "sentiment_arc",
    "sentiment_distribution",
    "sentiment_groups",
    "sentiment_time",
    "sentiment_validation",
]


def caption(name: str, confidence: float) -> str:
    """The caption as ``snakemake --report`` renders it (Jinja over ``snakemake.config``)."""
    config = copy.deepcopy(CONFIG)
    config["sentiment"]["bootstrap"]["confidence"] = confidence
    text = (REPO / "workflow" / "report" / f"{name}.rst").read_text(encoding="utf-8")
    return jinja2.Template(text).render(snakemake=SimpleNamespace(config=config))


@pytest.mark.parametrize("name", SENTIMENT_CAPTIONS)
def test_sentiment_captions_name_the_configured_interval(name):
    assert "95%" in caption(name, 0.95) and "90%" not in caption(name, 0.95)
    text = caption(name, 0.9)
    assert "90%" in text and "95" not in text
    assert "99.5%" in caption(name, 0.995)


def test_sentiment_histogram_counts_whole_sentences_and_names_its_colours():
    apply_style()
    edges = np.linspace(-1, 1, 81)
    hist = np.zeros(80, dtype=int)
    hist[[10, 40, 41, 70]] = [3, 2, 1, 1]  # 7 sentences: at most 3 in a bin
    docs = pd.DataFrame(
        {
            "doc_id": ["a"],
            "title": ["One article"],
            "mean_compound": [0.1],
            "mean_compound_ci_low": [-0.1],
            "mean_compound_ci_high": [0.3],
        }
    )
    fig = plot_distribution(hist, edges, docs, {"negative": -0.2, "positive": 0.1}, 0.9)
    a, b = fig.axes
    ticks = [t for t in a.get_yticks() if 0 <= t <= 3]
    assert ticks == [0, 1, 2, 3]  # no half sentences on the count axis
    assert a.get_ylabel() == "Sentences (count)" and a.get_title(loc="left") == "(a) 7 sentences"
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [
        "negative (≤ −0.2)",
        "neutral",
        "positive (≥ +0.1)",
    ]
    assert b.get_xlabel().endswith("90% CI")


def test_topic_panels_say_what_their_percentage_is_of():
    terms = pd.DataFrame(
        {
            "topic": [1, 1, 2, 2],
            "rank": [1, 2, 1, 2],
            "term": ["border", "troops", "prices", "bank"],
            "weight": [0.5, 0.3, 0.6, 0.2],
        }
    )
    summary = pd.DataFrame({"topic": [1, 2], "prevalence": [0.625, 0.375]})
    fig = top_words_figure(terms, summary, "paragraph")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Topic 1 (62% of topic weight)", "Topic 2 (38% of topic weight)"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["border", "troops"]


def test_actor_heatmap_labels_its_axes():
    rows = [
        {"actor": "Kremlin", "frame": f, "share": s, "n_sentences": n, "n_actor_sentences": 20}
        for f, s, n in (("conflict", 0.5, 10), ("economic", 0.25, 5))
    ]
    ax = actor_heatmap(pd.DataFrame(rows), {"conflict": "Conflict"}, "Frames", 10).axes[0]
    assert ax.get_xlabel() == "Frame (codebook)"
    assert ax.get_ylabel() == "Actor (n = sentences naming it)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Conflict", "economic"]
    assert ax.images[0].get_array()[0].tolist() == pytest.approx([50.0, 25.0])


def test_topics_by_metadata_stack_panels_on_one_scale_with_cell_values():
    summary = pd.DataFrame({"topic": [1, 2], "label": ["border, troops", "prices, bank"]})
    rows = [
        ("outlet", "Harbour Gazette", 1, 0.7, 166),
        ("outlet", "Harbour Gazette", 2, 0.3, 166),
        ("outlet", "Northern Ledger", 1, 0.4, 167),
        ("outlet", "Northern Ledger", 2, 0.6, 167),
        ("month", "2024-03", 1, 0.5, 239),
        ("month", "2024-03", 2, 0.5, 239),
        ("month", "2024-04", 1, 0.55, 261),
        ("month", "2024-04", 2, 0.45, 261),
    ]
    by_meta = pd.DataFrame(rows, columns=["variable", "value", "topic", "prevalence", "n_units"])
    fig = metadata_figure(by_meta, summary, "article")
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "by outlet (166-167 articles per group)",
        "by month (239-261 articles per group)",
    ]
    assert [ax.images[0].get_clim() for ax in panels] == [pytest.approx((0.0, 70.0))] * 2
    # the largest group first: columns Northern Ledger, Harbour Gazette; rows topics 1, 2
    assert [t.get_text() for t in panels[0].get_xticklabels()] == [
        "Northern Ledger",
        "Harbour Gazette",
    ]
    assert [t.get_text() for t in panels[0].texts] == ["40", "70", "60", "30"]
    assert [t.get_text() for t in panels[1].get_yticklabels()] == [
        "T1 border, troops",
        "T2 prices, bank",
    ]
    assert len(fig.axes) == 3  # two panels and one colour bar
    assert "group's article topic weight" in fig.axes[2].get_ylabel()
