"""Find exact and near-duplicate articles across all shards (the first in corpus order is kept)."""

from newslens.dedup import find_duplicates, read_signatures
from newslens.runtime import log, run, write_table


def main(smk):
    params = smk.params.dedup
    docs, signatures = read_signatures(list(smk.input.clean), params["num_perm"])
    dropped = find_duplicates(
        docs,
        exact=params["exact"],
        near=params["near"],
        threshold=params["near_threshold"],
        num_perm=params["num_perm"],
        signatures=signatures,
    )
    write_table(dropped, smk.output.dropped)
    log.info(
        "%d articles, %d duplicates dropped (%s)",
        len(docs),
        len(dropped),
        dropped["kind"].value_counts().to_dict(),
    )


run(main, snakemake)
