"""Sentiment toward each actor: the sentences that mention it (and those that mention it
alone), with counts and bootstrap CIs, plus the actor figure (rule sentiment_actors).

Streams over shards: each shard's actor-sentence rows are appended to the Parquet output and
reduced to per-article sums (all the article-level bootstrap needs); sentence rows are read
back only for actors found in fewer than bootstrap.min_articles articles."""

import pandas as pd
import pyarrow as pa
from newslens.figures import apply_style, save_figure
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import actor_sentence_table, actor_summary, actor_unit_sums
from newslens.sentiment_figures import plot_actors
from newslens.sentiment_io import gather_parquet

SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("sent_id", pa.int64()), ("actor", pa.string())]
    + [("n_mentions", pa.int64()), ("n_actors", pa.int64()), ("alone", pa.bool_())]
    + [(c, pa.float64()) for c in ("compound", "is_negative", "is_neutral", "is_positive")]
)


def main(smk):
    boot = smk.params.bootstrap
    sums = []

    def shards():
        for sp, mp in zip(smk.input.scores, smk.input.mentions, strict=True):
            scores = read_parquet(sp, columns=["doc_id", "sent_id", "compound", "label"])
            mentions = read_parquet(mp, columns=["doc_id", "sent_id", "actor"])
            t = actor_sentence_table(scores, mentions)
            if len(t):
                t = t[SCHEMA.names].astype(
                    {"n_mentions": "int64", "n_actors": "int64", "alone": bool}
                )
                sums.append(actor_unit_sums(t))
                yield t

    gather_parquet(shards(), smk.output.actor_sentences, SCHEMA, ["doc_id", "sent_id", "actor"])
    unit_sums = (
        pd.concat(sums, ignore_index=True)
        if sums
        else actor_unit_sums(actor_sentence_table(pd.DataFrame(), pd.DataFrame()))
    )
    # "alone" articles are a subset of "all" ones: an actor needing sentence-level resampling
    # in either scope has fewer than min_articles articles in scope "alone".
    n_articles = unit_sums[unit_sums.scope == "alone"].groupby("actor").size()
    few = [a for a in smk.params.actors if n_articles.get(a, 0) < boot["min_articles"]]
    actor_sentences = (
        pd.read_parquet(smk.output.actor_sentences, filters=[("actor", "in", few)] if few else None)
        if few
        else pd.DataFrame(columns=SCHEMA.names)
    )
    summary = actor_summary(
        actor_sentences,
        smk.params.actors,
        unit_sums,
        boot["resamples"],
        boot["seed"],
        boot["confidence"],
        boot["min_articles"],
        boot["max_units"],
    )
    write_table(summary.round(4), smk.output.actors)
    for row in summary[summary.scope == "all"].itertuples():
        log.info(
            "%s: %d sentences in %d articles, mean compound %.3f",
            row.actor,
            row.n_sentences,
            row.n_articles,
            row.mean_compound,
        )
    apply_style()
    save_figure(plot_actors(summary), smk.output.png, smk.output.svg)


run(main, snakemake)
