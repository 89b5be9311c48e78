"""Supervised option, step 3: gather the supervised labels and compare them with VADER's
(share identical, Cohen's kappa, cross-table) (rule sentiment_supervised_compare). Streams:
one shard in memory at a time."""

import pandas as pd
import pyarrow as pa
from newslens.figures import apply_style, save_figure
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import LABELS
from newslens.sentiment_eval import agreement_from_counts, confusion_table
from newslens.sentiment_figures import plot_supervised
from newslens.shards_gather import gather_parquet

SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("para_id", pa.int64()), ("sent_id", pa.int64())]
    + [("label_vader", pa.string()), ("label_supervised", pa.string())]
    + [("score_supervised", pa.float64())]
)


def main(smk):
    cross = confusion_table([], [], LABELS)

    def shards():
        for path in smk.input.labels:
            df = read_parquet(path)
            cross["n"] += confusion_table(df["label_vader"], df["label_supervised"], LABELS)["n"]
            yield df

    gather_parquet(shards(), smk.output.sentences, SCHEMA, ["doc_id", "sent_id"])
    agree = agreement_from_counts(cross)
    log.info("agreement with VADER on the corpus: %s", agree.to_dict("records"))
    write_table(agree, smk.output.agreement)
    write_table(
        cross.rename(columns={"true": "vader", "predicted": "supervised"}), smk.output.crosstab
    )
    cv = pd.read_csv(smk.input.confusion)
    apply_style()
    save_figure(plot_supervised(cv, cross, smk.params.folds), smk.output.png, smk.output.svg)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
