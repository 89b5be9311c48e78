"""Clean one shard: page furniture, header fields, Unicode; hashes for de-duplication."""

import pandas as pd
from newslens.clean import CLEAN_COLUMNS, CleaningRules, clean_frame
from newslens.corpus import AUDIT_COLUMNS
from newslens.dedup import Signer
from newslens.runtime import ParquetShardWriter, iter_parquet, log, run, write_table


def main(smk):
    rules = CleaningRules.from_config(smk.params.cleaning)
    dedup = smk.params.cleaning["dedup"]
    signer = Signer(dedup["num_perm"], dedup["shingle_words"])
    metadata = list(smk.params.metadata)
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in CLEAN_COLUMNS + metadata})
    empty["doc_index"] = empty["doc_index"].astype("int64")
    empty["n_words"] = empty["n_words"].astype("int64")
    audit = {c: [] for c in AUDIT_COLUMNS}  # columns: far less memory than a dict per row
    n_in = n_out = 0
    with ParquetShardWriter(smk.output.clean, empty) as writer:
        for raw in iter_parquet(smk.input.raw, batch_rows=2000):
            clean, batch_audit = clean_frame(raw, rules, signer, metadata)
            n_in, n_out = n_in + len(raw), n_out + len(clean)
            writer.write(clean)
            for name, values in audit.items():
                values.extend(row[name] for row in batch_audit)
    if audit["doc_id"]:
        write_table(pd.DataFrame(audit, columns=AUDIT_COLUMNS), smk.output.audit)
    else:
        write_table(pd.DataFrame([], columns=AUDIT_COLUMNS), smk.output.audit)
    log.info("cleaned %d articles, kept %d", n_in, n_out)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
