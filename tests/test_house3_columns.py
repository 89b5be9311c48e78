"""One list of the documents table's descriptive columns (newslens.columns.DOC_COLUMNS): the
clean table starts with it and the tokenize job carries it, in this order."""

from __future__ import annotations

import ast
from pathlib import Path

from newslens import clean
from newslens.columns import CLEAN_COLUMNS, DOC_COLUMNS

REPO = Path(__file__).resolve().parents[1]


def test_the_clean_table_starts_with_the_document_columns():
    assert DOC_COLUMNS == [
        "doc_index",
        "doc_id",
        "title",
        "date",
        "date_precision",
        "author",
        "role",
        "lede",
        "source",
    ]
    assert CLEAN_COLUMNS == [*DOC_COLUMNS, "text", "n_words", "content_hash", "minhash"]
    assert clean.CLEAN_COLUMNS is CLEAN_COLUMNS  # the clean module re-exports the one list


def test_tokenize_job_takes_the_list_and_defines_none_of_its_own():
    tree = ast.parse((REPO / "scripts" / "tokens_tokenize.py").read_text(encoding="utf-8"))
    imported = {
        (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert ("newslens.columns", "DOC_COLUMNS") in imported
    literal_lists = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.List)
        and len(node.elts) > 2
        and all(isinstance(e, ast.Constant) and e.value in DOC_COLUMNS for e in node.elts)
    ]
    assert literal_lists == []
