"""Numeric dates that could be read day first or month first: read as cleaning.date_order says,
and under the default (auto) recorded in the audit with the original string."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml
from newslens.clean import CleaningRules, ambiguous_day_month, clean_frame, parse_date
from newslens.dedup import Signer

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])
BODY = (
    "The leaders met in the capital to discuss the security of the region and the border. "
    "Officials said the talks would continue next week after a long and difficult session. "
)


@pytest.mark.parametrize(
    ("value", "auto", "day_first", "month_first"),
    [
        ("03.04.2022", "2022-04-03", "2022-04-03", "2022-03-04"),
        ("3.4.22", "2022-04-03", "2022-04-03", "2022-03-04"),
        ("03/04/2022", "2022-03-04", "2022-04-03", "2022-03-04"),
        ("03-04-2022", "2022-03-04", "2022-04-03", "2022-03-04"),
        ("12/11/22", "2022-12-11", "2022-11-12", "2022-12-11"),
        ("13/04/2022", "2022-04-13", "2022-04-13", "2022-04-13"),
        ("04/13/2022", "2022-04-13", "2022-04-13", "2022-04-13"),
        ("2022-03-04", "2022-03-04", "2022-03-04", "2022-03-04"),
        ("2022.03.04", "2022-03-04", "2022-03-04", "2022-03-04"),
        ("4 March 2022", "2022-03-04", "2022-03-04", "2022-03-04"),
    ],
)
def test_numeric_dates_follow_the_configured_order(value, auto, day_first, month_first):
    assert parse_date(value) == parse_date(value, "auto") == auto
    assert parse_date(value, "day_first") == day_first
    assert parse_date(value, "month_first") == month_first


@pytest.mark.parametrize(
    ("value", "separator"),
    [
        ("03.04.2022", "."),
        ("03/04/2022", "/"),
        ("12-11-22", "-"),
        ("04/04/2022", None),  # the same number: either reading gives the same date
        ("13/04/2022", None),
        ("2022-03-04", None),
        ("March 4, 2022", None),
    ],
)
def test_ambiguous_day_month(value, separator):
    assert ambiguous_day_month(value) == separator


def frame(dates: list[str | None], texts: list[str] | None = None) -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame(
        {
            "doc_index": range(n),
            "doc_id": [f"d{i}" for i in range(n)],
            "source": [f"t.csv:row {i + 1}" for i in range(n)],
            "kind": "text",
            "raw": texts or [f"Article {i}. " + BODY * 2 for i in range(n)],
            "title": "T",
            "date": dates,
            "author": None,
        }
    )


def test_ambiguous_dates_are_audited_under_auto_only():
    raw = frame(["03.04.2022", "03/04/2022", "13/04/2022", "2022-03-04", None])
    rows, audit = clean_frame(raw, RULES, Signer(128, 5), [])
    assert rows["date"].tolist()[:4] == ["2022-04-03", "2022-03-04", "2022-04-13", "2022-03-04"]
    ambiguous = [(a["doc_id"], a["content"]) for a in audit if a["action"] == "ambiguous_date"]
    assert ambiguous == [("d0", "03.04.2022"), ("d1", "03/04/2022")]
    reasons = [a["reason"] for a in audit if a["action"] == "ambiguous_date"]
    assert "read day first as 2022-04-03" in reasons[0] and "cleaning.date_order" in reasons[0]
    assert "read month first as 2022-03-04" in reasons[1]

    day_first = replace(RULES, date_order="day_first")
    rows, audit = clean_frame(raw, day_first, Signer(128, 5), [])
    assert rows["date"].tolist()[:4] == ["2022-04-03", "2022-04-03", "2022-04-13", "2022-03-04"]
    assert not [a for a in audit if a["action"] == "ambiguous_date"]


def test_date_line_in_the_text_is_read_in_the_configured_order():
    text = "A headline here\n\nPublished: 05.06.2022\n\n" + BODY * 2
    raw = frame([None], [text])
    rows, audit = clean_frame(raw, RULES, Signer(128, 5), [])
    assert rows["date"].tolist() == ["2022-06-05"]
    assert [a["content"] for a in audit if a["action"] == "ambiguous_date"] == ["05.06.2022"]
    rows, _ = clean_frame(raw, replace(RULES, date_order="month_first"), Signer(128, 5), [])
    assert rows["date"].tolist() == ["2022-05-06"]


def test_config_reaches_the_rules():
    assert RULES.date_order == CONFIG["cleaning"]["date_order"] == "auto"
    cfg = dict(CONFIG["cleaning"], date_order="day_first")
    assert CleaningRules.from_config(cfg).date_order == "day_first"


def test_partial_dates_are_never_shown_as_days():
    from newslens.compare import period_labels
    from newslens.summary import date_lines

    dates = pd.Series(["2022-11-23", "2022-11", "2022", None, "2022-12-01"])
    assert date_lines(dates, 6) == [
        "- Published: 2022-11-23 to 2022-12-01 (2 of 6 articles dated); "
        "2022 to 2022-11 (2 of 6 articles dated only to the month or year)."
    ]
    assert date_lines(pd.Series(["2022-11-23"]), 1) == [
        "- Published: 2022-11-23 (1 of 1 articles dated)."
    ]
    assert period_labels(dates, "week").tolist() == ["2022-W47", "", "", "", "2022-W48"]
    assert period_labels(dates, "month").tolist() == ["2022-11", "2022-11", "", "", "2022-12"]
