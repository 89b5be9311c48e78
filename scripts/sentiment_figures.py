"""Sentiment figures: the arc through each article, the distribution over sentences and
articles, sentiment over time and by metadata group (rule sentiment_figures). The sentence
table is read in batches, so memory stays bounded for large corpora."""

import numpy as np
import pandas as pd
from newslens.figures import apply_style, save_figure
from newslens.runtime import log, run
from newslens.sentiment_figures import (
    arc_bins,
    plot_arc_articles,
    plot_arc_pooled,
    plot_distribution,
    plot_groups,
    plot_time,
)
from newslens.shards import iter_parquet_arrow, rebatch

EDGES = np.linspace(-1, 1, 41)
BINS = 10


def main(smk):
    p = smk.params
    th = p.thresholds
    conf = p.confidence
    docs = pd.read_csv(
        smk.input.documents, dtype={"doc_id": str}, keep_default_na=False, na_values=[""]
    )
    docs["title"] = docs["title"].fillna("") if "title" in docs else ""
    groups = pd.read_csv(smk.input.groups, dtype={"group": str})
    # sentences per article, looked up by position (a dict .map is slow at 1M articles)
    last = docs.drop_duplicates("doc_id", keep="last")
    doc_index = pd.Index(last["doc_id"].astype(str))
    n_by_doc = last["n_sentences"].to_numpy(dtype=float)
    few = len(docs) <= p.arc_articles
    keep, hist = [], np.zeros(len(EDGES) - 1)
    count, total, total_sq = np.zeros(BINS), np.zeros(BINS), np.zeros(BINS)
    cols = ["doc_id", "para_id", "sent_id", "compound", "label"]
    # a partitioned table (newslens.shards), read in corpus order and re-cut into batches of
    # 200,000 rows, so that the arc's sums do not depend on how the rows are split into parts
    batches = rebatch(iter_parquet_arrow(smk.input.sentences, 200_000, cols), 200_000)
    for b in (t.to_pandas() for t in batches):
        hist += np.histogram(b["compound"].clip(-1, 1), bins=EDGES)[0]
        if few:
            keep.append(b)
        else:
            i = doc_index.get_indexer(b["doc_id"].astype(str))
            n = np.where(i >= 0, n_by_doc[i], np.nan)
            n[np.isnan(n)] = 1
            pos = b["sent_id"].to_numpy(float) / np.maximum(n - 1, 1)
            c, t, t2 = arc_bins(np.clip(pos, 0, 1), b["compound"], BINS)
            count += c
            total += t
            total_sq += t2
    apply_style()
    if few and len(docs):
        sentences = pd.concat(keep, ignore_index=True) if keep else pd.DataFrame(columns=cols)
        fig = plot_arc_articles(sentences, docs, th, p.arc_bandwidth)
    elif len(docs):
        fig = plot_arc_pooled(count, total, total_sq, len(docs), th, conf)
    else:
        from newslens.figures import empty_figure

        fig = empty_figure("No articles in the corpus.", "Sentiment arc")
    save_figure(fig, smk.output.arc, smk.output.arc_svg)
    save_figure(
        plot_distribution(hist, EDGES, docs, th, conf),
        smk.output.distribution,
        smk.output.distribution_svg,
    )
    save_figure(plot_time(groups, p.period, th, conf), smk.output.time, smk.output.time_svg)
    save_figure(
        plot_groups(groups, list(p.group_by), th, confidence=conf),
        smk.output.groups,
        smk.output.groups_svg,
    )
    log.info("sentiment figures for %d articles (%d sentences)", len(docs), int(hist.sum()))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
