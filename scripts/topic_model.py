"""Rule topic_model: fit the K grid, choose K by the documented rule, fit the chosen model on
the fit sample and transform every unit (newslens.topics_select)."""

from newslens.runtime import run
from newslens.topics_select import run_topic_model


def main(smk):
    run_topic_model(smk.input, smk.output, smk.params, smk.threads)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
