"""The benchmarks' paired intervals come from benchmarks/common.py, with the draws and numbers of
the copies they replaced; the per-shard job benchmarks run their jobs through
benchmarks/shard_runner.py with the threads Snakemake gives the job."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import common  # noqa: E402
import shard_runner  # noqa: E402


def test_mean_interval_is_the_replaced_copies_bit_for_bit():
    for n in (2, 3, 6, 30):
        diff = np.random.default_rng(n).normal(size=n) * 3
        # the copy of bench_ngram_counter (np.percentile of choice-resampled means)
        boot = np.random.default_rng(0).choice(diff, (10_000, n)).mean(axis=1)
        assert common.mean_interval(diff, 10_000) == tuple(np.percentile(boot, [2.5, 97.5]))
        # the copies of bench_compare_figure_layout and bench_compare_spline (np.quantile)
        rng = np.random.default_rng(7)
        means = rng.choice(diff, size=(2000, n), replace=True).mean(axis=1)
        assert common.mean_interval(diff, 2000, seed=7) == tuple(np.quantile(means, [0.025, 0.975]))
    # the loop of bench_actor_sentiment.bootstrap_metric drew one resample at a time
    rng = np.random.default_rng(0)
    loop = np.array([rng.integers(0, 40, 40) for _ in range(50)])
    assert (loop == common.bootstrap_indices(40, 50, seed=0)).all()


def test_mean_interval_known_answers():
    assert common.mean_interval([2.0, 2.0, 2.0]) == (2.0, 2.0)
    lo, hi = common.mean_interval([-1.0, 1.0] * 10, resamples=4000)
    assert -0.5 < lo < 0 < hi < 0.5 and common.verdict(lo, hi) == "n.s."
    assert common.verdict(*common.mean_interval([1.0, 1.2, 0.9, 1.1])) == "wins"
    # 0.95 gives numpy's 2.5th and 97.5th percentiles exactly
    x = np.random.default_rng(1).normal(size=999)
    assert common.percentile_interval(x) == tuple(np.percentile(x, [2.5, 97.5]))


def test_no_benchmark_has_its_own_interval_code():
    # percentiles of a bootstrap, or means of choice() resamples
    own = re.compile(r"np\.percentile\(|np\.quantile\([^)]*0\.025|choice\([^)]*\)\.mean\(axis=1\)")
    found = [
        p.name
        for p in sorted((REPO / "benchmarks").glob("*.py"))
        if p.name != "common.py" and own.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []


# ---- the shared per-shard job runner --------------------------------------------------------


def test_rule_threads_are_the_rules():
    for rule in ("clean", "tokens_tokenize", "frames_sentences", "sentiment_score"):
        assert shard_runner.rule_threads(rule) == 1
    assert shard_runner.rule_threads("actor_articles") == 1
    assert shard_runner.rule_threads("frames_supervised") == 2  # threads: 2 in framing.smk
    with pytest.raises(SystemExit, match="not a number"):
        shard_runner.rule_threads("topic_model")  # threads depend on the cores
    with pytest.raises(SystemExit, match="no rule"):
        shard_runner.rule_threads("no_such_rule")


def test_run_job_sets_snakemakes_thread_variables_and_the_package(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import json, os, sys\n"
        "names = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']\n"
        "print('noise')\n"
        "print(json.dumps({'t': [os.environ[n] for n in names], 'path': sys.path[1]}))\n"
    )
    got = shard_runner.run_job([probe], tmp_path / "pkg", threads=2)
    assert got == {"t": ["2", "2", "2"], "path": str(tmp_path / "pkg")}
    # the list is the one snakemake's shell sets for a job
    spec = importlib.util.find_spec("snakemake")
    text = (Path(spec.origin).parent / "shell.py").read_text(encoding="utf-8")
    for name in shard_runner.THREAD_VARIABLES:
        assert f'envvars["{name}"] = threads' in text
    probe.write_text("raise SystemExit('boom')\n")
    with pytest.raises(SystemExit, match="probe with .* failed:\\nboom"):
        shard_runner.run_job([probe], tmp_path, what="probe")


def test_paired_runs_alternate_the_order():
    seen = []
    out = list(shard_runner.paired_runs(("a", "b"), 3, lambda s: seen.append(s) or {"x": s}))
    assert seen == ["a", "b", "b", "a", "a", "b"]
    assert [r for r, _, _ in out] == [1, 2, 3]
    assert all(pair == {"a": {"x": "a"}, "b": {"x": "b"}} for _, pair, _ in out)
    assert all(len(loads) == 2 for _, _, loads in out)


def test_bench_shard_jobs_runs_the_jobs_in_the_shared_runner(seed_run):
    bench = REPO / "benchmarks" / "bench_shard_jobs.py"
    args = [str(seed_run), "--repeat", "1", "--jobs", "sentiment_score", "frames_sentences"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
    run = subprocess.run([sys.executable, bench, *args], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    assert lines[0].startswith("job") and "fastest of 1" in lines[0]
    rows = dict(line.split() for line in lines[1:])
    assert list(rows) == ["sentiment_score", "frames_sentences"]
    assert all(float(v) > 0 for v in rows.values())
    # a child prints its CPU as JSON
    child = [*args[:3], "--child", "sentiment_score"]
    out = subprocess.run([sys.executable, bench, *child], env=env, capture_output=True, text=True)
    assert json.loads(out.stdout.strip().splitlines()[-1])["best"] > 0
