"""Gather the per-shard sentiment tables: sentences (with their text), paragraphs, articles
(with their metadata) and groups (corpus, period, metadata columns) (rule sentiment_tables).
Streams over shards: one shard of sentences in memory at a time."""

import contextlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.runtime import NewslensError, atomic_path, log, read_parquet, run, write_table
from newslens.sentiment import STATS, group_summary, period_of

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


# Up to this many rows, a gathered table is sorted into corpus order in memory (as the
# corpus tables); above, it is streamed shard by shard (rows then follow the shards).
IN_MEMORY_ROWS = 5_000_000


def sentence_shards(score_paths, sentence_paths):
    """Yield each shard's scored sentences with their text."""
    for sp, tp in zip(score_paths, sentence_paths, strict=True):
        scores = read_parquet(sp)
        text = read_parquet(tp, columns=["doc_id", "sent_id", "text"])
        text["doc_id"] = text["doc_id"].astype(str)
        df = scores.merge(text, on=["doc_id", "sent_id"], how="left")
        df["text"] = df["text"].fillna("")
        yield df[SENTENCE_COLUMNS]


def corpus_order(df: pd.DataFrame, doc_order: dict) -> pd.DataFrame:
    """Rows sorted by the articles' corpus order (their order in documents.csv), keeping the
    row order within an article."""
    key = df["doc_id"].map(doc_order).fillna(len(doc_order))
    return df.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k")


def write_gathered(shards, n_rows, doc_order, parquet_path=None, csv_path=None, schema=None):
    """Write the shards' tables to one Parquet and/or CSV file: sorted into corpus order when
    small, streamed when large."""
    if n_rows <= IN_MEMORY_ROWS:
        shards = [corpus_order(pd.concat(list(shards), ignore_index=True), doc_order)]
    with contextlib.ExitStack() as stack:
        writer = csv_file = None
        if parquet_path:
            ptmp = stack.enter_context(atomic_path(parquet_path))
            writer = pq.ParquetWriter(ptmp, schema)
        if csv_path:
            ctmp = stack.enter_context(atomic_path(csv_path))
            csv_file = stack.enter_context(open(ctmp, "w", encoding="utf-8", newline=""))
        for i, df in enumerate(shards):
            if writer is not None:
                writer.write_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False))
            if csv_file is not None:
                df.to_csv(csv_file, index=False, header=(i == 0), lineterminator="\n")
        if writer is not None:
            writer.close()


def n_rows(paths) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in paths)


def main(smk):
    p = smk.params
    boot = p.bootstrap
    meta = pd.read_csv(smk.input.metadata, dtype=str, keep_default_na=False)
    doc_order = {d: i for i, d in enumerate(meta["doc_id"])}
    n = n_rows(smk.input.scores)
    write_gathered(
        sentence_shards(list(smk.input.scores), list(smk.input.sentences)),
        n,
        doc_order,
        smk.output.sentences_parquet,
        smk.output.get("sentences_csv"),
        SCHEMA,
    )
    log.info("%d scored sentences gathered", n)
    n_paras = n_rows(smk.input.paragraphs)
    write_gathered(
        (read_parquet(f).rename(columns=RENAME).round(4) for f in smk.input.paragraphs),
        n_paras,
        doc_order,
        csv_path=smk.output.paragraphs,
    )

    docs = pd.concat([read_parquet(f) for f in smk.input.documents], ignore_index=True)
    missing = [c for c in p.group_by if c not in meta.columns]
    if missing:
        raise NewslensError(
            f"config key sentiment.group_by: column(s) {missing} are not in "
            f"{smk.input.metadata} (columns: {list(meta.columns)}). List them under "
            "corpus.metadata or remove them from sentiment.group_by."
        )
    keep = [c for c in ["doc_id", "title", "date", *p.group_by] if c in meta.columns]
    docs["doc_id"] = docs["doc_id"].astype(str)
    docs = meta[keep].drop_duplicates("doc_id").merge(docs, on="doc_id", how="right")
    docs = corpus_order(docs, doc_order).reset_index(drop=True)

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
