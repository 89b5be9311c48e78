"""The tokenize job's fast paths give exactly what the plain reference gives on tricky input:
Unicode letters and punctuation, hyphens, apostrophes, numbers, empty paragraphs and sentences,
very long tokens, cp1251-decoded Russian text (and its mojibake), one-token sentences (no bi- or
trigrams); the n-gram counter's persistent ids equal the plain per-sentence count, and the job's
per-block writing by slices writes the same part files as the per-row lookup."""

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens.shards import PartWriter, block_of
from newslens.tokenize import (
    TOKEN_SCHEMA,
    NgramCounter,
    ShardTokenizer,
    train_punkt,
    write_by_block,
)
from reference_tokenize import tokenize_documents
from test_tokenize_fast import (
    SETTINGS,
    STOPWORDS,
    reference_ngrams,
    reference_tokenize,
)

RUSSIAN = (
    "Премьер-министр Армении заявил, что переговоры продолжатся. «Мы готовы», — сказал он. "
    "В 2020 г. конфликт обострился; погибли 3 500 человек."
)
PIECES = [
    "well-known",
    "-",
    "--",
    "—",
    "–",
    "- -",
    "x-",
    "-y",
    "co-op-ed",
    "don't",
    "O'Neill",
    "rock'n'roll",
    "Armenia's",
    "Armenia\u2019s",
    "'s",
    "'",
    "\u2019",
    "''",
    "1,000.5",
    "3:45",
    "50%",
    "1990s",
    "2.",
    "No.",
    "U.S.",
    "e.g.",
    "…",
    "...",
    "«",
    "»",
    "„",
    "\u201c",
    "\u201d",
    "(",
    ")",
    "?!",
    "Ünïcödé",
    "straße",
    "ΑΘΗΝΑ",
    "Ελλάδα's",
    "東京",
    "ﬁne",
    "İstanbul",
    "x²",
    "٣٤",
    "😀",
    "#tag",
    "_a_",
    "a" * 3000,
    "b-" * 800 + "c",
    "9" * 2000,
]
WORDS = "the minister said talks in Yerevan and Baku would resume peace border troops".split()


def tricky_text(rng: random.Random) -> str:
    """An article of paragraphs mixing words, pieces, Russian (proper and as cp1252
    mojibake of its cp1251 bytes), one-token sentences and empty paragraphs."""
    russian = [
        RUSSIAN,
        RUSSIAN.encode("cp1251").decode("cp1252", errors="replace"),
        RUSSIAN.encode("cp1251").decode("cp1251"),
    ]
    paragraphs = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.15:
            paragraphs.append(rng.choice(russian))
        elif kind < 0.25:
            paragraphs.append(rng.choice(["Yes.", "Ok!", "War.", "No?", "Peace"]))
        elif kind < 0.3:
            paragraphs.append(rng.choice(["", " ", "\t", ".", ". . ."]))
        else:
            words = [
                rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(PIECES)
                for _ in range(rng.randint(1, 25))
            ]
            sentence = " ".join(w.capitalize() if rng.random() < 0.2 else w for w in words)
            paragraphs.append(sentence + rng.choice([".", ". Yes.", "!", "?", ""]))
    return rng.choice(["\n\n", "\n\n\n", "\n \n"]).join(paragraphs)


@pytest.fixture(scope="module")
def docs():
    rng = random.Random(16)
    texts = ["", "Yes.", "Ok. No. War.", RUSSIAN] + [tricky_text(rng) for _ in range(400)]
    return pd.DataFrame({"doc_id": [f"t{i:04d}" for i in range(len(texts))], "text": texts})


@pytest.fixture(scope="module")
def punkt(docs):
    return train_punkt("\n\n".join(docs["text"]), SETTINGS["abbreviations"])


def tokenized(docs, punkt, n_batches):
    tokenizer = ShardTokenizer(punkt, SETTINGS, STOPWORDS)
    bounds = np.linspace(0, len(docs), n_batches + 1).astype(int)
    parts = [
        tokenize_documents(docs.iloc[a:b], tokenizer, SETTINGS, STOPWORDS)[:3]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    return [pd.concat(p, ignore_index=True) for p in zip(*parts, strict=True)], tokenizer


@pytest.mark.parametrize("n_batches", [1, 7])
def test_tables_and_ngrams_equal_the_reference(docs, punkt, n_batches):
    (paragraphs, sentences, tokens), tokenizer = tokenized(docs, punkt, n_batches)
    want = reference_tokenize(docs, punkt)
    for got, ref in zip((paragraphs, sentences, tokens), want, strict=True):
        pd.testing.assert_frame_equal(got, ref, check_dtype=False)
    # the inputs hold what they are meant to
    assert tokens["token"].str.len().max() >= 3000
    assert tokens["token"].str.contains("[а-я]").sum() > 100
    assert (sentences["n_terms"] == 1).sum() > 50  # one-term sentences: no bi- or trigrams
    ngrams = tokenizer.ngram_table().to_pandas()
    ref = reference_ngrams(tokens, SETTINGS["ngram_max"])
    key = ["ngram", "n"]
    pd.testing.assert_frame_equal(
        ngrams.sort_values(key, ignore_index=True),
        ref.sort_values(key, ignore_index=True),
        check_dtype=False,
    )
    assert set(ngrams["n"]) == {1, 2, 3}


def test_ngram_ids_persist_across_batches():
    """Known answer: three batches, n-grams counted across them in first-appearance order."""
    counter = NgramCounter(3)
    # batch 0: one sentence "a b c", one sentence "b"; batch 1: "a b"; batch 2: "c" "a b c"
    counter.add(np.array([0, 1, 2, 1]), np.array([0, 0, 0, 1]), np.array([0, 0, 0, 0]))
    counter.add(np.array([0, 1]), np.array([0, 0]), np.array([0, 0]))
    counter.add(np.array([2, 0, 1, 2]), np.array([0, 1, 1, 1]), np.array([0, 1, 1, 1]))
    table = counter.table(pa.array(["a", "b", "c"], pa.large_string())).to_pandas()
    assert table.to_dict("records") == [
        {"ngram": "a", "n": 1, "count": 3, "doc_freq": 3},
        {"ngram": "b", "n": 1, "count": 4, "doc_freq": 3},
        {"ngram": "c", "n": 1, "count": 3, "doc_freq": 3},
        {"ngram": "a b", "n": 2, "count": 3, "doc_freq": 3},
        {"ngram": "b c", "n": 2, "count": 2, "doc_freq": 2},
        {"ngram": "a b c", "n": 3, "count": 2, "doc_freq": 2},
    ]


def test_write_by_block_slices_equal_the_row_lookup(docs, punkt, tmp_path):
    """The job's writing of a batch by slices of per-article row counts writes byte-identical
    part files to the per-row doc_id lookup, across blocks and with articles of no rows."""
    tokenizer = ShardTokenizer(punkt, SETTINGS, STOPWORDS)
    out = tokenizer.tokenize(docs["doc_id"].tolist(), docs["text"].tolist())
    doc_index = np.arange(len(docs)) * 3 + 5  # several blocks per batch
    blocks = block_of(doc_index, 100)
    assert len(set(blocks.tolist())) > 5 and (out.doc_counts["n_tokens"] == 0).any()
    files = {}
    for how in ("slices", "lookup"):
        folder = tmp_path / how
        with PartWriter(folder, tmp_path / f"{how}.json", TOKEN_SCHEMA, rows=1000) as writer:
            rows = out.doc_counts["n_tokens"] if how == "slices" else None
            write_by_block(writer, out.tokens, pa.array(docs["doc_id"]), blocks, rows)
        files[how] = {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}
    assert files["slices"] == files["lookup"] and len(files["slices"]) > 5
