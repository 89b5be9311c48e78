"""Paragraphs, sentences and tokens with stable ids and character offsets (NLTK).

Sentences come from NLTK's Punkt, trained unsupervised on the corpus itself (no downloaded
model: ``nltk.download`` cannot work offline) and told the config's abbreviations. Tokens come
from an NLTK ``RegexpTokenizer`` run once per paragraph; each token is assigned to its sentence
by offset. Per-type work (lowercasing, stopwords, stemming or lemmatisation) is done once per
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
    is_stop = np.array([w.lower() in stopwords for w in lower], dtype=bool)
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


def segment_document(doc_id: str, text: str, splitter: PunktSentenceTokenizer) -> dict:
    """Paragraph, sentence and token spans of one article (no per-type work yet).

    Returns a dict of column arrays for paragraphs, sentences and tokens (tokens carry their
    surface form; lower/term/is_stop/keep are added per type by ``annotate_tokens``).
    """
    paras, sents = [], []
    tok_start, tok_end, tok_sent, tok_para = [], [], [], []
    sent_id = 0
    for para_id, (p0, p1) in enumerate(paragraph_spans(text)):
        para_text = text[p0:p1]
        sent_spans = list(splitter.span_tokenize(para_text)) or [(0, len(para_text))]
        first_sent = sent_id
        for s0, s1 in sent_spans:
            sents.append((doc_id, para_id, sent_id, p0 + s0, p0 + s1, para_text[s0:s1]))
            sent_id += 1
        paras.append((doc_id, para_id, p0, p1, para_text, len(sent_spans)))
        spans = list(WORD_TOKENIZER.span_tokenize(para_text))
        if spans:
            starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
            ends = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
            sent_starts = np.array([s for s, _ in sent_spans], dtype=np.int64)
            which = np.maximum(np.searchsorted(sent_starts, starts, side="right") - 1, 0)
            tok_start.append(starts + p0)
            tok_end.append(ends + p0)
            tok_sent.append(which + first_sent)
            tok_para.append(np.full(len(spans), para_id, dtype=np.int64))
    if tok_start:
        starts, ends = np.concatenate(tok_start), np.concatenate(tok_end)
        tokens = {
            "doc_id": np.full(len(starts), doc_id, dtype=object),
            "para_id": np.concatenate(tok_para),
            "sent_id": np.concatenate(tok_sent),
            "tok_id": np.arange(len(starts)),
            "start": starts,
            "end": ends,
            "token": np.array([text[s:e] for s, e in zip(starts, ends, strict=True)], dtype=object),
        }
    else:
        tokens = {c: np.array([], dtype=object) for c in TOKEN_COLUMNS[:7]}
    return {"paragraphs": paras, "sentences": sents, "tokens": tokens}


def annotate_tokens(tokens: pd.DataFrame, types: pd.DataFrame) -> pd.DataFrame:
    """Add lower, term, is_stop and keep to a token table from a per-type table."""
    idx = types.index.get_indexer(tokens["token"])
    if (idx < 0).any():
        raise ValueError("token types missing from the type table")
    for col in ("lower", "term", "is_stop", "keep"):
        tokens[col] = types[col].to_numpy()[idx]
    return tokens


def tokenize_documents(
    docs: pd.DataFrame,
    splitter: PunktSentenceTokenizer,
    settings: dict,
    stopwords: set[str],
    type_cache: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Segment and tokenize a batch of clean articles (columns doc_id, text).

    Returns (paragraphs, sentences, tokens, type_cache); pass the returned type_cache to the
    next batch so that per-type work is done once per shard.
    """
    paras, sents, token_parts = [], [], []
    for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True):
        seg = segment_document(doc_id, text, splitter)
        paras.extend(seg["paragraphs"])
        sents.extend(seg["sentences"])
        token_parts.append(pd.DataFrame(seg["tokens"]))
    paragraphs = pd.DataFrame(paras, columns=PARAGRAPH_COLUMNS[:5] + ["n_sentences"])
    sentences = pd.DataFrame(sents, columns=SENTENCE_COLUMNS[:6])
    tokens = (
        pd.concat(token_parts, ignore_index=True)
        if token_parts
        else pd.DataFrame({c: [] for c in TOKEN_COLUMNS[:7]})
    )
    new_types = pd.unique(tokens["token"].to_numpy(dtype=object)) if len(tokens) else []
    if type_cache is not None:
        new_types = [t for t in new_types if t not in type_cache.index]
    if len(new_types) or type_cache is None:
        fresh = term_table(new_types, settings, stopwords)
        type_cache = fresh if type_cache is None else pd.concat([type_cache, fresh])
    tokens = annotate_tokens(tokens, type_cache)
    for col in ("para_id", "sent_id", "tok_id", "start", "end"):
        tokens[col] = tokens[col].astype("int64")
    tokens["is_stop"] = tokens["is_stop"].astype(bool)
    tokens["keep"] = tokens["keep"].astype(bool)
    tokens = tokens[TOKEN_COLUMNS]
    counts = tokens.groupby(["doc_id", "sent_id"], sort=False).agg(
        n_tokens=("tok_id", "size"), n_terms=("keep", "sum")
    )
    sentences = sentences.join(counts, on=["doc_id", "sent_id"])
    sentences[["n_tokens", "n_terms"]] = (
        sentences[["n_tokens", "n_terms"]].fillna(0).astype("int64")
    )
    return paragraphs, sentences[SENTENCE_COLUMNS], tokens, type_cache


# ---------------------------------------------------------------- counts


def count_terms_and_ngrams(tokens: pd.DataFrame, ngram_max: int) -> pd.DataFrame:
    """Counts of kept terms and of n-grams of consecutive kept terms within one sentence
    (n-grams never cross sentences): columns ngram, n, count, doc_freq. Vectorised."""
    kept = tokens.loc[tokens["keep"], ["doc_id", "sent_id", "term"]]
    terms = kept["term"].to_numpy(dtype=object)
    doc_ids = kept["doc_id"].to_numpy(dtype=object)
    sent_key = pd.factorize(pd.MultiIndex.from_arrays([kept["doc_id"], kept["sent_id"]]))[0]
    parts = []
    for n in range(1, ngram_max + 1):
        m = len(terms) - n + 1
        if m <= 0:
            break
        same = sent_key[:m] == sent_key[n - 1 :]
        gram = terms[:m].copy()
        for j in range(1, n):
            gram = gram + " " + terms[j : j + m]
        frame = pd.DataFrame({"ngram": gram[same], "doc_id": doc_ids[:m][same]})
        count = frame["ngram"].value_counts(sort=False)
        doc_freq = frame.drop_duplicates().groupby("ngram", sort=False).size()
        parts.append(
            pd.DataFrame(
                {
                    "ngram": count.index,
                    "n": n,
                    "count": count.to_numpy(),
                    "doc_freq": doc_freq.reindex(count.index).to_numpy(),
                }
            )
        )
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
