"""The schedule (newslens.schedule): every rule's `priority:` is its bottom level (the longest
chain of job seconds from its jobs to the end of the run), so priorities fall along every edge
of the workflow's DAG and the long chains that end a run (topics, frames_actors) outrank their
siblings."""

from __future__ import annotations

import re

import pytest
from conftest import make_workdir, run_snakemake
from newslens.schedule import JOB_SECONDS, PRIORITY, RULE_EDGES, bottom_levels


def test_bottom_levels_known_answer():
    # a -> b -> d, a -> c -> d; rule "all" (not timed) after d
    seconds = {"a": 1.0, "b": 5.0, "c": 2.0, "d": 3.0}
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "all")]
    assert bottom_levels(seconds, edges) == {"a": 9.0, "b": 8.0, "c": 5.0, "d": 3.0}


def test_priority_table_falls_along_every_edge():
    assert PRIORITY == {r: round(v) for r, v in bottom_levels(JOB_SECONDS, RULE_EDGES).items()}
    for up, down in RULE_EDGES:
        assert PRIORITY[up] > PRIORITY[down], (up, down)


def test_the_chains_that_end_a_run_outrank_their_siblings():
    # after tokenization: the topic chain, then actor_mentions, which the frame shards wait
    # for (they count actors x frames), and the frame shards; then sentiment_score;
    # frames_actors is a short sum of the per-shard counts
    assert PRIORITY["tokens_tokenize"] > PRIORITY["topic_counts"] > PRIORITY["actor_mentions"]
    assert PRIORITY["actor_mentions"] > PRIORITY["frames_sentences"] > PRIORITY["sentiment_score"]
    assert PRIORITY["topic_counts"] > PRIORITY["sentiment_score"]
    assert PRIORITY["topic_dtm"] > PRIORITY["sentiment_score"] > PRIORITY["frames_actors"]
    assert PRIORITY["topic_model"] > PRIORITY["corpus_ngrams"] > PRIORITY["sentiment_actors"]
    assert PRIORITY["topic_outputs"] > PRIORITY["frames_codebook_suggestions"]
    assert PRIORITY["provenance"] == min(PRIORITY.values())


def dry_run(tmp_path, cores: str) -> str:
    workdir = make_workdir(tmp_path / f"c{cores}", tokenize__csv_tables=False)
    proc = run_snakemake(workdir, "-n", "--set-scatter", "shard=4", "--cores", cores)
    return proc.stdout


def jobs_of(stdout: str) -> list[dict]:
    """rule, priority and threads of every job in a dry run's listing."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", stdout):
        head = re.match(r"(?:local)?rule (\w+):", block)
        if not head:
            continue
        prio = re.search(r"^\s+priority: (\d+)", block, re.M)
        threads = re.search(r"^\s+threads: (\d+)", block, re.M)
        jobs.append(
            {
                "rule": head.group(1),
                "priority": int(prio.group(1)) if prio else 0,
                "threads": int(threads.group(1)) if threads else 1,
            }
        )
    return jobs


@pytest.fixture(scope="module")
def rulegraph(tmp_path_factory):
    workdir = make_workdir(tmp_path_factory.mktemp("rulegraph"), tokenize__csv_tables=False)
    dot = run_snakemake(workdir, "--rulegraph", "--set-scatter", "shard=4").stdout
    names = dict(re.findall(r'\t(\d+)\[label = "(\w+)"', dot))
    return {(names[a], names[b]) for a, b in re.findall(r"\t(\d+) -> (\d+)", dot)}


def test_rule_edges_are_the_workflows(rulegraph):
    live = {(a, b) for a, b in rulegraph if b != "all"}
    assert live == set(RULE_EDGES), (
        "the workflow's rule graph changed: update newslens.schedule.RULE_EDGES (and JOB_SECONDS "
        f"for a new rule); new {sorted(live - set(RULE_EDGES))}, "
        f"gone {sorted(set(RULE_EDGES) - live)}"
    )


def test_the_parsed_workflow_gives_each_job_its_rules_priority(tmp_path):
    jobs = jobs_of(dry_run(tmp_path, "2"))
    rules = {job["rule"] for job in jobs} - {"all"}
    assert rules == set(PRIORITY)
    assert len(jobs) == 54  # 4 shards: 32 rules, 7 per-shard rules x 4, all
    for job in jobs:
        assert job["priority"] == PRIORITY.get(job["rule"], 0), job
    # topic_model takes half the cores (its final fit is single-threaded: same floats on any)
    assert {job["threads"] for job in jobs if job["rule"] == "topic_model"} == {1}
