"""csvone: newslens.csv_text, the one writer of CSV rows, prints pandas' to_csv bytes.

Arrow tables and pandas DataFrames, in one piece and slice by slice: float64 by the 4-decimal
table, by millionths and by repr (any bit pattern, -0.0, NaN, inf), integers with nulls, strings
that need quoting in runs (first, last, alternating rows), StringDtype NA, a carriage return,
one-column tables, empty tables."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens.csv_text import NEEDS_QUOTES, csv_text, float_text, write_csv_rows


def pandas_bytes(data) -> bytes:
    df = data if isinstance(data, pd.DataFrame) else data.to_pandas()
    return df.to_csv(header=False, index=False, lineterminator="\n").encode("utf-8")


def written(data, slice_rows: int) -> bytes:
    fh = io.BytesIO()
    assert write_csv_rows(data, fh, slice_rows) == len(data)
    return fh.getvalue()


def tricky_floats(rng) -> np.ndarray:
    four = np.round(rng.uniform(-1, 1, 3000), 4)  # the table's values
    six = np.round(rng.uniform(-50, 50, 3000), 6)  # millionths
    bits = rng.integers(0, 2**64, 3000, dtype=np.uint64).view(np.float64)  # any double
    special = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 1.0001, 0.1 + 0.2, 0.3, 1e-05]
    special += [5e-324, -1e-4, 1e9, 1e16, 123456789.123456, 2.5e-7, -0.5, 0.00005]
    values = np.concatenate([four, six, bits, special])
    return values[rng.permutation(len(values))]


def test_float_text_is_numpys_str_on_both_paths():
    values = tricky_floats(np.random.default_rng(0))
    expected = ["" if np.isnan(v) else s for v, s in zip(values, values.astype(str), strict=True)]
    assert float_text(values).to_pylist() == expected
    # table values alone, millionths alone, nothing but NaN, no values
    four = np.round(np.linspace(-1, 1, 20_001), 4)
    assert float_text(four).to_pylist() == four.astype(str).tolist()
    assert float_text(np.array([np.nan, np.nan])).to_pylist() == ["", ""]
    assert float_text(np.array([-0.0, 0.0, 0.25, 2.5])).to_pylist() == [
        "-0.0",
        "0.0",
        "0.25",
        "2.5",
    ]
    assert float_text(np.array([], dtype=np.float64)).to_pylist() == []


@pytest.mark.parametrize("slice_rows", [1, 3, 1000])
def test_arrow_tables_slice_by_slice(slice_rows):
    rng = np.random.default_rng(1)
    floats = tricky_floats(rng)[:400]
    n = len(floats)
    words = ["w", "é", "a b", "1,000", 'say "x"', "a\nb", "a\rb", "", " lead", "Ω", None]
    table = pa.table(
        {
            "s": pa.array([words[i] for i in rng.integers(0, len(words), n)], pa.large_string()),
            "x": floats,
            "n": pa.array(rng.integers(-(2**62), 2**62, n)),
            "maybe": pa.array([None if i % 37 == 5 else i for i in range(n)], pa.int32()),
        }
    )
    expected = pandas_bytes(table)
    assert csv_text(table) == expected == written(table, slice_rows)
    # an integer column with nulls prints as floats, in every slice
    assert b",6.0\n" in expected and b",,6.0\n" not in expected
    plain = table.select(["n", "maybe"]).slice(0, 5)  # no nulls in these rows
    assert written(plain, 2) == csv_text(plain) == pandas_bytes(plain)
    assert b",1\n" in csv_text(plain)


@pytest.mark.parametrize("where", ["first", "last", "alternate", "all"])
def test_rows_that_need_quotes_are_pandas_run_by_run(where):
    n = 12
    quoted = {
        "first": [0],
        "last": [n - 1],
        "alternate": list(range(0, n, 2)),
        "all": list(range(n)),
    }[where]
    ids = [f'x,"{i}"\n' if i in quoted else f"d{i}" for i in range(n)]
    table = pa.table({"doc_id": ids, "x": np.arange(n) / 8, "n": np.arange(n)})
    out = csv_text(table)
    assert out == pandas_bytes(table) == written(table, 5)
    assert out.count(b'"x,""') == len(quoted)


def test_carriage_return_is_left_to_pandas_and_kept():
    table = pa.table({"a": ["cr\rhere", "ok"], "b": [1.5, 2.0]})
    assert csv_text(table) == pandas_bytes(table) == b"cr\rhere,1.5\nok,2.0\n"


def test_one_column_tables_quote_a_lone_empty_field():
    for table in (
        pa.table({"a": [1.5, np.nan, -0.0]}),
        pa.table({"a": ["x", "", None, "y"]}),
        pa.table({"a": pa.array([1, None, 3], pa.int64())}),
        pa.table({"a": [1, 2]}),
    ):
        assert csv_text(table) == pandas_bytes(table) == written(table, 1)
    assert csv_text(pa.table({"a": ["x", "", None, "y"]})) == b'x\n""\n""\ny\n'


def test_empty_and_unsupported_tables_are_pandas():
    empty = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())})
    assert csv_text(empty) == written(empty, 3) == b""
    assert csv_text(pa.table({})) == b""
    for table in (
        pa.table({"a": [True, False], "b": [1, 2]}),
        pa.table({"a": pa.array([0.1, None], pa.float32()), "b": ["x", "y"]}),
        pa.table({"a": pa.array(["x", "y"]).dictionary_encode(), "b": [1, 2]}),
    ):
        assert csv_text(table) == pandas_bytes(table) == written(table, 1)


def test_data_frames_with_string_na_and_quotes():
    rng = np.random.default_rng(3)
    n = 500
    df = pd.DataFrame(
        {
            "doc_id": pd.Series([f"d{i}" if i % 9 else None for i in range(n)], dtype="string"),
            "para_id": np.arange(n, dtype=np.int64),
            "score": np.round(rng.uniform(-1, 1, n), 4),
            "ci": np.where(rng.random(n) < 0.2, np.nan, np.round(rng.normal(size=n), 6)),
            "label": pd.Series(rng.choice(["neg", "pos", "a,b", ""], n), dtype=object),
        }
    )
    expected = df.to_csv(header=False, index=False, lineterminator="\n").encode()
    assert csv_text(df) == expected == written(df, 7)
    assert b"\n,9," in expected  # the missing doc_id: an empty field


def test_needs_quotes_is_what_the_csv_module_quotes():
    import re

    for code in [*range(0x80), 0x85, 0x2028, 0x3000]:
        field = f"a{chr(code)}b"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([field, 1])
        if buf.getvalue() != f"{field},1\n":
            assert re.search(NEEDS_QUOTES, field), repr(field)
