"""Sentiment figures on small inputs: nothing-to-plot cases say so, no NaN plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
from newslens.figures import apply_style
from newslens.sentiment_figures import (
    kernel_smooth,
    plot_actors,
    plot_distribution,
    plot_groups,
    plot_time,
)

TH = {"negative": -0.05, "positive": 0.05}


def texts(fig) -> str:
    out = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
    return " ".join(out)


def test_kernel_smooth_is_weighted_mean():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([0.0, 1.0, 0.0])
    got = kernel_smooth(x, y, 1e-3, [1.0, 2.0, 3.0])
    assert np.allclose(got, y)
    assert np.allclose(kernel_smooth(x, y, 1e6, [2.0]), [1 / 3])


def test_actor_without_mentions_is_marked_not_plotted():
    apply_style()
    summary = pd.DataFrame(
        {
            "actor": ["Armenia", "NATO", "Armenia", "NATO"],
            "scope": ["all", "all", "alone", "alone"],
            "n_sentences": [3, 0, 1, 0],
            "mean_compound": [0.2, np.nan, -0.4, np.nan],
            "mean_compound_ci_low": [0.0, np.nan, np.nan, np.nan],
            "mean_compound_ci_high": [0.4, np.nan, np.nan, np.nan],
        }
    )
    fig = plot_actors(summary)
    t = texts(fig)
    assert "not mentioned" in t and "NATO\n(n=0)" in t and "Armenia\n(n=3; alone 1)" in t
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    assert np.isfinite([lo, hi]).all() and lo < 0.2 < hi


def test_empty_time_groups_and_distribution_say_why():
    apply_style()
    groups = pd.DataFrame(columns=["group_by", "group", "n_articles", "mean_compound"])
    assert "No date metadata" in texts(plot_time(groups, "month", TH))
    assert "No metadata columns" in texts(plot_groups(groups, [], TH))
    assert "No article has a value in outlet" in texts(plot_groups(groups, ["outlet"], TH))
    docs = pd.DataFrame(columns=["doc_id", "mean_compound"])
    assert "No scored sentences" in texts(
        plot_distribution(np.zeros(40), np.linspace(-1, 1, 41), docs, TH)
    )
