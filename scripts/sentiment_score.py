"""Per shard: VADER scores and label for every sentence (rule sentiment_score). Streams the
shard in batches of sentences, so memory stays bounded whatever the shard's size. Writes the
scores for the later per-shard jobs, and the shard's parts of the partitioned table
results/tables/sentiment_sentences/ (scores and text; one part per part of the sentences
table, same name; newslens.shards)."""

from collections import Counter

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from newslens.actor_sentences import scored_doc_ids
from newslens.runtime import ParquetShardWriter, iter_parquet, log, run, write_table
from newslens.sentiment import SENTENCE_TABLE_COLUMNS, SENTENCE_TABLE_SCHEMA, SentenceScorer
from newslens.shards import PartWriter, dataset_parts, part_block

COLUMNS = ["doc_id", "para_id", "sent_id", "text"]


def main(smk):
    p = smk.params
    th = p.thresholds
    scorer = SentenceScorer(
        p.implementation, th["negative"], th["positive"], cache_size=p.cache_size
    )
    counts = Counter()
    doc_ids = set()
    empty = scorer(pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS}))
    with (
        ParquetShardWriter(smk.output.scores, empty) as writer,
        PartWriter(p.table, smk.output.sentences, SENTENCE_TABLE_SCHEMA) as parts,
    ):
        for part in dataset_parts(smk.input.sentences):
            block = part_block(part)
            for batch in iter_parquet(part, p.batch_rows, COLUMNS):
                scored = scorer(batch)
                counts.update(scored["label"].value_counts().to_dict())
                writer.write(scored)
                doc_ids.update(pc.unique(pa.array(scored["doc_id"])).to_pylist())
                text = batch["text"].fillna("").to_numpy()
                parts.write(block, scored.assign(text=text)[SENTENCE_TABLE_COLUMNS])
    write_table(scored_doc_ids([str(d) for d in doc_ids]), smk.output.docs)
    log.info("scored %d sentences of %s: %s", counts.total(), smk.input.sentences, dict(counts))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
