"""Actor x frame by group and actor x group examples: known answers on hand-made tables,
planted differences found with the right sign and size, nulls not significant, the figure
readable with 2 and 20 groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_evidence as ce
from newslens import compare_figures as cf
from newslens import compare_synthetic as syn
from newslens.figures import apply_style, save_figure
from test_compare_figures import _overlaps


def _tables():
    """Two outlets, A (a1, a2) and B (b1); actor X named in sentences with known frames."""
    frames = pd.DataFrame(
        {
            "doc_id": ["a1", "a1", "a1", "a2", "a2", "b1", "b1"],
            "sent_id": [0, 1, 2, 0, 1, 0, 1],
            "primary_frame": ["war", "aid", "war", "aid", "war", "aid", "aid"],
            "share_war": [1.0, 0.0, 0.5, 0.0, 1.0, 0.0, 0.0],
            "share_aid": [0.0, 1.0, 0.5, 1.0, 0.0, 1.0, 1.0],
            "share_none": 0.0,
        }
    )
    actors = pd.DataFrame(
        {
            "doc_id": ["a1", "a1", "a2", "b1", "b1", "a1"],
            "sent_id": [0, 2, 1, 0, 1, 1],
            "actor": ["X", "X", "X", "X", "X", "Y"],
            "compound": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.0],
        }
    )
    docs = pd.DataFrame({"doc_id": ["a1", "a2", "b1"], "outlet": ["A", "A", "B"]})
    return frames, actors, docs


def test_actor_frame_known_answer():
    frames, actors, docs = _tables()
    values, sentences, names, n_rows = ca.actor_frame_shares(actors, frames, ["X", "Y"])
    assert names == ["war", "aid"] and n_rows == 6
    # a1: X in sentences 0 (war 1) and 2 (war .5) -> war .75; a2: sentence 1 -> war 1
    assert values.loc["a1", ("X", "war")] == pytest.approx(0.75)
    assert values.loc["a2", ("X", "war")] == pytest.approx(1.0)
    assert values.loc["b1", ("X", "aid")] == pytest.approx(1.0)
    assert np.isnan(values.loc["b1", ("Y", "war")])
    assert sentences.loc["a1", "X"] == 2 and sentences.loc["b1", "Y"] == 0
    groups = cp.group_labels(docs, ["outlet"])
    tab = ca.actor_frame_differences(values, sentences, groups, "B", resamples=200, seed=1)
    assert list(tab.columns) == ca.ACTOR_FRAME_COLUMNS
    war = tab[(tab["actor"] == "X") & (tab["frame"] == "war")].iloc[0]
    assert (war["group"], war["reference"]) == ("A", "B")
    assert war["mean_group"] == pytest.approx(0.875)  # mean of the articles' .75 and 1
    assert war["mean_reference"] == pytest.approx(0.0)
    assert war["difference"] == pytest.approx(0.875)
    assert (war["n_group"], war["n_reference"]) == (2, 1)
    assert (war["sentences_group"], war["sentences_reference"]) == (3, 2)
    y = tab[tab["actor"] == "Y"].iloc[0]
    assert (y["n_group"], y["n_reference"], y["sentences_group"]) == (1, 0, 1)
    assert np.isnan(y["p_value"])  # not named in the reference: no test
    rest = ca.actor_frame_differences(values, sentences, groups, "rest", resamples=50, seed=1)
    b = rest[(rest["group"] == "B") & (rest["actor"] == "X")].iloc[0]
    assert (b["sentences_group"], b["sentences_reference"]) == (2, 3)


def test_actor_examples_known_answer():
    frames, actors, docs = _tables()
    groups = cp.group_labels(docs, ["outlet"])
    ex = ce.actor_examples(actors, groups, 2, seed=3, primary=frames)
    assert list(ex.columns) == ce.ACTOR_EXAMPLE_COLUMNS
    assert ex.groupby(["group", "actor"]).size().to_dict() == {
        ("A", "X"): 2,
        ("A", "Y"): 1,
        ("B", "X"): 2,
    }
    b = ex[ex["group"] == "B"]
    assert list(b["sent_id"]) == [0, 1] and list(b["primary_frame"]) == ["aid", "aid"]
    # the sample does not depend on the input's row order
    again = ce.actor_examples(actors.iloc[::-1], groups, 2, seed=3, primary=frames)
    pd.testing.assert_frame_equal(ex, again)


def test_planted_actor_frame_found():
    data = syn.make_sentences(syn.PlantedSentences(seed=1))
    p = data["planted"]
    groups = cp.group_labels(data["documents"], ["outlet"])
    values, sentences, _f, _n = ca.actor_frame_shares(data["actors"], data["frames"], syn.ACTORS)
    tab = ca.actor_frame_differences(values, sentences, groups, "outlet_0", 400, seed=0)
    hit = tab[(tab["group"] == p.outlet) & (tab["actor"] == p.actor) & (tab["frame"] == p.frame)]
    hit = hit.iloc[0]
    expected = syn.expected_actor_frame_difference(p)
    assert hit["difference_low"] > 0 and hit["q_value"] < 0.05
    assert hit["difference_low"] < expected < hit["difference_high"]
    null = tab[tab["group"] == "outlet_2"]  # the same distribution as the reference
    assert len(null) == len(syn.ACTORS) * len(syn.FRAMES)
    assert (null["q_value"] > 0.05).all()


def _figure_table(outlets):
    data = syn.make_sentences(syn.PlantedSentences(outlets=outlets, articles_per_outlet=30))
    groups = cp.group_labels(data["documents"], ["outlet", "month"])
    values, sentences, _f, _n = ca.actor_frame_shares(data["actors"], data["frames"], syn.ACTORS)
    return ca.actor_frame_differences(values, sentences, groups, "rest", 100, seed=0)


@pytest.mark.parametrize("outlets", [2, 20])
def test_actor_frames_figure_readable(outlets, tmp_path):
    apply_style()
    tab = _figure_table(outlets)
    fig = cf.actor_frames_figure(tab, max_actors=12)
    panels = [ax for ax in fig.axes if ax.axison and ax.get_title()]
    assert sorted(ax.get_title() for ax in panels) == sorted(syn.ACTORS)
    first = panels[0]
    rows = [t.get_text() for t in first.get_yticklabels()]
    assert len(rows) == outlets + 3  # outlets and months
    assert rows[0] == "month: 2024-01" and "outlet: outlet_1" in rows
    assert _overlaps(fig) == []
    save_figure(fig, tmp_path / "af.png")
    assert (tmp_path / "af.svg").stat().st_size > 1000


def test_actor_frames_figure_empty_says_what_to_configure():
    fig = cf.actor_frames_figure(pd.DataFrame(columns=ca.ACTOR_FRAME_COLUMNS))
    assert "compare.by" in " ".join(t.get_text() for t in fig.axes[0].texts)
