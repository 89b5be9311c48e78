"""Figure house rules: titles have one weight in every stage (set once in newslens.figures), and
the actor x frame compare figure wraps long actor and frame names on two lines (one where the
frame columns are narrow) instead of cutting them, without overlapping labels."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_figures as cf
from newslens import compare_synthetic as syn
from newslens.figures import STYLE, apply_style, save_figure
from newslens.frames_figures import distribution_figure
from newslens.sentiment_figures import plot_actors, plot_groups
from test_compare_figures_n import _overlaps
from test_house_figures import actors_summary, groups_table

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scripts" / "newslens"
CODEBOOK = REPO / "config" / "codebooks" / "policy_frames.yaml"
LONG_FRAMES = {
    syn.FRAMES[0]: "Legality, constitutionality and jurisprudence",
    syn.FRAMES[1]: "Policy prescription and evaluation",
    syn.FRAMES[2]: "Capacity and resources",
    syn.FRAMES[3]: "Economic",
}
LONG_ACTORS = {
    syn.ACTORS[0]: "North Atlantic Treaty Organization",
    syn.ACTORS[1]: "Ministry of Foreign Affairs of the Russian Federation",
}


def test_one_title_weight_in_every_stage():
    assert STYLE["axes.titleweight"] == STYLE["figure.titleweight"] == "normal"
    # no figure module sets its own weight on a title (compare_figures' "by <variable>"
    # headings of the over-time figure's blocks are section headings, not titles)
    for path in PACKAGE.glob("*.py"):
        hits = re.findall(r"fontweight\s*=\s*\"bold\"", path.read_text(encoding="utf-8"))
        assert len(hits) == (1 if path.name == "compare_figures.py" else 0), path.name
    apply_style()
    dist = pd.DataFrame(
        {
            "frame": ["a", "b"],
            "name": ["Conflict", "Economic"],
            "mean_share": [0.4, 0.2],
            "primary_share": [0.5, 0.1],
            "n_documents": [10, 10],
        }
    )
    frames = distribution_figure(dist, "Frames")
    weights = {t.get_fontweight() for ax in frames.axes for t in [ax.title] if t.get_text()}
    assert weights == {"normal"}
    plt.close(frames)


def _actor_frame_table(outlets: int) -> pd.DataFrame:
    sent = syn.make_sentences(syn.PlantedSentences(outlets=outlets, articles_per_outlet=15))
    groups = cp.group_labels(sent["documents"], ["outlet"])
    values, sentences, _f, _n = ca.actor_frame_shares(sent["actors"], sent["frames"], syn.ACTORS)
    tab = ca.actor_frame_differences(values, sentences, groups, "rest", resamples=30, seed=0)
    tab["actor"] = tab["actor"].replace(LONG_ACTORS)
    return cf.with_display_names(tab, "frame", LONG_FRAMES)


def test_wrap_keeps_names_whole_on_two_lines():
    assert cf._wrap("Economic") == "Economic"
    assert cf._wrap(LONG_FRAMES[syn.FRAMES[0]]) == "Legality, constitutionality\nand jurisprudence"
    assert cf._wrap(LONG_FRAMES[syn.FRAMES[0]], 48, 1) == LONG_FRAMES[syn.FRAMES[0]]
    # too long even for two widened lines: cut at the end of the second, marked
    cut = cf._wrap("word " * 20)
    assert cut.count("\n") == 1 and cut.endswith("…")


@pytest.mark.parametrize("outlets", [2, 20])
def test_actor_frame_figure_wraps_long_names_without_overlaps(outlets, tmp_path):
    apply_style()
    fig = cf.actor_frames_figure(_actor_frame_table(outlets), 6, min_n=8)
    heat = [ax for ax in fig.axes if ax.axison and ax.get_images()]
    titles = {ax.get_title().replace("\n", " ") for ax in heat}
    assert set(LONG_ACTORS.values()) <= titles  # whole, not cut
    assert all(ax.get_title().count("\n") <= 1 for ax in heat)
    frame_labels = {
        t.get_text().replace("\n", " ") for ax in heat for t in ax.get_xticklabels() if t.get_text()
    }
    assert frame_labels == set(LONG_FRAMES.values())
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "af.png")


def test_sentiment_titles_in_the_house_weight():
    """The sentiment figures that set bold titles before: a multi-panel figure's super-title
    and a single-panel figure's title."""
    apply_style()
    th = {"negative": -0.05, "positive": 0.05}
    groups = plot_groups(groups_table(), ["outlet"], th)
    assert groups.get_suptitle() == "Sentiment by outlet"
    assert groups._suptitle.get_fontweight() == "normal"
    actors = plot_actors(actors_summary(), None)
    titles = [ax.get_title(loc="left") for ax in actors.axes if ax.get_title(loc="left")]
    assert titles and all(ax._left_title.get_fontweight() == "normal" for ax in actors.axes)
    plt.close(groups)
    plt.close(actors)


def test_actor_frame_figure_fifteen_frames_on_one_line_each():
    """The 15 policy frames in 3 panel columns: too narrow for two lines, so each name stands
    whole on one line (the longest has 45 characters), without overlaps."""
    apply_style()
    names = [f["name"] for f in yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))["frames"]]
    tab = _actor_frame_table(3)
    keys = list(dict.fromkeys(tab["frame"]))
    wide = pd.concat(
        [tab[tab["frame"] == keys[i % len(keys)]].assign(frame=n) for i, n in enumerate(names)],
        ignore_index=True,
    )
    fig = cf.actor_frames_figure(wide, 6, min_n=8)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert len(names) == 15 and labels == names and max(map(len, names)) == 45
    assert _overlaps(fig) == []
