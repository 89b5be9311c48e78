"""Actors x frames: which frames occur in the sentences naming each actor (rule frames_actors).
One shard at a time, reading only the columns needed, in batches: the actor mentions become
integer keys, and of the sentence table only the share columns of the sentences some mention
points at are kept. Actor mentions come from the shared actor_mentions rule."""

import json
import logging

import pandas as pd
from newslens.codebook import Codebook
from newslens.figures import apply_style, save_figure
from newslens.frames_figures import actor_heatmap
from newslens.framing import (
    NONE_FRAME,
    MentionIndex,
    actor_frame_counts,
    actor_share_counts,
    finish_actor_frames,
    mentioned_shares,
)
from newslens.runtime import iter_parquet_arrow, read_parquet, run, write_table

log = logging.getLogger("newslens")


def shard_counts(act_path, frame_path, cb, batch_rows):
    frames = [*cb.scored_keys, NONE_FRAME]
    share_cols = [f"share_{k}" for k in frames]
    index = MentionIndex()
    # Arrow batches, the doc_id and actor columns dictionary-encoded (each distinct value
    # looked up once per batch)
    columns, dictionary = ["doc_id", "sent_id", "actor"], ["doc_id", "actor"]
    for batch in iter_parquet_arrow(act_path, batch_rows, columns, dictionary):
        index.add(batch.column("doc_id"), batch.column("sent_id"), batch.column("actor"))
    columns = ["doc_id", "sent_id", *share_cols]
    batches = iter_parquet_arrow(frame_path, batch_rows, columns, ["doc_id"])
    keys, shares = mentioned_shares(index, batches, share_cols)
    counts = actor_share_counts(index, keys, shares, frames)
    if counts is None:  # a sentence listed twice or odd ids: the tables, merged
        mentions = read_parquet(act_path, columns=["doc_id", "sent_id", "actor"])
        sentences = read_parquet(frame_path, columns=["doc_id", "sent_id", *share_cols])
        counts = actor_frame_counts(mentions, sentences, cb)
    return counts


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    parts = [
        shard_counts(act_path, frame_path, cb, int(smk.params.batch_rows))
        for act_path, frame_path in zip(smk.input.actors, smk.input.frames, strict=True)
    ]
    actors = set(smk.params.actors)
    for path in smk.input.targets:  # per-article targets (never named ones too)
        actors.update(pd.read_parquet(path, columns=["actor"])["actor"])
    table = finish_actor_frames(pd.concat(parts, ignore_index=True), cb, sorted(actors))
    names = cb.names()
    table.insert(2, "frame_name", table["frame"].map(names))
    write_table(table, smk.output.table)
    apply_style()
    save_figure(
        actor_heatmap(
            table,
            names,
            "Frames in sentences naming each actor",
            int(smk.params.min_cell_n),
            smk.params.max_actors,
        ),
        smk.output.fig,
        smk.output.fig_svg,
    )
    log.info("%d actors x %d frames", table["actor"].nunique(), table["frame"].nunique())


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
