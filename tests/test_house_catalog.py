"""Snakemake workflow catalog conventions: LICENSE, .snakemake-workflow-catalog.yml, the .test
configs (run here on the multi-outlet corpus with labeled data; the seed config is the default
one, run by every session), and default resources on the heavy rules, consistent with the
SLURM profile."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
import yaml
from conftest import REPO, make_workdir, run_snakemake

HEAVY = [
    "ingest",
    "clean",
    "deduplicate",
    "tokens_tokenize",
    "corpus_tables",
    "sentiment_score",
    "sentiment_tables",
    "sentiment_actors",
    "frames_sentences",
    "frames_gather",
    "frames_actors",
    "topic_dtm",
    "topic_model",
]


def test_license_and_catalog_file():
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    cat = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())
    usage = cat["usage"]
    assert usage["software-stack-deployment"]["conda"] is True
    assert usage["report"] is True
    assert "--software-deployment-method conda" in usage["mandatory-flags"]["flags"]


def rule_resources() -> dict[str, dict[str, int]]:
    found = {}
    for smk in (REPO / "workflow" / "rules").glob("*.smk"):
        text = smk.read_text()
        for m in re.finditer(
            r"^[ \t]*rule (\w+):\n(.*?)(?=^[ \t]*rule \w+:|^\S|\Z)", text, re.M | re.S
        ):
            res = re.search(r"resources:\n\s+mem_mb=(\d+),\n\s+runtime=(\d+),", m.group(2))
            if res:
                found[m.group(1)] = {"mem_mb": int(res.group(1)), "runtime": int(res.group(2))}
    return found


def test_heavy_rules_have_default_resources_matching_the_slurm_profile():
    rules = rule_resources()
    assert set(HEAVY) <= set(rules), sorted(set(HEAVY) - set(rules))
    profile = yaml.safe_load((REPO / "workflow/profiles/slurm/config.yaml").read_text())
    for rule, res in profile["set-resources"].items():
        assert rule in rules, f"the SLURM profile sizes {rule}, the rule has no resources"
        for key in ("mem_mb", "runtime"):
            first = int(str(res[key]).split("*")[0])  # "4000 * attempt" on the first attempt
            assert first == rules[rule][key], (rule, key, first, rules[rule][key])
    # streamed whole-corpus steps measured under 2 GB at 1M articles: not 16 GB
    assert rules["corpus_tables"]["mem_mb"] <= 4000
    assert rules["topic_dtm"]["mem_mb"] <= 4000


def test_test_configs_are_valid_overlays():
    schema_keys = set(
        yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())["properties"]
    )
    for path in (REPO / ".test" / "config").glob("*.yaml"):
        overlay = yaml.safe_load(path.read_text())
        assert set(overlay) <= schema_keys, (path.name, set(overlay) - schema_keys)
    corpus = pd.read_csv(REPO / ".test/corpus/articles.csv")
    assert len(corpus) == 30 and corpus["outlet"].nunique() == 3
    assert corpus["id"].is_unique
    weeks = pd.to_datetime(corpus["date"]).dt.isocalendar().week.nunique()
    assert weeks >= 6


def test_seed_config_plans_the_whole_pipeline(tmp_path):
    work = make_workdir(tmp_path)
    shutil.copytree(REPO / ".test", work / ".test")
    shutil.copytree(REPO / "seeds", work / "seeds")
    out = run_snakemake(work, "-n", "--configfile", ".test/config/seed.yaml").stdout
    for rule in (
        "ingest",
        "tokens_tokenize",
        "sentiment_score",
        "frames_actors",
        "topic_model",
        "summary",
    ):
        assert f"rule {rule}:" in out or f"localrule {rule}:" in out, rule


@pytest.fixture(scope="module")
def multi_outlet_run(tmp_path_factory):
    work = make_workdir(tmp_path_factory.mktemp("dot_test"))
    shutil.copytree(REPO / ".test", work / ".test")
    run_snakemake(
        work,
        "--configfile",
        ".test/config/multi_outlet.yaml",
        ".test/config/labeled.yaml",
    )
    return work


def test_multi_outlet_corpus_with_labeled_data_runs(multi_outlet_run):
    tables = multi_outlet_run / "results" / "tables"
    docs = pd.read_csv(tables / "documents.csv")
    assert len(docs) == 30
    assert {"outlet", "country"} <= set(docs.columns)
    groups = pd.read_csv(tables / "sentiment_groups.csv")
    outlets = groups.loc[groups["group_by"] == "outlet", "group"]
    assert sorted(outlets) == ["Harbour Gazette", "Northern Ledger", "Valley Courier"]
    assert (groups["group_by"] == "week").sum() >= 6
    actors = pd.read_csv(tables / "sentiment_actors.csv")
    named = actors[(actors["scope"] == "all") & (actors["n_sentences"] > 0)]["actor"]
    assert {"Veloria", "Kastan", "Alliance", "Union"} <= set(named)
    cv = pd.read_csv(tables / "frames_supervised_cv.csv")
    assert len(cv) > 0
    assert (multi_outlet_run / "results" / "report_tables" / "documents.html").stat().st_size > 0
    # the comparison stage: each outlet against the rest, every codebook frame, n per group
    frames = pd.read_csv(tables / "compare_frames.csv")
    assert sorted(frames["group"].unique()) == sorted(outlets)
    assert set(frames["reference"]) == {"rest"}
    assert (frames["n_group"] + frames["n_reference"] == 30).all()
    keyness = pd.read_csv(tables / "compare_keyness.csv")
    assert len(keyness) > 0 and keyness["q_value"].between(0, 1).all()
    # topics checked against the outlet column at every K of the grid
    validation = pd.read_csv(tables / "topic_validation_k.csv")
    assert set(validation["column"]) == {"outlet"}
    assert validation["nmi"].between(0, 1).all() and validation["selected"].sum() == 1
