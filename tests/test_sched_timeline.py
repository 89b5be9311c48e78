"""benchmarks/bench_pipeline.py's timeline of a run from the jobs' benchmark files (end = the
file's mtime, start = end - its wall seconds): seconds with no job and with exactly one job
running, and the chain of jobs that ends the run, on made-up benchmark files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import bench_pipeline  # noqa: E402
import common  # noqa: E402

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
T0 = 1_700_000_000.0


def job(root: Path, name: str, start: float, end: float) -> None:
    path = root / "results" / "benchmarks" / f"{name}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{end - start}\t0:00:01\t100\t0\t0\t0\t0\t0\t50\t{end - start}\n")
    os.utime(path, (T0 + end, T0 + end))


def made_up_run(root: Path) -> pd.DataFrame:
    # 0-10 ingest alone; 10-30 two shards; 30-40 tokenize 2 alone; 40-42 nothing;
    # 42-50 topic_counts 1 with frames_actors (42-58); 50-55 topic_dtm; 55-60 topic_model; wall 65
    job(root, "ingest", 0, 10)
    job(root, "tokens_tokenize/1-of-2", 10, 30)
    job(root, "tokens_tokenize/2-of-2", 10, 40)
    job(root, "topic_counts/1-of-2", 42, 50)
    job(root, "topic_counts/2-of-2", 30, 36)
    job(root, "frames_actors", 42, 58)
    job(root, "topic_dtm", 50, 55)
    job(root, "topic_model", 55, 60)
    return bench_pipeline.job_intervals(common.job_table(root), T0)


def test_intervals_from_the_files_mtimes(tmp_path):
    intervals = made_up_run(tmp_path)
    assert intervals["job"].tolist()[:3] == [
        "ingest",
        "tokens_tokenize/1-of-2",
        "tokens_tokenize/2-of-2",
    ]
    row = intervals.set_index("job").loc["frames_actors"]
    assert abs(row["start"] - 42) < 1e-6 and abs(row["end"] - 58) < 1e-6


def test_seconds_with_one_job_and_with_none(tmp_path):
    seconds = bench_pipeline.concurrency_seconds(made_up_run(tmp_path), 0.0, 65.0)
    # one job: 0-10, 36-40 (topic_counts 2 ended at 36), 58-60; none: 40-42 and 60-65
    # two: 10-36, 42-58
    assert {n: round(s, 6) for n, s in seconds.items()} == {0: 7.0, 1: 16.0, 2: 42.0}
    assert bench_pipeline.concurrency_seconds(made_up_run(tmp_path), 0.0, 40.0) == {
        1: 14.0,
        2: 26.0,
    }


def test_the_critical_chain_follows_the_rule_graph(tmp_path):
    intervals = made_up_run(tmp_path)
    chain = intervals.loc[bench_pipeline.critical_chain(intervals), "job"].tolist()
    # topic_model ends last; back through the graph: topic_dtm, the later topic_counts shard
    # (1-of-2), its own shard's tokenize (1-of-2, not the longer 2-of-2); not ingest (no edge
    # ingest -> tokens_tokenize: the made-up run has no clean jobs between them)
    assert chain == [
        "tokens_tokenize/1-of-2",
        "topic_counts/1-of-2",
        "topic_dtm",
        "topic_model",
    ]


def test_print_timeline_names_the_losses(tmp_path, capsys):
    made_up_run(tmp_path)
    bench_pipeline.print_timeline(common.job_table(tmp_path), T0, 65.0)
    out = capsys.readouterr().out
    assert "one job running 16.0 s, none 7.0 s of 65.0 s" in out
    assert "(of which 5.0 s after the last timed job" in out
    # topic_counts/1-of-2 was ready at 30 s and started at 42 s: waited 12 s
    assert "    42.0    50.0    8.0   12.0 topic_counts/1-of-2" in out
