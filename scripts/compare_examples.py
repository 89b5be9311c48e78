"""Rule compare_examples: a few seeded example sentences per frame x group and per actor x
group, with their text, so that the frames-by-group and actors-by-group numbers can be read
back in the articles."""

import logging

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from newslens import compare as cp
from newslens import compare_evidence as ce
from newslens.runtime import iter_parquet_arrow, read_parquet, run, write_table

log = logging.getLogger("newslens")


def sentence_texts(tables, sentences_path) -> dict:
    """The text of every (doc_id, sent_id) named in ``tables``, read from the sentence table
    streamed, keeping only the articles the tables name."""
    wanted = sorted({d for t in tables for d in t["doc_id"]})
    texts = {}
    if not wanted:
        return texts
    value_set = pa.array(wanted)
    for batch in iter_parquet_arrow(sentences_path, 200_000, ["doc_id", "sent_id", "text"]):
        hit = batch.filter(pc.is_in(batch.column("doc_id").cast(pa.string()), value_set=value_set))
        for d, s, t in zip(
            *(hit.column(c).to_pylist() for c in ("doc_id", "sent_id", "text")), strict=True
        ):
            texts[(str(d), int(s))] = t
    return texts


def main(smk):
    p = smk.params
    if not p.by:
        log.info("compare.by is empty: writing empty examples tables")
        write_table(pd.DataFrame(columns=ce.EXAMPLE_COLUMNS), smk.output.table)
        write_table(pd.DataFrame(columns=ce.ACTOR_EXAMPLE_COLUMNS), smk.output.actors)
        return
    groups = cp.read_groups(smk.input.documents, p.by)
    frames = read_parquet(smk.input.frames, columns=["doc_id", "sent_id", "primary_frame"])
    tab = ce.frame_examples(frames, groups, p.examples, p.seed)
    actor_rows = read_parquet(smk.input.actors, columns=["doc_id", "sent_id", "actor", "compound"])
    actors = ce.actor_examples(actor_rows, groups, p.examples, p.seed, primary=frames)
    texts = sentence_texts([tab, actors], smk.input.sentences)
    for t in (tab, actors):
        t["text"] = [
            texts.get((d, int(s)), "") for d, s in zip(t["doc_id"], t["sent_id"], strict=True)
        ]
    log.info(
        "examples: %d sentences in %d frame x group cells; %d in %d actor x group cells",
        len(tab),
        tab[["variable", "group", "frame"]].drop_duplicates().shape[0],
        len(actors),
        actors[["variable", "group", "actor"]].drop_duplicates().shape[0],
    )
    write_table(tab, smk.output.table)
    write_table(actors, smk.output.actors)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
