"""Per shard: VADER scores and label for every sentence (rule sentiment_score). Streams the
shard in batches of sentences, so memory stays bounded whatever the shard's size."""

from collections import Counter

import pandas as pd
from newslens.runtime import ParquetShardWriter, iter_parquet, log, run
from newslens.sentiment import SentenceScorer

COLUMNS = ["doc_id", "para_id", "sent_id", "text"]


def main(smk):
    p = smk.params
    th = p.thresholds
    scorer = SentenceScorer(
        p.implementation, th["negative"], th["positive"], cache_size=p.cache_size
    )
    counts = Counter()
    empty = scorer(pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS}))
    with ParquetShardWriter(smk.output.scores, empty) as writer:
        for batch in iter_parquet(smk.input.sentences, p.batch_rows, COLUMNS):
            scored = scorer(batch)
            counts.update(scored["label"].value_counts().to_dict())
            writer.write(scored)
    log.info("scored %d sentences of %s: %s", counts.total(), smk.input.sentences, dict(counts))


run(main, snakemake)
