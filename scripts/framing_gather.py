"""Gather the per-shard codebook frames into corpus tables and codebook diagnostics
(rule frames_gather). Streams: the big sentence and paragraph tables are copied batch by batch
(Arrow batches straight into the Parquet file, pandas only for the CSV twins), so memory does
not grow with the corpus; the paragraph-position sums read only the columns they need, one
shard at a time."""

import contextlib
import json
import logging

import pandas as pd
import pyarrow.parquet as pq
from newslens.codebook import Codebook
from newslens.framing import PositionSums, diagnostics, merge_hit_counts
from newslens.runtime import atomic_path, corrupt_parquet, read_parquet, run, write_table

log = logging.getLogger("newslens")


def iter_batches(path, batch_rows, columns=None):
    """Arrow record batches of a Parquet file (a corrupt file is reported by name)."""
    try:
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


def stream_concat(paths, parquet_out=None, csv_out=None, batch_rows=100_000):
    """Concatenate shard tables into one Parquet and/or CSV file, batch by batch, in the
    columns of the first shard. Returns the number of rows."""
    n, columns, writer = 0, None, None
    with contextlib.ExitStack() as stack:
        ptmp = stack.enter_context(atomic_path(parquet_out)) if parquet_out else None
        ctmp = stack.enter_context(atomic_path(csv_out)) if csv_out else None
        for path in paths:
            if columns is None:
                columns = pq.ParquetFile(path).schema_arrow.names
            for batch in iter_batches(path, batch_rows, columns):
                if batch.num_rows == 0:
                    continue
                if ptmp is not None:
                    if writer is None:
                        writer = pq.ParquetWriter(ptmp, batch.schema)
                    writer.write_batch(batch.cast(writer.schema))
                if ctmp is not None:
                    batch.to_pandas().to_csv(
                        ctmp, mode="a", header=(n == 0), index=False, lineterminator="\n"
                    )
                n += batch.num_rows
        empty = pd.DataFrame(columns=columns or [])
        if writer is not None:
            writer.close()
        elif ptmp is not None:
            empty.to_parquet(ptmp, index=False)
        if ctmp is not None and n == 0:
            empty.to_csv(ctmp, index=False, lineterminator="\n")
    return n


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    batch_rows = int(smk.params.batch_rows)
    csv_out = smk.output.get("sentences_csv")
    n_sent = stream_concat(smk.input.sentences, smk.output.sentences_parquet, csv_out, batch_rows)
    n_paras = stream_concat(
        smk.input.paragraphs, None, smk.output.paragraphs, batch_rows=batch_rows
    )
    positions = PositionSums(int(smk.params.max_paragraphs))
    for path in smk.input.paragraphs:  # one shard at a time, only the columns the sums need
        columns = [
            c
            for c in pq.ParquetFile(path).schema_arrow.names
            if c in ("doc_id", "para_id") or c.startswith("share_")
        ]
        paragraphs = read_parquet(path, columns=columns)
        if len(paragraphs):
            positions(paragraphs)
        del paragraphs
    write_table(positions.table(), smk.output.positions)
    docs = pd.concat([read_parquet(p) for p in smk.input.documents], ignore_index=True)
    write_table(docs.sort_values("doc_id", kind="stable"), smk.output.documents)
    n_docs = len(docs)
    del docs
    counts = merge_hit_counts([read_parquet(p) for p in smk.input.counts])
    examples = pd.concat([read_parquet(p) for p in smk.input.examples], ignore_index=True)
    diag = diagnostics(counts, examples, cb, int(smk.params.top_terms), int(smk.params.n_examples))
    write_table(diag, smk.output.diagnostics)
    dead = diag[(diag["n_hits"] == 0) & ~diag["residual"]]["frame"].tolist()
    log.info("%d sentences, %d paragraphs, %d articles gathered", n_sent, n_paras, n_docs)
    if dead:
        log.warning("frames without a single indicator hit in the corpus: %s", ", ".join(dead))


run(main, snakemake)
