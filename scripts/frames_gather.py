"""Gather the per-shard codebook frames into corpus tables and codebook diagnostics
(rule frames_gather): the frame sentences' manifest (the frames_sentences jobs wrote the parts),
the paragraph-position table from the partial sums of the frames_paragraphs_part jobs (exact,
so independent of the shards and ranges), the article table and the diagnostics. The paragraph
table is rules frames_paragraphs_part (ranges of the corpus, beside this one) and
frames_paragraphs."""

import json
import logging
from pathlib import Path

import pandas as pd
from newslens.codebook import Codebook
from newslens.frames_merge import PositionSums
from newslens.framing import diagnostics, merge_hit_counts
from newslens.runtime import read_parquet, run, write_table
from newslens.shards_gather import merge_part_lists, write_csv

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    csv_out = smk.output.get("sentences_csv")
    # the sentence table is partitioned (newslens.shards): the frames_sentences jobs wrote its
    # parts; here its manifest (part files of earlier runs removed) and, on request, one CSV
    manifest = Path(smk.output.sentences_parquet)
    n_sent = merge_part_lists(smk.input.sentences, manifest.parent, manifest)
    if csv_out:
        write_csv(manifest, csv_out)
    # the paragraph-position sums of the frames_paragraphs_part ranges (exact, so their sum is
    # what one pass over all paragraphs gives)
    positions = PositionSums(int(smk.params.max_paragraphs))
    for path in smk.input.positions:
        positions.merge_json(json.loads(Path(path).read_text(encoding="utf-8")))
    write_table(positions.table(), smk.output.positions)
    docs = pd.concat([read_parquet(p) for p in smk.input.documents], ignore_index=True)
    write_table(docs.sort_values("doc_id", kind="stable"), smk.output.documents)
    n_docs = len(docs)
    del docs
    counts = merge_hit_counts([read_parquet(p) for p in smk.input.counts])
    examples = pd.concat([read_parquet(p) for p in smk.input.examples], ignore_index=True)
    diag = diagnostics(counts, examples, cb, int(smk.params.top_terms), int(smk.params.n_examples))
    write_table(diag, smk.output.diagnostics)
    dead = diag[(diag["n_hits"] == 0) & ~diag["residual"]]["frame"].tolist()
    log.info("%d sentences, %d articles gathered", n_sent, n_docs)
    if dead:
        log.warning("frames without a single indicator hit in the corpus: %s", ", ".join(dead))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
