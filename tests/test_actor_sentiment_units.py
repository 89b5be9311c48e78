"""Actor sentiment per (article, actor): the lexicon variants on hand-made scores and
sentences with known answers, masked contexts, the supervised classifier on a synthetic coded
set, and the agreement statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens.actor_sentiment import (
    actor_article_scores,
    actor_contexts,
    add_unnamed_targets,
    agreement_with_ci,
    coded_pairs,
    cohen_kappa,
    cross_validated_predictions,
    feature_table,
    fit_actor_classifier,
    predict_actor,
)
from newslens.actors import find_actor_mentions
from newslens.runtime import NewslensError
from newslens.sentiment import score_sentences


def scores_of(doc, values):
    return pd.DataFrame({"doc_id": doc, "sent_id": np.arange(len(values)), "compound": values})


def test_variants_on_hand_made_scores():
    scores = scores_of("a", [0.5, -0.8, 0.0, 0.6])
    mentions = pd.DataFrame({"doc_id": ["a", "a", "a"], "sent_id": [1, 3, 3], "actor": ["X"] * 3})
    out = actor_article_scores(scores, mentions, "sentences", 1, 1.0, 0.5, -0.3, 0.03)
    row = out.iloc[0]
    assert (row.n_mentions, row.n_sentences, row.doc_sentences) == (3, 2, 4)
    assert row.first_position == pytest.approx(0.25)
    assert row.sentences_compound == pytest.approx(-0.1)
    assert row.article_compound == pytest.approx(0.075)
    assert row.window_compound == pytest.approx(0.075)  # sentences 0..3 all within 1
    w = np.exp(-np.array([1, 0, 1, 0]))
    assert row.distance_compound == pytest.approx((w * [0.5, -0.8, 0.0, 0.6]).sum() / w.sum())
    # default thresholds of the actor label (-0.3, 0.03): -0.1 is neutral
    assert row.score == pytest.approx(-0.1) and row.label == "neutral"
    prior = actor_article_scores(scores, mentions, "prior", prior_weight=0.5)
    assert prior.iloc[0].score == pytest.approx(0.5 * -0.1 + 0.5 * 0.075)
    lean = actor_article_scores(scores, mentions, "sentences", variants=False)
    assert np.isnan(lean.iloc[0].window_compound) and np.isnan(lean.iloc[0].distance_compound)


def test_window_does_not_cross_articles():
    scores = pd.concat([scores_of("a", [0.9, 0.9]), scores_of("b", [-0.9, -0.9])])
    mentions = pd.DataFrame({"doc_id": ["b"], "sent_id": [0], "actor": ["X"]})
    out = actor_article_scores(scores, mentions, "window", window=3)
    assert out.iloc[0].window_compound == pytest.approx(-0.9)
    assert out.iloc[0].distance_compound == pytest.approx(-0.9)


def test_unknown_method_is_a_config_error():
    with pytest.raises(NewslensError, match="sentiment.actor_scores.method"):
        actor_article_scores(scores_of("a", [0.1]), pd.DataFrame(), "magic")


def test_default_method_on_hand_made_sentences():
    """The sentences naming an actor decide its label, not the rest of the article."""
    texts = [
        "Ministers praised Alvarez for an excellent, generous and brave rescue.",
        "The weather was grim, the roads were flooded and many homes were destroyed.",
        "Critics accused Brandt of lying, fraud and cruel neglect.",
        "Officials met on Tuesday in the capital.",
        "Costa attended the meeting.",
    ]
    sentences = pd.DataFrame(
        {
            "doc_id": "d",
            "para_id": 0,
            "sent_id": range(len(texts)),
            "start": np.cumsum([0] + [len(t) + 1 for t in texts[:-1]]),
            "text": texts,
        }
    )
    actors = {"Alvarez": ["Alvarez"], "Brandt": ["Brandt"], "Costa": ["Costa"]}
    mentions = find_actor_mentions(sentences, actors)
    scored = score_sentences(sentences)
    out = actor_article_scores(scored, mentions, negative=-0.3, positive=0.03)
    labels = dict(zip(out["actor"], out["label"], strict=True))
    assert labels == {"Alvarez": "positive", "Brandt": "negative", "Costa": "neutral"}
    ctx = actor_contexts(sentences, mentions).set_index("actor")["context"]
    assert ctx["Alvarez"] == texts[0].replace("Alvarez", "[TGT]")
    assert "Brandt" not in ctx["Brandt"] and ctx["Brandt"].count("[TGT]") == 1


def test_unnamed_target_gets_article_tone():
    scores = scores_of("a", [0.4, 0.2])
    pairs = actor_article_scores(scores, pd.DataFrame({"doc_id": [], "sent_id": [], "actor": []}))
    targets = pd.DataFrame({"doc_id": ["a", "zz"], "actor": ["Ghost", "Nobody"]})
    out = add_unnamed_targets(pairs, targets, scores, -0.3, 0.03)
    assert list(out["actor"]) == ["Ghost"]  # article zz has no sentences: left out
    assert out.iloc[0].n_mentions == 0 and out.iloc[0].score == pytest.approx(0.3)
    assert out.iloc[0].label == "positive"


def synthetic_coded(n_per_class=12, seed=0):
    """Pairs whose masked context says the label (hero / villain / met), with noise words."""
    rng = np.random.default_rng(seed)
    words = {"positive": "hero rescued", "negative": "villain cheated", "neutral": "met officials"}
    noise = ["report", "city", "week", "said", "people", "council", "plan", "road"]
    rows = []
    for lab, w in words.items():
        for i in range(n_per_class):
            filler = " ".join(rng.choice(noise, 4))
            rows.append(
                {
                    "doc_id": f"{lab}{i}",
                    "actor": "X",
                    "label": lab,
                    "context": f"[TGT] {w} {filler}",
                    "n_mentions": 1 + i % 3,
                    "n_sentences": 1,
                    "doc_sentences": 5,
                    "first_position": 0.2,
                    "sentences_compound": 0.0,
                    "window_compound": np.nan,
                    "distance_compound": np.nan,
                    "article_compound": 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_supervised_learns_a_known_answer_and_is_deterministic():
    coded = synthetic_coded()
    feats = feature_table(coded)
    y = coded["label"].to_numpy(object)
    oof = cross_validated_predictions(feats, y, folds=3, seed=0, c_grid=(1.0, 10.0))
    assert (oof["label"].to_numpy() == y).all()
    again = cross_validated_predictions(feats, y, folds=3, seed=0, c_grid=(1.0, 10.0))
    pd.testing.assert_frame_equal(oof, again)
    model = fit_actor_classifier(feats, y, c_grid=(1.0,))
    new = feature_table(
        synthetic_coded(2, seed=5).assign(context=["the [TGT] villain cheated"] * 6)
    )
    pred = predict_actor(model, new)
    assert (pred["label"] == "negative").all()
    assert np.allclose(pred[["prob_negative", "prob_neutral", "prob_positive"]].sum(axis=1), 1)


def test_agreement_statistics_known_values():
    gold = ["negative", "neutral", "positive", "positive"]
    perfect = agreement_with_ci(gold, gold, resamples=50, seed=1).set_index("statistic")
    assert perfect.loc["macro_f1", "estimate"] == 1.0 and perfect.loc["kappa", "estimate"] == 1.0
    pred = ["negative", "positive", "positive", "neutral"]
    t = agreement_with_ci(gold, pred, resamples=200, seed=1).set_index("statistic")
    assert t.loc["accuracy", "estimate"] == 0.5
    from sklearn.metrics import cohen_kappa_score

    assert cohen_kappa(gold, pred) == pytest.approx(cohen_kappa_score(gold, pred))
    assert t.loc["recall_positive", "estimate"] == 0.5
    assert t.loc["macro_f1", "ci_low"] <= t.loc["macro_f1", "estimate"] <= 1.0
    t2 = agreement_with_ci(gold, pred, resamples=200, seed=1)
    pd.testing.assert_frame_equal(t.reset_index(), t2)


def test_coded_file_errors_name_rows():
    cfg = {"doc_id_column": "doc_id", "actor_column": "actor", "label_column": "label"}
    table = pd.DataFrame(
        {"doc_id": ["a", "b", "a"], "actor": ["X", "X", "X"], "label": ["pos"] * 3}
    )
    with pytest.raises(NewslensError, match="more than once.*lines 4"):
        coded_pairs(table, cfg, "coded.csv", "sentiment.actor_supervised")
    bad = pd.DataFrame({"doc_id": ["a"], "actor": ["X"], "label": ["great"]})
    with pytest.raises(NewslensError, match="unknown label"):
        coded_pairs(bad, cfg, "coded.csv", "sentiment.actor_supervised")
    ok = coded_pairs(table.iloc[:2], cfg, "coded.csv", "sentiment.actor_supervised")
    assert list(ok["label"]) == ["positive", "positive"] and list(ok["line"]) == [2, 3]
    rated = pd.DataFrame({"doc_id": ["a", "b"], "actor": ["X", "Y"], "r": ["-2", "3"]})
    cfg2 = {
        **cfg,
        "label_column": None,
        "rating_column": "r",
        "rating_thresholds": {"negative_max": -1, "positive_min": 1},
    }
    got = coded_pairs(rated, cfg2, "gold.csv", "sentiment.actor_validation")
    assert list(got["label"]) == ["negative", "positive"]
