"""The comparisons section of results/summary.md, from the compare tables of the synthetic
multi-outlet corpus with planted differences (newslens.compare_synthetic): the planted
differences appear with the right sign and display names, null ones do not, thin cells are
flagged, the lists are capped, and without compare.by the section says what to configure."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_synthetic as syn
from newslens.names import frame_display_names, topic_display_names
from newslens.summary import compare_section, summary_html

NAMES = pd.DataFrame(
    {
        "frame": syn.FRAMES,
        "name": ["Security and defence", "Economy", "Humanitarian crisis", "Law and courts"],
    }
)


@pytest.fixture(scope="module")
def outlet_tables():
    """Compare tables of the planted corpus, every outlet against outlet_0."""
    data = syn.make(syn.Planted(seed=2))
    groups = cp.group_labels(data["documents"], ["outlet"])
    doc_ids = data["documents"]["doc_id"].to_numpy()
    keyness = cp.keyness_table(data["counts"], doc_ids, groups, data["terms"], "outlet_0", 5)
    tables = {
        kind: cp.group_differences(data[kind], groups, "outlet_0", resamples=300, seed=0)
        for kind in ("frames", "actors")
    }
    tables["topics"] = pd.DataFrame(columns=cp.SHARE_COLUMNS)
    return data, keyness, tables


def block(lines: list[str], group: str) -> str:
    """The lines of one comparison (from its heading to the next one)."""
    text = "\n".join(lines)
    start = text.index(f"**outlet = {group}**")
    end = text.find("\n- **", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_planted_frame_difference_reported(outlet_tables):
    data, keyness, tables = outlet_tables
    p = data["planted"]
    lines = compare_section(keyness, tables, ["outlet"], frame_display_names(NAMES))
    one = block(lines, p.frame_outlet)
    assert "vs outlet_0 (n = 200 | 200 articles)" in one
    row = tables["frames"].query("group == @p.frame_outlet and item == @p.frame").iloc[0]
    line = next(x for x in one.splitlines() if "Security and defence:" in x)
    assert f"**{100 * row['difference']:+.1f} pp**" in line
    assert row["difference"] > 0 and line.count("+") >= 3  # planted: more security, interval > 0
    assert "n = 200 | 200 articles" in line and "thin" not in line
    # the largest difference is listed first; display names, not keys
    frames = [x for x in one.splitlines() if x.startswith("    - ") and " pp**" in x]
    assert frames[0] == line
    assert not re.search(r"- (security|economy|legal|humanitarian):", one)
    # the frame vocabulary leads the words outlet_1 uses more, with a positive log ratio
    words = next(x for x in one.splitlines() if f"Words used more by {p.frame_outlet}" in x)
    first = words.split("q < 0.05): ")[1].split(" ")[0]
    assert first in syn.frame_vocabulary(p)
    assert re.search(rf"{first} \+\d\.\d\d \(\+", words)


def test_null_comparison_says_so(outlet_tables):
    _, keyness, tables = outlet_tables
    lines = compare_section(keyness, tables, ["outlet"], frame_display_names(NAMES))
    two = block(lines, "outlet_2")  # no planted difference against outlet_0
    assert "No frame difference reached q < 0.05 (4 compared)." in two
    assert "No actor sentiment difference reached q < 0.05 (3 compared)." in two
    assert " pp**" not in two
    assert "No topic prevalence was compared" in two


def test_planted_actor_month_negative():
    data = syn.make(syn.Planted(seed=3))
    p = data["planted"]
    groups = cp.group_labels(data["documents"], ["month"])
    actors = cp.group_differences(data["actors"], groups, "rest", resamples=300, seed=0)
    empty = pd.DataFrame(columns=cp.SHARE_COLUMNS)
    lines = compare_section(
        pd.DataFrame(columns=cp.KEYNESS_COLUMNS),
        {"frames": empty, "actors": actors, "topics": empty},
        ["month"],
    )
    text = "\n".join(lines)
    start = text.index(f"**month = {p.negative_month}** vs the rest")
    hit = text[start:].split("\n- **")[0]
    row = actors.query("group == @p.negative_month and item == @p.negative_actor").iloc[0]
    assert f"{p.negative_actor}: **{row['difference']:+.2f}**" in hit
    assert row["difference"] < -0.2
    # the other actors carry no planted difference and are not listed
    for actor in set(syn.ACTORS) - {p.negative_actor}:
        assert f"{actor}: **" not in text


def test_thin_cells_flagged_and_lists_capped(outlet_tables):
    data, keyness, tables = outlet_tables
    p = data["planted"]
    lines = compare_section(
        keyness, tables, ["outlet"], frame_display_names(NAMES), max_rows=1, min_cell_n=300
    )
    one = block(lines, p.frame_outlet)
    frames = [x for x in one.splitlines() if " pp**" in x]
    assert len(frames) == 1 and "thin: fewer than 300 articles" in frames[0]
    hits = int((tables["frames"].query("group == @p.frame_outlet")["q_value"] < 0.05).sum())
    assert f"{hits - 1} more frame difference(s) in `tables/compare_frames.csv`" in one
    words = next(x for x in one.splitlines() if f"Words used more by {p.frame_outlet}" in x)
    assert words.count(" to ") == 1 and "more in `tables/compare_keyness.csv`." in words
    capped = compare_section(keyness, tables, ["outlet"], max_comparisons=1)
    text = "\n".join(capped)
    assert f"**outlet = {p.frame_outlet}**" in text  # the one with most differences is kept
    assert "**outlet = outlet_2**" not in text
    assert "- 1 more comparison(s) are in the tables (`summary.max_comparisons`)." in text


def test_topics_by_display_name():
    summary = pd.DataFrame({"topic": [1, 2], "label": ["border, shelling", "gas, pipeline"]})
    rows = []
    for item, diff in (("1: border, shelling", 0.12), ("2: gas, pipeline", -0.01)):
        rows.append(
            dict(variable="outlet", group="A", reference="rest", item=item, n_group=8)
            | dict(n_reference=40, mean_group=0.3 + diff, low_group=0.2, high_group=0.5)
            | dict(mean_reference=0.3, difference=diff, difference_low=diff - 0.05)
            | dict(difference_high=diff + 0.05, p_value=0.001 if diff > 0 else 0.8)
            | dict(q_value=0.002 if diff > 0 else 0.8)
        )
    topics = pd.DataFrame(rows, columns=cp.SHARE_COLUMNS)
    empty = pd.DataFrame(columns=cp.SHARE_COLUMNS)
    lines = compare_section(
        pd.DataFrame(columns=cp.KEYNESS_COLUMNS),
        {"frames": empty, "actors": empty, "topics": topics},
        ["outlet"],
        topic_names=topic_display_names(summary),
        confidence=0.9,
    )
    text = "\n".join(lines)
    assert (
        "    - Topic 1 *border, shelling*: **+12.0 pp** (90% CI +7.0 to +17.0; 42.0% vs 30.0%), "
        "n = 8 | 40 articles — thin: fewer than 10 articles on a side" in text
    )
    assert "gas, pipeline" not in text and "1: border" not in text
    html = summary_html("\n".join(["# s", "", *lines]))
    assert "<em>border, shelling</em>" in html
    assert html.count("<ul>") == html.count("</ul>") == 3  # three nested levels, all closed


def test_without_compare_by_one_line():
    empty = pd.DataFrame(columns=cp.SHARE_COLUMNS)
    tables = {"frames": empty, "actors": empty, "topics": empty}
    keyness = pd.DataFrame(columns=cp.KEYNESS_COLUMNS)
    lines = [x for x in compare_section(keyness, tables, []) if x]
    assert lines[0] == "## Comparisons" and len(lines) == 2
    assert "set `compare.by`" in lines[1]
    nothing = "\n".join(compare_section(keyness, tables, ["outlet"], min_articles=5))
    assert "Nothing to compare: no group of `outlet`" in nothing
    assert "`compare.min_articles` = 5" in nothing


def test_seed_summary_says_what_to_configure(seed_run):
    text = (seed_run / "results" / "summary.md").read_text()
    section = text.split("## Comparisons\n")[1].strip().splitlines()
    assert len(section) == 1 and "set `compare.by`" in section[0]
    assert "Comparisons" in (seed_run / "results" / "summary.html").read_text()
