"""Incremental re-runs, resuming after a killed run, corrupt shards."""

import base64
import os
import shutil
import signal
import subprocess
import time

import pandas as pd
import pytest
import yaml
from conftest import REPO, make_workdir, planned_rules, run_snakemake, snakemake_cmd

REPORT_RULES = {"provenance", "summary", "report_tables", "all"}


def copy_run(seed_run, tmp_path):
    workdir = tmp_path / "w"
    shutil.copytree(seed_run, workdir, symlinks=True)
    return workdir


def edit_config(workdir, change):
    path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(path.read_text())
    change(cfg)
    path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))


def test_nothing_to_do_after_a_run(seed_run):
    assert planned_rules(seed_run) == set()


def stage_present(name: str) -> bool:
    return (REPO / "workflow" / "rules" / f"{name}.smk").read_text().count("rule ") > 0


def test_topic_setting_reruns_only_topic_rules(seed_run, tmp_path):
    if not stage_present("topics"):
        pytest.skip("no topic stage yet")
    workdir = copy_run(seed_run, tmp_path)
    edit_config(
        workdir,
        lambda cfg: cfg["topics"].update(top_terms=cfg["topics"].get("top_terms", 20) + 2),
    )
    rules = planned_rules(workdir)
    assert rules, "the change should rerun something"
    # compare_groups compares topic prevalence by group and over time (it reads topic tables)
    assert {r for r in rules if not r.startswith("topic")} <= REPORT_RULES | {
        "compare_groups",
    }, rules


def test_actor_change_reruns_aggregation_not_tokenization(seed_run, tmp_path):
    if not (stage_present("sentiment") and stage_present("framing")):
        pytest.skip("no sentiment and framing stages yet")
    workdir = copy_run(seed_run, tmp_path)
    edit_config(
        workdir,
        lambda cfg: cfg["actors"].update({"Turkey": ["Turkey", "Turkish", "Ankara", "Erdogan"]}),
    )
    rules = planned_rules(workdir)
    assert "actor_mentions" in rules and "frames_actors" in rules and "sentiment_actors" in rules
    assert not rules & {
        "ingest",
        "clean",
        "deduplicate",
        "tokens_train_punkt",
        "tokens_tokenize",
        "sentiment_score",
        "topic_dtm",
    }


def test_new_article_reruns_what_it_must(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPO / "seeds" / "000_bddb6e4422a4ea30.txt", corpus / "a.txt")
    (tmp_path / "w").mkdir()
    workdir = make_workdir(tmp_path / "w", corpus=corpus)
    run_snakemake(workdir, "results/tables/documents.csv")
    assert planned_rules(workdir, "results/tables/documents.csv") == set()
    (corpus / "b.txt").write_text(
        "Border talks resume\n\nDate of publication: 1 December 2022\n\n"
        + "Officials in Baku and Yerevan said the border commission would meet again in Brussels. "
        * 4,
        encoding="utf-8",
    )
    rules = planned_rules(workdir, "results/tables/documents.csv")
    assert {"ingest", "clean", "deduplicate", "tokens_tokenize", "corpus_tables"} <= rules
    run_snakemake(workdir, "results/tables/documents.csv")
    docs = pd.read_csv(workdir / "results" / "tables" / "documents.csv")
    assert docs["doc_id"].tolist() == ["a", "b"] and docs["date"].tolist() == [
        "2022-11-23",
        "2022-12-01",
    ]


def incomplete_outputs(workdir) -> list[str]:
    """Outputs that Snakemake marks as being written (its .snakemake/incomplete markers)."""
    names = []
    for marker in (workdir / ".snakemake" / "incomplete").rglob("*"):
        if marker.is_file():
            try:
                names.append(base64.b64decode(marker.name).decode())
            except ValueError:
                names.append(marker.name)
    return names


def test_killed_run_resumes_without_redoing_finished_shards(tmp_path, seed_tables):
    workdir = make_workdir(tmp_path)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with open(tmp_path / "run.log", "w") as run_log:
        proc = subprocess.Popen(
            snakemake_cmd("--directory", str(workdir), "--cores", "2"),
            stdout=run_log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
            start_new_session=True,
        )
        tokens = workdir / "results" / "interim" / "tokens"
        gathered = (
            workdir / "results" / "tables" / "documents.csv"
        )  # written after all tokenize jobs
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:
            # kill once the tokenize jobs are recorded as finished (no incomplete marker left)
            if gathered.exists() and not any("tokens" in n for n in incomplete_outputs(workdir)):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be interrupted"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = {p: p.stat().st_mtime_ns for p in tokens.glob("*.json")}  # part lists
    assert len(finished) == 2
    parts = workdir / "results" / "tables" / "tokens"
    finished.update({p: p.stat().st_mtime_ns for p in parts.glob("part-*.parquet")})
    for path in (workdir / "results").rglob("*.parquet"):
        if not path.name.startswith("."):
            pd.read_parquet(path)  # no half-written output under a final name
    run_snakemake(workdir, "--unlock")  # a SIGKILL leaves Snakemake's lock behind
    rules = planned_rules(workdir)
    redone = rules & {"ingest", "clean", "deduplicate", "tokens_train_punkt", "tokens_tokenize"}
    assert not redone, (tmp_path / "run.log").read_text()[-3000:]
    run_snakemake(workdir)
    assert {p: p.stat().st_mtime_ns for p in finished} == finished
    assert (workdir / "results" / "tables" / "documents.csv").read_bytes() == (
        seed_tables / "documents.csv"
    ).read_bytes()


def test_corrupt_shard_is_reported_by_name(seed_run, tmp_path):
    workdir = copy_run(seed_run, tmp_path)
    # the seed's one article is in part 0 of the sentence table, dealt to shard 1
    part = workdir / "results" / "tables" / "sentences" / "part-00000000.parquet"
    part.write_bytes(b"PAR1 this is not parquet")
    proc = run_snakemake(
        workdir, "--forcerun", "sentiment_score", "--until", "sentiment_score", check=False
    )
    assert proc.returncode != 0
    log = (workdir / "results" / "logs" / "sentiment_score" / "1-of-2.log").read_text()
    assert "results/tables/sentences/part-00000000.parquet" in log and "corrupt" in log, (
        proc.stdout[-3000:]
    )
    assert "Traceback" not in log
