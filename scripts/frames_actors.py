"""Actors x frames: which frames occur in the sentences naming each actor (rule frames_actors).
The shards' counts (written by the frames_sentences jobs) summed in shard order, the
actors never named added as rows of zeros, the table and its heatmap written. Actor mentions
come from the shared actor_mentions rule."""

import json
import logging

import pandas as pd
from newslens.codebook import Codebook
from newslens.figures import apply_style, save_figure
from newslens.frames_figures import actor_heatmap
from newslens.framing import finish_actor_frames, merge_actor_counts
from newslens.runtime import run, write_table

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    counts = merge_actor_counts(pd.read_parquet(path) for path in smk.input.counts)
    actors = set(smk.params.actors)
    for path in smk.input.targets:  # per-article targets of each shard
        actors.update(json.loads(open(path, encoding="utf-8").read()))
    table = finish_actor_frames(counts, cb, sorted(actors))
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
