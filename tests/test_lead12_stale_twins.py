"""The CSV twins of the partitioned tables (results/tables/<name>.csv) are written only with
tokenize.csv_tables. A twin that an earlier run left behind must not outlive a run that does not
write it: the gathers (corpus_tables, frames_gather, sentiment_tables) remove it and log that they
did, so every CSV in results/tables is this run's table."""

from __future__ import annotations

import logging

from conftest import make_workdir, run_snakemake
from newslens.shards_gather import remove_stale_csv_twin

TWINS = (
    "sentences",
    "paragraphs",
    "tokens",
    "frames_sentences",
    "frames_paragraphs",
    "sentiment_sentences",
    "sentiment_paragraphs",
)
STALE = "doc_id,text\nold-run,a row of an earlier corpus\n"


def test_remove_stale_csv_twin_removes_only_the_twin(tmp_path, caplog):
    folder = tmp_path / "tables" / "tokens"
    folder.mkdir(parents=True)
    manifest = folder / "_manifest.json"
    manifest.write_text("{}")
    twin = tmp_path / "tables" / "tokens.csv"
    other = tmp_path / "tables" / "term_frequencies.csv"
    twin.write_text(STALE)
    other.write_text(STALE)
    with caplog.at_level(logging.WARNING, logger="newslens"):
        assert remove_stale_csv_twin(manifest) == twin
    assert not twin.exists() and other.read_text() == STALE and manifest.exists()
    assert "tokens.csv" in caplog.text and "csv_tables" in caplog.text
    assert remove_stale_csv_twin(manifest) is None  # nothing left to remove


def test_a_run_without_csv_tables_removes_the_twins_of_an_earlier_run(tmp_path):
    workdir = make_workdir(tmp_path, tokenize__csv_tables=False)
    tables = workdir / "results" / "tables"
    tables.mkdir(parents=True)
    for name in TWINS:
        (tables / f"{name}.csv").write_text(STALE)
    # the three gathers' manifests as targets: only they and what they need run
    run_snakemake(workdir, *(f"results/tables/{name}/_manifest.json" for name in TWINS))
    left = sorted(p.name for p in tables.glob("*.csv") if p.read_text() == STALE)
    assert left == []
    for name in TWINS:
        assert not (tables / f"{name}.csv").exists(), name
        assert (tables / name / "_manifest.json").exists(), name
    logs = "".join(p.read_text() for p in (workdir / "results" / "logs").rglob("*.log"))
    assert logs.count("a CSV twin of an earlier run") == len(TWINS)
