"""benchmarks/bench_pipeline.py reads the jobs' benchmark files through benchmarks/common.py
(job_table, rule_table) and prints its per-rule table from their columns."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import bench_pipeline  # noqa: E402
import common  # noqa: E402


def test_bench_pipeline_uses_the_shared_job_table(tmp_path):
    assert bench_pipeline.job_table is common.job_table
    assert bench_pipeline.rule_table is common.rule_table
    assert ".tsv" not in (REPO / "benchmarks" / "bench_pipeline.py").read_text(encoding="utf-8")
    root = tmp_path / "results" / "benchmarks"
    (root / "clean").mkdir(parents=True)
    head = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for name, s, rss, cpu in [("clean/0.tsv", 2.0, 100, 1.5), ("clean/1.tsv", 3.0, 150, 2.5)]:
        (root / name).write_text(head + f"{s}\t0:00:0{int(s)}\t{rss}\t0\t0\t0\t0\t0\t50\t{cpu}\n")
    (root / "ingest.tsv").write_text(head + "1.0\t0:00:01\t80\t0\t0\t0\t0\t0\t50\t0.5\n")
    rules = common.rule_table(common.job_table(tmp_path))
    # the columns main() prints: jobs, seconds, CPU-s, max RSS
    assert rules.loc["clean"].to_dict() == {
        "seconds": 5.0,
        "cpu_seconds": 4.0,
        "jobs": 2,
        "max_rss_mb": 150.0,
    }
    assert rules.loc["ingest", "cpu_seconds"] == 0.5
