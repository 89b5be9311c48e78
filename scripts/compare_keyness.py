"""Rule compare_keyness: keyness of every term, each group against its reference, from the
unit x term matrix of the topic stage (no text is re-read), and the keyness figure."""

import logging

import pandas as pd
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens.figures import apply_style
from newslens.runtime import read_parquet, run, write_table
from newslens.topics_matrix import load_npz

log = logging.getLogger("newslens")


def main(smk):
    p = smk.params
    apply_style()
    if not p.by:
        log.info("compare.by is empty: writing empty keyness table and an explanatory figure")
        tab = pd.DataFrame(columns=cp.KEYNESS_COLUMNS)
        sizes = None
    else:
        groups = cp.read_groups(smk.input.documents, p.by)
        sizes = cf.group_sizes(groups)
        dtm = load_npz(smk.input.dtm)
        units = read_parquet(smk.input.units, columns=["doc_id"])
        terms = pd.read_csv(smk.input.vocabulary, keep_default_na=False)["term"].astype(str)
        tab = cp.keyness_table(
            dtm,
            units["doc_id"].astype(str).to_numpy(),
            groups,
            terms.tolist(),
            p.reference,
            min_count=p.min_count,
            min_articles=p.min_articles,
            top_n=p.table_terms,
        )
        n_cmp = tab[["variable", "group", "reference"]].drop_duplicates().shape[0]
        log.info(
            "keyness: %d comparisons over %d terms, %d rows with q < 0.05",
            n_cmp,
            len(terms),
            int((tab["q_value"] < 0.05).sum()),
        )
        if tab.empty:
            log.warning("no comparison had two groups with >= %d articles", p.min_articles)
    write_table(tab, smk.output.table)
    message = (
        cf.NOTHING
        if not p.by
        else (
            f"No group of compare.by {list(p.by)} has at least compare.min_articles="
            f"{p.min_articles} articles and a reference to compare with."
        )
    )
    cf.save_laid_out(
        cf.keyness_figure(tab, p.figure_terms, message, sizes, p.figure_groups),
        smk.output.png,
        smk.output.svg,
        fixed_size=cf.has_values(tab),
    )


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
