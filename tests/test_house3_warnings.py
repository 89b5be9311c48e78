"""Figure code without warnings: the actor x frame heatmap's grey for missing cells is set
without the deprecated ``Colormap.set_bad``, and the figures a test opens are closed after it
(``close_figures`` in conftest.py), so a test session never has more than 20 open."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from newslens.figures import apply_style
from newslens.frames_figures import actor_heatmap


def heat_table() -> pd.DataFrame:
    """Two actors: one named in 40 sentences, one never (its cells are missing, grey)."""
    rows = [
        {"actor": actor, "frame": frame, "share": share if n else 0.0}
        | {"n_sentences": int(round(share * n)), "n_actor_sentences": n}
        for actor, n in (("Kremlin", 40), ("UN", 0))
        for frame, share in (("conflict", 0.5), ("economic", 0.25))
    ]
    return pd.DataFrame(rows)


def test_heatmap_greys_missing_cells_without_warnings():
    apply_style()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PendingDeprecationWarning of set_bad included
        fig = actor_heatmap(heat_table(), {}, "Frames", 10)
    image = fig.axes[0].images[0]
    assert image.get_cmap().get_bad() == pytest.approx(to_rgba("#EEEEEE"))
    values = image.get_array()
    assert list(values.mask.all(axis=1)) == [False, True]  # UN never named: grey, not "0 %"
    assert values[0].tolist() == pytest.approx([50.0, 25.0])  # shares in per cent


@pytest.mark.parametrize("i", range(25))
def test_figures_of_earlier_tests_are_closed(i):
    assert plt.get_fignums() == []  # closed after the previous test
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 21st open figure would raise a RuntimeWarning
        fig, ax = plt.subplots()
    ax.plot([0, i], [0, 1])
    assert plt.get_fignums() == [fig.number]
