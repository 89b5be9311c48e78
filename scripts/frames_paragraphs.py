"""The per-paragraph codebook frame table (rule frames_paragraphs): the CSV files of the
frames_paragraphs_part jobs (consecutive ranges of the corpus, the first with the header line)
joined in order, a file copy."""

import shutil

from newslens.runtime import atomic_path, log, run


def main(smk):
    with atomic_path(smk.output.paragraphs) as tmp, open(tmp, "wb") as out:
        for path in smk.input.parts:
            with open(path, "rb") as part:
                shutil.copyfileobj(part, out, 16 * 2**20)
    log.info("%s: %d ranges joined", smk.output.paragraphs, len(smk.input.parts))


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
