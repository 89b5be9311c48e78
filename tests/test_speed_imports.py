"""Job start-up cost: rule scripts that never call NLTK or scipy.stats do not import them (each
job is a fresh Python process; NLTK's import alone costs ~1-1.5 CPU-seconds, most of it
scipy.stats)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("nltk", "scipy.stats", "sklearn")
# rule script -> the heavy modules its module-level imports may load
ALLOWED = {
    "actor_articles": set(),
    "actor_mentions": set(),
    "clean": set(),
    "deduplicate": set(),
    "frames_gather": set(),
    "frames_sentences": set(),
    "ingest": set(),
    "sentiment_score": set(),
    "sentiment_tables": set(),
    "topic_counts": set(),
    "topic_dtm": set(),
    "tokens_tokenize": set(),  # NLTK's Punkt without NLTK's __init__ (newslens.nltk_punkt)
    "tokens_train_punkt": set(),
}


def loaded_heavy(script: str) -> set[str]:
    """The HEAVY modules loaded by the module-level imports of scripts/<script>.py."""
    tree = ast.parse((REPO / "scripts" / f"{script}.py").read_text(encoding="utf-8"))
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    code = "\n".join(
        [
            *imports,
            "import json, sys",
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
        ]
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("script", sorted(ALLOWED))
def test_rule_scripts_import_only_what_they_use(script):
    assert loaded_heavy(script) == ALLOWED[script]
