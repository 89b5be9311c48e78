"""Every function and class of the package is used by the pipeline (rule scripts, the package
itself, the workflow) or by a benchmark: code that only tests call belongs in tests/ (as
tests/reference_actor_frames.py holds the merge that ``actor_frame_shares`` must equal,
tests/reference_tokenize.py NLTK's Punkt and the pandas tokenize helpers, and
tests/reference_sentiment.py the per-article actor sums)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scripts" / "newslens"

# (module, name) -> why it stays although only tests call it
TEST_ONLY_ALLOWED = {
    # planted data and known answers: they stay beside the same modules' other generators
    # (compare_synthetic.PlantedTrend, topics_synthetic.planted_counts / news_like_counts),
    # which benchmarks/bench_compare_spline.py, bench_topics.py and bench_topics_k.py import
    ("compare_synthetic.py", "make_sentences"): "planted sentence tables of the synthetic "
    "module (drawn by 6 test files)",
    ("compare_synthetic.py", "expected_frame_difference"): "the planted data's known answer",
    ("compare_synthetic.py", "expected_actor_frame_difference"): "the planted data's known answer",
    ("topics_synthetic.py", "planted_tokens"): "planted token tables of the synthetic module",
    ("compare_actors.py", "actor_frame_shares"): "the in-memory form of "
    "actor_frame_shares_from_dataset (the same matching and averaging code), which the "
    "compare_groups job streams from the frame dataset; tests and figure tests build it from "
    "made-up tables",
    ("frames_match.py", "match_sentences_reference"): "a thin public wrapper of "
    "_reference_rows, the per-word path BatchMatcher falls back to; in tests it would need "
    "three private helpers",
}


def _uses(paths) -> Counter:
    """Names read (not defined, imported or listed in ``__all__``) in the Python files."""
    used: Counter = Counter()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        listed = {
            id(c)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            for c in ast.walk(node.value)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used[node.id] += 1
            elif isinstance(node, ast.Attribute):
                used[node.attr] += 1
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in listed and re.fullmatch(r"\w+", node.value):
                    used[node.value] += 1
    return used


def test_no_package_code_only_tests_use():
    code = [*(REPO / "scripts").rglob("*.py"), *(REPO / "benchmarks").rglob("*.py")]
    used = _uses(code)
    rules = "\n".join(
        p.read_text(encoding="utf-8") for p in (REPO / "workflow").rglob("*") if p.is_file()
    )
    unused = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("__"):
                if not used[node.name] and not re.search(rf"\b{node.name}\b", rules):
                    unused.add((path.name, node.name))
    assert unused <= set(TEST_ONLY_ALLOWED), sorted(unused - set(TEST_ONLY_ALLOWED))
