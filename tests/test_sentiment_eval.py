"""Supervised and validation modes on small synthetic labeled sets with known outcomes, and
the errors for bad coded files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens.runtime import NewslensError
from newslens.sentiment_eval import (
    agreement,
    agreement_from_counts,
    check_folds,
    classification_metrics,
    confusion_table,
    correlation_row,
    cross_validate,
    make_splitter,
    rating_labels,
    read_coded_file,
    split_sentences,
    vader_text_scores,
    validation_report,
)
from newslens.vader import FastVader

POS = ["peace", "agreement", "success", "friendly", "progress", "support", "hope"]
NEG = ["war", "attack", "killed", "crisis", "threat", "failure", "shelling"]
NEU = ["meeting", "Tuesday", "report", "minister", "capital", "delegation", "schedule"]


def synthetic(n_per_class=12, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for label, words in (("positive", POS), ("negative", NEG), ("neutral", NEU)):
        for _ in range(n_per_class):
            w = list(rng.choice(words, 3)) + list(rng.choice(NEU, 2))
            rows.append({"text": " ".join(w), "label": label})
    return pd.DataFrame(rows)


def test_cross_validation_learns_separable_classes():
    data = synthetic()
    pred, metrics, confusion = cross_validate(data["text"], data["label"], folds=4, seed=0)
    m = metrics.set_index("class")
    assert m.loc["positive", "f1"] == 1.0 and m.loc["negative", "f1"] == 1.0
    assert m.loc["accuracy", "f1"] == 1.0
    assert m.loc["macro avg", "support"] == 36
    assert confusion["n"].sum() == 36
    assert confusion.query("true == predicted")["n"].sum() == 36


def test_metrics_and_confusion_known_values():
    y = ["negative", "negative", "positive", "positive", "neutral"]
    p = ["negative", "positive", "positive", "positive", "negative"]
    m = classification_metrics(y, p).set_index("class")
    assert m.loc["negative", "precision"] == 0.5 and m.loc["negative", "recall"] == 0.5
    assert m.loc["positive", "precision"] == pytest.approx(2 / 3)
    assert m.loc["positive", "recall"] == 1.0 and m.loc["neutral", "f1"] == 0.0
    assert m.loc["accuracy", "f1"] == 0.6
    c = confusion_table(y, p).set_index(["true", "predicted"])["n"]
    assert c[("negative", "positive")] == 1 and c[("neutral", "negative")] == 1
    assert len(c) == 9
    a = agreement(y, p).iloc[0]
    assert a["n_sentences"] == 5 and a["share_identical"] == 0.6
    # kappa from the summed cross-table (how shards are combined) equals sklearn's
    b = agreement_from_counts(confusion_table(y, p)).iloc[0]
    assert b["share_identical"] == 0.6 and b["cohen_kappa"] == pytest.approx(a["cohen_kappa"])
    assert b["cohen_kappa"] == pytest.approx(1 / 3)
    assert confusion_table([], [])["n"].sum() == 0


def test_too_few_examples_for_kfold(tmp_path):
    labels = pd.Series(["positive"] * 6 + ["negative"] * 2)
    with pytest.raises(NewslensError, match=r"'negative': 2.*sentiment.supervised.folds"):
        check_folds(labels, 5, "lab.csv", "sentiment.supervised.folds")
    with pytest.raises(NewslensError, match="only one class"):
        check_folds(pd.Series(["positive"] * 6), 5, "lab.csv", "k")


def test_read_coded_file_errors_name_file_and_column(tmp_path):
    f = tmp_path / "gold.csv"
    f.write_text("sentence,score,code\nGood news.,3,1\nBad news.,-2,-1\nA day.,0,0\n")
    with pytest.raises(NewslensError, match=r"column 'text' is not in .*gold.csv.*'sentence'"):
        read_coded_file(f, "text", rating_column="score")
    with pytest.raises(NewslensError, match=r"column 'rating' is not in .*gold.csv"):
        read_coded_file(f, "sentence", rating_column="rating")
    with pytest.raises(NewslensError, match=r"column 'code': unknown label.*'-1'.*label_map"):
        read_coded_file(f, "sentence", label_column="code")
    ok = read_coded_file(
        f,
        "sentence",
        label_column="code",
        rating_column="score",
        label_map={1: "positive", -1: "negative", 0: "neutral"},
    )
    assert ok["label"].tolist() == ["positive", "negative", "neutral"]
    assert ok["rating"].tolist() == [3.0, -2.0, 0.0]
    f.write_text("text,label\nGood news.,positive\nBad news.,\n")
    with pytest.raises(NewslensError, match=r"column 'label': 1 row\(s\) have no label.*lines 3"):
        read_coded_file(f, "text", label_column="label")
    f.write_text("text,rating\nGood news.,high\n")
    with pytest.raises(NewslensError, match=r"column 'rating'.*non-numeric"):
        read_coded_file(f, "text", rating_column="rating")
    with pytest.raises(NewslensError, match="unsupported suffix"):
        read_coded_file(tmp_path / "gold.xlsx", "text")


def test_split_sentences_with_punkt_and_abbreviations():
    texts = [
        "Peace talks failed. Shelling resumed! Why? \u201cWe hope,\u201d he said.",
        "On Dec. 19, around noon, the U.S. Trade Representative met Mr. Smith at 3.5 p.m. today.",
        "The Fed's chairman, Alan Greenspan, will testify. He said no.",
    ]
    split = make_splitter(texts, ["dec", "mr", "u.s"])
    assert split_sentences(texts[0], split) == [
        "Peace talks failed.",
        "Shelling resumed!",
        "Why?",
        "\u201cWe hope,\u201d he said.",
    ]
    assert split_sentences(texts[1], split) == [texts[1]]
    assert len(split_sentences(texts[2], split)) == 2
    assert split_sentences("   ", split) == ["   "]


def test_validation_recovers_known_correlation_and_labels():
    texts = [
        "The attack killed dozens of civilians.",
        "The war is a terrible tragedy.",
        "The minister arrived on Tuesday.",
        "The report was published.",
        "The peace agreement is a great success.",
        "Leaders celebrated a wonderful, friendly meeting.",
    ]
    gold = pd.DataFrame({"text": texts, "rating": [-3.5, -3.0, 0.0, 0.2, 3.0, 3.4]})
    gold["label"] = rating_labels(gold["rating"], -1, 1)
    assert gold["label"].tolist() == ["negative"] * 2 + ["neutral"] * 2 + ["positive"] * 2
    score = vader_text_scores(texts, FastVader())
    pred = np.where(score <= -0.05, "negative", np.where(score >= 0.05, "positive", "neutral"))
    corr, metrics, confusion = validation_report(gold, score, pred)
    c = corr.set_index("measure")
    assert c.loc["pearson", "r"] > 0.9 and c.loc["spearman", "r"] > 0.85  # ties at 0
    assert c.loc["pearson", "ci_low"] < c.loc["pearson", "r"] < c.loc["pearson", "ci_high"]
    assert metrics.set_index("class").loc["accuracy", "f1"] == 1.0
    assert confusion["n"].sum() == 6


def test_text_scoring_units_differ_on_long_texts():
    text = "The war is terrible. The attack was horrible. The crisis is bad. Hope remains."
    mean = vader_text_scores([text], FastVader(), "sentence_mean")[0]
    whole = vader_text_scores([text], FastVader(), "text")[0]
    assert whole < mean < 0  # the whole text saturates towards -1


def test_correlation_known_value_and_degenerate():
    r = correlation_row([1, 2, 3, 4], [1, 3, 2, 4], "pearson")
    assert r["r"] == pytest.approx(0.8) and r["n"] == 4
    assert correlation_row([1, 2, 3, 4], [1, 3, 2, 40], "spearman")["r"] == pytest.approx(0.8)
    assert np.isnan(correlation_row([1, 1, 1], [1, 2, 3], "spearman")["r"])


def test_headerless_tab_file_by_position_and_label_spellings(tmp_path):
    # like VADER's ground-truth files: id <TAB> mean rating <TAB> text, no header, raw quotes
    f = tmp_path / "nyt_snippets.txt"
    f.write_text('1\t2.5\tA "wonderful" peace deal.\n2\t-3.1\tThe attack killed 40.\n')
    gold = read_coded_file(f, 2, rating_column=1, header=False)
    assert gold["text"].tolist() == ['A "wonderful" peace deal.', "The attack killed 40."]
    assert gold["rating"].tolist() == [2.5, -3.1]
    g = tmp_path / "labels.csv"
    g.write_text("text,label\nGood.,POS\nBad.,Neg\nSo.,neutral\n")
    assert read_coded_file(g, "text", label_column="label")["label"].tolist() == [
        "positive",
        "negative",
        "neutral",
    ]


def test_binary_gold_counts_neutral_predictions_as_misses():
    m = classification_metrics(
        ["positive", "positive", "negative", "negative"],
        ["positive", "neutral", "negative", "negative"],
    ).set_index("class")
    assert "neutral" not in m.index
    assert m.loc["positive", "recall"] == 0.5 and m.loc["accuracy", "f1"] == 0.75
    assert m.loc["macro avg", "recall"] == 0.75
