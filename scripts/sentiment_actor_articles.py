"""sentiment_actor_articles.csv: every (article, actor) pair of the corpus with its lexicon
scores and label (rule sentiment_actor_articles)."""

import pandas as pd
from newslens.actor_sentiment import empty_pairs
from newslens.runtime import log, read_parquet, run, write_table


def main(smk):
    parts = [read_parquet(p) for p in smk.input.pairs]
    parts = [p for p in parts if len(p)]
    pairs = pd.concat(parts, ignore_index=True) if parts else empty_pairs()
    pairs = pairs.sort_values(["doc_id", "actor"], kind="stable").reset_index(drop=True)
    write_table(pairs.round(4), smk.output.pairs)
    counts = pairs["label"].value_counts().to_dict() if len(pairs) else {}
    log.info("%d (article, actor) pairs; labels %s", len(pairs), counts)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
