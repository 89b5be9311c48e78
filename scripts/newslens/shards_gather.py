"""Gathering the shards' tables: the dataset folder's manifest from the shards' part lists
(``merge_part_lists``, stale parts removed), a dataset as one CSV (``write_csv``), and the
per-shard tables merged in corpus order.

The shards list their articles in corpus order, so a k-way merge on the corpus position gives
what a stable sort of the concatenated shards gives, holding one batch per shard: ``gather``
(Arrow batches keyed by ``doc_keys``), ``merge_by_key``, ``gather_parquet`` and
``merge_sorted`` (pandas tables), ``whole_groups`` (article-wise batches), and
``TableWriter`` (a gathered table as Parquet with its CSV twin). The part files, part lists and
datasets themselves are ``newslens.shards``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newslens.runtime import (
    NewslensError,
    atomic_path,
    log,
    write_table,
)
from newslens.shards import (
    PART_PREFIX,
    RowGroupWriter,
    corrupt_parquet,
    dataset_num_rows,
    dataset_parts,
    dataset_schema,
    is_partitioned,
    iter_dataset_arrow,
    iter_parquet_arrow,
    parquet_num_rows,
    read_dataset_arrow,
    read_part_list,
    schema_from_text,
    write_part_list,
)

# --------------------------------------------------------------------------------------------
# The dataset folder: one manifest from the shards' part lists, stale parts removed
# --------------------------------------------------------------------------------------------


def merge_part_lists(part_lists, folder: str | os.PathLike, manifest: str | os.PathLike) -> int:
    """Write ``folder``'s manifest from the shards' part lists (parts in name order, i.e. corpus
    order) and remove part files in ``folder`` that no part list names (left by an earlier run
    with another corpus or shard count). Returns the row count."""
    folder = Path(folder)
    parts, schema = [], None
    for path in part_lists:
        body = read_part_list(path)
        parts.extend(body["parts"])
        schema = schema or schema_from_text(body["schema"])
    for part in parts:
        if not Path(part["file"]).is_file():
            raise NewslensError(
                f"{part['file']}, a part of {folder}, is missing. Delete results/interim (or "
                "just the part lists naming it) and run snakemake again to rebuild it."
            )
        if Path(part["file"]).parent.resolve() != folder.resolve():
            raise NewslensError(
                f"a part list names {part['file']}, outside {folder}; delete results/interim "
                "and run snakemake again."
            )
    parts.sort(key=lambda p: Path(p["file"]).name)
    names = [Path(p["file"]).name for p in parts]
    if len(set(names)) != len(names):
        raise NewslensError(
            f"two shards wrote the same part of {folder}; delete results/interim and run "
            "snakemake again."
        )
    keep = set(names)
    for stale in folder.glob(f"{PART_PREFIX}*.parquet"):
        if stale.name not in keep:
            stale.unlink()
            log.info("removed %s: no shard of this run wrote it (left by an earlier run)", stale)
    for part in parts:
        part["file"] = Path(part["file"]).name  # relative to the folder
    write_part_list(manifest, parts, schema if schema is not None else pa.schema([]))
    return int(sum(p["rows"] for p in parts))


def remove_stale_csv_twin(manifest: str | os.PathLike) -> Path | None:
    """Remove the CSV twin (``results/tables/<name>.csv``) of the partitioned table whose
    manifest is ``manifest`` when this run does not write it (``tokenize.csv_tables`` false):
    a twin left by an earlier run with other data must not be read as this run's table.
    Returns the removed path, or None."""
    folder = Path(manifest).parent
    twin = folder.with_name(f"{folder.name}.csv")
    if not twin.exists():
        return None
    twin.unlink()
    log.warning(
        "removed %s, a CSV twin of an earlier run (tokenize.csv_tables is false; read the "
        "partitioned table %s/ instead)",
        twin,
        folder,
    )
    return twin


def write_csv(path: str | os.PathLike, out_csv, csv_max_rows: int | None = None) -> int:
    """A partitioned table (part list, manifest or folder) as one CSV file, part by part in
    order, printed as pandas prints the whole table (an integer column with a null anywhere is
    printed as floats); past ``csv_max_rows`` rows a one-line note instead. Returns the rows."""
    import pandas as pd

    schema = dataset_schema(path).remove_metadata()
    n_rows = dataset_num_rows(path)
    if csv_max_rows is not None and n_rows > csv_max_rows:
        write_table(
            pd.DataFrame({"note": [f"{n_rows} rows: too many for CSV, read {Path(path).parent}"]}),
            out_csv,
        )
        return n_rows
    floats = []
    for field in schema:
        if pa.types.is_integer(field.type) and any(
            pq.read_table(p, columns=[field.name]).column(0).null_count for p in dataset_parts(path)
        ):
            floats.append(field.name)
    with atomic_path(out_csv) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        header = True
        for table in iter_dataset_arrow(path, BATCH_ROWS):
            csv_frame(table.cast(schema), floats).to_csv(
                fh, header=header, index=False, lineterminator="\n"
            )
            header = False
        if header:
            csv_frame(schema.empty_table()).to_csv(fh, index=False, lineterminator="\n")
    return n_rows


# --------------------------------------------------------------------------------------------
# Gathering the shards in corpus order (Arrow batches)
# --------------------------------------------------------------------------------------------

# A gathered table with more rows gets no CSV twin (a note instead: read the Parquet file).
CSV_MAX_ROWS = 5_000_000
# At most this many rows per batch read from a shard, and about this many bytes (in Arrow).
BATCH_ROWS = 1_000_000
BATCH_BYTES = 64 * 2**20
UNKNOWN_DOC = np.iinfo(np.int64).max  # sort key of a row whose doc_id is not in the documents


def doc_keys(doc_id: pa.Array | pa.ChunkedArray, ids: pa.Array, index: np.ndarray) -> np.ndarray:
    """The corpus position (``doc_index``) of each row from its ``doc_id``, given the documents'
    ``ids`` and their ``index``. The rows of one article are contiguous in a shard, so only the
    first row of each run is looked up. Unknown doc_ids get UNKNOWN_DOC (sorted last)."""
    if isinstance(doc_id, pa.ChunkedArray):
        doc_id = doc_id.combine_chunks()
    n = len(doc_id)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n > 1:
        change = pc.not_equal(doc_id.slice(1), doc_id.slice(0, n - 1))
        starts = np.concatenate(
            ([0], np.flatnonzero(change.fill_null(True).to_numpy(zero_copy_only=False)) + 1)
        )
    else:
        starts = np.zeros(1, dtype=np.int64)
    pos = pc.index_in(doc_id.take(pa.array(starts)), value_set=ids).fill_null(-1).to_numpy()
    run_keys = np.where(pos >= 0, index[np.maximum(pos, 0)], UNKNOWN_DOC)
    return np.repeat(run_keys, np.diff(np.append(starts, n)))


def merge_by_key(
    streams: Sequence[Iterable[tuple[pa.Table, np.ndarray]]],
) -> Iterator[pa.Table]:
    """Merge streams of (table, sort key) batches, each stream sorted by its key, into tables in
    key order; equal keys keep stream order, then row order (what a stable sort of the
    concatenated streams gives). Memory: about one batch per stream."""
    iters = [iter(s) for s in streams]
    bufs: list[pa.Table | None] = [None] * len(iters)
    keys: list[np.ndarray | None] = [None] * len(iters)

    def refill(i: int) -> None:
        while bufs[i] is None or bufs[i].num_rows == 0:
            nxt = next(iters[i], None)
            if nxt is None:
                bufs[i] = keys[i] = None
                return
            bufs[i], keys[i] = nxt

    for i in range(len(iters)):
        refill(i)
    while True:
        active = [i for i in range(len(iters)) if bufs[i] is not None]
        if not active:
            return
        mark = min(keys[i][-1] for i in active)
        parts, part_keys = [], []
        for i in active:
            cut = int(np.searchsorted(keys[i], mark, side="right"))
            if cut:
                parts.append(bufs[i].slice(0, cut))
                part_keys.append(keys[i][:cut])
                bufs[i], keys[i] = bufs[i].slice(cut), keys[i][cut:]
            if bufs[i].num_rows == 0:
                refill(i)
        table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        key = np.concatenate(part_keys) if len(part_keys) > 1 else part_keys[0]
        if len(key) > 1 and (np.diff(key) < 0).any():
            table = table.take(pa.array(np.argsort(key, kind="stable")))
        yield table


def check_sorted(keys: np.ndarray, previous: int, path) -> int:
    """Raise if a shard's rows are not in corpus order (the merge relies on it); return the
    last key."""
    if len(keys) == 0:
        return previous
    if keys[0] < previous or (np.diff(keys) < 0).any():
        raise NewslensError(
            f"{path} is not in corpus order (doc_index); it was not written by this version of "
            "the pipeline. Delete results/interim and run snakemake again."
        )
    return int(keys[-1])


def unified_schema(schemas: Sequence[pa.Schema]) -> pa.Schema:
    """One schema for tables gathered from shards: a column that is all null in one shard takes
    the type it has in another. Pandas metadata is dropped (it describes one shard)."""
    schema = pa.unify_schemas(list(schemas), promote_options="permissive")
    return schema.remove_metadata()


def csv_frame(table: pa.Table, float_columns: Iterable[str] = ()) -> pd.DataFrame:
    """A batch as the DataFrame whose ``to_csv`` prints it as pandas prints the whole table:
    integer columns that hold a null anywhere in the table (``float_columns``) are floats in
    every batch, as ``pd.concat`` of the shards makes them."""
    for name in float_columns:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(i).cast(pa.float64()))
    return table.to_pandas()


def rows_per_batch(path, max_rows: int = BATCH_ROWS, target_bytes: int = BATCH_BYTES) -> int:
    """Rows per batch for reading ``path``: at most ``max_rows``, and about ``target_bytes`` of
    Arrow memory, judged from the size of its first rows (a text column makes rows large)."""
    probe = next(iter_parquet_arrow(path, 2000), None)
    if probe is None or probe.num_rows == 0:
        return max_rows
    per_row = max(1.0, probe.nbytes / probe.num_rows)
    return int(max(1000, min(max_rows, target_bytes // per_row)))


def keyed(path, schema: pa.Schema, key, batch_rows: int = BATCH_ROWS):
    """(table, corpus-order key) batches of one shard, cast to the gathered schema."""
    last = -1
    for table in iter_parquet_arrow(path, min(batch_rows, rows_per_batch(path))):
        if table.schema != schema:
            table = table.select(schema.names).cast(schema)
        keys = key(table)
        last = check_sorted(keys, last, path)
        yield table, keys


def int_columns_with_nulls(paths, schema: pa.Schema) -> list[str]:
    """Integer columns that hold a null in some shard (pandas prints them as floats)."""
    out = []
    for field in schema:
        if not pa.types.is_integer(field.type):
            continue
        for path in paths:
            col = read_arrow(path, columns=[field.name]).column(0)
            if col.null_count:
                out.append(field.name)
                break
    return out


def gather(
    paths,
    key,
    out_parquet,
    out_csv=None,
    drop=(),
    csv_max_rows: int | None = CSV_MAX_ROWS,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Merge the shards' tables in corpus order into ``out_parquet`` (None: none) and
    ``out_csv`` (when it has at most ``csv_max_rows`` rows, None for no limit; otherwise a
    one-line note). Parquet row groups are cut every runtime.ROW_GROUP_ROWS rows, so the bytes
    do not depend on the number of shards.
    ``key(table)`` gives each row's corpus position; ``drop`` names columns left out of the
    outputs. Returns the row count."""
    counts = [parquet_num_rows(p) for p in paths]
    # an empty shard's columns may have placeholder types (an empty pandas frame): the schema
    # comes from the shards with rows, and empty shards add nothing
    paths = [p for p, n in zip(paths, counts, strict=True) if n] or list(paths)[:1]
    full = unified_schema([dataset_schema(p) for p in paths])
    schema = pa.schema([f for f in full if f.name not in drop])
    n_rows = sum(counts)
    with_csv = bool(out_csv) and (csv_max_rows is None or n_rows <= csv_max_rows)
    floats = int_columns_with_nulls(paths, schema) if with_csv else []
    merged = merge_by_key([keyed(p, full, key, batch_rows) for p in paths])
    with contextlib.ExitStack() as stack:
        tmp_pq = stack.enter_context(atomic_path(out_parquet)) if out_parquet else None
        fh = None
        if with_csv:
            tmp_csv = stack.enter_context(atomic_path(out_csv))
            fh = stack.enter_context(open(tmp_csv, "w", encoding="utf-8", newline=""))
        writer = stack.enter_context(RowGroupWriter(tmp_pq, schema)) if tmp_pq else None
        header = True
        for table in merged:
            table = table.select(schema.names)
            if writer is not None:
                writer.write_table(table)
            if fh:
                frame = csv_frame(table, floats)
                frame.to_csv(fh, header=header, index=False, lineterminator="\n")
                header = False
        if fh and header:
            csv_frame(schema.empty_table()).to_csv(fh, index=False, lineterminator="\n")
    if out_csv and not with_csv:
        write_table(
            pd.DataFrame({"note": [f"{n_rows} rows: too many for CSV, read {out_parquet}"]}),
            out_csv,
        )
    return n_rows


def write_ipc(table: pa.Table, path: Path) -> Path:
    """Spill a table to an Arrow IPC file (read back memory-mapped by ``read_ipc``)."""
    with pa.ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    return path


def read_ipc(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def read_arrow(path, columns=None) -> pa.Table:
    """One Parquet file (or a part list / dataset folder, newslens.shards) as an Arrow table; a
    corrupt file is reported by name."""
    if is_partitioned(path):
        return read_dataset_arrow(path, columns)
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


# --------------------------------------------------------------------------------------------
# Gathering pandas tables: article-wise batches, sorted merges, gathered tables
# --------------------------------------------------------------------------------------------

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
TABLE_ROW_GROUP_ROWS = 1024 * 1024


class TableWriter:
    """A gathered table written batch by batch to Parquet (``schema``) and/or CSV, atomically
    when the ``with`` block ends without error.

    Parquet row groups are cut every ``TABLE_ROW_GROUP_ROWS`` rows, as ``pq.write_table`` cuts one
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
            if self._pending_rows >= TABLE_ROW_GROUP_ROWS:
                self._flush(final=False)
        self.n_rows += len(df)

    def _flush(self, final: bool) -> None:
        table = pa.concat_tables(self._pending) if self._pending else None
        while table is not None and (len(table) >= TABLE_ROW_GROUP_ROWS or (final and len(table))):
            n = min(TABLE_ROW_GROUP_ROWS, len(table))
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
