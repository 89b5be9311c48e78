"""Shared by the preflight tests: the default config with keys set, and a small coded table
written in every format a coded or side file may have."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
#: the coded table's columns, in order
CODED_COLUMNS = ["doc_id", "actor", "label", "text", "labels"]
#: how a message lists them
PRESENT = ", ".join(f"'{c}'" for c in CODED_COLUMNS)


def with_keys(keys: dict, config: dict | None = None) -> dict:
    """A copy of ``config`` (default: config/config.yaml) with dotted keys set:
    ``with_keys({"sentiment.supervised.header": False})``."""
    config = copy.deepcopy(config or CONFIG)
    for dotted, value in keys.items():
        node = config
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return config


def coded_rows() -> pd.DataFrame:
    """Two coded rows with an id, an actor, a sentiment label, a text and frame labels."""
    return pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "actor": ["X", "Y"],
            "label": ["pos", "neg"],
            "text": ["Good news.", "Bad news."],
            "labels": ["security", "economic"],
        },
        columns=CODED_COLUMNS,
    )


def write_coded(folder: Path, suffix: str = "csv") -> str:
    """``coded_rows()`` written to ``folder/coded.<suffix>`` (csv, tsv, jsonl or parquet)."""
    rows, path = coded_rows(), folder / f"coded.{suffix}"
    if suffix == "csv":
        rows.to_csv(path, index=False)
    elif suffix == "tsv":
        rows.to_csv(path, index=False, sep="\t")
    elif suffix == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in rows.to_dict("records")) + "\n")
    elif suffix == "parquet":
        rows.to_parquet(path, index=False)
    else:
        raise ValueError(f"no coded format {suffix!r}")
    return str(path)
