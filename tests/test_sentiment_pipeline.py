"""End to end: the sentiment stage on the seed, and one run on a synthetic table corpus with
outlets and dates plus the supervised and validation options."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_workdir, planned_rules, run_snakemake

ACTORS = ["Armenia", "Azerbaijan", "Russia", "CSTO", "NATO", "Ukraine"]


def test_seed_sentence_scores(seed_tables):
    s = pd.read_parquet(seed_tables / "sentiment_sentences")
    sentences = pd.read_parquet(seed_tables / "sentences")
    assert len(s) == len(sentences) == 25
    assert s["sent_id"].tolist() == list(range(25))
    assert list(s.columns) == [
        "doc_id",
        "para_id",
        "sent_id",
        "neg",
        "neu",
        "pos",
        "compound",
        "label",
        "text",
    ]
    by_text = s.set_index("text")["compound"]
    # known answers (vaderSentiment 3.3.2) on the seed's own sentences
    assert by_text["CSTO did not give a clear political assessment of what was happening."] == (
        -0.2924
    )
    assert by_text["Our goal is not to provoke a war between the CSTO and Azerbaijan."] == -0.3903
    assert s["label"].value_counts().to_dict() == {"positive": 12, "negative": 9, "neutral": 4}
    csv = pd.read_csv(seed_tables / "sentiment_sentences.csv")
    assert csv["compound"].tolist() == s["compound"].tolist()


def test_seed_document_and_paragraph_tables(seed_tables):
    s = pd.read_parquet(seed_tables / "sentiment_sentences")
    docs = pd.read_csv(seed_tables / "sentiment_documents.csv")
    assert len(docs) == 1
    d = docs.iloc[0]
    assert d["n_sentences"] == 25 and d["date"] == "2022-11-23"
    assert d["mean_compound"] == pytest.approx(s["compound"].mean(), abs=1e-4)
    assert d["mean_compound_ci_low"] < d["mean_compound"] < d["mean_compound_ci_high"]
    assert d["share_negative"] + d["share_neutral"] + d["share_positive"] == pytest.approx(1)
    paras = pd.read_parquet(seed_tables / "sentiment_paragraphs")
    assert paras["para_id"].tolist() == list(range(13))
    assert paras["n_sentences"].sum() == 25
    groups = pd.read_csv(seed_tables / "sentiment_groups.csv")
    assert groups[["group_by", "group", "n_articles"]].values.tolist() == [
        ["corpus", "all", 1],
        ["month", "2022-11", 1],
    ]


def test_seed_actor_table(seed_tables, seed_run):
    a = pd.read_csv(seed_tables / "sentiment_actors.csv")
    allr = a[a.scope == "all"].set_index("actor")
    assert list(allr.index) == ACTORS
    assert (allr["n_sentences"] > 0).all()  # every configured actor occurs in the seed
    assert allr.loc["CSTO", "n_sentences"] == 17 and allr.loc["NATO", "n_sentences"] == 1
    # the one sentence naming NATO (and Ukraine, Armenia, Azerbaijan, Russia) scores -0.1513
    assert allr.loc["NATO", "mean_compound"] == -0.1513
    assert np.isnan(allr.loc["NATO", "mean_compound_ci_low"])  # one sentence: no interval
    alone = a[a.scope == "alone"].set_index("actor")
    assert alone.loc["NATO", "n_sentences"] == 0 and alone.loc["CSTO", "n_sentences"] > 0
    mentions = pd.concat(
        pd.read_parquet(p) for p in sorted((seed_run / "results/interim/actors").glob("*.parquet"))
    )
    assert set(mentions["actor"]) == set(ACTORS)
    assert ("Russia", "Russian Federation") in set(zip(mentions.actor, mentions.alias, strict=True))


def test_seed_figures(seed_run):
    fig = seed_run / "results" / "figures"
    for name in ("arc", "actors", "distribution", "time", "groups"):
        png = fig / f"sentiment_{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        assert (fig / f"sentiment_{name}.svg").stat().st_size > 1000
    assert "Ukraine" in (fig / "sentiment_actors.svg").read_text()
    assert "one month" in (fig / "sentiment_time.svg").read_text()
    assert "No metadata columns" in (fig / "sentiment_groups.svg").read_text()


# --------------------------------------------------------------------------- synthetic run

POS = [
    "{a} welcomed the peace agreement as a great success.",
    "Leaders praised the friendly and constructive talks with {a}.",
    "{a} offered generous support and hope for lasting peace.",
    "The visit by {a} was a wonderful sign of progress.",
]
NEG = [
    "{a} was accused of a brutal attack that killed civilians.",
    "Shelling near the border left {a} in crisis and fear.",
    "Officials in {a} condemned the terrible violence and threats.",
    "The war waged by {a} caused horrible suffering.",
]
NEU = [
    "The delegation of {a} arrived on Tuesday.",
    "A report on {a} was published by the ministry.",
    "The meeting with {a} is scheduled for next week.",
    "{a} sent a letter to the committee.",
]
NAMES = ["Armenia", "Azerbaijan", "Moscow", "NATO", "Kyiv", "the committee"]


def synthetic_corpus(n=36, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        outlet = ["Daily A", "Herald B", "Times C"][i % 3]
        tone = {"Daily A": 0.7, "Herald B": 0.3, "Times C": 0.5}[outlet]
        sents = []
        for k in range(10):
            pool = POS if rng.random() < tone else NEG
            pool = NEU if rng.random() < 0.3 else pool
            sents.append(
                pool[rng.integers(len(pool))].format(a=NAMES[rng.integers(6)])
                + f" It was day {i * 10 + k}."
            )
        month = ["2023-01", "2023-02", "2023-03"][i % 3 if i < 18 else (i // 3) % 3]
        rows.append(
            {
                "id": f"a{i:02d}",
                "title": f"Story {i}",
                "date": f"{month}-1{i % 9}",
                "outlet": outlet,
                "text": "\n\n".join(" ".join(sents[j : j + 2]) for j in range(0, 10, 2)),
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def options_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sentiment_options")
    corpus = tmp / "corpus.csv"
    synthetic_corpus().to_csv(corpus, index=False)
    labeled = tmp / "labeled.csv"
    rows = [
        {"text": t.format(a=n), "label": lab}
        for lab, pool in (("positive", POS), ("negative", NEG), ("neutral", NEU))
        for t in pool
        for n in NAMES
    ]
    pd.DataFrame(rows).to_csv(labeled, index=False)
    gold = tmp / "gold.tsv"
    g = pd.DataFrame(
        {
            "sentence": [
                t.format(a=n) for pool in (POS, NEG, NEU) for t in pool for n in NAMES[:3]
            ],
            "stars": [6] * 12 + [1] * 12 + [4] * 12,
        }
    )
    g.to_csv(gold, sep="\t", index=False)
    workdir = make_workdir(
        tmp,
        corpus=corpus,
        corpus__columns__id="id",
        corpus__columns__title="title",
        corpus__columns__date="date",
        corpus__metadata=["outlet"],
        cleaning__dedup__near=False,
        sentiment__bootstrap__min_articles=20,
        sentiment__supervised__file=str(labeled),
        sentiment__supervised__folds=4,
        sentiment__validation__file=str(gold),
        sentiment__validation__text_column="sentence",
        sentiment__validation__rating_column="stars",
        sentiment__validation__rating_thresholds={"negative_max": 2, "positive_min": 5},
    )
    run_snakemake(workdir)
    return workdir


def test_options_groups_and_time(options_run):
    t = options_run / "results" / "tables"
    docs = pd.read_csv(t / "sentiment_documents.csv")
    assert len(docs) == 36 and set(docs["outlet"]) == {"Daily A", "Herald B", "Times C"}
    groups = pd.read_csv(t / "sentiment_groups.csv").set_index(["group_by", "group"])
    assert groups.loc[("month", "2023-02"), "n_articles"] == 12
    out = groups.loc["outlet"]
    # Daily A was written with 70 % positive sentences, Herald B with 30 %
    assert out.loc["Daily A", "mean_compound"] > out.loc["Herald B", "mean_compound"]
    assert out.loc["Daily A", "mean_compound_ci_low"] > out.loc["Herald B", "mean_compound_ci_high"]
    svg = (options_run / "results" / "figures" / "sentiment_time.svg").read_text()
    assert "2023-03" in svg
    assert "Herald B" in (options_run / "results" / "figures" / "sentiment_groups.svg").read_text()
    actors = pd.read_csv(t / "sentiment_actors.csv").set_index(["actor", "scope"])
    assert actors.loc[("Armenia", "all"), "n_articles"] >= 20
    assert actors.loc[("Armenia", "all"), "ci_unit"] == "article"


def test_options_supervised(options_run):
    t = options_run / "results" / "tables"
    m = pd.read_csv(t / "sentiment_supervised_metrics.csv").set_index("class")
    assert m.loc["macro avg", "support"] == 72
    assert m.loc["accuracy", "f1"] > 0.8
    agree = pd.read_csv(t / "sentiment_supervised_agreement.csv")
    assert 0.5 < agree["share_identical"].iloc[0] <= 1
    cross = pd.read_csv(t / "sentiment_supervised_crosstab.csv")
    assert list(cross.columns) == ["vader", "supervised", "n"] and len(cross) == 9
    assert cross["n"].sum() == agree["n_sentences"].iloc[0]
    s = pd.read_parquet(t / "sentiment_supervised_sentences.parquet")
    assert len(s) == len(pd.read_parquet(t / "sentiment_sentences"))
    assert (options_run / "results" / "figures" / "sentiment_supervised.png").exists()


def test_options_validation(options_run):
    t = options_run / "results" / "tables"
    c = pd.read_csv(t / "sentiment_validation_correlations.csv").set_index("measure")
    assert c.loc["pearson", "n"] == 36 and c.loc["pearson", "r"] > 0.7
    m = pd.read_csv(t / "sentiment_validation_metrics.csv").set_index("class")
    assert m.loc["positive", "recall"] == 1.0
    conf = pd.read_csv(t / "sentiment_validation_confusion.csv")
    assert conf["n"].sum() == 36
    svg = (options_run / "results" / "figures" / "sentiment_validation.svg").read_text()
    assert "Pearson" in svg


def test_bad_gold_file_is_a_clear_error(options_run, tmp_path):
    workdir = tmp_path / "w"
    shutil.copytree(options_run, workdir, symlinks=True)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["sentiment"]["validation"]["rating_column"] = "rating"
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    proc = run_snakemake(
        workdir, "results/tables/sentiment_validation_correlations.csv", check=False
    )
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    # stopped before any job, naming the key, the missing column and the file's columns
    assert "config key sentiment.validation.rating_column: column 'rating' is not in" in out
    assert "before any job ran" in out and "rule sentiment_validation" not in out


def test_config_changes_rerun_only_what_they_affect(seed_run, tmp_path):
    workdir = tmp_path / "w"
    shutil.copytree(seed_run, workdir, symlinks=True)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    targets = ["results/tables/sentiment_actors.csv", "results/figures/sentiment_arc.png"]
    cfg["actors"]["NATO"] = ["NATO", "North Atlantic Alliance", "Alliance"]
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    # actor_articles joins each shard's mentions to its scores for sentiment_actors
    rules = planned_rules(workdir, *targets)
    assert rules == {"actor_mentions", "actor_articles", "sentiment_actors"}
    cfg["sentiment"]["bootstrap"]["resamples"] = 500
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    rules = planned_rules(workdir, *targets)
    # the units are computed by sentiment_score (sent4), beside the scores
    assert {"sentiment_score", "sentiment_tables", "sentiment_actors"} <= rules
    assert not rules & {"tokens_tokenize", "clean"}
    cfg["sentiment"]["thresholds"]["positive"] = 0.1
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    rules = planned_rules(workdir, *targets)
    assert "sentiment_score" in rules and "tokens_tokenize" not in rules
