"""Shard I/O: the partitioned per-row tables and the part lists that hand them between jobs.

The big per-row tables (tokens, sentences, paragraphs) are partitioned Parquet datasets,
``results/tables/<name>/part-NNNNNNNN.parquet``, written once by the per-shard jobs. Ingest
deals the corpus to the shards in blocks of ``tables.part_articles`` consecutive articles
(block ``b`` holds the articles with ``doc_index // part_articles == b`` and goes to shard
``b % n_shards``), and the rows of block ``b`` are the part file ``part-{b:08d}.parquet``. So
the part files in name order are the corpus order, whatever the number of shards, and a part's
bytes depend only on its rows (row groups are cut every ``runtime.ROW_GROUP_ROWS`` rows). A
block whose articles were all dropped (duplicates) has no part file: part numbers may skip.

Each shard job also writes a *part list* (JSON, in ``results/interim/``): the part files it
wrote, with their rows and SHA-256, and the table's Arrow schema (so an empty shard still has
columns). Jobs downstream name a part list as their input; ``runtime.iter_parquet``,
``iter_parquet_arrow``, ``read_parquet`` and ``parquet_num_rows`` read a part list (or a dataset
folder) as the one table its parts make, in part order. ``corpus_tables`` merges the shards'
part lists into the dataset's ``_manifest.json`` (which provenance checksums, and so covers
every part) and removes part files no part list names (left by an earlier run).

Readers outside the pipeline read the folder: ``pd.read_parquet("results/tables/tokens")``,
``pyarrow.dataset.dataset(...)``; both list the files sorted by name and skip names beginning
with ``_`` or ``.`` (docs/outputs.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newslens.runtime import (
    ROW_GROUP_ROWS,
    NewslensError,
    RowGroupWriter,
    atomic_path,
    corrupt_parquet,
    log,
)

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


def shard_of_block(block, n_shards: int):
    """The shard (0-based) a block is dealt to."""
    return block % int(n_shards)


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


class PartWriter:
    """Write one shard's rows of a partitioned table: ``write(block, table)`` appends rows of
    block ``block`` (blocks in ascending order, as a shard's rows are) to that block's part file
    in ``folder``; ``close()`` writes the part list ``part_list`` (JSON).

    Every part file is written atomically with the fixed ``schema`` (no pandas metadata) and row
    groups of ``rows`` rows, so its bytes depend only on its rows. Use as a context manager: on
    an error the part being written is discarded and no part list is written.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        part_list: str | os.PathLike,
        schema: pa.Schema,
        rows: int = ROW_GROUP_ROWS,
    ):
        self.folder = Path(folder)
        self.part_list = Path(part_list)
        self.schema = schema.remove_metadata()
        self.rows = rows
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
            self._writer = RowGroupWriter(tmp, self.schema, self.rows)
        self._writer.write_table(table.select(self.schema.names).cast(self.schema))

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

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.close()
        else:
            self.abort(exc)
        return False


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
    from newslens.runtime import parquet_num_rows

    return sum(parquet_num_rows(p) for p in dataset_parts(path))


def iter_dataset_arrow(
    path: str | os.PathLike, batch_rows: int = 5000, columns: list[str] | None = None
) -> Iterator[pa.Table]:
    """A part list or dataset folder as Arrow tables of at most ``batch_rows`` rows, part by part
    in order (a batch never spans two parts)."""
    from newslens.runtime import iter_parquet_arrow

    for part in dataset_parts(path):
        yield from iter_parquet_arrow(part, batch_rows, columns)


def iter_dataset(path: str | os.PathLike, batch_rows: int = 5000, columns=None):
    """As ``iter_dataset_arrow``, as DataFrames."""
    for table in iter_dataset_arrow(path, batch_rows, columns):
        yield table.to_pandas()


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


def write_csv(path: str | os.PathLike, out_csv, csv_max_rows: int | None = None) -> int:
    """A partitioned table (part list, manifest or folder) as one CSV file, part by part in
    order, printed as pandas prints the whole table (an integer column with a null anywhere is
    printed as floats); past ``csv_max_rows`` rows a one-line note instead. Returns the rows."""
    import pandas as pd

    from newslens.gather import BATCH_ROWS, csv_frame
    from newslens.runtime import write_table

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
