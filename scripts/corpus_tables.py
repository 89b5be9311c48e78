"""Gather the shards into the corpus tables in results/tables/.

Everything is streamed, so memory does not grow with the corpus: the shards' tables are merged
in corpus order (``doc_index``) batch by batch into one Parquet file (and its CSV twin, up to
CSV_MAX_ROWS rows); the shards' n-gram counts are summed partition by partition (n-grams
split by a hash of the string, spilled to a temporary folder when they exceed
NGRAM_PARTITION_ROWS rows).
"""

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from newslens.corpus_tables import (
    NGRAM_COLUMNS,
    check_sorted,
    collocations_from_counts,
    csv_frame,
    doc_keys,
    duplicates_as_audit,
    merge_by_key,
    ngram_partition,
    order_audit,
    sum_ngrams,
    term_frequencies,
    unified_schema,
)
from newslens.runtime import (
    atomic_path,
    corrupt_parquet,
    iter_arrow,
    iter_parquet,
    log,
    parquet_num_rows,
    read_parquet,
    run,
    write_table,
)

# A gathered table with more rows gets no CSV twin (a note instead: read the Parquet file).
CSV_MAX_ROWS = 5_000_000
# Rows per batch read from a shard (tokens have ~10 columns: ~100 MB per batch).
BATCH_ROWS = 1_000_000
# Summing n-gram counts holds one partition of this many input rows in memory at a time.
NGRAM_PARTITION_ROWS = 8_000_000


def parquet_file(path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


def keyed(path, schema: pa.Schema, key):
    """(table, corpus-order key) batches of one shard, cast to the gathered schema."""
    last = -1
    for table in iter_arrow(path, BATCH_ROWS):
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
            col = pq.read_table(path, columns=[field.name]).column(0)
            if col.null_count:
                out.append(field.name)
                break
    return out


def gather(paths, key, out_parquet, out_csv=None, drop=(), csv_max_rows=CSV_MAX_ROWS) -> int:
    """Merge the shards' tables in corpus order into ``out_parquet`` (and ``out_csv`` when it
    has at most ``csv_max_rows`` rows, None for no limit; otherwise a one-line note).
    ``key(table)`` gives each row's corpus position; ``drop`` names columns left out of the
    outputs. Returns the row count."""
    full = unified_schema([parquet_file(p).schema_arrow for p in paths])
    schema = pa.schema([f for f in full if f.name not in drop])
    n_rows = sum(parquet_num_rows(p) for p in paths)
    with_csv = bool(out_csv) and (csv_max_rows is None or n_rows <= csv_max_rows)
    floats = int_columns_with_nulls(paths, schema) if with_csv else []
    with atomic_path(out_parquet) as tmp_pq:
        writer = pq.ParquetWriter(tmp_pq, schema)
        csv_ctx = atomic_path(out_csv) if with_csv else None
        tmp_csv = csv_ctx.__enter__() if csv_ctx else None
        try:
            fh = open(tmp_csv, "w", encoding="utf-8", newline="") if tmp_csv else None
            header = True
            for table in merge_by_key([keyed(p, full, key) for p in paths]):
                table = table.select(schema.names)
                writer.write_table(table)
                if fh:
                    csv_frame(table, floats).to_csv(
                        fh, header=header, index=False, lineterminator="\n"
                    )
                    header = False
            if fh:
                if header:
                    csv_frame(schema.empty_table()).to_csv(fh, index=False, lineterminator="\n")
                fh.close()
        except BaseException as exc:
            if csv_ctx:
                csv_ctx.__exit__(type(exc), exc, None)
            raise
        finally:
            writer.close()
        if csv_ctx:
            csv_ctx.__exit__(None, None, None)
    if out_csv and not with_csv:
        write_table(
            pd.DataFrame({"note": [f"{n_rows} rows: too many for CSV, read {out_parquet}"]}),
            out_csv,
        )
    return n_rows


def summed_ngrams(paths, tmpdir: Path):
    """The shards' n-gram counts summed over the corpus, one partition (an Arrow table of
    ngram, n, count, doc_freq) at a time."""
    total = sum(parquet_num_rows(p) for p in paths)
    n_parts = max(1, math.ceil(total / NGRAM_PARTITION_ROWS))
    if n_parts == 1:
        tables = [t.select(NGRAM_COLUMNS) for p in paths for t in iter_arrow(p, BATCH_ROWS)]
        yield sum_ngrams(pa.concat_tables(tables)) if tables else None
        return
    files = [tmpdir / f"ngrams-{i}.arrow" for i in range(n_parts)]
    writers = []
    try:
        for p in paths:
            for table in iter_arrow(p, BATCH_ROWS, NGRAM_COLUMNS):
                table = table.select(NGRAM_COLUMNS)
                if not writers:
                    writers = [pa.ipc.new_file(f, table.schema) for f in files]
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


def write_csv_sorted(table: pa.Table, sort_keys, path) -> None:
    """Write an Arrow table sorted by ``sort_keys`` as CSV, in batches."""
    if table.num_rows:
        table = table.take(pc.sort_indices(table, sort_keys=sort_keys))
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        if not table.num_rows:
            table.to_pandas().to_csv(fh, index=False, lineterminator="\n")
        for start in range(0, table.num_rows, BATCH_ROWS):
            part = table.slice(start, BATCH_ROWS).to_pandas()
            part.to_csv(fh, header=start == 0, index=False, lineterminator="\n")


def ngram_outputs(smk, n_docs: int) -> None:
    """term_frequencies, ngram_frequencies and collocations from the summed n-gram counts."""
    p = smk.params
    coll = p.collocations
    unigrams, grams, bigrams = [], [], []
    out_dir = Path(smk.output.ngrams).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".corpus_tables.") as tmp:
        for part in summed_ngrams(smk.input.ngrams, Path(tmp)):
            if part is None:
                continue
            n, count = part.column("n"), part.column("count")
            unigrams.append(part.filter(pc.equal(n, 1)))
            grams.append(
                part.filter(
                    pc.and_(pc.greater_equal(n, 2), pc.greater_equal(count, p.ngram_min_count))
                )
            )
            bigrams.append(
                part.filter(
                    pc.and_(pc.equal(n, 2), pc.greater_equal(count, coll["min_freq"]))
                ).select(["ngram", "count"])
            )
    empty = pa.schema(
        [
            ("ngram", pa.large_string()),
            ("n", pa.int64()),
            ("count", pa.int64()),
            ("doc_freq", pa.int64()),
        ]
    ).empty_table()
    uni = pa.concat_tables(unigrams or [empty]).to_pandas()
    write_table(term_frequencies(uni, n_docs), smk.output.terms)
    write_csv_sorted(
        pa.concat_tables(grams or [empty]),
        [("n", "ascending"), ("count", "descending"), ("ngram", "ascending")],
        smk.output.ngrams,
    )
    del grams
    bi = pa.concat_tables(bigrams or [empty.select(["ngram", "count"])]).to_pandas()
    write_table(
        collocations_from_counts(uni, bi, coll["measure"], coll["min_freq"], coll["top_n"]),
        smk.output.collocations,
    )


def main(smk):
    out = smk.output
    doc_cols = ["doc_id", "doc_index"]
    docs = pa.concat_tables([pq.read_table(p, columns=doc_cols) for p in smk.input.docs])
    ids = docs.column("doc_id").combine_chunks()
    index = docs.column("doc_index").to_numpy()
    n_docs = docs.num_rows
    del docs

    def by_doc_index(table):
        return table.column("doc_index").to_numpy()

    def by_doc_id(table):
        return doc_keys(table.column("doc_id"), ids, index)

    gather(
        smk.input.docs,
        by_doc_index,
        out.documents_parquet,
        out.documents,
        drop=("doc_index",),
        csv_max_rows=None,  # documents.csv is read by later rules: always written
    )

    dropped = read_parquet(smk.input.dropped)
    wanted = set(dropped["doc_id"].astype(str))
    sources = {}
    for path in smk.input.clean:
        for batch in iter_parquet(path, 50_000, ["doc_id", "source"]):
            batch = batch[batch["doc_id"].astype(str).isin(wanted)]
            sources.update(zip(batch["doc_id"], batch["source"], strict=True))
    audit = pd.concat(
        [read_parquet(smk.input.ingest_audit)]
        + [read_parquet(x) for x in smk.input.clean_audit]
        + [duplicates_as_audit(dropped, sources)],
        ignore_index=True,
    )
    write_table(order_audit(audit), out.audit)
    n_audit = len(audit)
    del audit

    ngram_outputs(smk, n_docs)

    n_sent = gather(smk.input.sentences, by_doc_id, out.sentences, out.get("sentences_csv"))
    n_para = gather(smk.input.paragraphs, by_doc_id, out.paragraphs, out.get("paragraphs_csv"))
    n_tok = gather(smk.input.tokens, by_doc_id, out.tokens, out.get("tokens_csv"))
    log.info(
        "%d documents, %d paragraphs, %d sentences, %d tokens; %d audit rows",
        n_docs,
        n_para,
        n_sent,
        n_tok,
        n_audit,
    )


run(main, snakemake)
