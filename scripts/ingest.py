"""Read the corpus (folder or table) and deal its articles into raw shards, in corpus order;
list every input unit (file, folder or table row) with what became of it."""

from pathlib import Path

import pandas as pd
from newslens.accounting import INPUT_COLUMNS, check_ingest_counts, no_article_left
from newslens.corpus import (
    AUDIT_COLUMNS,
    RAW_COLUMNS,
    AuditRecord,
    RoundRobinShards,
    check_encoding,
    corpus_format,
    folder_doc_ids,
    iter_table_chunks,
    list_folder,
    read_folder_file,
    table_columns,
)
from newslens.input_checks import MetadataVariants, detected_encoding_note
from newslens.runtime import (
    BackgroundWriter,
    NewslensError,
    ParquetShardWriter,
    log,
    prefetched,
    run,
    write_table,
)

BATCH_ROWS = 2000  # rows per row group of a raw shard
CHUNK_ROWS = 10_000  # rows of a corpus table read at a time (two chunks are in memory)


class Inputs:
    """The input units seen, as columns (``INPUT_COLUMNS``)."""

    def __init__(self):
        self.cols = {c: [] for c in INPUT_COLUMNS}

    def add(self, unit: str, records: list[AuditRecord]) -> None:
        for a in records:
            if a.action.startswith("skipped"):
                kind = "folder" if a.action == "skipped_folder" else unit
                self.append(a.source, kind, a.doc_id, "skipped", a.reason)

    def append(self, source, unit, doc_id, outcome, reason=""):
        for name, value in zip(INPUT_COLUMNS, (source, unit, doc_id, outcome, reason), strict=True):
            self.cols[name].append(value)

    def extend(self, sources: list, unit: str, doc_ids: list, outcome: str) -> None:
        """``append`` of every (source, doc_id) pair, with one unit and outcome, no reason."""
        n = len(sources)
        for name, values in zip(
            INPUT_COLUMNS, (sources, [unit] * n, doc_ids, [outcome] * n, [""] * n), strict=True
        ):
            self.cols[name].extend(values)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.cols, columns=INPUT_COLUMNS)


def read_folder(smk, path: Path, corpus: dict, shards, audit: list, inputs: Inputs) -> None:
    listing = list_folder(path, corpus["hidden"], corpus["symlinked_folders"])
    listed, given = {str(f) for f in listing.files}, {str(f) for f in smk.input.files}
    if listed != given:
        changed = sorted(listed ^ given)
        raise NewslensError(
            f"corpus folder {path} changed while the run started ({len(changed)} file(s) added "
            f"or removed, e.g. {changed[:3]}); run snakemake again."
        )
    audit.extend(a.as_dict() for a in listing.skipped)
    inputs.add("file", listing.skipped)
    ids = folder_doc_ids(listing.files, path)
    for file in listing.files:
        doc_id, note = ids.get(file, (None, ""))
        record, file_audit = read_folder_file(file, path, corpus["encoding"], doc_id)
        if note:
            file_audit.insert(0, AuditRecord(doc_id, str(file), "ingest", "renamed_id", note))
        audit.extend(a.as_dict() for a in file_audit)
        if record is None:
            inputs.add("file", file_audit)
        else:
            shards.add({name: [value] for name, value in record.items()})
            inputs.append(str(file), "file", record["doc_id"], "read", note)
    check_ingest_counts(
        len(listing.files) + len(listing.skipped),
        inputs.frame(),
        "files and folders",
        [str(f) for f in listing.files] + [a.source for a in listing.skipped],
    )


def read_table(path: Path, fmt: str, corpus: dict, shards, audit: list, inputs: Inputs) -> None:
    metadata = list(corpus["metadata"])
    seen_ids: set = set()
    first_row = 0
    variants = MetadataVariants(metadata)
    chunks = prefetched(
        iter_table_chunks(path, fmt, corpus["encoding"], CHUNK_ROWS, corpus["quoting"])
    )
    for chunk in chunks:
        note = detected_encoding_note(chunk.attrs.get("encoding", ""), corpus["encoding"])
        if first_row == 0 and note:
            audit.append(AuditRecord("", str(path), "ingest", "detected_encoding", note).as_dict())
        cols, chunk_audit = table_columns(
            chunk, first_row, path, corpus["columns"], metadata, seen_ids
        )
        for name in metadata:
            variants.add(name, cols[name], cols["doc_id"], cols["source"])
        first_row += len(chunk)
        audit.extend(a.as_dict() for a in chunk_audit)
        inputs.add("row", chunk_audit)
        inputs.extend(cols["source"], "row", cols["doc_id"], "read")
        shards.add(cols)
    for doc_id, source, reason, value in variants.records():
        audit.append(
            AuditRecord(
                doc_id, source, "ingest", "metadata_variants", reason, content=value
            ).as_dict()
        )
    if first_row == 0:
        raise NewslensError(
            f"corpus table {path} has no rows (a header line at most); point corpus.path at "
            "the table with the articles."
        )
    frame = inputs.frame()
    if len(frame) != first_row or frame["input"].duplicated().any():
        check_ingest_counts(
            first_row, frame, "rows", [f"{path}:row {i}" for i in range(1, first_row + 1)]
        )


def main(smk):
    corpus = smk.params.corpus
    check_encoding(corpus["encoding"])
    path = Path(corpus["path"])
    fmt = corpus_format(path, corpus["format"])
    metadata = list(corpus["metadata"])
    columns = RAW_COLUMNS + metadata
    empty = pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c == "doc_index" else object) for c in columns}
    )
    writers = [BackgroundWriter(ParquetShardWriter(p, empty)) for p in smk.output.shards]
    shards = RoundRobinShards(writers, columns, BATCH_ROWS, smk.params.part_articles)
    audit: list[dict] = []
    inputs = Inputs()
    try:
        if fmt == "folder":
            if metadata:
                raise NewslensError(
                    "config key corpus.metadata: a folder corpus has no metadata columns; "
                    "use a table corpus (CSV/TSV/JSONL/Parquet) to carry outlet, country, ..."
                )
            read_folder(smk, path, corpus, shards, audit, inputs)
        else:
            read_table(path, fmt, corpus, shards, audit, inputs)
        shards.flush()
        n_docs = shards.n_docs
        audit_frame = pd.DataFrame(audit, columns=AUDIT_COLUMNS)
        if n_docs == 0:
            write_table(audit_frame, smk.log.audit)
            raise no_article_left(audit_frame, smk.log.audit)
    except BaseException as exc:
        for writer in writers:
            writer.abort(exc)
        raise
    for writer in writers:
        writer.close()
    write_table(audit_frame, smk.output.audit)
    write_table(inputs.frame(), smk.output.inputs)
    log.info("read %d articles from %s (%s); %d audit records", n_docs, path, fmt, len(audit))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
