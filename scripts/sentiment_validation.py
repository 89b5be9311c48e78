"""Validation option: score the researcher's human-coded texts with the configured
classifier and report correlations with the ratings and precision/recall/F1 against the
labels, with a figure (rule sentiment_validation)."""

import pickle

import numpy as np
from newslens.figures import apply_style, save_figure
from newslens.frames_crossfit import group_folds, match_training
from newslens.frames_eval import text_key
from newslens.runtime import NewslensError, log, run, write_table
from newslens.sentiment import label_compound
from newslens.sentiment_eval import (
    make_pipeline,
    rating_labels,
    read_coded_file,
    supervised_score,
    vader_text_scores,
    validation_report,
)
from newslens.sentiment_figures import plot_validation
from newslens.vader import make_analyzer

KEY = "sentiment.validation"


def cross_fitted(predicted, score, texts, labeled_path, sup):
    """No text scored by a model that saw it: validation texts that are labeled texts (same
    text after whitespace/case folding) are scored by a model fitted without their fold (the
    folds of newslens.frames_crossfit.group_folds); the others keep the final model's score.
    Returns (predicted, score, evaluation per text: held_out or cross_fitted)."""
    lab = read_coded_file(
        labeled_path,
        sup["text_column"],
        label_column=sup["label_column"],
        key="sentiment.supervised",
        label_map=sup["label_map"],
        header=sup["header"],
    )
    train = np.asarray(lab["text"].tolist(), dtype=object)
    y = np.asarray(lab["label"].tolist(), dtype=object)
    match = match_training([text_key(t) for t in texts], None, [text_key(t) for t in train], None)
    predicted = np.asarray(predicted, dtype=object).copy()
    score = np.asarray(score, dtype=float).copy()
    n = int((match >= 0).sum())
    log.info("%d of %d validation texts are labeled texts: scored out of fold", n, len(texts))
    if n:
        folds = group_folds(train, int(sup["folds"]), int(sup["seed"]))
        for f in range(int(sup["folds"])):
            sel = (match >= 0) & (folds[np.maximum(match, 0)] == f)
            if sel.any():
                m = make_pipeline(sup["seed"], sup["model"])
                m.fit(list(train[folds != f]), list(y[folds != f]))
                p, s = supervised_score(m, [texts[i] for i in np.flatnonzero(sel)])
                predicted[sel], score[sel] = p, s
    return predicted, score, np.where(match >= 0, "cross_fitted", "held_out")


def main(smk):
    cfg = smk.params.validation
    th = smk.params.thresholds
    if cfg["rating_column"] is None and cfg["label_column"] is None:
        raise NewslensError(
            f"config keys {KEY}.rating_column and {KEY}.label_column are both null: name the "
            f"column of {smk.input.gold} that holds the human rating and/or label."
        )
    gold = read_coded_file(
        smk.input.gold,
        cfg["text_column"],
        cfg["label_column"],
        cfg["rating_column"],
        KEY,
        label_map=cfg["label_map"],
        header=cfg["header"],
    )
    if "label" not in gold and cfg["rating_thresholds"]:
        t = cfg["rating_thresholds"]
        gold["label"] = rating_labels(gold["rating"], t["negative_max"], t["positive_min"])
    texts = gold["text"].tolist()
    if cfg["classifier"] == "vader":
        analyzer = make_analyzer(smk.params.implementation)
        score = vader_text_scores(texts, analyzer, cfg["unit"], smk.params.abbreviations)
        predicted = label_compound(score, th["negative"], th["positive"])
    else:
        with open(smk.input.model, "rb") as f:
            model = pickle.load(f)
        predicted, score = supervised_score(model, texts)
    evaluation = "held_out"
    if smk.input.get("labeled"):
        predicted, score, evaluation = cross_fitted(
            predicted, score, texts, smk.input.labeled, smk.params.supervised
        )
    corr, metrics, confusion = validation_report(gold, score, predicted, smk.params.confidence)
    out = gold.assign(score=score, predicted=predicted, evaluation=evaluation)
    log.info("validation on %d texts:\n%s\n%s", len(out), corr.to_string(), metrics.to_string())
    write_table(out, smk.output.scores)
    write_table(corr, smk.output.correlations)
    write_table(metrics, smk.output.metrics)
    write_table(confusion, smk.output.confusion)
    apply_style()
    save_figure(
        plot_validation(out, corr, confusion, cfg["classifier"]), smk.output.png, smk.output.svg
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
