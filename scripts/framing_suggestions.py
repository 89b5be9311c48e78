"""Indicator suggestions for the codebook (rule frames_codebook_suggestions): terms that
co-occur with each frame's indicators (PPMI over sentences), with counts and example sentences,
for the researcher to review. Reads at most max_sentences sentences, a seeded sample spread
evenly over the shards. The codebook itself is never changed."""

import json
import logging

import numpy as np
import pandas as pd
from newslens.codebook import Codebook, get_normalizer
from newslens.frames_suggest import suggest_terms
from newslens.runtime import parquet_num_rows, read_parquet, run, write_table
from newslens.tokenize import load_stopwords

log = logging.getLogger("newslens")


def main(smk):
    p = dict(smk.params.options)
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    keys = cb.scored_keys
    total = sum(parquet_num_rows(f) for f in smk.input.frames)
    cap = int(p["max_sentences"])
    rate = 1.0 if total <= cap else cap / total
    rng = np.random.default_rng(int(p["seed"]))
    parts = []
    for text_path, frame_path in zip(smk.input.sentences, smk.input.frames, strict=True):
        on = ["doc_id", "para_id", "sent_id"]
        frames = read_parquet(frame_path, columns=[*on, "labels"])
        if frames.empty:
            continue
        keep = rng.random(len(frames)) < rate if rate < 1 else np.ones(len(frames), bool)
        frames = frames[keep]
        texts = read_parquet(text_path, columns=[*on, "text"])
        parts.append(frames.astype({"doc_id": str}).merge(texts.astype({"doc_id": str}), on=on))
    sents = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["text", "labels"])
    )
    log.info("suggestions from %d of %d sentences", len(sents), total)
    indicators = {i.norm for i in cb.indicators if i.kind == "term"}
    out = suggest_terms(
        sents,
        keys,
        cb.names(),
        indicators,
        get_normalizer(cb.normalize, cb.language),
        load_stopwords(smk.input.stopwords),
        min_count=int(p["min_count"]),
        min_length=int(p["min_length"]),
        top_n=int(p["top_n"]),
        n_examples=int(p["examples"]),
    )
    for key, grp in out.groupby("frame", sort=False):
        log.info("%s: %s", key, ", ".join(grp["term"].head(8)))
    write_table(out, smk.output.suggestions)


run(main, snakemake)
