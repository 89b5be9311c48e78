"""Shared fixtures. The whole pipeline runs once per test session on the seed corpus, in a
temporary directory, and every end-to-end test reads that run's outputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "workflow" / "Snakefile"
BIN = Path(sys.executable).parent


def snakemake_cmd(*args: str) -> list[str]:
    return [str(BIN / "snakemake"), "--snakefile", str(SNAKEFILE), *args]


def make_workdir(tmp: Path, corpus: Path | None = None, **overrides) -> Path:
    """A working directory with a copy of config/ whose corpus.path points at ``corpus``
    (default: the repository's seeds/), with nested config overrides applied."""
    shutil.copytree(REPO / "config", tmp / "config")
    cfg_path = tmp / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["corpus"]["path"] = str(corpus or REPO / "seeds")
    for dotted, value in overrides.items():
        node = cfg
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return tmp


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(
        snakemake_cmd("--directory", str(workdir), "--cores", "2", *args),
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return proc


def planned_rules(workdir: Path, *args: str) -> set[str]:
    """The rules a dry run (``snakemake -n``) would run in ``workdir``."""
    out = run_snakemake(workdir, "-n", *args).stdout
    rules = set()
    for line in out.splitlines():
        line = line.strip()
        for prefix in ("localrule ", "rule "):
            if line.startswith(prefix) and line.endswith(":"):
                rules.add(line[len(prefix) : -1])
    return rules


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory) -> Path:
    """Run the whole pipeline on seeds/ once; return the working directory."""
    # with the CSV twins of the per-row tables (tokenize.csv_tables), which tests compare
    workdir = make_workdir(tmp_path_factory.mktemp("seed_run"), tokenize__csv_tables=True)
    run_snakemake(workdir)
    return workdir


@pytest.fixture(scope="session")
def seed_tables(seed_run) -> Path:
    return seed_run / "results" / "tables"


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures a test opened (pyplot keeps them; more than 20 open warn)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
