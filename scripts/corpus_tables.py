"""The corpus tables in results/tables/ from the shards (rule corpus_tables).

The per-row tables (sentences, paragraphs, tokens) were written by the tokenize jobs as
partitioned datasets; here each gets its manifest (newslens.shards; part files of earlier runs
are removed) and, with tokenize.csv_tables, one CSV file. The documents are merged in corpus
order (``doc_index``) batch by batch, and the cleaning audit is gathered. Memory does not grow
with the corpus. The term and n-gram tables are rule corpus_ngrams (scripts/corpus_ngrams.py),
which runs beside this one.
"""

from pathlib import Path

import pyarrow as pa
from newslens.corpus_tables import duplicates_as_audit, write_ordered_audit
from newslens.runtime import iter_parquet, log, read_parquet, run
from newslens.shards_gather import (
    CSV_MAX_ROWS,
    gather,
    merge_part_lists,
    read_arrow,
    remove_stale_csv_twin,
    write_csv,
)

# Documents merged per shard batch: 4 shards of 250k articles held ~1.1 GB at the default
# batch size (docs/scale.md); the bytes do not depend on it.
DOCUMENT_BATCH_ROWS = 50_000


def main(smk):
    out = smk.output
    n_docs = sum(read_arrow(p, ["doc_index"]).num_rows for p in smk.input.docs)

    def by_doc_index(table):
        return table.column("doc_index").to_numpy()

    gather(
        smk.input.docs,
        by_doc_index,
        out.documents_parquet,
        out.documents,
        drop=("doc_index",),
        csv_max_rows=None,  # documents.csv is read by later rules: always written
        batch_rows=DOCUMENT_BATCH_ROWS,
    )

    dropped = read_parquet(smk.input.dropped)
    wanted = set(dropped["doc_id"].astype(str))
    sources = {}
    for path in smk.input.clean:
        for batch in iter_parquet(path, 50_000, ["doc_id", "source"]):
            batch = batch[batch["doc_id"].astype(str).isin(wanted)]
            sources.update(zip(batch["doc_id"], batch["source"], strict=True))
    # the audit as Arrow columns, sorted and printed batch by batch (memory: docs/scale.md)
    duplicates = duplicates_as_audit(dropped, sources)
    n_audit = write_ordered_audit(
        [read_arrow(smk.input.ingest_audit)]
        + [read_arrow(x) for x in smk.input.clean_audit]
        + ([pa.Table.from_pandas(duplicates, preserve_index=False)] if len(duplicates) else []),
        out.audit,
    )

    # the per-row tables are partitioned datasets the tokenize jobs wrote: one manifest each
    # (and part files of earlier runs removed); a CSV twin only with tokenize.csv_tables
    counts = {}
    for name in ("sentences", "paragraphs", "tokens"):
        manifest = Path(out.get(name))
        counts[name] = merge_part_lists(smk.input.get(name), manifest.parent, manifest)
        if out.get(f"{name}_csv"):
            write_csv(manifest, out.get(f"{name}_csv"), CSV_MAX_ROWS)
        else:
            remove_stale_csv_twin(manifest)
    n_sent, n_para, n_tok = counts["sentences"], counts["paragraphs"], counts["tokens"]
    log.info(
        "%d documents, %d paragraphs, %d sentences, %d tokens; %d audit rows",
        n_docs,
        n_para,
        n_sent,
        n_tok,
        n_audit,
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
