"""Read the corpus (folder or table) and deal its articles into raw shards, in corpus order."""

from pathlib import Path

import pandas as pd
from newslens.corpus import (
    AUDIT_COLUMNS,
    RAW_COLUMNS,
    RoundRobinShards,
    corpus_format,
    iter_table_chunks,
    read_folder_file,
    table_columns,
)
from newslens.runtime import NewslensError, ParquetShardWriter, log, run, write_table

BATCH_ROWS = 2000  # rows per row group of a raw shard
CHUNK_ROWS = 10_000  # rows of a corpus table read at a time (two chunks are in memory)


def main(smk):
    corpus = smk.params.corpus
    path = Path(corpus["path"])
    fmt = corpus_format(path, corpus["format"])
    metadata = list(corpus["metadata"])
    columns = RAW_COLUMNS + metadata
    empty = pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c == "doc_index" else object) for c in columns}
    )
    writers = [ParquetShardWriter(p, empty) for p in smk.output.shards]
    shards = RoundRobinShards(writers, columns, BATCH_ROWS)
    audit: list[dict] = []
    try:
        if fmt == "folder":
            if metadata:
                raise NewslensError(
                    "config key corpus.metadata: a folder corpus has no metadata columns; "
                    "use a table corpus (CSV/TSV/JSONL/Parquet) to carry outlet, country, ..."
                )
            for file in sorted(Path(f) for f in smk.input.files):
                record, file_audit = read_folder_file(file, path, corpus["encoding"])
                audit.extend(a.as_dict() for a in file_audit)
                if record is not None:
                    shards.add({name: [value] for name, value in record.items()})
        else:
            seen_ids: set = set()
            first_row = 0
            for chunk in iter_table_chunks(path, fmt, corpus["encoding"], CHUNK_ROWS):
                cols, chunk_audit = table_columns(
                    chunk, first_row, path, corpus["columns"], metadata, seen_ids
                )
                first_row += len(chunk)
                audit.extend(a.as_dict() for a in chunk_audit)
                shards.add(cols)
        shards.flush()
    except BaseException as exc:
        for writer in writers:
            writer.abort(exc)
        raise
    for writer in writers:
        writer.close()
    n_docs = shards.n_docs
    write_table(pd.DataFrame(audit, columns=AUDIT_COLUMNS), smk.output.audit)
    log.info("read %d articles from %s (%s); %d audit records", n_docs, path, fmt, len(audit))
    if n_docs == 0:
        raise NewslensError(
            f"corpus {path}: no article could be read; see {smk.output.audit} for why each "
            "file or row was skipped."
        )


run(main, snakemake)
