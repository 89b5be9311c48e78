"""Gather the per-shard codebook frames into corpus tables and codebook diagnostics
(rule frames_gather). Streams over shards: one shard in memory at a time for sentences."""

import json
import logging

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.codebook import Codebook
from newslens.framing import diagnostics
from newslens.runtime import atomic_path, read_parquet, run, write_table

log = logging.getLogger("newslens")


def stream_concat(paths, parquet_out, csv_out=None):
    """Concatenate shard tables into one Parquet (and CSV) file, one shard at a time."""
    n, columns = 0, None
    with atomic_path(parquet_out) as ptmp:
        writer = None
        csv_ctx = atomic_path(csv_out) if csv_out else None
        ctmp = csv_ctx.__enter__() if csv_ctx else None
        try:
            for path in paths:
                df = read_parquet(path)
                columns = columns or list(df.columns)
                if df.empty:
                    continue
                table = pa.Table.from_pandas(df[columns], preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(ptmp, table.schema)
                writer.write_table(table.cast(writer.schema))
                if ctmp is not None:
                    df[columns].to_csv(
                        ctmp, mode="a", header=(n == 0), index=False, lineterminator="\n"
                    )
                n += len(df)
            if writer is None:
                empty = pd.DataFrame(columns=columns or [])
                empty.to_parquet(ptmp, index=False)
                if ctmp is not None:
                    empty.to_csv(ctmp, index=False, lineterminator="\n")
            else:
                writer.close()
        finally:
            if csv_ctx:
                csv_ctx.__exit__(None, None, None)
    return n


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    csv_out = smk.output.get("sentences_csv")
    n_sent = stream_concat(smk.input.sentences, smk.output.sentences_parquet, csv_out)
    paras = pd.concat([read_parquet(p) for p in smk.input.paragraphs], ignore_index=True)
    write_table(paras.sort_values(["doc_id", "para_id"], kind="stable"), smk.output.paragraphs)
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
    log.info("%d sentences, %d paragraphs, %d articles gathered", n_sent, len(paras), len(docs))
    if dead:
        log.warning("frames without a single indicator hit in the corpus: %s", ", ".join(dead))


run(main, snakemake)
