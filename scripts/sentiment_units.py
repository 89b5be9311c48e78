"""Per shard: mean compound and label shares per article and per paragraph, with percentile
bootstrap CIs over their sentences (rule sentiment_units)."""

from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import document_label, within_unit_ci


def main(smk):
    scored = read_parquet(smk.input.scores)
    boot, th = smk.params.bootstrap, smk.params.thresholds
    for keys, path in (
        (["doc_id"], smk.output.documents),
        (["doc_id", "para_id"], smk.output.paragraphs),
    ):
        table = within_unit_ci(scored, keys, boot["resamples"], boot["seed"], boot["confidence"])
        table["label"] = document_label(table["compound"], th["negative"], th["positive"])
        log.info("%d rows by %s from %s", len(table), keys, smk.input.scores)
        write_table(table, path)


run(main, snakemake)
