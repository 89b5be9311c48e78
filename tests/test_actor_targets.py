"""Per-article actor targets: a corpus column or a table, the same alias under different
actors in different articles, and the pipeline tables built from them."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_workdir, run_snakemake
from newslens.actors import (
    DocTargets,
    find_actor_mentions,
    last_word,
    split_names,
    targets_from_column,
    targets_from_table,
)
from newslens.runtime import NewslensError


def sentences(rows):
    """A sentence table from (doc_id, sent_id, text) rows."""
    return pd.DataFrame(
        [{"doc_id": d, "para_id": 0, "sent_id": s, "start": 100 * s, "text": t} for d, s, t in rows]
    )


def found(table):
    return list(table[["doc_id", "sent_id", "actor", "alias"]].itertuples(index=False, name=None))


def test_split_names():
    assert split_names(" Colin  Kaepernick ;Kaepernick;; Colin Kaepernick") == [
        "Colin Kaepernick",
        "Kaepernick",
    ]
    assert split_names(None) == []
    assert split_names(float("nan")) == []


def test_column_targets_match_only_in_their_article():
    docs = pd.DataFrame(
        {"doc_id": ["a1", "a2", "a3"], "target": ["Colin Kaepernick", "Kaepernick", None]}
    )
    targets = DocTargets(targets_from_column(docs, "target"))
    s = sentences(
        [
            ("a1", 0, "Colin Kaepernick's protest divided the league."),
            ("a1", 1, "Kaepernick alone is not the entity string here."),
            ("a2", 0, "Colin Kaepernick knelt; Kaepernick said he would again."),
            ("a3", 0, "Colin Kaepernick is no target of this article."),
        ]
    )
    got = find_actor_mentions(s, {}, targets)
    assert found(got) == [
        ("a1", 0, "Colin Kaepernick", "Colin Kaepernick"),
        ("a2", 0, "Kaepernick", "Kaepernick"),  # inside "Colin Kaepernick": a2's own alias
        ("a2", 0, "Kaepernick", "Kaepernick"),
    ]
    # offsets point into the article text, the possessive is not part of the span
    first = got.iloc[0]
    assert (first.start, first.end) == (0, len("Colin Kaepernick"))
    assert list(got["start"].iloc[1:]) == [6, s.text[2].index("Kaepernick said")]


def test_last_word_of_a_target_name_is_an_alias_in_its_article():
    assert [last_word(n) for n in ["Fernando Lugo", "Nouri al-Maliki", "Madonna", "Ma X"]] == [
        "Lugo",
        "al-Maliki",
        None,
        None,
    ]
    docs = pd.DataFrame(
        {
            "doc_id": ["a1", "a2", "a3"],
            "target": ["Fernando Lugo", "Gordon Brown;Sarah Brown", "-- Donald Trump"],
        }
    )
    t = targets_from_column(docs, "target", last_words=True)
    assert sorted(map(tuple, t.to_numpy())) == [
        ("a1", "Fernando Lugo", "Fernando Lugo"),
        ("a1", "Fernando Lugo", "Lugo"),
        ("a2", "Gordon Brown", "Gordon Brown"),  # "Brown" would not say which one
        ("a2", "Sarah Brown", "Sarah Brown"),
        ("a3", "-- Donald Trump", "-- Donald Trump"),
        ("a3", "-- Donald Trump", "Trump"),
    ]
    s = sentences(
        [
            ("a1", 0, "Fernando Lugo, a former bishop, won. Lugo's allies cheered."),
            ("a3", 0, "Supporters of Trump gathered."),
            ("a2", 0, "Lugo is not a target here, nor is Brown."),
        ]
    )
    got = find_actor_mentions(s, {}, DocTargets(t))
    assert found(got) == [
        ("a1", 0, "Fernando Lugo", "Fernando Lugo"),
        ("a1", 0, "Fernando Lugo", "Lugo"),
        ("a3", 0, "-- Donald Trump", "Trump"),
    ]
    # aliases given in a table are used as given
    table = pd.DataFrame({"doc_id": ["d"], "actor": ["Fernando Lugo"], "aliases": ["the bishop"]})
    cols = {"doc_id": "doc_id", "actor": "actor", "aliases": "aliases"}
    assert list(targets_from_table(table, cols, last_words=True)["alias"]) == ["the bishop"]


def test_same_alias_two_actors_in_two_articles_with_global_actors():
    table = pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d2"],
            "actor": ["Mayor Smith", "Senator Smith", "Jones"],
            "aliases": ["Smith; the mayor", "Smith", None],
        }
    )
    t = targets_from_table(table, {"doc_id": "doc_id", "actor": "actor", "aliases": "aliases"})
    assert len(t) == 4
    s = sentences(
        [
            ("d1", 0, "Smith met NATO officials; the mayor spoke first."),
            ("d2", 0, "Smith and Jones criticised NATO."),
            ("d3", 0, "Smith, Jones and NATO: none of them targets here."),
        ]
    )
    got = find_actor_mentions(s, {"NATO": ["NATO"]}, DocTargets(t))
    assert found(got) == [
        ("d1", 0, "Mayor Smith", "Smith"),
        ("d1", 0, "NATO", "NATO"),
        ("d1", 0, "Mayor Smith", "the mayor"),
        ("d2", 0, "Senator Smith", "Smith"),
        ("d2", 0, "Jones", "Jones"),
        ("d2", 0, "NATO", "NATO"),
        ("d3", 0, "NATO", "NATO"),
    ]


def test_target_equal_to_global_actor_counts_once():
    docs = pd.DataFrame({"doc_id": ["a"], "target": ["NATO"]})
    s = sentences([("a", 0, "NATO and NATO again.")])
    got = find_actor_mentions(
        s, {"NATO": ["NATO"]}, DocTargets(targets_from_column(docs, "target"))
    )
    assert found(got) == [("a", 0, "NATO", "NATO")] * 2


def test_alias_of_two_actors_in_one_article_is_an_error():
    table = pd.DataFrame(
        {"doc_id": ["d1", "d1"], "actor": ["A", "B"], "aliases": ["Smith", "Smith"]}
    )
    # named with both rows when the table is read (before: when the matchers were built)
    with pytest.raises(NewslensError, match="row 2: alias 'Smith' of actor 'B' in article d1"):
        targets_from_table(table, {"doc_id": "doc_id", "actor": "actor", "aliases": "aliases"})


def test_target_table_errors_name_the_row():
    table = pd.DataFrame({"doc_id": ["d1", None], "actor": ["A", "B"]})
    with pytest.raises(NewslensError, match="t.csv: row 2: empty doc_id"):
        targets_from_table(table, {"doc_id": "doc_id", "actor": "actor"}, source="t.csv")
    with pytest.raises(NewslensError, match="column 'who' is not in t.csv"):
        targets_from_table(table, {"doc_id": "doc_id", "actor": "who"}, source="t.csv")


FILLER = (
    "The league said on Monday that the season would go ahead as planned, and officials "
    "added that more details would follow in the coming weeks."
)


@pytest.fixture(scope="module")
def target_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("targets")
    rows = [
        ("p1", "Colin Kaepernick", "Colin Kaepernick was praised warmly for his courage. "),
        ("p2", "Kaepernick", "Colin Kaepernick was attacked in a hateful, cruel rant. "),
        ("p3", "Nike;Colin Kaepernick", "Nike's ad with Colin Kaepernick won a great award. "),
        ("p4", "Jones", "Nothing here names the target at all. "),
        # the last article by id names its actors only in pairs (once crashed ActorUnitSums)
        ("p5", "Jones", "Jones and NATO talked. Jones thanked NATO warmly. "),
    ]
    corpus = pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "text": [r[2] + FILLER for r in rows],
            "entity": [r[1] for r in rows],
        }
    )
    corpus.to_csv(tmp / "corpus.csv", index=False)
    pd.DataFrame(
        {"doc_id": ["p4", "zz"], "actor": ["Mayor", "Ghost"], "aliases": ["the league", ""]}
    ).to_csv(tmp / "targets.csv", index=False)
    workdir = make_workdir(
        tmp,
        tmp / "corpus.csv",
        corpus__columns__id="id",
        corpus__columns__target="entity",
        actor_targets__file=str(tmp / "targets.csv"),
        actors={"NATO": ["NATO"]},
    )
    run_snakemake(
        workdir,
        "results/tables/sentiment_actors.csv",
        "results/tables/frames_actors.csv",
        "results/tables/documents.csv",
    )
    return workdir / "results" / "tables"


def test_pipeline_targets_reach_documents_mentions_sentiment_and_frames(target_run):
    docs = pd.read_csv(target_run / "documents.csv")
    assert dict(zip(docs["doc_id"], docs["entity"], strict=True))["p3"] == "Nike;Colin Kaepernick"
    targets = pd.read_csv(target_run / "actor_targets.csv", keep_default_na=False)
    got = {(r.doc_id, r.actor): (r.n_mentions, r.status) for r in targets.itertuples()}
    assert got == {
        ("p1", "Colin Kaepernick"): (1, "named"),
        ("p2", "Kaepernick"): (1, "named"),
        ("p3", "Colin Kaepernick"): (1, "named"),
        ("p3", "Nike"): (1, "named"),
        ("p4", "Jones"): (0, "never_named"),
        ("p4", "Mayor"): (1, "named"),
        ("p5", "Jones"): (2, "named"),
        ("zz", "Ghost"): (0, "article_not_in_corpus"),
    }
    sent = pd.read_csv(target_run / "sentiment_actors.csv")
    allscope = sent[sent.scope == "all"].set_index("actor")
    assert list(allscope.index) == [
        "NATO",
        "Colin Kaepernick",
        "Jones",
        "Kaepernick",
        "Mayor",
        "Nike",
    ]
    assert allscope.loc["Colin Kaepernick", "n_articles"] == 2
    assert allscope.loc["Jones", "n_sentences"] == 2
    alone = sent[sent.scope == "alone"].set_index("actor")
    assert alone.loc["Jones", "n_sentences"] == 0 and alone.loc["NATO", "n_sentences"] == 0
    assert allscope.loc["Kaepernick", "mean_compound"] < 0 < allscope.loc["Nike", "mean_compound"]
    frames = pd.read_csv(target_run / "frames_actors.csv")
    n = frames.groupby("actor")["n_actor_sentences"].max()
    assert n.to_dict() == {
        "Colin Kaepernick": 2,
        "Jones": 2,
        "Kaepernick": 1,
        "Mayor": 1,
        "NATO": 2,
        "Nike": 1,
    }
