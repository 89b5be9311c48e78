"""Per shard: sentiment toward each actor per article (rule actor_articles).

One row per (article, actor) the article names -- and per per-article target it never names,
scored by the article's tone -- with the lexicon scores of the actor's context (the
sentences naming it, a window around its mentions, the distance-weighted article, the
article) and the configured score and label (sentiment.actor_scores). With the supervised
option the masked context text of each pair is written too (rule input of
sentiment_actor_supervised).

Also joins the shard's actor mentions to its sentence scores for sentiment_actors: the rows of
results/tables/sentiment_actor_sentences/ (the parts holding only this shard's articles; the
parts shared with other shards go to an interim folder) and their per-article sums
(newslens.actor_sentences)."""

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from newslens.actor_sentences import (
    SCORE_COLUMNS,
    UNIT_SCHEMA,
    doc_owners,
    empty_part_list,
    own_blocks,
    repeated_articles,
    shard_tables,
    unit_table,
    write_shard,
)
from newslens.actor_sentiment import actor_contexts, actor_pairs_batched
from newslens.runtime import iter_parquet, log, run, write_table
from newslens.sentiment import ScoreLookup
from newslens.shards_gather import read_arrow


def actor_sentences(smk) -> None:
    """The shard's actor-sentence rows and per-article sums (outputs actor_sentences,
    actor_shared, actor_units)."""
    out, p = smk.output, smk.params
    shared_folder = Path(out.actor_shared).with_suffix("")
    doc_lists = [str(x) for x in smk.input.doc_lists]
    doc_index, owner = doc_owners(doc_lists)
    repeated = repeated_articles(doc_index)
    if repeated:  # sentiment_actors joins every shard itself
        log.warning("articles in two shards (%s): sentiment_actors merges the shards", repeated)
        empty_part_list(out.actor_sentences)
        empty_part_list(out.actor_shared)
        write_table(UNIT_SCHEMA.empty_table(), out.actor_units)
        return
    targets = pq.read_table(smk.input.targets, columns=["actor"]).column("actor").to_pylist()
    actor_index = pd.Index(sorted(set(p.actors) | set(targets)), dtype=object)
    lookup = ScoreLookup(iter_parquet(smk.input.scores, p.batch_rows, SCORE_COLUMNS))
    streams = shard_tables(
        lookup, smk.input.mentions, smk.input.scores, p.batch_rows, doc_index, actor_index
    )
    sums = write_shard(
        streams,
        actor_index,
        p.part_articles,
        own_blocks(owner, doc_lists.index(str(smk.input.doc_list)), p.part_articles),
        p.actor_table,
        out.actor_sentences,
        shared_folder,
        out.actor_shared,
    )
    write_table(unit_table(sums), out.actor_units)


def main(smk):
    # first the actor-sentence rows (nothing else held in memory meanwhile), then the pairs
    actor_sentences(smk)
    cfg = smk.params.scores
    th = cfg["thresholds"]
    # Arrow tables (compact strings); the scores are computed batch_articles articles at a time
    scores = read_arrow(smk.input.scores, ["doc_id", "sent_id", "compound"])
    mention_cols = ["doc_id", "sent_id", "actor", "start", "end"]
    mentions = read_arrow(smk.input.mentions, mention_cols)
    pairs = actor_pairs_batched(
        scores,
        mentions.select(["doc_id", "sent_id", "actor"]),
        read_arrow(smk.input.targets),
        int(smk.params.batch_articles),
        negative=th["negative"],
        positive=th["positive"],
        method=cfg["method"],
        window=cfg["window"],
        decay=cfg["decay"],
        prior_weight=cfg["prior_weight"],
        variants=cfg["variants"],
    )
    del scores
    write_table(pairs, smk.output.pairs)
    if smk.output.get("contexts"):
        mentions = mentions.to_pandas()
        keys = pd.MultiIndex.from_arrays(
            [mentions["doc_id"].astype(str), mentions["sent_id"].astype("int64")]
        )
        parts = []
        for batch in iter_parquet(
            smk.input.sentences, smk.params.batch_rows, ["doc_id", "sent_id", "start", "text"]
        ):
            mask = pd.MultiIndex.from_arrays(
                [batch["doc_id"].astype(str), batch["sent_id"].astype("int64")]
            ).isin(keys)
            parts.append(batch[mask])
        sentences = pd.concat(parts, ignore_index=True) if parts else None
        contexts = actor_contexts(sentences if sentences is not None else pd.DataFrame(), mentions)
        write_table(contexts, smk.output.contexts)
    log.info(
        "%d (article, actor) pairs in %s (%d never named), method %s",
        len(pairs),
        smk.input.scores,
        int((pairs["n_mentions"] == 0).sum()),
        cfg["method"],
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
