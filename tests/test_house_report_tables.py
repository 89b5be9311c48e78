"""The report's interactive tables: a page carries the DataTables bundle gzip-compressed (the
same library as itables' own page, a quarter of its size), is byte-identical across runs, and a
table longer than report.max_table_rows shows its first rows with a note naming the full CSV."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import pandas as pd
import yaml
from newslens.report_tables import PAYLOAD_RE, interactive_table

REPO = Path(__file__).resolve().parents[1]


def itables_payloads() -> dict[str, bytes]:
    """The CSS and JavaScript that itables itself inlines (base64), decoded."""
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    text = generate_init_offline_itables_html(options.dt_bundle)
    return {kind: base64.b64decode(b64) for kind, b64 in PAYLOAD_RE.findall(text)}


def page_payloads(page: str) -> dict[str, bytes]:
    return {kind: gzip.decompress(base64.b64decode(b64)) for kind, b64 in PAYLOAD_RE.findall(page)}


def data_rows(page: str) -> list:
    match = re.search(r'"data_json": "((?:[^"\\]|\\.)*)"', page)
    return json.loads(json.loads(f'"{match.group(1)}"'))


def test_page_carries_the_same_library_compressed():
    df = pd.DataFrame({"doc_id": ["a", "b"], "n_words": [120, 85]})
    page = interactive_table(df, "Documents", "results/tables/documents.csv")
    assert page_payloads(page) == itables_payloads()  # the library, byte for byte
    assert set(itables_payloads()) == {"injectCSS", "injectModule"}
    assert "await inflateBase64(base64JS)" in page and "DecompressionStream" in page
    assert len(page.encode()) < 300_000  # itables' plain base64 bundle alone is ~970,000
    assert "itables.org" not in page.split("</head>")[0]  # no notebook notice in the loader
    # the same bytes on every run (fixed gzip header)
    assert interactive_table(df, "Documents", "results/tables/documents.csv") == page
    assert data_rows(page) == [["a", 120], ["b", 85]]


def test_a_long_table_is_capped_with_a_note():
    df = pd.DataFrame({"doc_id": [f"d{i}" for i in range(2500)], "x": range(2500)})
    page = interactive_table(df, "Documents", "results/tables/documents.csv", max_rows=1000)
    assert (
        "This page holds the first 1,000 of 2,500 rows of "
        "<code>results/tables/documents.csv</code> (config key report.max_table_rows); the "
        "full table is that file." in page
    )
    rows = data_rows(page)
    assert len(rows) == 1000 and rows[0] == ["d0", 0] and rows[-1] == ["d999", 999]
    short = interactive_table(df.head(30), "Documents", "results/tables/documents.csv", 1000)
    assert "30 rows of <code>results/tables/documents.csv</code>." in short
    assert "This page holds" not in short and len(data_rows(short)) == 30


def test_text_cells_read_well():
    """A missing text is an empty cell (not "NaN"); long texts get a wide column."""
    df = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "author": [None, None],
            "title": ["A legal battle over the valley", None],
            "lede": ["Military observers counted twelve violations of the ceasefire. " * 2] * 2,
            "score": [0.5, float("nan")],
        }
    )
    page = interactive_table(df, "Documents", "results/tables/documents.csv")
    rows = data_rows(page)
    assert [r[1] for r in rows] == ["", ""] and rows[1][2] == ""
    assert rows[0][2] == "A legal battle over the valley"
    assert '{"className": "medium", "targets": [2]}' in page
    assert '{"className": "long", "targets": [3]}' in page and "td.long{" in page


def test_the_cap_is_a_config_key_with_its_default():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    key = schema["properties"]["report"]["properties"]["max_table_rows"]
    assert config["report"]["max_table_rows"] == key["default"] == 1000
    assert "full CSV" in key["description"]
    rule = (REPO / "workflow" / "rules" / "report.smk").read_text()
    assert 'max_rows=config["report"]["max_table_rows"]' in rule
