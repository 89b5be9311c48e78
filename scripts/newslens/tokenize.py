"""Paragraphs, sentences and tokens with stable ids and character offsets (NLTK).

Sentences come from NLTK's Punkt, trained unsupervised on the corpus itself (no downloaded
model: NLTK's downloader cannot reach its server offline) and told the config's abbreviations.
Tokens come from the pattern of an NLTK ``RegexpTokenizer``, matched once per batch of articles;
each token is assigned to its article, paragraph and sentence by offset. Per-type work (lowercasing, stopwords, stemming or lemmatisation) is done once per
distinct word type, not once per token.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from nltk.tokenize import RegexpTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

from newslens.runtime import NewslensError

# Abbreviations with inner periods (U.S.), numbers (1,000.5 / 50%), words with inner hyphens or
# apostrophes (Armenian-Azerbaijani, don't), the possessive 's as its own token, punctuation.
TOKEN_PATTERN = r"""(?x)
    (?:[^\W\d_]\.){2,}
  | \d+(?:[.,:]\d+)*%?
  | \w+(?:-\w+)*(?:['’](?![sS]\b)\w+)?
  | ['’][sS]\b
  | [^\w\s]
"""
WORD_TOKENIZER = RegexpTokenizer(TOKEN_PATTERN)
# The same pattern, compiled once with `re`: NLTK 3.10 wraps RegexpTokenizer's matching in a
# ReDoS guard that costs ~2.5 us per token; the batch path matches with this compiled pattern
# directly (tests check that both give identical tokens and spans).
TOKEN_RE = re.compile(TOKEN_PATTERN)
# The whitespace before each token: with the token lengths it gives every token's offset by a
# cumulative sum (the pattern matches every non-space character, so nothing else lies between).
GAP_RE = re.compile(r"(\s*)(?:" + TOKEN_PATTERN.replace("(?x)", "") + ")", re.VERBOSE)
HAS_LETTER = re.compile(r"[^\W\d_]")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

SENTENCE_COLUMNS = ["doc_id", "para_id", "sent_id", "start", "end", "text", "n_tokens", "n_terms"]
PARAGRAPH_COLUMNS = ["doc_id", "para_id", "start", "end", "text", "n_sentences"]
TOKEN_COLUMNS = [
    "doc_id",
    "para_id",
    "sent_id",
    "tok_id",
    "start",
    "end",
    "token",
    "lower",
    "term",
    "is_stop",
    "keep",
]


# ---------------------------------------------------------------- terms


def load_stopwords(path: str | Path, extra: Iterable[str] = ()) -> set[str]:
    """Stopwords from a plain-text file: one per line, '#' starts a comment, case-folded."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise NewslensError(
            f"config key tokenize.stopwords_file: cannot read '{path}' ({err.strerror}). "
            "Point it at a text file with one stopword per line."
        ) from err
    words = {line.split("#", 1)[0].strip().lower() for line in lines}
    return {w for w in words if w} | {w.lower() for w in extra}


@functools.cache
def make_normalizer(kind: str = "lemma", language: str = "english") -> Callable[[str], str]:
    """A cached function from a (lowercase) word to its normalised term.

    kind: 'none' (identity), 'stem' (NLTK Snowball) or 'lemma' (simplemma, whose dictionaries
    ship in its PyPI package; words ending in -ing/-ed are kept as they are, since without a
    part-of-speech tagger 'meeting' and 'armed' would become the verbs 'meet' and 'arm'). The same function serves tokenization and the framing codebook,
    so that indicator terms and corpus terms are normalised alike.
    """
    if kind == "none":
        return lambda word: word
    if kind == "stem":
        from nltk.stem.snowball import SnowballStemmer

        stem = SnowballStemmer(language).stem
        return functools.lru_cache(maxsize=1_000_000)(stem)
    if kind == "lemma":
        import simplemma

        lang = {"english": "en"}[language]

        def lemma(word: str) -> str:
            out = simplemma.lemmatize(word, lang=lang)
            # Without part-of-speech tags, -ing/-ed forms are mostly nouns and adjectives in
            # news ("meeting", "armed forces"): keep them rather than turn them into verbs.
            if out != word and word.endswith(("ing", "ed")):
                return word
            return out.lower() if word.islower() else out

        return functools.lru_cache(maxsize=1_000_000)(lemma)
    raise NewslensError(
        f"config key tokenize.normalize: unknown value '{kind}' (none, stem, lemma)"
    )


def term_table(types: Iterable[str], settings: dict, stopwords: set[str]) -> pd.DataFrame:
    """Per distinct surface type: lower, term, is_stop, keep. ``settings`` is the config
    section ``tokenize``."""
    types = pd.Index(pd.unique(np.asarray(list(types), dtype=object)))
    lower = [t.lower() for t in types] if settings.get("lowercase", True) else list(types)
    normalize = make_normalizer(
        settings.get("normalize", "lemma"), settings.get("language", "english")
    )
    # "'s" (possessive), "'re", ... count as the stopwords "s", "re": apostrophes stripped.
    folded = [w.lower() for w in lower]
    is_stop = np.array([w in stopwords or w.strip("'’") in stopwords for w in folded], dtype=bool)
    has_letter = np.array([bool(HAS_LETTER.search(w)) for w in lower], dtype=bool)
    long_enough = np.array(
        [len(w) >= settings.get("min_token_length", 2) for w in lower], dtype=bool
    )
    keep = ~is_stop & long_enough & (has_letter | bool(settings.get("keep_numbers", False)))
    keep &= np.array([any(ch.isalnum() for ch in w) for w in lower], dtype=bool)
    term = [normalize(w) if k else "" for w, k in zip(lower, keep, strict=True)]
    # A lemma can itself be a stopword ("has" -> "have"): such terms are not kept either.
    for i, t in enumerate(term):
        if t and t.lower() in stopwords:
            term[i], keep[i] = "", False
    return pd.DataFrame(
        {"lower": lower, "term": term, "is_stop": is_stop, "keep": keep}, index=types
    )


# ---------------------------------------------------------------- sentences


def train_punkt(text: str, abbreviations: Iterable[str]) -> PunktParameters:
    """Punkt parameters learned unsupervised from ``text``, plus the given abbreviations."""
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    if text:
        trainer.train(text, finalize=True)
    params = trainer.get_params()
    for abbrev in abbreviations:
        params.abbrev_types.add(abbrev.lower().rstrip("."))
    return params


def punkt_to_json(params: PunktParameters) -> str:
    """Punkt parameters as stable JSON (sorted), so the file is reproducible and diffable."""
    return json.dumps(
        {
            "abbrev_types": sorted(params.abbrev_types),
            "collocations": sorted([list(pair) for pair in params.collocations]),
            "sent_starters": sorted(params.sent_starters),
            "ortho_context": dict(sorted(params.ortho_context.items())),
        },
        indent=1,
        ensure_ascii=False,
    )


def punkt_from_json(text: str) -> PunktParameters:
    data = json.loads(text)
    params = PunktParameters()
    params.abbrev_types = set(data["abbrev_types"])
    params.collocations = {tuple(pair) for pair in data["collocations"]}
    params.sent_starters = set(data["sent_starters"])
    for key, value in data["ortho_context"].items():
        params.ortho_context[key] = value
    return params


def sentence_splitter(params: PunktParameters) -> PunktSentenceTokenizer:
    return PunktSentenceTokenizer(params)


# ---------------------------------------------------------------- segmentation


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a clean text (paragraphs are separated by blank lines)."""
    spans, pos = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > pos:
            spans.append((pos, match.start()))
        pos = match.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def token_spans(text: str, token_text: list[str]) -> np.ndarray:
    """(start, end) of each token found by TOKEN_RE.findall(text), without a Match object per
    token: offsets are the cumulative sum of gap and token lengths."""
    gaps = GAP_RE.findall(text)
    gap_len = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    tok_len = np.fromiter(map(len, token_text), dtype=np.int64, count=len(token_text))
    ends = np.cumsum(gap_len + tok_len)
    return (
        np.stack([ends - tok_len, ends], axis=1) if len(ends) else np.zeros((0, 2), dtype=np.int64)
    )


def tokenize_documents(
    docs: pd.DataFrame,
    splitter: PunktSentenceTokenizer,
    settings: dict,
    stopwords: set[str],
    type_cache: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Segment and tokenize a batch of clean articles (columns doc_id, text).

    Paragraphs are split at blank lines, sentences by Punkt within each paragraph, and tokens
    by one pass of the tokenizer's regular expression over the whole batch; each token is then
    assigned to its article, paragraph and sentence by offset (``numpy.searchsorted``), so there
    is no per-token Python work beyond the regex match. Returns (paragraphs, sentences, tokens,
    type_cache); pass type_cache on to the next batch so per-type work is done once per shard.
    """
    doc_ids = docs["doc_id"].tolist()
    texts = docs["text"].tolist()
    paras, sents = [], []
    sent_starts_global = []  # start of each sentence in the joined batch text
    doc_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    sep = "\n\n\n"
    pos = 0
    for i, (doc_id, text) in enumerate(zip(doc_ids, texts, strict=True)):
        doc_offsets[i] = pos
        sent_id = 0
        for para_id, (p0, p1) in enumerate(paragraph_spans(text)):
            para_text = text[p0:p1]
            sent_spans = list(splitter.span_tokenize(para_text)) or [(0, len(para_text))]
            for s0, s1 in sent_spans:
                sents.append((doc_id, para_id, sent_id, p0 + s0, p0 + s1, para_text[s0:s1]))
                sent_starts_global.append(pos + p0 + s0)
                sent_id += 1
            paras.append((doc_id, para_id, p0, p1, para_text, len(sent_spans)))
        pos += len(text) + len(sep)
    doc_offsets[len(texts)] = pos
    paragraphs = pd.DataFrame(paras, columns=PARAGRAPH_COLUMNS)
    sentences = pd.DataFrame(sents, columns=SENTENCE_COLUMNS[:6])

    joined = sep.join(texts)
    token_text = TOKEN_RE.findall(joined)
    spans = token_spans(joined, token_text)
    doc_index = np.searchsorted(doc_offsets, spans[:, 0], side="right") - 1
    sent_index = (
        np.searchsorted(np.asarray(sent_starts_global, dtype=np.int64), spans[:, 0], side="right")
        - 1
    )
    sent_index = np.maximum(sent_index, 0)
    first_token = np.searchsorted(doc_index, np.arange(len(texts)), side="left")
    tokens = pd.DataFrame(
        {
            "doc_id": np.asarray(doc_ids, dtype=object)[doc_index]
            if len(doc_ids)
            else np.array([], dtype=object),
            "para_id": sentences["para_id"].to_numpy(dtype=np.int64)[sent_index]
            if len(sentences)
            else sent_index,
            "sent_id": sentences["sent_id"].to_numpy(dtype=np.int64)[sent_index]
            if len(sentences)
            else sent_index,
            "tok_id": np.arange(len(spans), dtype=np.int64) - first_token[doc_index]
            if len(texts)
            else sent_index,
            "start": spans[:, 0] - doc_offsets[doc_index],
            "end": spans[:, 1] - doc_offsets[doc_index],
            "token": np.asarray(token_text, dtype=object),
        }
    )
    new_types = pd.unique(np.asarray(token_text, dtype=object)) if token_text else []
    if type_cache is not None:
        new_types = [t for t in new_types if t not in type_cache.index]
    if len(new_types) or type_cache is None:
        fresh = term_table(new_types, settings, stopwords)
        type_cache = fresh if type_cache is None else pd.concat([type_cache, fresh])
    tokens = annotate_tokens(tokens, type_cache)
    tokens["is_stop"] = tokens["is_stop"].astype(bool)
    tokens["keep"] = tokens["keep"].astype(bool)
    tokens = tokens[TOKEN_COLUMNS]
    n_tokens = np.bincount(sent_index, minlength=len(sentences)) if len(sentences) else []
    n_terms = (
        np.bincount(sent_index, weights=tokens["keep"].to_numpy(), minlength=len(sentences))
        if len(sentences)
        else []
    )
    sentences["n_tokens"] = np.asarray(n_tokens, dtype=np.int64)
    sentences["n_terms"] = np.asarray(n_terms, dtype=np.int64)
    return paragraphs, sentences[SENTENCE_COLUMNS], tokens, type_cache


def annotate_tokens(tokens: pd.DataFrame, types: pd.DataFrame) -> pd.DataFrame:
    """Add lower, term, is_stop and keep to a token table from a per-type table."""
    idx = types.index.get_indexer(tokens["token"].to_numpy(dtype=object))
    if (idx < 0).any():
        raise ValueError("token types missing from the type table")
    for col in ("lower", "term", "is_stop", "keep"):
        tokens[col] = types[col].to_numpy()[idx]
    return tokens


# ---------------------------------------------------------------- counts


def count_terms_and_ngrams(tokens: pd.DataFrame, ngram_max: int) -> pd.DataFrame:
    """Counts of kept terms and of n-grams of consecutive kept terms within one sentence
    (n-grams never cross sentences): columns ngram, n, count, doc_freq.

    Vectorised on integer term ids: an n-gram is a tuple of ids, counted with numpy.unique,
    and only the distinct n-grams are turned back into strings."""
    kept = tokens.loc[tokens["keep"], ["doc_id", "sent_id", "term"]]
    term_ids, vocab = pd.factorize(kept["term"].to_numpy(dtype=object))
    doc_codes = pd.factorize(kept["doc_id"].to_numpy(dtype=object))[0]
    sent_codes = doc_codes.astype(np.int64) * (
        int(kept["sent_id"].max()) + 1 if len(kept) else 1
    ) + kept["sent_id"].to_numpy(dtype=np.int64)
    vocab = np.asarray(vocab, dtype=object)
    parts = []
    for n in range(1, ngram_max + 1):
        m = len(term_ids) - n + 1
        if m <= 0:
            break
        same = sent_codes[:m] == sent_codes[n - 1 :]
        # one int64 code per n-gram: 21 bits per term id (n <= 3 and < 2M distinct terms
        # per batch); wider n-grams fall back to row-wise numpy.unique
        if n <= 3 and len(vocab) < (1 << 21):
            code = np.zeros(m, dtype=np.int64)
            for j in range(n):
                code = (code << 21) | term_ids[j : j + m].astype(np.int64)
            code, docs_n = code[same], doc_codes[:m][same]
            if len(code) == 0:
                continue
            count = pd.Series(code).value_counts(sort=False)
            pairs = pd.DataFrame({"g": code, "d": docs_n}).drop_duplicates()
            doc_freq = pairs["g"].value_counts(sort=False).reindex(count.index).to_numpy()
            keys = count.index.to_numpy(dtype=np.int64)
            uniq = np.stack(
                [(keys >> (21 * (n - 1 - j))) & ((1 << 21) - 1) for j in range(n)], axis=1
            )
            count = count.to_numpy()
        else:
            grams = np.stack([term_ids[j : j + m] for j in range(n)], axis=1)[same]
            docs_n = doc_codes[:m][same]
            if len(grams) == 0:
                continue
            uniq, inverse, count = np.unique(grams, axis=0, return_inverse=True, return_counts=True)
            pairs = np.unique(np.stack([inverse.reshape(-1), docs_n], axis=1), axis=0)
            doc_freq = np.bincount(pairs[:, 0], minlength=len(uniq))
        words = vocab[uniq[:, 0]]
        for j in range(1, n):
            words = words + " " + vocab[uniq[:, j]]
        parts.append(pd.DataFrame({"ngram": words, "n": n, "count": count, "doc_freq": doc_freq}))
    if not parts:
        return pd.DataFrame(
            {
                "ngram": pd.Series([], dtype=object),
                "n": pd.Series([], dtype="int64"),
                "count": pd.Series([], dtype="int64"),
                "doc_freq": pd.Series([], dtype="int64"),
            }
        )
    return pd.concat(parts, ignore_index=True)
