"""Outputs readable by the group (umask modes, not mkstemp's 0600) and progress logging of
batch loops (batches done of total, rate, ETA; in the log, never in a table)."""

from __future__ import annotations

import logging
import os
import stat

import pandas as pd
import pytest
from newslens import runtime
from newslens.runtime import Progress, atomic_path, iter_parquet, progress, write_table


@pytest.fixture
def umask():
    def set_mask(mask):
        old = os.umask(mask)
        masks.append(old)

    masks: list[int] = []
    yield set_mask
    for old in masks[:1]:
        os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_atomic_outputs_follow_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    with atomic_path(tmp_path / "a.txt") as tmp:
        tmp.write_text("x")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
    for name in ("a.txt", "t.csv", "t.parquet"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "t.csv", "t.parquet"]


def test_pipeline_outputs_are_group_readable(seed_run):
    """Every file the seed run wrote under results/ is readable by group and others (the
    test session's umask is 022 or looser) and writable by no one but the owner."""
    if runtime._read_umask() & 0o044:
        pytest.skip("the session's umask hides files from the group")
    files = [p for p in (seed_run / "results").rglob("*") if p.is_file()]
    assert len(files) > 40
    bad = {
        str(p.relative_to(seed_run)): oct(stat.S_IMODE(p.stat().st_mode))
        for p in files
        if stat.S_IMODE(p.stat().st_mode) & 0o044 != 0o044 or stat.S_IMODE(p.stat().st_mode) & 0o022
    }
    assert not bad, bad


def test_progress_logs_batches_of_total_rate_and_eta(caplog, monkeypatch):
    monkeypatch.setattr(runtime, "_interactive", lambda: False)
    clock = iter([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    monkeypatch.setattr(runtime.time, "monotonic", lambda: next(clock))
    caplog.set_level(logging.INFO, logger="newslens")
    bar = Progress(total=400, desc="scoring", batch_size=100, every=0)
    for _ in range(4):
        bar.update(100)
    bar.close()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "scoring: batch 1 of 4 (100 of 400 rows, 25%), 100 rows/s, ETA 3s"
    assert lines[1] == "scoring: batch 2 of 4 (200 of 400 rows, 50%), 100 rows/s, ETA 2s"
    assert lines[3].startswith("scoring: batch 4 of 4 (400 of 400 rows, 100%)")
    assert lines[4] == "scoring: done, 400 rows in 5s"
    assert all(getattr(r, "progress", False) for r in caplog.records)


def test_short_loops_log_nothing(caplog, monkeypatch):
    monkeypatch.setattr(runtime, "_interactive", lambda: False)
    caplog.set_level(logging.INFO, logger="newslens")
    assert list(progress(iter([[1, 2], [3]]), 3, "quick")) == [[1, 2], [3]]
    assert [r for r in caplog.records if "quick" in r.getMessage()] == []


def test_parquet_reading_reports_progress_without_changing_rows(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(runtime, "_interactive", lambda: False)
    monkeypatch.setenv("NEWSLENS_PROGRESS_SECONDS", "0")
    caplog.set_level(logging.INFO, logger="newslens")
    df = pd.DataFrame({"doc_id": [str(i) for i in range(25)], "x": range(25)})
    write_table(df, tmp_path / "shard" / "00.parquet")
    got = pd.concat(iter_parquet(tmp_path / "shard" / "00.parquet", batch_rows=10))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), df)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("reading shard/00.parquet: batch 1 of 3 (10 of 25 rows, 40%)")
    assert lines[2].startswith("reading shard/00.parquet: batch 3 of 3 (25 of 25 rows, 100%)")
    assert "ETA" in lines[0]
