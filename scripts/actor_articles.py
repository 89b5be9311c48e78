"""Per shard: sentiment toward each actor per article (rule actor_articles).

One row per (article, actor) the article names -- and per per-article target it never names,
scored by the article's tone -- with the lexicon scores of the actor's context (the
sentences naming it, a window around its mentions, the distance-weighted article, the
article) and the configured score and label (sentiment.actor_scores). With the supervised
option the masked context text of each pair is written too (rule input of
sentiment_actor_supervised)."""

import pandas as pd
from newslens.actor_sentiment import actor_contexts, actor_pairs_batched
from newslens.runtime import iter_parquet, log, run, write_table
from newslens.shards_gather import read_arrow


def main(smk):
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
