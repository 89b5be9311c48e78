"""Paragraphs, sentences and tokens of one shard, plus its per-document counts and n-grams."""

from pathlib import Path

import pandas as pd
from newslens.runtime import ParquetShardWriter, iter_parquet, log, read_parquet, run, write_table
from newslens.tokenize import (
    PARAGRAPH_COLUMNS,
    SENTENCE_COLUMNS,
    TOKEN_COLUMNS,
    count_terms_and_ngrams,
    load_stopwords,
    punkt_from_json,
    sentence_splitter,
    tokenize_documents,
)

DOC_COLUMNS = ["doc_index", "doc_id", "title", "date", "author", "role", "lede", "source"]


def empty_frame(columns, ints=(), bools=()):
    return pd.DataFrame(
        {
            c: pd.Series([], dtype="int64" if c in ints else bool if c in bools else object)
            for c in columns
        }
    )


def main(smk):
    settings = dict(smk.params.settings)
    metadata = list(smk.params.metadata)
    stopwords = load_stopwords(smk.input.stopwords)
    splitter = sentence_splitter(punkt_from_json(Path(smk.input.punkt).read_text(encoding="utf-8")))
    dropped = set(read_parquet(smk.input.dropped)["doc_id"])
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
    type_cache = None
    ngram_parts = []
    n_docs = n_tokens = 0
    with (
        ParquetShardWriter(smk.output.paragraphs, empty_frame(PARAGRAPH_COLUMNS, ints)) as paras_w,
        ParquetShardWriter(smk.output.sentences, empty_frame(SENTENCE_COLUMNS, ints)) as sents_w,
        ParquetShardWriter(
            smk.output.tokens, empty_frame(TOKEN_COLUMNS, ints, {"is_stop", "keep"})
        ) as toks_w,
        ParquetShardWriter(smk.output.docs, empty_frame(doc_cols, ints)) as docs_w,
    ):
        for batch in iter_parquet(smk.input.clean, batch_rows=1000):
            batch = batch.loc[~batch["doc_id"].isin(dropped)]
            if batch.empty:
                continue
            paras, sents, toks, type_cache = tokenize_documents(
                batch, splitter, settings, stopwords, type_cache
            )
            paras_w.write(paras)
            sents_w.write(sents)
            toks_w.write(toks)
            docs = batch[DOC_COLUMNS + metadata].copy()
            docs["n_paragraphs"] = (
                docs["doc_id"].map(paras.groupby("doc_id").size()).fillna(0).astype("int64")
            )
            docs["n_sentences"] = (
                docs["doc_id"].map(sents.groupby("doc_id").size()).fillna(0).astype("int64")
            )
            docs["n_tokens"] = (
                docs["doc_id"].map(toks.groupby("doc_id").size()).fillna(0).astype("int64")
            )
            docs["n_terms"] = (
                docs["doc_id"].map(toks.groupby("doc_id")["keep"].sum()).fillna(0).astype("int64")
            )
            docs_w.write(docs)
            ngram_parts.append(count_terms_and_ngrams(toks, settings["ngram_max"]))
            n_docs, n_tokens = n_docs + len(batch), n_tokens + len(toks)
    if ngram_parts:
        ngrams = (
            pd.concat(ngram_parts, ignore_index=True)
            .groupby(["ngram", "n"], as_index=False, sort=False)[["count", "doc_freq"]]
            .sum()
        )
    else:
        ngrams = empty_frame(["ngram", "n", "count", "doc_freq"], {"n", "count", "doc_freq"})
    write_table(ngrams, smk.output.ngrams)
    log.info("tokenized %d articles: %d tokens, %d distinct n-grams", n_docs, n_tokens, len(ngrams))


run(main, snakemake)
