"""benchmarks/bench_pipeline.py reads the jobs' benchmark files through benchmarks/common.py
(job_table, rule_table) and prints its per-rule table from their columns."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import bench_pipeline  # noqa: E402
import common  # noqa: E402


def test_bench_pipeline_uses_the_shared_job_table():
    # the shared tables' values are tested in test_house_bench_common.py
    assert bench_pipeline.job_table is common.job_table
    assert bench_pipeline.rule_table is common.rule_table
    assert ".tsv" not in (REPO / "benchmarks" / "bench_pipeline.py").read_text(encoding="utf-8")
