"""Interactive tables for the HTML report (rule report_tables): each key table as a
self-contained page (sortable, searchable, offline) that the report shows in place."""

import pandas as pd
from newslens.report_tables import interactive_table
from newslens.runtime import atomic_path, log, run

TITLES = {
    "documents": "Documents: one row per article",
    "frames_documents": "Frames per article",
    "sentiment_actors": "Sentiment toward each actor",
    "frames_actors": "Actors x frames",
    "topic_summary": "Topics",
}


def main(smk):
    for name, path in smk.input.items():
        df = pd.read_csv(path, keep_default_na=False, na_values=[""], low_memory=False)
        page = interactive_table(df, TITLES[name], path, int(smk.params.max_rows))
        with atomic_path(getattr(smk.output, name)) as tmp:
            tmp.write_text(page, encoding="utf-8")
        log.info("%s: %d rows -> %s", path, len(df), getattr(smk.output, name))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
