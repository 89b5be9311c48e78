"""Gather the per-shard codebook frames into corpus tables and codebook diagnostics
(rule frames_gather): the manifests of the frame sentences and frame paragraphs (partitioned
tables: the frames_sentences jobs wrote the parts; CSV twins only on request), the
paragraph-position table from the shards' partial sums (exact, so independent of the shards),
the article table and the diagnostics."""

import json
import logging
from pathlib import Path

import pandas as pd
from newslens.codebook import Codebook
from newslens.frames_merge import PositionSums
from newslens.framing import diagnostics, merge_hit_counts
from newslens.runtime import read_parquet, run, write_table
from newslens.shards_gather import merge_part_lists, remove_stale_csv_twin, write_csv

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    # the sentence and paragraph tables are partitioned (newslens.shards): the frames_sentences
    # jobs wrote their parts; here their manifests (part files of earlier runs removed) and, on
    # request, one CSV each
    n_rows = {}
    for name in ("sentences", "paragraphs"):
        manifest = Path(getattr(smk.output, f"{name}_parquet"))
        n_rows[name] = merge_part_lists(getattr(smk.input, name), manifest.parent, manifest)
        csv_out = smk.output.get(f"{name}_csv")
        if csv_out:
            write_csv(manifest, csv_out)
        else:
            remove_stale_csv_twin(manifest)
    # the paragraph-position sums of the shards (exact, so their sum is what one pass over all
    # paragraphs gives)
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
    log.info(
        "%d sentences, %d paragraphs, %d articles gathered",
        n_rows["sentences"],
        n_rows["paragraphs"],
        n_docs,
    )
    if dead:
        log.warning("frames without a single indicator hit in the corpus: %s", ", ".join(dead))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
