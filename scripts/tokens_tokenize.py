"""Paragraphs, sentences and tokens of one shard, plus its per-document counts and n-grams."""

import itertools
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from newslens.columns import DOC_COLUMNS
from newslens.runtime import (
    ParquetShardWriter,
    atomic_path,
    iter_parquet_arrow,
    log,
    read_parquet,
    run,
    write_table,
)
from newslens.shards import PartWriter, block_of
from newslens.shards_gather import TABLE_ROW_GROUP_ROWS
from newslens.tokenize import (
    PARAGRAPH_SCHEMA,
    SENTENCE_SCHEMA,
    TOKEN_SCHEMA,
    DictionaryPartWriter,
    ShardTokenizer,
    load_stopwords,
    part_writer_options,
    punkt_from_json,
    write_by_block,
)

BATCH_ROWS = 1000  # articles per batch: ~450k tokens, ~0.3 GB of tables


def empty_frame(columns, ints=(), bools=()):
    return pd.DataFrame(
        {
            c: pd.Series([], dtype="int64" if c in ints else bool if c in bools else object)
            for c in columns
        }
    )


def part_writer(folder, part_list, schema) -> PartWriter:
    """A part writer with the part files' writer options (``part_writer_options``)."""
    return PartWriter(folder, part_list, schema, options=part_writer_options(schema))


def main(smk):
    settings = dict(smk.params.settings)
    metadata = list(smk.params.metadata)
    stopwords = load_stopwords(smk.input.stopwords)
    params = punkt_from_json(Path(smk.input.punkt).read_text(encoding="utf-8"))
    tokenizer = ShardTokenizer(params, settings, stopwords, dictionary_strings=True)
    dropped = pa.array(sorted(read_parquet(smk.input.dropped)["doc_id"]), type=pa.large_string())
    ints = {
        "doc_index",
        "para_id",
        "sent_id",
        "tok_id",
        "start",
        "end",
        "n_tokens",
        "n_terms",
        "n_sentences",
        "n_paragraphs",
    }
    doc_cols = DOC_COLUMNS + metadata + ["n_paragraphs", "n_sentences", "n_tokens", "n_terms"]
    read_columns = list(dict.fromkeys(DOC_COLUMNS + metadata + ["text"]))  # not the minhashes
    n_docs = n_tokens = 0
    folders, part_articles = smk.params.tables, smk.params.part_articles
    with (
        part_writer(folders["paragraphs"], smk.output.paragraphs, PARAGRAPH_SCHEMA) as paras_w,
        part_writer(folders["sentences"], smk.output.sentences, SENTENCE_SCHEMA) as sents_w,
        # the token strings as the tokenizer's dictionary arrays: not hashed again by Parquet
        DictionaryPartWriter(
            folders["tokens"],
            smk.output.tokens,
            TOKEN_SCHEMA,
            options=part_writer_options(TOKEN_SCHEMA),
        ) as toks_w,
        ParquetShardWriter(smk.output.docs, empty_frame(doc_cols, ints)) as docs_w,
    ):
        for batch in iter_parquet_arrow(smk.input.clean, BATCH_ROWS, read_columns):
            doc_ids = batch.column("doc_id").cast(pa.large_string())
            batch = batch.filter(pc.invert(pc.is_in(doc_ids, value_set=dropped)))
            if batch.num_rows == 0:
                continue
            out = tokenizer.tokenize(
                batch.column("doc_id").to_pylist(), batch.column("text").to_pylist()
            )
            # each part file holds one block of articles (newslens.shards): split the rows
            blocks = block_of(batch.column("doc_index").to_numpy(), part_articles)
            for writer, table, rows in (
                (paras_w, out.paragraphs, "n_paragraphs"),
                (sents_w, out.sentences, "n_sentences"),
                (toks_w, out.tokens, "n_tokens"),
            ):
                write_by_block(writer, table, batch.column("doc_id"), blocks, out.doc_counts[rows])
            docs = batch.select(DOC_COLUMNS + metadata).to_pandas()
            for key, counts in out.doc_counts.items():
                docs[key] = counts
            docs_w.write(docs)
            n_docs, n_tokens = n_docs + batch.num_rows, n_tokens + out.tokens.num_rows
    n_types = tokenizer.n_types
    n_ngrams = write_ngrams(tokenizer, smk.output.ngrams)
    log.info(
        "tokenized %d articles: %d tokens, %d word types, %d distinct n-grams",
        n_docs,
        n_tokens,
        n_types,
        n_ngrams,
    )


def write_ngrams(tokenizer, path) -> int:
    """The shard's n-gram counts, one row group at a time (the strings of one row group in
    memory; the bytes are those of pq.write_table of the whole table). Returns the rows."""
    tables = tokenizer.iter_ngram_tables(TABLE_ROW_GROUP_ROWS)
    first = next(tables, None)
    if first is None:
        empty = empty_frame(["ngram", "n", "count", "doc_freq"], {"n", "count", "doc_freq"})
        write_table(empty, path)
        return 0
    n_rows = 0
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, first.schema) as writer:
        for table in itertools.chain([first], tables):
            writer.write_table(table)
            n_rows += table.num_rows
    return n_rows


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
