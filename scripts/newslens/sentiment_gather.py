"""Gathering the sentiment shards in corpus order: shared by rules sentiment_tables (articles,
groups) and sentiment_paragraphs (the paragraph table), which run side by side.

The shards are merged batch by batch into corpus order (``merge_sorted``), so memory stays
bounded and the tables do not depend on the number of shards. Should a shard not be in corpus
order, the old way is taken: sorted in memory up to IN_MEMORY_ROWS rows, else written shard
after shard."""

import numpy as np
import pandas as pd

from newslens.runtime import NewslensError, log, parquet_num_rows
from newslens.sentiment import STATS
from newslens.shards_gather import OrderError, TableWriter, merge_sorted

# --------------------------------------------------------------------------- fast CSV rows

# Every float of a gathered table rounded to 4 decimals in [-1, 1] is one of these values;
# their text is computed once, as pandas' to_csv formats a float (numpy's str of it).
_STEPS = 10_000
_TABLE_VALUES = np.arange(-_STEPS, _STEPS + 1) / _STEPS
_TABLE_TEXT = None  # the pyarrow array of their text, made on first use
# characters after which Python's csv writer (QUOTE_MINIMAL) would quote a field
_NEEDS_QUOTES = '[,"\r\n]'


def _float_text(values: np.ndarray):
    """A float64 column as pandas' to_csv writes it (NaN empty), as an Arrow dictionary
    array: a value whose bits are those of a table value takes that value's text; any other
    (-0.0, more decimals, outside [-1, 1]) is formatted by itself, the same way."""
    import pyarrow as pa

    global _TABLE_TEXT
    if _TABLE_TEXT is None:
        _TABLE_TEXT = pa.array(_TABLE_VALUES.astype(str))
    v = np.ascontiguousarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        k = np.rint(v * _STEPS)
        inside = np.abs(k) <= _STEPS  # False for NaN
    index = np.where(inside, k, 0).astype(np.int64) + _STEPS
    exact = inside & (_TABLE_VALUES[index].view(np.int64) == v.view(np.int64))
    missing = np.isnan(v)
    other = ~exact & ~missing
    dictionary = _TABLE_TEXT
    if other.any():
        index[other] = len(_TABLE_VALUES) + np.arange(int(other.sum()))
        dictionary = pa.concat_arrays([_TABLE_TEXT, pa.array(v[other].astype(str))])
    indices = pa.array(index.astype(np.int32), mask=missing)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def csv_rows(df: pd.DataFrame) -> bytes | None:
    """The rows of ``df`` (no header) as ``df.to_csv(index=False, lineterminator="\n")``
    writes them, made by Arrow's CSV writer from the same field texts: float64 columns via
    :func:`_float_text`, int64 columns as decimal digits, string columns as they are. None
    when a column is of another dtype or a string needs quoting (the caller then uses
    pandas)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    columns = []
    for name in df.columns:
        col = df[name]
        if col.dtype == np.float64:
            columns.append(_float_text(col.to_numpy()))
        elif col.dtype == np.int64:
            columns.append(pa.array(col.to_numpy()).cast(pa.string()))
        elif isinstance(col.dtype, pd.StringDtype) or (
            col.dtype == object and pd.api.types.infer_dtype(col, skipna=False) == "string"
        ):  # missing strings (StringDtype's NA) are empty fields, as pandas writes them
            text = pa.array(col.array if col.dtype != object else col.to_numpy())
            if pc.any(pc.match_substring_regex(text, _NEEDS_QUOTES)).as_py():
                return None
            columns.append(text)
        else:
            return None
    table = pa.Table.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])
    sink = pa.BufferOutputStream()
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    pacsv.write_csv(table, sink, options)
    return sink.getvalue().to_pybytes()


class CsvRowsWriter(TableWriter):
    """A CSV-only :class:`TableWriter` that writes the rows of each batch with
    :func:`csv_rows` (the same bytes as pandas, several times faster), and with pandas when
    csv_rows declines a batch."""

    def write(self, df: pd.DataFrame) -> None:
        if self._csv is None or self._parquet is not None or len(df) == 0:
            return super().write(df)
        data = csv_rows(df)
        if data is None:
            return super().write(df)
        if not self._header:  # the header line, as pandas writes it
            df.iloc[:0].to_csv(self._csv, index=False, lineterminator="\n")
            self._header = True
        self._csv.flush()
        self._csv.buffer.write(data)
        self.n_rows += len(df)


RENAME = {s: ("mean_compound" if s == "compound" else s) for s in STATS} | {
    f"compound{sfx}": f"mean_compound{sfx}" for sfx in ("_ci_low", "_ci_high")
}


# Fallback only (a shard not in corpus order): up to this many rows a gathered table is
# sorted into corpus order in memory; above, it is written shard after shard.
IN_MEMORY_ROWS = 5_000_000


def corpus_key(doc_ids: pd.Series):
    """Row keys of corpus order: the position of the row's article in ``doc_ids`` (the
    articles of documents.csv; the last position of a repeated id), unknown articles last."""
    last = ~doc_ids.duplicated(keep="last").to_numpy()
    index = pd.Index(doc_ids[last].astype(str))
    position = np.flatnonzero(last)

    def key(df: pd.DataFrame) -> np.ndarray:
        i = index.get_indexer(df["doc_id"].astype(str))
        return np.where(i >= 0, position[i], len(index)).astype(float)

    return key


def corpus_order(df: pd.DataFrame, key) -> pd.DataFrame:
    """Rows sorted by the articles' corpus order (``key``, from corpus_key), keeping the row
    order within an article."""
    return df.iloc[np.argsort(key(df), kind="stable")]


def gather(
    streams, shards, n_rows, key, empty, parquet=None, csv=None, schema=None, writer=TableWriter
):
    """Write the shards' rows in corpus order to Parquet and/or CSV.

    ``streams()`` gives one stream of batches per shard, merged into corpus order. If a
    shard is not in corpus order, ``shards()`` (each shard's whole table) is used instead:
    sorted in memory up to IN_MEMORY_ROWS rows (``n_rows``), else written shard by shard.
    ``writer``: the TableWriter class (CsvRowsWriter for a CSV-only table)."""
    try:
        with writer(parquet, csv, schema, empty) as out:
            for df in merge_sorted(streams(), key):
                out.write(df)
        return
    except OrderError as err:
        log.warning("%s: gathering the whole shards instead", err)
    with writer(parquet, csv, schema, empty) as out:
        if n_rows <= IN_MEMORY_ROWS:
            out.write(corpus_order(pd.concat(list(shards()), ignore_index=True), key))
        else:
            for df in shards():
                out.write(df)


def n_rows(paths) -> int:
    return sum(parquet_num_rows(p) for p in paths)


def read_metadata(path, group_by) -> pd.DataFrame:
    """doc_id, title, date and the ``group_by`` columns of documents.csv (as strings); a
    group_by column missing from it is a NewslensError naming the config key."""
    columns = pd.read_csv(path, dtype=str, nrows=0).columns
    missing = [c for c in group_by if c not in columns]
    if missing:
        raise NewslensError(
            f"config key sentiment.group_by: column(s) {missing} are not in "
            f"{path} (columns: {list(columns)}). List them under "
            "corpus.metadata or remove them from sentiment.group_by."
        )
    keep = [c for c in ["doc_id", "title", "date", *group_by] if c in columns]
    return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=keep)[keep]
