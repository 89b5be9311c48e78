"""Gather the per-shard sentiment tables: articles (with their metadata) and groups (corpus,
period, metadata columns) (rule sentiment_tables). The sentence and paragraph tables are
partitioned datasets the sentiment_score jobs wrote: here they get their manifests (and CSV
twins on request)."""

from pathlib import Path

import pandas as pd
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import PARAGRAPH_TABLE_SCHEMA, group_summary, period_of
from newslens.sentiment_gather import (
    RENAME,
    CsvRowsWriter,
    corpus_key,
    corpus_order,
    read_metadata,
)
from newslens.shards import iter_dataset
from newslens.shards_gather import merge_part_lists, remove_stale_csv_twin, write_csv


def main(smk):
    p = smk.params
    boot = p.bootstrap
    meta = read_metadata(smk.input.metadata, p.group_by)
    key = corpus_key(meta["doc_id"])

    # the sentence table is partitioned (newslens.shards): the sentiment_score jobs wrote its
    # parts; here its manifest (part files of earlier runs removed) and, on request, one CSV
    manifest = Path(smk.output.sentences_parquet)
    n = merge_part_lists(smk.input.sentences, manifest.parent, manifest)
    if smk.output.get("sentences_csv"):
        write_csv(manifest, smk.output.sentences_csv)
    else:
        remove_stale_csv_twin(manifest)
    log.info("%d scored sentences", n)
    manifest = Path(smk.output.paragraphs_parquet)
    n = merge_part_lists(smk.input.paragraphs, manifest.parent, manifest)
    if smk.output.get("paragraphs_csv"):  # pandas' bytes, printed by Arrow
        empty = PARAGRAPH_TABLE_SCHEMA.empty_table().to_pandas()
        with CsvRowsWriter(None, smk.output.paragraphs_csv, None, empty) as out:
            for df in iter_dataset(manifest, p.batch_rows):
                out.write(df)
    else:
        remove_stale_csv_twin(manifest)
    log.info("%d paragraphs", n)
    docs = pd.concat([read_parquet(f) for f in smk.input.documents], ignore_index=True)
    docs["doc_id"] = docs["doc_id"].astype(str)
    docs = meta.drop_duplicates("doc_id").merge(docs, on="doc_id", how="right")
    docs = corpus_order(docs, key).reset_index(drop=True)

    groups = [
        group_summary(
            docs.assign(corpus="all"),
            "corpus",
            boot["resamples"],
            boot["seed"],
            boot["confidence"],
            boot["max_units"],
        )
    ]
    if "date" in docs:
        docs[p.period] = period_of(docs["date"], p.period)
        groups.append(
            group_summary(
                docs,
                p.period,
                boot["resamples"],
                boot["seed"],
                boot["confidence"],
                boot["max_units"],
            )
        )
    for col in p.group_by:
        groups.append(
            group_summary(
                docs, col, boot["resamples"], boot["seed"], boot["confidence"], boot["max_units"]
            )
        )
    groups = (
        pd.concat([g for g in groups if len(g)], ignore_index=True)
        if any(len(g) for g in groups)
        else pd.DataFrame(columns=["group_by", "group", "n_articles"])
    )

    write_table(docs.rename(columns=RENAME).round(4), smk.output.documents)
    write_table(groups.round(4), smk.output.groups)
    log.info("%d articles, %d group rows", len(docs), len(groups))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
