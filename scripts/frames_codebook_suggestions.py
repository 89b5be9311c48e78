"""Indicator suggestions for the codebook (rule frames_codebook_suggestions): terms that
co-occur with each frame's indicators (PPMI over sentences), with counts and example sentences,
for the researcher to review. Reads at most about max_sentences sentences, a seeded sample
drawn by a hash of each sentence's key, so the sample and the table do not depend on the
number of shards. The codebook itself is never changed."""

import json
import logging

import pandas as pd
import pyarrow as pa
from newslens.codebook import Codebook, get_normalizer
from newslens.frames_suggest import sampled_sentences, suggest_terms
from newslens.runtime import iter_parquet_arrow, parquet_num_rows, run, write_table
from newslens.tokenize import load_stopwords

log = logging.getLogger("newslens")
KEY = ["doc_id", "para_id", "sent_id"]


def sampled_batches(path, columns: list[str], rate: float, seed: int) -> pd.DataFrame:
    """The sampled rows of a shard's table (doc_id as str), read batch by batch. Each batch is
    read as Arrow; only its key columns become pandas for the sample's hash, and only the
    sampled rows are converted whole (the same frame as converting every row first)."""
    kept = []
    for table in iter_parquet_arrow(path, batch_rows=200_000, columns=columns):
        keys = table.select(KEY).to_pandas()
        rows = table.filter(pa.array(sampled_sentences(keys, rate, seed)))
        if rows.num_rows:
            kept.append(rows.to_pandas())
    if not kept:
        return pd.DataFrame(columns=columns)
    return pd.concat(kept, ignore_index=True).astype({"doc_id": str})


def main(smk):
    p = dict(smk.params.options)
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    keys = cb.scored_keys
    total = sum(parquet_num_rows(f) for f in smk.input.frames)
    cap = int(p["max_sentences"])
    rate = 1.0 if total <= cap else cap / total
    seed, parts = int(p["seed"]), []
    for text_path, frame_path in zip(smk.input.sentences, smk.input.frames, strict=True):
        # both tables read in batches and cut to the sample at once (the same hash of the same
        # keys), so memory holds only the sampled sentences, whatever the corpus size
        frames = sampled_batches(frame_path, [*KEY, "labels"], rate, seed)
        if frames.empty:
            continue
        texts = sampled_batches(text_path, [*KEY, "text"], rate, seed)
        parts.append(frames.merge(texts, on=KEY))
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


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
