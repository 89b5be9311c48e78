"""Per shard: mean compound and label shares per article and per paragraph, with percentile
bootstrap CIs over their sentences (rule sentiment_units).

Streams the shard in batches of whole articles (an article's interval depends on its own
sentences only, so batching does not change it); rows are written in the shard's article
order, as the sentences are (an article's paragraphs by para_id)."""

import pandas as pd
from newslens.runtime import NewslensError, ParquetShardWriter, iter_parquet, log, run
from newslens.sentiment import SENTENCE_COLUMNS, document_label, shard_order, within_unit_ci
from newslens.shards_gather import OrderError, whole_groups

UNITS = {"documents": ["doc_id"], "paragraphs": ["doc_id", "para_id"]}


def unit_table(scored, keys, boot, th):
    table = within_unit_ci(scored, keys, boot["resamples"], boot["seed"], boot["confidence"])
    table["label"] = document_label(table["compound"], th["negative"], th["positive"])
    return shard_order(table, scored["doc_id"])


def main(smk):
    boot, th = smk.params.bootstrap, smk.params.thresholds
    no_rows = pd.DataFrame({c: [] for c in SENTENCE_COLUMNS})
    counts = dict.fromkeys(UNITS, 0)
    with (
        ParquetShardWriter(
            smk.output.documents, unit_table(no_rows, UNITS["documents"], boot, th)
        ) as documents,
        ParquetShardWriter(
            smk.output.paragraphs, unit_table(no_rows, UNITS["paragraphs"], boot, th)
        ) as paragraphs,
    ):
        writers = {"documents": documents, "paragraphs": paragraphs}
        batches = whole_groups(iter_parquet(smk.input.scores, smk.params.batch_rows))
        try:
            for scored in batches:
                for name, keys in UNITS.items():
                    table = unit_table(scored, keys, boot, th)
                    writers[name].write(table)
                    counts[name] += len(table)
        except OrderError as err:
            raise NewslensError(
                f"{smk.input.scores}: {err}; delete it and rerun snakemake to rebuild it."
            ) from err
    log.info("%(documents)d articles, %(paragraphs)d paragraphs", counts)
    log.info("from %s", smk.input.scores)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
