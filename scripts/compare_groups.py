"""Rules compare_frames, compare_actors, compare_topics: the mean of each item (frame share,
actor sentiment, topic share) per group with bootstrap intervals over articles, the difference
to the reference with its interval and BH-adjusted p-value, and a forest-plot figure."""

import logging

import pandas as pd
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens.figures import apply_style, save_figure
from newslens.runtime import run, write_table

log = logging.getLogger("newslens")

KINDS = {
    "frames": (
        "Frames by group",
        "difference in mean article share of the frame (share, 0-1)",
        "frame share",
    ),
    "actors": (
        "Actor sentiment by group",
        "difference in mean sentiment (VADER compound, -1..1)",
        "sentiment",
    ),
    "topics": (
        "Topics by group",
        "difference in mean article share of the topic (share, 0-1)",
        "topic share",
    ),
}


def main(smk):
    p = smk.params
    kind = p.kind
    apply_style()
    title, xlabel, item_label = KINDS[kind]
    if not p.by:
        log.info("compare.by is empty: writing an empty %s table", kind)
        tab = pd.DataFrame(columns=cp.SHARE_COLUMNS)
        message = cf.NOTHING
    else:
        groups = cp.read_groups(smk.input.documents, p.by)
        values = cp.read_item_values(kind, smk.input.values)
        if kind == "topics" and len(smk.input.labels):
            summary = pd.read_csv(smk.input.labels[0], keep_default_na=False)
            values = cp.label_topics(values, summary)
        log.info("%s: %d articles x %d items", kind, len(values), values.shape[1])
        tab = cp.group_differences(
            values,
            groups,
            p.reference,
            resamples=p.bootstrap["resamples"],
            confidence=p.bootstrap["confidence"],
            seed=p.bootstrap["seed"],
            min_articles=p.min_articles,
        )
        log.info(
            "%s: %d rows, %d with q < 0.05", kind, len(tab), int((tab["q_value"] < 0.05).sum())
        )
        message = (
            f"Nothing to compare: no group of {list(p.by)} has at least compare.min_articles="
            f"{p.min_articles} articles with {item_label} values and a reference."
        )
    write_table(tab.round(6), smk.output.table)
    fig = cf.differences_figure(tab, title, xlabel, item_label, message)
    save_figure(fig, smk.output.png, smk.output.svg)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
