"""Reading a corpus: a folder of article files or one table, in any common encoding.

Everything here streams: records come out one at a time (folders) or in chunks (tables), so a
corpus of a million articles never has to fit in memory. Whatever cannot be read is returned as
an audit record (file, row, reason) instead of being dropped silently. Input files are only
ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import json
import numbers
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from charset_normalizer import from_bytes

from newslens.input_checks import csv_problem, detected_encoding_note
from newslens.runtime import NewslensError

FOLDER_SUFFIXES = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html"}
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


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes (over 1 % of the first 8 KB, without a
    UTF-16/32 BOM) or many control bytes. A few stray NULs in text are kept (and recorded by
    the clean stage as control_characters)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(data):
        return False
    sample = data[:8192]
    if sample.count(b"\x00") > 0.01 * len(sample):
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > 0.05 * max(len(sample), 1)


# Encodings the detector chooses among for non-UTF text (the ones news sources use). Rare
# look-alikes (cp1006, cp1125, cp775, ...) fit short mixed English/Russian samples as well and
# turned Russian into Urdu; they are used only when corpus.encoding names them.
COMMON_ENCODINGS = [
    "cp1251",
    "koi8_r",
    "koi8_u",
    "mac_cyrillic",
    "cp866",
    "iso8859_5",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "cp1253",
    "iso8859_7",
    "cp1254",
    "iso8859_9",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "mac_roman",
    "tis_620",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
]
_SAMPLE_BYTES = 1 << 20


def check_encoding(encoding: str, key: str = "corpus.encoding") -> str:
    """``encoding`` if Python knows the codec (or it is 'auto'); a NewslensError naming
    ``key`` otherwise. Called from the workflow's config validation, before any job."""
    if encoding == "auto":
        return encoding
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError):
        info = None
    if info is None or not hasattr(info, "incrementaldecoder") or encoding.startswith("rot"):
        raise NewslensError(
            f"config key {key}: '{encoding}' is not a text encoding Python knows. Use 'auto' "
            "(detected per file), or a codec name such as utf-8, cp1251, koi8-r, utf-16, latin-1."
        )
    try:
        "a".encode(encoding)
    except (LookupError, TypeError) as err:  # e.g. base64, zlib: bytes-to-bytes codecs
        raise NewslensError(
            f"config key {key}: '{encoding}' is not a text encoding ({err}). Use 'auto' or "
            "a codec name such as utf-8, cp1251, koi8-r, utf-16, latin-1."
        ) from err
    return encoding


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for text that is UTF-16 without a BOM (NUL in every other byte
    of mostly ASCII text: the other bytes are then printable characters), else None."""
    sample = data[:8192]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]

    def text_like(low: bytes, high: bytes) -> bool:
        chars = [c for c, h in zip(low, high, strict=False) if h == 0]
        printable = sum(1 for c in chars if c >= 32 or c in (9, 10, 13))
        return (
            len(chars) > 0.4 * len(high)
            and low.count(0) < 0.05 * len(low)
            and printable >= 0.95 * len(chars)
        )

    if text_like(even, odd):
        return "utf-16-le"
    if text_like(odd, even):
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> str:
    """The encoding of text bytes that are not valid UTF-8 (BOMs and UTF-8 are handled by the
    callers): charset-normalizer's best guess among ``COMMON_ENCODINGS``, judged on the lines
    that hold non-ASCII bytes (in a mostly English text the few Russian words decide), then
    among all codecs. Raises UnicodeError when no encoding fits."""
    lines, size, start = [], 0, 0
    while size < _SAMPLE_BYTES and start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if not data[start:end].isascii():
            lines.append(data[start:end])
            size += end - start + 1
        start = end + 1
    sample = b"\n".join(lines)[:_SAMPLE_BYTES] or data[:_SAMPLE_BYTES]
    best = from_bytes(sample, cp_isolation=COMMON_ENCODINGS).best()
    if best is None:
        best = from_bytes(sample).best()
    if best is None:
        raise UnicodeError("no text encoding fits these bytes")
    return best.encoding


def choose_encoding(data: bytes) -> str:
    """The encoding to decode ``data`` with: a BOM's (UTF-8, UTF-16, UTF-32), UTF-8 when the
    bytes are UTF-8 (also when at most ``MAX_BAD_UTF8_SHARE`` of them are broken in a text with
    other multibyte characters), UTF-16 without BOM, else ``detect_encoding``."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = utf16_without_bom(data)  # before UTF-8: NUL bytes are valid UTF-8
    if utf16:
        return utf16
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start > len(data) - 4 and err.reason == "unexpected end of data":
            return "utf-8"  # a sample that cuts a multibyte character
    text = data.decode("utf-8", errors="replace")
    n_bad = text.count("\ufffd")
    n_non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if n_bad <= MAX_BAD_UTF8_SHARE * len(data) and n_non_ascii > n_bad:
        return "utf-8"
    return detect_encoding(data)


def decode_bytes(data: bytes, encoding: str = "auto") -> Decoded:
    """Decode article bytes to text with ``encoding`` or (``'auto'``) the one
    ``choose_encoding`` finds (e.g. cp1251 for Russian sources); a BOM is removed and bytes
    that do not decode are replaced by U+FFFD and counted. Raises UnicodeError when no
    encoding fits."""
    enc = choose_encoding(data) if encoding == "auto" else encoding
    text = data.decode(enc, errors="replace")
    if enc == "utf-8-sig" or encoding != "auto":
        text = text.lstrip("\ufeff")
    return Decoded(text, enc, text.count("\ufffd"))


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


@dataclass
class FolderListing:
    """What a corpus folder holds: the article files to read (sorted by path) and a record
    for every entry that is not read (hidden, symlink loop, not a regular file, ...)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[AuditRecord] = field(default_factory=list)


def list_folder(
    root: Path, hidden: str = "skip", symlinked_folders: str = "follow"
) -> FolderListing:
    """Every file below ``root``, recursively, in path order.

    ``hidden`` (config key corpus.hidden): 'skip' records files and folders whose name starts
    with '.' as skipped, 'read' reads them. ``symlinked_folders`` (corpus.symlinked_folders):
    'follow' reads a folder reached through a symbolic link (a link back into a folder being
    read, i.e. a loop, or to a folder read already, is recorded as skipped), 'skip' records it
    as skipped. Symbolic links to files are read; broken links and special files (sockets,
    pipes) are recorded. Files with an unsupported suffix are listed: ingest records them.
    """
    walker = _FolderWalker(Path(root), hidden, symlinked_folders)
    walker.walk(walker.root, (walker.real_root,), {walker.real_root: walker.root})
    walker.out.files.sort(key=lambda p: str(p.relative_to(walker.root)))
    return walker.out


class _FolderWalker:
    """The recursive walk of :func:`list_folder`: files found go to ``out.files``, entries not
    read to ``out.skipped`` (one audit record each, with the reason)."""

    def __init__(self, root: Path, hidden: str, symlinked_folders: str):
        self.root, self.hidden, self.symlinked_folders = root, hidden, symlinked_folders
        self.real_root = os.path.realpath(root)
        self.out = FolderListing()

    @staticmethod
    def safe(text: str) -> str:  # undecodable bytes of a file name as \xNN
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")

    def skip(self, path: Path, action: str, reason: str) -> None:
        doc_id = self.safe(str(path.relative_to(self.root)).replace("\\", "/"))
        self.out.skipped.append(AuditRecord(doc_id, self.safe(str(path)), "ingest", action, reason))

    def skip_folder(self, folder: Path, reason: str) -> None:
        """One record per file in a folder not read (or the folder's own when it has none)."""
        try:
            inside = sorted(p for p in folder.rglob("*") if p.is_file())
        except OSError:
            inside = []
        for p in inside:
            self.skip(p, "skipped_file", f"in {reason}")
        if not inside:
            self.skip(folder, "skipped_folder", f"{reason} (no files in it)")

    def walk(self, folder: Path, active: tuple[str, ...], seen: dict[str, Path]) -> None:
        """Every entry of ``folder`` in name order; ``active``: the real paths of the folders
        being read (a link to one of them is a loop); ``seen``: real path -> folder read."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as err:
            self.skip(folder, "skipped_folder", f"cannot list folder: {err.strerror}")
            return
        for entry in entries:
            self.visit(entry, active, seen)

    def visit(self, entry: os.DirEntry, active: tuple[str, ...], seen: dict[str, Path]) -> None:
        path = Path(entry.path)
        is_link = entry.is_symlink()
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
            is_file = entry.is_file(follow_symlinks=True)
        except OSError:
            is_dir = is_file = False
        try:
            entry.name.encode("utf-8")
        except UnicodeEncodeError:
            self.skip(
                path,
                "skipped_folder" if is_dir else "skipped_file",
                "name is not valid UTF-8 (Snakemake cannot track such files); rename it",
            )
            return
        if entry.name.startswith(".") and self.hidden == "skip":
            self.skip_hidden(path, entry.name, is_dir, is_link)
        elif is_dir:
            self.visit_folder(path, entry.name, is_link, active, seen)
        elif is_file:
            self.out.files.append(path)
        elif is_link and not path.exists():
            self.skip(path, "skipped_file", f"broken symbolic link (to {os.readlink(path)})")
        else:
            self.skip(path, "skipped_file", "not a regular file (socket, pipe or device)")

    def skip_hidden(self, path: Path, name: str, is_dir: bool, is_link: bool) -> None:
        if is_dir and not is_link:
            self.skip_folder(
                path,
                f"the hidden folder '{name}' (name starts with '.'); set "
                "corpus.hidden: read to read it",
            )
        else:
            self.skip(
                path,
                "skipped_folder" if is_dir else "skipped_file",
                f"hidden {'folder' if is_dir else 'file'} (name starts with '.'); "
                "set corpus.hidden: read to read it",
            )

    def visit_folder(self, path: Path, name: str, is_link: bool, active: tuple, seen: dict):
        real = os.path.realpath(path)
        if real in active:
            self.skip(path, "skipped_folder", f"symbolic link loop: leads back to {real}")
        elif is_link and self.symlinked_folders == "skip":
            if real.startswith(self.real_root + os.sep):
                self.skip(
                    path,
                    "skipped_folder",
                    f"symbolic link to {real}, a folder of the corpus (read there); "
                    "not followed (corpus.symlinked_folders: skip)",
                )
            else:
                self.skip_folder(
                    path,
                    f"'{name}', a symbolic link to the folder {real}, not "
                    "followed; set corpus.symlinked_folders: follow to read it",
                )
        elif real in seen:
            self.skip(path, "skipped_folder", f"the folder {real} is read already as {seen[real]}")
        else:
            seen[real] = path
            self.walk(path, (*active, real), seen)


def folder_doc_ids(files: list[Path], root: Path) -> dict[Path, tuple[str, str]]:
    """Every article file's id and, when it is not the plain one, why: the id is the path below
    the folder without the suffix ('tass/a1'), but when several readable files share that
    (story.txt, story.md, story.html) each keeps its suffix ('story.txt', ...)."""
    readable = [f for f in files if f.suffix.lower() in FOLDER_SUFFIXES]
    by_stem: dict[str, list[Path]] = {}
    for f in readable:
        by_stem.setdefault(doc_id_for_file(f, root), []).append(f)
    ids: dict[Path, tuple[str, str]] = {}
    taken = {stem for stem, group in by_stem.items() if len(group) == 1}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[group[0]] = (stem, "")
            continue
        names = ", ".join(f.name for f in group)
        for f in group:
            new = str(f.relative_to(root)).replace("\\", "/")
            n = 2
            while new in taken:  # e.g. 'story.txt' is also the stem of story.txt.md
                new = f"{str(f.relative_to(root))}~{n}"
                n += 1
            taken.add(new)
            ids[f] = (new, f"id '{stem}' is shared by {names}: this file's id keeps its suffix")
    return ids


def read_folder_file(
    path: Path, root: Path, encoding: str = "auto", doc_id: str | None = None
) -> tuple[dict | None, list]:
    """One article file -> (record or None, audit records). ``doc_id`` defaults to
    ``doc_id_for_file``."""
    doc_id = doc_id or doc_id_for_file(path, root)
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
        return skip("empty file" if not data else "empty file (only whitespace)")
    if looks_binary(data):
        return skip("binary file (NUL or control bytes), not text")
    try:
        decoded = decode_bytes(data, encoding)
    except (UnicodeError, LookupError) as err:
        return skip(f"cannot decode text ({err}); set corpus.encoding if you know it")
    note = detected_encoding_note(decoded.encoding, encoding)
    audit = [AuditRecord(doc_id, source, "ingest", "detected_encoding", note)] if note else []
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


TABLE_SAMPLE_BYTES = 64 << 20
"""Bytes of a text table read to choose its encoding."""


class BadRow:
    """A table row that could not be read (e.g. a JSONL line that is not a JSON object): it
    stands in the text column, and ``table_columns`` records the row as skipped with
    ``reason``."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"BadRow({self.reason!r})"


def detect_table_encoding(path: Path, encoding: str) -> str:
    """Encoding of a text table: ``encoding``, or when 'auto' the one ``choose_encoding``
    finds in its first ``TABLE_SAMPLE_BYTES`` (cut at the last line end)."""
    if encoding != "auto":
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(TABLE_SAMPLE_BYTES)
        if fh.read(1):
            head = head[: head.rfind(b"\n") + 1] or head
    if not head:
        return "utf-8"
    try:
        return choose_encoding(head)
    except UnicodeError:
        return "utf-8"  # undecodable bytes are then replaced and counted per row


def table_quoting(fmt: str, quoting: str = "auto") -> int:
    """csv quoting for a text table: TSV files are read without quoting (a text that begins with
    a quotation mark keeps it), CSV files with standard quoting; ``quoting`` (config key
    corpus.quoting: standard or none) overrides."""
    if quoting == "auto":
        quoting = "none" if fmt == "tsv" else "standard"
    return csv.QUOTE_NONE if quoting == "none" else csv.QUOTE_MINIMAL


def _csv_chunks(path: Path, fmt: str, enc: str, quoting: str, chunk_rows: int):
    sep = "," if fmt == "csv" else "\t"
    mode = table_quoting(fmt, quoting)
    with open(path, encoding=enc, errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=sep, quoting=mode), [])
    header = [h.lstrip("\ufeff") if i == 0 else h for i, h in enumerate(header)]
    if not header or header == [""]:
        raise NewslensError(
            f"corpus table {path} is empty: no header line. Point corpus.path at the corpus "
            "table (first line: the column names)."
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        raise NewslensError(
            f"corpus table {path}: the header names column(s) {doubled} more than once; "
            "rename them in the file so that each column has its own name."
        )
    # One more column than the header: a row with one field too many lands there (pandas would
    # otherwise make the first column the index, or drop the field, without a word).
    extra = "\x00extra"
    try:
        reader = pd.read_csv(
            path,
            sep=sep,
            header=None,
            skiprows=1,
            names=[*header, extra],
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=enc,
            encoding_errors="replace",
            chunksize=chunk_rows,
            quoting=mode,
        )
        for chunk in reader:
            if chunk[extra].notna().any():
                raise pd.errors.ParserError(
                    f"row {int(chunk[extra].notna().to_numpy().argmax()) + 1} has too many fields"
                )
            yield chunk.drop(columns=extra)
    except pd.errors.ParserError as err:
        where = csv_problem(path, enc, sep, mode, str(err))
        fix = (
            'Fix the quotation mark in the file (a quote inside a quoted field is written ""), '
            "or set corpus.quoting: none if quotation marks in this table are ordinary characters"
            if mode != csv.QUOTE_NONE
            else "Check the field separators of that line"
        )
        raise NewslensError(
            f"corpus table {path} ({fmt}, read as {enc}): {where or err}. {fix}."
        ) from err


def _jsonl_chunks(path: Path, enc: str, chunk_rows: int):
    """JSON Lines in chunks: one row per line (row number = line number); a line that is blank,
    not JSON or not a JSON object becomes a ``BadRow`` in every column."""
    rows: list = []
    with open(path, encoding=enc, errors="replace", newline="") as fh:
        for line_no, line in enumerate(_json_lines(fh), start=1):
            stripped = line.strip().lstrip("\ufeff")
            if not stripped:
                rows.append(BadRow(f"line {line_no} is blank"))
            else:
                try:
                    value = json.loads(stripped)
                except json.JSONDecodeError as err:
                    value = BadRow(
                        f"line {line_no} is not valid JSON ({err.msg}, column {err.colno})"
                    )
                else:
                    if not isinstance(value, dict):
                        value = BadRow(
                            f"line {line_no} is a JSON {_json_type(value)}, not an object "
                            "with named fields"
                        )
                rows.append(value)
            if len(rows) >= chunk_rows:
                yield _jsonl_frame(rows)
                rows = []
    if rows:
        yield _jsonl_frame(rows)


def _json_lines(fh):
    """Lines split at newline characters only (JSON strings may hold U+2028 and the like)."""
    rest = ""
    while block := fh.read(1 << 20):
        parts = (rest + block).split("\n")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _json_type(value) -> str:
    return {list: "array", dict: "object", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, int | float) else "null"
    )


def _jsonl_frame(rows: list) -> pd.DataFrame:
    keys = list(dict.fromkeys(k for r in rows if isinstance(r, dict) for k in r))
    data = {k: [r.get(k) if isinstance(r, dict) else r for r in rows] for k in keys or ["_bad"]}
    frame = pd.DataFrame(data, dtype=object)
    frame.attrs["bad_rows"] = [r for r in rows if isinstance(r, BadRow)]
    return frame


def iter_table_chunks(
    path: Path, fmt: str, encoding: str, chunk_rows: int, quoting: str = "auto"
) -> Iterator[pd.DataFrame]:
    """Yield the table in chunks of object columns (missing values as None). Text cells are
    strings, except in JSONL and Parquet, where they keep their type (numbers, lists, bytes,
    ...; ``table_columns`` decodes or skips them) and a Parquet chunk's ``attrs['types']``
    names each column's Arrow type."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            # streamed column chunks: memory stays bounded even for one huge row group
            parquet = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
            types = {f.name: str(f.type) for f in parquet.schema_arrow}
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                chunk = batch.to_pandas().astype(object)
                chunk.attrs["types"] = types
                yield chunk
            return
        enc = detect_table_encoding(path, encoding)
        if fmt in ("csv", "tsv"):
            chunks = _csv_chunks(path, fmt, enc, quoting, chunk_rows)
        else:
            chunks = _jsonl_chunks(path, enc, chunk_rows)
        quoted = fmt in ("csv", "tsv") and table_quoting(fmt, quoting) != csv.QUOTE_NONE
        for chunk in chunks:
            chunk = chunk.astype(object)
            chunk.attrs["encoding"] = enc
            chunk.attrs["quoted_csv"] = quoted
            yield chunk
    except (ValueError, OSError, json.JSONDecodeError) as err:
        what = "it is empty (0 bytes)" if path.stat().st_size == 0 else err
        raise NewslensError(
            f"cannot read corpus table {path} as {fmt}: {what}. Point corpus.path at the table "
            "with the articles, or export it again."
        ) from err


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | dict):  # JSON, not a Python repr
        return json.dumps(value, ensure_ascii=False, default=str) if value else None
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


def _value_kind(value, column_type: str | None) -> str:
    """How a non-string text cell is named in the audit: kind and type."""
    if isinstance(value, bool | np.bool_):
        kind = "a boolean"
    elif isinstance(value, numbers.Number):
        kind = "a number"
    elif isinstance(value, dict):
        kind = "an object (named fields)"
    elif isinstance(value, list | tuple | np.ndarray):
        kind = "a list"
    else:
        kind = "a value"
    return f"{kind} ({column_type or type(value).__name__})"


def text_cell(value, column: str, column_type: str | None, encoding: str):
    """A text column cell -> (text or None, audit action or None, reason). Strings are kept;
    bytes are decoded (UTF-8, else the detected encoding; binary data is skipped); numbers,
    booleans, lists and objects are no article text and are skipped, naming their type."""
    if isinstance(value, str) or value is None:
        return value, None, ""
    if isinstance(value, BadRow):
        return None, "skipped_row", value.reason
    if isinstance(value, bytes | bytearray):
        data = bytes(value)
        if looks_binary(data):
            return None, "skipped_row", f"column '{column}' holds binary data, not text"
        try:
            decoded = decode_bytes(data, encoding)
        except (UnicodeError, LookupError) as err:
            return (
                None,
                "skipped_row",
                f"column '{column}' holds bytes that decode as no text ({err})",
            )
        if decoded.encoding in ("utf-8", "utf-8-sig") and not decoded.n_replaced:
            return decoded.text, None, ""
        return (
            decoded.text,
            "decoded_bytes",
            f"column '{column}' holds bytes ({column_type or 'binary'}): decoded as "
            f"{decoded.encoding}, {decoded.n_replaced} undecodable byte(s) replaced",
        )
    try:
        if pd.isna(value):
            return None, None, ""
    except (TypeError, ValueError):
        pass
    return (
        None,
        "skipped_row",
        f"text in column '{column}' is {_value_kind(value, column_type)}, not text; row skipped "
        "(convert the column to strings if these values are the articles)",
    )


def _row_start_pattern(ids: list) -> re.Pattern | None:
    """For a quoted CSV with ids: a pattern for a line that starts like a row of this table
    (an id of the same shape as all ids of the chunk, digits varying, then a comma)."""
    present = [i.strip() for i in ids if i]
    if not present or not any(ch.isdigit() for ch in present[0]):
        return None
    shape = re.sub(r"\d+", lambda _: r"\d+", re.escape(present[0]))
    if not all(re.fullmatch(shape, i) for i in present):
        return None
    return re.compile(rf"\n[ \t]*({shape},[^\n]*)")


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
    _complete_columns(chunk, first_row, path, columns, metadata)
    n = len(chunk)
    text_column = columns["text"]
    column_type = chunk.attrs.get("types", {}).get(text_column)
    encoding = chunk.attrs.get("encoding", "auto")

    def cells(column: str | None) -> list[str | None]:
        if not column:
            return [None] * n
        return [None if isinstance(v, BadRow) else v for v in _cells(chunk[column].tolist())]

    ids, values = cells(columns.get("id")), chunk[text_column].tolist()
    merged = _row_start_pattern(ids) if chunk.attrs.get("quoted_csv") else None
    texts: list[str | None] = [None] * n
    keep: list[int] = []
    audit: list[AuditRecord] = []
    for offset, (doc_id, value) in enumerate(zip(ids, values, strict=True)):
        row_no = first_row + offset + 1
        source = f"{path}:row {row_no}"
        if isinstance(value, BadRow):
            audit.append(AuditRecord(f"row{row_no}", source, "ingest", "skipped_row", value.reason))
            continue
        doc_id = doc_id.strip() if doc_id else f"row{row_no}"
        ids[offset] = doc_id
        if doc_id in seen_ids:
            reason = (
                f"duplicate id '{doc_id}' in column '{columns['id']}'; the first row with it "
                "is kept"
            )
            audit.append(AuditRecord(doc_id, source, "ingest", "skipped_row", reason))
            continue
        seen_ids.add(doc_id)
        text = _cell_text(value, doc_id, source, text_column, column_type, encoding, audit)
        if text is None:
            continue
        _audit_text(text, doc_id, source, merged, audit)
        texts[offset] = text
        keep.append(offset)
    out = {
        "doc_id": [ids[i] for i in keep],
        "source": [f"{path}:row {first_row + i + 1}" for i in keep],
        "kind": ["text"] * len(keep),
        "encoding": [encoding if encoding != "auto" else ""] * len(keep),
        "raw": [texts[i] for i in keep],
    }
    for key in ("title", "date", "author"):
        values = cells(columns.get(key))
        out[key] = [values[i] for i in keep]
    for name in metadata:  # spacing folded: "RIA " and "RIA" are one group
        values = cells(name)
        out[name] = [
            " ".join(v.split()) if type(v) is str else v for v in map(values.__getitem__, keep)
        ]
    return out, audit


def _complete_columns(chunk: pd.DataFrame, first_row: int, path: Path, columns, metadata):
    """Check that the chunk has every configured column. A JSONL object may leave out a key (a
    missing value): such columns are added to ``chunk`` (in place), unless no line of the
    chunk has the text field."""
    required = [columns["text"]] + [c for k, c in columns.items() if k != "text" and c] + metadata
    bad_rows = chunk.attrs.get("bad_rows")
    if bad_rows is not None:  # JSONL: an object may leave out a key (a missing value)
        seen_keys = [c for c in chunk.columns if c != "_bad"]
        if columns["text"] not in chunk.columns and len(bad_rows) < len(chunk):
            raise NewslensError(
                f"corpus table {path}: no line in rows {first_row + 1}-{first_row + len(chunk)} "
                f"has the text field '{columns['text']}' (fields: {seen_keys}). Fix "
                "corpus.columns.text in config/config.yaml."
            )
        fill = chunk["_bad"] if "_bad" in chunk else None
        for name in required:
            if name not in chunk.columns:
                chunk[name] = fill if name == columns["text"] else None
    missing = [c for c in required if c not in chunk.columns]
    if missing:
        raise NewslensError(
            f"corpus table {path} has no column(s) {missing} (it has: {list(chunk.columns)}). "
            "Fix corpus.columns / corpus.metadata in config/config.yaml."
        )


def _cell_text(value, doc_id, source, text_column, column_type, encoding, audit) -> str | None:
    """A text cell as text, or None (empty, or not readable as text: recorded in ``audit`` as
    a skipped row); conversions of a non-string cell are recorded too."""
    if type(value) is str:
        text = None if not value or value.isspace() else value
    else:
        text, action, reason = text_cell(value, text_column, column_type, encoding)
        if action == "skipped_row":
            audit.append(AuditRecord(doc_id, source, "ingest", action, reason))
            return None
        if action:
            audit.append(AuditRecord(doc_id, source, "ingest", action, reason))
        if text is not None and not text.strip():
            text = None
    if text is None:
        reason = f"empty text in column '{text_column}'"
        audit.append(AuditRecord(doc_id, source, "ingest", "skipped_row", reason))
    return text


def _audit_text(text: str, doc_id, source, merged: re.Pattern | None, audit: list) -> None:
    """Record replaced undecodable bytes, and lines that look like rows of the table (a quote
    that may not close: ``merged`` from :func:`_row_start_pattern`)."""
    if "\ufffd" in text:
        n_bad = text.count("\ufffd")
        reason = f"{n_bad} undecodable byte(s) replaced by U+FFFD"
        audit.append(AuditRecord(doc_id, source, "ingest", "replaced_bytes", reason))
    if merged is not None and "\n" in text and merged.search(text):
        audit.append(
            AuditRecord(
                doc_id,
                source,
                "ingest",
                "suspect_merged_rows",
                "the text holds line(s) that look like rows of this table (an id, then "
                "a comma): a quotation mark in this row may not close. The text is kept as "
                "read; check the file (or set corpus.quoting: none)",
                content=merged.search(text).group(1)[:300],
            )
        )


class RoundRobinShards:
    """Deal articles to shard writers in corpus order, round robin in blocks of ``block``
    consecutive articles (block ``b``, the articles with ``doc_index // block == b``, goes to
    shard ``b % n_shards``; newslens.shards), numbering them (``doc_index``) and writing
    ``batch_rows`` rows at a time. ``block=1`` deals article by article."""

    def __init__(self, writers: list, columns: list[str], batch_rows: int, block: int = 1):
        self.writers, self.columns, self.batch_rows = writers, columns, batch_rows
        self.block = max(1, int(block))
        self.buffers = [{c: [] for c in columns} for _ in writers]
        self.n_docs = 0

    def add(self, cols: dict[str, list]) -> None:
        """Append articles given as columns (``columns`` but doc_index, equal lengths)."""
        import numpy as np

        n, n_shards = len(cols["raw"]), len(self.writers)
        index = np.arange(self.n_docs, self.n_docs + n)
        shard_of = (index // self.block) % n_shards
        for shard in range(n_shards):
            rows = np.flatnonzero(shard_of == shard)
            if not len(rows):
                continue
            buffer = self.buffers[shard]
            buffer["doc_index"].extend(index[rows].tolist())
            # the rows come in runs of consecutive positions (blocks of ``block``): copied as
            # slices, not value by value
            cut = np.flatnonzero(np.diff(rows) != 1) + 1
            starts, ends = rows[np.r_[0, cut]].tolist(), (rows[np.r_[cut - 1, -1]] + 1).tolist()
            runs = list(zip(starts, ends, strict=True))
            for name, values in cols.items():
                target = buffer[name]
                for lo, hi in runs:
                    target.extend(values[lo:hi])
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
