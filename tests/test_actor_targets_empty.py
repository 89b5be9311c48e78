"""No actors at all (actors: {} and no targets): the actor tables are written with their
header and no rows, the figures say so; and the ActorUnitSums crash when no sentence names
an actor alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_workdir, run_snakemake
from newslens.sentiment import ActorUnitSums, actor_summary


def test_unit_sums_when_no_sentence_names_an_actor_alone():
    t = pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d2", "d2"],
            "sent_id": [0, 0, 0, 0],
            "actor": ["A", "B", "A", "B"],
            "n_mentions": [1, 1, 2, 1],
            "n_actors": [2, 2, 2, 2],
            "alone": [False] * 4,
            "compound": [0.5, 0.5, -0.2, -0.2],
            "is_negative": [0.0, 0.0, 1.0, 1.0],
            "is_neutral": [0.0] * 4,
            "is_positive": [1.0, 1.0, 0.0, 0.0],
            "doc_rank": [0, 0, 1, 1],
        }
    )
    sums = ActorUnitSums(pd.Index(["A", "B"], dtype=object))
    sums.add(t)  # used to raise "zip() argument 2 is longer than argument 1"
    units = sums.units()
    assert set(units) == {("A", "all"), ("B", "all")}
    s, n_sent, n_ment = units[("A", "all")]
    np.testing.assert_allclose(s[:, 0], [0.5, -0.2])
    assert list(n_ment) == [1, 2]
    summary = actor_summary(t, ["A", "B"], units=units, resamples=50, min_articles=1)
    alone = summary[summary.scope == "alone"]
    assert list(alone["n_sentences"]) == [0, 0]
    assert summary.loc[summary.scope == "all", "mean_compound"].round(2).tolist() == [0.15, 0.15]


def test_summary_of_no_actors_has_the_header():
    summary = actor_summary(pd.DataFrame(), [], units={})
    assert len(summary) == 0
    assert {"actor", "scope", "n_sentences", "mean_compound", "ci_method"} <= set(summary.columns)


FILLER = (
    "The council said on Monday that the plan would go ahead as agreed, and officials added "
    "that more details would follow in the coming weeks."
)


@pytest.fixture(scope="module")
def empty_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("no_actors")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"a{i}.txt").write_text(f"Headline {i}\n\nArmenia and Russia met. {FILLER}\n")
    workdir = make_workdir(tmp, corpus, actors={})
    run_snakemake(
        workdir,
        "results/tables/sentiment_actors.csv",
        "results/tables/frames_actors.csv",
    )
    return workdir / "results"


def test_no_actors_tables_have_header_and_no_rows(empty_run):
    for name in ("sentiment_actors", "frames_actors", "actor_targets"):
        table = pd.read_csv(empty_run / "tables" / f"{name}.csv")
        assert len(table) == 0, name
        assert "actor" in table.columns, name
    mentions = pd.read_parquet(empty_run / "interim" / "actors" / "1-of-2.parquet")
    assert len(mentions) == 0 and "actor" in mentions.columns


def test_no_actors_figures_say_so(empty_run):
    for name in ("sentiment_actors", "frames_actors"):
        svg = (empty_run / "figures" / f"{name}.svg").read_text()
        assert "No actors configured" in svg, name
