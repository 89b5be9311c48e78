"""Compare figures show frames by the codebook's display names; the tables keep the keys."""

import pandas as pd
from newslens import compare_figures as cf
from newslens.names import frame_display_names


def test_with_display_names_maps_known_keys_and_keeps_the_rest():
    names = frame_display_names(
        pd.DataFrame(
            {"frame": ["security_defense", "economic"], "name": ["Security and defense", ""]}
        )
    )
    tab = pd.DataFrame({"item": ["security_defense", "economic", "political"], "x": [1, 2, 3]})
    shown = cf.with_display_names(tab, "item", names)
    assert shown["item"].tolist() == ["Security and defense", "economic", "political"]
    assert tab["item"].tolist() == ["security_defense", "economic", "political"]  # not changed
    assert shown["x"].tolist() == [1, 2, 3]


def test_with_display_names_leaves_empty_tables_and_other_columns():
    empty = pd.DataFrame(columns=["item"])
    assert cf.with_display_names(empty, "item", {"a": "A"}) is empty
    tab = pd.DataFrame({"frame": ["a"]})
    assert cf.with_display_names(tab, "item", {"a": "A"}) is tab
    assert cf.with_display_names(tab, "frame", {})["frame"].tolist() == ["a"]
