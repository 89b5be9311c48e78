"""The workflow deployed with snakedeploy into a fresh folder runs, and its jobs import the
deployed copy's own analysis package (scripts/newslens), not an installed one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# snakedeploy's local provider writes the module's Snakefile relative to the source; Snakemake
# reads a module path relative to the deploying Snakefile (github()/gitlab() sources are fine)
LOCAL_DECLARATION = '"workflow/Snakefile"'
MARK = """
import os as _os
if _os.environ.get("NEWSLENS_IMPORT_MARK"):
    with open(_os.environ["NEWSLENS_IMPORT_MARK"], "a", encoding="utf-8") as _f:
        _f.write(__file__ + "\\n")
"""


def copy_checkout(dest: Path) -> None:
    """The tracked files of this checkout, as they are now (what a clone would hold)."""
    files = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "PYTHONHASHSEED": "0", **extra}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if shutil.which("git") is None or not (BIN / "snakedeploy").exists():
        pytest.skip("git or snakedeploy not installed (pip install -e '.[test]')")
    tmp = tmp_path_factory.mktemp("deploy")
    source, dest = tmp / "newslens", tmp / "analysis"
    copy_checkout(source)
    with open(source / "scripts" / "newslens" / "__init__.py", "a", encoding="utf-8") as f:
        f.write(MARK)
    proc = subprocess.run(
        [str(BIN / "snakedeploy"), "deploy-workflow", str(source), str(dest), "--branch", "main"],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    snakefile = dest / "workflow" / "Snakefile"
    text = snakefile.read_text()
    assert "module newslens:" in text and "use rule * from newslens" in text
    assert LOCAL_DECLARATION in text
    snakefile.write_text(text.replace(LOCAL_DECLARATION, f'"{source}/workflow/Snakefile"'))
    # the deployed config is the source's template: point it at the seed corpus
    cfg_path = dest / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["corpus"]["path"] = str(source / "seeds")
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    assert (dest / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    return source, dest


def snakemake(dest: Path, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "snakemake"), "--cores", "2", *args],
        cwd=dest,
        capture_output=True,
        text=True,
        env=clean_env(**env),
    )


def test_deployed_workflow_dry_runs(deployed):
    _, dest = deployed
    proc = snakemake(dest, "-n")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "rule frames_sentences:" in proc.stdout and "rule topic_model:" in proc.stdout


def test_deployed_workflow_runs_on_the_seed_with_its_own_package(deployed, seed_run):
    source, dest = deployed
    marks = dest / "imports.txt"
    proc = snakemake(dest, NEWSLENS_IMPORT_MARK=str(marks))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    # every job (and the parse) imported the deployed copy of the package
    imported = set(marks.read_text().splitlines())
    assert imported == {str(source / "scripts" / "newslens" / "__init__.py")}
    assert len(marks.read_text().splitlines()) > 20  # one line per process: the jobs ran
    # the same results as the checkout's own run on the seed
    for table in ["frames_documents.csv", "sentiment_documents.csv", "topic_summary.csv"]:
        got = pd.read_csv(dest / "results" / "tables" / table)
        expected = pd.read_csv(seed_run / "results" / "tables" / table)
        pd.testing.assert_frame_equal(got, expected)
    assert (dest / "results" / "report_tables").is_dir()
    assert (dest / "results" / "summary.md").read_text().strip()
