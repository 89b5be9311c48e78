"""actors2: sentiment_paragraphs' fast CSV rows (``newslens.csv_text`` of a DataFrame) are
pandas' to_csv bytes on tricky input."""

import numpy as np
import pandas as pd
import pytest
from newslens.csv_text import csv_text
from newslens.sentiment_gather import CsvRowsWriter
from newslens.shards_gather import TableWriter


def pandas_rows(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8")


def paragraph_frame(rng, n: int) -> pd.DataFrame:
    """Columns shaped like sentiment_paragraphs.csv: ids, counts, rounded floats, labels."""
    floats = {
        f"f{j}": np.round(rng.uniform(-1, 1, n), 4)
        for j in range(4)  # 4 decimals in [-1, 1]: the table values
    }
    df = pd.DataFrame(
        {
            "doc_id": [f"doc-{i % 7}é" for i in range(n)],
            "para_id": rng.integers(0, 30, n),
            "n_sentences": rng.integers(1, 12, n),
            **floats,
            "label": rng.choice(["negative", "neutral", "positive", ""], n),
        }
    )
    return df


TRICKY_FLOATS = [
    np.nan,
    -0.0,
    0.0,
    1.0,
    -1.0,
    0.0001,
    -0.0001,
    1e-05,  # more decimals: formatted on its own ('1e-05')
    0.12345,
    1.0001,  # outside [-1, 1]
    -2.5,
    123456789.0,
    np.inf,
    -np.inf,
    0.1 + 0.2,  # not the table's 0.3
    0.3,
    1 / 3,
]


def test_tricky_floats_and_ints():
    df = pd.DataFrame(
        {
            "x": TRICKY_FLOATS,
            "n": np.arange(len(TRICKY_FLOATS), dtype=np.int64) - 5,
            "s": ["a", "", "ü", "x y", " lead", "trail ", "'q'", "-", "0", "nan", "None"]
            + ["tab\there", "é", "ß", "ok", "z", "ç"],
        }
    )
    got = csv_text(df)
    assert got == pandas_rows(df)
    assert got.splitlines()[1] == b"-0.0,-4,"  # -0.0 keeps its sign, empty string empty
    assert got.splitlines()[0] == b",-5,a"  # NaN is empty


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_paragraph_tables(seed):
    rng = np.random.default_rng(seed)
    df = paragraph_frame(rng, 3000)
    # some NaN (one-sentence paragraphs have no interval) and signed zeros
    df.loc[rng.random(len(df)) < 0.2, ["f1", "f2"]] = np.nan
    df.loc[rng.random(len(df)) < 0.05, "f3"] = -0.0
    assert csv_text(df) == pandas_rows(df)


@pytest.mark.parametrize(
    "value",
    ["has,comma", 'has"quote', "has\nnewline", "has\rreturn"],
)
def test_strings_that_need_quotes_are_printed_by_pandas(value):
    df = pd.DataFrame({"doc_id": ["a", value, "b", value], "x": [0.5, 0.25, -0.0, np.nan]})
    assert csv_text(df) == pandas_rows(df)
    # pandas quotes them (a lone CR it leaves as it is, with lineterminator "\n")
    assert csv_text(df).startswith(b"a,0.5\n" + (b"has" if "\r" in value else b'"'))


def test_other_dtypes_are_printed_by_pandas():
    for df in (
        pd.DataFrame({"b": [True, False], "x": [1.0, 2.0]}),
        pd.DataFrame({"i": np.array([1, 2], dtype=np.int32), "s": ["", "a"]}),
        pd.DataFrame({"o": pd.Series(["a", 1], dtype=object), "x": [0.5, np.nan]}),
        pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": [0.5, 0.25]}),
        pd.DataFrame({"f": np.array([0.1, np.nan], dtype=np.float32), "s": ["a", "b"]}),
    ):
        assert csv_text(df) == pandas_rows(df)


def test_missing_strings_are_empty_fields():
    for df in (
        pd.DataFrame({"o": ["a", None, "b"], "x": [0.5, np.nan, -0.0]}),  # pandas' str dtype
        pd.DataFrame({"o": pd.Series(["a", "", "c"], dtype=object), "x": [1.0, 0.0, 2.0]}),
    ):
        assert csv_text(df) == pandas_rows(df)


def test_string_columns_only():
    df = pd.DataFrame({"a": ["x", None, "é"], "b": pd.Series(["1", "", None], dtype="string")})
    assert csv_text(df) == pandas_rows(df) == b"x,1\n,\n\xc3\xa9,\n"
    assert csv_text(df.iloc[1:]) == pandas_rows(df.iloc[1:])


def test_empty_table():
    df = pd.DataFrame({"x": pd.Series([], dtype=float), "s": pd.Series([], dtype=str)})
    assert csv_text(df) == pandas_rows(df) == b""


def write_file(writer_class, batches, path):
    empty = batches[0].iloc[:0]
    with writer_class(None, path, None, empty) as out:
        for df in batches:
            out.write(df)
    return path.read_bytes()


@pytest.mark.parametrize("with_fallback", [False, True])
def test_writer_file_equals_pandas_writer(tmp_path, with_fallback):
    rng = np.random.default_rng(5)
    batches = [paragraph_frame(rng, n) for n in (10, 0, 250, 1, 40)]
    if with_fallback:  # one batch pandas must write (a doc_id with a comma), mid-stream
        batches[2].loc[3, "doc_id"] = "x,y"
        batches[4].loc[0, "doc_id"] = 'say "hi"'
    fast = write_file(CsvRowsWriter, batches, tmp_path / "fast.csv")
    plain = write_file(TableWriter, batches, tmp_path / "plain.csv")
    assert fast == plain
    assert fast.startswith(b"doc_id,para_id,n_sentences,f0,f1,f2,f3,label\n")
    assert fast.count(b"\n") == 1 + 10 + 250 + 1 + 40 + (0 if not with_fallback else 0)


def test_writer_without_rows_writes_the_header(tmp_path):
    empty = paragraph_frame(np.random.default_rng(0), 0)
    data = write_file(CsvRowsWriter, [empty], tmp_path / "e.csv")
    assert data == write_file(TableWriter, [empty], tmp_path / "p.csv")
    assert data == b"doc_id,para_id,n_sentences,f0,f1,f2,f3,label\n"
