"""benchmarks/common.py: the set-up the benchmark scripts share (config overlay, snakemake
command, the jobs' benchmark files per rule, paired bootstrap differences)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import common  # noqa: E402

BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def bench_file(path: Path, s: float, rss: float, cpu: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BENCH_HEADER + f"{s}\t0:00:01\t{rss}\t0\t0\t0\t0\t0\t50\t{cpu}\n")


def test_config_overlay_merges_nested_keys(tmp_path):
    cfg = common.write_config(
        tmp_path, {"corpus": {"path": "/data/c.parquet"}, "tokenize": {"csv_tables": True}}
    )
    written = yaml.safe_load((tmp_path / "config" / "config.yaml").read_text())
    assert written == cfg and written["corpus"]["path"] == "/data/c.parquet"
    assert written["tokenize"]["csv_tables"] is True
    # keys beside the overridden ones keep the repository's values; config/ is copied whole
    default = common.read_config()
    assert written["corpus"]["columns"] == default["corpus"]["columns"]
    assert (tmp_path / "config" / "codebooks").is_dir()
    # a base config replaces the repository's; lists and empty dicts are set, not merged
    cfg = common.write_config(tmp_path, {"a": {"b": [1]}, "c": {}}, base={"a": {"b": [0, 2]}})
    assert cfg == {"a": {"b": [1]}, "c": {}}


def test_snakemake_command_layout(tmp_path):
    cmd = common.snakemake_command(
        tmp_path, "t1", "t2", cores=3, shards=4, quiet=["all"], extra=["--forcerun", "r"]
    )
    assert cmd[0].endswith("snakemake") and cmd[cmd.index("--snakefile") + 1].endswith(
        "workflow/Snakefile"
    )
    tail = cmd[cmd.index("--cores") :]
    assert tail == [
        "--cores",
        "3",
        "--set-scatter",
        "shard=4",
        "--forcerun",
        "r",
        "--quiet",
        "all",
        "--",
        "t1",
        "t2",
    ]
    # without targets, no "--"; plain --quiet with []
    assert common.snakemake_command(tmp_path, quiet=[])[-3:] == ["--cores", "2", "--quiet"]
    env = common.package_env({"PYTHONPATH": "/x"})
    assert env["PYTHONPATH"].split(":") == [str(REPO / "scripts"), "/x"]
    assert env["PYTHONHASHSEED"] == "0"


def test_job_and_rule_tables(tmp_path):
    root = tmp_path / "results" / "benchmarks"
    bench_file(root / "ingest.tsv", 2.0, 100.0, 1.5)
    bench_file(root / "clean" / "1-of-2.tsv", 3.0, 200.0, 2.5)
    bench_file(root / "clean" / "2-of-2.tsv", 4.0, 150.0, 3.5)
    jobs = common.job_table(tmp_path)
    assert jobs["rule"].tolist() == ["clean", "clean", "ingest"]
    assert jobs["file"].tolist() == ["clean/1-of-2.tsv", "clean/2-of-2.tsv", "ingest.tsv"]
    rules = common.rule_table(jobs)
    assert rules.loc["clean"].to_dict() == {
        "seconds": 7.0,
        "cpu_seconds": 6.0,
        "jobs": 2,
        "max_rss_mb": 200.0,
    }
    assert rules.loc["ingest", "cpu_seconds"] == 1.5
    assert common.job_table(tmp_path / "none").empty


def test_paired_bootstrap_known_answers():
    gold = np.array([1, 1, 0, 0])
    better = np.array([1, 1, 0, 0])  # always right
    worse = np.array([0, 0, 1, 1])  # always wrong

    def accuracy(g, p):
        return float((g == p).mean())

    idx = common.bootstrap_indices(4, 200, seed=1)
    assert idx.shape == (200, 4) and idx.min() >= 0 and idx.max() <= 3
    assert (idx == common.bootstrap_indices(4, 200, seed=1)).all()  # seeded
    d = common.paired_differences(accuracy, gold, better, worse, idx)
    assert d.shape == (200,) and (d == 1.0).all()
    assert common.format_difference(d) == "+1.000 [+1.000, +1.000] wins "
    assert common.format_difference(-d).endswith("loses")
    assert common.verdict(-0.1, 0.2) == "n.s."
    assert common.percentile_interval(np.arange(101), 0.9) == pytest.approx((5.0, 95.0))
