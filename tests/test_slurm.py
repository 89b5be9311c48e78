"""The pipeline on the seed through a real SLURM cluster (snakemake-executor-plugin-slurm).

Needs a cluster that answers `sinfo` (tests/slurm/start_cluster.sh starts a single-node one
on this machine; .ci/run does that when it runs as root with apt) and the `slurm` extra.
Otherwise the test skips and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pandas as pd
import pytest
from conftest import REPO, make_workdir, snakemake_cmd

pytestmark = pytest.mark.slurm

PROFILE = REPO / "workflow" / "profiles" / "slurm"
TARGETS = ("results/tables/documents.csv", "results/tables/cleaning_audit.csv")
# Every rule upstream of the corpus tables must have run as a SLURM job.
EXPECTED_RULES = {
    "ingest",
    "clean",
    "deduplicate",
    "tokens_train_punkt",
    "tokens_tokenize",
    "corpus_tables",
}
SUBMITTED = re.compile(r"Job \d+ has been submitted with SLURM jobid (\d+) \(log: (\S+)\)")


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def cluster_problem() -> str | None:
    """Why the SLURM test cannot run here, or None when it can."""
    missing = [
        tool for tool in ("sinfo", "sbatch", "squeue", "scontrol") if shutil.which(tool) is None
    ]
    if missing:
        return (
            f"no SLURM client tools ({', '.join(missing)} not on PATH); "
            "start a local cluster with tests/slurm/start_cluster.sh (root, apt)"
        )
    try:
        # `scontrol ping` answers at once; `sinfo` retries for ~10 s when slurmctld is down.
        ping = _run("scontrol", "ping")
        if ping.returncode != 0:
            return f"`scontrol ping`: {ping.stdout.splitlines()[0] if ping.stdout else ping.stderr}"
        proc = _run("sinfo", "--noheader", "--format=%P|%t")
    except subprocess.TimeoutExpired:
        return "`sinfo` timed out: slurmctld does not answer"
    if proc.returncode != 0:
        return f"`sinfo` fails: {proc.stderr.strip() or proc.stdout.strip()}"
    states = {line.split("|")[1] for line in proc.stdout.split() if "|" in line}
    if not states & {"idle", "mix", "alloc"}:
        return f"no usable SLURM node (`sinfo` node states: {sorted(states) or 'none'})"
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        return "snakemake-executor-plugin-slurm missing: pip install -e '.[slurm]'"
    return None


def default_partition() -> str:
    """The partition to submit to: $NEWSLENS_SLURM_PARTITION, else the cluster's default."""
    if os.environ.get("NEWSLENS_SLURM_PARTITION"):
        return os.environ["NEWSLENS_SLURM_PARTITION"]
    partitions = _run("sinfo", "--noheader", "--format=%P").stdout.split()
    return next((p.rstrip("*") for p in partitions if p.endswith("*")), partitions[0])


def status_command() -> str:
    """sacct when the cluster keeps accounting; squeue otherwise (the local test cluster has
    no slurmdbd: `sacct` there says "Slurm accounting storage is disabled")."""
    return "sacct" if _run("sacct", "--noheader", "-X", "-n").returncode == 0 else "squeue"


def job_states(job_ids: list[str]) -> dict[str, str]:
    """SLURM's state of each job: squeue (slurmctld keeps finished jobs for MinJobAge),
    then sacct for any that slurmctld has already forgotten."""
    ids = ",".join(job_ids)
    out = _run("squeue", "--states=all", "--noheader", "--format=%i|%T", f"--jobs={ids}").stdout
    states = dict(line.split("|", 1) for line in out.split() if "|" in line)
    if set(job_ids) - set(states):
        out = _run("sacct", "-X", "--parsable2", "--noheader", "--format=JobIdRaw,State", "-j", ids)
        states.update(line.split("|", 1) for line in out.stdout.split() if "|" in line)
    return states


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory):
    problem = cluster_problem()
    if problem:
        pytest.skip(f"SLURM test skipped: {problem}")
    workdir = make_workdir(tmp_path_factory.mktemp("slurm_run"))
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "NEWSLENS_SLURM_PARTITION": default_partition(),
    }
    cmd = snakemake_cmd(
        "--directory",
        str(workdir),
        "--workflow-profile",
        str(PROFILE),
        # Two shards keep the run short (the profile's 8 also work: more, smaller jobs).
        "--set-scatter",
        "shard=2",
        "--slurm-status-command",
        status_command(),
        # First status check after 4 s (default 40 s), then every 14, 24, ... s.
        "--slurm-init-seconds-before-status-checks",
        "4",
        "--slurm-keep-successful-logs",
        *TARGETS,
    )
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"snakemake on SLURM failed:\n{log[-8000:]}"
    return workdir, log


def test_seed_tables_through_slurm(slurm_run, request):
    workdir, _ = slurm_run
    # Requested here, not as an argument: a skipped SLURM test then costs no local run.
    seed_tables = request.getfixturevalue("seed_tables")
    tables = workdir / "results" / "tables"
    docs = pd.read_csv(tables / "documents.csv", keep_default_na=False)
    assert len(docs) == 1
    doc = docs.iloc[0]
    assert doc["doc_id"] == "000_bddb6e4422a4ea30"
    assert doc["title"] == "CSTO summit - a time of difficult decisions"
    assert doc["date"] == "2022-11-23"
    assert (doc["n_paragraphs"], doc["n_sentences"]) == (13, 25)
    audit = pd.read_csv(tables / "cleaning_audit.csv", keep_default_na=False)
    assert set(audit["doc_id"]) == {"000_bddb6e4422a4ea30"}
    # Same corpus + config -> the same tables as the local run, byte for byte.
    for name in ("documents.csv", "cleaning_audit.csv"):
        assert (tables / name).read_bytes() == (seed_tables / name).read_bytes(), name


def test_every_job_ran_as_a_slurm_job(slurm_run):
    workdir, log = slurm_run
    submitted = SUBMITTED.findall(log)
    # ingest, deduplicate, train_punkt, corpus_tables once; clean and tokenize per shard.
    assert len(submitted) == 8, log[-4000:]
    job_ids = [job_id for job_id, _ in submitted]
    assert len(set(job_ids)) == 8
    rules = set()
    for job_id, logfile in submitted:
        path = workdir / logfile  # an absolute logfile stays absolute
        # The plugin's per-job log: .snakemake/slurm_logs/rule_<rule>/[<shard>/]<jobid>.log
        assert path.name == f"{job_id}.log" and ".snakemake/slurm_logs/rule_" in str(path)
        rule = next(p[len("rule_") :] for p in path.parts if p.startswith("rule_"))
        rules.add(rule)
        text = path.read_text()
        assert f"Finished jobid: 0 (Rule: {rule})" in text, path
    assert rules == EXPECTED_RULES
    states = job_states(job_ids)
    assert {job_id: states.get(job_id) for job_id in job_ids} == dict.fromkeys(job_ids, "COMPLETED")
