"""Reading a corpus: a folder of article files or one table, in any common encoding.

Everything here streams: records come out one at a time (folders) or in chunks (tables), so a
corpus of a million articles never has to fit in memory. Whatever cannot be read is returned as
an audit record (file, row, reason) instead of being dropped silently. Input files are only
ever opened for reading.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from newslens.runtime import NewslensError

FOLDER_SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# Share of undecodable bytes up to which a mostly-UTF-8 file is kept (bad bytes replaced by
# U+FFFD and counted in the audit) instead of being re-detected as another encoding.
MAX_BAD_UTF8_SHARE = 0.005
RAW_COLUMNS = [
    "doc_index",
    "doc_id",
    "source",
    "kind",
    "encoding",
    "raw",
    "title",
    "date",
    "author",
]


@dataclass
class Decoded:
    text: str
    encoding: str
    n_replaced: int = 0


@dataclass
class AuditRecord:
    doc_id: str
    source: str
    stage: str
    action: str
    reason: str
    line_no: int | None = None
    content: str = ""
    related_doc_id: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


AUDIT_COLUMNS = list(AuditRecord("", "", "", "", "").as_dict())


@dataclass
class ReadResult:
    """What reading produced: article records and audit records, in corpus order."""

    records: list[dict] = field(default_factory=list)
    audit: list[AuditRecord] = field(default_factory=list)


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes (without a UTF-16/32 BOM) or many control bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > 0.05 * max(len(sample), 1)


def decode_bytes(data: bytes, encoding: str = "auto") -> Decoded:
    """Decode article bytes to text.

    ``encoding='auto'``: UTF-8 (a BOM is removed), UTF-16 with BOM, otherwise the encoding that
    charset-normalizer detects (e.g. cp1251 for Russian sources). A mostly-UTF-8 file with a few
    broken bytes keeps UTF-8 and counts the replaced bytes. Raises UnicodeError when no encoding
    fits.
    """
    if encoding != "auto":
        text = data.decode(encoding, errors="replace")
        return Decoded(text.lstrip("\ufeff"), encoding, text.count("\ufffd"))
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
        return Decoded(text, "utf-8-sig", text.count("\ufffd"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16"), "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    n_bad = text.count("\ufffd")
    has_multibyte = any(ord(ch) > 127 and ch != "\ufffd" for ch in text)
    if has_multibyte and n_bad <= MAX_BAD_UTF8_SHARE * len(data):
        return Decoded(text, "utf-8", n_bad)
    best = from_bytes(data).best()
    if best is None:
        raise UnicodeError("no text encoding fits these bytes")
    return Decoded(str(best), best.encoding)


def corpus_format(path: Path, fmt: str = "auto") -> str:
    """'folder' or a table format for ``path``; a clear error for anything else."""
    if fmt != "auto":
        return fmt
    if path.is_dir():
        return "folder"
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise NewslensError(
            f"config key corpus.path: cannot tell how to read '{path}' (suffix "
            f"'{path.suffix}'). Use a folder of .txt/.md/.html files or a "
            f"{'/'.join(sorted(TABLE_FORMATS))} table, or set corpus.format."
        )
    return fmt


def doc_id_for_file(path: Path, root: Path) -> str:
    """A folder article's id: its path below the corpus folder, without the suffix."""
    rel = path.relative_to(root)
    return str(rel.with_suffix("")).replace("\\", "/")


def read_folder_file(path: Path, root: Path, encoding: str = "auto") -> tuple[dict | None, list]:
    """One article file -> (record or None, audit records)."""
    doc_id = doc_id_for_file(path, root)
    source = str(path)

    def skip(reason: str) -> tuple[None, list]:
        return None, [AuditRecord(doc_id, source, "ingest", "skipped_file", reason)]

    kind = FOLDER_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        return skip(f"unsupported file type '{path.suffix}' (read: .txt .md .html .htm)")
    try:
        data = path.read_bytes()
    except OSError as err:
        return skip(f"cannot read file: {err.strerror}")
    if not data.strip():
        return skip("empty file")
    if looks_binary(data):
        return skip("binary file (NUL or control bytes), not text")
    try:
        decoded = decode_bytes(data, encoding)
    except (UnicodeError, LookupError) as err:
        return skip(f"cannot decode text ({err}); set corpus.encoding if you know it")
    audit = []
    if decoded.n_replaced:
        audit.append(
            AuditRecord(
                doc_id,
                source,
                "ingest",
                "replaced_bytes",
                f"{decoded.n_replaced} undecodable byte(s) replaced by U+FFFD "
                f"(decoded as {decoded.encoding})",
            )
        )
    record = {
        "doc_id": doc_id,
        "source": source,
        "kind": kind,
        "encoding": decoded.encoding,
        "raw": decoded.text,
        "title": None,
        "date": None,
        "author": None,
    }
    return record, audit


def detect_table_encoding(path: Path, encoding: str) -> str:
    """Encoding of a text table, detected from its first megabyte when 'auto'."""
    if encoding != "auto":
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start > len(head) - 4:  # a multibyte character cut by the sample boundary
            return "utf-8"
    best = from_bytes(head).best()
    return best.encoding if best else "utf-8"


def iter_table_chunks(
    path: Path, fmt: str, encoding: str, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """Yield the table in chunks of string columns (missing values as None)."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            # streamed column chunks: memory stays bounded even for one huge row group
            parquet = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas().astype(object)
            return
        enc = detect_table_encoding(path, encoding)
        if fmt in ("csv", "tsv"):
            reader = pd.read_csv(
                path,
                sep="," if fmt == "csv" else "\t",
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding=enc,
                encoding_errors="replace",
                chunksize=chunk_rows,
            )
        else:
            reader = pd.read_json(
                path,
                lines=True,
                dtype=False,
                encoding=enc,
                encoding_errors="replace",
                chunksize=chunk_rows,
            )
        for chunk in reader:
            yield chunk.astype(object)
    except (ValueError, OSError, pd.errors.ParserError, json.JSONDecodeError) as err:
        raise NewslensError(f"cannot read corpus table {path} as {fmt}: {err}") from err


def _cell(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if text.strip() else None


def _cells(values: list) -> list[str | None]:
    """``_cell`` of every value; strings (the usual case) without a call per value."""
    return [(None if not v or v.isspace() else v) if type(v) is str else _cell(v) for v in values]


def table_columns(
    chunk: pd.DataFrame,
    first_row: int,
    path: Path,
    columns: dict,
    metadata: list[str],
    seen_ids: set,
) -> tuple[dict[str, list], list[AuditRecord]]:
    """Turn one chunk of a corpus table into article columns (``RAW_COLUMNS`` but doc_index,
    then ``metadata``; one list each, in corpus order) and audit records. Rows are numbered
    from 1 as in a spreadsheet (header = row 0). A row whose id was seen before (in this or
    an earlier chunk: ``seen_ids``, updated) or whose text is empty is skipped."""
    required = [columns["text"]] + [c for k, c in columns.items() if k != "text" and c] + metadata
    missing = [c for c in required if c not in chunk.columns]
    if missing:
        raise NewslensError(
            f"corpus table {path} has no column(s) {missing} (it has: {list(chunk.columns)}). "
            "Fix corpus.columns / corpus.metadata in config/config.yaml."
        )
    n = len(chunk)

    def cells(column: str | None) -> list[str | None]:
        return _cells(chunk[column].tolist()) if column else [None] * n

    ids, texts = cells(columns.get("id")), cells(columns["text"])
    keep: list[int] = []
    audit: list[AuditRecord] = []
    for offset, (doc_id, text) in enumerate(zip(ids, texts, strict=True)):
        row_no = first_row + offset + 1
        doc_id = doc_id.strip() if doc_id else f"row{row_no}"
        ids[offset] = doc_id
        if doc_id in seen_ids:
            audit.append(
                AuditRecord(
                    doc_id,
                    f"{path}:row {row_no}",
                    "ingest",
                    "skipped_row",
                    f"duplicate id '{doc_id}' in column '{columns['id']}'; the first row with it is kept",
                )
            )
            continue
        seen_ids.add(doc_id)
        if text is None:
            audit.append(
                AuditRecord(
                    doc_id,
                    f"{path}:row {row_no}",
                    "ingest",
                    "skipped_row",
                    f"empty text in column '{columns['text']}'",
                )
            )
            continue
        if "\ufffd" in text:
            n_bad = text.count("\ufffd")
            audit.append(
                AuditRecord(
                    doc_id,
                    f"{path}:row {row_no}",
                    "ingest",
                    "replaced_bytes",
                    f"{n_bad} undecodable byte(s) replaced by U+FFFD",
                )
            )
        keep.append(offset)
    out = {
        "doc_id": [ids[i] for i in keep],
        "source": [f"{path}:row {first_row + i + 1}" for i in keep],
        "kind": ["text"] * len(keep),
        "encoding": [""] * len(keep),
        "raw": [texts[i] for i in keep],
    }
    for key in ("title", "date", "author"):
        values = cells(columns.get(key))
        out[key] = [values[i] for i in keep]
    for name in metadata:
        values = cells(name)
        out[name] = [values[i] for i in keep]
    return out, audit


def table_records(
    chunk: pd.DataFrame,
    first_row: int,
    path: Path,
    columns: dict,
    metadata: list[str],
    seen_ids: set,
) -> tuple[list[dict], list[AuditRecord]]:
    """``table_columns`` as one dict per article."""
    cols, audit = table_columns(chunk, first_row, path, columns, metadata, seen_ids)
    return [
        dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)
    ], audit


class RoundRobinShards:
    """Deal articles to shard writers round robin in corpus order (shards stay balanced while
    streaming), numbering them (``doc_index``) and writing ``batch_rows`` rows at a time."""

    def __init__(self, writers: list, columns: list[str], batch_rows: int):
        self.writers, self.columns, self.batch_rows = writers, columns, batch_rows
        self.buffers = [{c: [] for c in columns} for _ in writers]
        self.n_docs = 0

    def add(self, cols: dict[str, list]) -> None:
        """Append articles given as columns (``columns`` but doc_index, equal lengths)."""
        n, n_shards = len(cols["raw"]), len(self.writers)
        for shard in range(n_shards):
            start = (shard - self.n_docs) % n_shards  # first new row for this shard
            buffer = self.buffers[shard]
            buffer["doc_index"].extend(range(self.n_docs + start, self.n_docs + n, n_shards))
            for name, values in cols.items():
                buffer[name].extend(values[start::n_shards])
            while len(buffer["doc_index"]) >= self.batch_rows:
                self._write(shard, self.batch_rows)
        self.n_docs += n

    def _write(self, shard: int, rows: int) -> None:
        buffer = self.buffers[shard]
        self.writers[shard].write(
            pd.DataFrame({c: buffer[c][:rows] for c in self.columns}, columns=self.columns)
        )
        for values in buffer.values():
            del values[:rows]

    def flush(self) -> None:
        """Write what is left in the buffers."""
        for shard, buffer in enumerate(self.buffers):
            if buffer["doc_index"]:
                self._write(shard, len(buffer["doc_index"]))
