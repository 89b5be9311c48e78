"""Rule compare_report_tables: the evidence of the compare stage (keyword in context, example
sentences per frame x group and per actor x group) as interactive pages in the report
(sortable, searchable, offline), so every comparison can be read back in the text."""

import pandas as pd
from newslens.report_tables import interactive_table
from newslens.runtime import NewslensError, atomic_path, log, run

TITLES = {
    "kwic": "Keyword in context, per comparison",
    "frame_examples": "Example sentences per frame and group",
    "actor_examples": "Example sentences per actor and group",
}


def main(smk):
    for name, path in smk.input.items():
        try:
            df = pd.read_csv(path, keep_default_na=False, dtype=str)
        except (OSError, ValueError) as err:
            raise NewslensError(f"cannot read {path}: {err}; rerun snakemake") from err
        if "compound" in df.columns:
            df["compound"] = pd.to_numeric(df["compound"], errors="coerce")
        page = interactive_table(df, TITLES[name], path, int(smk.params.max_rows))
        with atomic_path(getattr(smk.output, name)) as tmp:
            tmp.write_text(page, encoding="utf-8")
        log.info("%s: %d rows -> %s", path, len(df), getattr(smk.output, name))


if __name__ == "__main__":
    run(main, snakemake)  # noqa: F821
