"""Actors x frames of one shard (rule frames_actors_shard): per actor and frame, the sentences
naming the actor that carry the frame (counts and share sums, summed over the shards by rule
frames_actors), and the actors the shard's per-article targets list."""

import json
import logging

import pandas as pd
from newslens.codebook import Codebook
from newslens.framing import shard_actor_counts
from newslens.runtime import atomic_path, run, write_table

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    counts = shard_actor_counts(smk.input.actors, smk.input.frames, cb, int(smk.params.batch_rows))
    write_table(counts, smk.output.counts)
    # per-article targets (never named ones too)
    targets = pd.read_parquet(smk.input.targets, columns=["actor"])["actor"]
    named = sorted({str(a) for a in targets.dropna().unique()})
    with atomic_path(smk.output.targets) as tmp:
        tmp.write_text(json.dumps(named, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("%d actor x frame rows, %d target actors", len(counts), len(named))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
