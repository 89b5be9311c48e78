"""Gather the shards into the corpus tables in results/tables/."""

import pandas as pd
from newslens.corpus_tables import (
    collocations,
    duplicates_as_audit,
    ngram_frequencies,
    order_audit,
    term_frequencies,
)
from newslens.runtime import (
    ParquetShardWriter,
    iter_parquet,
    log,
    parquet_num_rows,
    read_parquet,
    run,
    write_table,
)

GATHER_IN_MEMORY_ROWS = 5_000_000


def gather(paths, doc_order: dict, out_parquet: str, out_csv: str | None) -> int:
    """Concatenate per-shard tables. Small corpora: sorted in corpus order (doc_index, then row
    order). Large ones (over GATHER_IN_MEMORY_ROWS rows) are streamed shard by shard, so that
    memory stays bounded; their CSV twin is then not written (read the Parquet file)."""
    n_rows = sum(parquet_num_rows(p) for p in paths)
    if n_rows <= GATHER_IN_MEMORY_ROWS:
        table = pd.concat([read_parquet(p) for p in paths], ignore_index=True)
        key = table["doc_id"].map(doc_order)
        table = table.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k")
        write_table(table, out_parquet)
        if out_csv:
            write_table(table, out_csv)
        return n_rows
    with ParquetShardWriter(out_parquet, read_parquet(paths[0]).head(0)) as writer:
        for path in paths:
            for batch in iter_parquet(path, 500_000):
                writer.write(batch)
    if out_csv:
        write_table(
            pd.DataFrame({"note": [f"{n_rows} rows: too many for CSV, read {out_parquet}"]}),
            out_csv,
        )
    return n_rows


def main(smk):
    p = smk.params
    docs = pd.concat([read_parquet(x) for x in smk.input.docs], ignore_index=True)
    docs = docs.sort_values("doc_index", kind="stable").reset_index(drop=True)
    doc_order = dict(zip(docs["doc_id"], docs["doc_index"], strict=True))
    write_table(docs.drop(columns="doc_index"), smk.output.documents_parquet)
    write_table(docs.drop(columns=["doc_index"]), smk.output.documents)

    dropped = read_parquet(smk.input.dropped)
    sources = {}
    for path in smk.input.clean:
        for batch in iter_parquet(path, 50_000, ["doc_id", "source"]):
            sources.update(zip(batch["doc_id"], batch["source"], strict=True))
    audit = pd.concat(
        [read_parquet(smk.input.ingest_audit)]
        + [read_parquet(x) for x in smk.input.clean_audit]
        + [duplicates_as_audit(dropped, sources)],
        ignore_index=True,
    )
    write_table(order_audit(audit), smk.output.audit)

    ngrams = pd.concat([read_parquet(x) for x in smk.input.ngrams], ignore_index=True)
    ngrams = ngrams.groupby(["ngram", "n"], as_index=False, sort=False)[["count", "doc_freq"]].sum()
    write_table(term_frequencies(ngrams, len(docs)), smk.output.terms)
    write_table(ngram_frequencies(ngrams, p.ngram_min_count), smk.output.ngrams)
    coll = p.collocations
    write_table(
        collocations(ngrams, coll["measure"], coll["min_freq"], coll["top_n"]),
        smk.output.collocations,
    )

    out = smk.output
    n_sent = gather(smk.input.sentences, doc_order, out.sentences, out.get("sentences_csv"))
    n_para = gather(smk.input.paragraphs, doc_order, out.paragraphs, out.get("paragraphs_csv"))
    n_tok = gather(smk.input.tokens, doc_order, out.tokens, out.get("tokens_csv"))
    log.info(
        "%d documents, %d paragraphs, %d sentences, %d tokens; %d audit rows",
        len(docs),
        n_para,
        n_sent,
        n_tok,
        len(audit),
    )


run(main, snakemake)
