"""Per shard: find every actor mention in the sentence table (rule actor_mentions)."""

from newslens.actors import find_actor_mentions
from newslens.runtime import log, read_parquet, run, write_table


def main(smk):
    sentences = read_parquet(smk.input.sentences)
    mentions = find_actor_mentions(sentences, smk.params.actors)
    log.info(
        "%d actor mentions in %d sentences of %s",
        len(mentions),
        len(sentences),
        smk.input.sentences,
    )
    write_table(mentions, smk.output.mentions)


run(main, snakemake)
