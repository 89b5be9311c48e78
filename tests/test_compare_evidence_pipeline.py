"""The new compare outputs in the pipeline: actor x frame by group, actor x group examples,
frames/actors/topics over time with period-adjusted effects, and the evidence tables as
interactive report pages - on the 3-outlet test corpus (content checked against the stage's
inputs) and on the seed (empty tables with headers, figures that say what to configure)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO, make_workdir, run_snakemake
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_evidence as ce
from newslens import compare_over_time as ct

TEST_CORPUS = REPO / ".test" / "corpus" / "articles.csv"
TARGETS = [
    "results/tables/compare_actor_frames.csv",
    "results/tables/compare_actor_examples.csv",
    "results/tables/compare_topics_time.csv",
    "results/tables/compare_actors_time.csv",
    "results/report_tables/compare_kwic.html",
]


def test_seed_run_writes_empty_new_comparisons(seed_tables):
    tables = {
        "compare_actor_frames.csv": ca.ACTOR_FRAME_COLUMNS,
        "compare_actor_examples.csv": ce.ACTOR_EXAMPLE_COLUMNS,
    }
    for kind in ("frames", "actors", "topics"):
        tables[f"compare_{kind}_time.csv"] = ct.TIME_COLUMNS
        tables[f"compare_{kind}_effects.csv"] = ct.EFFECT_COLUMNS
    for name, columns in tables.items():
        tab = pd.read_csv(seed_tables / name)
        assert tab.empty and list(tab.columns) == columns, name
    figures = seed_tables.parent / "figures"
    for name in ("compare_actor_frames", "compare_topics_time", "compare_actors_time"):
        assert "compare.by" in (figures / f"{name}.svg").read_text(), name
    page = (seed_tables.parent / "report_tables" / "compare_actor_examples.html").read_text()
    assert "Example sentences per actor and group" in page and "0 rows" in page


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not TEST_CORPUS.exists():
        pytest.skip(".test corpus not present")
    wd = make_workdir(
        tmp_path_factory.mktemp("compare_evidence"),
        corpus=TEST_CORPUS,
        corpus__format="csv",
        corpus__columns={"text": "text", "id": "id", "title": "title", "date": "date"},
        corpus__metadata=["outlet", "country"],
        actors={"Veloria": ["Veloria", "Morel"], "Kastan": ["Kastan"], "Alliance": ["Alliance"]},
        compare__by=["outlet"],
        compare__reference="rest",
        compare__min_articles=3,
        compare__bootstrap={"resamples": 200, "seed": 1},
        compare__kwic={"terms": ["ceasefire"], "top_keyness": 2, "window": 4, "max_rows": 3},
        compare__time={"period": "week"},
    )
    run_snakemake(wd, *TARGETS)
    return wd / "results"


def test_actor_frames_match_the_sentence_tables(run):
    tables = run / "tables"
    tab = pd.read_csv(tables / "compare_actor_frames.csv", keep_default_na=False)
    docs = pd.read_csv(tables / "documents.csv", dtype=str)
    actors = pd.read_parquet(tables / "sentiment_actor_sentences")
    frames = pd.read_parquet(tables / "frames_sentences")  # a partitioned dataset
    assert set(tab["actor"]) == set(actors["actor"]) and set(tab["group"]) == set(docs["outlet"])
    codebook = {c.removeprefix("share_") for c in frames.columns if c.startswith("share_")}
    assert set(tab["frame"]) == codebook - {"none"}
    # recompute one cell by hand: Kastan x security_defense in each outlet
    joined = actors.merge(frames, on=["doc_id", "sent_id"]).merge(
        docs[["doc_id", "outlet"]], on="doc_id"
    )
    kastan = joined[joined["actor"] == "Kastan"]
    per_article = kastan.groupby(["outlet", "doc_id"])["share_security_defense"].mean()
    for outlet, row in (
        tab[(tab["actor"] == "Kastan") & (tab["frame"] == "security_defense")]
        .set_index("group")
        .iterrows()
    ):
        assert row["mean_group"] == pytest.approx(per_article[outlet].mean(), abs=1e-5)
        assert row["n_group"] == len(per_article[outlet])
        assert row["sentences_group"] == (kastan["outlet"] == outlet).sum()
        assert row["n_group"] + row["n_reference"] == kastan["doc_id"].nunique()
        assert row["low_group"] <= row["mean_group"] + 1e-6 <= row["high_group"] + 2e-6
    assert tab["q_value"].dropna().between(0, 1).all()


def test_actor_examples_are_sentences_naming_the_actor(run):
    tables = run / "tables"
    ex = pd.read_csv(tables / "compare_actor_examples.csv", keep_default_na=False)
    assert len(ex) > 0 and ex.groupby(["variable", "group", "actor"]).size().max() <= 3
    aliases = {"Veloria": ("Veloria", "Morel"), "Kastan": ("Kastan",), "Alliance": ("Alliance",)}
    for actor, text in zip(ex["actor"], ex["text"], strict=True):
        assert any(a in text for a in aliases[actor]), (actor, text)
    docs = pd.read_csv(tables / "documents.csv", dtype=str).set_index("doc_id")
    assert (docs.loc[ex["doc_id"], "outlet"].to_numpy() == ex["group"].to_numpy()).all()


def test_topics_over_time(run):
    tables = run / "tables"
    prev = pd.read_csv(tables / "compare_topics_time.csv", keep_default_na=False)
    eff = pd.read_csv(tables / "compare_topics_effects.csv", keep_default_na=False)
    docs = pd.read_csv(tables / "documents.csv", dtype=str)
    weeks = cp.period_labels(docs["date"], "week")
    assert set(prev["period"]) == set(weeks)
    one_topic = prev[prev["item"] == prev["item"].iloc[0]]
    assert one_topic["n_articles"].sum() == len(docs)
    # each outlet's topic shares average to 1 in every week (shares of an article sum to 1)
    sums = prev.groupby(["group", "period"])["mean"].sum()
    assert (sums - 1).abs().max() < 1e-4
    assert set(eff["group"]) == set(docs["outlet"]) and set(eff["reference"]) == {"rest"}
    assert (eff["periods"] <= weeks.nunique()).all()
    assert ((eff["low"] <= eff["estimate"] + 1e-6) & (eff["estimate"] <= eff["high"] + 1e-6)).all()
    assert eff["item"].str.match(r"^\d+: \w").all()
    actors = pd.read_csv(tables / "compare_actors_time.csv", keep_default_na=False)
    assert set(actors["item"]) <= {"Veloria", "Kastan", "Alliance"} and len(actors) > 0


def test_evidence_tables_in_the_report(run):
    page = (run / "report_tables" / "compare_kwic.html").read_text()
    kwic = pd.read_csv(run / "tables" / "compare_kwic.csv", keep_default_na=False)
    assert "Keyword in context" in page and f"{len(kwic):,} rows" in page
    assert "compare_kwic.csv" in page and kwic["right"].iloc[0] in page
    examples = (run / "report_tables" / "compare_actor_examples.html").read_text()
    assert "Example sentences per actor and group" in examples
    ex = pd.read_csv(run / "tables" / "compare_actor_examples.csv", keep_default_na=False)
    assert f"{len(ex):,} rows" in examples and ex["doc_id"].iloc[0] in examples
