"""Bad input through the pipeline (the README's command on a small table): every problem the
bad-input battery found ends in cleaning_audit.csv with its reason and row, and the dates do
not depend on the machine's time zone.

One table of 10 articles (cp1251, as a Russian outlet might export it): an HTML cell, outlet
names that differ by case and spacing, a future date, an empty spreadsheet date (1899-12-30),
a spreadsheet day number, time-zone-suffixed timestamps, and a Russian article. Run once with
TZ=Asia/Yerevan to the corpus tables and once with TZ=America/Los_Angeles to the clean step."""

from __future__ import annotations

import os
import subprocess

import pandas as pd
import pytest
from conftest import make_workdir, snakemake_cmd

BODY = " ".join(["Armenia said the talks with Azerbaijan would continue next week in Moscow."] * 4)
RU = "Армения и Азербайджан продолжат переговоры на следующей неделе в Москве. " * 6
ROWS = [
    # id, outlet, date, text
    ("n0", "RIA", "2022-11-23T23:30:00-05:00", BODY + " Zero."),
    ("n1", "ria ", "2022-11-23T01:30:00+09:00", BODY + " One."),
    ("n2", " Ria", "2022-11-24 23:59:59Z", BODY + " Two."),
    ("n3", "RIA", "2031-05-01", BODY + " Three."),
    ("n4", "TASS", "1899-12-30", BODY + " Four."),
    ("n5", "TASS", "44888", BODY + " Five."),
    ("n6", "TASS", "2022-11-25", f"<p>{BODY} Six.</p><p>More.</p><script>var t = 1;</script>"),
    ("n7", "TASS", "2022-11-26", RU),
    ("n8", "Tass\t", "2022-11-27", BODY + " Eight."),
    ("n9", "RIA", "2022-11-28", BODY + " Nine."),
]


def run(workdir, tz: str, *targets: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "0", "TZ": tz}
    cmd = snakemake_cmd("--directory", str(workdir), "--cores", "2", *targets)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def clean_dates(workdir) -> pd.DataFrame:
    parts = sorted((workdir / "results" / "interim" / "clean").glob("*.parquet"))
    docs = pd.concat([pd.read_parquet(p) for p in parts])
    return docs.sort_values("doc_index")[["doc_id", "date", "outlet"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("safety_pipeline")
    table = root / "corpus.csv"
    frame = pd.DataFrame(ROWS, columns=["id", "outlet", "date", "text"])
    table.write_bytes(frame.to_csv(index=False).encode("cp1251"))
    out = {}
    for tz, targets in (
        ("Asia/Yerevan", ["results/tables/documents.csv", "results/tables/input_accounting.csv"]),
        ("America/Los_Angeles", ["results/tables/input_accounting.csv"]),
    ):
        work = make_workdir(
            root / tz.replace("/", "_"),
            table,
            corpus__columns__id="id",
            corpus__columns__date="date",
            corpus__metadata=["outlet"],
            cleaning__latest_date="2026-12-06",
            cleaning__min_words=5,
            cleaning__dedup__exact=False,  # the texts share most words
            cleaning__dedup__near=False,
        )
        run(work, tz, *targets)
        out[tz] = work
    return out


def test_every_problem_is_in_the_audit_with_its_row(runs):
    tables = runs["Asia/Yerevan"] / "results" / "tables"
    audit = pd.read_csv(tables / "cleaning_audit.csv", dtype=str, keep_default_na=False)
    audit = audit[~audit["action"].isin(["removed_line", "header"])]
    got = {(r.doc_id, r.action) for r in audit.itertuples()}
    assert {
        ("", "detected_encoding"),
        ("n0", "metadata_variants"),
        ("n1", "metadata_variants"),
        ("n4", "metadata_variants"),
        ("n8", "metadata_variants"),
        ("n3", "implausible_date"),
        ("n4", "implausible_date"),
        ("n5", "unparsed_date"),
        ("n6", "markup_removed"),
        ("n7", "other_language"),
    } <= got
    variants = audit[audit["action"] == "metadata_variants"].set_index("doc_id")
    assert variants.loc["n1", "source"].endswith("corpus.csv:row 2")
    assert variants.loc["n1", "content"] == "ria"  # spacing folded at ingest
    assert "'RIA' (3), 'ria' (1), 'Ria' (1)" in variants.loc["n0", "reason"]
    assert "'TASS' (4), 'Tass' (1)" in variants.loc["n8", "reason"]
    dated = audit[audit["action"] == "implausible_date"].set_index("doc_id")
    assert dated.loc["n3", "content"] == "2031-05-01"
    assert "after cleaning.latest_date (2026-12-06)" in dated.loc["n3", "reason"]
    serial = audit[audit["action"] == "unparsed_date"].set_index("doc_id")
    assert "44888 is 2022-11-23" in serial.loc["n5", "reason"]
    docs = pd.read_csv(tables / "documents.csv", dtype=str, keep_default_na=False)
    assert len(docs) == 10  # recorded, not dropped
    assert docs.set_index("doc_id").loc["n6", "lede"].startswith("Armenia said")
    assert not docs["lede"].str.contains("<|var t", regex=True).any()
    assert docs["outlet"].tolist() == [
        "RIA", "ria", "Ria", "RIA", "TASS", "TASS", "TASS", "TASS", "Tass", "RIA",
    ]  # fmt: skip
    accounting = pd.read_csv(tables / "input_accounting.csv", dtype=str)
    assert accounting["outcome"].value_counts().to_dict() == {"kept": 10}


def test_dates_are_the_written_calendar_dates_in_any_time_zone(runs):
    yerevan, los_angeles = (clean_dates(runs[tz]) for tz in ("Asia/Yerevan", "America/Los_Angeles"))
    pd.testing.assert_frame_equal(yerevan, los_angeles)
    assert yerevan["date"].fillna("").tolist() == [
        "2022-11-23", "2022-11-23", "2022-11-24", "", "", "", "2022-11-25", "2022-11-26",
        "2022-11-27", "2022-11-28",
    ]  # fmt: skip
