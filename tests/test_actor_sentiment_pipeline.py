"""Actor sentiment through the pipeline: per-article targets scored by the default lexicon
method (known answers), the supervised option trained on coded pairs, and validation with
cross-fitting (no leakage: an item of the training file is scored out of fold)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_workdir, run_snakemake

NAMES = ["Maria Lopez", "Tomas Berg", "Anna Weiss", "Karl Novak", "Elena Rossi", "Jon Dahl"]
SENTENCES = {
    "positive": "{name} was praised as a wonderful, brave and generous hero.",
    "negative": "{name} was accused of horrible crimes, fraud and cruel abuse.",
    "neutral": "{name} attended a meeting on Tuesday.",
}
FILLER = (
    "The council discussed the annual budget in the town hall. Residents asked about roads, "
    "schools and the new library. The session ended in the evening."
)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("actor_sentiment")
    rng = np.random.default_rng(7)
    rows, coded = [], []
    for i in range(45):
        tone = ("positive", "negative", "neutral")[i % 3]
        name = NAMES[i % len(NAMES)]
        text = f"{FILLER}\n\n{SENTENCES[tone].format(name=f'{name} zq{i}x')}\n\n{FILLER}"
        rows.append({"doc_id": f"a{i:02d}", "text": text, "target": name, "tone": tone})
        # labels unrelated to the text: only memorising the marker words could fit them
        coded.append(
            {"doc_id": f"a{i:02d}", "actor": name, "label": ("pos", "neg", "neu")[rng.integers(3)]}
        )
    corpus = pd.DataFrame(rows)
    corpus[["doc_id", "text", "target"]].to_csv(tmp / "corpus.csv", index=False)
    pd.DataFrame(coded).to_csv(tmp / "coded.csv", index=False)
    gold = pd.DataFrame(coded + [{"doc_id": "missing", "actor": "Nobody", "label": "neu"}])
    gold.to_csv(tmp / "gold.csv", index=False)
    work = make_workdir(
        tmp,
        corpus=tmp / "corpus.csv",
        corpus__columns__id="doc_id",
        corpus__columns__target="target",
        actors={},
        sentiment__actor_supervised__file=str(tmp / "coded.csv"),
        sentiment__actor_supervised__folds=3,
        sentiment__actor_supervised__c_grid=[100.0],
        sentiment__actor_validation__file=str(tmp / "gold.csv"),
        sentiment__bootstrap__resamples=200,
    )
    run_snakemake(
        work,
        "results/tables/sentiment_actor_validation_metrics.csv",
        "results/tables/sentiment_actor_supervised.csv",
    )
    return work / "results" / "tables", corpus


def read(tables, name):
    return pd.read_csv(tables / name, dtype={"doc_id": str})


def test_lexicon_default_gives_known_labels(run):
    tables, corpus = run
    pairs = read(tables, "sentiment_actor_articles.csv")
    assert len(pairs) == 45
    got = pairs.set_index("doc_id").loc[corpus["doc_id"]]
    assert (got["actor"].to_numpy() == corpus["target"].to_numpy()).all()
    assert (got["n_mentions"] == 1).all() and (got["n_sentences"] == 1).all()
    assert (got["label"].to_numpy() == corpus["tone"].to_numpy()).all()


def test_supervised_labels_every_pair_with_probabilities(run):
    tables, _ = run
    lab = read(tables, "sentiment_actor_supervised.csv")
    assert len(lab) == 45
    probs = lab[["prob_negative", "prob_neutral", "prob_positive"]].sum(axis=1)
    assert np.allclose(probs, 1, atol=1e-3)
    assert set(lab["lexicon_label"]) == {"negative", "neutral", "positive"}
    metrics = read(tables, "sentiment_actor_supervised_metrics.csv").set_index("class")
    assert metrics.loc["macro avg", "support"] == 45
    confusion = pd.read_csv(tables / "sentiment_actor_supervised_confusion.csv")
    assert int(confusion["n"].sum()) == 45 and len(confusion) == 9


def test_validation_scores_training_items_out_of_fold(run):
    tables, _ = run
    items = read(tables, "sentiment_actor_validation_items.csv")
    scored = items[items["status"] != "article_not_in_corpus"]
    assert len(scored) == 45
    assert (scored["supervised_source"] == "out_of_fold").all()
    cv = read(tables, "sentiment_actor_supervised_cv.csv").set_index(["doc_id", "actor"])
    key = pd.MultiIndex.from_frame(scored[["doc_id", "actor"]])
    assert (scored["supervised_label"].to_numpy() == cv["cv_label"].reindex(key).to_numpy()).all()
    # the model trained on all items memorises the random labels; out of fold it cannot
    full = read(tables, "sentiment_actor_supervised.csv").set_index(["doc_id", "actor"])
    in_sample = np.mean(full["supervised_label"].reindex(key).to_numpy() == scored["gold"])
    metrics = read(tables, "sentiment_actor_validation_metrics.csv")
    m = metrics.set_index(["method", "statistic"])
    assert in_sample > 0.9
    assert m.loc[("supervised", "accuracy"), "estimate"] < 0.6
    # the missing article is listed, not scored
    assert items.loc[items["doc_id"] == "missing", "status"].tolist() == ["article_not_in_corpus"]
    assert (m.xs("macro_f1", level="statistic")["n_items"] == 45).all()
    row = m.loc[("lexicon", "kappa")]
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
