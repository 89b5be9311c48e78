"""Gather the shards into the corpus tables in results/tables/.

Everything is streamed, so memory does not grow with the corpus: the shards' tables are merged
in corpus order (``doc_index``) batch by batch into one Parquet file (and its CSV twin, up to
newslens.gather.CSV_MAX_ROWS rows); the shards' n-gram counts are summed partition by partition
(n-grams split by a hash of the string, spilled to a temporary folder past
newslens.gather.NGRAM_PARTITION_ROWS rows).
"""

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from newslens.corpus_tables import (
    collocations_from_counts,
    duplicates_as_audit,
    order_audit,
    term_frequencies,
)
from newslens.gather import (
    NGRAM_SCHEMA,
    doc_keys,
    gather,
    read_arrow,
    summed_ngrams,
    write_csv_sorted,
)
from newslens.runtime import iter_parquet, log, read_parquet, run, write_table


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
    empty = NGRAM_SCHEMA.empty_table()
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
    doc_schema = pa.schema([("doc_id", pa.large_string()), ("doc_index", pa.int64())])
    docs = pa.concat_tables([read_arrow(p, doc_cols).cast(doc_schema) for p in smk.input.docs])
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
