"""Rule compare_kwic: keyword-in-context lines for the configured terms and the top keyness
terms of each comparison, from the token table (streamed, whole articles at a time), so that
every keyness number can be read back in the text."""

import logging

import pandas as pd
from newslens import compare as cp
from newslens.runtime import NewslensError, iter_parquet, run, write_table
from newslens.topics import whole_articles

log = logging.getLogger("newslens")

COLUMNS = ["doc_id", "sent_id", "tok_id", "token", "lower", "term"]


def main(smk):
    p = smk.params
    if not p.by:
        log.info("compare.by is empty: writing an empty KWIC table")
        write_table(pd.DataFrame(columns=cp.KWIC_COLUMNS), smk.output.table)
        return
    groups = cp.read_groups(smk.input.documents, p.by)
    try:
        keyness = pd.read_csv(smk.input.keyness, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {smk.input.keyness}: {err}; rerun snakemake") from err
    targets = cp.kwic_targets(keyness, p.terms, p.top_keyness)
    wanted = set(targets["term"].astype(str))
    hits = []
    for batch in whole_articles(iter_parquet(smk.input.tokens, 200_000, COLUMNS)):
        found = cp.kwic(batch, wanted, p.window)
        if len(found):
            hits.append(found)
    hits = pd.concat(hits, ignore_index=True) if hits else pd.DataFrame(columns=cp.KWIC_COLUMNS)
    tab = cp.kwic_table(hits, targets, groups, p.reference, p.max_rows, p.seed, p.min_articles)
    log.info("KWIC: %d terms, %d context lines found, %d kept", len(wanted), len(hits), len(tab))
    found = set(hits["term"].astype(str)) if len(hits) else set()
    missing = sorted({str(t).lower() for t in p.terms} - found)
    if missing:
        log.warning("compare.kwic.terms not found in the corpus: %s", ", ".join(missing))
    write_table(tab, smk.output.table)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
