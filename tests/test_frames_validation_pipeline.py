"""Frame validation through the pipeline (config only): the leakage case (the same file as
labeled and gold data), per-item tables, the verdict in summary.md, unknown labels, 1-based
lines in messages."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from conftest import make_workdir, run_snakemake

WORDS = (
    "river market window garden teacher village morning letter bridge table winter mountain "
    "station doctor kitchen summer forest island painter music harbor engine camera pocket "
    "silver rabbit candle blanket ladder tunnel basket pepper violin marble feather lantern "
    "meadow pillow saddle thunder velvet wagon anchor bottle cherry dragon falcon glacier"
).split()


def random_coded(n: int, seed: int) -> tuple[list[str], list[str]]:
    """Articles of random everyday words, coded at random Economic or Political: nothing to
    learn, so honest (out-of-fold) scores are at chance while a model scored on its own
    training items looks nearly perfect."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        sents = [" ".join(rng.choice(WORDS, 8)).capitalize() + "." for _ in range(4)]
        texts.append(" ".join(sents))
        labels.append(str(rng.choice(["Economic", "Political"])))
    return texts, labels


@pytest.fixture(scope="module")
def leak_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("frames_leak")
    texts, labels = random_coded(44, 3)
    corpus = tmp / "corpus"
    corpus.mkdir()
    for i, t in enumerate(texts):
        (corpus / f"a{i:02d}.txt").write_text(t + "\n", encoding="utf-8")
    # line 2 + 44 = 46: an item with no frame; line 47: the text of line 2, coded differently
    coded = pd.DataFrame(
        {
            "text": texts
            + ["Nothing here but a plain note about the weather today " * 3]
            + [texts[0]],
            "labels": labels + ["", "Political" if labels[0] == "Economic" else "Economic"],
        }
    )
    coded.to_csv(tmp / "coded.csv", index=False)
    work = make_workdir(
        tmp / "work",
        corpus,
        framing__classifier="supervised",
        framing__supervised={
            "labeled": str(tmp / "coded.csv"),
            "folds": 4,
            "C_grid": [1.0, 10.0],
            "inner_folds": 2,
        },
        framing__validation={"gold": str(tmp / "coded.csv"), "bootstrap": 200},
    )
    run_snakemake(
        work,
        "results/tables/frames_validation.csv",
        "results/tables/frames_documents.csv",
        "results/summary.md",
    )
    return work, texts, coded


def test_same_file_as_labeled_and_gold_gives_out_of_fold_scores(leak_run):
    work, texts, coded = leak_run
    t = work / "results" / "tables"
    cv = pd.read_csv(t / "frames_supervised_cv.csv").set_index("method")
    val = pd.read_csv(t / "frames_validation.csv").set_index("method")
    assert val.loc["supervised", "evaluation"] == "cross_fitted"
    assert val.loc["baseline_tfidf_lr", "evaluation"] == "cross_fitted"
    assert val.loc["supervised", "label_mode"] == "single"
    # the validation scores are the out-of-fold ones, at chance on random labels ...
    assert val.loc["supervised", "micro_f1"] == pytest.approx(cv.loc["supervised", "micro_f1"])
    assert val.loc["supervised", "micro_f1"] < 0.75
    assert not val.loc["supervised", "beats_baselines"]
    # ... while the final model on its own training items looks nearly perfect
    bundle = joblib.load(work / "results/interim/frames/supervised_model.joblib")
    y = bundle["model"].predict(np.asarray(coded["text"], dtype=object))
    truth = ["political" if x == "Political" else "economic" for x in coded["labels"]][:44]
    frames = bundle["frames"]
    in_sample = np.mean([frames[int(r.argmax())] == g for r, g in zip(y[:44], truth, strict=True)])
    assert in_sample > 0.9
    assert {"micro_f1_lo", "micro_f1_hi", "alpha_lo", "diff_lo", "strongest_baseline"} <= set(
        val.columns
    )
    # baselines: every top-k, and plain TF-IDF + LR
    assert {"baseline_most_frequent", "baseline_top2_frequent", "baseline_top3_frequent"} <= set(
        val.index
    )


def test_per_item_tables_no_frame_items_and_duplicates(leak_run):
    work, texts, coded = leak_run
    t = work / "results" / "tables"
    items = pd.read_csv(t / "frames_validation_items.csv", keep_default_na=False)
    assert len(items) == 46  # every row an item: the duplicate text is not merged
    assert items["line"].tolist() == list(range(2, 48))
    assert set(items["evaluation_supervised"]) == {"cross_fitted"}
    assert items.loc[items["line"] == 46, "gold"].item() == "none"  # single-label: class none
    row2, row47 = items.iloc[0], items.iloc[45]
    assert row2["text"] == row47["text"] and row2["gold"] != row47["gold"]
    correct = (items["pred_supervised"] == items["gold"]).tolist()
    assert items["correct_supervised"].astype(str).eq("True").tolist() == correct
    sup = pd.read_csv(t / "frames_supervised_items.csv", keep_default_na=False)
    assert sup["line"].tolist() == list(range(2, 48))
    assert sup.loc[0, "fold"] == sup.loc[45, "fold"]  # duplicates share their fold
    assert sup["pred_supervised"].tolist() == items["pred_supervised"].tolist()
    log = (work / "results/logs/frames_supervised.log").read_text()
    assert "the same text is coded differently on lines 2, 47" in log
    assert "1 of 46 items have no frame" in log
    assert "46 of 46 items have all labels in the codebook" in log


def test_corpus_articles_that_are_training_items_get_out_of_fold_labels(leak_run):
    work, texts, coded = leak_run
    t = work / "results" / "tables"
    docs = pd.read_csv(t / "frames_documents.csv", dtype={"doc_id": str})
    assert len(docs) == 44
    sup = pd.read_csv(t / "frames_supervised_items.csv", keep_default_na=False)
    # corpus articles are the labeled texts: their labels are the out-of-fold predictions
    oof = sorted(sup["pred_supervised"].iloc[:44].tolist())
    assert sorted(docs["primary_frame"].tolist()) == oof
    log = (work / "results/logs/frames_supervised.log").read_text()
    assert "corpus: 44 articles are labeled items and got their out-of-fold labels" in log


def test_verdict_in_summary(leak_run):
    work, _, _ = leak_run
    verdict = (work / "results/tables/frames_validation_verdict.md").read_text()
    assert "**No method beats the baselines.**" in verdict
    summary = (work / "results/summary.md").read_text()
    assert "## Framing: which classifier to trust" in summary
    assert "No method beats the baselines" in summary


def test_unknown_codes_stop_with_the_keys_that_fix_them(tmp_path):
    gold = tmp_path / "gold.csv"
    pd.DataFrame(
        {
            "text": ["Troops shelled the border.", "The party won the vote.", "Taxes rose."] * 2,
            "labels": ["8", "3", "1", "8", "3", "mfc:1.0"],
        }
    ).to_csv(gold, index=False)
    work = make_workdir(tmp_path / "w", framing__validation={"gold": str(gold)})
    proc = run_snakemake(work, "results/tables/frames_validation.csv", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "'3' (2 items, first line 3)" in out and "'8' (2 items, first line 2)" in out
    assert "'1' (1 items, first line 4)" in out  # mfc:1.0 on line 7 is Economic
    assert "framing.label_map" in out and "economic, capacity_resources" in out
    # the fix: a label map (this scheme's 3 is Politics, not Morality)
    work = make_workdir(
        tmp_path / "w2",
        framing__validation={"gold": str(gold), "bootstrap": 200},
        framing__label_map={"8": "security_defense", "3": "political", "1": "economic"},
    )
    run_snakemake(work, "results/tables/frames_validation.csv")
    items = pd.read_csv(work / "results/tables/frames_validation_items.csv")
    assert items["gold"].tolist() == ["security_defense", "political", "economic"] * 2
    log = (work / "results/logs/frames_validation.log").read_text()
    assert "6 of 6 items have all labels in the codebook" in log


def test_empty_text_is_refused_naming_its_line(tmp_path):
    data = tmp_path / "labeled.csv"
    data.write_text(
        'text,labels\n"Taxes rose.",Economic\n"Troops\nmoved.",Security\n"  ",Political\n',
        encoding="utf-8",
    )
    work = make_workdir(tmp_path / "w", framing__supervised={"labeled": str(data)})
    proc = run_snakemake(work, "results/tables/frames_supervised_cv.csv", check=False)
    assert proc.returncode != 0
    assert "1 item(s) have empty text (line 5)" in proc.stdout + proc.stderr
