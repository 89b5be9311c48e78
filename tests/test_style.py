"""The code style gates of the project: ruff on the Python, snakefmt on the workflow."""

import subprocess

from conftest import BIN, REPO


def test_ruff_clean():
    proc = subprocess.run(
        [str(BIN / "ruff"), "check", "scripts", "tests", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakefmt_clean():
    proc = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "workflow"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
