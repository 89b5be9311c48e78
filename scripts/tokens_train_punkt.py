"""Train NLTK Punkt on the corpus itself (unsupervised), plus the configured abbreviations."""

from newslens.runtime import atomic_path, log, read_parquet, run
from newslens.tokenize import punkt_to_json, punkt_training_text, train_punkt


def main(smk):
    dropped = set(read_parquet(smk.input.dropped)["doc_id"])
    text = punkt_training_text(smk.input.clean, dropped, smk.params.training_chars)
    params = train_punkt(text, smk.params.abbreviations)
    with atomic_path(smk.output.params) as tmp:
        tmp.write_text(punkt_to_json(params), encoding="utf-8")
    log.info(
        "Punkt trained on %d characters: %d abbreviations, %d collocations, %d sentence starters",
        len(text),
        len(params.abbrev_types),
        len(params.collocations),
        len(params.sent_starters),
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
