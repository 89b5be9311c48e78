"""Sentiment toward each actor: the sentences that mention it (and those that mention it
alone), with counts and bootstrap CIs, plus the actor figure (rule sentiment_actors).

The per-shard actor_articles jobs have joined each shard's mentions to its scores: they wrote
the rows of results/tables/sentiment_actor_sentences/ (docs/outputs.md; one part per block of
tokenize.part_articles articles in doc_id order, so the parts read in name order are the table
in (doc_id, sent_id, actor) order) and their per-article sums (all the article-level
bootstrap needs). This job merges the parts that hold articles of several shards, the part
lists and the sums (newslens.actor_sentences). Sentence rows are read back only for actors
found in fewer than bootstrap.min_articles articles.

Should an article be in two shards (a repeated doc_id), the shards' rows are merged here
instead, as one job did before: per shard the scores are held as a compact lookup and the
mentions are read in batches of whole articles, merged into (doc_id, sent_id, actor) order
while they are written and reduced to per-article sums."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.actor_sentences import (
    ORDER,
    SCHEMA,
    SCORE_COLUMNS,
    actor_index_of,
    contract,
    doc_owners,
    merge_shared_parts,
    merged_units,
    repeated_articles,
    shard_tables,
)
from newslens.actors import gather_targets
from newslens.figures import apply_style, save_figure
from newslens.runtime import NewslensError, iter_parquet, log, run, write_table
from newslens.sentiment import ActorUnitSums, ScoreLookup, actor_summary
from newslens.sentiment_figures import plot_actors
from newslens.shards import PartWriter, dataset_parts
from newslens.shards_gather import merge_part_lists, merge_sorted

__all__ = ["contract"]  # tests/test_actors2_lookup.py reads it here


def read_actors(manifest, actors: list[str]) -> pd.DataFrame:
    """The dataset's rows of ``actors`` (in table order), part by part."""
    if not actors:
        return pd.DataFrame(columns=SCHEMA.names)
    parts = [
        pq.read_table(p, filters=[("actor", "in", actors)], pre_buffer=False)
        for p in dataset_parts(manifest)
    ]
    return pa.concat_tables(parts or [SCHEMA.empty_table()]).cast(SCHEMA).to_pandas()


def merge_all_shards(smk, actors: list[str]) -> dict:
    """The single-job path: join every shard's mentions to its scores, merge the rows into
    (doc_id, sent_id, actor) order, write the dataset's parts and return the per-article sums
    (ActorUnitSums.units)."""
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
    return sums.units()


def merge_shard_results(smk, actors: list[str], doc_index: pd.Index) -> dict:
    """The per-shard path: merge the shards' shared parts into the dataset, its part lists into
    the manifest, and return the shards' per-article sums merged in doc_id order."""
    manifest = smk.output.actor_sentences
    folder = Path(manifest).parent
    units_paths = list(smk.input.units)
    unknown = set()
    for path in units_paths:
        unknown |= set(pq.read_table(path, columns=["actor"]).column("actor").to_pylist())
    unknown -= set(actors)
    if unknown:
        raise NewslensError(
            f"{units_paths}: sums of actors {sorted(unknown)}, which are not actors in the config "
            "key actors: the files are out of date; rerun snakemake (rule actor_articles)."
        )
    with tempfile.TemporaryDirectory() as tmp:
        shared = Path(tmp) / "shared.json"
        n = merge_shared_parts(smk.input.shared, doc_index, folder, shared)
        # parts of earlier runs are removed
        merge_part_lists([*smk.input.actor_sentences, shared], folder, manifest)
    log.info("merged %d parts shared by shards", n)
    return merged_units(units_paths)


def main(smk):
    boot = smk.params.bootstrap
    targets = gather_targets(
        smk.input.targets,
        smk.input.get("target_file"),
        smk.params.targets,
        dict(smk.params.cleaning),
    )
    write_table(targets, smk.output.targets)
    actors = actor_index_of(smk.params.actors, targets)
    doc_index, _ = doc_owners(smk.input.doc_lists)
    if repeated_articles(doc_index):
        units = merge_all_shards(smk, actors)
    else:
        units = merge_shard_results(smk, actors, doc_index)
    manifest = smk.output.actor_sentences
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
