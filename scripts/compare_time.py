"""Rules compare_frames_time, compare_actors_time, compare_topics_time (one rule,
compare_time, with the kind as wildcard): each item (frame share, actor sentiment, topic
share) over time per group with bootstrap bands, and the group effect of a regression of the
item on group and period (stm's estimateEffect idea, uncertainty by bootstrap over articles)."""

import logging

import pandas as pd
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens import compare_over_time as ct
from newslens.figures import apply_style, save_figure
from newslens.runtime import run, write_table

log = logging.getLogger("newslens")

KINDS = {
    "frames": ("Frames over time by group", "mean article share of the frame (0-1)"),
    "actors": ("Actor sentiment over time by group", "mean sentiment (VADER compound, -1..1)"),
    "topics": ("Topic prevalence over time by group", "mean article share of the topic (0-1)"),
}


def main(smk):
    p = smk.params
    kind = p.kind
    apply_style()
    title, ylabel = KINDS[kind]
    prev = pd.DataFrame(columns=ct.TIME_COLUMNS)
    effects = pd.DataFrame(columns=ct.EFFECT_COLUMNS)
    message = cf.NOTHING
    if not p.by:
        log.info("compare.by is empty: writing empty %s-over-time tables", kind)
    else:
        variables = [v for v in p.by if v not in cp.PERIODS]
        groups = cp.read_groups(smk.input.documents, variables)
        periods = cp.read_periods(smk.input.documents, p.period)
        undated = int((periods == "").sum())
        if undated:
            log.info("%d articles without a date left out of the %s over time", undated, kind)
        values = cp.read_item_values(kind, smk.input.values)
        if kind == "topics" and len(smk.input.labels):
            summary = pd.read_csv(smk.input.labels[0], keep_default_na=False)
            values = cp.label_topics(values, summary)
        log.info(
            "%s: %d articles x %d items, %d %ss, variables %s",
            kind,
            len(values),
            values.shape[1],
            periods[periods != ""].nunique(),
            p.period,
            variables or "(none: the whole corpus)",
        )
        prev, effects = ct.time_table(
            values,
            groups,
            periods,
            p.reference,
            resamples=p.bootstrap["resamples"],
            confidence=p.bootstrap["confidence"],
            seed=p.bootstrap["seed"],
            min_articles=p.min_articles,
        )
        log.info(
            "%d group x period x item rows; %d effects, %d with q < 0.05",
            len(prev),
            len(effects),
            int((effects["q_value"] < 0.05).sum()),
        )
        message = (
            f"Nothing over time: no dated article in a group of {variables} with at least "
            f"compare.min_articles={p.min_articles} articles."
        )
    write_table(prev.round(6), smk.output.table)
    write_table(effects.round(6), smk.output.effects)
    fig = cf.time_figure(
        prev,
        title,
        ylabel,
        message,
        max_items=p.max_items,
        period=f"{p.period} of the article date",
        min_n=p.min_cell_n,
    )
    save_figure(fig, smk.output.png, smk.output.svg)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
