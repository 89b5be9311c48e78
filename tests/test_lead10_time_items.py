"""The over-time figure names what it leaves out of the items (topics, actors, frames) and
calls them by name: with 20 groups a panel per group and a line per item (the 8 varying most),
with 2 groups a panel per item (``max_items``); the legend is titled by the item's name."""

import matplotlib.pyplot as plt
import pandas as pd
from newslens import compare_figures as cf
from test_cmpgrid_figures import _time_table


def _many_items(outlets: int, copies: int = 3) -> pd.DataFrame:
    """The test table's frames repeated ``copies`` times under new names (12 items)."""
    tab = _time_table(outlets)
    return pd.concat([tab.assign(item=tab["item"] + f" {i}") for i in range(copies)])


def _title(fig) -> str:
    return fig._suptitle.get_text()


def _legend_titles(fig) -> list[str]:
    legends = [leg for f in [fig, *fig.subfigs] for leg in f.legends]
    return [leg.get_title().get_text() for leg in legends]


def test_twenty_groups_lines_name_the_items_left_out():
    tab = _many_items(20)
    n_items = tab["item"].nunique()
    fig = cf.time_figure(tab, "Frames over time", "share", item_name="frame")
    try:
        assert f"(drawn: the 8 of {n_items} frames varying most across groups;" in _title(fig)
        assert "the table has every frame)" in _title(fig)
        assert _legend_titles(fig) == ["frame"]
    finally:
        plt.close(fig)


def test_few_groups_panels_name_the_items_left_out():
    tab = _many_items(2)
    n_items = tab["item"].nunique()
    fig = cf.time_figure(tab, "Frames over time", "share", max_items=3, item_name="frame")
    try:
        assert f"(drawn: the 3 of {n_items} frames varying most across groups;" in _title(fig)
        assert len([ax for ax in fig.axes if ax.get_title()]) >= 3
    finally:
        plt.close(fig)
    fig = cf.time_figure(tab, "Frames over time", "share", max_items=n_items, item_name="frame")
    try:
        assert "drawn:" not in _title(fig)
    finally:
        plt.close(fig)
