"""benchmarks/bench_sentiment_shard.py runs the rule's own entry script with the rule's params,
and its output is the job's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import bench_sentiment_shard as bench  # noqa: E402


def test_constants_are_the_rules():
    smk = (REPO / "workflow" / "rules" / "sentiment.smk").read_text(encoding="utf-8")

    def value(name):
        return int(re.search(rf"^{name} = ([\d_]+)$", smk, re.M).group(1))

    assert bench.BATCH_ROWS == value("SENT_BATCH_ROWS")
    assert bench.CACHE_SIZE == value("SENT_CACHE_SIZE")
    assert bench.ACTOR_BATCH_ARTICLES == value("ACTOR_BATCH_ARTICLES")


def test_the_job_run_by_the_benchmark_writes_the_pipelines_scores(seed_run, tmp_path):
    bench_py = str(REPO / "benchmarks" / "bench_sentiment_shard.py")
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    args = ["--child", "sentiment_score", str(seed_run), "--keep-output", str(tmp_path)]
    run = subprocess.run([sys.executable, bench_py, *args], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    cpu = json.loads(run.stdout.strip().splitlines()[-1])
    assert 0 < cpu["work"] <= cpu["process"]
    got = pd.read_parquet(tmp_path / "scores.parquet")
    want = pd.read_parquet(seed_run / "results" / "interim" / "sentiment" / "1-of-2.parquet")
    pd.testing.assert_frame_equal(got, want)
    assert len(got) > 0
    # and the paired driver prints both checkouts' CPU and the interval of the difference
    out = subprocess.run(
        [sys.executable, bench_py, str(seed_run)]
        + ["--base", str(REPO / "scripts"), "--new", str(REPO / "scripts"), "--pairs", "2"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"sentiment_score \(work CPU-s, 2 pairs.*new - base [-+]\d", out), out
