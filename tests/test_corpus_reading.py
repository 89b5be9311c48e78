"""Reading articles: encodings, bad files, tables."""

import pandas as pd
import pytest
from newslens.corpus import (
    corpus_format,
    decode_bytes,
    iter_table_chunks,
    looks_binary,
    read_folder_file,
    table_columns,
)
from newslens.runtime import NewslensError

RUSSIAN = (
    "Президент России Владимир Путин прибудет в Ереван 22 ноября для переговоров с "
    "премьер-министром Армении Николом Пашиняном. На встрече планируется обсудить конфликт."
)
COLUMNS = {"text": "text", "id": "id", "title": None, "date": None, "author": None}


def test_utf8_bom_is_removed():
    decoded = decode_bytes("Armenia and Azerbaijan".encode("utf-8-sig"))
    assert decoded.text == "Armenia and Azerbaijan"
    assert decoded.encoding == "utf-8-sig"


def test_cp1251_is_detected_and_decoded():
    decoded = decode_bytes(RUSSIAN.encode("cp1251"))
    assert decoded.encoding == "cp1251"
    assert decoded.text == RUSSIAN


def test_few_broken_bytes_in_utf8_are_replaced_and_counted():
    data = ("Ереван " * 200).encode("utf-8") + b"\xff" + " конец".encode()
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.n_replaced == 1
    assert decoded.text.endswith("\ufffd конец")


def test_utf16_with_bom():
    assert decode_bytes("Yerevan talks".encode("utf-16")).text == "Yerevan talks"


def test_binary_detection():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not looks_binary("plain text, «quoted»".encode())


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"  \n\n ", "empty file"), (b"\x00\x01\x02binary\x00", "binary file")],
)
def test_bad_files_are_recorded_skips(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    record, audit = read_folder_file(path, tmp_path)
    assert record is None
    assert len(audit) == 1 and audit[0].action == "skipped_file"
    assert audit[0].reason.startswith(reason)
    assert audit[0].source == str(path)
    assert path.read_bytes() == content  # input never modified


def test_unsupported_suffix_is_recorded(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4")
    record, audit = read_folder_file(path, tmp_path)
    assert record is None and "unsupported file type '.pdf'" in audit[0].reason


def test_folder_doc_id_keeps_subfolders(tmp_path):
    (tmp_path / "tass").mkdir()
    path = tmp_path / "tass" / "a1.txt"
    path.write_text("Some text here.", encoding="utf-8")
    record, _ = read_folder_file(path, tmp_path)
    assert record["doc_id"] == "tass/a1"


def table_records(*args):
    """``table_columns`` as one dict per article."""
    cols, audit = table_columns(*args)
    rows = zip(*cols.values(), strict=True)
    return [dict(zip(cols, values, strict=True)) for values in rows], audit


def test_table_records_skip_empty_text_and_duplicate_ids(tmp_path):
    chunk = pd.DataFrame(
        {
            "id": ["a", "b", "a", "c"],
            "text": ["First text.", "  ", "Again.", "Third."],
            "outlet": ["X", "Y", "Z", None],
        },
        dtype=object,
    )
    records, audit = table_records(chunk, 0, tmp_path / "t.csv", COLUMNS, ["outlet"], set())
    assert [r["doc_id"] for r in records] == ["a", "c"]
    assert records[1]["outlet"] is None
    reasons = {(a.doc_id, a.source.rsplit(":", 1)[1]): a.reason for a in audit}
    assert reasons[("b", "row 2")] == "empty text in column 'text'"
    assert "duplicate id 'a'" in reasons[("a", "row 3")]


def test_table_without_text_column_names_file_and_column(tmp_path):
    chunk = pd.DataFrame({"id": ["a"], "body": ["x"]}, dtype=object)
    with pytest.raises(
        NewslensError, match=r"t\.csv has no column\(s\) \['text'\].*corpus\.columns"
    ):
        table_records(chunk, 0, tmp_path / "t.csv", COLUMNS, [], set())


def test_csv_in_cp1251_is_read(tmp_path):
    path = tmp_path / "ru.csv"
    path.write_bytes(f'id,text\n1,"{RUSSIAN}"\n'.encode("cp1251"))
    chunks = list(iter_table_chunks(path, "csv", "auto", 100))
    assert chunks[0].loc[0, "text"] == RUSSIAN


@pytest.mark.parametrize("suffix", ["csv", "tsv", "jsonl", "parquet"])
def test_all_table_formats(tmp_path, suffix):
    frame = pd.DataFrame({"id": ["x1", "x2"], "text": ["Armenia's view.", "Baku replied."]})
    path = tmp_path / f"corpus.{suffix}"
    if suffix == "csv":
        frame.to_csv(path, index=False)
    elif suffix == "tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    fmt = corpus_format(path)
    chunk = next(iter_table_chunks(path, fmt, "auto", 10))
    assert list(chunk["text"]) == ["Armenia's view.", "Baku replied."]


def test_unknown_corpus_suffix_is_a_config_error(tmp_path):
    path = tmp_path / "corpus.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(NewslensError, match="config key corpus.path"):
        corpus_format(path)
