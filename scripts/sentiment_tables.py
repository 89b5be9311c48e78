"""Gather the per-shard sentiment tables: sentences (with their text), paragraphs, articles
(with their metadata) and groups (corpus, period, metadata columns) (rule sentiment_tables).

Sentences and paragraphs are streamed: the shards (each in corpus order) are merged batch by
batch into corpus order, so memory stays bounded and the tables do not depend on the number
of shards. Should a shard not be in corpus order, the old way is taken: sorted in memory up
to IN_MEMORY_ROWS rows, else written shard after shard."""

import numpy as np
import pandas as pd
import pyarrow as pa
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
from newslens.sentiment_io import OrderError, TableWriter, aligned, merge_sorted

RENAME = {s: ("mean_compound" if s == "compound" else s) for s in STATS} | {
    f"compound{sfx}": f"mean_compound{sfx}" for sfx in ("_ci_low", "_ci_high")
}


SENTENCE_COLUMNS = [
    "doc_id",
    "para_id",
    "sent_id",
    "neg",
    "neu",
    "pos",
    "compound",
    "label",
    "text",
]
SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("para_id", pa.int64()), ("sent_id", pa.int64())]
    + [(c, pa.float64()) for c in ("neg", "neu", "pos", "compound")]
    + [("label", pa.string()), ("text", pa.string())]
)


# Fallback only (a shard not in corpus order): up to this many rows a gathered table is
# sorted into corpus order in memory; above, it is written shard after shard.
IN_MEMORY_ROWS = 5_000_000


def sentence_batches(score_path, text_path, batch_rows):
    """One shard's scored sentences with their text, batch by batch (the score and sentence
    files hold the same sentences in the same order)."""
    scores = iter_parquet(score_path, batch_rows)
    texts = iter_parquet(text_path, batch_rows, ["doc_id", "sent_id", "text"])
    for s, t in aligned(scores, texts):
        same = (
            s["doc_id"].to_numpy(dtype=object) == t["doc_id"].astype(str).to_numpy(dtype=object)
        ) & (s["sent_id"].to_numpy() == t["sent_id"].to_numpy())
        if not same.all():
            raise OrderError(f"{score_path} and {text_path} are not in the same order")
        s["text"] = t["text"].fillna("")
        yield s[SENTENCE_COLUMNS]


def sentence_shards(score_path, text_path):
    """One shard's scored sentences with their text, joined in memory (the fallback)."""
    scores = read_parquet(score_path)
    text = read_parquet(text_path, columns=["doc_id", "sent_id", "text"])
    text["doc_id"] = text["doc_id"].astype(str)
    df = scores.merge(text, on=["doc_id", "sent_id"], how="left")
    df["text"] = df["text"].fillna("")
    return df[SENTENCE_COLUMNS]


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

    scores, texts = list(smk.input.scores), list(smk.input.sentences)
    # each shard's stream holds a batch or two: together about batch_rows rows
    rows = max(p.batch_rows // max(len(scores), 1), 1000)
    n = n_rows(scores)
    gather(
        lambda: [sentence_batches(s, t, rows) for s, t in zip(scores, texts, strict=True)],
        lambda: (sentence_shards(s, t) for s, t in zip(scores, texts, strict=True)),
        n,
        key,
        pd.DataFrame({c: [] for c in SENTENCE_COLUMNS}),
        smk.output.sentences_parquet,
        smk.output.get("sentences_csv"),
        SCHEMA,
    )
    log.info("%d scored sentences gathered", n)

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


run(main, snakemake)
