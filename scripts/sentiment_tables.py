"""Gather the per-shard sentiment tables: paragraphs, articles (with their metadata) and groups
(corpus, period, metadata columns) (rule sentiment_tables). The sentence table is a partitioned
dataset the sentiment_score jobs wrote: here it gets its manifest (and a CSV twin on request).

Paragraphs are streamed: the shards (each in corpus order) are merged batch by
batch into corpus order, so memory stays bounded and the tables do not depend on the number
of shards. Should a shard not be in corpus order, the old way is taken: sorted in memory up
to IN_MEMORY_ROWS rows, else written shard after shard."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from newslens.runtime import (
    NewslensError,
    iter_parquet,
    log,
    parquet_num_rows,
    read_parquet,
    run,
    write_table,
)
from newslens.sentiment import STATS, group_summary, period_of
from newslens.shards_gather import (
    OrderError,
    TableWriter,
    merge_part_lists,
    merge_sorted,
    write_csv,
)

RENAME = {s: ("mean_compound" if s == "compound" else s) for s in STATS} | {
    f"compound{sfx}": f"mean_compound{sfx}" for sfx in ("_ci_low", "_ci_high")
}


# Fallback only (a shard not in corpus order): up to this many rows a gathered table is
# sorted into corpus order in memory; above, it is written shard after shard.
IN_MEMORY_ROWS = 5_000_000


def corpus_key(doc_ids: pd.Series):
    """Row keys of corpus order: the position of the row's article in ``doc_ids`` (the
    articles of documents.csv; the last position of a repeated id), unknown articles last."""
    last = ~doc_ids.duplicated(keep="last").to_numpy()
    index = pd.Index(doc_ids[last].astype(str))
    position = np.flatnonzero(last)

    def key(df: pd.DataFrame) -> np.ndarray:
        i = index.get_indexer(df["doc_id"].astype(str))
        return np.where(i >= 0, position[i], len(index)).astype(float)

    return key


def corpus_order(df: pd.DataFrame, key) -> pd.DataFrame:
    """Rows sorted by the articles' corpus order (``key``, from corpus_key), keeping the row
    order within an article."""
    return df.iloc[np.argsort(key(df), kind="stable")]


def gather(streams, shards, n_rows, key, empty, parquet=None, csv=None, schema=None):
    """Write the shards' rows in corpus order to Parquet and/or CSV.

    ``streams()`` gives one stream of batches per shard, merged into corpus order. If a
    shard is not in corpus order, ``shards()`` (each shard's whole table) is used instead:
    sorted in memory up to IN_MEMORY_ROWS rows (``n_rows``), else written shard by shard."""
    try:
        with TableWriter(parquet, csv, schema, empty) as out:
            for df in merge_sorted(streams(), key):
                out.write(df)
        return
    except OrderError as err:
        log.warning("%s: gathering the whole shards instead", err)
    with TableWriter(parquet, csv, schema, empty) as out:
        if n_rows <= IN_MEMORY_ROWS:
            out.write(corpus_order(pd.concat(list(shards()), ignore_index=True), key))
        else:
            for df in shards():
                out.write(df)


def n_rows(paths) -> int:
    return sum(parquet_num_rows(p) for p in paths)


def main(smk):
    p = smk.params
    boot = p.bootstrap
    columns = pd.read_csv(smk.input.metadata, dtype=str, nrows=0).columns
    missing = [c for c in p.group_by if c not in columns]
    if missing:
        raise NewslensError(
            f"config key sentiment.group_by: column(s) {missing} are not in "
            f"{smk.input.metadata} (columns: {list(columns)}). List them under "
            "corpus.metadata or remove them from sentiment.group_by."
        )
    keep = [c for c in ["doc_id", "title", "date", *p.group_by] if c in columns]
    meta = pd.read_csv(smk.input.metadata, dtype=str, keep_default_na=False, usecols=keep)[keep]
    key = corpus_key(meta["doc_id"])

    # the sentence table is partitioned (newslens.shards): the sentiment_score jobs wrote its
    # parts; here its manifest (part files of earlier runs removed) and, on request, one CSV
    manifest = Path(smk.output.sentences_parquet)
    n = merge_part_lists(smk.input.sentences, manifest.parent, manifest)
    if smk.output.get("sentences_csv"):
        write_csv(manifest, smk.output.sentences_csv)
    log.info("%d scored sentences", n)
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
    )

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
    log.info("%d articles, %d paragraphs, %d group rows", len(docs), n_paras, len(groups))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
