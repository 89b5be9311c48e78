"""Which groups the compare figures draw: with many groups (20 outlets, say) the figures show
the ``compare.figure_groups`` largest groups of each comparison variable (by articles) and say
so in their title; the tables always keep every group. Also the label texts the figures share
(short and wrapped names, counts, super-titles fitted to the page, measured without drawing)
and the over-time bands' polygons."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from newslens.compare import natural_key
from newslens.figures import FULL_WIDTH
from newslens.runtime import atomic_path

PT = 1 / 72  # inches per point
# the compare PNGs deflated at zlib level 1 (Pillow's default is 6): the same pixels, files
# ~2.5 % larger, the deflate about a fifth of its level-6 time (8 PNGs of 1440 x 860-1820 px at 100k)
PNG_OPTIONS = {"compress_level": 1}


def largest_groups(sizes: pd.DataFrame, max_groups: int | None) -> dict[str, list[str]]:
    """Per comparison variable the ``max_groups`` groups with the most articles (``sizes``:
    variable, group, n_articles, e.g. ``compare_figures.group_sizes``; ties in natural order of
    the group names), in natural order; every group when ``max_groups`` is None or 0, or when a
    variable has no more groups than that."""
    shown = {}
    for var, sub in sizes.groupby("variable", sort=True):
        names = [str(g) for g in sub["group"]]
        order = sorted(
            zip(names, sub["n_articles"].astype(int), strict=True),
            key=lambda t: (-t[1], natural_key(t[0])),
        )
        keep = order if not max_groups else order[:max_groups]
        shown[str(var)] = sorted((g for g, _n in keep), key=natural_key)
    return shown


def keep_groups(
    tab: pd.DataFrame, sizes: pd.DataFrame | None, max_groups: int | None
) -> tuple[pd.DataFrame, str]:
    """``tab`` (rows with variable and group columns) cut to the ``largest_groups`` of
    ``sizes``, and a one-line note for the figure's title naming what was left out (empty when
    every group of ``tab`` is kept). Rows of variables missing from ``sizes`` stay."""
    if not max_groups or sizes is None or tab.empty or sizes.empty:
        return tab, ""
    shown = largest_groups(sizes, max_groups)
    groups = tab["group"].astype(str)
    variables = tab["variable"].astype(str)
    keep = pd.Series(True, index=tab.index)
    parts = []
    for var in sorted(variables.unique()):
        if var not in shown:
            continue
        mine = variables == var
        present = groups[mine].unique()
        kept = [g for g in present if g in set(shown[var])]
        if len(kept) < len(present):
            keep &= ~mine | groups.isin(shown[var])
            parts.append(f"the {len(kept)} largest of {len(present)} {var} groups")
    if not parts:
        return tab, ""
    note = (
        f"shown: {'; '.join(parts)} by articles (compare.figure_groups={max_groups}); "
        "the table has every group"
    )
    return tab[keep.to_numpy()], note


def with_display_names(tab: pd.DataFrame, column: str, names: dict[str, str]) -> pd.DataFrame:
    """``tab`` with the keys in ``column`` replaced by their display names (e.g. frame keys by
    the codebook's names), for a figure; keys without a name stay as they are."""
    if not names or tab.empty or column not in tab:
        return tab
    return tab.assign(**{column: [names.get(str(k), k) for k in tab[column]]})


def drawn_items_note(plans: list[dict], item_name: str) -> str:
    """For the blocks of an over-time figure (``compare_figures._time_plan``) that draw fewer
    items than their table has (as panels or as lines): "the 8 of 15 topics varying most across
    groups"; "" when every item is drawn."""
    notes = []
    for plan in plans:
        drawn = plan["panels"] if plan["panel_col"] == "item" else plan["lines"]
        total = plan["tab"]["item"].nunique()
        if len(drawn) < total:
            notes.append(f"the {len(drawn)} of {total} {item_name}s varying most across groups")
    return "; ".join(dict.fromkeys(notes))


def group_sizes(groups: pd.DataFrame) -> pd.DataFrame:
    """Articles per variable x group (variable, group, n_articles) from the group labels
    (doc_id + one column per variable; "" = in no group)."""
    rows = [
        (var, g, int(n))
        for var in [c for c in groups.columns if c != "doc_id"]
        for g, n in groups[var].astype(str).value_counts().items()
        if g != ""
    ]
    return pd.DataFrame(rows, columns=["variable", "group", "n_articles"])


# label texts and shapes shared by the compare figures (compare_figures)


def _short(text: str, n: int = 22) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _wrap(text: str, width: int = 24, lines: int = 2) -> str:
    """``text`` on at most ``lines`` lines of about ``width`` characters, broken at spaces; the
    width may grow by a quarter before the text is cut with "…", so names are rarely cut."""
    text = str(text)
    for w in range(width, width + width // 4 + 1):
        parts = textwrap.wrap(text, w)
        if len(parts) <= lines:
            return "\n".join(parts)
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="…"))


def _count(n) -> str:
    """An article count for a label: 1,234; 12.3k from 10,000 on."""
    n = int(n)
    return f"{n / 1000:.1f}k" if n >= 10_000 else f"{n:,}"


def _n_range(values) -> str:
    """The counts of a panel's cells as one number or a range."""
    vals = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if vals.empty:
        return "0"
    lo, hi = int(vals.min()), int(vals.max())
    return _count(lo) if lo == hi else f"{_count(lo)}-{_count(hi)}"


def _limits(cells: pd.DataFrame) -> tuple[float, float]:
    """The x range of a forest plot: the smallest low and largest high of ``cells``' intervals
    (their points where an interval is missing), 0 included; (-1, 1) when nothing is finite."""
    values = cells[["difference", "difference_low", "difference_high"]].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return -1.0, 1.0
    return min(float(values.min()), 0.0), max(float(values.max()), 0.0)


def _text_width(lines: list[str], size: float) -> float:
    """The widest of ``lines`` (each possibly on several lines) at ``size`` points, in inches,
    measured with the house font without drawing anything."""
    font = FontProperties(size=size)
    measure = TextToPath().get_text_width_height_descent
    parts = {part for text in lines for part in str(text).split("\n") if part}
    return max((measure(part, font, ismath=False)[0] for part in parts), default=0.0) * PT


def _fit_title(text: str, size: float = 8, width: float = FULL_WIDTH - 0.1) -> str:
    """A super-title whose every line fits ``width`` inches at ``size`` points: a line too
    long is broken after its "; " separators (greedily, as many parts a line as fit), a part
    still too long at spaces. The figure is saved at its own size, so nothing may run past
    its edges."""
    out = []
    for line in text.split("\n"):
        parts = [p + ";" for p in line.split("; ")]
        parts[-1] = parts[-1][:-1]
        words = []
        for part in parts:  # a part too long on its own: its words
            words += part.split(" ") if _text_width([part], size) > width else [part]
        current = ""
        for word in words:
            trial = f"{current} {word}" if current else word
            if current and _text_width([trial], size) > width:
                out.append(current)
                current = word
            else:
                current = trial
        out.append(current)
    return "\n".join(out)


def _band_polygons(x, low, high) -> list[np.ndarray]:
    """The polygons of a band between ``low`` and ``high`` over ``x`` (as ``fill_between``):
    one per run of periods where both are finite, along ``low`` and back along ``high``."""
    finite = np.isfinite(low) & np.isfinite(high)
    edges = np.flatnonzero(np.diff(np.r_[0, finite.astype(np.int8), 0]))
    return [
        np.r_[np.c_[x[a:b], low[a:b]], np.c_[x[a:b], high[a:b]][::-1]]
        for a, b in zip(edges[::2], edges[1::2], strict=True)
    ]


def save_png_svg(fig, png_path, svg_path, **savefig) -> None:
    """``figures.save_figure`` with the PNG deflated at ``PNG_OPTIONS`` (zlib level 1: the
    same pixels as level 6, other bytes): save ``fig`` as PNG and SVG without dates,
    atomically, and close it; ``savefig``: further ``Figure.savefig`` arguments."""
    with atomic_path(png_path) as tmp:
        fig.savefig(
            tmp, format="png", metadata={"Software": None}, pil_kwargs=dict(PNG_OPTIONS), **savefig
        )
    with atomic_path(svg_path) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None}, **savefig)
    plt.close(fig)
