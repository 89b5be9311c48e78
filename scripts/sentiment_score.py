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
)
from newslens.sentiment_gather import BLOCK, UNITS, shard_units, unit_table
from newslens.shards import PartWriter, dataset_parts, part_block
from newslens.shards_gather import OrderError

COLUMNS = ["doc_id", "para_id", "sent_id", "text"]


def with_text(scored: pa.Table, text: pd.Series) -> pa.Table:
    """The rows of results/tables/sentiment_sentences/ (SENTENCE_TABLE_COLUMNS): the scored
    rows and their text (missing text as ""), the text kept as Arrow strings (no Python
    string per row; PartWriter casts to the table's schema)."""
    text = text.fillna("")
    if text.dtype == object:  # not Arrow-backed: as pandas would convert it
        return pa.Table.from_pandas(
            scored.to_pandas().assign(text=text.to_numpy())[SENTENCE_TABLE_COLUMNS],
            preserve_index=False,
        )
    return scored.append_column("text", pa.chunked_array([pa.array(text)]))


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
                    table = pa.Table.from_pandas(scored, preserve_index=False)
                    writer.write(table)  # the bytes ParquetShardWriter writes of the frame
                    parts.write(block, with_text(table, batch["text"]))
                    yield scored.assign(**{BLOCK: block})

        try:
            for table, blocks, rows in shard_units(scored_batches(), p.batch_rows, boot, th):
                documents.write(table)
                paras.write_blocks(blocks, rows)  # each paragraph to its article's part
                units["documents"] += len(table)
                units["paragraphs"] += rows.num_rows
        except OrderError as err:
            raise NewslensError(
                f"{smk.input.sentences}: {err}; delete results/interim and rerun snakemake to "
                "rebuild it."
            ) from err
    log.info("scored %d sentences of %s: %s", counts.total(), smk.input.sentences, dict(counts))
    log.info("%(documents)d articles, %(paragraphs)d paragraphs", units)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
