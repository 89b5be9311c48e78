"""Indicator suggestions for the codebook (rule frames_codebook_suggestions): terms that
co-occur with each frame's indicators (PPMI over sentences), with counts and example sentences,
for the researcher to review. Reads at most about max_sentences sentences, a seeded sample
drawn by a hash of each sentence's key, so the sample and the table do not depend on the
number of shards. The codebook itself is never changed."""

import json
import logging

import numpy as np
import pandas as pd
from newslens.codebook import Codebook, get_normalizer
from newslens.frames_suggest import suggest_terms
from newslens.runtime import parquet_num_rows, read_parquet, run, write_table
from newslens.tokenize import load_stopwords

log = logging.getLogger("newslens")
KEY = ["doc_id", "para_id", "sent_id"]


def sampled(frames: pd.DataFrame, rate: float, seed: int) -> np.ndarray:
    """Which sentences are in the sample: a seeded hash of (doc_id, para_id, sent_id) below
    ``rate``; the same sentences whatever shard they are in."""
    if rate >= 1:
        return np.ones(len(frames), bool)
    key = frames[KEY].astype(str).agg("\x1f".join, axis=1)
    hashed = pd.util.hash_pandas_object(key, index=False, hash_key=f"{seed:016d}"[-16:])
    return hashed.to_numpy(dtype=np.uint64) / np.float64(2**64) < rate


def main(smk):
    p = dict(smk.params.options)
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    keys = cb.scored_keys
    total = sum(parquet_num_rows(f) for f in smk.input.frames)
    cap = int(p["max_sentences"])
    rate = 1.0 if total <= cap else cap / total
    parts = []
    for text_path, frame_path in zip(smk.input.sentences, smk.input.frames, strict=True):
        frames = read_parquet(frame_path, columns=[*KEY, "labels"])
        if frames.empty:
            continue
        frames = frames[sampled(frames, rate, int(p["seed"]))]
        texts = read_parquet(text_path, columns=[*KEY, "text"])
        parts.append(frames.astype({"doc_id": str}).merge(texts.astype({"doc_id": str}), on=KEY))
    if parts:  # in sentence-key order, not shard order
        sents = pd.concat(parts, ignore_index=True)
        sents = sents.sort_values(KEY, kind="stable", ignore_index=True)
    else:
        sents = pd.DataFrame(columns=["text", "labels"])
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
