"""Sentiment toward each actor: the sentences that mention it (and those that mention it
alone), with counts and bootstrap CIs, plus the actor figure (rule sentiment_actors).

Streams: per shard, the scores are held as a compact lookup (doc_id, sent_id -> compound,
label) and the mentions are read in batches of whole articles; the shards' actor-sentence
rows are merged into (doc_id, sent_id, actor) order while they are written, and reduced to
per-article sums (all the article-level bootstrap needs). The rows go to the partitioned
dataset results/tables/sentiment_actor_sentences/ (docs/outputs.md): one part per block of
tokenize.part_articles articles in doc_id order, so the parts read in name order are the table
in (doc_id, sent_id, actor) order. Sentence rows are read back only for actors found in fewer
than bootstrap.min_articles articles."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.actors import gather_targets
from newslens.figures import apply_style, save_figure
from newslens.runtime import NewslensError, iter_parquet, log, read_parquet, run, write_table
from newslens.sentiment import (
    ActorUnitSums,
    ScoreLookup,
    actor_sentence_batch,
    actor_sentence_table,
    actor_summary,
)
from newslens.sentiment_figures import plot_actors
from newslens.shards import PartWriter, dataset_parts
from newslens.shards_gather import OrderError, merge_part_lists, merge_sorted, whole_groups

SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("sent_id", pa.int64()), ("actor", pa.string())]
    + [("n_mentions", pa.int64()), ("n_actors", pa.int64()), ("alone", pa.bool_())]
    + [(c, pa.float64()) for c in ("compound", "is_negative", "is_neutral", "is_positive")]
)
SCORE_COLUMNS = ["doc_id", "sent_id", "compound", "label"]
MENTION_COLUMNS = ["doc_id", "sent_id", "actor"]
ORDER = ["doc_id", "sent_id", "actor"]


CONTRACT = {"n_mentions": np.dtype("int64"), "n_actors": np.dtype("int64"), "alone": np.dtype(bool)}


def contract(t: pd.DataFrame) -> pd.DataFrame:
    """The count columns as int64 and ``alone`` as bool (a copy only where a dtype differs)."""
    if all(t[c].dtype == d for c, d in CONTRACT.items()):
        return t
    return t.astype(CONTRACT)


def shard_tables(lookup, mention_path, score_path, batch_rows, doc_index, actor_index):
    """One shard's actor-sentence rows (with doc_rank, the merge key), in batches of whole
    articles, sorted by doc_id, sent_id, actor (the mention file is sorted by doc_id)."""
    mentions = iter_parquet(mention_path, batch_rows, MENTION_COLUMNS)
    if lookup.exact:
        try:
            for batch in whole_groups(mentions):
                t = actor_sentence_batch(batch, lookup, doc_index, actor_index)
                if len(t):
                    yield contract(t)
            return
        except OrderError as err:
            log.warning("%s: %s; joining the shard in memory", mention_path, err)
    else:
        log.warning("%s: repeated (doc_id, sent_id); joining in memory", score_path)
    scores = read_parquet(score_path, columns=SCORE_COLUMNS)
    t = actor_sentence_table(scores, read_parquet(mention_path, columns=MENTION_COLUMNS))
    if len(t):
        unknown = sorted(set(t["actor"]) - set(actor_index))
        if unknown:
            raise NewslensError(
                f"{mention_path}: mentions of {unknown}, which are not actors in the config key "
                "actors: the file is out of date; rerun snakemake (rule actor_mentions)."
            )
        t = t.sort_values(ORDER, kind="stable")
        t["doc_rank"] = doc_index.get_indexer(t["doc_id"].astype(str))
        yield contract(t)


def read_actors(manifest, actors: list[str]) -> pd.DataFrame:
    """The dataset's rows of ``actors`` (in table order), part by part."""
    if not actors:
        return pd.DataFrame(columns=SCHEMA.names)
    parts = [
        pq.read_table(p, filters=[("actor", "in", actors)], pre_buffer=False)
        for p in dataset_parts(manifest)
    ]
    return pa.concat_tables(parts or [SCHEMA.empty_table()]).cast(SCHEMA).to_pandas()


def main(smk):
    boot = smk.params.bootstrap
    scores, mentions = list(smk.input.scores), list(smk.input.mentions)
    # each shard streams batches of mentions: together about batch_rows rows (at least 50,000
    # a shard, fewer would cost more in per-batch overhead than they save)
    rows = max(smk.params.batch_rows // max(len(scores), 1), 50_000)
    lookups = [ScoreLookup(iter_parquet(s, smk.params.batch_rows, SCORE_COLUMNS)) for s in scores]
    doc_index = pd.Index(
        np.unique(np.concatenate([lk.index.to_numpy(dtype=object) for lk in lookups]))
        if lookups
        else [],
        dtype=object,
    )
    targets = gather_targets(
        smk.input.targets,
        smk.input.get("target_file"),
        smk.params.targets,
        dict(smk.params.cleaning),
    )
    write_table(targets, smk.output.targets)
    actors = list(smk.params.actors)
    in_corpus = targets["status"] != "article_not_in_corpus"
    actors += sorted(set(targets.loc[in_corpus, "actor"]) - set(actors))
    actor_index = pd.Index(sorted(set(actors)), dtype=object)
    streams = [
        shard_tables(lk, m, s, rows, doc_index, actor_index)
        for lk, m, s in zip(lookups, mentions, scores, strict=True)
    ]

    def order(df, keys):
        """Rows of several shards in (doc_id, sent_id, actor) order: by article, each
        article's rows as its shard sorted them -- unless an article came from two shards."""
        by_doc = np.argsort(keys, kind="stable")
        df, k = df.iloc[by_doc].reset_index(drop=True), keys[by_doc]
        sent = df["sent_id"].to_numpy()
        actor = actor_index.get_indexer(df["actor"])
        same_doc, same_sent = k[1:] == k[:-1], sent[1:] == sent[:-1]
        if np.any(same_doc & ((sent[1:] < sent[:-1]) | (same_sent & (actor[1:] <= actor[:-1])))):
            df = df.sort_values(ORDER, kind="stable").reset_index(drop=True)
        return df

    sums = ActorUnitSums(actor_index)
    manifest = smk.output.actor_sentences
    folder = Path(manifest).parent  # results/tables/sentiment_actor_sentences/
    with PartWriter(folder, manifest, SCHEMA) as out:
        for t in merge_sorted(streams, lambda df: df["doc_rank"].to_numpy(), order):
            # one conversion to Arrow per merged table, sliced per part (not one per slice)
            arrow = pa.Table.from_pandas(t[SCHEMA.names], schema=SCHEMA, preserve_index=False)
            out.write_blocks(t["doc_rank"].to_numpy() // smk.params.part_articles, arrow)
            sums.add(t)
    # the manifest names its parts relative to the folder; parts of earlier runs are removed
    merge_part_lists([manifest], folder, manifest)
    units = sums.units()
    # "alone" articles are a subset of "all" ones: an actor needing sentence-level resampling
    # in either scope has fewer than min_articles articles in scope "alone".
    few = [a for a in actors if len(units.get((a, "alone"), (None, ()))[1]) < boot["min_articles"]]
    actor_sentences = read_actors(manifest, few)
    summary = actor_summary(
        actor_sentences,
        actors,
        None,
        boot["resamples"],
        boot["seed"],
        boot["confidence"],
        boot["min_articles"],
        boot["max_units"],
        units=units,
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
    save_figure(
        plot_actors(summary, smk.params.thresholds, boot["confidence"], smk.params.max_actors),
        smk.output.png,
        smk.output.svg,
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
