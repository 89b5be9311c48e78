"""The compare stage in the pipeline: the seed run (no compare.by) writes empty tables with
headers and figures that say what to configure; the 3-outlet test corpus gives a comparison per
outlet and per month; a compare.by column that is not metadata fails with a clear message."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO, make_workdir, run_snakemake
from newslens import compare as cp
from newslens import compare_evidence as ce

TEST_CORPUS = REPO / ".test" / "corpus" / "articles.csv"
TARGETS = [
    "results/tables/compare_keyness.csv",
    "results/tables/compare_frames.csv",
    "results/tables/compare_actors.csv",
    "results/tables/compare_topics.csv",
    "results/tables/compare_kwic.csv",
    "results/tables/compare_frame_examples.csv",
]


def test_seed_run_writes_empty_comparison(seed_tables):
    key = pd.read_csv(seed_tables / "compare_keyness.csv")
    assert key.empty and list(key.columns) == cp.KEYNESS_COLUMNS
    for kind in ("frames", "actors", "topics"):
        tab = pd.read_csv(seed_tables / f"compare_{kind}.csv")
        assert tab.empty and list(tab.columns) == cp.SHARE_COLUMNS
    assert list(pd.read_csv(seed_tables / "compare_kwic.csv").columns) == ce.KWIC_COLUMNS
    examples = pd.read_csv(seed_tables / "compare_frame_examples.csv")
    assert examples.empty and list(examples.columns) == ce.EXAMPLE_COLUMNS
    figures = seed_tables.parent / "figures"
    svg = (figures / "compare_keyness.svg").read_text()
    assert "compare.by" in svg
    assert "compare.by" in (figures / "compare_frames.svg").read_text()


@pytest.fixture(scope="module")
def outlet_run(tmp_path_factory):
    if not TEST_CORPUS.exists():
        pytest.skip(".test corpus not present")
    wd = make_workdir(
        tmp_path_factory.mktemp("compare_outlets"),
        corpus=TEST_CORPUS,
        corpus__format="csv",
        corpus__columns={"text": "text", "id": "id", "title": "title", "date": "date"},
        corpus__metadata=["outlet", "country"],
        actors={"Veloria": ["Veloria", "Morel"], "Kastan": ["Kastan"]},
        compare__by=["outlet", "month"],
        compare__reference="rest",
        compare__min_articles=3,
        compare__bootstrap={"resamples": 200, "seed": 1},
        compare__kwic={"terms": ["ceasefire"], "top_keyness": 2, "window": 4, "max_rows": 3},
    )
    run_snakemake(wd, *TARGETS)
    return wd


def test_outlet_comparisons(outlet_run):
    tables = outlet_run / "results" / "tables"
    docs = pd.read_csv(tables / "documents.csv")
    key = pd.read_csv(tables / "compare_keyness.csv", keep_default_na=False)
    outlets = sorted(docs["outlet"].unique())
    assert sorted(key.loc[key["variable"] == "outlet", "group"].unique()) == outlets
    assert set(key["reference"]) == {"rest"}
    assert (key["count_group"] + key["count_reference"] >= 5).all()
    one = key[key["variable"] == "outlet"].groupby("group")
    # totals: each outlet's total plus the rest's total is the same corpus total
    totals = one[["total_group", "total_reference"]].first().sum(axis=1)
    assert totals.nunique() == 1
    frames = pd.read_csv(tables / "compare_frames.csv")
    per_outlet = frames[frames["variable"] == "outlet"]
    assert per_outlet["n_group"].max() == docs["outlet"].value_counts().max()
    assert set(frames["variable"]) == {"outlet", "month"}
    assert (
        frames["difference"].sub(frames["mean_group"] - frames["mean_reference"]).abs().max() < 1e-5
    )
    actors = pd.read_csv(tables / "compare_actors.csv")
    assert set(actors["item"]) <= {"Veloria", "Kastan"} and len(actors) > 0
    topics = pd.read_csv(tables / "compare_topics.csv")
    assert topics["item"].str.match(r"^\d+: \w").all()  # labelled from topic_summary.csv


def test_unknown_compare_column_fails_clearly(tmp_path):
    wd = make_workdir(tmp_path, compare__by=["outlet"])
    proc = run_snakemake(wd, "results/tables/compare_frames.csv", check=False)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "compare.by" in text and "'outlet' is not a column" in text
    assert "Traceback" not in text


def test_outlet_evidence(outlet_run):
    tables = outlet_run / "results" / "tables"
    kwic = pd.read_csv(tables / "compare_kwic.csv", keep_default_na=False)
    ceasefire = kwic[kwic["source"] == "config"]
    assert set(ceasefire["term"]) == {"ceasefire"}
    assert ceasefire["keyword"].str.lower().str.startswith("ceasefire").all()
    assert ceasefire.groupby(["variable", "group"]).size().max() <= 3
    assert (ceasefire["left"].str.split().str.len() <= 4).all()
    key = pd.read_csv(tables / "compare_keyness.csv", keep_default_na=False)
    top = key[key["direction"] == "group"].groupby(["variable", "group"]).head(2)
    from_keyness = kwic[kwic["source"] == "keyness"]
    assert set(from_keyness["term"]) <= set(top["term"])
    examples = pd.read_csv(tables / "compare_frame_examples.csv", keep_default_na=False)
    assert len(examples) > 0 and (examples["text"].str.len() > 0).all()
    assert examples.groupby(["variable", "group", "frame"]).size().max() <= 3
