"""Shard I/O: the partitioned per-row tables and the part lists that hand them between jobs.

The big per-row tables (tokens, sentences, paragraphs, sentiment and frame sentences) are
partitioned Parquet datasets, ``results/tables/<name>/part-NNNNNNNN.parquet``, written once by
the per-shard jobs. Ingest deals the corpus to the shards in blocks of
``tokenize.part_articles`` consecutive articles
(block ``b`` holds the articles with ``doc_index // part_articles == b`` and goes to shard
``b % n_shards``), and the rows of block ``b`` are the part file ``part-{b:08d}.parquet``. So
the part files in name order are the corpus order, whatever the number of shards, and a part's
bytes depend only on its rows (row groups are cut every ``ROW_GROUP_ROWS`` rows). A
block whose articles were all dropped (duplicates) has no part file: part numbers may skip.

Each shard job also writes a *part list* (JSON, in ``results/interim/``): the part files it
wrote, with their rows and SHA-256, and the table's Arrow schema (so an empty shard still has
columns). Jobs downstream name a part list as their input; ``iter_parquet``,
``iter_parquet_arrow``, ``read_parquet`` and ``parquet_num_rows`` read a part list (or a dataset
folder) as the one table its parts make, in part order. The gathering rules (corpus_tables,
sentiment_tables, frames_gather) merge the shards' part lists into the dataset's
``_manifest.json`` (which provenance checksums, and so covers every part) and remove part files
no part list names (left by an earlier run): ``newslens.shards_gather.merge_part_lists``.

Readers outside the pipeline read the folder: ``pd.read_parquet("results/tables/tokens")``,
``pyarrow.dataset.dataset(...)``; both list the files sorted by name and skip names beginning
with ``_`` or ``.`` (docs/outputs.md).

The module is the home of the shard I/O: Parquet files read in batches (``iter_parquet``,
``iter_parquet_arrow``, ``read_parquet``; a corrupt file is reported by name), written
atomically batch by batch (``ParquetShardWriter``, ``RowGroupWriter``), and the partitioned
datasets above (``PartWriter``, part lists, ``read_dataset``). Gathering the shards' tables in
corpus order (``gather``, ``merge_by_key``, ``merge_sorted``, ``TableWriter``, ...) is
``newslens.shards_gather``. ``newslens.runtime`` still exports the reader and writer names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newslens.runtime import (
    NewslensError,
    _batch_context,
    atomic_path,
    processing,
    progress,
)

# --------------------------------------------------------------------------------------------
# Parquet files: batched reading, atomic writing
# --------------------------------------------------------------------------------------------


def corrupt_parquet(path, err: Exception) -> NewslensError:
    """The error for a Parquet file that cannot be read: names it and says what to do."""
    return NewslensError(
        f"cannot read Parquet file {path}: {err}. It is corrupt or half-written; delete it "
        "and run snakemake again to rebuild it."
    )


def read_parquet(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one Parquet shard (or a part list / dataset folder); a corrupt or truncated file is
    reported by name."""
    if is_partitioned(path):
        return read_dataset(path, columns)
    processing(input=str(path), rows=None, docs=None)
    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


# Rows per Parquet row group of the gathered result tables: a fixed count, so that a table's
# bytes do not depend on how its rows arrived (batch sizes, number of shards).
ROW_GROUP_ROWS = 256 * 1024


class _CloseOrAbort:
    """A writer used as a context manager: ``close()`` when the block ends normally,
    ``abort(exc)`` (the writer's clean-up: nothing half-written is left, or the file is
    closed without the pending rows) when it raises."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.close()
        else:
            self.abort(exc)
        return False


class RowGroupWriter(_CloseOrAbort):
    """A ``pyarrow.parquet.ParquetWriter`` whose row groups are cut every ``rows`` rows,
    whatever the sizes of the tables handed to ``write_table``: the same rows in the same order
    give the same bytes however they were batched. Holds at most ``rows`` rows pending."""

    def __init__(
        self, where, schema, rows: int = ROW_GROUP_ROWS, options: dict | None = None, prepare=None
    ):
        import pyarrow.parquet as pq

        self.schema = schema
        self.rows = int(rows)
        # prepare: called on each row group's table before it is written (None = as it is)
        self.prepare = prepare
        # options: extra keywords of ParquetWriter (statistics, encodings); None = its defaults
        self._writer = pq.ParquetWriter(where, schema, **(options or {}))
        self._pending: list = []
        self._pending_rows = 0
        self.n_rows = 0

    def write_table(self, table) -> None:
        if table.num_rows == 0:
            return
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self.n_rows += table.num_rows
        if self._pending_rows >= self.rows:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        import pyarrow as pa

        if not self._pending:
            return
        table = pa.concat_tables(self._pending) if len(self._pending) > 1 else self._pending[0]
        while table.num_rows >= self.rows or (final and table.num_rows):
            n = min(self.rows, table.num_rows)
            # one contiguous chunk: page boundaries then depend on the rows only
            group = table.slice(0, n).combine_chunks()
            self._writer.write_table(self.prepare(group) if self.prepare else group)
            table = table.slice(n)
        self._pending = [table] if table.num_rows else []
        self._pending_rows = table.num_rows

    def close(self) -> None:
        self._flush(final=True)
        self._writer.close()

    def abort(self, exc) -> None:
        self._writer.close()


class ParquetShardWriter(_CloseOrAbort):
    """Write a Parquet file batch by batch (bounded memory), atomically on close.

    ``empty`` gives the columns (and dtypes) written when no batch arrives, so that an empty
    shard is still a valid table with the right columns.
    """

    def __init__(self, path: str | os.PathLike, empty: pd.DataFrame):
        self.path = Path(path)
        self.empty = empty
        self._ctx = atomic_path(self.path)
        self._tmp = self._ctx.__enter__()
        self._writer = None
        self._schema = None

    def write(self, df) -> None:
        """Append a DataFrame or an Arrow table (same columns as the first one written)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(df, pa.Table):
            table = df
        elif df.empty:
            return
        else:
            table = pa.Table.from_pandas(df, preserve_index=False)
        if table.num_rows == 0:
            return
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self._tmp, self._schema)
        else:
            try:
                table = table.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                if not self._widen(table.schema):
                    raise
                table = table.cast(self._schema)
        self._writer.write_table(table)

    def _widen(self, schema) -> bool:
        """Columns that were all missing so far (null type) take their type from ``schema``;
        what was written already is rewritten with it, one row group at a time. False when
        there is no such column."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        fields = [
            new if pa.types.is_null(old.type) and old.name == new.name else old
            for old, new in zip(self._schema, schema, strict=False)
        ]
        widened = pa.schema(fields, metadata=self._schema.metadata)
        if widened.equals(self._schema):
            return False
        self._writer.close()
        part = self._tmp.with_name(self._tmp.name + ".part")
        os.replace(self._tmp, part)
        try:
            self._schema = widened
            self._writer = pq.ParquetWriter(self._tmp, widened)
            written = pq.ParquetFile(part)
            for i in range(written.num_row_groups):
                self._writer.write_table(written.read_row_group(i).cast(widened))
        finally:
            part.unlink()
        return True

    def close(self) -> None:
        if self._writer is None:
            self.empty.to_parquet(self._tmp, index=False)
        else:
            self._writer.close()
        self._ctx.__exit__(None, None, None)

    def abort(self, exc) -> None:
        if self._writer is not None:
            self._writer.close()
        self._ctx.__exit__(type(exc), exc, None)


def parquet_num_rows(path: str | os.PathLike) -> int:
    """Row count from a Parquet file's footer (a part list's or dataset folder's: the sum of its
    parts'); a corrupt file is reported by name."""
    import pyarrow.parquet as pq

    if is_partitioned(path):
        return dataset_num_rows(path)

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


def iter_parquet_arrow(
    path: str | os.PathLike,
    batch_rows: int = 5000,
    columns: list[str] | None = None,
    dictionary: list[str] | None = None,
):
    """Yield a Parquet file as Arrow tables of at most ``batch_rows`` rows (no conversion to
    pandas); a corrupt file is reported by name. A part list or dataset folder
    (newslens.shards) is read part by part in order. ``dictionary``: string columns to read
    dictionary-encoded (Arrow's ``read_dictionary``; no string is built per row)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if is_partitioned(path):
        for part in dataset_parts(path):
            yield from iter_parquet_arrow(part, batch_rows, columns, dictionary)
        return

    try:
        parquet = pq.ParquetFile(path, pre_buffer=False, read_dictionary=dictionary)
        missing = [c for c in columns or [] if c not in parquet.schema_arrow.names]
        if missing:
            raise NewslensError(
                f"{path} has no column(s) {', '.join(missing)}; rebuild it with the current "
                "config (delete it and run snakemake again)."
            )
        batches = parquet.iter_batches(batch_size=batch_rows, columns=columns)
        total = parquet.metadata.num_rows
        desc = f"reading {Path(path).parent.name}/{Path(path).name}"
        start = 0
        for batch in progress(batches, total, desc, batch_size=batch_rows):
            _batch_context(path, batch, start)
            start += batch.num_rows
            yield pa.Table.from_batches([batch])
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


def iter_parquet(path: str | os.PathLike, batch_rows: int = 5000, columns: list[str] | None = None):
    """Yield a Parquet file as DataFrames of at most ``batch_rows`` rows; a corrupt file is
    reported by name. Memory stays flat: pyarrow's default pre-buffering keeps every row
    group read so far (~57 MB per million sentence rows), so it is switched off. A part list or
    dataset folder (newslens.shards) is read part by part in order."""
    import pyarrow.parquet as pq

    if is_partitioned(path):
        yield from iter_dataset(path, batch_rows, columns)
        return

    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)
        batches = parquet.iter_batches(batch_size=batch_rows, columns=columns)
        total = parquet.metadata.num_rows
        desc = f"reading {Path(path).parent.name}/{Path(path).name}"
        start = 0
        for batch in progress(batches, total, desc, batch_size=batch_rows):
            _batch_context(path, batch, start)
            start += batch.num_rows
            yield batch.to_pandas()
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


# --------------------------------------------------------------------------------------------
# Partitioned datasets and part lists
# --------------------------------------------------------------------------------------------

PART_PREFIX = "part-"
PART_DIGITS = 8
MANIFEST = "_manifest.json"
PART_LIST_FORMAT = "newslens-part-list/1"


def part_name(block: int) -> str:
    """The file name of block ``block``'s part: zero-padded so that name order is block order."""
    if not 0 <= block < 10**PART_DIGITS:
        raise NewslensError(
            f"block {block} does not fit a part name of {PART_DIGITS} digits; raise config key "
            "tables.part_articles"
        )
    return f"{PART_PREFIX}{block:0{PART_DIGITS}d}.parquet"


def part_block(path: str | os.PathLike) -> int:
    """The block number of a part file, from its name."""
    name = Path(path).name
    if not (name.startswith(PART_PREFIX) and name.endswith(".parquet")):
        raise NewslensError(f"{path} is not a part file ({PART_PREFIX}NNNNNNNN.parquet)")
    return int(name[len(PART_PREFIX) : -len(".parquet")])


def block_of(doc_index, part_articles: int):
    """The block (part number) of each corpus position."""
    return doc_index // int(part_articles)


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def schema_to_text(schema: pa.Schema) -> str:
    return base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")


def schema_from_text(text: str) -> pa.Schema:
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class PartWriter(_CloseOrAbort):
    """Write one shard's rows of a partitioned table: ``write(block, table)`` appends rows of
    block ``block`` (blocks in ascending order, as a shard's rows are) to that block's part file
    in ``folder``; ``close()`` writes the part list ``part_list`` (JSON).

    Every part file is written atomically with the fixed ``schema`` (no pandas metadata) and row
    groups of ``rows`` rows, so its bytes depend only on its rows (and the fixed ``options``:
    extra ``ParquetWriter`` keywords such as ``write_statistics`` or ``column_encoding``, which
    change the bytes but not the table read back). Use as a context manager: on an error the
    part being written is discarded and no part list is written.
    """

    # a row group's table -> the table written (a subclass's method; None: as it is)
    prepare_group = None

    def __init__(
        self,
        folder: str | os.PathLike,
        part_list: str | os.PathLike,
        schema: pa.Schema,
        rows: int = ROW_GROUP_ROWS,
        options: dict | None = None,
    ):
        self.folder = Path(folder)
        self.part_list = Path(part_list)
        self.schema = schema.remove_metadata()
        self.rows = rows
        self.options = options
        self.parts: list[dict] = []
        self._block: int | None = None
        self._ctx = None
        self._writer: RowGroupWriter | None = None

    def write(self, block: int, table) -> None:
        """Append ``table`` (Arrow table or DataFrame with the schema's columns) to ``block``."""
        block = int(block)
        if not isinstance(table, pa.Table):
            table = pa.Table.from_pandas(table, preserve_index=False)
        if table.num_rows == 0:
            return
        if self._block is not None and block < self._block:
            raise NewslensError(
                f"{self.part_list}: block {block} arrived after block {self._block}; the shard "
                "is not in corpus order. Delete results/interim and run snakemake again."
            )
        if block != self._block:
            self._finish()
            self._block = block
            path = self.folder / part_name(block)
            self._ctx = atomic_path(path)
            tmp = self._ctx.__enter__()
            self._writer = RowGroupWriter(
                tmp, self.schema, self.rows, self.options, self.prepare_group
            )
        self._writer.write_table(table.select(self.schema.names).cast(self.schema))

    def write_blocks(self, blocks, table) -> None:
        """Append rows whose blocks (one per row, ascending) are ``blocks``, each run of equal
        blocks to its block's part."""
        blocks = np.asarray(blocks)
        cuts = np.flatnonzero(blocks[1:] != blocks[:-1]) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(blocks)], strict=True):
            if hi > lo:
                part = (
                    table.slice(lo, hi - lo) if isinstance(table, pa.Table) else table.iloc[lo:hi]
                )
                self.write(blocks[lo], part)

    def _finish(self) -> None:
        if self._writer is None:
            return
        self._writer.close()
        n_rows = self._writer.n_rows
        self._ctx.__exit__(None, None, None)
        path = self.folder / part_name(self._block)
        self.parts.append({"file": str(path), "rows": n_rows, "sha256": sha256_file(path)})
        self._writer = self._ctx = None

    def close(self) -> None:
        self._finish()
        write_part_list(self.part_list, self.parts, self.schema)

    def abort(self, exc: BaseException) -> None:
        if self._writer is not None:
            self._writer._writer.close()
            self._ctx.__exit__(type(exc), exc, None)
            self._writer = self._ctx = None


def write_part_list(path: str | os.PathLike, parts: list[dict], schema: pa.Schema) -> None:
    """A part list: the part files (path, rows, SHA-256) in order, and the table's schema."""
    body = {
        "format": PART_LIST_FORMAT,
        "rows": int(sum(p["rows"] for p in parts)),
        "parts": parts,
        "schema": schema_to_text(schema),
    }
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def is_part_list(path) -> bool:
    return str(path).endswith(".json")


def is_partitioned(path) -> bool:
    """A part list (.json) or a dataset folder, rather than one Parquet file."""
    return is_part_list(path) or Path(path).is_dir()


def read_part_list(path: str | os.PathLike) -> dict:
    """A part list (or a dataset's _manifest.json), checked; names the file when it is broken."""
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise NewslensError(
            f"cannot read the part list {path}: {err}. Delete it and run snakemake again."
        ) from err
    if not isinstance(body, dict) or body.get("format") != PART_LIST_FORMAT:
        raise NewslensError(
            f"{path} is not a newslens part list; it was not written by this version of the "
            "pipeline. Delete it and run snakemake again."
        )
    return body


def dataset_parts(path: str | os.PathLike) -> list[Path]:
    """The part files of a part list or of a dataset folder (sorted by name), or ``[path]``."""
    if is_part_list(path):
        # a dataset's manifest names its parts relative to its folder; a part list, as written
        base = Path(path).parent if Path(path).name == MANIFEST else Path()
        return [base / p["file"] for p in read_part_list(path)["parts"]]
    path = Path(path)
    if path.is_dir():
        return sorted(path.glob(f"{PART_PREFIX}*.parquet"))
    return [path]


def dataset_schema(path: str | os.PathLike) -> pa.Schema:
    """The Arrow schema of a part list, a dataset folder or a Parquet file."""
    if is_part_list(path):
        return schema_from_text(read_part_list(path)["schema"])
    path = Path(path)
    if path.is_dir() and (path / MANIFEST).is_file():
        return schema_from_text(read_part_list(path / MANIFEST)["schema"])
    parts = dataset_parts(path)
    if not parts:
        raise NewslensError(f"{path} holds no part files; run snakemake again to rebuild it")
    try:
        return pq.ParquetFile(parts[0]).schema_arrow
    except (OSError, ValueError) as err:
        raise corrupt_parquet(parts[0], err) from err


def dataset_num_rows(path: str | os.PathLike) -> int:
    if is_part_list(path):
        return int(read_part_list(path)["rows"])
    return sum(parquet_num_rows(p) for p in dataset_parts(path))


def iter_dataset_arrow(
    path: str | os.PathLike, batch_rows: int = 5000, columns: list[str] | None = None
) -> Iterator[pa.Table]:
    """A part list or dataset folder as Arrow tables of at most ``batch_rows`` rows, part by part
    in order (a batch never spans two parts)."""
    for part in dataset_parts(path):
        yield from iter_parquet_arrow(part, batch_rows, columns)


def iter_dataset(path: str | os.PathLike, batch_rows: int = 5000, columns=None):
    """As ``iter_dataset_arrow``, as DataFrames."""
    for table in iter_dataset_arrow(path, batch_rows, columns):
        yield table.to_pandas()


def rebatch(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """Re-cut a stream of tables into batches of exactly ``rows`` rows (the last may be
    shorter), as ``ParquetFile.iter_batches(rows)`` cuts one file: a sum accumulated batch by
    batch then has the same floating-point bits whatever part files the rows came in."""
    pending: list[pa.Table] = []
    n_pending = 0
    for table in tables:
        pending.append(table)
        n_pending += table.num_rows
        while n_pending >= rows:
            joined = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
            yield joined.slice(0, rows)
            rest = joined.slice(rows)
            pending, n_pending = ([rest] if rest.num_rows else []), rest.num_rows
    if n_pending:
        yield pa.concat_tables(pending) if len(pending) > 1 else pending[0]


def read_dataset_arrow(path: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    """A part list, dataset folder or Parquet file as one Arrow table (its schema even if empty)."""
    schema = dataset_schema(path)
    if columns is not None:
        missing = [c for c in columns if c not in schema.names]
        if missing:
            raise NewslensError(
                f"{path} has no column(s) {', '.join(missing)}; rebuild it with the current "
                "config (delete it and run snakemake again)."
            )
        schema = pa.schema([schema.field(c) for c in columns])
    tables = []
    for part in dataset_parts(path):
        try:
            tables.append(pq.read_table(part, columns=columns).cast(schema))
        except (OSError, ValueError) as err:
            raise corrupt_parquet(part, err) from err
    return pa.concat_tables(tables) if tables else schema.empty_table()


def read_dataset(path: str | os.PathLike, columns: list[str] | None = None):
    """As ``read_dataset_arrow``, as a DataFrame."""
    return read_dataset_arrow(path, columns).to_pandas()
