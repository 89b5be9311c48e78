"""Rule compare_actor_frames: actor x frame by group - for each actor, the share of each frame
in the sentences that name it, per group, with bootstrap intervals over articles, the
difference to the reference (interval, BH q) and the articles and sentences behind each cell;
one heatmap panel per actor."""

import logging

import pandas as pd
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_figures as cf
from newslens.compare_bootstrap import bootstrap_args
from newslens.figures import apply_style
from newslens.names import frame_display_names
from newslens.runtime import NewslensError, read_parquet, run, write_table
from newslens.shards import dataset_schema

log = logging.getLogger("newslens")


def main(smk):
    p = smk.params
    apply_style()
    tab = pd.DataFrame(columns=ca.ACTOR_FRAME_COLUMNS)
    message = cf.NOTHING
    if not p.by:
        log.info("compare.by is empty: writing an empty actor x frame table")
    else:
        groups = cp.read_groups(smk.input.documents, p.by)
        actor_rows = read_parquet(smk.input.actors, columns=["doc_id", "sent_id", "actor"])
        actors = ca.top_actors(actor_rows, p.max_actors)
        left_out = actor_rows["actor"].nunique() - len(actors)
        if left_out:
            log.info(
                "%d actors named in fewer articles left out (compare.max_actors=%s)",
                left_out,
                p.max_actors,
            )
        names = dataset_schema(smk.input.frames).names  # a file, part list or dataset
        wanted = ["doc_id", "sent_id"]
        wanted += [c for c in names if c.startswith("share_") and c != "share_none"]
        frame_rows = read_parquet(smk.input.frames, columns=wanted)
        try:
            values, sentences, frames, n_rows = ca.actor_frame_shares(
                actor_rows, frame_rows, actors
            )
        except ValueError as err:  # repeated (doc_id, sent_id) rows
            raise NewslensError(
                f"{smk.input.frames}: {err}; delete the frames_sentences dataset and rerun "
                "snakemake"
            ) from err
        unmatched = int(actor_rows["actor"].isin(actors).sum()) - n_rows
        if unmatched:
            log.warning("%d actor sentences have no row in %s", unmatched, smk.input.frames)
        log.info(
            "%d actor sentences, %d actors x %d frames, %d articles",
            n_rows,
            len(actors),
            len(frames),
            len(values),
        )
        tab = ca.actor_frame_differences(
            values,
            sentences,
            groups,
            p.reference,
            **bootstrap_args(p),
        )
        log.info("%d rows, %d with q < 0.05", len(tab), int((tab["q_value"] < 0.05).sum()))
        message = (
            "Nothing to compare: no actor is named in a group of "
            f"{list(p.by)} with at least compare.min_articles={p.min_articles} articles\n"
            "(configure actors, and check corpus.metadata)."
        )
    write_table(tab.round(6), smk.output.table)
    names = frame_display_names(pd.read_csv(smk.input.frame_names, keep_default_na=False))
    shown = cf.with_display_names(tab, "frame", names)
    fig = cf.actor_frames_figure(shown, p.figure_actors, message, min_n=p.min_cell_n)
    cf.save_laid_out(fig, smk.output.png, smk.output.svg)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
