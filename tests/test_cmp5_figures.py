"""The compare figures draw the ``compare.figure_groups`` largest groups of each variable (and
say so), and the over-time figure gives each variable's block its own n-bar scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from newslens import compare_figures as cf
from newslens import compare_panels as cpn
from newslens.compare_over_time import TIME_COLUMNS
from newslens.figures import apply_style


def _sizes(variable: str, n: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [(variable, g, k) for g, k in n.items()], columns=["variable", "group", "n_articles"]
    )


def _panels(fig):
    axes = list(fig.axes) + [ax for sub in getattr(fig, "subfigs", []) for ax in sub.axes]
    return [ax for ax in axes if ax.axison]


def _bar_heights(ax) -> list[np.ndarray]:
    return [
        np.array([np.ptp(p.vertices[:4, 1]) for p in coll.get_paths()])
        for coll in ax.collections
        if isinstance(coll, PolyCollection) and coll.get_label() == "_n_bars"
    ]


def test_largest_groups_known_answer():
    sizes = pd.concat(
        [
            _sizes("outlet", {"o_2": 50, "o_10": 50, "o_1": 10, "o_3": 70, "o_4": 5}),
            _sizes("country", {"AM": 3, "AZ": 4}),
        ]
    )
    # by n (ties in natural order: o_2 before o_10), then listed in natural order
    assert cpn.largest_groups(sizes, 3) == {
        "country": ["AM", "AZ"],
        "outlet": ["o_2", "o_3", "o_10"],
    }
    assert cpn.largest_groups(sizes, None)["outlet"] == ["o_1", "o_2", "o_3", "o_4", "o_10"]
    assert cpn.largest_groups(sizes, 1) == {"country": ["AZ"], "outlet": ["o_3"]}


def test_keep_groups_cuts_rows_and_names_what_was_left_out():
    sizes = _sizes("outlet", {f"o_{i}": 100 - i for i in range(10)})
    tab = pd.DataFrame(
        {"variable": "outlet", "group": [f"o_{i}" for i in range(10) for _ in range(2)], "x": 1.0}
    )
    kept, note = cpn.keep_groups(tab, sizes, 4)
    assert sorted(kept["group"].unique()) == ["o_0", "o_1", "o_2", "o_3"]
    assert len(kept) == 8
    assert note.startswith("shown: the 4 largest of 10 outlet groups by articles")
    assert "compare.figure_groups=4" in note
    # every group fits, or no limit: unchanged, no note
    assert cpn.keep_groups(tab, sizes, 10)[1] == ""
    same, note = cpn.keep_groups(tab, sizes, None)
    assert same is tab and note == ""


def _differences(groups: int) -> pd.DataFrame:
    rows = []
    for g in range(groups):
        for k in range(3):
            d = 0.01 * (g - k)
            rows.append(("outlet", f"o_{g:02d}", "rest", f"item_{k}", d, d - 0.02, d + 0.02))
    tab = pd.DataFrame(
        rows,
        columns=[
            "variable",
            "group",
            "reference",
            "item",
            "difference",
            "difference_low",
            "difference_high",
        ],
    )
    n = {f"o_{g:02d}": 10 * (g + 1) for g in range(groups)}
    tab["n_group"] = tab["group"].map(n)
    tab["n_reference"] = 1000 - tab["n_group"]
    tab["q_value"] = 0.5
    return tab, _sizes("outlet", n)


@pytest.mark.parametrize(("groups", "shown"), [(2, 2), (20, 8)])
def test_forest_plot_draws_the_largest_groups(groups, shown):
    apply_style()
    tab, sizes = _differences(groups)
    fig = cf.differences_figure(tab, "T", "x", "share", sizes=sizes, max_groups=8)
    titles = [ax.get_title() for ax in _panels(fig)]
    assert len(titles) == shown
    # the largest: o_19 .. o_12 (n = 200 .. 130), in natural order
    expect = [f"o_{g:02d}" for g in range(groups - shown, groups)]
    assert [t.split("\n")[0].split(": ")[1] for t in titles] == expect
    note = "the 8 largest of 20 outlet groups"
    assert (note in fig._suptitle.get_text()) == (groups == 20)
    # the same figure as one drawn from the shown groups' rows alone
    alone = cf.differences_figure(tab[tab["group"].isin(expect)], "T", "x", "share")
    assert [ax.get_title() for ax in _panels(alone)] == titles


def _prev(variables: dict[str, int], weeks: int = 3) -> pd.DataFrame:
    """Over-time rows: group g of a variable with base b has b * (g + 1) + w articles in week w."""
    rows = []
    for var, base in variables.items():
        groups = 2 if var == "country" else 12
        for g in range(groups):
            for w in range(weeks):
                for k in range(3):
                    n = base * (g + 1) + w
                    m = 0.1 + 0.02 * k
                    rows.append(
                        (
                            var,
                            f"{var}_{g:02d}",
                            f"2024-W0{w + 1}",
                            f"f_{k}",
                            n,
                            m,
                            m - 0.01,
                            m + 0.01,
                        )
                    )
    return pd.DataFrame(rows, columns=TIME_COLUMNS)


def test_time_figure_each_block_its_own_n_scale():
    """Two variables: the countries' bars (n up to 2,002) and the outlets' (up to 12) each fill
    their block's strip; the headings give each block's tallest bar."""
    apply_style()
    prev = _prev({"country": 1000, "outlet": 1})
    fig = cf.time_figure(prev, "T", "share", period="week")
    heads = [sub._suptitle.get_text() for sub in fig.subfigs]
    assert heads == [
        "by country (bars: tallest 2,002 articles)",
        "by outlet (bars: tallest 14 articles)",
    ]
    assert "one scale per block" in fig._suptitle.get_text()
    tallest = []
    for sub, n_max in zip(fig.subfigs, (2002, 14), strict=True):
        axes = [ax for ax in sub.axes if ax.axison]
        heights = [h for ax in axes for h in _bar_heights(ax)]
        top = max(h.max() for h in heights)
        tallest.append(top / np.ptp(axes[0].get_ylim()))
        if n_max == 14:  # a panel per outlet (12 > 8 lines): outlet_00 has 1, 2, 3 articles
            first = _bar_heights(axes[0])[0]
            np.testing.assert_allclose(first / top, np.array([1, 2, 3]) / 14)
    # the tallest bar of each block has the same height (its own scale)
    assert tallest[0] == pytest.approx(tallest[1])


def test_time_figure_panel_per_group_draws_the_largest():
    apply_style()
    prev = _prev({"outlet": 10})
    n = prev.groupby("group")["n_articles"].max()
    sizes = _sizes("outlet", n.to_dict())
    fig = cf.time_figure(prev, "T", "share", period="week", sizes=sizes, max_groups=4)
    titles = [ax.get_title() for ax in _panels(fig)]
    # still a panel per group (12 groups > 8 lines), the 4 largest: outlet_08 .. outlet_11
    assert [t.split(" ")[0] for t in titles] == [f"outlet_{g:02d}" for g in range(8, 12)]
    text = fig._suptitle.get_text()
    assert "the 4 largest of 12 outlet groups" in text
    assert "the tallest 122" in text  # the drawn groups' scale: 10 * 12 + 2
    # few groups (a panel per item, a line per group): nothing left out
    few = _prev({"country": 5})
    fig = cf.time_figure(few, "T", "share", period="week", sizes=sizes, max_groups=1)
    assert "largest" not in fig._suptitle.get_text()
