"""Find exact and near-duplicate articles across all shards (the first in corpus order is kept).

The first step that sees the whole cleaned corpus: when cleaning left no article at all, the run
stops here, naming how many were skipped and why, instead of in a later stage."""

import pandas as pd
from newslens.accounting import no_article_left
from newslens.corpus_tables import order_audit
from newslens.dedup import find_duplicates, read_signatures
from newslens.runtime import log, read_parquet, run, write_table


def main(smk):
    params = smk.params.dedup
    docs, signatures = read_signatures(list(smk.input.clean), params["num_perm"])
    if docs.empty:
        audit = order_audit(
            pd.concat(
                [read_parquet(smk.input.ingest_audit)]
                + [read_parquet(p) for p in smk.input.clean_audit],
                ignore_index=True,
            )
        )
        write_table(audit, smk.log.audit)
        raise no_article_left(audit, smk.log.audit)
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


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
