"""Per shard: VADER scores and label for every sentence (rule sentiment_score)."""

from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import score_sentences


def main(smk):
    sentences = read_parquet(smk.input.sentences, columns=["doc_id", "para_id", "sent_id", "text"])
    th = smk.params.thresholds
    scored = score_sentences(sentences, smk.params.implementation, th["negative"], th["positive"])
    counts = scored["label"].value_counts().to_dict()
    log.info("scored %d sentences of %s: %s", len(scored), smk.input.sentences, counts)
    write_table(scored, smk.output.scores)


run(main, snakemake)
