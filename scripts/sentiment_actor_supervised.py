"""Supervised actor sentiment (rule sentiment_actor_supervised): trains on the coded
(doc_id, actor, label) rows of sentiment.actor_supervised.file, reports k-fold
cross-validated per-class precision/recall/F1 and the confusion matrix (nested: each fold
tunes C and class weights by inner CV), and labels every (article, actor) pair of the corpus
with its class probabilities beside the lexicon score."""

import pickle

import pandas as pd
from newslens.actor_sentiment import (
    coded_pairs,
    cross_validated_predictions,
    feature_table,
    fit_actor_classifier,
    join_coded_to_corpus,
    predict_actor,
)
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment_eval import (
    check_folds,
    classification_metrics,
    confusion_table,
    read_table_file,
)

KEY = "sentiment.actor_supervised"


def load_contexts(paths):
    parts = [read_parquet(p) for p in paths]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({"doc_id": [], "actor": [], "context": []}, dtype=object)
    return pd.concat(parts, ignore_index=True)


def main(smk):
    cfg = smk.params.supervised
    pairs = pd.read_csv(smk.input.pairs, dtype={"doc_id": str, "actor": str})
    docs = pd.read_csv(smk.input.documents, dtype={"doc_id": str})
    docs = docs.rename(columns={"mean_compound": "compound"})
    contexts = load_contexts(smk.input.contexts)
    coded = coded_pairs(read_table_file(smk.input.coded, f"{KEY}.file"), cfg, smk.input.coded, KEY)
    items, status = join_coded_to_corpus(
        coded, pairs, docs, smk.input.coded, KEY, "coded", "they are left out of training"
    )
    y = items["label"].astype(str)
    check_folds(y, cfg["folds"], smk.input.coded, f"{KEY}.folds")
    feats = feature_table(items, contexts)
    c_grid = tuple(cfg["c_grid"])
    oof = cross_validated_predictions(feats, y.to_numpy(), cfg["folds"], cfg["seed"], c_grid)
    cv = pd.concat(
        [
            items[["doc_id", "actor", "line", "status", "label"]].rename(columns={"label": "gold"}),
            oof.add_prefix("cv_"),
        ],
        axis=1,
    )
    write_table(cv.round(4), smk.output.cv)
    write_table(classification_metrics(y, oof["label"]).round(4), smk.output.metrics)
    write_table(confusion_table(y, oof["label"]), smk.output.confusion)
    model = fit_actor_classifier(feats, y.to_numpy(), cfg["seed"], c_grid)
    with open(smk.output.model, "wb") as fh:
        pickle.dump(model, fh)
    log.info("chosen parameters on all %d coded pairs: %s", len(items), model.best_params_)
    pred = predict_actor(model, feature_table(pairs, contexts))
    out = pairs[["doc_id", "actor", "n_mentions", "score", "label"]].rename(
        columns={"score": "lexicon_score", "label": "lexicon_label"}
    )
    out = pd.concat(
        [out, pred.rename(columns={"label": "supervised_label", "score": "supervised_score"})],
        axis=1,
    )
    write_table(out.round(4), smk.output.labels)
    macro = classification_metrics(y, oof["label"]).set_index("class").loc["macro avg", "f1"]
    log.info(
        "%d-fold cross-validated macro-F1 %.3f; %d pairs labeled", cfg["folds"], macro, len(out)
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
