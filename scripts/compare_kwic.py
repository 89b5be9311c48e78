"""Rule compare_kwic: keyword-in-context lines for the configured terms and the top keyness
terms of each comparison, from the token table (streamed, whole articles at a time), so that
every keyness number can be read back in the text."""

import logging

import numpy as np
import pandas as pd
from newslens import compare as cp
from newslens import compare_evidence as ce
from newslens.runtime import NewslensError, iter_parquet, run, write_table
from newslens.topics import whole_articles

log = logging.getLogger("newslens")

COLUMNS = ["doc_id", "sent_id", "tok_id", "token", "lower", "term"]


def main(smk):
    p = smk.params
    if not p.by:
        log.info("compare.by is empty: writing an empty KWIC table")
        write_table(pd.DataFrame(columns=ce.KWIC_COLUMNS), smk.output.table)
        return
    groups = cp.read_groups(smk.input.documents, p.by)
    try:
        keyness = pd.read_csv(smk.input.keyness, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {smk.input.keyness}: {err}; rerun snakemake") from err
    targets = ce.kwic_targets(keyness, p.terms, p.top_keyness)
    wanted = set(targets["term"].astype(str))
    # pass 1: every hit (term, article, sentence, where), no context; the sample is drawn from
    # these exactly as from full lines; pass 2 builds the context of the sampled hits only
    hits = []
    batches = 0
    for batch_no, batch in enumerate(
        whole_articles(iter_parquet(smk.input.tokens, 200_000, COLUMNS))
    ):
        found = ce.kwic(batch, wanted, p.window, context=False)
        batches = batch_no + 1
        if len(found):
            hits.append(found.assign(batch=batch_no))
    hits = (
        pd.concat(hits, ignore_index=True)
        if hits
        else pd.DataFrame(columns=[*ce.KWIC_HIT_COLUMNS, "row", "batch"])
    )
    tab = ce.kwic_table(hits, targets, groups, p.reference, p.max_rows, p.seed, p.min_articles)
    if len(tab):
        want = tab.groupby("batch").groups
        for batch_no, batch in enumerate(
            whole_articles(iter_parquet(smk.input.tokens, 200_000, COLUMNS))
        ):
            if batch_no not in want:
                continue
            idx = want[batch_no]
            lines = ce.kwic_context(batch, tab.loc[idx, "row"].to_numpy(dtype=np.int64), p.window)
            tab.loc[idx, ["left", "keyword", "right"]] = np.array(lines, dtype=object).reshape(
                -1, 3
            )
        log.info("KWIC contexts built in %d of %d batches", len(want), batches)
    tab = tab.reindex(columns=ce.KWIC_COLUMNS)
    log.info("KWIC: %d terms, %d context lines found, %d kept", len(wanted), len(hits), len(tab))
    found = set(hits["term"].astype(str)) if len(hits) else set()
    missing = sorted({str(t).lower() for t in p.terms} - found)
    if missing:
        log.warning("compare.kwic.terms not found in the corpus: %s", ", ".join(missing))
    write_table(tab, smk.output.table)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
