"""Rule topic_counts: one shard's unit x term count matrix over all of its terms, with its
units and its term table (document and collection frequencies), for topic_dtm to join.

The token shard is read in batches of whole articles, only the columns needed; memory is
bounded by the shard's sparse matrix and term list, never by the token table.
"""

import numpy as np
import pandas as pd
from newslens import topics_matrix as tp  # not newslens.topics: no scipy.optimize, sklearn
from newslens.runtime import (
    atomic_path,
    iter_parquet,
    iter_parquet_arrow,
    log,
    parquet_num_rows,
    read_parquet,
    run,
    write_table,
)
from scipy import sparse

BATCH_ROWS = 1_000_000  # token rows read at a time


def main(smk):
    p = smk.params
    n_articles = sum(parquet_num_rows(f) for f in smk.input.all_docs)
    unit = tp.choose_unit(p.unit, n_articles, p.auto_min_articles)
    docs = read_parquet(smk.input.docs, columns=["doc_id", "doc_index"])
    docs["doc_id"] = docs["doc_id"].astype(str)
    if unit == "paragraph":
        paragraphs = read_parquet(smk.input.paragraphs, columns=["doc_id", "para_id"])
    else:
        paragraphs = pd.DataFrame(
            {"doc_id": pd.Series(dtype=str), "para_id": pd.Series(dtype="int64")}
        )
    units = tp.unit_index(paragraphs, docs, unit)
    units["doc_index"] = units["doc_id"].map(
        dict(zip(docs["doc_id"], docs["doc_index"], strict=True))
    )

    counter = tp.ShardCounter(units, unit, p.ngram_max)
    columns = tp.token_columns(unit, p.ngram_max)
    if p.ngram_max > 1:  # n-grams: DataFrames of whole articles
        for batch in tp.whole_articles(iter_parquet(smk.input.tokens, BATCH_ROWS, columns)):
            counter.add(batch)
    else:  # unigrams: Arrow batches, any cut (an article's counts add up); doc_id and term
        # dictionary-encoded as stored, no string decoded per token
        dictionary = ["doc_id", "term"]
        for batch in iter_parquet_arrow(smk.input.tokens, BATCH_ROWS, columns, dictionary):
            counter.add(batch)
    counts = counter.matrix()
    terms = tp.shard_term_table(counts, counter.terms)
    log.info(
        "%s units: %d units, %d terms, %d unit-term pairs",
        unit,
        len(units),
        len(terms),
        counts.nnz,
    )
    with atomic_path(smk.output.counts) as tmp:
        with open(tmp, "wb") as fh:
            sparse.save_npz(fh, counts, compressed=False)
    write_table(terms, smk.output.terms)
    write_table(units.astype({"doc_index": np.int64}), smk.output.units)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
