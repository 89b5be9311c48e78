"""The seed run as a researcher meets it: the documents table's columns in the order of
newslens.columns, job logs free of Python warnings, and a finished run that says where to read
on (the ``onsuccess`` message of workflow/Snakefile)."""

from __future__ import annotations

import re
import shutil

import pandas as pd
from conftest import run_snakemake
from newslens.columns import DOC_COLUMNS

PY_WARNING = re.compile(r"\b\w*Warning:|More than 20 figures")


def test_documents_table_keeps_the_column_order(seed_tables):
    docs = pd.read_csv(seed_tables / "documents.csv")
    counts = ["n_paragraphs", "n_sentences", "n_tokens", "n_terms"]
    # the shard column doc_index is dropped from the documents table; the rest keep their order
    assert list(docs.columns) == [*DOC_COLUMNS[1:], *counts] and DOC_COLUMNS[0] == "doc_index"
    assert docs.loc[0, "title"] == "CSTO summit - a time of difficult decisions"
    assert (
        docs.loc[0, "source"].endswith("seeds/000_bddb6e4422a4ea30.txt")
        and docs.loc[0, "n_sentences"] == 25
    )


def test_job_logs_carry_no_python_warnings(seed_run):
    logs = sorted((seed_run / "results" / "logs").rglob("*.log"))
    assert len(logs) > 30  # one per job
    found = {
        f"{log.relative_to(seed_run)}: {line}"
        for log in logs
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if PY_WARNING.search(line)
    }
    assert found == set()
    # the audited warnings of the pipeline itself are logged, not Python's
    codebook = (seed_run / "results" / "logs" / "frames_codebook.log").read_text()
    assert "WARNING 6 indicator terms are listed under more than one frame" in codebook


def test_a_finished_run_says_where_to_read_on(seed_run, tmp_path):
    work = tmp_path / "seed"
    shutil.copytree(seed_run, work, symlinks=True)  # mtimes kept: only summary reruns
    proc = run_snakemake(work, "results/summary.md", "--forcerun", "summary")
    out = proc.stdout + proc.stderr
    assert "1 of 1 steps (100%) done" in out
    assert "newslens: done. Read results/summary.md first" in out
    assert "snakemake --report results/report.html" in out
    # a dry run and a run with nothing to do print nothing of it
    assert "newslens: done" not in run_snakemake(work, "-n").stdout
