"""Validation option: score the researcher's human-coded texts with the configured
classifier and report correlations with the ratings and precision/recall/F1 against the
labels, with a figure (rule sentiment_validation)."""

import pickle

from newslens.figures import apply_style, save_figure
from newslens.runtime import NewslensError, log, run, write_table
from newslens.sentiment import label_compound
from newslens.sentiment_eval import (
    rating_labels,
    read_coded_file,
    supervised_score,
    vader_text_scores,
    validation_report,
)
from newslens.sentiment_figures import plot_validation
from newslens.vader import make_analyzer

KEY = "sentiment.validation"


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
    corr, metrics, confusion = validation_report(gold, score, predicted, smk.params.confidence)
    out = gold.assign(score=score, predicted=predicted)
    log.info("validation on %d texts:\n%s\n%s", len(out), corr.to_string(), metrics.to_string())
    write_table(out, smk.output.scores)
    write_table(corr, smk.output.correlations)
    write_table(metrics, smk.output.metrics)
    write_table(confusion, smk.output.confusion)
    apply_style()
    save_figure(
        plot_validation(out, corr, confusion, cfg["classifier"]), smk.output.png, smk.output.svg
    )


run(main, snakemake)
