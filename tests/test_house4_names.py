"""Display names of frames and topics live in a light module (newslens.names, pandas only) that
the summary and the compare jobs share; the compare jobs no longer import newslens.summary."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from newslens import summary
from newslens.names import frame_display_names, topic_display_names

REPO = Path(__file__).resolve().parents[1]


def test_frame_display_names_known_answer():
    dist = pd.DataFrame(
        {"frame": ["security_defense", "economic", "legality"], "name": ["Security", "", None]}
    )
    assert frame_display_names(dist) == {"security_defense": "Security"}
    assert frame_display_names(pd.DataFrame({"frame": ["a"]})) == {}


def test_topic_display_names_known_answer():
    summ = pd.DataFrame({"topic": [3, 4], "label": ["armenia, border", None]})
    assert topic_display_names(summ) == {
        "3: armenia, border": "Topic 3 *armenia, border*",
        "topic_3": "Topic 3 *armenia, border*",
        "4: ": "Topic 4",
        "topic_4": "Topic 4",
    }
    assert topic_display_names(pd.DataFrame({"topic": [1]})) == {}


def test_summary_does_not_reexport_the_names():
    assert not hasattr(summary, "frame_display_names")
    assert not hasattr(summary, "topic_display_names")


def _loaded(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_names_module_imports_only_pandas():
    mods = _loaded("import newslens.names")
    newslens = {m for m in mods if m.startswith("newslens")}
    assert newslens == {"newslens", "newslens.names"}
    assert not {"matplotlib", "scipy", "sklearn", "nltk"} & mods


@pytest.mark.parametrize("script", ["compare_groups", "summary"])
def test_rule_scripts_take_the_names_from_newslens_names(script):
    tree = ast.parse((REPO / "scripts" / f"{script}.py").read_text(encoding="utf-8"))
    sources = {
        n.module: {a.name for a in n.names} for n in tree.body if isinstance(n, ast.ImportFrom)
    }
    assert "frame_display_names" in sources["newslens.names"]
    if script.startswith("compare_"):
        assert "newslens.summary" not in sources
        code = "\n".join(
            ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
        )
        assert "newslens.summary" not in _loaded(code)
