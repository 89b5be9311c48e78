"""Malformed inputs, read as a hostile tester would: every case ends in a named error (naming the
file, line, column or config key), an audited outcome (with its reason), or complete and exact
articles; input files are never changed (checksums). Most cases call the ingest/clean functions
directly; a few run the pipeline up to ingest/clean/accounting."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import make_workdir, run_snakemake
from newslens.accounting import account, check_ingest_counts
from newslens.clean import CleaningRules, clean_frame, date_precision, parse_date
from newslens.corpus import (
    check_encoding,
    corpus_format,
    folder_doc_ids,
    iter_table_chunks,
    list_folder,
    read_folder_file,
    table_columns,
)
from newslens.dedup import Signer
from newslens.runtime import NewslensError

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])
COLUMNS = {"text": "text", "id": "id", "title": None, "date": None, "author": None}
RUSSIAN = "Премьер-министр Армении Никол Пашинян заявил, что напряжённость на границе сохраняется."
BODY = (
    "Armenia and Azerbaijan resumed talks on Monday in Brussels, where officials from both "
    "sides discussed the border, the return of prisoners and a possible peace treaty. "
)


def control_text(i: int) -> str:
    return f"Control article {i}. " + BODY * 2


def checksums(root: Path) -> dict[str, str]:
    """sha256 of every file below ``root`` (symbolic links not followed)."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if p.is_file() and not p.is_symlink():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def inputs_unchanged(tmp_path):
    """Yields a folder for input files; after the test, they must be byte-identical."""
    root = tmp_path / "in"
    root.mkdir()
    state = {}
    yield root, state
    assert state.get("before") is not None, "test did not snapshot its inputs"
    assert checksums(root) == state["before"]


def snapshot(state, root):
    state["before"] = checksums(root)


def read_table(path: Path, columns=None, encoding="auto", quoting="auto", metadata=()):
    """Ingest a table as the ingest rule does: (articles DataFrame, audit DataFrame)."""
    fmt = corpus_format(path)
    seen, first, parts, audit = set(), 0, [], []
    for chunk in iter_table_chunks(path, fmt, encoding, 1000, quoting):
        cols, chunk_audit = table_columns(
            chunk, first, path, columns or COLUMNS, list(metadata), seen
        )
        first += len(chunk)
        parts.append(pd.DataFrame(cols))
        audit += [a.as_dict() for a in chunk_audit]
    docs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    assert len(docs) + sum(a["action"] == "skipped_row" for a in audit) == first  # accounted
    return docs, pd.DataFrame(audit, columns=["doc_id", "source", "action", "reason", "content"])


def nones(values) -> list:
    """A column as a list, missing values as None."""
    return [None if pd.isna(v) else v for v in values]


def write_csv(path: Path, rows: list[dict], encoding="utf-8", sep=","):
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding, sep=sep)


# ---------------------------------------------------------------- encodings of tables


@pytest.mark.parametrize(
    "encoding", ["cp1251", "koi8_r", "utf-16", "utf-8-sig", "utf-16-le", "utf-32"]
)
def test_russian_table_in_any_encoding_is_read_exactly(inputs_unchanged, encoding):
    root, state = inputs_unchanged
    rows = [{"id": f"c{i}", "text": control_text(i)} for i in range(5)]
    rows.append({"id": "ru", "text": RUSSIAN})
    path = root / "corpus.csv"
    text = "id,text\n" + "".join(f'{r["id"]},"{r["text"]}"\n' for r in rows)
    path.write_bytes(text.encode(encoding))
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["raw"].tolist() == [r["text"] for r in rows]
    assert docs["doc_id"].tolist() == [r["id"] for r in rows]  # no BOM in the header
    assert audit.empty


@pytest.mark.parametrize("seed", range(6))
def test_mixed_english_russian_cp1251_is_not_read_as_another_codepage(inputs_unchanged, seed):
    import random

    root, state = inputs_unchanged
    rng = random.Random(seed)
    en = BODY.split()
    ru = RUSSIAN.replace(",", "").split()
    rows = []
    for i in range(rng.randint(3, 25)):
        words = en if rng.random() < 0.7 else ru
        rows.append({"id": f"r{i}", "text": " ".join(rng.choice(words) for _ in range(20))})
    rows.append({"id": "ru", "text": "Пашинян: напряжённость"})
    path = root / "mixed.csv"
    write_csv(path, rows, encoding="cp1251")
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["raw"].tolist() == [r["text"] for r in rows]
    assert audit.empty


def test_russian_jsonl_in_cp1251(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "ru.jsonl"
    lines = [json.dumps({"id": "a", "text": RUSSIAN}, ensure_ascii=False)]
    lines += [json.dumps({"id": f"c{i}", "text": control_text(i)}) for i in range(3)]
    path.write_bytes("\n".join(lines).encode("cp1251"))
    snapshot(state, root)
    docs, _ = read_table(path)
    assert docs["raw"].tolist()[0] == RUSSIAN


def test_broken_bytes_in_utf8_table_are_replaced_and_audited(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "t.csv"
    body = "".join(f'c{i},"Ереван {control_text(i)}"\n' for i in range(50))
    path.write_bytes(b"id,text\n" + body.encode() + b"bad,broken \xff byte here\n")
    snapshot(state, root)
    docs, audit = read_table(path)
    assert len(docs) == 51
    row = audit[audit["action"] == "replaced_bytes"]
    assert row["doc_id"].tolist() == ["bad"] and row["source"].iloc[0].endswith(":row 51")


@pytest.mark.parametrize("encoding", ["no-such-codec", "base64", "rot13", "zlib"])
def test_unknown_or_non_text_encoding_is_rejected_naming_the_key(encoding):
    with pytest.raises(NewslensError, match="config key corpus.encoding"):
        check_encoding(encoding)


@pytest.mark.parametrize("encoding", ["auto", "cp1251", "utf-8", "UTF-16", "koi8-r", "latin-1"])
def test_known_encodings_are_accepted(encoding):
    assert check_encoding(encoding) == encoding


# ---------------------------------------------------------------- quoting


def test_tsv_texts_beginning_with_a_quotation_mark_keep_it(inputs_unchanged):
    root, state = inputs_unchanged
    texts = [
        '"We will not give up," the minister said. ' + BODY,
        '"Peace" is a word both sides use; "talks" too. ' + BODY,
        "Plain text " + BODY,
    ]
    path = root / "q.tsv"
    path.write_text("id\ttext\n" + "".join(f"d{i}\t{t}\n" for i, t in enumerate(texts)))
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["raw"].tolist() == texts and audit.empty


def test_csv_standard_quoting_keeps_embedded_quotes_commas_and_newlines(inputs_unchanged):
    root, state = inputs_unchanged
    texts = ['"We will not give up," he said,\nand left.', "a, b", 'x "y" z']
    path = root / "q.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerows([[f"d{i}", t] for i, t in enumerate(texts)])
    snapshot(state, root)
    docs, _ = read_table(path)
    assert docs["raw"].tolist() == texts


def test_csv_unclosed_quote_names_line_column_and_key(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "bad.csv"
    path.write_text(
        'id,text\n1,Good text\n2,Fine\n3,"Unclosed, quote\n4,Another row\n5,"closed" here, x\n'
    )
    snapshot(state, root)
    with pytest.raises(NewslensError) as err:
        read_table(path)
    msg = str(err.value)
    assert "bad.csv" in msg and "line 4" in msg and "column 2 ('text')" in msg
    assert "corpus.quoting: none" in msg


def test_csv_ending_inside_a_quoted_field_is_named(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "eof.csv"
    path.write_text('id,text\n1,Good\n2,"never closed\n3,more\n')
    snapshot(state, root)
    with pytest.raises(NewslensError, match=r"line 3: the file ends inside a quoted field"):
        read_table(path)


def test_csv_quote_that_swallows_whole_rows_is_audited(inputs_unchanged):
    # the field count still fits: pandas reads rows 3-4 into row 2's text without a word
    root, state = inputs_unchanged
    path = root / "swallow.csv"
    path.write_text('id,text\n1,Good\n2,"Unclosed quote\n3,Another row\n4,ends here"\n5,Last\n')
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["doc_id"].tolist() == ["1", "2", "5"]
    (row,) = audit.itertuples()
    assert row.doc_id == "2" and row.action == "suspect_merged_rows"
    assert row.content == "3,Another row"


def test_jsonl_list_in_a_metadata_column_is_json_not_a_repr(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "m.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "One.", "tags": ["war", "мир"]}) + "\n")
    snapshot(state, root)
    docs, _ = read_table(path, metadata=["tags"])
    assert docs["tags"].tolist() == ['["war", "мир"]']


def test_csv_with_quoting_none_reads_stray_quotes_as_text(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "stray.csv"
    path.write_text('id,text\n1,"Unclosed quote here\n2,next\n')
    snapshot(state, root)
    docs, _ = read_table(path, quoting="none")
    assert docs["raw"].tolist() == ['"Unclosed quote here', "next"]


@pytest.mark.parametrize(
    "body",
    ["c0,hello, world\nc1,second, row\n", "c0,hello, world\nc1,second row\n"],
)
def test_csv_rows_with_one_field_too_many_are_not_misread(inputs_unchanged, body):
    # pandas alone makes the first column the index (all rows) or drops the field (some)
    root, state = inputs_unchanged
    path = root / "extra.csv"
    path.write_text("id,text\n" + body)
    snapshot(state, root)
    with pytest.raises(NewslensError, match=r"line 2: 3 field\(s\) where the header has 2"):
        read_table(path)


def test_csv_row_with_too_many_fields_names_the_line(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "fields.csv"
    path.write_text("id,text\n1,ok\n2,He said hi, there\n")
    snapshot(state, root)
    with pytest.raises(NewslensError, match=r"line 3: 3 field\(s\) where the header has 2"):
        read_table(path)


# ---------------------------------------------------------------- non-string text values


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (["Our goal is peace", "and more"], "a list"),
        ({"en": "Our goal", "ru": "Наша цель"}, "an object"),
        (12345, "a number"),
        (3.5, "a number"),
        (True, "a boolean"),
    ],
)
def test_jsonl_non_string_text_is_skipped_naming_row_and_type(inputs_unchanged, value, kind):
    root, state = inputs_unchanged
    path = root / "t.jsonl"
    lines = [json.dumps({"id": f"c{i}", "text": control_text(i)}) for i in range(3)]
    lines.insert(1, json.dumps({"id": "odd", "text": value}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n")
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["doc_id"].tolist() == ["c0", "c1", "c2"]
    assert not docs["raw"].str.contains("Our goal|12345|3.5", regex=True).any()
    (row,) = audit.itertuples()
    assert row.doc_id == "odd" and row.action == "skipped_row"
    assert row.source.endswith("t.jsonl:row 2") and kind in row.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "line 2 is not valid JSON"),
        ("", "line 2 is blank"),
        ('["a", "list"]', "line 2 is a JSON array, not an object"),
        ('"just a string"', "line 2 is a JSON string"),
    ],
)
def test_jsonl_bad_lines_are_skipped_with_line_number(inputs_unchanged, line, reason):
    root, state = inputs_unchanged
    path = root / "t.jsonl"
    good = [json.dumps({"id": f"c{i}", "text": control_text(i)}) for i in range(2)]
    path.write_text("\n".join([good[0], line, good[1]]) + "\n")
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["doc_id"].tolist() == ["c0", "c1"]
    assert audit["reason"].tolist() == [reason] or audit["reason"].iloc[0].startswith(reason)
    assert audit["source"].iloc[0].endswith(":row 2")


def test_jsonl_missing_optional_fields_are_empty(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "t.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "One.", "title": "T"})
        + "\n"
        + json.dumps({"id": "b", "text": "Two."})
        + "\n"
    )
    snapshot(state, root)
    docs, _ = read_table(path, columns={**COLUMNS, "title": "title"})
    assert nones(docs["title"]) == ["T", None]


def test_parquet_binary_utf8_text_is_decoded(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "b.parquet"
    texts = [control_text(0), RUSSIAN]
    table = pa.table(
        {"id": ["a", "b"], "text": pa.array([t.encode() for t in texts], type=pa.binary())}
    )
    pq.write_table(table, path)
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["raw"].tolist() == texts and audit.empty


def test_parquet_binary_cp1251_text_is_decoded_and_audited(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "b.parquet"
    table = pa.table({"id": ["a"], "text": pa.array([RUSSIAN.encode("cp1251")], pa.binary())})
    pq.write_table(table, path)
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["raw"].tolist() == [RUSSIAN]
    assert audit["action"].tolist() == ["decoded_bytes"] and "cp1251" in audit["reason"].iloc[0]


def test_parquet_binary_junk_is_skipped(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "b.parquet"
    junk = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"
    table = pa.table({"id": ["a", "b"], "text": pa.array([control_text(0).encode(), junk])})
    pq.write_table(table, path)
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["doc_id"].tolist() == ["a"]
    assert audit["reason"].tolist() == ["column 'text' holds binary data, not text"]


def test_parquet_int64_text_is_skipped_row_by_row_naming_the_type(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "n.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": pa.array([1, 2, 3], pa.int64())}), path)
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs.empty or docs["doc_id"].tolist() == []
    assert audit["doc_id"].tolist() == ["a", "b", "c"]
    assert all("a number (int64)" in r for r in audit["reason"])


def test_duplicate_and_empty_ids_in_a_table(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "d.csv"
    write_csv(
        path,
        [
            {"id": "a", "text": "One."},
            {"id": "a", "text": "Two."},
            {"id": "", "text": "Three."},
            {"id": "c", "text": "   "},
        ],
    )
    snapshot(state, root)
    docs, audit = read_table(path)
    assert docs["doc_id"].tolist() == ["a", "row3"]
    assert docs["raw"].tolist() == ["One.", "Three."]
    assert audit["reason"].tolist() == [
        "duplicate id 'a' in column 'id'; the first row with it is kept",
        "empty text in column 'text'",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty: no header line"),
        (b"\n\n", "is empty: no header line"),
        (b"id,text,text\n1,a,b\n", r"names column\(s\) \['text'\] more than once"),
    ],
)
def test_empty_table_or_doubled_column_is_named(inputs_unchanged, content, message):
    root, state = inputs_unchanged
    path = root / "t.csv"
    path.write_bytes(content)
    snapshot(state, root)
    with pytest.raises(NewslensError, match=message):
        read_table(path)


def test_parquet_timestamp_dates_keep_the_written_day(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "d.parquet"
    stamps = pd.to_datetime(["2022-11-23 23:30", "2022-12-01 00:00"]).tz_localize("UTC")
    pd.DataFrame({"id": ["a", "b"], "text": ["One.", "Two."], "date": stamps}).to_parquet(path)
    snapshot(state, root)
    docs, _ = read_table(path, columns={**COLUMNS, "date": "date"})
    assert [parse_date(d) for d in docs["date"]] == ["2022-11-23", "2022-12-01"]


def test_table_without_the_text_column_names_key(inputs_unchanged):
    root, state = inputs_unchanged
    path = root / "t.jsonl"
    path.write_text(json.dumps({"id": "a", "body": "x"}) + "\n")
    snapshot(state, root)
    with pytest.raises(NewslensError, match="corpus.columns.text"):
        read_table(path)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("23 November 2022", "2022-11-23"),
        ("2022-11-23T23:30:00-05:00", "2022-11-23"),
        ("20221123", "2022-11-23"),
        ("Monday, 21 November 2022", "2022-11-21"),
        ("November 2022", "2022-11"),
        ("2022-11", "2022-11"),
        ("2022", "2022"),
        ("12/11/22", "2022-12-11"),
        ("1 Jan 99", "1999-01-01"),
        ("12", None),
        ("May", None),
        ("Monday", None),
        ("Nov 22", None),
        ("29 Feb", None),
        ("11.2022", None),
        ("2022-02-30", None),
        ("Q4 2022", None),
        ("someday", None),
        ("", None),
    ],
)
def test_dates_are_never_invented(value, date):
    assert parse_date(value) == date


def test_dates_do_not_depend_on_time_zone_or_run_date():
    code = (
        "from newslens.clean import parse_date;"
        "print([parse_date(v) for v in ['23 Nov 2022', '2022-11-23T23:30:00-05:00', "
        "'November 2022', 'May', '12/11/22', '2022-11-23 01:00 +14:00']])"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], env={**env, "TZ": tz}, capture_output=True, text=True
        ).stdout
        for tz in ("Pacific/Kiritimati", "America/Adak", "UTC")
    }
    assert len(outs) == 1 and "2022-11-23" in outs.pop()


def test_date_column_values_partial_and_unparsed_are_audited():
    values = ["November 2022", "12", "May", "Monday", "2022", "23 November 2022", None]
    raw = pd.DataFrame(
        {
            "doc_index": range(len(values)),
            "doc_id": [f"d{i}" for i in range(len(values))],
            "source": [f"t.csv:row {i + 1}" for i in range(len(values))],
            "kind": "text",
            "raw": [control_text(i) for i in range(len(values))],
            "title": "T",
            "date": values,
            "author": None,
        }
    )
    rows, audit = clean_frame(raw, RULES, Signer(128, 5), [])
    assert nones(rows["date"]) == ["2022-11", None, None, None, "2022", "2022-11-23", None]
    assert nones(rows["date_precision"]) == ["month", None, None, None, "year", "day", None]
    dates = [(a["doc_id"], a["action"], a["content"]) for a in audit if "date" in a["action"]]
    assert dates == [
        ("d0", "partial_date", "November 2022"),
        ("d1", "unparsed_date", "12"),
        ("d2", "unparsed_date", "May"),
        ("d3", "unparsed_date", "Monday"),
        ("d4", "partial_date", "2022"),
    ]


def test_partial_date_line_in_the_text_is_kept_at_its_precision():
    raw = pd.DataFrame(
        {
            "doc_index": [0],
            "doc_id": ["a"],
            "source": ["a.txt"],
            "kind": ["text"],
            "raw": ["A headline here\n\nDate of publication: November 2022\n\n" + BODY * 2],
            "title": [None],
            "date": [None],
            "author": [None],
        }
    )
    rows, audit = clean_frame(raw, RULES, Signer(128, 5), [])
    assert rows["date"].tolist() == ["2022-11"] and rows["date_precision"].tolist() == ["month"]
    partial = [a for a in audit if a["action"] == "partial_date"]
    assert partial[0]["content"] == "Date of publication: November 2022"
    assert date_precision(None) is None


# ---------------------------------------------------------------- folders


def make_folder(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"a{i}.txt").write_text(control_text(i))
    (corpus / ".draft.txt").write_text(control_text(10))
    (corpus / ".archive").mkdir()
    (corpus / ".archive" / "old.txt").write_text(control_text(11))
    ext = root / "ext"
    ext.mkdir()
    (ext / "e.txt").write_text(control_text(12))
    (corpus / "linked").symlink_to(ext, target_is_directory=True)
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "dangling.txt").symlink_to(root / "nowhere.txt")
    return corpus


def test_hidden_and_symlinked_entries_are_recorded_by_default(inputs_unchanged):
    root, state = inputs_unchanged
    corpus = make_folder(root)
    snapshot(state, root)
    listing = list_folder(corpus)
    rel = [str(f.relative_to(corpus)) for f in listing.files]
    assert rel == ["a0.txt", "a1.txt", "a2.txt", "linked/e.txt"]
    skipped = {a.doc_id: a.reason for a in listing.skipped}
    assert set(skipped) == {".archive/old.txt", ".draft.txt", "loop", "dangling.txt"}
    assert skipped[".archive/old.txt"] == (
        "in the hidden folder '.archive' (name starts with '.'); set corpus.hidden: read to read it"
    )
    assert skipped["loop"].startswith("symbolic link loop")
    assert skipped["dangling.txt"].startswith("broken symbolic link")


def test_hidden_read_and_symlinks_skipped_by_switch(inputs_unchanged):
    root, state = inputs_unchanged
    corpus = make_folder(root)
    snapshot(state, root)
    listing = list_folder(corpus, hidden="read", symlinked_folders="skip")
    rel = [str(f.relative_to(corpus)) for f in listing.files]
    assert rel == [".archive/old.txt", ".draft.txt", "a0.txt", "a1.txt", "a2.txt"]
    skipped = {a.doc_id: a.reason for a in listing.skipped}
    assert "set corpus.symlinked_folders: follow" in skipped["linked/e.txt"]
    assert "loop" in skipped and "dangling.txt" in skipped


def test_file_name_that_is_not_utf8_is_recorded(inputs_unchanged):
    root, state = inputs_unchanged
    (root / "ok.txt").write_text("text")
    with open(os.path.join(os.fsencode(root), b"bad\xff name.txt"), "wb") as fh:
        fh.write(b"text")
    snapshot(state, root)
    listing = list_folder(root)
    assert [f.name for f in listing.files] == ["ok.txt"]
    (record,) = listing.skipped
    assert record.doc_id == "bad\\xff name.txt" and "not valid UTF-8" in record.reason
    record.source.encode("utf-8")  # writable to Parquet/CSV


def test_files_sharing_a_stem_get_unique_ids(inputs_unchanged):
    root, state = inputs_unchanged
    for name in ("story.txt", "story.md", "story.html", "story.txt.md", "other.txt", "x.pdf"):
        (root / name).write_text("<p>text</p>" if name.endswith("html") else "text")
    snapshot(state, root)
    listing = list_folder(root)
    ids = folder_doc_ids(listing.files, root)
    got = {f.name: doc_id for f, (doc_id, _) in ids.items()}
    assert got["other.txt"] == "other"
    assert {got["story.txt"], got["story.md"], got["story.html"]} == {
        "story.txt~2" if got["story.txt"] != "story.txt" else "story.txt",
        "story.md",
        "story.html",
    }
    assert len(set(got.values())) == len(got)  # unique, also against story.txt.md's stem
    assert "shared by story.html, story.md, story.txt" in ids[root / "story.md"][1]


def test_folder_file_in_mixed_cp1251_is_decoded(inputs_unchanged):
    root, state = inputs_unchanged
    text = BODY * 3 + "Пашинян: напряжённость."
    (root / "m.txt").write_bytes(text.encode("cp1251"))
    snapshot(state, root)
    record, audit = read_folder_file(root / "m.txt", root)
    assert record["raw"] == text and record["encoding"] == "cp1251"
    assert [a.action for a in audit] == ["detected_encoding"]  # a guess, recorded


# ---------------------------------------------------------------- accounting checks


def test_accounting_stops_on_an_article_lost_between_stages():
    inputs = pd.DataFrame(
        {
            "input": ["a.txt", "b.txt"],
            "unit": "file",
            "doc_id": ["a", "b"],
            "outcome": "read",
            "reason": "",
        }
    )
    no_skips = pd.DataFrame({"doc_id": [], "reason": []})
    no_dups = pd.DataFrame({"doc_id": [], "kept_doc_id": []})
    with pytest.raises(NewslensError, match=r"1 article\(s\) read but neither.*\(b\)"):
        account(inputs, pd.Series(["a"]), no_skips, no_dups)
    table = account(
        inputs,
        pd.Series(["a", "b"]),
        no_skips,
        pd.DataFrame({"doc_id": ["b"], "kept_doc_id": ["a"]}),
    )
    assert table["outcome"].tolist() == ["kept", "dropped_duplicate"]
    assert table["related_doc_id"].tolist() == ["", "a"]


def test_ingest_count_mismatch_names_the_missing_rows():
    inputs = pd.DataFrame(
        {"input": ["t:row 1"], "unit": "row", "doc_id": ["a"], "outcome": "read", "reason": ""}
    )
    with pytest.raises(NewslensError, match=r"2 rows seen, 1 read \+ 0 skipped.*t:row 2"):
        check_ingest_counts(2, inputs, "rows", ["t:row 1", "t:row 2"])


# ---------------------------------------------------------------- through the pipeline


def test_pipeline_folder_accounting_adds_up(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    corpus = make_folder(src)
    (corpus / "short.txt").write_text("Too short.")
    (corpus / "copy.txt").write_text(control_text(0))
    for name in ("story.txt", "story.md"):
        (corpus / name).write_text(f"{name} " + BODY * 2 + f" Unique words {name}.")
    before = checksums(src)
    work = make_workdir(tmp_path / "work", corpus)
    run_snakemake(work, "results/tables/input_accounting.csv")
    table = pd.read_csv(work / "results" / "tables" / "input_accounting.csv", keep_default_na=False)
    outcome = dict(zip(table["doc_id"], table["outcome"], strict=True))
    assert outcome == {
        ".archive/old.txt": "skipped",
        ".draft.txt": "skipped",
        "a0": "kept",
        "a1": "kept",
        "a2": "kept",
        "copy": "dropped_duplicate",
        "dangling.txt": "skipped",
        "linked/e": "kept",
        "loop": "skipped",
        "short": "skipped",
        "story.md": "kept",
        "story.txt": "kept",
    }
    assert table.loc[table["doc_id"] == "copy", "related_doc_id"].tolist() == ["a0"]
    assert table.loc[table["doc_id"] == "short", "stage"].tolist() == ["clean"]
    assert "keeps its suffix" in table.loc[table["doc_id"] == "story.md", "reason"].iloc[0]
    assert checksums(src) == before


def test_pipeline_every_article_too_short_stops_at_clean(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"s{i}.txt").write_text(f"Short note {i}.")
    before = checksums(src)
    work = make_workdir(tmp_path / "work", src)
    proc = run_snakemake(work, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "no article left: 4 skipped, see cleaning_audit.csv" in out
    assert "Error in rule deduplicate" in out and "Error in rule topic_dtm" not in out
    audit = pd.read_csv(work / "results" / "logs" / "cleaning_audit.csv")
    assert (audit["action"] == "skipped_article").sum() == 4
    assert checksums(src) == before


def test_pipeline_int64_text_stops_at_ingest(tmp_path):
    src = tmp_path / "n.parquet"
    pq.write_table(pa.table({"text": pa.array(range(5), pa.int64())}), src)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    work = make_workdir(tmp_path / "work", src)
    proc = run_snakemake(work, "results/interim/audit/ingest.parquet", check=False)
    out = proc.stdout + proc.stderr
    assert "no article left: 5 skipped" in out and "a number (int64)" in out
    assert "unexpected error" not in out
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_pipeline_unknown_encoding_stops_before_any_job(tmp_path):
    work = make_workdir(tmp_path / "work")
    cfg = yaml.safe_load((work / "config" / "config.yaml").read_text())
    cfg["corpus"]["encoding"] = "no-such-codec"
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(work, "-n", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "config key corpus.encoding: 'no-such-codec'" in out
    assert "rule ingest" not in out


def test_read_more_line_mid_article_cuts_with_every_line_audited():
    # what cleaning does with it (the sentiment_actors crash it led to: see the next test)
    before, after = "Armenia and Azerbaijan met. " + BODY, "Russia alone spoke later. " + BODY
    raw = pd.DataFrame(
        {
            "doc_index": [0],
            "doc_id": ["a"],
            "source": ["a.txt"],
            "kind": ["text"],
            "raw": [f"A headline\n\n{before}\n\nRead more:\n\n{after}\n"],
            "title": [None],
            "date": [None],
            "author": [None],
        }
    )
    rows, audit = clean_frame(raw, RULES, Signer(128, 5), [])
    assert rows["text"].tolist() == [before.strip()]
    cut = [(a["line_no"], a["content"]) for a in audit if a["action"] == "cut"]
    assert cut == [(5, "Read more:"), (7, after.strip())]


def test_actor_sums_of_articles_naming_actors_only_together():
    # root cause of the "Read more:" crash: after the cut, the last article named actors only
    # together, so the "alone" scope of ActorUnitSums.add had no row (zip strict ValueError)
    from newslens.sentiment import ActorUnitSums

    sums = ActorUnitSums(pd.Index(["Armenia", "Azerbaijan"]))
    table = pd.DataFrame(
        {
            "actor": ["Armenia", "Azerbaijan"],
            "doc_rank": [0, 0],
            "alone": [False, False],
            "n_mentions": [1, 1],
            "compound": [0.5, 0.5],
            "is_negative": [0, 0],
            "is_neutral": [0, 0],
            "is_positive": [1, 1],
        }
    )
    sums.add(table)
    units = sums.units()
    assert set(units) == {("Armenia", "all"), ("Azerbaijan", "all")}
    assert units[("Armenia", "all")][1].tolist() == [1]
