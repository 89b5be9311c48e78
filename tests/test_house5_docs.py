"""The documentation names the configuration as it is: every config key is described in
config/README.md, and every config key the docs name (``framing.validation.gold``) exists in
the schema."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text("utf-8"))
DOCS = [REPO / "README.md", REPO / "config/README.md", *sorted((REPO / "docs").glob("*.md"))]
# dotted names in the docs that are not config keys although they start like one
NOT_KEYS = {"compare.bys"}  # docs/input.md: the example of a misspelt key


def schema_paths(node: dict, prefix: str = "") -> set[str]:
    """Every key of the schema as a dotted path (``*`` for a map's free keys)."""
    out = set()
    for key, sub in (node.get("properties") or {}).items():
        out.add(prefix + key)
        if isinstance(sub, dict):
            out |= schema_paths(sub, f"{prefix}{key}.")
            if isinstance(sub.get("additionalProperties"), dict):
                out |= schema_paths(sub["additionalProperties"], f"{prefix}{key}.*.")
    return out


def config_leaves(node, prefix: str = "") -> set[str]:
    """The keys of config/config.yaml that hold a value (not a section), as dotted paths."""
    if not isinstance(node, dict) or not node or prefix == "actors.":
        return {prefix.rstrip(".")}
    return set().union(*(config_leaves(v, f"{prefix}{k}.") for k, v in node.items()))


def readme_keys(text: str, tops: set[str]) -> set[str]:
    """The keys config/README.md names: in section ``## name`` a backticked ``key`` is
    ``name.key`` unless it starts with a top-level key; ``.key`` continues the line's previous
    key (``supervised.columns.text``, ``.labels``)."""
    named, section = set(), ""
    for line in text.splitlines():
        heading = re.match(r"^## `?([a-z_]+)`?", line)
        if heading:
            section = heading.group(1)
            continue
        previous = None
        for token in re.findall(r"`([a-z_.]+)`", line):
            if token.startswith(".") and previous:
                path = previous.rsplit(".", 1)[0] + token
            elif token.split(".")[0] in tops:
                path = token
            else:
                path = f"{section}.{token}"
            named.add(path)
            previous = path
    return named


def test_every_config_key_is_described_in_config_readme():
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text("utf-8"))
    named = readme_keys((REPO / "config/README.md").read_text("utf-8"), set(cfg))
    missing = {
        leaf
        for leaf in config_leaves(cfg)
        if not any(leaf == n or leaf.startswith(n + ".") for n in named)
    }
    assert missing == set(), sorted(missing)


def _is_code_name(token: str) -> bool:
    """``tokenize.text_splitter``: a name of the package, not a key."""
    module, _, name = token.rpartition(".")
    try:
        return hasattr(importlib.import_module(f"newslens.{module}"), name)
    except ImportError:
        return False


def test_config_keys_named_in_the_docs_exist():
    paths = schema_paths(SCHEMA)
    patterns = [re.compile(re.escape(p).replace(r"\*", r"[^.]+") + r"(\.\*)?") for p in paths]
    tops = {p for p in paths if "." not in p}
    wrong = []
    for doc in DOCS:
        for no, line in enumerate(doc.read_text("utf-8").splitlines(), 1):
            for token in re.findall(r"`([a-z_][a-z_0-9.*]*\.[a-z_0-9.*]+)`", line):
                if token.split(".")[0] not in tops or token in NOT_KEYS:
                    continue
                if re.search(r"\.(md|csv|html|py|json|parquet|png|txt|yaml)$", token):
                    continue
                if any(p.fullmatch(token) for p in patterns) or _is_code_name(token):
                    continue
                wildcard = re.escape(token).replace(r"\*", "[^.]*")  # sentiment.actor_*.file
                if "*" in token and any(re.fullmatch(wildcard, p) for p in paths):
                    continue
                wrong.append(f"{doc.relative_to(REPO)}:{no}: {token}")
    assert wrong == [], wrong


def test_results_files_named_in_the_docs_are_written():
    """Every ``results/...`` file the docs name (without a placeholder) is a name the rules or
    their scripts write."""
    code = "\n".join(
        p.read_text("utf-8")
        for p in [*(REPO / "workflow/rules").glob("*.smk"), *(REPO / "scripts").rglob("*.py")]
    )
    unknown = []
    for doc in DOCS:
        for no, line in enumerate(doc.read_text("utf-8").splitlines(), 1):
            for token in re.findall(r"`(results/[^`\s]*)`", line):
                name = token.rstrip("/").rsplit("/", 1)[-1]
                if name in ("", "results") or any(c in name for c in "{<*…"):
                    continue
                if name.split(".")[0] not in code:
                    unknown.append(f"{doc.relative_to(REPO)}:{no}: {token}")
    assert unknown == [], unknown


def test_repository_files_named_in_the_docs_exist():
    """``benchmarks/bench_shard_jobs.py``, ``tests/test_run_safety.py``, ... are there."""
    folders = r"(?:benchmarks|scripts|tests|workflow|config|seeds|docs|\.test|\.ci)/"
    missing = []
    for doc in DOCS:
        for no, line in enumerate(doc.read_text("utf-8").splitlines(), 1):
            for token in re.findall(rf"`({folders}[\w./*{{}}<>-]*)", line):
                path = token.rstrip(".,")
                if not any(c in path for c in "*{}<>") and not (REPO / path).exists():
                    missing.append(f"{doc.relative_to(REPO)}:{no}: {path}")
    assert missing == [], missing
