"""The fast tokenization path gives exactly what the plain NLTK / regex / pandas reference gives:
Punkt sentence spans, paragraphs, tokens with offsets, per-type terms, n-gram counts and their
row order, on the seed, on a synthetic corpus and on paragraphs full of tricky cases."""

import random
import re
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import regex
import yaml
from conftest import REPO
from newslens.clean import CleaningRules, clean_article
from newslens.tokenize import (
    _CHAR_CLASS,
    BATCH_TOKEN_RE,
    LETTER,
    PARAGRAPH_BREAK,
    PUNKT_SPACE,
    REALIGN_FIRST,
    SPACE,
    TOKEN_RE,
    NgramCounter,
    SentenceSplitter,
    ShardTokenizer,
    _code_points,
    _split_by_regex,
    load_stopwords,
    split_tokens,
    term_table,
    train_punkt,
)
from reference_tokenize import sentence_splitter, tokenize_documents

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
SETTINGS = CONFIG["tokenize"]
STOPWORDS = load_stopwords(REPO / SETTINGS["stopwords_file"])
SEED = clean_article(
    (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8"),
    CleaningRules.from_config(CONFIG["cleaning"]),
).text

WORDS = (
    "the minister said talks in Yerevan and Baku would resume after a pause of weeks "
    "Armenia Azerbaijan CSTO peace border troops vote"
).split()
PIECES = [
    "Mr.",
    "Dr.",
    "Gen.",
    "St.",
    "U.S.",
    "U.K.",
    "e.g.",
    "i.e.",
    "etc.",
    "No.",
    "Jan.",
    "vs.",
    "J.",
    "R.",
    "A.B.",
    "3.5",
    "1,000",
    "12:30",
    "50%",
    "2022.",
    "p.m.",
    "Inc.",
    "co.",
    "...",
    "..",
    ". . .",
    "?!",
    "!",
    "?",
    "--",
    "-",
    ",",
    ";",
    ":",
    "(",
    ")",
    "[1]",
    "{x}",
    '"',
    "'",
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    "\xab",
    "\xbb",
    "'s",
    "\u2019s",
    "don't",
    "co-op",
    "O'Neill",
    "Ünïcödé",
    "café",
    "½",
    "x²",
    "٣٤",
    "ǅ",
    "ﬁne",
    "𝔘𝔫𝔦",
    "😀",
    "_a_",
    "#tag",
]
GAPS = [" ", " ", " ", "  ", "\t", "\n", " \n", "\x1c", "\x1f", "\xa0", "\u2028", "\u3000", ""]
ENDINGS = [".", ".", ".", "?", "!", '."', ".)", '?"', ".'", ".\u201d", "...", ". . .", ".]"]


def tricky_paragraph(rng: random.Random) -> str:
    """A paragraph of a few sentences built from words, abbreviations, initials, numbers,
    quotes, brackets, ellipses and odd whitespace."""
    sentences = []
    for _ in range(rng.randint(1, 4)):
        parts = []
        if rng.random() < 0.2:
            parts.append(rng.choice(['"', "(", "\u201c", "'"]))
        for _ in range(rng.randint(1, 12)):
            word = rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(PIECES)
            if rng.random() < 0.3:
                word = word.capitalize()
            parts.append(word + rng.choice(GAPS))
        sentences.append("".join(parts).rstrip() + rng.choice(ENDINGS))
    text = "".join(s + rng.choice([" ", " ", "  ", "\n", " \t"]) for s in sentences)
    if rng.random() < 0.2:
        text = rng.choice([" ", "\t", "  "]) + text
    return text if rng.random() < 0.7 else text.rstrip()


def tricky_document(rng: random.Random) -> str:
    paragraphs = [tricky_paragraph(rng) for _ in range(rng.randint(0, 5))]
    breaks = ["\n\n", "\n\n", "\n \n", "\n\n\n\n", "\n\t\n  \n", "\n"]
    text = "".join(p + rng.choice(breaks) for p in paragraphs)
    return rng.choice(["", " ", "\n\n", "\n"]) + text if rng.random() < 0.2 else text


@pytest.fixture(scope="module")
def punkt():
    rng = random.Random(1)
    training = "\n\n".join([SEED] + [tricky_document(rng) for _ in range(300)])
    return train_punkt(training, SETTINGS["abbreviations"])


@pytest.fixture(scope="module")
def corpus():
    """The seed, tricky documents, and synthetic articles made of the seed's sentences."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_corpus import build_corpus

    rng = random.Random(2)
    synthetic = build_corpus(150, seed=3)
    cleaned = [
        clean_article(t, CleaningRules.from_config(CONFIG["cleaning"])).text
        for t in synthetic["text"]
    ]
    texts = (
        [SEED, "", "   ", "One.", "\n\nTwo.\n\n"]
        + cleaned
        + [tricky_document(rng) for _ in range(250)]
    )
    return pd.DataFrame({"doc_id": [f"d{i:04d}" for i in range(len(texts))], "text": texts})


# ---------------------------------------------------------------- character classes


def test_character_tables_match_the_regex_engines():
    chars = "".join(map(chr, range(0x10000)))
    assert {m.start() for m in re.finditer(r"\s", chars)} == set(
        np.flatnonzero(_CHAR_CLASS == SPACE)
    )
    assert {m.start() for m in re.finditer(r"[^\W\d_]", chars)} == set(
        np.flatnonzero(_CHAR_CLASS == LETTER)
    )
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    # Punkt's own patterns use the `regex` engine, whose \s differs from re's (\x1c-\x1f)
    nltk_space = [m.start() for m in regex.finditer(r"\s", everything)]
    assert [m.start() for m in re.finditer(PUNKT_SPACE, everything)] == nltk_space
    assert not any(ch.isspace() for ch in map(chr, range(0x3001, sys.maxunicode + 1)))


def test_realign_first_characters(punkt):
    realign = sentence_splitter(punkt)._lang_vars.re_boundary_realignment
    starts = {chr(c) for c in range(0x10000) if realign.match(chr(c) + " ")}
    assert starts == set(REALIGN_FIRST)


# ---------------------------------------------------------------- sentences


def test_sentence_spans_equal_nltk(punkt, corpus):
    nltk = sentence_splitter(punkt)
    fast = SentenceSplitter(punkt)
    rng = random.Random(4)
    paragraphs = [tricky_paragraph(rng) for _ in range(4000)]
    paragraphs += [p for t in corpus["text"] for p in PARAGRAPH_BREAK.split(t)]
    paragraphs += [
        "",
        " ",
        ".",
        "A.",
        "a. b",
        "Mr. X. Y.",
        '"Hi." "Yo."',
        "(Sent1.) Sent2.",
        "x.\x1cY",
    ]
    assert sum(len(list(nltk.span_tokenize(p))) > 1 for p in paragraphs) > 1000
    for p in paragraphs:
        assert fast.span_tokenize(p) == list(nltk.span_tokenize(p)), repr(p)


def reference_paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > pos:
            spans.append((pos, match.start()))
        pos = match.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def reference_tokenize(docs: pd.DataFrame, punkt) -> tuple[pd.DataFrame, ...]:
    """The plain per-article path: paragraphs by regex, Punkt per paragraph (a paragraph with
    no sentence is one), the token pattern per article (with `re`, as the pipeline always
    matched it; NLTK's RegexpTokenizer uses `regex`, whose \\s leaves out \\x1c-\\x1f), terms
    from ``term_table``."""
    nltk = sentence_splitter(punkt)
    paras, sents, toks = [], [], []
    for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True):
        starts, sent_rows = [], []
        for para_id, (p0, p1) in enumerate(reference_paragraphs(text)):
            spans = list(nltk.span_tokenize(text[p0:p1])) or [(0, p1 - p0)]
            for s0, s1 in spans:
                sent_rows.append(
                    [doc_id, para_id, len(sent_rows), p0 + s0, p0 + s1, text[p0 + s0 : p0 + s1]]
                )
                starts.append(p0 + s0)
            paras.append((doc_id, para_id, p0, p1, text[p0:p1], len(spans)))
        for tok_id, (a, b) in enumerate(m.span() for m in TOKEN_RE.finditer(text)):
            s = max(int(np.searchsorted(starts, a, side="right")) - 1, 0)
            toks.append((doc_id, sent_rows[s][1], s, tok_id, a, b, text[a:b]))
        sents += sent_rows
    paragraphs = pd.DataFrame(
        paras, columns=["doc_id", "para_id", "start", "end", "text", "n_sentences"]
    )
    sentences = pd.DataFrame(
        sents, columns=["doc_id", "para_id", "sent_id", "start", "end", "text"]
    )
    tokens = pd.DataFrame(
        toks, columns=["doc_id", "para_id", "sent_id", "tok_id", "start", "end", "token"]
    )
    types = term_table(tokens["token"], SETTINGS, STOPWORDS)
    for col in ("lower", "term", "is_stop", "keep"):
        tokens[col] = types[col].reindex(tokens["token"]).to_numpy()
    per_sent = tokens.groupby(["doc_id", "sent_id"])["keep"].agg(["size", "sum"])
    key = pd.MultiIndex.from_frame(sentences[["doc_id", "sent_id"]])
    sentences["n_tokens"] = per_sent["size"].reindex(key).fillna(0).astype("int64").to_numpy()
    sentences["n_terms"] = per_sent["sum"].reindex(key).fillna(0).astype("int64").to_numpy()
    return paragraphs, sentences, tokens


def test_tables_equal_the_reference(punkt, corpus):
    tokenizer = ShardTokenizer(punkt, SETTINGS, STOPWORDS)
    parts = [
        tokenize_documents(batch, tokenizer, SETTINGS, STOPWORDS)[:3]
        for batch in batches_of(corpus, 3)
    ]
    got = [pd.concat(p, ignore_index=True) for p in zip(*parts, strict=True)]
    want = reference_tokenize(corpus, punkt)
    for g, w in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(g, w, check_dtype=False)
    assert len(got[2]) > 40_000 and got[1]["sent_id"].max() > 10


def test_paragraph_texts_with_odd_whitespace(punkt):
    texts = ["", "\n", "\n\n", " \n \n ", "a\n\nb", "a \n\t\n b\n", "\n\na\n \n\n b \n\n", "x" * 5]
    docs = pd.DataFrame({"doc_id": list("abcdefgh"), "text": texts})
    paragraphs, sentences, _, _ = tokenize_documents(
        docs, sentence_splitter(punkt), SETTINGS, STOPWORDS
    )
    want = [
        (d, a, b)
        for d, t in zip(docs["doc_id"], texts, strict=True)
        for a, b in reference_paragraphs(t)
    ]
    assert (
        list(zip(paragraphs["doc_id"], paragraphs["start"], paragraphs["end"], strict=True)) == want
    )
    assert paragraphs["n_sentences"].sum() == len(sentences)
    for one in (["A line."], [""], ["  "], ["a", "b."]):  # batches without any newline
        docs = pd.DataFrame({"doc_id": [f"x{i}" for i in range(len(one))], "text": one})
        paragraphs, sentences, tokens, _ = tokenize_documents(
            docs, sentence_splitter(punkt), SETTINGS, STOPWORDS
        )
        want = [reference_paragraphs(t) for t in one]
        assert paragraphs.groupby("doc_id").size().tolist() == [len(w) for w in want if w]
        assert len(tokens) == sum(len(TOKEN_RE.findall(t)) for t in one)


# ---------------------------------------------------------------- tokens


def test_split_tokens_equals_the_token_pattern(corpus):
    rng = random.Random(5)
    texts = list(corpus["text"]) + [
        "".join(rng.choice(PIECES + GAPS + WORDS) for _ in range(400)) for _ in range(200)
    ]
    assert {_code_points(t).dtype for t in texts} == {np.dtype(np.uint8), np.dtype(np.uint32)}
    for text in texts + ["\n\n\n".join(texts)]:
        spans = [m.span() for m in TOKEN_RE.finditer(text)]
        assert BATCH_TOKEN_RE.findall(text) == [text[a:b] for a, b in spans]
        for tokens, starts, lengths in (split_tokens(text), _split_by_regex(text)):
            assert list(zip(starts.tolist(), (starts + lengths).tolist(), strict=True)) == spans
            assert tokens.to_pylist() == [text[a:b] for a, b in spans]


# ---------------------------------------------------------------- n-grams


def reference_ngrams(tokens: pd.DataFrame, ngram_max: int) -> pd.DataFrame:
    """count and doc_freq of each n-gram of consecutive kept terms within a sentence."""
    rows: dict[tuple[str, int], list] = {}
    kept = tokens.loc[tokens["keep"]]
    for (doc, _), sent in kept.groupby(["doc_id", "sent_id"], sort=False):
        terms = sent["term"].tolist()
        for n in range(1, ngram_max + 1):
            for i in range(len(terms) - n + 1):
                row = rows.setdefault((" ".join(terms[i : i + n]), n), [0, set()])
                row[0] += 1
                row[1].add(doc)
    return pd.DataFrame(
        [(g, n, c, len(d)) for (g, n), (c, d) in rows.items()],
        columns=["ngram", "n", "count", "doc_freq"],
    )


def batches_of(docs: pd.DataFrame, k: int) -> list[pd.DataFrame]:
    bounds = np.linspace(0, len(docs), k + 1).astype(int)
    return [docs.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def test_ngram_counts_equal_the_reference(punkt, corpus):
    tokenizer = ShardTokenizer(punkt, SETTINGS, STOPWORDS)
    batches = [
        tokenize_documents(b, tokenizer, SETTINGS, STOPWORDS)[2] for b in batches_of(corpus, 4)
    ]
    got = tokenizer.ngram_table().to_pandas()
    tokens = pd.concat(batches, ignore_index=True)
    want = reference_ngrams(tokens, SETTINGS["ngram_max"])
    key = ["ngram", "n"]
    pd.testing.assert_frame_equal(
        got.sort_values(key, ignore_index=True),
        want.sort_values(key, ignore_index=True),
        check_dtype=False,
    )
    # row order: by first batch, then n, then first appearance in the token stream
    first = {}
    for b, batch in enumerate(batches):
        kept = batch.loc[batch["keep"]].reset_index(drop=True)
        same = kept[["doc_id", "sent_id"]].to_numpy()
        for n in range(1, SETTINGS["ngram_max"] + 1):
            for i in range(len(kept) - n + 1):
                if (same[i] == same[i + n - 1]).all():
                    first.setdefault((" ".join(kept["term"].iloc[i : i + n]), n), (b, n, i))
    assert len(got) > 5000
    assert list(zip(got["ngram"], got["n"], strict=True)) == sorted(first, key=first.get)


def test_wide_keys_give_the_same_counts():
    rng = np.random.default_rng(0)
    term_ids = rng.integers(0, 50, size=3000)
    sents = np.repeat(np.arange(300), 10)
    docs = sents // 7
    narrow, wide = NgramCounter(4), NgramCounter(4)
    for chunk in np.array_split(np.arange(3000), 5):
        narrow.add(term_ids[chunk], sents[chunk], docs[chunk])
        wide.add(term_ids[chunk] + (1 << 21), sents[chunk], docs[chunk])  # forces tuple keys
    words = [f"w{i}" for i in range(50)]
    a = narrow.table(
        pa.array(words + [""] * ((1 << 21) - 50) + words, pa.large_string())
    ).to_pandas()
    b = wide.table(pa.array(words + [""] * ((1 << 21) - 50) + words, pa.large_string())).to_pandas()
    pd.testing.assert_frame_equal(a, b)
    assert set(a["n"]) == {1, 2, 3, 4} and a["count"].sum() > 10_000


def test_missing_input_column_is_named(tmp_path):
    from newslens.runtime import NewslensError, iter_parquet_arrow

    path = tmp_path / "clean.parquet"
    pd.DataFrame({"doc_id": ["a"], "text": ["x"]}).to_parquet(path)
    with pytest.raises(NewslensError, match="no column.*outlet"):
        list(iter_parquet_arrow(path, 10, ["doc_id", "text", "outlet"]))
    assert list(iter_parquet_arrow(path, 10, ["text"]))[0].column_names == ["text"]


def test_punkt_training_sample_does_not_depend_on_sharding(tmp_path):
    """The Punkt training text is every step-th article by corpus position, in corpus order,
    whichever way the articles were dealt into shards (it once followed the shard order)."""
    from newslens.tokenize import punkt_training_text

    docs = pd.DataFrame(
        {
            "doc_index": range(40),
            "doc_id": [f"d{i}" for i in range(40)],
            "text": [f"Article {i} says {'x' * (10 + i)}." for i in range(40)],
        }
    )

    def shard_files(n_shards):
        paths = []
        for k in range(n_shards):
            path = tmp_path / f"{k}-of-{n_shards}.parquet"
            docs.iloc[k::n_shards].to_parquet(path, index=False)
            paths.append(str(path))
        return paths

    dropped = {"d3", "d8"}
    texts = {n: punkt_training_text(shard_files(n), dropped, 400) for n in (1, 2, 3)}
    assert texts[1] == texts[2] == texts[3]
    picked = texts[1].split("\n\n")
    kept = docs[~docs["doc_id"].isin(dropped)]
    step = round(kept["text"].str.len().sum() / 400)  # 1,688 characters: every 4th article
    assert step == 4
    assert [p.split()[1] for p in picked] == ["0", "4", "12", "16", "20", "24", "28", "32", "36"][
        : len(picked)
    ]
    assert sum(map(len, picked)) - len(picked[-1]) < 400
