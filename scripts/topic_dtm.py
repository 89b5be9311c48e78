"""Rule topic_dtm: the unit x term count matrix, its vocabulary and its unit index, joined
from the shards' counts (topic_counts).

The vocabulary is chosen from the corpus document frequencies (the sum of the shards' term
tables); each shard's matrix is then cut to the vocabulary and its rows put in corpus order,
filled into the final matrix in place. Memory: the final matrix and one shard's counts.
"""

import logging

import numpy as np
import pandas as pd
from newslens import topics as tp
from newslens.runtime import atomic_path, read_parquet, run, write_table
from newslens.topics_matrix import load_npz
from scipy import sparse

log = logging.getLogger("newslens")


def main(smk):
    p = smk.params
    shard_units = [read_parquet(f) for f in smk.input.units]
    sizes = [len(u) for u in shard_units]
    units = pd.concat(shard_units, ignore_index=True)
    # corpus order: articles by doc_index; an article's paragraphs stay in their shard order
    order = np.argsort(units["doc_index"].to_numpy(), kind="stable")
    position = np.empty(len(units), dtype=np.int64)
    position[order] = np.arange(len(units))
    targets = np.split(position, np.cumsum(sizes)[:-1])
    units = units.iloc[order].drop(columns="doc_index").reset_index(drop=True)
    units["para_id"] = units["para_id"].astype("Int64")
    unit = units["unit_type"].iloc[0] if len(units) else "article"
    log.info("unit of analysis: %s (%d units)", unit, len(units))

    stats = tp.sum_term_stats([read_parquet(f) for f in smk.input.terms])
    vocab = tp.select_vocabulary(stats, len(units), p.min_df, p.max_df, p.max_features)
    log.info(
        "vocabulary: %d of %d terms kept (min_df=%s, max_df=%s, max_features=%s)",
        len(vocab),
        len(stats),
        p.min_df,
        p.max_df,
        p.max_features,
    )
    column = pd.Index(vocab["term"])
    colmaps = [  # shard term -> vocabulary column (-1: not in the vocabulary)
        column.get_indexer(read_parquet(f, columns=["term"])["term"].astype(str))
        for f in smk.input.terms
    ]

    # Pass 1: entries per unit on the vocabulary; pass 2 fills the matrix in place.
    lengths = np.zeros(len(units), dtype=np.int64)
    for f, colmap, target in zip(smk.input.counts, colmaps, targets, strict=True):
        lengths[target] = tp.kept_lengths(load_npz(f), colmap)

    def parts():
        for f, colmap, target in zip(smk.input.counts, colmaps, targets, strict=True):
            yield load_npz(f), colmap, target

    x = tp.place_rows(parts(), lengths, len(vocab))
    units["n_terms"] = np.asarray(x.sum(axis=1)).ravel().astype("int64")
    empty = int((units["n_terms"] == 0).sum())
    if empty:
        log.warning(
            "%d of %d units have no vocabulary term; they are kept with zero topic "
            "weights (dominant_topic empty)",
            empty,
            len(units),
        )

    with atomic_path(smk.output.dtm) as tmp:
        with open(tmp, "wb") as fh:
            sparse.save_npz(fh, x, compressed=False)
    write_table(vocab, smk.output.vocabulary)
    write_table(units, smk.output.units)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
