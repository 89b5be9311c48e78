"""One figure style for every stage: journal-ready, colour-blind safe, deterministic files.

Every figure is saved twice: PNG (to look at, 200 dpi) and SVG (for papers). SVG and PNG
carry no date, and the SVG hash salt is fixed, so two runs give byte-identical files.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from newslens.runtime import atomic_path  # noqa: E402

# Okabe & Ito (2008), the colour-blind-safe qualitative palette.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
# Sequential colour map that is colour-blind safe.
SEQUENTIAL_CMAP = "viridis"
NEGATIVE, NEUTRAL, POSITIVE = "#D55E00", "#999999", "#0072B2"

# Single column of a two-column journal page is ~3.5 in; full width ~7 in.
COLUMN_WIDTH = 3.5
FULL_WIDTH = 7.0

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "font.size": 8,
    "axes.titlesize": 9,
    # titles in regular weight in every stage (figure and panel titles differ by size only)
    "axes.titleweight": "normal",
    "figure.titleweight": "normal",
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "svg.hashsalt": "newslens",
    "svg.fonttype": "none",
    "path.simplify": True,
}


def apply_style() -> None:
    """Set the project's matplotlib style (call once per script, before plotting)."""
    plt.rcParams.update(STYLE)


def save_figure(
    fig, png_path: str | os.PathLike, svg_path: str | os.PathLike | None = None, **savefig
) -> None:
    """Save ``fig`` as PNG (and SVG beside it unless given) without dates, atomically;
    ``savefig``: further arguments of ``Figure.savefig`` (e.g. a fixed ``bbox_inches``)."""
    png_path = Path(png_path)
    svg_path = Path(svg_path) if svg_path else png_path.with_suffix(".svg")
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None}, **savefig)
    with atomic_path(svg_path) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None}, **savefig)
    plt.close(fig)


def empty_figure(message: str, title: str, width: float = COLUMN_WIDTH):
    """A figure that states plainly why there is nothing to plot (never a blank axis)."""
    fig, ax = plt.subplots(figsize=(width, width * 0.5))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, transform=ax.transAxes)
    return fig
