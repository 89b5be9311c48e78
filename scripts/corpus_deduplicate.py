"""Find exact and near-duplicate articles across all shards (the first in corpus order is kept)."""

import pandas as pd
from newslens.dedup import find_duplicates
from newslens.runtime import iter_parquet, log, run, write_table


def main(smk):
    params = smk.params.dedup
    parts = [
        frame
        for path in smk.input.clean
        for frame in iter_parquet(path, 50_000, ["doc_id", "doc_index", "content_hash", "minhash"])
    ]
    docs = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["doc_id", "doc_index", "content_hash", "minhash"])
    )
    dropped = find_duplicates(
        docs,
        exact=params["exact"],
        near=params["near"],
        threshold=params["near_threshold"],
        num_perm=params["num_perm"],
    )
    write_table(dropped, smk.output.dropped)
    log.info(
        "%d articles, %d duplicates dropped (%s)",
        len(docs),
        len(dropped),
        dropped["kind"].value_counts().to_dict(),
    )


run(main, snakemake)
