"""Figure: the most frequent terms and collocations of the corpus."""

import pandas as pd
from newslens.figures import FULL_WIDTH, OKABE_ITO, apply_style, empty_figure, save_figure
from newslens.runtime import run


def compact_count(x: float) -> str:
    """A tick label for a count: 950, 12k, 1.5M."""
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.3g}k"
    return f"{x:,.0f}"


def plot_top_terms(
    terms: pd.DataFrame, colloc: pd.DataFrame, top_n: int, n_docs: int, normalize: str
):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if terms.empty:
        return empty_figure(
            "No terms left after stopword and length filtering.", "Most frequent terms"
        )
    top = terms.head(top_n).iloc[::-1]
    top_c = colloc.head(min(top_n, 15)).iloc[::-1] if not colloc.empty else colloc
    height = max(2.6, 0.16 * len(top) + 0.9)
    fig, axes = plt.subplots(
        1, 2, figsize=(FULL_WIDTH, height), gridspec_kw={"width_ratios": [1, 1.15]}
    )
    ax = axes[0]
    ax.barh(top["term"], top["count"], color=OKABE_ITO[0])
    ax.set_xlabel("Occurrences in the corpus (count)")
    ax.set_title(f"Top {len(top)} terms ({normalize} normalisation)")
    ax.margins(y=0.01)
    for y, (count, df) in enumerate(zip(top["count"], top["doc_freq"], strict=True)):
        ax.text(count, y, f" {df:,}/{n_docs:,}", va="center", fontsize=6, color="#555555")
    ax = axes[1]
    if top_c.empty:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            "No bigram reaches the\ncollocation minimum frequency.",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    else:
        ax.barh(top_c["bigram"], top_c["count"], color=OKABE_ITO[2])
        ax.set_xlabel("Occurrences in the corpus (count)")
        ax.set_title(
            f"Top {len(top_c)} collocations ({top_c['measure'].iloc[0].replace('_', ' ')})"
        )
        ax.margins(y=0.01)
    fig.suptitle(
        f"Most frequent terms and collocations, {n_docs:,} article{'s' if n_docs != 1 else ''}",
        fontsize=9,
    )
    for ax in axes:  # few ticks, compact labels (120k, 1.5M): no overlap at any corpus size
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: compact_count(x)))
    fig.text(
        0.01,
        -0.01,
        "Numbers beside bars: articles containing the term / all articles.",
        fontsize=6,
        color="#555555",
    )
    fig.tight_layout()
    return fig


def main(smk):
    apply_style()
    terms = pd.read_csv(smk.input.terms, keep_default_na=False)
    colloc = pd.read_csv(smk.input.collocations, keep_default_na=False)
    n_docs = len(pd.read_csv(smk.input.documents, usecols=["doc_id"]))
    fig = plot_top_terms(terms, colloc, smk.params.top_n, n_docs, smk.params.normalize)
    save_figure(fig, smk.output.png, smk.output.svg)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
