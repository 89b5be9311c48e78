"""Streaming sentiment tables: re-cutting batches at article boundaries, pairing the batches
of two files, merging sorted shards into one sorted stream, and writing gathered tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newslens.runtime import atomic_path

# Up to this many rows a gathered table is sorted in memory (as the corpus tables are).
IN_MEMORY_ROWS = 5_000_000


def gather_parquet(
    tables: Iterable[pd.DataFrame],
    path,
    schema: pa.Schema,
    sort_by: list[str],
    limit: int = IN_MEMORY_ROWS,
) -> int:
    """Write the tables to one Parquet file, sorted by ``sort_by`` if their rows add up to at
    most ``limit``; past that, rows are streamed in arrival (shard) order. Returns the count."""

    def arrow(df: pd.DataFrame) -> pa.Table:
        return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)

    parts: list[pd.DataFrame] = []
    n = 0
    with atomic_path(path) as tmp:
        writer = None
        for t in tables:
            n += len(t)
            if writer is None and n <= limit:
                parts.append(t)
                continue
            if writer is None:
                writer = pq.ParquetWriter(tmp, schema)
                for p in parts:
                    writer.write_table(arrow(p))
                parts = []
            writer.write_table(arrow(t))
        if writer is not None:
            writer.close()
        else:
            parts = [p for p in parts if len(p)]
            if parts:
                df = pd.concat(parts, ignore_index=True).sort_values(sort_by, kind="stable")
                pq.write_table(arrow(df), tmp)
            else:
                pq.write_table(schema.empty_table(), tmp)
    return n


# --------------------------------------------------------------------------- streaming helpers


class OrderError(Exception):
    """A stream is not in the order a streaming step relies on; the caller falls back to a
    step that does not need it."""


def whole_groups(frames: Iterable[pd.DataFrame], column: str = "doc_id"):
    """Re-cut a stream of tables so that the rows of one ``column`` value (an article) are
    never split between two tables: the rows of each table's last value wait for the next.
    The stream must hold each value's rows together (raises OrderError otherwise)."""
    carry = None
    seen: set = set()
    for df in frames:
        if carry is not None and len(carry):
            df = pd.concat([carry, df], ignore_index=True)
        if len(df) == 0:
            carry = df
            continue
        codes, uniques = pd.factorize(df[column])
        if 1 + np.count_nonzero(codes[1:] != codes[:-1]) != len(uniques):
            raise OrderError(f"the rows of one {column} are not together")
        # codes number the values in order of appearance: the last value has the last code
        cut = int(np.searchsorted(codes, len(uniques) - 1))
        done, carry = df.iloc[:cut], df.iloc[cut:].reset_index(drop=True)
        if len(done):
            values = list(uniques[:-1])
            if not seen.isdisjoint(values):
                raise OrderError(f"the rows of one {column} are not together")
            seen.update(values)
            yield done.reset_index(drop=True)
    if carry is not None and len(carry):
        if carry[column].iloc[0] in seen:
            raise OrderError(f"the rows of one {column} are not together")
        yield carry


def aligned(a: Iterable[pd.DataFrame], b: Iterable[pd.DataFrame]):
    """Pairs of equally long tables from two streams of the same number of rows (batches of
    the two files may be cut differently)."""
    it_a, it_b = iter(a), iter(b)
    buf_a = buf_b = None
    while True:
        if buf_a is None or len(buf_a) == 0:
            buf_a = next(it_a, None)
        if buf_b is None or len(buf_b) == 0:
            buf_b = next(it_b, None)
        if buf_a is None or buf_b is None:
            if (buf_a is not None and len(buf_a)) or (buf_b is not None and len(buf_b)):
                raise OrderError("the two tables have different numbers of rows")
            rest_a, rest_b = next(it_a, None), next(it_b, None)
            if (rest_a is not None and len(rest_a)) or (rest_b is not None and len(rest_b)):
                raise OrderError("the two tables have different numbers of rows")
            return
        n = min(len(buf_a), len(buf_b))
        yield buf_a.iloc[:n].reset_index(drop=True), buf_b.iloc[:n].reset_index(drop=True)
        buf_a, buf_b = buf_a.iloc[n:], buf_b.iloc[n:]


def merge_sorted(streams, key, order=None):
    """Merge streams of tables, each sorted by ``key`` (a function giving a table's row keys
    as an array, non-decreasing along each stream), into one stream in the order a stable
    sort of all streams concatenated would give. ``order(table, keys)`` sorts a table stably
    (None: by ``keys``).

    Memory stays at about one table per stream: rows are passed on as soon as every stream
    has gone past their key. Raises OrderError if a stream is not sorted by ``key``.
    """
    iters = [iter(s) for s in streams]
    buffers: list[pd.DataFrame | None] = [None] * len(iters)
    keys: list[np.ndarray | None] = [None] * len(iters)
    last_key = [None] * len(iters)
    live = [True] * len(iters)

    def pull(i: int) -> None:
        for df in iters[i]:
            if len(df) == 0:
                continue
            k = np.asarray(key(df))
            if np.any(k[1:] < k[:-1]) or (last_key[i] is not None and k[0] < last_key[i]):
                raise OrderError("a stream is not sorted")
            last_key[i] = k[-1]
            if buffers[i] is None or len(buffers[i]) == 0:
                buffers[i], keys[i] = df.reset_index(drop=True), k
            else:
                buffers[i] = pd.concat([buffers[i], df], ignore_index=True)
                keys[i] = np.concatenate([keys[i], k])
            return
        live[i] = False

    for i in range(len(iters)):
        pull(i)
    while True:
        bounds = [keys[i][-1] for i in range(len(iters)) if live[i]]
        bound = min(bounds) if bounds else None
        parts, part_keys = [], []
        for i in range(len(iters)):
            if buffers[i] is None or len(buffers[i]) == 0:
                continue
            n = len(keys[i]) if bound is None else int(np.searchsorted(keys[i], bound, "left"))
            if n:
                parts.append(buffers[i].iloc[:n])
                part_keys.append(keys[i][:n])
                buffers[i] = buffers[i].iloc[n:].reset_index(drop=True)
                keys[i] = keys[i][n:]
        if len(parts) == 1:
            yield parts[0].reset_index(drop=True)
        elif parts:
            df, k = pd.concat(parts, ignore_index=True), np.concatenate(part_keys)
            if order is None:
                yield df.iloc[np.argsort(k, kind="stable")].reset_index(drop=True)
            else:
                yield order(df, k)
        if bound is None:
            return
        for i in range(len(iters)):
            if live[i] and keys[i][-1] == bound:
                pull(i)


# pyarrow's default: the most rows a row group of pq.write_table gets.
ROW_GROUP_ROWS = 1024 * 1024


class TableWriter:
    """A gathered table written batch by batch to Parquet (``schema``) and/or CSV, atomically
    when the ``with`` block ends without error.

    Parquet row groups are cut every ``ROW_GROUP_ROWS`` rows, as ``pq.write_table`` cuts one
    table holding all rows, so the file is the same however the rows arrive (one table, or
    batches from any number of shards). With ``pandas_metadata`` the file schema carries the
    pandas metadata of the first batch, as ``pq.write_table`` of a table from pandas does.
    Without rows the Parquet file still gets its schema and the CSV file the header of
    ``empty``.
    """

    def __init__(
        self, parquet_path=None, csv_path=None, schema=None, empty=None, pandas_metadata=False
    ):
        self._stack = contextlib.ExitStack()
        self.schema = schema
        self.empty = empty
        self.n_rows = 0
        self._writer = self._csv = self._parquet = None
        self._header = False
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        if parquet_path:
            self._parquet = self._stack.enter_context(atomic_path(parquet_path))
            if not pandas_metadata:
                self._writer = pq.ParquetWriter(self._parquet, schema)
        if csv_path:
            tmp = self._stack.enter_context(atomic_path(csv_path))
            self._csv = self._stack.enter_context(open(tmp, "w", encoding="utf-8", newline=""))

    def write(self, df: pd.DataFrame) -> None:
        if len(df) == 0:
            return
        if self._csv is not None:
            df.to_csv(self._csv, index=False, header=not self._header, lineterminator="\n")
            self._header = True
        if self._parquet is not None:
            table = pa.Table.from_pandas(
                df[self.schema.names], schema=self.schema, preserve_index=False
            )
            if self._writer is None:
                self._writer = pq.ParquetWriter(self._parquet, table.schema)
            self._pending.append(table)
            self._pending_rows += len(table)
            if self._pending_rows >= ROW_GROUP_ROWS:
                self._flush(final=False)
        self.n_rows += len(df)

    def _flush(self, final: bool) -> None:
        table = pa.concat_tables(self._pending) if self._pending else None
        while table is not None and (len(table) >= ROW_GROUP_ROWS or (final and len(table))):
            n = min(ROW_GROUP_ROWS, len(table))
            self._writer.write_table(table.slice(0, n).combine_chunks())
            table = table.slice(n)
        self._pending = [table] if table is not None and len(table) else []
        self._pending_rows = sum(len(t) for t in self._pending)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            if self._csv is not None and not self._header and self.empty is not None:
                self.empty.to_csv(self._csv, index=False, lineterminator="\n")
            if self._parquet is not None and self._writer is None:
                self._writer = pq.ParquetWriter(self._parquet, self.schema)
            if self._writer is not None:
                self._flush(final=True)
                if self.n_rows == 0:
                    self._writer.write_table(self.schema.empty_table())
        if self._writer is not None:
            self._writer.close()
        return self._stack.__exit__(exc_type, exc, tb)
