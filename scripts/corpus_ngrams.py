"""Term and n-gram frequencies and collocations from the shards' n-gram counts (rule
corpus_ngrams, beside corpus_tables).

The shards' counts are summed partition by partition (n-grams split by a hash of the string,
spilled to a temporary folder past newslens.corpus_tables.NGRAM_PARTITION_ROWS rows); the
sorted n-gram table is written bucket by bucket. Memory does not grow with the corpus.
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
    summed_ngrams,
    term_frequencies,
    write_sorted_ngrams,
)
from newslens.runtime import log, parquet_num_rows, remove_stale_dirs, run, write_table
from newslens.shards_gather import read_ipc, write_ipc


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
    n_docs = sum(parquet_num_rows(p) for p in smk.input.docs)
    ngram_outputs(smk, n_docs)
    log.info("n-gram tables of %d documents", n_docs)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
