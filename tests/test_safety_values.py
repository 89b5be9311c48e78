"""Values that read without error but gave wrong numbers: dates outside a plausible range
(future, 1899-12-30, year 0022), spreadsheet day numbers in a date column, outlet names that
differ only by case or spacing, articles in another language, a guessed legacy encoding."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from newslens.corpus import read_folder_file
from newslens.input_checks import (
    MetadataVariants,
    date_out_of_range,
    detected_encoding_note,
    english_share,
    language_note,
    resolve_latest_date,
    spreadsheet_serial_hint,
)
from test_safety_markup import BODY, clean

RU = "Армения и Азербайджан продолжат переговоры на следующей неделе в Москве. " * 6
DE = (
    "Die Regierung in Eriwan erklärte am Mittwoch, dass die Gespräche mit Aserbaidschan in der "
    "nächsten Woche fortgesetzt werden. Der Ministerpräsident sagte, ein Vertrag solle folgen. "
) * 3


@pytest.mark.parametrize(
    ("iso", "why"),
    [
        ("2022-11-23", None),
        ("2022-11", None),
        ("2026", None),
        (None, None),
        ("1899-12-30", "before cleaning.earliest_date (1900-01-01)"),
        ("0022-11-23", "before cleaning.earliest_date (1900-01-01)"),
        ("2031-05-01", "after cleaning.latest_date (2026-12-06)"),
        ("2027", "after cleaning.latest_date (2026-12-06)"),
        ("2026-12", None),  # a month that holds the bound
    ],
)
def test_date_range(iso, why):
    got = date_out_of_range(iso, "1900-01-01", "2026-12-06")
    assert (got is None) if why is None else got.startswith(why)


def test_latest_date_today_is_the_utc_date_and_null_no_bound():
    assert resolve_latest_date("today", today=date(2030, 1, 2)) == "2030-01-02"
    assert resolve_latest_date(None) is None
    assert resolve_latest_date("2024-06-30") == "2024-06-30"
    assert date_out_of_range("9999-01-01", None, None) is None


@pytest.mark.parametrize(
    ("value", "hint"),
    [("44888", "44888 is 2022-11-23"), ("44889.5", "44889 is 2022-11-24"), ("2022", ""), ("x", "")],
)
def test_spreadsheet_serial_hint(value, hint):
    got = spreadsheet_serial_hint(value)
    assert (hint in got and "1904" in got) if hint else got == ""


def test_implausible_and_serial_dates_are_left_empty_and_audited():
    rules_today = {"latest_date": "2026-12-06"}
    texts = [BODY + f" Note {i}." for i in range(5)]
    raw_dates = ["2031-05-01", "1899-12-30", "0022-11-23", "44888", "2022-11-23"]
    out, audit = clean_with_dates(texts, raw_dates, **rules_today)
    assert out["date"].fillna("").tolist() == ["", "", "", "", "2022-11-23"]
    rows = audit[audit["action"].isin(["implausible_date", "unparsed_date"])]
    assert rows[["doc_id", "action", "content"]].values.tolist() == [
        ["d0", "implausible_date", "2031-05-01"],
        ["d1", "implausible_date", "1899-12-30"],
        ["d2", "implausible_date", "0022-11-23"],
        ["d3", "unparsed_date", "44888"],
    ]
    assert "after cleaning.latest_date (2026-12-06)" in rows["reason"].iloc[0]
    assert "44888 is 2022-11-23" in rows["reason"].iloc[3]
    # a wider range keeps them
    out, _ = clean_with_dates(texts, raw_dates, earliest_date=None, latest_date=None)
    assert out["date"].fillna("").tolist() == [
        "2031-05-01",
        "1899-12-30",
        "0022-11-23",
        "",
        "2022-11-23",
    ]


def clean_with_dates(texts, raw_dates, **overrides):
    import test_safety_markup as m

    rules, signer = m.cleaning(**overrides)
    n = len(texts)
    raw = pd.DataFrame(
        {
            "doc_index": range(n),
            "doc_id": [f"d{i}" for i in range(n)],
            "source": [f"t.csv:row {i + 1}" for i in range(n)],
            "kind": ["text"] * n,
            "raw": texts,
            "title": [None] * n,
            "date": raw_dates,
            "author": [None] * n,
        }
    )
    from newslens.clean import clean_frame

    out, audit = clean_frame(raw, rules, signer, [])
    audit = pd.DataFrame(audit)
    return out, audit[audit["action"] != "removed_line"]


def test_metadata_values_differing_by_case_are_each_recorded():
    variants = MetadataVariants(["outlet", "country"])
    variants.add("outlet", ["RIA", "ria", "TASS", "RIA", "Ria"], list("abcde"), list("ABCDE"))
    variants.add("outlet", ["tass", None], ["f", "g"], ["F", "G"])
    variants.add("country", ["Russia", "Russia"], ["a", "b"], ["A", "B"])
    records = variants.records()
    assert [(r[0], r[1], r[3]) for r in records] == [
        ("a", "A", "RIA"),
        ("b", "B", "ria"),
        ("e", "E", "Ria"),
        ("c", "C", "TASS"),
        ("f", "F", "tass"),
    ]
    assert (
        "3 values differ only by case or spacing: 'RIA' (2), 'ria' (1), 'Ria' (1)"
        in (records[0][2])
    )
    assert records[0][2].startswith("column 'outlet'")


def test_other_language_is_recorded_not_dropped():
    assert english_share(BODY)[0] > 0.25
    assert english_share(RU) == (0.0, 60)
    assert language_note(DE, None) == ""
    out, audit = clean([BODY, RU, DE])
    assert out.index.tolist() == ["d0", "d1", "d2"]  # all kept
    rows = audit[audit["action"] == "other_language"]
    assert rows["doc_id"].tolist() == ["d1", "d2"]
    assert rows["reason"].iloc[0].startswith("does not look English: 0% of its first 60 words")
    assert "cleaning.expected_language: null" in rows["reason"].iloc[0]
    _, audit = clean([BODY, RU, DE], expected_language=None)
    assert "other_language" not in set(audit["action"])


def test_a_guessed_legacy_encoding_is_recorded(tmp_path):
    (tmp_path / "ru.txt").write_bytes(RU.encode("cp1251"))
    (tmp_path / "en.txt").write_bytes(BODY.encode("utf-8"))
    record, audit = read_folder_file(tmp_path / "ru.txt", tmp_path)
    assert record["raw"] == RU
    assert [(a.action, a.reason.split(",")[0]) for a in audit] == [
        ("detected_encoding", "not Unicode: decoded as cp1251")
    ]
    assert read_folder_file(tmp_path / "en.txt", tmp_path)[1] == []
    assert read_folder_file(tmp_path / "ru.txt", tmp_path, "cp1251")[1] == []
    assert detected_encoding_note("utf-16", "auto") == ""


def test_text_file_with_a_stray_nul_is_kept_and_audited(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(BODY.replace("Armenia", "Arme\x00nia", 1).encode())
    record, audit = read_folder_file(path, tmp_path)
    assert record is not None and audit == []
    _, audit = clean([record["raw"]])
    assert audit[audit["action"] == "control_characters"]["doc_id"].tolist() == ["d0"]


def test_actor_targets_alias_of_two_actors_in_one_article_names_both_rows():
    from newslens.actors import targets_from_table
    from newslens.runtime import NewslensError

    cols = {"doc_id": "doc_id", "actor": "actor", "aliases": "aliases"}
    table = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b"],
            "actor": ["Lugo", "Franco", "Lugo", "Lugo"],
            "aliases": ["Fernando Lugo;President", "Federico Franco;president", "Lugo", "Lugo"],
        }
    )
    with pytest.raises(NewslensError) as err:
        targets_from_table(table, cols, ";", "targets.csv")
    assert str(err.value).startswith(
        "targets.csv: row 2: alias 'president' of actor 'Franco' in article a is also an alias "
        "of actor 'Lugo' there (row 1)."
    )
    # the same alias for two actors in different articles, or twice for one actor, is fine
    table.loc[1, "doc_id"] = "c"
    got = targets_from_table(table, cols, ";", "targets.csv")
    assert len(got) == 6


def test_very_long_article_is_kept_and_recorded():
    out, audit = clean([BODY * 30, BODY], max_words=1000)
    assert out.index.tolist() == ["d0", "d1"]
    rows = audit[audit["action"] == "long_article"]
    assert rows["doc_id"].tolist() == ["d0"]
    assert rows["reason"].iloc[0].startswith("1800 words, more than cleaning.max_words = 1000")
    _, audit = clean([BODY * 30], max_words=None)
    assert "long_article" not in set(audit["action"])


def test_zero_byte_parquet_is_named_as_empty(tmp_path):
    from newslens.corpus import iter_table_chunks
    from newslens.runtime import NewslensError

    path = tmp_path / "corpus.parquet"
    path.write_bytes(b"")
    with pytest.raises(NewslensError) as err:
        list(iter_table_chunks(path, "parquet", "auto", 100))
    assert str(err.value) == (
        f"cannot read corpus table {path} as parquet: it is empty (0 bytes). Point corpus.path "
        "at the table with the articles, or export it again."
    )


def test_summary_names_the_records_to_check():
    from newslens.summary import check_lines

    counts = pd.Series({"other_language": 2, "implausible_date": 1, "removed_line": 9})
    assert check_lines(counts) == [
        "- To check (action in `tables/cleaning_audit.csv`): 2 article(s) do not look English; "
        "1 implausible date(s) left empty."
    ]
    assert check_lines(pd.Series({"removed_line": 3})) == []
