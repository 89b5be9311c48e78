"""Rule compare_examples: a few seeded example sentences per frame x group, with their text,
so that the frames-by-group numbers can be read back in the articles."""

import logging

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from newslens import compare as cp
from newslens.runtime import iter_parquet_arrow, read_parquet, run, write_table

log = logging.getLogger("newslens")


def main(smk):
    p = smk.params
    if not p.by:
        log.info("compare.by is empty: writing an empty examples table")
        write_table(pd.DataFrame(columns=cp.EXAMPLE_COLUMNS), smk.output.table)
        return
    groups = cp.read_groups(smk.input.documents, p.by)
    frames = read_parquet(smk.input.frames, columns=["doc_id", "sent_id", "primary_frame"])
    tab = cp.frame_examples(frames, groups, p.examples, p.seed)
    if len(tab):
        wanted = pa.array(sorted(set(tab["doc_id"])))
        texts = {}
        for batch in iter_parquet_arrow(
            smk.input.sentences, 200_000, ["doc_id", "sent_id", "text"]
        ):
            hit = batch.filter(pc.is_in(batch.column("doc_id").cast(pa.string()), value_set=wanted))
            for d, s, t in zip(
                *(hit.column(c).to_pylist() for c in ("doc_id", "sent_id", "text")), strict=True
            ):
                texts[(str(d), int(s))] = t
        tab["text"] = [
            texts.get((d, int(s)), "") for d, s in zip(tab["doc_id"], tab["sent_id"], strict=True)
        ]
    log.info(
        "examples: %d sentences in %d frame x group cells",
        len(tab),
        tab[["variable", "group", "frame"]].drop_duplicates().shape[0],
    )
    write_table(tab, smk.output.table)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
