"""The per-paragraph sentiment table (rule sentiment_paragraphs, beside sentiment_tables): the
sentiment_units shards' paragraphs merged batch by batch into corpus order (the order of
documents.csv), so memory stays bounded and the table does not depend on the number of
shards."""

import pandas as pd
import pyarrow.parquet as pq
from newslens.runtime import iter_parquet, log, read_parquet, run
from newslens.sentiment_gather import RENAME, CsvRowsWriter, corpus_key, gather, n_rows


def main(smk):
    p = smk.params
    doc_ids = pd.read_csv(smk.input.metadata, dtype=str, keep_default_na=False, usecols=["doc_id"])
    key = corpus_key(doc_ids["doc_id"])
    rows = max(p.batch_rows // max(len(smk.input.paragraphs), 1), 1000)
    paragraphs = list(smk.input.paragraphs)
    n_paras = n_rows(paragraphs)

    def table(df):
        return df.rename(columns=RENAME).round(4)

    gather(
        lambda: [(table(df) for df in iter_parquet(f, rows)) for f in paragraphs],
        lambda: (table(read_parquet(f)) for f in paragraphs),
        n_paras,
        key,
        table(pq.read_schema(paragraphs[0]).empty_table().to_pandas()),
        csv=smk.output.paragraphs,
        writer=CsvRowsWriter,
    )
    log.info("%d paragraphs", n_paras)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
