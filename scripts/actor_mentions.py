"""Per shard: find every actor mention in the sentence table (rule actor_mentions).

Actors are the global ``actors`` config plus, when configured, each article's own targets
(the ``corpus.columns.target`` column of the shard's documents and/or the rows of
``actor_targets.file`` for the shard's articles), matched in that article only.

Streams the shard in batches of sentences (memory stays bounded whatever the shard's size);
each batch's mentions are sorted by doc_id, sent_id, start and written in turn. When the
shard's articles are not in doc_id order, the batches do not follow each other in that order
and the mention table is sorted once more at the end (it holds no text, so it is small).
Also writes the shard's targets: doc_id, actor, aliases, n_mentions (one row per article
and target; empty without targets)."""

import pandas as pd
from newslens.actors import (
    DocTargets,
    arrow_mentions,
    compile_actors,
    empty_mentions,
    find_actor_mentions,
    mentions_follow,
    shard_targets,
)
from newslens.runtime import (
    ParquetShardWriter,
    iter_parquet_arrow,
    log,
    read_parquet,
    run,
    write_table,
)

COLUMNS = ["doc_id", "para_id", "sent_id", "start", "text"]


def main(smk):
    matcher = compile_actors(smk.params.actors)
    targets = shard_targets(
        smk.input.docs,
        smk.input.get("targets"),
        smk.params.target_column,
        dict(smk.params.targets),
        dict(smk.params.cleaning),
    )
    doc_targets = DocTargets(targets, "per-article targets") if len(targets) else None
    n_sentences = n_mentions = 0
    in_order, previous = True, None
    counts = []
    fast = doc_targets is None and matcher is not None
    with ParquetShardWriter(smk.output.mentions, empty_mentions()) as writer:
        for batch in iter_parquet_arrow(smk.input.sentences, smk.params.batch_rows, COLUMNS):
            # the global actors alone: found on the Arrow batch (newslens.actors.arrow_mentions)
            mentions = arrow_mentions(batch, matcher) if fast else None
            if mentions is None:
                mentions = find_actor_mentions(batch.to_pandas(), matcher, doc_targets)
            in_order = in_order and mentions_follow(previous, mentions)
            if len(mentions):
                previous = mentions[-1:]
                if doc_targets is not None:
                    counts.append(mentions.groupby(["doc_id", "actor"]).size())
            writer.write(mentions)
            n_sentences += len(batch)
            n_mentions += len(mentions)
    if not in_order:
        mentions = read_parquet(smk.output.mentions)
        mentions = mentions.sort_values(["doc_id", "sent_id", "start"], kind="stable")
        write_table(mentions, smk.output.mentions)
    per_target = targets.groupby(["doc_id", "actor"], sort=True)["alias"].agg("; ".join)
    per_target = per_target.rename("aliases").reset_index()
    if counts:
        n = pd.concat(counts).groupby(level=[0, 1]).sum().rename("n_mentions").reset_index()
        per_target = per_target.merge(n, on=["doc_id", "actor"], how="left")
    else:
        per_target["n_mentions"] = 0
    per_target["n_mentions"] = per_target["n_mentions"].fillna(0).astype("int64")
    write_table(per_target, smk.output.targets)
    log.info(
        "%d actor mentions in %d sentences of %s (%d per-article targets, %d never named)",
        n_mentions,
        n_sentences,
        smk.input.sentences,
        len(per_target),
        int((per_target["n_mentions"] == 0).sum()),
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
