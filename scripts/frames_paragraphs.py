"""The per-paragraph codebook frame table (rule frames_paragraphs, beside frames_gather): the
frames_sentences shards' paragraphs merged batch by batch in corpus order (doc_index, as the
corpus tables), so memory does not grow with the corpus and the table does not depend on the
number of shards."""

import pyarrow as pa
from newslens.runtime import log, run
from newslens.shards_gather import doc_keys, gather, read_arrow


def corpus_order_key(doc_paths):
    """The corpus position (doc_index) of each row, from the tokenize stage's document shards:
    the gathered tables list their rows in corpus order whatever the number of shards."""
    doc_schema = pa.schema([("doc_id", pa.large_string()), ("doc_index", pa.int64())])
    docs = pa.concat_tables(
        [read_arrow(p, ["doc_id", "doc_index"]).cast(doc_schema) for p in doc_paths]
    )
    ids = docs.column("doc_id").combine_chunks()
    index = docs.column("doc_index").to_numpy()

    def key(table):
        return doc_keys(table.column("doc_id"), ids, index)

    return key


def main(smk):
    n_paras = gather(
        smk.input.paragraphs,
        corpus_order_key(smk.input.docs),
        None,
        smk.output.paragraphs,
        csv_max_rows=None,
        batch_rows=int(smk.params.batch_rows),
    )
    log.info("%d paragraphs gathered", n_paras)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
