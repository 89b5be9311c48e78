"""Write results/summary.md from the result tables (numbers drawn, never typed)."""

import pandas as pd
from newslens.names import frame_display_names, topic_display_names
from newslens.runtime import atomic_path, log, run
from newslens.summary import (
    build_summary,
    compare_section,
    corpus_section,
    frames_verdict_section,
    framing_section,
    sentiment_section,
    summary_html,
    topics_section,
)


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def compare_sections(smk, frames_distribution, topic_summary):
    """The comparisons section from the compare tables (group and item names read as text)."""
    p = smk.params

    def table(path):
        return pd.read_csv(
            path, keep_default_na=False, na_values=[""], dtype={"group": str, "item": str}
        )

    return compare_section(
        table(smk.input.compare_keyness),
        {kind: table(smk.input[f"compare_{kind}"]) for kind in ("frames", "actors", "topics")},
        list(p.compare_by),
        frame_names=frame_display_names(frames_distribution),
        topic_names=topic_display_names(topic_summary),
        max_rows=p.max_compare_rows,
        max_comparisons=p.max_comparisons,
        min_cell_n=p.min_cell_n,
        confidence=p.compare_confidence,
        min_articles=p.min_articles,
    )


def main(smk):
    inp = smk.input
    documents = read(inp.documents)
    documents["date"] = documents["date"].fillna("")
    frames_distribution, topic_summary = read(inp.frames_distribution), read(inp.topic_summary)
    sections = [
        corpus_section(documents, read(inp.audit)),
        sentiment_section(
            read(inp.sentiment_groups),
            read(inp.sentiment_documents),
            read(inp.sentiment_actors),
            smk.params.confidence,
        ),
        framing_section(frames_distribution, read(inp.frames_actors)),
        topics_section(topic_summary, read(inp.topic_selection), smk.params.k_rule),
    ]
    sections.append(compare_sections(smk, frames_distribution, topic_summary))
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
