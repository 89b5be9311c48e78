"""The comparisons section of results/summary.md in a pipeline run of the 3-outlet test corpus
(.test/corpus/articles.csv, compare.by: [outlet]) with a planted difference: every article of
one outlet gets a paragraph of military sentences. The section shows it (Security and defense
higher, the military words used more, by display name and with the right sign), one block per
outlet, and every number it shows is the compare tables'."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import REPO, make_workdir, run_snakemake

TEST_CORPUS = REPO / ".test" / "corpus" / "articles.csv"
PLANTED_OUTLET = "Northern Ledger"
MILITARY = [
    "The battalion moved howitzers and mortars to the front line overnight.",
    "Army commanders said the brigade shelled enemy trenches with artillery and tanks.",
    "Soldiers and troops of the battalion dug new trenches near the front line.",
    "The defence ministry sent more tanks and missile launchers to the brigade.",
    "Military officers reported heavy artillery fire against the army positions.",
    "The brigade's troops fired mortars at the enemy soldiers across the front line.",
    "Air defence units shot down drones over the army's trenches.",
    "Generals ordered the battalion and its tanks to hold the front line.",
]
MILITARY_WORDS = {"battalion", "howitzers", "mortars", "brigade", "trenches", "tanks"}


@pytest.fixture(scope="module")
def outlet_summary(tmp_path_factory):
    if not TEST_CORPUS.exists():
        pytest.skip(".test corpus not present")
    tmp = tmp_path_factory.mktemp("summary_outlets")
    corpus = pd.read_csv(TEST_CORPUS, dtype=str, keep_default_na=False)
    planted = corpus["outlet"] == PLANTED_OUTLET
    corpus.loc[planted, "text"] = corpus.loc[planted, "text"] + "\n\n" + " ".join(MILITARY)
    path = tmp / "articles.csv"
    corpus.to_csv(path, index=False)
    wd = make_workdir(
        tmp,
        corpus=path,
        corpus__format="csv",
        corpus__columns={"text": "text", "id": "id", "title": "title", "date": "date"},
        corpus__metadata=["outlet", "country"],
        actors={"Veloria": ["Veloria", "Morel"], "Kastan": ["Kastan"]},
        compare__by=["outlet"],
        compare__min_articles=3,
        compare__bootstrap={"resamples": 200, "seed": 1},
        summary__max_compare_rows=3,
    )
    run_snakemake(wd, "results/summary.md")
    return wd


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def test_summary_comparisons_match_the_tables(outlet_summary):
    results = outlet_summary / "results"
    text = (results / "summary.md").read_text()
    section = text.split("## Comparisons\n")[1]
    frames = read(results / "tables" / "compare_frames.csv")
    names = read(results / "tables" / "frames_distribution.csv").set_index("frame")["name"]
    outlets = sorted(read(results / "tables" / "documents.csv")["outlet"].unique())
    assert len(outlets) == 3
    for outlet in outlets:
        head = f"- **outlet = {outlet}** vs the rest"
        assert head in section
        block = section.split(head)[1].split("\n- **")[0]
        rows = frames[frames["group"] == outlet]
        assert f"(n = {rows['n_group'].iloc[0]} | {rows['n_reference'].iloc[0]} articles)" in block
        hits = rows[rows["q_value"] < 0.05]
        if hits.empty:
            assert f"No frame difference reached q < 0.05 ({len(rows)} compared)." in block
            continue
        top = hits.loc[hits["difference"].abs().idxmax()]
        line = f"    - {names[top['item']]}: **{100 * top['difference']:+.1f} pp**"
        assert line in block
        assert f"    - {top['item']}:" not in block or names[top["item"]] == top["item"]
    # the planted difference: more security, military words, positive signs
    block = section.split(f"- **outlet = {PLANTED_OUTLET}**")[1].split("\n- **")[0]
    security = frames.query("group == @PLANTED_OUTLET and item == 'security_defense'").iloc[0]
    assert security["difference"] > 0 and security["q_value"] < 0.05
    assert f"    - Security and defense: **{100 * security['difference']:+.1f} pp**" in block
    assert "security_defense" not in section
    words = next(x for x in block.splitlines() if f"Words used more by {PLANTED_OUTLET} (" in x)
    assert re.search(rf"({'|'.join(MILITARY_WORDS)}) \+\d\.\d\d \(\+", words)
    # frames the codebook never finds (share 0 everywhere) are never listed
    assert "Morality" not in section
    # the keyness lines are the table's: every term listed has q < 0.05 in its direction
    keyness = read(results / "tables" / "compare_keyness.csv")
    listed = [x for x in section.splitlines() if x.startswith("  - Words used more by ")]
    assert len(listed) == 2 * len(outlets)
    significant = set(keyness.loc[keyness["q_value"] < 0.05, "term"])
    for line in listed:
        if "q < 0.05): " in line:
            parts = line.split("q < 0.05): ")[1].split("), ")
            terms = [re.match(r"(.+) [+-]\d+\.\d\d \(", t).group(1) for t in parts]
            assert 1 <= len(terms) <= 3 and set(terms) <= significant
