"""An Arrow table as CSV text, byte for byte what pandas prints for it
(``table.to_pandas().to_csv(header=False, index=False, lineterminator="\\n")``), built column by
column with Arrow's string kernels instead of a Python object per value.

pandas prints a float64 value as numpy's shortest round-trip string (Python's ``repr``), NaN as
the empty string, integers in decimal, strings as they are unless the csv module quotes them.
``csv_text`` reproduces that for float64, integer and string columns:

* a float that is ``k / 10**6`` for an integer ``k`` (``k / 1e6 == x`` in floating point: x is
  the double nearest to the decimal ``k * 10**-6``) and lies in [1e-4, 1e9) prints as that
  decimal with its trailing zeros dropped (at least one digit after the point), which is the
  shortest string that reads back as x: another decimal with as few digits differs from it by
  at least 10**-6, far more than the spacing of doubles below 1e9, and ``repr`` writes
  fixed-point notation from 1e-4 up to 1e16. Zeros print as "0.0" / "-0.0"; every other
  value (rounded to more places, tiny, huge, infinite) goes through ``repr`` one by one;
* an integer column with nulls prints as pandas' float64 conversion of it does.

``None`` when the table has anything else (another type, a string with a comma, quote, CR or
LF, which the csv module would quote, a null string, fewer than two columns, no rows): the
caller then prints it with pandas.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# characters that make Python's csv writer quote a field (delimiter ",", quotechar, line ends)
_NEEDS_QUOTES = '[,"\\r\\n]'
_ZEROS = pa.array(["0.0", "-0.0"], pa.string())


def float_text(values: np.ndarray) -> pa.Array:
    """float64 values as pandas prints them in a CSV file (see the module docstring)."""
    x = np.asarray(values, dtype=np.float64)
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
    other = ~exact
    if other.any():
        spelled = ["" if np.isnan(v) else repr(v) for v in sub[other].tolist()]
        text = pc.replace_with_mask(text, pa.array(other), pa.array(spelled, pa.string()))
    # codes into ["0.0", "-0.0", *text of the nonzero values]
    codes = np.where(np.signbit(x), 1, 0)
    codes[nonzero] = np.arange(2, len(nonzero) + 2)
    return pa.concat_arrays([_ZEROS, text]).take(pa.array(codes))


def _column_text(column: pa.Array) -> pa.Array | None:
    kind = column.type
    if pa.types.is_integer(kind):
        if column.null_count:  # pandas makes it float64 with NaN
            return float_text(column.to_numpy(zero_copy_only=False).astype(np.float64))
        return column.cast(pa.string())
    if pa.types.is_float64(kind):
        return float_text(column.to_numpy(zero_copy_only=False))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if column.null_count or pc.any(pc.match_substring_regex(column, _NEEDS_QUOTES)).as_py():
            return None
        return column.cast(pa.string())
    return None


def csv_text(table: pa.Table) -> bytes | None:
    """The rows of ``table`` as pandas' ``to_csv(header=False, index=False,
    lineterminator="\\n")`` prints them (UTF-8), or None when a column needs pandas (see the
    module docstring)."""
    # one column: the csv module quotes an empty field alone on its line; pandas prints it
    if table.num_rows == 0 or table.num_columns < 2:
        return None
    try:
        columns = []
        for column in table.columns:
            text = _column_text(column.combine_chunks())
            if text is None:
                return None
            columns.append(text)
        rows = pc.binary_join_element_wise(*columns, ",")
        rows = pc.binary_join_element_wise(rows, "", "\n")
    except pa.ArrowException:  # e.g. over 2 GiB of text in one batch: pandas prints it
        return None
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
    start, end = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
    return rows.buffers()[2][start:end].to_pybytes()
