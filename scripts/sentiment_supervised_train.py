"""Supervised option, step 1: cross-validate and train TF-IDF + a linear model on the
researcher's labeled texts (rule sentiment_supervised_train)."""

import pickle

from newslens.runtime import atomic_path, log, run, write_table
from newslens.sentiment_eval import check_folds, cross_validate, make_pipeline, read_coded_file

KEY = "sentiment.supervised"


def main(smk):
    cfg = smk.params.supervised
    path = smk.input.labeled
    data = read_coded_file(
        path,
        cfg["text_column"],
        label_column=cfg["label_column"],
        key=KEY,
        label_map=cfg["label_map"],
        header=cfg["header"],
    )
    check_folds(data["label"], cfg["folds"], path, f"{KEY}.folds")
    _, metrics, confusion = cross_validate(
        data["text"], data["label"], cfg["folds"], cfg["seed"], cfg["model"]
    )
    log.info("cross-validated on %d labeled texts:\n%s", len(data), metrics.to_string())
    model = make_pipeline(cfg["seed"], cfg["model"]).fit(list(data["text"]), list(data["label"]))
    with atomic_path(smk.output.model) as tmp, open(tmp, "wb") as f:
        pickle.dump(model, f)
    write_table(metrics, smk.output.metrics)
    write_table(confusion, smk.output.confusion)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
