"""Tables as CSV text, byte for byte what pandas prints for them: float columns made text by
Arrow's string kernels, the rows written by Arrow's CSV writer without quoting, instead of a
Python object per value. The one place that turns a table into CSV rows: ``csv_text`` gives
the rows of one batch, ``write_csv_rows`` writes a table to a binary file handle slice by
slice.

An Arrow table prints as ``table.to_pandas().to_csv(header=False, index=False,
lineterminator="\\n")``, a pandas DataFrame as ``df.to_csv(...)`` with the same arguments.
pandas prints a float64 value as numpy's shortest round-trip string (Python's ``repr``), NaN as
the empty string, integers in decimal, strings as they are unless the csv module quotes them.
The fast path reproduces that for float64, integer and string columns:

* in a column whose nonzero values are mostly NaN and the 20,001 values ``k / 10**4`` in
  [-1, 1] (the sentiment scores, rounded to 4 places), those (bit for bit) take their text
  from a table made on first use;
* any other float that is ``k / 10**6`` for an integer ``k`` (``k / 1e6 == x`` in floating
  point: x is the double nearest to the decimal ``k * 10**-6``) and lies in [1e-4, 1e9) prints
  as that decimal with its trailing zeros dropped (at least one digit after the point), which
  is the shortest string that reads back as x: another decimal with as few digits differs from
  it by at least 10**-6, far more than the spacing of doubles below 1e9, and ``repr`` writes
  fixed-point notation from 1e-4 up to 1e16. Zeros print as "0.0" / "-0.0"; every other value
  (rounded to more places, tiny, huge, infinite) goes through ``repr`` one by one;
* an integer column of an Arrow table with nulls prints as pandas' float64 conversion of it
  does (a DataFrame's nullable Int64 column goes to pandas);
* a null string (StringDtype's NA, an Arrow null) is an empty field.

Rows that the csv module would quote (a string with a comma, quote, CR or LF; in a one-column
table an empty field) are printed by pandas, run of rows by run of rows; a table with a column
of another type (bool, float32, dates, categories, objects that are not all strings) is printed
by pandas whole.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

# characters that make Python's csv writer quote a field (delimiter ",", quotechar, line ends;
# tests/test_csvone_writer.py checks the set)
NEEDS_QUOTES = '[,"\\r\\n]'
SLICE_ROWS = 25_000
"""Rows printed at once by ``write_csv_rows`` (bounds the kernels' memory)."""

_ZEROS = pa.array(["0.0", "-0.0"], pa.string())
_STEPS = 10_000  # the table of the values k / 10**4 in [-1, 1]
_TABLE_VALUES = np.arange(-_STEPS, _STEPS + 1) / _STEPS
_NAN_CODE = len(_TABLE_VALUES)


@functools.cache
def _table_text() -> pa.Array:
    """The text of the table's values (numpy's str, as pandas prints them), then "" for NaN;
    made on first use."""
    return pa.array([*_TABLE_VALUES.astype(str).tolist(), ""], pa.string())


def _millionths_text(x: np.ndarray) -> pa.Array:
    """Text of float64 values by their millionths, zeros by sign, the rest by ``repr``."""
    nonzero = np.flatnonzero(x != 0)  # NaN included
    sub = x[nonzero]
    a = np.abs(sub)
    with np.errstate(invalid="ignore", over="ignore"):
        k = np.rint(a * 1e6)
        exact = (k / 1e6 == a) & (a >= 1e-4) & (a < 1e9)
    k = np.where(exact, k, 0).astype(np.int64)
    whole = pa.array(k // 1_000_000).cast(pa.string())
    frac = pc.utf8_rtrim(pc.utf8_lpad(pa.array(k % 1_000_000).cast(pa.string()), 6, "0"), "0")
    frac = pc.if_else(pc.equal(pc.utf8_length(frac), 0), "0", frac)
    text = pc.binary_join_element_wise(whole, frac, ".")
    negative = np.signbit(sub) & exact
    if negative.any():
        text = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
    missing = np.isnan(sub)
    if missing.any():
        text = pc.if_else(pa.array(missing), "", text)
    other = ~exact & ~missing
    if other.any():
        spelled = [repr(v) for v in sub[other].tolist()]
        text = pc.replace_with_mask(text, pa.array(other), pa.array(spelled, pa.string()))
    # codes into ["0.0", "-0.0", *text of the nonzero values]
    codes = np.where(np.signbit(x), 1, 0)
    codes[nonzero] = np.arange(2, len(nonzero) + 2)
    return pa.concat_arrays([_ZEROS, text]).take(pa.array(codes))


_SAMPLE = 1024  # values looked at first to choose the path of a long column


def _mostly_table(x: np.ndarray, hit=None, missing=None) -> bool:
    """Whether more than half of the nonzero values are NaN or table values (zeros are cheap
    either way; NaN counts as nonzero)."""
    if hit is None:
        with np.errstate(invalid="ignore", over="ignore"):
            k = np.rint(x * _STEPS)
        inside = np.abs(k) <= _STEPS
        codes = np.where(inside, k, 0).astype(np.int64) + _STEPS
        hit = inside & (_TABLE_VALUES[codes].view(np.int64) == x.view(np.int64))
        missing = np.isnan(x)
    nonzero = x != 0
    return np.count_nonzero((hit & nonzero) | missing) * 2 > np.count_nonzero(nonzero)


def float_text(values: np.ndarray) -> pa.Array:
    """float64 values as pandas prints them in a CSV file (see the module docstring). When more
    than half of the nonzero ones are NaN or 4-decimal values in [-1, 1], those take the
    table's text (~8x faster than the millionths), the others their millionths; otherwise all
    take their millionths (the table path formats the others one by one: ~4x slower on
    6-decimal values). A long column is first judged by a sample of about 1,024 values."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    if len(x) > 4 * _SAMPLE and not _mostly_table(x[:: len(x) // _SAMPLE]):
        return _millionths_text(x)  # either path prints the same; the sample saves the check
    with np.errstate(invalid="ignore", over="ignore"):
        k = np.rint(x * _STEPS)
        inside = np.abs(k) <= _STEPS  # False for NaN
    codes = np.where(inside, k, 0).astype(np.int64) + _STEPS
    hit = inside & (_TABLE_VALUES[codes].view(np.int64) == x.view(np.int64))
    missing = np.isnan(x)
    if not _mostly_table(x, hit, missing):
        return _millionths_text(x)  # mostly other values: all by their millionths
    codes[missing] = _NAN_CODE
    rest = np.flatnonzero(~hit & ~missing)
    dictionary = _table_text()
    if len(rest):
        codes[rest] = len(dictionary) + np.arange(len(rest))
        dictionary = pa.concat_arrays([dictionary, _millionths_text(x[rest])])
    return dictionary.take(pa.array(codes))


def _is_string(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _table_columns(table: pa.Table) -> list[pa.Array] | None:
    """The columns of an Arrow table as the fast path takes them (None: pandas prints it)."""
    columns = []
    for column in table.columns:
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        kind = column.type
        if pa.types.is_integer(kind) and column.null_count:  # pandas makes it float64 with NaN
            column = pa.array(column.to_numpy(zero_copy_only=False).astype(np.float64))
        elif not (pa.types.is_integer(kind) or pa.types.is_float64(kind) or _is_string(kind)):
            return None
        columns.append(column)
    return columns


def _frame_columns(df: pd.DataFrame) -> list[pa.Array] | None:
    """The columns of a DataFrame as the fast path takes them (None: pandas prints it)."""
    columns = []
    for _, col in df.items():
        dtype = col.dtype
        if dtype == np.float64:
            columns.append(pa.array(col.to_numpy()))  # NaN stays NaN (printed empty)
        elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
            columns.append(pa.array(col.to_numpy()))
        elif isinstance(dtype, pd.StringDtype):  # missing strings are empty fields
            columns.append(pa.array(col.array))
        elif dtype == np.dtype("O") and pd.api.types.infer_dtype(col, skipna=False) == "string":
            columns.append(pa.array(col.to_numpy(), pa.string()))
        else:
            return None
    # pandas' Arrow-backed strings come as chunked arrays
    return [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]


def _field_text(column: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """A column's fields as strings, and which rows the csv module would quote (None: none)."""
    if pa.types.is_float64(column.type):
        return float_text(column.to_numpy(zero_copy_only=False)), None
    if pa.types.is_integer(column.type):  # Arrow's CSV writer prints them in decimal
        return column, None
    quoted = pc.match_substring_regex(column, NEEDS_QUOTES)
    if not pc.any(quoted).as_py():
        quoted = None
    else:
        quoted = quoted.fill_null(False).to_numpy(zero_copy_only=False)
    return column, quoted  # a null: an empty field


_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="none")


def _write_pandas(data: pa.Table | pd.DataFrame, fh) -> None:
    df = data if isinstance(data, pd.DataFrame) else data.to_pandas()
    fh.write(df.to_csv(header=False, index=False, lineterminator="\n").encode("utf-8"))


def _write_fields(columns: list[pa.Array], fh) -> None:
    """Fields joined by commas into lines, by Arrow's CSV writer without quoting (~25% faster
    than joining the texts with ``binary_join_element_wise``)."""
    names = [str(i) for i in range(len(columns))]
    pa_csv.write_csv(pa.table(columns, names=names), fh, _OPTIONS)


def _write_batch(data: pa.Table | pd.DataFrame, fh) -> None:
    """Write the rows of one batch as ``csv_text`` prints them to the binary file ``fh``."""
    n = len(data)
    frame = isinstance(data, pd.DataFrame)
    columns = _frame_columns(data) if frame else _table_columns(data)
    if n == 0 or not columns:
        return _write_pandas(data, fh)
    if not frame:  # integers with nulls are floats now, for pandas as well
        data = pa.table(columns, names=data.column_names)
    try:
        texts, quoted = [], np.zeros(n, dtype=bool)
        for column in columns:
            text, q = _field_text(column)
            texts.append(text)
            if q is not None:
                quoted |= q
        if len(texts) == 1:  # the csv module quotes an empty field alone on its line
            empty = pc.equal(pc.utf8_length(texts[0].cast(pa.string())), 0).fill_null(True)
            quoted |= empty.to_numpy(zero_copy_only=False)
    except pa.ArrowException:  # e.g. over 2 GiB of text in one batch: pandas prints it
        return _write_pandas(data, fh)
    if not quoted.any():
        return _write_fields(texts, fh)
    bounds = [0, *(np.flatnonzero(quoted[1:] != quoted[:-1]) + 1).tolist(), n]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        if quoted[lo]:
            _write_pandas(data.iloc[lo:hi] if frame else data.slice(lo, hi - lo), fh)
        else:
            _write_fields([t.slice(lo, hi - lo) for t in texts], fh)


def csv_text(data: pa.Table | pd.DataFrame) -> bytes:
    """The rows of one batch (an Arrow table or a pandas DataFrame) as pandas'
    ``to_csv(header=False, index=False, lineterminator="\\n")`` prints them (UTF-8): by Arrow
    where it can, the runs of rows the csv module quotes by pandas (see the module
    docstring)."""
    sink = pa.BufferOutputStream()  # Arrow's own buffer: one copy to bytes
    _write_batch(data, sink)
    return sink.getvalue().to_pybytes()


def write_csv_rows(data: pa.Table | pd.DataFrame, fh, slice_rows: int = SLICE_ROWS) -> int:
    """Write the rows of ``data`` (no header) to the binary file ``fh`` as ``csv_text`` prints
    them for the whole table, ``slice_rows`` rows at a time. Returns the number of rows."""
    n = len(data)
    if isinstance(data, pa.Table):  # integers with nulls print as floats in every slice
        for i, column in enumerate(data.columns):
            if pa.types.is_integer(column.type) and column.null_count:
                data = data.set_column(i, data.field(i).name, column.cast(pa.float64()))
    for start in range(0, n, slice_rows):
        part = data.iloc[start : start + slice_rows] if isinstance(data, pd.DataFrame) else None
        _write_batch(part if part is not None else data.slice(start, slice_rows), fh)
    return n
