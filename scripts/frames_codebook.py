"""Validate the frame codebook and compile its normalised indicators (rule frames_codebook)."""

import json
import logging

import pandas as pd
from newslens.codebook import load_codebook
from newslens.runtime import atomic_path, run, write_table

log = logging.getLogger("newslens")


def main(smk):
    cb = load_codebook(
        smk.input.codebook, smk.params.normalize, smk.params.language, smk.input.schema
    )
    n_terms = sum(i.kind == "term" for i in cb.indicators)
    n_regex = sum(i.kind == "regex" for i in cb.indicators)
    log.info(
        "codebook '%s': %d frames, %d indicator terms, %d regex indicators (normaliser: %s)",
        cb.name,
        len(cb.frames),
        n_terms,
        n_regex,
        cb.normalize,
    )
    if len(cb.overlaps):
        log.warning(
            "%d indicator terms are listed under more than one frame and count for each: %s "
            "(see %s)",
            len(cb.overlaps),
            ", ".join(cb.overlaps["normalized"].head(10)),
            smk.output.overlaps,
        )
    with atomic_path(smk.output.compiled) as tmp:
        tmp.write_text(json.dumps(cb.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    names = pd.DataFrame(cb.frames)[["key", "name"]].rename(columns={"key": "frame"})
    frames = cb.terms_table().merge(names, on="frame", how="left")
    write_table(
        frames[["frame", "name", "indicator", "normalized", "weight", "kind"]], smk.output.terms
    )
    write_table(cb.overlaps, smk.output.overlaps)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
