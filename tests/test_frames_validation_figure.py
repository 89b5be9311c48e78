"""The frame validation figure draws only frames with gold items: a frame without one has no
F1 and is named in the title, never drawn as an F1 of 0."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from newslens.frames_figures import validation_figure  # noqa: E402


def test_frames_without_gold_items_are_named_not_drawn():
    per_frame = pd.DataFrame(
        {
            "method": ["codebook"] * 3,
            "frame": ["security", "economic", "morality"],
            "support": [12, 5, 0],
            "f1": [0.8, np.nan, 0.0],
        }
    )
    summary = pd.DataFrame({"method": ["codebook"], "micro_f1": [0.7], "macro_f1": [0.6]})
    fig = validation_figure(per_frame, summary, {"morality": "Morality"}, "Frames vs gold")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["economic (n=5)", "security (n=12)"]
    assert "not shown, no gold item: Morality" in ax.get_title()
    offsets = ax.collections[0].get_offsets()
    drawn = [float(x) for x in np.ma.compressed(offsets[:, 0])]
    assert drawn == [0.8]  # the undefined F1 of 'economic' is not drawn at 0
