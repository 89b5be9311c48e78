"""input_accounting.csv: what became of every input file and table row, with a check that
the counts add up (files or rows seen = kept + skipped + dropped as duplicates)."""

import pandas as pd
from newslens.accounting import OUTCOMES, account, write_accounting
from newslens.runtime import iter_parquet, log, read_parquet, run


def main(smk):
    inputs = read_parquet(smk.input.inputs)
    clean_ids = pd.concat(
        [b["doc_id"] for p in smk.input.clean for b in iter_parquet(p, 50_000, ["doc_id"])]
        or [pd.Series([], dtype=object)],
        ignore_index=True,
    )
    skipped = pd.concat(
        [read_parquet(p, ["doc_id", "action", "reason"]) for p in smk.input.clean_audit],
        ignore_index=True,
    )
    skipped = skipped[skipped["action"] == "skipped_article"]
    dropped = read_parquet(smk.input.dropped, ["doc_id", "kept_doc_id"])
    table = account(inputs, clean_ids, skipped, dropped)
    write_accounting(table, smk.output.accounting)
    counts = table["outcome"].value_counts()
    log.info(
        "%d inputs: %s",
        len(table),
        ", ".join(f"{int(counts.get(o, 0))} {o}" for o in OUTCOMES),
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
