"""The leakage rule for the sentiment validation: validation texts that are labeled texts of
the supervised sentiment classifier are scored out of fold, not by the model that saw them."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
from conftest import make_workdir, run_snakemake
from test_frames_validation_pipeline import random_coded


def test_sentiment_validation_on_its_own_labeled_file_is_out_of_fold(tmp_path):
    texts, _ = random_coded(60, 7)
    rng = np.random.default_rng(7)
    labels = list(rng.choice(["positive", "negative", "neutral"], len(texts)))
    coded = tmp_path / "coded.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(coded, index=False)
    work = make_workdir(
        tmp_path / "w",
        sentiment__supervised={"file": str(coded), "folds": 3},
        sentiment__validation={
            "file": str(coded),
            "label_column": "label",
            "classifier": "supervised",
        },
    )
    run_snakemake(work, "results/tables/sentiment_validation_scores.csv")
    scores = pd.read_csv(work / "results/tables/sentiment_validation_scores.csv")
    assert set(scores["evaluation"]) == {"cross_fitted"}
    honest = float((scores["predicted"] == scores["label"]).mean())
    model = pickle.loads((work / "results/interim/sentiment_supervised/model.pkl").read_bytes())
    in_sample = float((model.predict(texts) == np.asarray(labels)).mean())
    assert in_sample > 0.9  # what a leaky validation would have reported
    assert honest < 0.6  # random labels: chance (1/3) when no text is scored by its own model
    log = (work / "results/logs/sentiment_validation.log").read_text()
    assert "60 of 60 validation texts are labeled texts: scored out of fold" in log
