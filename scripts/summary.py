"""Write results/summary.md from the result tables (numbers drawn, never typed)."""

import pandas as pd
from newslens.runtime import atomic_path, log, run
from newslens.summary import (
    build_summary,
    corpus_section,
    frames_verdict_section,
    framing_section,
    sentiment_section,
    summary_html,
    topics_section,
)


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def main(smk):
    inp = smk.input
    documents = read(inp.documents)
    documents["date"] = documents["date"].fillna("")
    sections = [
        corpus_section(documents, read(inp.audit)),
        sentiment_section(
            read(inp.sentiment_groups),
            read(inp.sentiment_documents),
            read(inp.sentiment_actors),
            smk.params.confidence,
        ),
        framing_section(read(inp.frames_distribution), read(inp.frames_actors)),
        topics_section(read(inp.topic_summary), read(inp.topic_selection), smk.params.k_rule),
    ]
    if inp.get("frames_verdict"):  # validation against human frame codes
        sections.insert(
            3, frames_verdict_section(open(inp.frames_verdict, encoding="utf-8").read())
        )
    text = build_summary(sections, smk.params.corpus_path)
    with atomic_path(smk.output.summary) as tmp:
        tmp.write_text(text, encoding="utf-8")
    with atomic_path(smk.output.html) as tmp:
        tmp.write_text(summary_html(text), encoding="utf-8")
    log.info("summary: %d lines", text.count("\n"))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
