"""Actors x frames: which frames occur in the sentences naming each actor (rule frames_actors).
Streams over shards; actor mentions come from the shared actor_mentions rule."""

import json
import logging

import pandas as pd
from newslens.codebook import Codebook
from newslens.figures import apply_style, save_figure
from newslens.frames_figures import actor_heatmap
from newslens.framing import actor_frame_counts, finish_actor_frames
from newslens.runtime import read_parquet, run, write_table

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    parts = []
    for act_path, frame_path in zip(smk.input.actors, smk.input.frames, strict=True):
        mentions = read_parquet(act_path)
        sents = read_parquet(frame_path)
        parts.append(actor_frame_counts(mentions, sents, cb))
    table = finish_actor_frames(pd.concat(parts, ignore_index=True), cb, list(smk.params.actors))
    names = cb.names()
    table.insert(2, "frame_name", table["frame"].map(names))
    write_table(table, smk.output.table)
    apply_style()
    save_figure(
        actor_heatmap(table, names, "Frames in sentences naming each actor"),
        smk.output.fig,
        smk.output.fig_svg,
    )
    log.info("%d actors x %d frames", table["actor"].nunique(), table["frame"].nunique())


run(main, snakemake)
