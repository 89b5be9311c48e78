"""Supervised option, step 2 (per shard): label every sentence with the trained model, beside
its VADER label (rule sentiment_supervised_label)."""

import pickle

import numpy as np
import pandas as pd
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment_eval import supervised_score


def main(smk):
    with open(smk.input.model, "rb") as f:
        model = pickle.load(f)
    scores = read_parquet(smk.input.scores, columns=["doc_id", "para_id", "sent_id", "label"])
    text = read_parquet(smk.input.sentences, columns=["doc_id", "sent_id", "text"])
    text["doc_id"] = text["doc_id"].astype(str)
    df = scores.merge(text, on=["doc_id", "sent_id"], how="left")
    if len(df):
        lab, score = supervised_score(model, df["text"].fillna("").tolist())
    else:
        lab, score = np.array([], dtype=object), np.array([], dtype=float)
    out = pd.DataFrame(
        {
            "doc_id": df["doc_id"].astype(object),
            "para_id": df["para_id"].astype("int64"),
            "sent_id": df["sent_id"].astype("int64"),
            "label_vader": df["label"].astype(object),
            "label_supervised": np.asarray(lab, dtype=object),
            "score_supervised": np.asarray(score, dtype=float),
        }
    )
    log.info("labeled %d sentences of %s", len(out), smk.input.sentences)
    write_table(out, smk.output.labels)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
