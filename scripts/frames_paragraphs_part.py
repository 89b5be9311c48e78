"""One range of the per-paragraph codebook frame table (rule frames_paragraphs_part): the
frames_sentences shards' paragraphs of one range of the corpus (equal numbers of articles),
merged batch by batch in corpus order (doc_index) and written as CSV (the first range with the
header line), and the exact paragraph-position sums of the range (JSON) for frames_gather. The
ranges run side by side on the cores; rule frames_paragraphs joins their CSV files."""

import json

from newslens.frames_merge import PositionSums
from newslens.runtime import atomic_path, log, run
from newslens.shards_ranges import corpus_order, gather_csv_range, range_cuts


def main(smk):
    part, n_parts = int(smk.wildcards.part), int(smk.params.n_parts)
    key, index = corpus_order(smk.input.docs)
    cuts = range_cuts(index, n_parts)
    positions = PositionSums(int(smk.params.max_paragraphs))
    columns = None

    def each(table, n_docs):
        nonlocal columns
        if columns is None:
            columns = [c for c in table.column_names if c == "para_id" or c.startswith("share_")]
        positions(table.select(columns).to_pandas(), n_docs=n_docs)

    n_rows = gather_csv_range(
        smk.input.paragraphs,
        key,
        smk.output.csv,
        cuts[part - 1],
        cuts[part],
        header=part == 1,
        batch_rows=int(smk.params.batch_rows),
        each=each,
    )
    with atomic_path(smk.output.positions) as tmp:
        tmp.write_text(json.dumps(positions.to_json()), encoding="utf-8")
    log.info("range %d of %d: %d paragraphs", part, n_parts, n_rows)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
