"""Gather the per-shard codebook frames into corpus tables and codebook diagnostics
(rule frames_gather). Streams: the big sentence and paragraph tables are merged batch by batch
in corpus order (doc_index, as the corpus tables), so memory does not grow with the corpus and
the tables do not depend on the number of shards; the paragraph-position sums (exact, so
independent of the shards too) read only the columns they need, one shard at a time."""

import json
import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.codebook import Codebook
from newslens.framing import PositionSums, diagnostics, merge_hit_counts
from newslens.runtime import read_parquet, run, write_table
from newslens.shards_gather import doc_keys, gather, merge_part_lists, read_arrow, write_csv

log = logging.getLogger("newslens")


def corpus_order_key(doc_paths):
    """The corpus position (doc_index) of each row, from the tokenize stage's document shards:
    the gathered tables list their rows in corpus order whatever the number of shards."""
    doc_schema = pa.schema([("doc_id", pa.large_string()), ("doc_index", pa.int64())])
    docs = pa.concat_tables(
        [read_arrow(p, ["doc_id", "doc_index"]).cast(doc_schema) for p in doc_paths]
    )
    ids = docs.column("doc_id").combine_chunks()
    index = docs.column("doc_index").to_numpy()

    def key(table):
        return doc_keys(table.column("doc_id"), ids, index)

    return key


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    batch_rows = int(smk.params.batch_rows)
    key = corpus_order_key(smk.input.docs)
    csv_out = smk.output.get("sentences_csv")
    # the sentence table is partitioned (newslens.shards): the frames_sentences jobs wrote its
    # parts; here its manifest (part files of earlier runs removed) and, on request, one CSV
    manifest = Path(smk.output.sentences_parquet)
    n_sent = merge_part_lists(smk.input.sentences, manifest.parent, manifest)
    if csv_out:
        write_csv(manifest, csv_out)
    n_paras = gather(
        smk.input.paragraphs,
        key,
        None,
        smk.output.paragraphs,
        csv_max_rows=None,
        batch_rows=batch_rows,
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


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
