"""Sentiment toward each actor: the sentences that mention it (and those that mention it
alone), with counts and bootstrap CIs, plus the actor figure (rule sentiment_actors)."""

import pandas as pd
from newslens.figures import apply_style, save_figure
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import actor_sentence_table, actor_summary, actor_unit_sums
from newslens.sentiment_figures import plot_actors


def main(smk):
    boot = smk.params.bootstrap
    parts = []
    for sp, mp in zip(smk.input.scores, smk.input.mentions, strict=True):
        scores = read_parquet(sp, columns=["doc_id", "sent_id", "compound", "label"])
        mentions = read_parquet(mp, columns=["doc_id", "sent_id", "actor"])
        parts.append(actor_sentence_table(scores, mentions))
    parts = [p for p in parts if len(p)]
    actor_sentences = (
        pd.concat(parts, ignore_index=True)
        if parts
        else actor_sentence_table(pd.DataFrame(), pd.DataFrame())
    )
    summary = actor_summary(
        actor_sentences,
        smk.params.actors,
        actor_unit_sums(actor_sentences),
        boot["resamples"],
        boot["seed"],
        boot["confidence"],
        boot["min_articles"],
        boot["max_units"],
    )
    write_table(actor_sentences.astype({"alone": bool}), smk.output.actor_sentences)
    write_table(summary.round(4), smk.output.actors)
    for row in summary[summary.scope == "all"].itertuples():
        log.info(
            "%s: %d sentences, mean compound %.3f", row.actor, row.n_sentences, row.mean_compound
        )
    apply_style()
    save_figure(plot_actors(summary), smk.output.png, smk.output.svg)


run(main, snakemake)
