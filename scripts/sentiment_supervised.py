"""Supervised option: train TF-IDF + a linear model on the researcher's labeled texts, report
stratified k-fold metrics, label the corpus sentences and compare with VADER
(rule sentiment_supervised)."""

import pickle

import numpy as np
import pandas as pd
from newslens.figures import apply_style, save_figure
from newslens.runtime import atomic_path, log, read_parquet, run, write_table
from newslens.sentiment import LABELS
from newslens.sentiment_eval import (
    agreement,
    check_folds,
    confusion_table,
    cross_validate,
    make_pipeline,
    read_coded_file,
    supervised_score,
)
from newslens.sentiment_figures import plot_supervised

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

    parts = []
    for sp, tp in zip(smk.input.scores, smk.input.sentences, strict=True):
        scores = read_parquet(sp, columns=["doc_id", "para_id", "sent_id", "label"])
        text = read_parquet(tp, columns=["doc_id", "sent_id", "text"])
        text["doc_id"] = text["doc_id"].astype(str)
        df = scores.merge(text, on=["doc_id", "sent_id"], how="left")
        if len(df):
            lab, score = supervised_score(model, df["text"].fillna("").tolist())
        else:
            lab, score = np.array([], dtype=object), np.array([])
        parts.append(
            pd.DataFrame(
                {
                    "doc_id": df["doc_id"],
                    "para_id": df["para_id"],
                    "sent_id": df["sent_id"],
                    "label_vader": df["label"],
                    "label_supervised": lab,
                    "score_supervised": score,
                }
            )
        )
    corpus = pd.concat(parts, ignore_index=True)
    agree = agreement(corpus["label_vader"], corpus["label_supervised"])
    cross = confusion_table(corpus["label_vader"], corpus["label_supervised"], LABELS)
    log.info("agreement with VADER on the corpus: %s", agree.to_dict("records"))
    write_table(metrics, smk.output.metrics)
    write_table(confusion, smk.output.confusion)
    write_table(
        pd.concat(
            [agree, cross.rename(columns={"true": "vader", "predicted": "supervised"})],
            ignore_index=True,
        ),
        smk.output.agreement,
    )
    write_table(corpus, smk.output.sentences)
    apply_style()
    save_figure(plot_supervised(confusion, cross, cfg["folds"]), smk.output.png, smk.output.svg)


run(main, snakemake)
