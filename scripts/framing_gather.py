"""Gather the per-shard codebook frames into corpus tables and codebook diagnostics
(rule frames_gather). Streams over shards: one shard in memory at a time for sentences."""

import contextlib
import json
import logging

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.codebook import Codebook
from newslens.framing import PositionSums, diagnostics
from newslens.runtime import atomic_path, read_parquet, run, write_table

log = logging.getLogger("newslens")


def stream_concat(paths, parquet_out=None, csv_out=None, on_shard=None):
    """Concatenate shard tables into one Parquet and/or CSV file, one shard at a time
    (on_shard(df) sees each shard, e.g. to accumulate sums). Returns the number of rows."""
    n, columns, writer = 0, None, None
    with contextlib.ExitStack() as stack:
        ptmp = stack.enter_context(atomic_path(parquet_out)) if parquet_out else None
        ctmp = stack.enter_context(atomic_path(csv_out)) if csv_out else None
        for path in paths:
            df = read_parquet(path)
            columns = columns or list(df.columns)
            if df.empty:
                continue
            df = df[columns]
            if on_shard is not None:
                on_shard(df)
            if ptmp is not None:
                table = pa.Table.from_pandas(df, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(ptmp, table.schema)
                writer.write_table(table.cast(writer.schema))
            if ctmp is not None:
                df.to_csv(ctmp, mode="a", header=(n == 0), index=False, lineterminator="\n")
            n += len(df)
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
    csv_out = smk.output.get("sentences_csv")
    n_sent = stream_concat(smk.input.sentences, smk.output.sentences_parquet, csv_out)
    positions = PositionSums(int(smk.params.max_paragraphs))
    n_paras = stream_concat(smk.input.paragraphs, None, smk.output.paragraphs, positions)
    write_table(positions.table(), smk.output.positions)
    docs = pd.concat([read_parquet(p) for p in smk.input.documents], ignore_index=True)
    write_table(docs.sort_values("doc_id", kind="stable"), smk.output.documents)
    counts = pd.concat([read_parquet(p) for p in smk.input.counts], ignore_index=True)
    if len(counts):
        counts = counts.groupby(["frame", "indicator"], as_index=False)[
            ["n_hits", "n_negated"]
        ].sum()
    examples = pd.concat([read_parquet(p) for p in smk.input.examples], ignore_index=True)
    diag = diagnostics(counts, examples, cb, int(smk.params.top_terms), int(smk.params.n_examples))
    write_table(diag, smk.output.diagnostics)
    dead = diag[(diag["n_hits"] == 0) & ~diag["residual"]]["frame"].tolist()
    log.info("%d sentences, %d paragraphs, %d articles gathered", n_sent, n_paras, len(docs))
    if dead:
        log.warning("frames without a single indicator hit in the corpus: %s", ", ".join(dead))


run(main, snakemake)
