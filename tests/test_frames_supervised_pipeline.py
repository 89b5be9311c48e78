"""The supervised-frames additions through the pipeline: out-of-fold predictions, the
codebook_calibrated method in frames_validation.csv, frames_codebook_suggestions.csv."""

import pandas as pd
import pytest
from conftest import make_workdir, run_snakemake
from test_framing_pipeline import synthetic_rows


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("frames_supervised_additions")
    synthetic_rows(60, 0).to_csv(tmp / "labeled.csv", index=False)
    synthetic_rows(40, 1).to_csv(tmp / "gold.csv", index=False)
    work = make_workdir(
        tmp / "work",
        framing__supervised={
            "labeled": str(tmp / "labeled.csv"),
            "folds": 3,
            "C_grid": [1.0, 10.0],
            "inner_folds": 2,
            "codebook_features": True,
            "threshold_mode": "per_frame",
        },
        framing__validation={"gold": str(tmp / "gold.csv"), "calibration": {"folds": 4}},
        framing__suggestions={"min_count": 1, "top_n": 5},
    )
    run_snakemake(
        work,
        "results/interim/frames/supervised_oof.parquet",
        "results/tables/frames_validation.csv",
        "results/tables/frames_codebook_suggestions.csv",
    )
    return work


def test_out_of_fold_table(run):
    oof = pd.read_parquet(run / "results/interim/frames/supervised_oof.parquet")
    lab = pd.read_csv(run.parent / "labeled.csv")
    assert len(oof) == 60 and oof["row"].tolist() == list(range(60))
    assert sorted(oof["fold"].unique()) == [0, 1, 2]
    assert {"gold", "supervised", "codebook", "baseline_most_frequent"} <= set(oof.columns)
    assert (oof["gold"].str.count(";") == lab["labels"].str.count(";")).all()
    assert set(oof["gold"].str.split(";").explode()) == {
        "economic",
        "security_defense",
        "political",
    }
    agree = (oof["gold"] == oof["supervised"]).mean()
    assert agree > 0.6


def test_calibrated_codebook_in_validation(run):
    val = pd.read_csv(run / "results/tables/frames_validation.csv").set_index("method")
    assert "codebook_calibrated" in val.index
    assert 0 <= val.loc["codebook_calibrated", "micro_f1"] <= 1
    log = (run / "results/logs/frames_validation.log").read_text()
    assert "codebook_calibrated (all gold items):" in log


def test_suggestions_table(run):
    s = pd.read_csv(run / "results/tables/frames_codebook_suggestions.csv")
    terms = pd.read_csv(run / "results/tables/frames_codebook_terms.csv")
    assert len(s) > 0
    assert not set(s["normalized"]) & set(terms["normalized"])
    assert (s["n_sentences_with_frame"] <= s["n_sentences_with_term"]).all()
    assert (s["ppmi"] > 0).all()
    assert s.groupby("frame").size().max() <= 5
