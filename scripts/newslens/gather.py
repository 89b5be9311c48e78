"""Gathering per-shard tables with bounded memory: merged in corpus order (Arrow batches, no
pandas rows) into one Parquet file and its CSV twin, and n-gram counts summed over shards
partition by partition.

The shards are dealt round-robin from the corpus and each lists its articles in corpus order,
so a k-way merge on the corpus position (``doc_index``) gives the table a stable sort of the
concatenated shards would give, whatever the number of shards, holding one batch per shard.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newslens.runtime import (
    NewslensError,
    RowGroupWriter,
    atomic_path,
    corrupt_parquet,
    iter_parquet_arrow,
    parquet_num_rows,
    write_table,
)
from newslens.shards import dataset_schema, is_partitioned, read_dataset_arrow

# A gathered table with more rows gets no CSV twin (a note instead: read the Parquet file).
CSV_MAX_ROWS = 5_000_000
# At most this many rows per batch read from a shard, and about this many bytes (in Arrow).
BATCH_ROWS = 1_000_000
BATCH_BYTES = 64 * 2**20
# Summing n-gram counts holds one partition of this many input rows in memory at a time
# (measured: 2M rows is faster than 8M and needs half the memory).
NGRAM_PARTITION_ROWS = 2_000_000
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


# --------------------------------------------------------------------------------------------
# Summing the shards' n-gram counts with bounded memory
# --------------------------------------------------------------------------------------------

NGRAM_COLUMNS = ["ngram", "n", "count", "doc_freq"]
NGRAM_SCHEMA = pa.schema(
    [
        ("ngram", pa.large_string()),
        ("n", pa.int64()),
        ("count", pa.int64()),
        ("doc_freq", pa.int64()),
    ]
)


def ngram_partition(ngram: pa.Array | pa.ChunkedArray, n_parts: int) -> np.ndarray:
    """A deterministic partition number in [0, n_parts) for each string, from its length and
    five of its bytes (first, second, middle, second to last, last), mixed by a 64-bit
    multiplicative hash. Equal strings always fall in the same partition; no Python object is
    made per string."""
    if isinstance(ngram, pa.ChunkedArray):
        ngram = ngram.combine_chunks()
    n = len(ngram)
    if n_parts <= 1 or n == 0:
        return np.zeros(n, dtype=np.int64)
    arr = ngram.cast(pa.large_string()).fill_null("")
    if arr.offset:
        arr = pa.concat_arrays([arr])  # offset 0, so that the buffers start at row 0
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1)
    data = (
        np.frombuffer(arr.buffers()[2], dtype=np.uint8)
        if arr.buffers()[2]
        else np.zeros(1, np.uint8)
    )
    start, end = offsets[:-1], offsets[1:]
    length = end - start
    has = length > 0
    last = np.maximum(end - 1, start)
    h = length.astype(np.uint64)
    with np.errstate(over="ignore"):
        for pos in (
            start,
            np.minimum(start + 1, last),
            (start + last) // 2,
            np.maximum(last - 1, start),
            last,
        ):
            byte = np.where(has, data[np.minimum(pos, len(data) - 1)], 0).astype(np.uint64)
            h = (h ^ byte) * np.uint64(0x100000001B3)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return (h % np.uint64(n_parts)).astype(np.int64)


def sum_ngrams(table: pa.Table) -> pa.Table:
    """Sum the count and doc_freq of equal n-grams (the shards' documents are disjoint, so
    document frequencies add up). Returns ngram, n, count, doc_freq in order of first
    appearance."""
    if table.num_rows == 0:
        return table.select(NGRAM_COLUMNS)
    enc = pc.dictionary_encode(table.column("ngram").combine_chunks())
    codes = enc.indices.to_numpy()
    m = len(enc.dictionary)
    # codes are numbered in order of first appearance: a code is new where the running maximum
    # grows
    running = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.diff(running, prepend=-1) > 0)
    out = {"ngram": enc.dictionary, "n": table.column("n").take(pa.array(first))}
    for col in ("count", "doc_freq"):
        total = np.bincount(codes, weights=table.column(col).to_numpy(), minlength=m)
        out[col] = pa.array(np.rint(total).astype(np.int64))
    return pa.table(out)


def parquet_file(path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


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


def summed_ngrams(
    paths,
    tmpdir: Path,
    partition_rows: int = NGRAM_PARTITION_ROWS,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.Table | None]:
    """The shards' n-gram counts summed over the corpus, one partition (an Arrow table of
    ngram, n, count, doc_freq) at a time. Up to ``partition_rows`` input rows are summed in
    memory; more are first split by ``ngram_partition`` into files in ``tmpdir``."""
    total = sum(parquet_num_rows(p) for p in paths)
    n_parts = max(1, math.ceil(total / partition_rows))
    if n_parts == 1:
        tables = [
            t.select(NGRAM_COLUMNS).cast(NGRAM_SCHEMA)
            for p in paths
            for t in iter_parquet_arrow(p, batch_rows, NGRAM_COLUMNS)
        ]
        yield sum_ngrams(pa.concat_tables(tables)) if tables else None
        return
    files = [tmpdir / f"ngrams-{i}.arrow" for i in range(n_parts)]
    writers = []
    try:
        for p in paths:
            for table in iter_parquet_arrow(p, batch_rows, NGRAM_COLUMNS):
                table = table.select(NGRAM_COLUMNS).cast(NGRAM_SCHEMA)
                if not writers:
                    writers = [pa.ipc.new_file(f, NGRAM_SCHEMA) for f in files]
                part = ngram_partition(table.column("ngram"), n_parts)
                order = np.argsort(part, kind="stable")
                bounds = np.searchsorted(part[order], np.arange(n_parts + 1))
                table = table.take(pa.array(order))
                for i in range(n_parts):
                    if bounds[i + 1] > bounds[i]:
                        writers[i].write_table(table.slice(bounds[i], bounds[i + 1] - bounds[i]))
    finally:
        for w in writers:
            w.close()
    if not writers:
        yield None
        return
    for f in files:
        with pa.memory_map(str(f)) as source:
            yield sum_ngrams(pa.ipc.open_file(source).read_all())
        f.unlink()


def write_ipc(table: pa.Table, path: Path) -> Path:
    """Spill a table to an Arrow IPC file (read back memory-mapped by ``read_ipc``)."""
    with pa.ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    return path


def read_ipc(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def count_histogram(ngrams: pa.Table) -> Counter:
    """Rows per (n, count) of an n-gram table."""
    n = ngrams.column("n").to_numpy()
    count = ngrams.column("count").to_numpy()
    keys, rows = np.unique(np.stack([n, count], axis=1), axis=0, return_counts=True)
    return Counter({(int(a), int(b)): int(r) for (a, b), r in zip(keys, rows, strict=True)})


def ngram_buckets(histogram: Counter, max_rows: int = NGRAM_PARTITION_ROWS) -> list[tuple]:
    """Ranges (n, lowest count, highest count) of at most ``max_rows`` rows (unless one (n,
    count) alone has more), in the order of ngram_frequencies.csv: n ascending, count
    descending."""
    buckets, current, rows = [], None, 0
    for n, count in sorted(histogram, key=lambda k: (k[0], -k[1])):
        r = histogram[(n, count)]
        if current is not None and current[0] == n and rows + r <= max_rows:
            current = (n, count, current[2])
            rows += r
        else:
            if current is not None:
                buckets.append(current)
            current, rows = (n, count, count), r
    if current is not None:
        buckets.append(current)
    return buckets


def write_sorted_ngrams(
    spills: Sequence[Path],
    min_count: int,
    path,
    bucket_rows: int = NGRAM_PARTITION_ROWS,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """ngram_frequencies.csv from the spilled n-gram tables (summed counts): the rows with
    n >= 2 and count >= ``min_count``, sorted by n, count descending, then ngram, written bucket by
    bucket (each a range of (n, count) of about ``bucket_rows`` rows, sorted in memory), so
    that memory does not grow with the table. Returns the number of rows."""
    histogram = Counter()
    for spill in spills:
        t = read_ipc(spill)
        keep = pc.and_(
            pc.greater_equal(t.column("n"), 2), pc.greater_equal(t.column("count"), min_count)
        )
        histogram.update(count_histogram(t.filter(keep)))
    n_rows = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        NGRAM_SCHEMA.empty_table().to_pandas().to_csv(fh, index=False, lineterminator="\n")
        for n, lo, hi in ngram_buckets(histogram, bucket_rows):
            parts = []
            for spill in spills:
                t = read_ipc(spill)
                count = t.column("count")
                mask = pc.and_(
                    pc.equal(t.column("n"), n),
                    pc.and_(pc.greater_equal(count, max(lo, min_count)), pc.less_equal(count, hi)),
                )
                parts.append(t.filter(mask))
            table = pa.concat_tables(parts)
            table = table.take(
                pc.sort_indices(table, [("count", "descending"), ("ngram", "ascending")])
            )
            for start in range(0, table.num_rows, batch_rows):
                part = table.slice(start, batch_rows).to_pandas()
                part.to_csv(fh, header=False, index=False, lineterminator="\n")
            n_rows += table.num_rows
    return n_rows


def read_arrow(path, columns=None) -> pa.Table:
    """One Parquet file (or a part list / dataset folder, newslens.shards) as an Arrow table; a
    corrupt file is reported by name."""
    if is_partitioned(path):
        return read_dataset_arrow(path, columns)
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err
