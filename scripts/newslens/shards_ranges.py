"""The shards' tables merged in corpus order over one range of the corpus: cutting the corpus
into ranges of equal numbers of articles (``range_cuts``), reading a shard from the first row
of a range on (``keyed_range``, only the doc_id column before it), and one range of the merged
table as CSV (``gather_csv_range``), so that jobs writing consecutive ranges side by side give,
joined, the CSV that ``shards_gather.gather`` writes in one job."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newslens.csv_text import write_csv_rows
from newslens.runtime import atomic_path
from newslens.shards import dataset_schema, parquet_num_rows
from newslens.shards_gather import (
    BATCH_ROWS,
    UNKNOWN_DOC,
    check_sorted,
    csv_frame,
    doc_keys,
    int_columns_with_nulls,
    merge_by_key,
    parquet_file,
    read_arrow,
    rows_per_batch,
    unified_schema,
)


def corpus_order(doc_paths):
    """``key(table)``: the corpus position (doc_index) of each row of a table with doc_id, from
    the tokenize stage's document shards; and the sorted doc_index values (for cutting the
    corpus into ranges)."""
    doc_schema = pa.schema([("doc_id", pa.large_string()), ("doc_index", pa.int64())])
    docs = pa.concat_tables(
        [read_arrow(p, ["doc_id", "doc_index"]).cast(doc_schema) for p in doc_paths]
    )
    ids = docs.column("doc_id").combine_chunks()
    index = docs.column("doc_index").to_numpy()

    def key(table):
        return doc_keys(table.column("doc_id"), ids, index)

    return key, np.sort(index)


def range_cuts(sorted_index: np.ndarray, n_ranges: int) -> list[int]:
    """``n_ranges + 1`` corpus positions cutting the articles into ranges of equal size
    (range i holds keys ``cuts[i] <= key < cuts[i + 1]``; the last also the unknown ones)."""
    n = len(sorted_index)
    inner = [int(sorted_index[(n * i) // n_ranges]) if n else 0 for i in range(1, n_ranges)]
    return [-1, *inner, int(UNKNOWN_DOC) + 1]


def keyed_range(path, schema: pa.Schema, key, lo: int, batch_rows: int = BATCH_ROWS):
    """``keyed`` batches of one shard from its first row with key >= ``lo``: only the doc_id
    column of the row groups before it is read."""
    parquet_file(path)  # a corrupt file is reported by name
    # without pre-buffering, which keeps every row group read so far (memory grows with the file)
    pf = pq.ParquetFile(path, pre_buffer=False)
    meta = pf.metadata
    start_group = 0
    if lo > 0 and meta.num_rows:
        # the last doc_id of each row group, looked up at once (each lookup hashes every doc_id)
        groups = [g for g in range(meta.num_row_groups) if meta.row_group(g).num_rows]
        last_ids = [pf.read_row_group(g, columns=["doc_id"]).column(0)[-1] for g in groups]
        last_keys = np.full(meta.num_row_groups, -1, dtype=np.int64)
        if groups:
            ids = pa.array([v.as_py() for v in last_ids], type=pa.large_string())
            last_keys[groups] = key(pa.table({"doc_id": ids}))
        last_keys = np.maximum.accumulate(last_keys)
        start_group = int(np.searchsorted(last_keys, lo, side="left"))
    if start_group >= meta.num_row_groups:
        return
    rows = min(batch_rows, rows_per_batch(path))
    last = -1
    batches = pf.iter_batches(batch_size=rows, row_groups=range(start_group, meta.num_row_groups))
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if table.schema != schema:
            table = table.select(schema.names).cast(schema)
        keys = key(table)
        last = check_sorted(keys, last, path)
        if keys[-1] < lo:
            continue
        cut = int(np.searchsorted(keys, lo, side="left"))
        if cut:
            table, keys = table.slice(cut), keys[cut:]
        yield table, keys


def gather_csv_range(
    paths,
    key,
    out_csv,
    lo: int,
    hi: int,
    header: bool,
    batch_rows: int = BATCH_ROWS,
    each=None,
) -> int:
    """The rows with ``lo <= key < hi`` of the shards' tables merged in corpus order, as CSV
    (the header line only with ``header``), printed as ``gather`` prints the whole table: the
    CSV files of consecutive ranges joined are ``gather``'s CSV. ``each(table, n_docs)`` sees
    every written batch and the number of articles it starts. Returns the rows written."""
    counts = [parquet_num_rows(p) for p in paths]
    paths = [p for p, n in zip(paths, counts, strict=True) if n] or list(paths)[:1]
    schema = unified_schema([dataset_schema(p) for p in paths])
    floats = int_columns_with_nulls(paths, schema)
    n_rows, last_id = 0, None
    with atomic_path(out_csv) as tmp, open(tmp, "wb") as fh:
        if header:
            head = csv_frame(schema.empty_table(), floats).to_csv(index=False, lineterminator="\n")
            fh.write(head.encode("utf-8"))
        for table in merge_by_key([keyed_range(p, schema, key, lo, batch_rows) for p in paths]):
            keys = key(table)
            if keys[0] >= hi:
                break
            if keys[-1] >= hi:
                end = int(np.searchsorted(keys, hi, side="left"))
                table, keys = table.slice(0, end), keys[:end]
            ids = table.column("doc_id").combine_chunks()
            changes = pc.not_equal(ids.slice(1), ids.slice(0, len(ids) - 1))
            starts = pc.sum(changes).as_py() or 0
            starts += int(ids[0].as_py() != last_id)
            last_id = ids[-1].as_py()
            if each is not None:
                each(table, int(starts))
            for name in floats:  # as pandas prints the whole table (see csv_frame)
                i = table.schema.get_field_index(name)
                table = table.set_column(i, name, table.column(i).cast(pa.float64()))
            write_csv_rows(table, fh)
            n_rows += table.num_rows
    return n_rows
