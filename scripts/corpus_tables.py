"""The corpus tables in results/tables/ from the shards.

The per-row tables (sentences, paragraphs, tokens) were written by the tokenize jobs as
partitioned datasets; here each gets its manifest (newslens.shards; part files of earlier runs
are removed) and, with tokenize.csv_tables, one CSV file. The documents are merged in corpus
order (``doc_index``) batch by batch; the shards' n-gram counts are summed partition by
partition (n-grams split by a hash of the string, spilled to a temporary folder past
newslens.corpus_tables.NGRAM_PARTITION_ROWS rows). Memory does not grow with the corpus.
"""

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from newslens.corpus_tables import (
    NGRAM_SCHEMA,
    collocation_candidates,
    collocations_from_counts,
    duplicates_as_audit,
    order_audit,
    summed_ngrams,
    term_frequencies,
    write_sorted_ngrams,
)
from newslens.runtime import iter_parquet, log, read_parquet, remove_stale_dirs, run, write_table
from newslens.shards_gather import (
    CSV_MAX_ROWS,
    gather,
    merge_part_lists,
    read_arrow,
    read_ipc,
    write_csv,
    write_ipc,
)


def ngram_outputs(smk, n_docs: int) -> None:
    """term_frequencies, ngram_frequencies and collocations from the summed n-gram counts.

    Partition by partition, the unigrams are kept and the n-grams spilled; the sorted n-gram
    table is then written bucket by bucket, and the collocations scored from each spill's
    candidates: memory is bounded by a partition, not by the number of distinct n-grams."""
    p = smk.params
    coll = p.collocations
    min_count = min(p.ngram_min_count, coll["min_freq"])
    out_dir = Path(smk.output.ngrams).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_dirs(out_dir, ".corpus_tables.")  # a killed run's scratch folder
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".corpus_tables.") as tmp:
        unigrams, spills = [], []
        for i, part in enumerate(summed_ngrams(smk.input.ngrams, Path(tmp))):
            if part is None:
                continue
            n, count = part.column("n"), part.column("count")
            unigrams.append(part.filter(pc.equal(n, 1)))
            grams = part.filter(pc.and_(pc.greater_equal(n, 2), pc.greater_equal(count, min_count)))
            spills.append(write_ipc(grams, Path(tmp) / f"grams-{i}.arrow"))
        uni = pa.concat_tables(unigrams or [NGRAM_SCHEMA.empty_table()]).to_pandas()
        write_table(term_frequencies(uni, n_docs), smk.output.terms)
        write_sorted_ngrams(spills, p.ngram_min_count, smk.output.ngrams)
        candidates = [
            pd.DataFrame({"ngram": pd.Series(dtype=str), "count": pd.Series(dtype="int64")})
        ]
        for spill in spills:
            t = read_ipc(spill)
            bigrams = t.filter(pc.equal(t.column("n"), 2)).select(["ngram", "count"]).to_pandas()
            candidates.append(
                collocation_candidates(
                    uni, bigrams, coll["measure"], coll["min_freq"], coll["top_n"]
                )
            )
    bi = pd.concat(candidates, ignore_index=True)
    write_table(
        collocations_from_counts(uni, bi, coll["measure"], coll["min_freq"], coll["top_n"]),
        smk.output.collocations,
    )


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

    # the per-row tables are partitioned datasets the tokenize jobs wrote: one manifest each
    # (and part files of earlier runs removed); a CSV twin only with tokenize.csv_tables
    counts = {}
    for name in ("sentences", "paragraphs", "tokens"):
        manifest = Path(out.get(name))
        counts[name] = merge_part_lists(smk.input.get(name), manifest.parent, manifest)
        if out.get(f"{name}_csv"):
            write_csv(manifest, out.get(f"{name}_csv"), CSV_MAX_ROWS)
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
