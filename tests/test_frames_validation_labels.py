"""Frame labels in labeled/gold data: only explicit mappings reach frames, unknown labels are
named with the keys that fix them, items with no frame, duplicate texts, 1-based lines."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO
from newslens.codebook import load_codebook
from newslens.frames_eval import (
    LINE,
    coverage_message,
    duplicate_conflicts,
    is_single_label,
    parse_labels,
    read_coded_table,
    text_key,
    where,
    with_none,
)
from newslens.runtime import NewslensError


@pytest.fixture(scope="module")
def policy():
    return load_codebook(REPO / "config" / "codebooks" / "policy_frames.yaml", normalize="none")


@pytest.fixture(scope="module")
def generic():
    return load_codebook(REPO / "config" / "codebooks" / "generic_frames.yaml", normalize="none")


def test_shipped_codebooks_have_no_bare_numeric_aliases():
    import yaml

    for name in ("policy_frames.yaml", "generic_frames.yaml"):
        data = yaml.safe_load((REPO / "config" / "codebooks" / name).read_text())
        for fr in data["frames"]:
            for lab in fr.get("labels") or []:
                assert not str(lab).replace(".", "").isdigit(), (name, fr["key"], lab)


def test_numeric_codes_of_another_scheme_are_unknown_not_renamed(policy):
    # a 9-frame scheme coded 1..9: "3" is its Politics, not the Policy Frames' Morality
    codes = pd.Series(["3", "3", "1;3", "9", "Economic"])
    with pytest.raises(NewslensError) as err:
        parse_labels(codes, policy, ";", "error", "gold data g.csv", lines=[2, 3, 4, 5, 6])
    msg = str(err.value)
    assert "gold data g.csv: 3 label(s) are no frame" in msg
    assert "'1' (1 items, first line 4)" in msg
    assert "'3' (3 items, first line 2)" in msg
    assert "'9' (1 items, first line 5)" in msg
    assert "economic, capacity_resources, morality" in msg  # the codebook's keys
    assert "framing.label_map" in msg and "framing.unknown_labels" in msg
    assert "'labels'" in msg
    # keep: frames of their own, named as written (never a codebook frame)
    labels, report = parse_labels(codes, policy, ";", "keep")
    assert labels == [["3"], ["3"], ["1", "3"], ["9"], ["economic"]]
    assert report.set_index("label")["n_items"].to_dict() == {"1": 1, "3": 3, "9": 1}
    assert parse_labels(codes, policy, ";", "drop")[0] == [[], [], [], [], ["economic"]]


def test_scheme_qualified_codes_and_label_map(policy, generic):
    labels, _ = parse_labels(pd.Series(["mfc:3", "MFC:8.0", "mfc:13.0"]), policy, ";", "error")
    assert labels == [["morality"], ["security_defense"], ["political"]]
    # label_map: code -> frame key (or none), before the codebook's own spellings
    labels, report = parse_labels(
        pd.Series(["3", "1;3", "7", ""]),
        policy,
        ";",
        "error",
        label_map={"3": "political", "1": "economic", "7": "none"},
    )
    assert labels == [["political"], ["economic", "political"], [], []]
    assert report.empty
    labels, _ = parse_labels(
        pd.Series(["CO;EC", "RE", "HI"]),
        generic,
        ";",
        "error",
        label_map={"CO": "conflict", "EC": "economic_consequences", "RE": "responsibility"},
    )
    assert labels == [["conflict", "economic_consequences"], ["responsibility"], ["human_interest"]]
    with pytest.raises(NewslensError, match="framing.label_map maps 'CO' to 'conflicts'"):
        parse_labels(pd.Series(["CO"]), generic, ";", "error", label_map={"CO": "conflicts"})


def test_coverage_message(generic):
    values = pd.Series(["conflict", "XX", "conflict;YY", "", "morality"])
    _, report = parse_labels(values, generic, ";", "keep")
    msg = coverage_message(values, report, ";", "gold data")
    assert msg == "gold data: 3 of 5 items have all labels in the codebook"


def test_items_with_no_frame(generic):
    labels, _ = parse_labels(
        pd.Series(["conflict", "", "none", "No frame", "morality"]), generic, ";", "error"
    )
    assert labels == [["conflict"], [], [], [], ["morality"]]
    # multi-label data: an empty set; single-label data: the class "none"
    assert is_single_label(labels)
    assert with_none(labels) == [["conflict"], ["none"], ["none"], ["none"], ["morality"]]
    assert not is_single_label([["a", "b"], []]) and not is_single_label([[], []])


def test_duplicate_texts_coded_differently_are_reported_not_merged():
    texts = ["A  war began.", "Prices rose.", "a war began.", "Prices rose.", "Other"]
    labels = [["conflict"], ["economic"], ["morality"], ["economic"], []]
    d = duplicate_conflicts(texts, labels, [2, 3, 5, 6, 9], ["a", "b", "c", "d", "e"])
    assert len(d) == 1  # the same codes twice is no conflict
    r = d.iloc[0]
    assert r["lines"] == "2;5" and r["ids"] == "a;c" and r["labels"] == "conflict | morality"
    assert text_key(" A\nWar  began. ") == "a war began."


def test_file_lines_are_one_based_and_count_multiline_records(tmp_path):
    p = tmp_path / "coded.csv"
    p.write_text(
        'id,text,labels\nx1,"first",conflict\n\nx2,"two\nline text",morality\nx3,third,\n',
        encoding="utf-8",
    )
    df = read_coded_table(p, "gold data")
    assert df["id"].tolist() == ["x1", "x2", "x3"]
    assert df[LINE].tolist() == [2, 4, 6]  # header line 1, a blank line 3, a 2-line record
    tsv = tmp_path / "coded.tsv"
    tsv.write_text("text\tlabels\na\tb\nc\n", encoding="utf-8")
    with pytest.raises(NewslensError, match=r"coded.tsv, line 3: 1 fields where the header"):
        read_coded_table(tsv, "labeled data")
    jl = tmp_path / "coded.jsonl"
    jl.write_text('{"text": "a", "labels": "x"}\n{"text": "b", "labels": "y"}\n')
    assert read_coded_table(jl, "gold data")[LINE].tolist() == [1, 2]
    assert where([4, 9], ["x2", "x7"]) == "lines 4, 9 (ids x2, x7)"
    assert where([4]) == "line 4"
