"""Per shard: find every actor mention in the sentence table (rule actor_mentions).

Streams the shard in batches of sentences (memory stays bounded whatever the shard's size);
each batch's mentions are sorted by doc_id, sent_id, start and written in turn. When the
shard's articles are not in doc_id order, the batches do not follow each other in that order
and the mention table is sorted once more at the end (it holds no text, so it is small)."""

from newslens.actors import compile_actors, empty_mentions, find_actor_mentions, mentions_follow
from newslens.runtime import ParquetShardWriter, iter_parquet, log, read_parquet, run, write_table

COLUMNS = ["doc_id", "para_id", "sent_id", "start", "text"]


def main(smk):
    matcher = compile_actors(smk.params.actors)
    n_sentences = n_mentions = 0
    in_order, previous = True, None
    with ParquetShardWriter(smk.output.mentions, empty_mentions()) as writer:
        for batch in iter_parquet(smk.input.sentences, smk.params.batch_rows, COLUMNS):
            mentions = find_actor_mentions(batch, matcher)
            in_order = in_order and mentions_follow(previous, mentions)
            if len(mentions):
                previous = mentions.tail(1)
            writer.write(mentions)
            n_sentences += len(batch)
            n_mentions += len(mentions)
    if not in_order:
        mentions = read_parquet(smk.output.mentions)
        mentions = mentions.sort_values(["doc_id", "sent_id", "start"], kind="stable")
        write_table(mentions, smk.output.mentions)
    log.info(
        "%d actor mentions in %d sentences of %s", n_mentions, n_sentences, smk.input.sentences
    )


run(main, snakemake)
