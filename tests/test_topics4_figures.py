"""topic_outputs saves each figure with its layout done and its tight box measured once
(``topics_plots.save_laid_out``): the PNG is byte for byte the one ``savefig``'s own tight box
gives, for figures laid out by ``tight_layout`` and by constrained layout and for the empty
figure; the SVG has the same drawing, cropped by the PNG's box (within a point)."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest
from newslens import topics_plots as plots
from newslens.figures import apply_style, empty_figure, save_figure

SUMMARY = pd.DataFrame(
    {
        "topic": [1, 2, 3],
        "label": ["border, troops", "prices, bank", "vote, council"],
        "prevalence": [0.5, 0.3, 0.2],
        "coherence": [0.1, 0.05, -0.02],
    }
)


def terms_table():
    words = ["border", "troops", "prices", "bank", "vote", "council", "army", "rate", "poll"]
    rows = [
        (t, r, words[(3 * (t - 1) + r - 1) % len(words)], 1.0 / r)
        for t in (1, 2, 3)
        for r in (1, 2, 3)
    ]
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


def by_metadata():
    rows = []
    for v, n in (("Harbour Gazette", 166), ("Northern Ledger", 167)):
        for t, share in zip((1, 2, 3), (0.5, 0.3, 0.2), strict=True):
            rows.append(("outlet", v, t, share, n))
    return pd.DataFrame(rows, columns=["variable", "value", "topic", "prevalence", "n_units"])


FIGURES = {
    "terms (tight_layout, panels)": lambda: plots.top_words_figure(
        terms_table(), SUMMARY, "article"
    ),
    "prevalence (tight_layout)": lambda: plots.prevalence_figure(SUMMARY, "article"),
    "metadata (constrained layout)": lambda: plots.metadata_figure(
        by_metadata(), SUMMARY, "article"
    ),
    "network (tight_layout)": lambda: plots.network_figure(NODES, EDGES, 0.0),
}


NODES = pd.DataFrame(
    {
        "topic": [1, 2, 3],
        "label": ["border, troops", "prices, bank", "vote, council"],
        "prevalence": [0.5, 0.3, 0.2],
        "community": [1, 1, 2],
        "degree": [1, 1, 0],
        "strength": [0.4, 0.4, 0.0],
    }
)
EDGES = pd.DataFrame({"source": [1], "target": [2], "correlation": [0.4]})


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def svg_width(path) -> float:
    return float(re.search(r'<svg[^>]* width="([0-9.]+)pt"', path.read_text()).group(1))


def test_wrapped_text_is_saved_as_before_in_both_formats(tmp_path):
    # a long reason wraps at each format's own resolution: both files as savefig makes them
    apply_style()
    why = "Not configured: set topics.validation.column to a documents.csv column (e.g. " * 2

    def make():
        return empty_figure(why, "Topics against known categories", width=4.9)

    plots.save_laid_out(make(), tmp_path / "new.png", tmp_path / "new.svg")
    save_figure(make(), tmp_path / "old.png", tmp_path / "old.svg")
    for suffix in ("png", "svg"):
        assert digest(tmp_path / f"new.{suffix}") == digest(tmp_path / f"old.{suffix}")


@pytest.mark.parametrize("name", list(FIGURES))
def test_png_is_savefigs_tight_box_byte_for_byte(tmp_path, name):
    apply_style()
    make = FIGURES[name]
    plots.save_laid_out(make(), tmp_path / "new.png", tmp_path / "new.svg")
    save_figure(make(), tmp_path / "old.png", tmp_path / "old.svg")  # savefig: tight, per format
    assert digest(tmp_path / "new.png") == digest(tmp_path / "old.png")
    assert abs(svg_width(tmp_path / "new.svg") - svg_width(tmp_path / "old.svg")) <= 1.5
    # the same drawing: every text of the old SVG is in the new one
    texts = re.findall(r">([^<>]+)</text>", (tmp_path / "old.svg").read_text())
    assert texts and texts == re.findall(r">([^<>]+)</text>", (tmp_path / "new.svg").read_text())
