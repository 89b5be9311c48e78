"""Reference code of the tokenize tests, used only by tests: NLTK's own Punkt tokenizer (that the
fast ``SentenceSplitter`` must equal), a pandas view of one ``ShardTokenizer`` batch, and the
n-gram counts of a pandas token table (tests/test_clean_tokenize.py, test_tokenize_fast.py,
test_tok_fastpath.py, test_speed_punkt_plain.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from newslens.tokenize import NgramCounter, SentenceSplitter, ShardTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer


def sentence_splitter(params: PunktParameters) -> PunktSentenceTokenizer:
    """NLTK's Punkt tokenizer with the trained ``params``: the reference of the fast splitter."""
    return PunktSentenceTokenizer(params)


def tokenize_documents(
    docs: pd.DataFrame,
    splitter: PunktSentenceTokenizer | SentenceSplitter | ShardTokenizer,
    settings: dict,
    stopwords: set[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, ShardTokenizer]:
    """Segment and tokenize a batch of clean articles (columns doc_id, text) into DataFrames
    (paragraphs, sentences, tokens) with ``ShardTokenizer``, which is returned too (pass it
    instead of ``splitter`` for the next batch to reuse its type table and n-gram counts)."""
    if isinstance(splitter, ShardTokenizer):
        tokenizer = splitter
    else:
        tokenizer = ShardTokenizer(splitter, settings, stopwords)
    out = tokenizer.tokenize(docs["doc_id"].tolist(), docs["text"].tolist())
    return (
        out.paragraphs.to_pandas(),
        out.sentences.to_pandas(),
        out.tokens.to_pandas(),
        tokenizer,
    )


def count_terms_and_ngrams(tokens: pd.DataFrame, ngram_max: int) -> pd.DataFrame:
    """Counts of kept terms and of n-grams of consecutive kept terms within one sentence
    (n-grams never cross sentences) of a token table: columns ngram, n, count, doc_freq."""
    kept = tokens.loc[tokens["keep"], ["doc_id", "sent_id", "term"]]
    term_ids, vocab = pd.factorize(kept["term"].to_numpy(dtype=object))
    doc_codes = pd.factorize(kept["doc_id"].to_numpy(dtype=object))[0].astype(np.int64)
    sent_codes = doc_codes * (int(kept["sent_id"].max()) + 1 if len(kept) else 1) + kept[
        "sent_id"
    ].to_numpy(dtype=np.int64)
    counter = NgramCounter(ngram_max)
    counter.add(term_ids, sent_codes, doc_codes)
    return counter.table(pa.array(list(vocab), type=pa.large_string())).to_pandas()
