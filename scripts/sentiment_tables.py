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


def gather_sentences(score_paths, sentence_paths, parquet_path, csv_path=None):
    """Write sentiment_sentences.parquet (and .csv unless ``csv_path`` is None) shard by
    shard; return the row count."""
    n = 0
    with contextlib.ExitStack() as stack:
        ptmp = stack.enter_context(atomic_path(parquet_path))
        csv_file = None
        if csv_path:
            ctmp = stack.enter_context(atomic_path(csv_path))
            csv_file = stack.enter_context(open(ctmp, "w", encoding="utf-8", newline=""))
        writer = pq.ParquetWriter(ptmp, SCHEMA)
        for i, (sp, tp) in enumerate(zip(score_paths, sentence_paths, strict=True)):
            scores = read_parquet(sp)
            text = read_parquet(tp, columns=["doc_id", "sent_id", "text"])
            text["doc_id"] = text["doc_id"].astype(str)
            df = scores.merge(text, on=["doc_id", "sent_id"], how="left")
            df["text"] = df["text"].fillna("")
            df = df[SENTENCE_COLUMNS]
            writer.write_table(pa.Table.from_pandas(df, schema=SCHEMA, preserve_index=False))
            if csv_file is not None:
                df.to_csv(csv_file, index=False, header=(i == 0), lineterminator="\n")
            n += len(df)
        writer.close()
    return n


def gather_csv(paths, out_path, transform) -> int:
    """Concatenate per-shard Parquet tables into one CSV, one shard in memory at a time."""
    n = 0
    with atomic_path(out_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        for i, path in enumerate(paths):
            df = transform(read_parquet(path))
            df.to_csv(f, index=False, header=(i == 0), lineterminator="\n")
            n += len(df)
    return n


def main(smk):
    p = smk.params
    boot = p.bootstrap
    n = gather_sentences(
        list(smk.input.scores),
        list(smk.input.sentences),
        smk.output.sentences_parquet,
        smk.output.get("sentences_csv"),
    )
    log.info("%d scored sentences gathered", n)

    docs = pd.concat([read_parquet(f) for f in smk.input.documents], ignore_index=True)
    n_paras = gather_csv(
        smk.input.paragraphs, smk.output.paragraphs, lambda d: d.rename(columns=RENAME).round(4)
    )
    meta = pd.read_csv(smk.input.metadata, dtype=str, keep_default_na=False)
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
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)

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
