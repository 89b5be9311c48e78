"""Rule compare_groups: frames, actor sentiment, topics and actors x frames by group, in one job
(one start-up instead of seven; the actor table, the groups and the bootstrap weights are read
or drawn once). For each kind: the mean of each item (frame share, actor sentiment, topic
share) per group with bootstrap intervals over articles, the difference to the reference with
its interval and BH-adjusted p-value and a forest plot; and the item over time per group with
bootstrap bands and the group effect adjusted for period (stm's estimateEffect idea). Actors x
frames: for each actor, the share of each frame in the sentences that name it, per group, with
the same intervals and the articles and sentences behind each cell; one heatmap panel per
actor."""

import logging

import pandas as pd
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens import compare_figures as cf
from newslens import compare_over_time as ct
from newslens.compare_bootstrap import bootstrap_args
from newslens.compare_small import ITEM_RANGES
from newslens.figures import apply_style
from newslens.names import frame_display_names
from newslens.runtime import NewslensError, run, write_table
from newslens.shards import dataset_schema

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
TIME_KINDS = {
    "frames": ("Frames over time by group", "mean article share of the frame (0-1)"),
    "actors": ("Actor sentiment over time by group", "mean sentiment (VADER compound, -1..1)"),
    "topics": ("Topic prevalence over time by group", "mean article share of the topic (0-1)"),
}


def item_values(smk, kind: str, actor_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-article values of one kind (topics labelled from topic_summary.csv; actors from
    ``actor_rows``, the actor table read once for this and the actor x frame table)."""
    if kind == "actors" and actor_rows is not None:
        values = cp.actor_article_sentiment(actor_rows[["doc_id", "actor", "compound"]])
    else:
        values = cp.read_item_values(kind, getattr(smk.input, kind))
    if kind == "topics":
        summary = pd.read_csv(smk.input.topic_summary, keep_default_na=False)
        values = cp.label_topics(values, summary)
    log.info("%s: %d articles x %d items", kind, len(values), values.shape[1])
    return values


def display_names(smk, kind: str) -> dict[str, str]:
    """Frame key -> the name the framing figures show (figures only: tables keep the keys)."""
    if kind != "frames":
        return {}
    return frame_display_names(pd.read_csv(smk.input.frame_names, keep_default_na=False))


def figure_groups(p, groups) -> dict:
    """The figures' group selection: the articles per variable x group and
    ``compare.figure_groups`` (the largest groups drawn; the tables keep every group)."""
    sizes = None if groups is None else cf.group_sizes(groups)
    return {"sizes": sizes, "max_groups": p.figure_groups}


def kinds_pass(smk, compute, values: dict, groups, **extra) -> dict:
    """``compute`` of each kind (kind -> values) with the config's reference and bootstrap, one
    bootstrap pass for the kinds that share their articles (frames and topics;
    ``compare_over_time.shared_pass``)."""
    p = smk.params
    bounds = {kind: ITEM_RANGES[kind] for kind in values}
    return ct.shared_pass(
        compute, values, bounds, groups=groups, reference=p.reference, **bootstrap_args(p), **extra
    )


def group_tables(smk, values: dict, groups) -> dict:
    """Group differences of each kind (kind -> values)."""
    return kinds_pass(smk, cp.group_differences, values, groups)


def time_tables(smk, values: dict, groups, periods) -> dict:
    """Over-time tables and effects of each kind (kind -> values)."""
    p = smk.params
    return kinds_pass(
        smk, ct.time_table, values, groups, periods=periods, model=p.time_model, df=p.spline_df
    )


def by_group(smk, kind: str, values, groups, tab=None) -> None:
    """Group differences of one kind (``tab``: already computed): table and forest plot."""
    p = smk.params
    title, xlabel, item_label = KINDS[kind]
    if values is None:
        tab, message = pd.DataFrame(columns=cp.SHARE_COLUMNS), cf.NOTHING
    else:
        if tab is None:
            tab = group_tables(smk, {kind: values}, groups)[kind]
        log.info(
            "%s: %d rows, %d with q < 0.05", kind, len(tab), int((tab["q_value"] < 0.05).sum())
        )
        message = (
            f"Nothing to compare: no group of {list(p.by)} has at least compare.min_articles="
            f"{p.min_articles} articles with {item_label} values and a reference."
        )
    write_table(tab.round(6), smk.output[f"{kind}_table"])
    shown = cf.with_display_names(tab, "item", display_names(smk, kind))
    fig = cf.differences_figure(
        shown, title, xlabel, item_label, message, min_n=p.min_cell_n, **figure_groups(p, groups)
    )
    cf.save_laid_out(
        fig,
        smk.output[f"{kind}_png"],
        smk.output[f"{kind}_svg"],
        fixed_size=cf.has_values(tab, "difference"),
    )


def over_time(smk, kind: str, values, groups, periods, result=None) -> None:
    """Over-time table, period-adjusted effects and figure of one kind (``result``: the
    table and effects already computed)."""
    p = smk.params
    title, ylabel = TIME_KINDS[kind]
    prev = pd.DataFrame(columns=ct.TIME_COLUMNS)
    effects = pd.DataFrame(columns=ct.EFFECT_COLUMNS)
    message = cf.NOTHING
    if values is not None:
        variables = [c for c in groups.columns if c != "doc_id"]
        if result is None:
            result = time_tables(smk, {kind: values}, groups, periods)[kind]
        prev, effects = result
        log.info(
            "%s over time: %d group x period x item rows; %d effects, %d with q < 0.05",
            kind,
            len(prev),
            len(effects),
            int((effects["q_value"] < 0.05).sum()),
        )
        message = (
            f"Nothing over time: no dated article in a group of {variables} with at least "
            f"compare.min_articles={p.min_articles} articles."
        )
    write_table(prev.round(6), smk.output[f"{kind}_time"])
    write_table(effects.round(6), smk.output[f"{kind}_effects"])
    fig = cf.time_figure(
        cf.with_display_names(prev, "item", display_names(smk, kind)),
        title,
        ylabel,
        message,
        max_items=p.max_items,
        period=f"{p.period} of the article date",
        min_n=p.min_cell_n,
        smooth=p.time_model == "spline",
        item_name=kind[:-1],
        **figure_groups(p, groups),
    )
    cf.save_laid_out(
        fig,
        smk.output[f"{kind}_time_png"],
        smk.output[f"{kind}_time_svg"],
        fixed_size=cf.has_values(prev, "mean"),
    )


def actor_frame_values(smk, actor_rows: pd.DataFrame):
    """Per article and actor (the ``compare.max_actors`` named in the most articles) the mean
    frame shares of the sentences that name it, and their sentence counts."""
    p = smk.params
    actors = ca.top_actors(actor_rows, p.max_actors)
    left_out = actor_rows["actor"].nunique() - len(actors)
    if left_out:
        log.info(
            "%d actors named in fewer articles left out (compare.max_actors=%s)",
            left_out,
            p.max_actors,
        )
    names = dataset_schema(smk.input.frames_sentences).names  # a file, part list or dataset
    share_cols = [c for c in names if c.startswith("share_") and c != "share_none"]
    try:  # streamed: the frame table's rows are never held as a whole
        values, sentences, frames, n_rows = ca.actor_frame_shares_from_dataset(
            actor_rows, smk.input.frames_sentences, share_cols, actors
        )
    except ValueError as err:  # repeated (doc_id, sent_id) rows
        raise NewslensError(
            f"{smk.input.frames_sentences}: {err}; delete the frames_sentences dataset and rerun "
            "snakemake"
        ) from err
    unmatched = int(actor_rows["actor"].isin(actors).sum()) - n_rows
    if unmatched:
        log.warning("%d actor sentences have no row in %s", unmatched, smk.input.frames_sentences)
    log.info(
        "%d actor sentences, %d actors x %d frames, %d articles",
        n_rows,
        len(actors),
        len(frames),
        len(values),
    )
    return values, sentences


def actor_frames(smk, groups, actor_rows) -> None:
    """Actor x frame by group: table and heatmap (one panel per actor)."""
    p = smk.params
    tab = pd.DataFrame(columns=ca.ACTOR_FRAME_COLUMNS)
    message = cf.NOTHING
    if groups is not None:
        values, sentences = actor_frame_values(smk, actor_rows)
        tab = ca.actor_frame_differences(
            values, sentences, groups, p.reference, **bootstrap_args(p)
        )
        log.info(
            "actors x frames: %d rows, %d with q < 0.05",
            len(tab),
            int((tab["q_value"] < 0.05).sum()),
        )
        message = (
            "Nothing to compare: no actor is named in a group of "
            f"{list(p.by)} with at least compare.min_articles={p.min_articles} articles\n"
            "(configure actors, and check corpus.metadata)."
        )
    write_table(tab.round(6), smk.output.actor_frames_table)
    shown = cf.with_display_names(tab, "frame", display_names(smk, "frames"))
    fig = cf.actor_frames_figure(
        shown, p.figure_actors, message, min_n=p.min_cell_n, **figure_groups(p, groups)
    )
    cf.save_laid_out(
        fig,
        smk.output.actor_frames_png,
        smk.output.actor_frames_svg,
        fixed_size=cf.has_values(tab, "difference"),
    )


def main(smk):
    p = smk.params
    apply_style()
    groups = time_groups = periods = actor_rows = None
    if not p.by:
        log.info("compare.by is empty: writing empty compare tables")
    else:
        docs = cp.read_documents(smk.input.documents, p.by)  # one read for groups and periods
        groups = cp.read_groups(smk.input.documents, p.by, docs)
        variables = [v for v in p.by if v not in cp.PERIODS]
        time_groups = cp.read_groups(smk.input.documents, variables, docs)
        periods = cp.read_periods(smk.input.documents, p.period, docs)
        undated = int((periods == "").sum())
        if undated:
            log.info("%d articles without a date left out of the over-time tables", undated)
        log.info(
            "%d %ss; over-time variables %s",
            periods[periods != ""].nunique(),
            p.period,
            variables or "(none: the whole corpus)",
        )
    # frames and topics first: they share their articles, and so one bootstrap pass each for
    # by group and over time (their columns in one product); actor sentiment and actors x
    # frames share their weights (and one read of the actor table)
    shared = {kind: item_values(smk, kind) for kind in ("frames", "topics")} if p.by else {}
    tabs = group_tables(smk, shared, groups) if p.by else {}
    times = time_tables(smk, shared, time_groups, periods) if p.by else {}
    for kind in ("frames", "topics"):
        by_group(smk, kind, shared.get(kind), groups, tabs.get(kind))
        over_time(smk, kind, shared.get(kind), time_groups, periods, times.get(kind))
    if p.by:
        actor_rows = ca.read_actor_rows(
            smk.input.actors, ["doc_id", "sent_id", "actor", "compound"]
        )
    values = item_values(smk, "actors", actor_rows) if p.by else None
    by_group(smk, "actors", values, groups)
    over_time(smk, "actors", values, time_groups, periods)
    actor_frames(smk, groups, actor_rows)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
