"""Rule compare_evidence: the passages behind the compare stage's numbers, in one job.
Keyword-in-context lines for the configured terms and each comparison's top keyness terms
(from the token dataset: one scan of four columns for the hits, then the context of the
sampled hits only), a few seeded example sentences per frame x group and per actor x group,
and the three tables as interactive pages in the report."""

import logging

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from newslens import compare as cp
from newslens import compare_evidence as ce
from newslens.compare_codes import read_coded
from newslens.report_tables import interactive_table
from newslens.runtime import (
    NewslensError,
    atomic_path,
    iter_parquet_arrow,
    run,
    write_table,
)

log = logging.getLogger("newslens")

TITLES = {
    "kwic": "Keyword in context, per comparison",
    "frame_examples": "Example sentences per frame and group",
    "actor_examples": "Example sentences per actor and group",
}


def kwic_lines(smk, groups) -> pd.DataFrame:
    """The KWIC table: hits of every wanted term, a seeded sample per comparison and term,
    then the context of the sampled lines."""
    p = smk.params
    try:
        keyness = pd.read_csv(smk.input.keyness, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {smk.input.keyness}: {err}; rerun snakemake") from err
    targets = ce.kwic_targets(keyness, p.terms, p.top_keyness)
    wanted = set(targets["term"].astype(str))
    hits = ce.scan_hits(smk.input.tokens, wanted)
    tab = ce.kwic_table(hits, targets, groups, p.reference, p.max_rows, p.seed, p.min_articles)
    if len(tab):
        lines = ce.scan_contexts(smk.input.tokens, tab, p.window)
        tab["left"] = [a for a, _k, _b in lines]
        tab["keyword"] = [k for _a, k, _b in lines]
        tab["right"] = [b for _a, _k, b in lines]
    tab = tab.reindex(columns=ce.KWIC_COLUMNS)
    log.info("KWIC: %d terms, %d context lines found, %d kept", len(wanted), len(hits), len(tab))
    found = set(hits["term"].astype(str)) if len(hits) else set()
    missing = sorted({str(t).lower() for t in p.terms} - found)
    if missing:
        log.warning("compare.kwic.terms not found in the corpus: %s", ", ".join(missing))
    return tab


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


def examples(smk, groups) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded example sentences per frame x group and per actor x group, with their text."""
    p = smk.params
    # the keys read dictionary-encoded: one string per distinct value, codes per row
    frames = read_coded(
        smk.input.frames, ["doc_id", "sent_id", "primary_frame"], ["doc_id", "primary_frame"]
    )
    tab = ce.frame_examples(frames, groups, p.examples, p.seed)
    actor_rows = read_coded(
        smk.input.actors, ["doc_id", "sent_id", "actor", "compound"], ["doc_id", "actor"]
    )
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
    return tab, actors


def report_page(df: pd.DataFrame, name: str, source: str, path, max_rows: int) -> None:
    """One evidence table as an interactive report page (as written to ``source``)."""
    if "compound" in df.columns:
        df["compound"] = pd.to_numeric(df["compound"], errors="coerce")
    page = interactive_table(df, TITLES[name], source, int(max_rows))
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    log.info("%s: %d rows -> %s", source, len(df), path)


def main(smk):
    p = smk.params
    if not p.by:
        log.info("compare.by is empty: writing empty evidence tables")
        kwic = pd.DataFrame(columns=ce.KWIC_COLUMNS)
        frame_ex = pd.DataFrame(columns=ce.EXAMPLE_COLUMNS)
        actor_ex = pd.DataFrame(columns=ce.ACTOR_EXAMPLE_COLUMNS)
    else:
        groups = cp.read_groups(smk.input.documents, p.by)
        kwic = kwic_lines(smk, groups)
        frame_ex, actor_ex = examples(smk, groups)
    for name, tab in (("kwic", kwic), ("frame_examples", frame_ex), ("actor_examples", actor_ex)):
        write_table(tab, smk.output[name])
        # the page shows the table as written (read back, so values print as in the CSV)
        shown = pd.read_csv(smk.output[name], keep_default_na=False, dtype=str)
        report_page(shown, name, smk.output[name], smk.output[f"{name}_page"], p.report_rows)


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
