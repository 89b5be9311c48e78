"""Per shard: VADER scores and label for every sentence, and the article and paragraph
aggregates with their bootstrap CIs (rule sentiment_score). Streams the shard in batches of
sentences, so memory stays bounded whatever the shard's size. Writes the scores for the later
per-shard jobs, the shard's parts of the partitioned table results/tables/sentiment_sentences/
(scores and text; one part per part of the sentences table, same name; newslens.shards), and
the shard's articles and paragraphs (mean compound and label shares, with percentile bootstrap
CIs over their sentences) from the scores in memory, with no second job rereading them.

The aggregates are computed in batches of whole articles (an article's interval depends on its
own sentences only, so batching does not change it); rows are written in the shard's article
order, as the sentences are (an article's paragraphs by para_id)."""

from collections import Counter

import pandas as pd
import pyarrow as pa
from newslens.runtime import NewslensError, ParquetShardWriter, iter_parquet, log, run
from newslens.sentiment import (
    PARAGRAPH_TABLE_SCHEMA,
    SENTENCE_COLUMNS,
    SENTENCE_TABLE_COLUMNS,
    SENTENCE_TABLE_SCHEMA,
    SentenceScorer,
    document_label,
    shard_order,
    within_unit_ci,
)
from newslens.sentiment_gather import RENAME
from newslens.shards import PartWriter, dataset_parts, part_block
from newslens.shards_gather import OrderError, whole_groups

COLUMNS = ["doc_id", "para_id", "sent_id", "text"]
UNITS = {"documents": ["doc_id"], "paragraphs": ["doc_id", "para_id"]}
BLOCK = "_block"  # the part (block) of a scored sentence, beside its scores


def paragraph_rows(table: pd.DataFrame) -> pa.Table:
    """Rows of results/tables/sentiment_paragraphs/: the columns renamed and rounded as the
    table has them (PARAGRAPH_TABLE_SCHEMA)."""
    out = table.rename(columns=RENAME).round(4)
    return pa.Table.from_pandas(out, schema=PARAGRAPH_TABLE_SCHEMA, preserve_index=False)


def unit_table(scored, keys, boot, th):
    table = within_unit_ci(scored, keys, boot["resamples"], boot["seed"], boot["confidence"])
    table["label"] = document_label(table["compound"], th["negative"], th["positive"])
    return shard_order(table, scored["doc_id"])


def recut(frames, rows: int):
    """The rows of a stream of DataFrames in DataFrames of ``rows`` rows (the last one
    shorter), as a Parquet file of those rows is read in batches of ``rows``."""
    held, n = [], 0
    for df in frames:
        while len(df):
            take = min(rows - n, len(df))
            held.append(df.iloc[:take])
            n, df = n + take, df.iloc[take:]
            if n == rows:
                yield pd.concat(held, ignore_index=True)
                held, n = [], 0
    if n:
        yield pd.concat(held, ignore_index=True)


def main(smk):
    p = smk.params
    th, boot = p.thresholds, p.bootstrap
    scorer = SentenceScorer(
        p.implementation, th["negative"], th["positive"], cache_size=p.cache_size
    )
    counts, units = Counter(), dict.fromkeys(UNITS, 0)
    empty = scorer(pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS}))
    no_rows = pd.DataFrame({c: [] for c in SENTENCE_COLUMNS})
    with (
        ParquetShardWriter(smk.output.scores, empty) as writer,
        PartWriter(p.table, smk.output.sentences, SENTENCE_TABLE_SCHEMA) as parts,
        ParquetShardWriter(
            smk.output.documents, unit_table(no_rows, UNITS["documents"], boot, th)
        ) as documents,
        PartWriter(p.paragraph_table, smk.output.paragraphs, PARAGRAPH_TABLE_SCHEMA) as paras,
    ):

        def scored_batches():
            for part in dataset_parts(smk.input.sentences):
                block = part_block(part)
                for batch in iter_parquet(part, p.batch_rows, COLUMNS):
                    scored = scorer(batch)
                    counts.update(scored["label"].value_counts().to_dict())
                    writer.write(scored)
                    text = batch["text"].fillna("").to_numpy()
                    parts.write(block, scored.assign(text=text)[SENTENCE_TABLE_COLUMNS])
                    yield scored.assign(**{BLOCK: block})

        # the units in the batches a job reading the scores file back would get (its rows cut
        # every batch_rows, then whole articles): the same bootstrap products, the same bits
        try:
            for whole in whole_groups(recut(scored_batches(), p.batch_rows)):
                table = unit_table(whole, UNITS["documents"], boot, th)
                documents.write(table)
                units["documents"] += len(table)
                table = unit_table(whole, UNITS["paragraphs"], boot, th)
                # each paragraph to the part of its article's sentences
                block = whole.drop_duplicates("doc_id").set_index("doc_id")[BLOCK]
                paras.write_blocks(table["doc_id"].map(block).to_numpy(), paragraph_rows(table))
                units["paragraphs"] += len(table)
        except OrderError as err:
            raise NewslensError(
                f"{smk.input.sentences}: {err}; delete results/interim and rerun snakemake to "
                "rebuild it."
            ) from err
    log.info("scored %d sentences of %s: %s", counts.total(), smk.input.sentences, dict(counts))
    log.info("%(documents)d articles, %(paragraphs)d paragraphs", units)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
