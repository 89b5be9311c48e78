"""Rule topic_outputs: per-topic and per-unit tables, topics by metadata, the topic network
and the stage's figures, from the fitted model."""

import json
import logging

import numpy as np
import pandas as pd
from newslens import topics_measures, topics_models, topics_tables, topics_validation
from newslens import topics_plots as plots
from newslens.figures import FULL_WIDTH, apply_style, empty_figure
from newslens.runtime import NewslensError, read_parquet, run
from newslens.topics_files import snippets, write_csv

log = logging.getLogger("newslens")


def validation_tables(column, documents, units, share, labels):
    """Per-topic purity and the topic x category counts of the chosen model's dominant topics
    against the validation column (empty tables when none is configured)."""
    topics_cols = ["topic", "label", "n_units", "majority_category", "purity"]
    cross_cols = ["topic", "category", "n_units", "share"]
    if not column or share.shape[1] == 0:
        return pd.DataFrame(columns=topics_cols), pd.DataFrame(columns=cross_cols)
    cat = dict(zip(documents["doc_id"].astype(str), documents[column].astype(str), strict=False))
    cats = units["doc_id"].astype(str).map(cat).fillna("").to_numpy()
    val_topics, val_cross = topics_validation.topic_purity(
        topics_measures.dominant_topic(share), cats, labels
    )
    val_topics.insert(0, "column", column)
    val_cross.insert(0, "column", column)
    return val_topics, val_cross


def main(smk):
    p = smk.params
    info = json.loads(open(smk.input.info, encoding="utf-8").read())
    fit = np.load(smk.input.fit)
    w, h, coherence = fit["w"].astype(np.float64), fit["h"].astype(np.float64), fit["coherence"]
    vocab = pd.read_csv(smk.input.vocabulary, keep_default_na=False)
    terms = vocab["term"].astype(str).tolist()
    units = read_parquet(smk.input.units)
    try:
        wanted = {"doc_id", "title", "date", *p.metadata, p.validation_column}  # not the ledes
        documents = pd.read_csv(
            smk.input.documents,
            dtype={"doc_id": str},
            keep_default_na=False,
            usecols=lambda c: c in wanted,
        )
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {smk.input.documents}: {err}") from err
    selection = pd.read_csv(smk.input.selection)
    by_k = pd.read_csv(smk.input.validation)
    unit = info["unit"]

    share = topics_models.mixture(w)
    labels = topics_tables.topic_labels(h, terms, p.label_terms)
    terms_tab = topics_tables.terms_table(h, terms, p.top_terms)
    summary = topics_tables.summary_table(h, share, terms, coherence, labels)
    summary.insert(2, "unit", unit)
    docs_tab = topics_tables.documents_table(units, share)
    articles_tab = topics_tables.articles_table(units, share)
    reps = topics_tables.representatives(share, units, p.representatives)
    reps["snippet"] = snippets(reps, smk.input.paragraphs, documents, p.snippet_chars)
    reps.insert(1, "label", [labels[t - 1] for t in reps["topic"]])
    meta = topics_tables.metadata_columns(documents, p.metadata)
    by_meta = topics_tables.prevalence_by(share, units, meta, labels)
    nodes, edges = topics_tables.topic_network(
        share, labels, summary["prevalence"], p.network_min_correlation
    )
    val_topics, val_cross = validation_tables(p.validation_column, documents, units, share, labels)
    log.info(
        "%d topics (%s units); %d units without terms; network: %d edges, %d communities",
        len(summary),
        unit,
        int((units["n_terms"] == 0).sum()),
        len(edges),
        nodes["community"].nunique(),
    )

    write_csv(terms_tab, smk.output.terms)
    write_csv(docs_tab, smk.output.documents)
    write_csv(articles_tab, smk.output.articles)
    write_csv(summary, smk.output.summary)
    write_csv(reps, smk.output.representatives)
    write_csv(by_meta, smk.output.by_metadata)
    write_csv(nodes, smk.output.nodes)
    write_csv(edges, smk.output.edges)
    write_csv(val_topics, smk.output.validation_topics)
    write_csv(val_cross, smk.output.validation_categories)

    apply_style()
    figures = [
        (lambda: plots.top_words_figure(terms_tab, summary, unit), "terms", "Top words per topic"),
        (lambda: plots.prevalence_figure(summary, unit), "prevalence", "Topic prevalence"),
        (
            lambda: plots.k_selection_figure(selection, info["rule"], info.get("k_rule", "")),
            "k",
            "Choosing K",
        ),
        (
            lambda: plots.validation_figure(val_topics, val_cross, by_k, p.validation_column, unit),
            "validation",
            "Topics against known categories",
        ),
        (lambda: plots.metadata_figure(by_meta, summary, unit), "metadata", "Topics by metadata"),
        (
            lambda: plots.network_figure(nodes, edges, p.network_min_correlation),
            "network",
            "Topic network",
        ),
    ]
    for make, name, title in figures:
        # A corpus too small to model: every figure states the recorded reason.
        fig = make() if info["K"] else empty_figure(info["rule"], title, width=FULL_WIDTH * 0.7)
        plots.save_laid_out(
            fig, getattr(smk.output, f"fig_{name}"), getattr(smk.output, f"svg_{name}")
        )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
