"""Rule topic_dtm: the unit x term count matrix, its vocabulary and its unit index.

Streams the token shards twice (document frequencies, then counts), so memory is bounded by
the vocabulary and the final sparse matrix, never by the raw token tables.
"""

import logging
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from newslens import topics as tp
from newslens.runtime import NewslensError, atomic_path, read_parquet, run, write_table
from scipy import sparse

log = logging.getLogger("newslens")
TOKEN_COLUMNS = ["doc_id", "para_id", "sent_id", "tok_id", "term", "keep"]


def read_documents(path):
    try:
        return pd.read_csv(path, dtype={"doc_id": str}, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}") from err


def main(smk):
    p = smk.params
    documents = read_documents(smk.input.documents)
    unit = tp.choose_unit(p.unit, len(documents), p.auto_min_articles)
    paragraphs = pd.concat(
        [read_parquet(f, columns=["doc_id", "para_id"]) for f in smk.input.paragraphs],
        ignore_index=True,
    )
    units = tp.unit_index(paragraphs, documents, unit)
    log.info("unit of analysis: %s (%d articles, %d units)", unit, len(documents), len(units))

    # Pass 1 counts each shard once and spills the counts to a temporary Parquet file; pass 2
    # maps them onto the vocabulary. Memory: one shard, the term statistics and the matrix.
    stats = None
    blocks = []
    Path(smk.output.dtm).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=Path(smk.output.dtm).parent, prefix=".topic_dtm.") as tmp:
        spilled = []
        for i, f in enumerate(smk.input.tokens):
            counts = tp.unit_terms(read_parquet(f, columns=TOKEN_COLUMNS), unit, p.ngram_max)
            stats = tp.merge_term_stats(stats, counts)
            spilled.append(Path(tmp) / f"{i}.parquet")
            counts.to_parquet(spilled[-1], index=False)
        vocab = tp.select_vocabulary(stats, len(units), p.min_df, p.max_df, p.max_features)
        log.info(
            "vocabulary: %d of %d terms kept (min_df=%s, max_df=%s, max_features=%s)",
            len(vocab),
            0 if stats is None else len(stats),
            p.min_df,
            p.max_df,
            p.max_features,
        )
        for path in spilled:
            blocks.append(tp.shard_matrix(pd.read_parquet(path), units, vocab))
    # A unit lives in one shard: the shards' entries are disjoint, so concatenating them
    # (one pass, whatever the number of shards) gives the matrix in the unit order of `units`.
    coo = [b.tocoo() for b in blocks]
    x = sparse.coo_matrix(
        (
            np.concatenate([c.data for c in coo]),
            (np.concatenate([c.row for c in coo]), np.concatenate([c.col for c in coo])),
        ),
        shape=(len(units), len(vocab)),
        dtype=np.float32,
    ).tocsr()
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
            sparse.save_npz(fh, x)
    write_table(vocab, smk.output.vocabulary)
    write_table(units, smk.output.units)


run(main, snakemake)
