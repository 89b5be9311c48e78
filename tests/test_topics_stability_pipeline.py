"""End to end: K by stability and validation against a known section on a small corpus with
three planted sections (written by the test), through the Snakemake workflow."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import make_workdir, run_snakemake

SECTIONS = {
    "sport": "match goal striker coach league referee penalty stadium season trophy keeper "
    "tennis racket serve umpire",
    "economy": "inflation bank rates market shares investor budget deficit export tariff "
    "growth currency bond",
    "culture": "film actor festival album singer novel theatre gallery painter director "
    "concert premiere orchestra",
}
TARGETS = [
    "results/tables/topic_validation_k.csv",
    "results/tables/topic_validation_topics.csv",
    "results/tables/topic_validation_categories.csv",
    "results/figures/topic_validation.png",
    "results/figures/topic_k_selection.png",
    "results/tables/topic_summary.csv",
]


def sectioned_corpus(n_per_section: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for section, words in SECTIONS.items():
        vocab = words.split()
        for i in range(n_per_section):
            sentences = []
            for _ in range(6):
                w = rng.choice(vocab, size=7)
                sentences.append("The " + " and ".join(w) + ".")
            rows.append(
                {"id": f"{section}{i:03d}", "body": " ".join(sentences), "section": section}
            )
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def sectioned_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sectioned")
    path = tmp / "corpus.csv"
    sectioned_corpus().to_csv(path, index=False)
    (tmp / "w").mkdir()
    workdir = make_workdir(
        tmp / "w",
        corpus=path,
        corpus__metadata=["section"],
        corpus__columns={"text": "body", "id": "id", "title": None, "date": None, "author": None},
        topics__k=[2, 3, 4, 6],
        topics__validation={"column": "section"},
    )
    run_snakemake(workdir, *TARGETS)
    return workdir


def test_stability_chooses_the_planted_sections_and_validation_agrees(sectioned_run):
    tables = sectioned_run / "results" / "tables"
    info = json.loads((sectioned_run / "results" / "interim" / "topics" / "fit.json").read_text())
    assert info["K"] == 3 and info["k_rule"] == "stability" and "Greene" in info["rule"]
    by_k = pd.read_csv(tables / "topic_validation_k.csv")
    assert by_k["column"].unique().tolist() == ["section"]
    ref = by_k[by_k["stage"] == "reference"].set_index("K")
    assert ref.index.tolist() == [2, 3, 4, 6] and (ref["n_units"] == 120).all()
    assert ref["nmi"].idxmax() == 3 and ref.loc[3, "nmi"] > 0.95
    final = by_k[by_k["stage"] == "final"].iloc[0]
    assert final["K"] == 3 and final["selected"] and final["n_categories"] == 3
    assert final["nmi"] > 0.95 and final["ari"] > 0.95 and final["purity"] > 0.97
    topics = pd.read_csv(tables / "topic_validation_topics.csv")
    assert sorted(topics["majority_category"]) == ["culture", "economy", "sport"]
    assert topics["n_units"].sum() == 120
    cross = pd.read_csv(tables / "topic_validation_categories.csv")
    assert cross["n_units"].sum() == 120
    assert cross.groupby("topic")["share"].sum().round(4).eq(1.0).all()


def test_unknown_validation_column_names_the_key(sectioned_run, tmp_path):
    import shutil

    import yaml

    workdir = tmp_path / "w"
    shutil.copytree(sectioned_run, workdir, symlinks=True)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["topics"]["validation"]["column"] = "desk"
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    proc = run_snakemake(workdir, "results/tables/topic_validation_k.csv", check=False)
    assert proc.returncode != 0
    log = (workdir / "results" / "logs" / "topic_model.log").read_text()
    assert "topics.validation.column: 'desk' is not a column" in log and "Traceback" not in log
