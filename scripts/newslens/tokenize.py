"""Paragraphs, sentences and tokens with stable ids and character offsets (NLTK).

Sentences come from NLTK's Punkt, trained unsupervised on the corpus itself (no downloaded
model: NLTK's downloader cannot reach its server offline) and told the config's abbreviations;
``SentenceSplitter`` gives exactly Punkt's spans, faster. Tokens come from the pattern of an
NLTK ``RegexpTokenizer``, matched once per batch of articles; each token is assigned to its
article, paragraph and sentence by offset. Per-type work (lowercasing, stopwords, stemming or
lemmatisation) is done once per distinct word type, not once per token, and the tables are built
as Arrow columns from per-type arrays; n-grams are counted on integer term ids.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.nltk_punkt import RegexpTokenizer  # without NLTK's __init__
from newslens.punkt import (  # noqa: F401  (re-exported: callers import them from here)
    ASCII_SPACE,
    PUNKT_NON_SPACE,
    PUNKT_SPACE,
    REALIGN_FIRST,
    SentenceSplitter,
    punkt_from_json,
    punkt_to_json,
    punkt_training_text,
    text_splitter,
    train_punkt,
)
from newslens.runtime import NewslensError
from newslens.shards import PartWriter, write_part_list

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
# The same pattern, compiled once with `re` (NLTK 3.10 wraps RegexpTokenizer's matching in a
# ReDoS guard that costs ~2.5 us per token). This is what the pipeline matches; it differs from
# RegexpTokenizer (the `regex` engine) only in that `re`'s \s also counts \x1c-\x1f as space.
TOKEN_RE = re.compile(TOKEN_PATTERN)
# What the batch path matches: the same tokens, found faster. Leading whitespace is consumed by
# the match instead of by the search loop, and a word of two or more letters followed by nothing
# that could extend it (a word character, '-', an apostrophe) is matched first -- the pattern's
# first alternative needs a '.' after one letter, its second a digit, and its third would match
# exactly that word. Tests check it against TOKEN_RE.
BATCH_TOKEN_RE = re.compile(
    r"(?x)\s*+(   [^\W\d_]{2,}+(?![\w\-'’])  |" + TOKEN_PATTERN.replace("(?x)", "") + ")"
)
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
        from newslens.nltk_punkt import snowball_stemmer  # without NLTK's __init__

        stem = snowball_stemmer(language).stem
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


def split_sentences(text: str, splitter: SentenceSplitter | None = None) -> list[str]:
    """The sentences of ``text`` as the pipeline cuts an article: paragraphs at blank lines,
    Punkt's sentences within each (``SentenceSplitter``; a paragraph without a sentence break is
    one sentence), stripped, empty ones left out. ``splitter`` defaults to ``text_splitter`` of
    the text alone. The one sentence splitter of the project: framing and sentiment use it for
    texts outside the corpus."""
    text = str(text)
    splitter = splitter or text_splitter([text])
    out = []
    for para in PARAGRAPH_BREAK.split(text):
        for a, b in splitter.span_tokenize(para):
            sentence = para[a:b].strip()
            if sentence:
                out.append(sentence)
    return out


# ---------------------------------------------------------------- segmentation


def paragraph_bounds(
    cps: np.ndarray, nonspace: np.ndarray, doc_start: np.ndarray, doc_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) arrays of the paragraphs of many texts joined into one; ``doc_start`` and
    ``doc_end`` delimit the texts (what lies between them belongs to none), ``nonspace`` are
    the offsets of the non-space characters of the joined text.

    Paragraphs are separated by blank lines: PARAGRAPH_BREAK (``\\n\\s*\\n``) matches from the
    first to the last newline of a stretch of whitespace that holds two newlines or more, so a
    break is found from the newlines alone (two newlines of a text lie in one stretch when no
    non-space character lies between them), and paragraphs are the non-empty pieces between
    breaks and text edges (tests compare with ``PARAGRAPH_BREAK.finditer`` per text)."""
    newline = np.flatnonzero(cps == ord("\n"))
    doc = np.searchsorted(doc_start, newline, side="right") - 1
    inside = newline < doc_end[doc]
    newline, doc = newline[inside], doc[inside]
    before = np.searchsorted(nonspace, newline)  # non-space characters before each newline
    first = np.ones(len(newline), dtype=bool)  # first and last newline of each stretch
    last = np.ones(len(newline), dtype=bool)
    first[1:] = last[:-1] = (before[1:] != before[:-1]) | (doc[1:] != doc[:-1])
    cut_start, cut_end = newline[first], newline[last] + 1
    double = cut_end - cut_start > 1
    cut_start = np.concatenate([cut_start[double], doc_end[:-1]])
    cut_end = np.concatenate([cut_end[double], doc_start[1:]])
    order = np.argsort(cut_start, kind="stable")
    start = np.r_[doc_start[:1], cut_end[order]]
    end = np.r_[cut_start[order], doc_end[-1:]]
    keep = start < end
    return start[keep], end[keep]


# Character classes of `re` on str, for the Basic Multilingual Plane: whitespace (\s, which is
# str.isspace) and letters ([^\W\d_]: alphanumeric but not a decimal digit). Code points above
# it count as "other" (no space lies above U+3000; letters there just take the slower path).
OTHER, SPACE, LETTER = 0, 1, 2
_CHAR_CLASS = np.array(
    [
        SPACE if c.isspace() else LETTER if c.isalnum() and not c.isdecimal() else OTHER
        for c in map(chr, range(0x10000))
    ],
    dtype=np.uint8,
)


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text``: uint8 for ASCII text (the common case), else uint32."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _char_classes(cps: np.ndarray) -> np.ndarray:
    return _CHAR_CLASS[cps] if cps.dtype == np.uint8 else _CHAR_CLASS[np.minimum(cps, 0xFFFF)]


def _from_code_points(cps: np.ndarray) -> str:
    if cps.dtype == np.uint8:
        return cps.tobytes().decode("ascii")
    return cps.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def _string_array(cps: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """An Arrow string array of consecutive pieces of the code points ``cps`` (the lengths of
    the pieces, in code points, add up to ``len(cps)``), built from one UTF-8 buffer."""
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    if cps.dtype == np.uint8:
        data = cps.tobytes()  # ASCII is UTF-8
    else:
        data = _from_code_points(cps).encode("utf-8")
        width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
        offsets = np.concatenate([[0], np.cumsum(width)])[offsets]
    return pa.Array.from_buffers(
        pa.large_string(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _split_by_regex(text: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    spans = np.array([m.span(1) for m in BATCH_TOKEN_RE.finditer(text)], dtype=np.int64)
    spans = spans.reshape(-1, 2)
    tokens = _strings([text[a:b] for a, b in spans.tolist()])
    return tokens, spans[:, 0], spans[:, 1] - spans[:, 0]


def split_tokens(
    text: str, cps: np.ndarray | None = None, kind: np.ndarray | None = None, pos=None
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """The tokens of ``text`` (``BATCH_TOKEN_RE.findall``), their start offsets and lengths.

    Tokens never cross whitespace and together cover every non-space character (each one
    starts a match; no match holds a space). So the text is cut into chunks of non-space
    characters; a chunk of letters only is one token, and the other chunks -- words with
    punctuation, numbers, abbreviations -- are joined by spaces and matched with the regex.
    The token strings go to Arrow as one buffer, without a Python string per token. ``cps``,
    ``kind`` and ``pos`` (the text's code points, their classes and the non-space offsets) can be
    passed when already computed."""
    if cps is None:
        cps = _code_points(text)
        kind = _char_classes(cps)
    if pos is None:
        pos = np.flatnonzero(kind != SPACE)
    if not len(pos):
        return _strings([]), np.zeros(0, np.int64), np.zeros(0, np.int64)
    chars = cps[pos]
    letter = kind[pos] == LETTER
    chunk_head = np.empty(len(pos), dtype=bool)
    chunk_head[0] = True
    np.not_equal(pos[1:], pos[:-1] + 1, out=chunk_head[1:])
    first = np.flatnonzero(chunk_head)
    chunk_len = np.diff(np.append(first, len(pos)))
    pure = ~np.logical_or.reduceat(~letter, first)

    # the other chunks, each followed by a space, through the regex
    other = np.repeat(~pure, chunk_len)
    other_chars = chars[other]
    slot = np.arange(len(other_chars)) + np.cumsum(chunk_head[other]) - 1
    spaced = np.full(len(other_chars) + int((~pure).sum()), ord(" "), dtype=chars.dtype)
    spaced[slot] = other_chars
    found = BATCH_TOKEN_RE.findall(_from_code_points(spaced))
    found_len = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    if found_len.sum() != len(other_chars):  # impossible by the argument above; be safe
        return _split_by_regex(text)
    per_chunk = np.bincount(
        np.searchsorted(np.cumsum(chunk_len[~pure]), np.cumsum(found_len), side="left"),
        minlength=int((~pure).sum()),
    )

    n_tokens = np.ones(len(first), dtype=np.int64)
    n_tokens[~pure] = per_chunk
    chunk_token = np.cumsum(n_tokens) - n_tokens  # index of each chunk's first token
    lengths = np.empty(int(n_tokens.sum()), dtype=np.int64)
    lengths[chunk_token[pure]] = chunk_len[pure]
    found_first = np.cumsum(per_chunk) - per_chunk
    lengths[np.repeat(chunk_token[~pure] - found_first, per_chunk) + np.arange(len(found_len))] = (
        found_len
    )
    starts = pos[np.cumsum(lengths) - lengths]
    return _string_array(chars, lengths), starts, lengths


def _owners(positions: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ascending ``positions``, the index of the last of the ascending ``bounds`` at or
    before each (0 before the first bound), and the first position of each bound's run."""
    first = np.searchsorted(positions, bounds, side="left")
    if len(first):
        first[0] = 0
    counts = np.diff(np.append(first, len(positions)))
    return np.repeat(np.arange(len(bounds), dtype=np.int64), counts), first


def _arrow_schema(columns: list[str], strings=(), bools=()) -> pa.Schema:
    """The schema pandas gives such a table (with its pandas metadata), so that tables built
    directly in Arrow are written exactly as the DataFrames were."""
    frame = pd.DataFrame(
        {
            c: pd.Series([], dtype="str" if c in strings else bool if c in bools else "int64")
            for c in columns
        }
    )
    return pa.Schema.from_pandas(frame, preserve_index=False)


PARAGRAPH_SCHEMA = _arrow_schema(PARAGRAPH_COLUMNS, {"doc_id", "text"})
SENTENCE_SCHEMA = _arrow_schema(SENTENCE_COLUMNS, {"doc_id", "text"})
TOKEN_SCHEMA = _arrow_schema(
    TOKEN_COLUMNS, {"doc_id", "token", "lower", "term"}, {"is_stop", "keep"}
)
NGRAM_SCHEMA = _arrow_schema(["ngram", "n", "count", "doc_freq"], {"ngram"})

PART_STATISTICS = ("doc_id", "para_id", "sent_id")  # the key columns readers may filter on
PART_DELTA = ("tok_id", "start", "end")  # ascending within an article


def part_writer_options(schema: pa.Schema) -> dict:
    """``ParquetWriter`` options of the paragraphs, sentences and tokens part files: min/max
    statistics only for the key columns (those of the token, lower and term strings were a
    fifth of the writing), ``tok_id``, ``start`` and ``end`` delta-encoded instead of
    dictionary-encoded, and no dictionary tried on the sentence and paragraph texts. The
    table read back (values, dtypes, row order, row groups) is the same as with the defaults."""
    names = schema.names
    delta = [c for c in PART_DELTA if c in names]
    return {
        "write_statistics": [c for c in PART_STATISTICS if c in names],
        "use_dictionary": [c for c in names if c not in delta and c != "text"],
        "column_encoding": dict.fromkeys(delta, "DELTA_BINARY_PACKED"),
    }


# the token parts' string columns written from dictionary arrays (DictionaryPartWriter)
TOKEN_STRINGS = ("doc_id", "token", "lower", "term")


def dictionary_schema(schema: pa.Schema, strings=TOKEN_STRINGS) -> pa.Schema:
    """``schema`` (without metadata) with the ``strings`` columns as dictionary arrays, carrying
    the plain schema as its ``ARROW:schema`` metadata: a ``ParquetWriter`` given this schema
    writes each dictionary array's dictionary and indices as they are (no hashing of the
    strings again) and keeps that metadata, so the file reads back with the plain schema
    (``large_string`` columns, not dictionaries), as if the plain table had been written."""
    plain = schema.remove_metadata()
    fields = [
        f.with_type(pa.dictionary(pa.int32(), f.type)) if f.name in strings else f for f in plain
    ]
    serialized = base64.b64encode(plain.serialize().to_pybytes())
    return pa.schema(fields, metadata={b"ARROW:schema": serialized})


class DictionaryPartWriter(PartWriter):
    """A ``PartWriter`` of tables whose ``strings`` columns are dictionary arrays (those of
    ``ShardTokenizer(..., dictionary_strings=True)``): the part files and the part list are
    those of ``schema`` (the tables read back are the same as ``PartWriter``'s with
    ``schema``; the Parquet dictionaries, and so the bytes, may differ)."""

    def __init__(self, folder, part_list, schema: pa.Schema, strings=TOKEN_STRINGS, **kwargs):
        super().__init__(folder, part_list, schema, **kwargs)
        self.plain_schema = self.schema
        self.schema = dictionary_schema(self.plain_schema, strings)

    def close(self) -> None:
        self._finish()
        write_part_list(self.part_list, self.parts, self.plain_schema)

    def prepare_group(self, table: pa.Table) -> pa.Table:
        """A row group's dictionary columns re-encoded in order of first appearance in the row
        group: the dictionaries then depend on the group's rows only, not on the batches (and
        so the shard count) they came from."""
        columns = [
            first_appearance(c.chunk(0)) if pa.types.is_dictionary(c.type) else c
            for c in table.columns
        ]
        return pa.Table.from_arrays(columns, schema=table.schema)


def first_appearance(array: pa.DictionaryArray) -> pa.DictionaryArray:
    """``array`` with its dictionary cut to the values used, in order of first use (integer
    work on the indices; the dictionary's values must be distinct; null rows stay null)."""
    nulls = array.indices.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
    indices = (
        array.indices.fill_null(0).to_numpy() if nulls is not None else array.indices.to_numpy()
    )
    used_rows = indices[~nulls] if nulls is not None else indices
    n = len(used_rows)
    first = np.full(len(array.dictionary), n, dtype=np.int64)
    first[used_rows[::-1]] = np.arange(n - 1, -1, -1)  # the last write (earliest row) wins
    used = np.flatnonzero(first < n)
    order = used[np.argsort(first[used], kind="stable")]
    code = np.zeros(len(array.dictionary), dtype=np.int32)
    code[order] = np.arange(len(order), dtype=np.int32)
    return pa.DictionaryArray.from_arrays(
        pa.array(code[indices], mask=nulls), array.dictionary.take(pa.array(order))
    )


def _dictionary_take(values: pa.Array, indices: pa.Array) -> pa.DictionaryArray:
    """``values.take(indices)`` as a dictionary array: only ``values`` (a batch's types) are
    hashed, the rows are their indices."""
    encoded = values.dictionary_encode()
    return pa.DictionaryArray.from_arrays(encoded.indices.take(indices), encoded.dictionary)


TOKEN_DICT_SCHEMA = dictionary_schema(TOKEN_SCHEMA)


def _strings(values) -> pa.Array:
    return pa.array(values, type=pa.large_string())


def _slices(text: str, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    return _strings([text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)])


@dataclass
class TokenizedBatch:
    """One batch of articles, segmented: Arrow tables of paragraphs, sentences and tokens, and
    per article (in input order) its numbers of paragraphs, sentences, tokens and terms."""

    paragraphs: pa.Table
    sentences: pa.Table
    tokens: pa.Table
    doc_counts: dict[str, np.ndarray]


class ShardTokenizer:
    """Tokenizes the batches of one shard; per-type work and n-gram counts carry over batches.

    Paragraphs are split at blank lines, sentences by Punkt within each paragraph
    (``SentenceSplitter``), tokens by one pass of the token pattern over the whole batch; each
    token is assigned to its article, paragraph and sentence by offset (``numpy.searchsorted``).
    Token types get shard-wide ids, so lowercasing, stopwords and lemmas are looked up once per
    type, the string columns are built by Arrow ``take`` from per-type arrays, and n-grams are
    counted on integer term ids (``NgramCounter``).
    """

    SEPARATOR = "\n\n\n"

    def __init__(self, punkt, settings: dict, stopwords: set[str], dictionary_strings=False):
        # dictionary_strings: token, lower and term as dictionary arrays (TOKEN_DICT_SCHEMA)
        self.dictionary_strings = dictionary_strings
        self.splitter = punkt if isinstance(punkt, SentenceSplitter) else SentenceSplitter(punkt)
        self.settings = settings
        self.stopwords = stopwords
        self._type_id: dict[str, int] = {}
        self._lower: list[str] = []
        self._term: list[str] = []
        self._is_stop = np.zeros(0, dtype=bool)
        self._keep = np.zeros(0, dtype=bool)
        self._term_id = np.zeros(0, dtype=np.int64)  # shard-wide term id, -1 if not kept
        self._term_index: dict[str, int] = {}
        self.terms: list[str] = []  # term of each term id
        self.ngrams = NgramCounter(int(settings["ngram_max"]))

    @property
    def n_types(self) -> int:
        return len(self._lower)

    def _type_ids(self, types: list[str]) -> np.ndarray:
        """Shard-wide ids of the given distinct types, adding the new ones to the type table."""
        get = self._type_id.get
        ids = [get(t, -1) for t in types]
        new = [t for t, i in zip(types, ids, strict=True) if i < 0]
        if new:
            table = term_table(new, self.settings, self.stopwords)
            base = len(self._lower)
            self._type_id.update(zip(new, range(base, base + len(new)), strict=True))
            terms = table["term"].tolist()
            keep = table["keep"].to_numpy(dtype=bool)
            self._lower += table["lower"].tolist()
            self._term += terms
            self._is_stop = np.concatenate([self._is_stop, table["is_stop"].to_numpy(dtype=bool)])
            self._keep = np.concatenate([self._keep, keep])
            index, term_ids = self._term_index, []
            for t, k in zip(terms, keep, strict=True):
                if k and t not in index:
                    index[t] = len(self.terms)
                    self.terms.append(t)
                term_ids.append(index[t] if k else -1)
            self._term_id = np.concatenate([self._term_id, np.asarray(term_ids, dtype=np.int64)])
            ids = [get(t) for t in types]
        return np.asarray(ids, dtype=np.int64)

    def _token_strings(self, token_arr, encoded, type_ids, doc_arr, doc_index) -> tuple:
        """The tokens table's doc_id, token, lower and term columns and its schema: dictionary
        arrays (TOKEN_DICT_SCHEMA) with ``dictionary_strings``, else plain strings."""
        lower, term = (_strings([v[i] for i in type_ids]) for v in (self._lower, self._term))
        if self.dictionary_strings:
            lower, term = (_dictionary_take(v, encoded.indices) for v in (lower, term))
            tok_doc = pa.DictionaryArray.from_arrays(pa.array(doc_index, pa.int32()), doc_arr)
            return tok_doc, encoded, lower, term, TOKEN_DICT_SCHEMA
        lower, term = (pc.take(v, encoded.indices) for v in (lower, term))
        tok_doc = doc_arr.take(pa.array(doc_index)) if len(doc_index) else _strings([])
        return tok_doc, token_arr, lower, term, TOKEN_SCHEMA

    def tokenize(self, doc_ids: list[str], texts: list[str]) -> TokenizedBatch:
        """Segment and tokenize a batch of clean articles; counts its n-grams into
        ``self.ngrams``."""
        n_docs = len(texts)
        doc_arr = _strings(doc_ids)
        text = self.SEPARATOR.join(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_docs)
        doc_start = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(lengths + len(self.SEPARATOR), out=doc_start[1:])
        doc_end = doc_start[:-1] + lengths
        cps = _code_points(text)
        kind = _char_classes(cps)
        nonspace = np.flatnonzero(kind != SPACE)

        # paragraphs, and sentences within them (global offsets in the batch text)
        if n_docs:
            para_start, para_end = paragraph_bounds(cps, nonspace, doc_start[:-1], doc_end)
        else:
            para_start = para_end = np.zeros(0, dtype=np.int64)
        last_char = np.searchsorted(nonspace, para_end, side="left") - 1
        content_end = np.where(
            last_char >= 0, nonspace[np.maximum(last_char, 0)] + 1 if len(nonspace) else 0, 0
        )
        content_end = np.maximum(content_end, para_start)
        sent_start, sent_end, sent_para = self.splitter.batch_spans(
            text, para_start, para_end, content_end
        )
        para_doc = np.searchsorted(doc_start, para_start, side="right") - 1
        para_id = np.arange(len(para_start)) - np.searchsorted(para_doc, para_doc, side="left")
        sent_doc = para_doc[sent_para]
        sent_id = np.arange(len(sent_start)) - np.searchsorted(sent_doc, sent_doc, side="left")

        # tokens, each assigned to its article and sentence by offset
        token_arr, start, tok_len = split_tokens(text, cps, kind, nonspace)
        n_tok = len(token_arr)
        doc_index, first_token = _owners(start, doc_start[:-1])
        sent_index, _ = _owners(start, sent_start)
        encoded = token_arr.dictionary_encode()
        local = encoded.indices.to_numpy().astype(np.intp)
        type_ids = self._type_ids(encoded.dictionary.to_pylist())
        tok_doc, token_arr, lower, term, schema = self._token_strings(
            token_arr, encoded, type_ids, doc_arr, doc_index
        )
        is_stop = self._is_stop[type_ids][local]
        keep = self._keep[type_ids][local]
        has_sents = len(sent_start) > 0
        tok_start = start - doc_start[doc_index] if n_tok else start
        tokens = pa.Table.from_arrays(
            [
                tok_doc,
                para_id[sent_para[sent_index]] if has_sents else sent_index,
                sent_id[sent_index] if has_sents else sent_index,
                np.arange(n_tok, dtype=np.int64) - first_token[doc_index] if n_tok else sent_index,
                tok_start,
                tok_start + tok_len,
                token_arr,
                lower,
                term,
                is_stop,
                keep,
            ],
            schema=schema,
        )
        n_sents = len(sent_start)
        sentences = pa.Table.from_arrays(
            [
                doc_arr.take(pa.array(sent_doc, type=pa.int64())),
                para_id[sent_para],
                sent_id,
                sent_start - doc_start[sent_doc],
                sent_end - doc_start[sent_doc],
                _slices(text, sent_start, sent_end),
                np.bincount(sent_index, minlength=n_sents)[:n_sents].astype(np.int64),
                np.bincount(sent_index, weights=keep, minlength=n_sents)[:n_sents].astype(np.int64),
            ],
            schema=SENTENCE_SCHEMA,
        )
        paragraphs = pa.Table.from_arrays(
            [
                doc_arr.take(pa.array(para_doc, type=pa.int64())),
                para_id,
                para_start - doc_start[para_doc],
                para_end - doc_start[para_doc],
                _slices(text, para_start, para_end),
                np.bincount(sent_para, minlength=len(para_start)).astype(np.int64),
            ],
            schema=PARAGRAPH_SCHEMA,
        )
        kept = keep.nonzero()[0]
        self.ngrams.add(self._term_id[type_ids][local[kept]], sent_index[kept], doc_index[kept])
        counts = {
            "n_paragraphs": np.bincount(para_doc, minlength=n_docs),
            "n_sentences": np.bincount(sent_doc, minlength=n_docs),
            "n_tokens": np.bincount(doc_index, minlength=n_docs),
            "n_terms": np.bincount(doc_index[kept], minlength=n_docs),
        }
        counts = {k: v.astype(np.int64) for k, v in counts.items()}
        return TokenizedBatch(paragraphs, sentences, tokens, counts)

    def ngram_table(self) -> pa.Table:
        """Counts of the shard's terms and n-grams (see ``NgramCounter.table``)."""
        return self.ngrams.table(_strings(self.terms))

    def iter_ngram_tables(self, rows: int) -> Iterator[pa.Table]:
        """``ngram_table`` as tables of ``rows`` rows (``NgramCounter.iter_table``)."""
        return self.ngrams.iter_table(_strings(self.terms), rows)


def write_by_block(writer, table: pa.Table, doc_ids, blocks, rows_per_doc=None) -> None:
    """Write a batch's rows (in article order) to the parts of their articles' blocks:
    ``writer`` is a ``newslens.shards.PartWriter``, ``blocks`` the block of each article of
    the batch (``doc_ids``) and ``rows_per_doc`` the table's rows of each article. Ascending
    blocks are cut into slices of the table by those counts; otherwise (or without the
    counts) each row's article is looked up by its doc_id."""
    if blocks[0] == blocks[-1]:
        writer.write(int(blocks[0]), table)
    elif rows_per_doc is not None and (np.diff(blocks) >= 0).all():
        writer.write_blocks(np.repeat(blocks, rows_per_doc), table)
    else:
        row_block = pc.index_in(
            table.column("doc_id").cast(pa.large_string()),
            value_set=pa.array(doc_ids).cast(pa.large_string()),
        ).to_numpy()
        row_block = blocks[row_block]
        for block in sorted(set(blocks.tolist())):
            writer.write(block, table.filter(pa.array(row_block == block)))


# ---------------------------------------------------------------- counts

TERM_BITS = 21  # bits per term id in an n-gram's int64 code (n <= 3, < 2M distinct terms)


def batch_ngrams(local: np.ndarray, sent_codes: np.ndarray, doc_codes: np.ndarray, n: int):
    """Distinct n-grams of consecutive terms within one sentence of a batch of kept tokens.

    ``local`` are the tokens' term ids numbered by first appearance in the batch (as
    ``pandas.factorize`` gives them); sentences and documents are integer codes per token.
    Returns (grams, count, doc_freq): grams a (k, n) array of those ids, in order of first
    appearance when the batch has < 2M distinct terms and n <= 3 (counted on one int64 code per
    n-gram), else sorted (``numpy.unique`` row-wise). Returns None when there is no n-gram."""
    m = len(local) - n + 1
    if m <= 0:
        return None
    same = sent_codes[:m] == sent_codes[n - 1 :]
    docs_n = doc_codes[:m][same]
    if not len(docs_n):
        return None
    if n == 1:  # the ids are their own codes, already numbered by first appearance
        inverse = local
        count = np.bincount(local)
        uniq = np.arange(len(count), dtype=np.int64)[:, None]
    elif n <= 3 and local.max(initial=0) < (1 << TERM_BITS):
        code = np.zeros(m, dtype=np.int64)
        for j in range(n):
            code = (code << TERM_BITS) | local[j : j + m]
        inverse, keys = pd.factorize(code[same])
        count = np.bincount(inverse)
        mask = (1 << TERM_BITS) - 1
        uniq = np.stack([(keys >> (TERM_BITS * (n - 1 - j))) & mask for j in range(n)], axis=1)
    else:
        grams = np.stack([local[j : j + m] for j in range(n)], axis=1)[same]
        uniq, inverse, count = np.unique(grams, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
    width = int(docs_n.max()) + 1
    pairs = pd.unique(inverse.astype(np.int64) * width + docs_n)
    doc_freq = np.bincount(pairs // width, minlength=len(uniq))
    return uniq, count.astype(np.int64), doc_freq.astype(np.int64)


def _first_rows(inverse: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each id of a ``pandas.factorize`` result (ids are numbered
    by first appearance, so each first occurrence raises the running maximum by one)."""
    if not len(inverse):
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(inverse)
    return np.flatnonzero(np.r_[True, running[1:] > running[:-1]])


PART_BITS = 6  # 64 hash partitions of the n-gram totals (each fold's hash table stays in cache)
PARTS = 1 << PART_BITS
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: partition = top bits of key * _MIX


class NgramCounter:
    """Term and n-gram counts (count, doc_freq) summed over the batches of a shard.

    Each batch's distinct n-grams (``batch_ngrams``) are added under one key per n-gram: an
    int64 code of its shard-wide term ids (21 bits each, n <= 3 and < 2M terms), else a tuple.
    Every n-gram keeps the sequence number of its first appearance (rows numbered across the
    batches' lists of distinct n-grams, so it gives the first batch and the position in it);
    counts and sequence numbers are int32 (int64 only past 2**31), ~20 bytes per n-gram. Keys
    are dealt by hash into ``PARTS`` partitions, and pending batches are folded into the running
    totals partition by partition once they pass half of the totals, so each fold hashes a few
    hundred thousand keys at a time (in cache). ``table`` / ``iter_table`` order rows as grouping the batches' tables in turn
    would (by first batch, then n, then order within that batch) and turn only distinct
    n-grams into strings, ``iter_table`` a bounded number of rows at a time."""

    FOLD_ROWS = 1 << 20  # fold pending batches once they hold more rows than this and half the
    # totals (the totals do not depend on it)

    def __init__(self, ngram_max: int):
        self.ngram_max = ngram_max
        self.batches = 0
        self._wide = {n: n * TERM_BITS > 63 for n in range(1, ngram_max + 1)}
        # per n: the totals (keys, count, doc_freq, sequence number, cuts) with rows sorted by
        # partition (cuts: where each partition starts), and the pending batches, sorted the
        # same way; the first sequence number of each batch that had n-grams, and its number
        self._acc: dict[int, tuple | None] = dict.fromkeys(self._wide)
        self._seq = dict.fromkeys(self._wide, 0)
        self._batch_seq: dict[int, list] = {n: [] for n in self._wide}
        self._batch_no: dict[int, list] = {n: [] for n in self._wide}
        self._pending: dict[int, list] = {n: [] for n in self._wide}  # whole batches
        self._pending_rows = dict.fromkeys(self._wide, 0)
        self._acc_rows = dict.fromkeys(self._wide, 0)

    def _keys(self, n: int, grams: np.ndarray) -> np.ndarray:
        if self._wide[n]:
            keys = np.empty(len(grams), dtype=object)
            keys[:] = list(map(tuple, grams.tolist()))
            return keys
        code = np.zeros(len(grams), dtype=np.int64)
        for j in range(n):
            code = (code << TERM_BITS) | grams[:, j]
        return code

    def _grams(self, n: int, keys: np.ndarray) -> np.ndarray:
        if self._wide[n]:
            return np.array(keys.tolist(), dtype=np.int64).reshape(len(keys), n)
        mask = (1 << TERM_BITS) - 1
        return np.stack([(keys >> (TERM_BITS * (n - 1 - j))) & mask for j in range(n)], axis=1)

    def _partition(self, n: int, keys: np.ndarray) -> np.ndarray:
        """The partition of each key (tuple keys all go to partition 0)."""
        if self._wide[n]:
            return np.zeros(len(keys), dtype=np.int64)
        return ((keys.view(np.uint64) * _MIX) >> np.uint64(64 - PART_BITS)).astype(np.int64)

    def _totals(self, n: int) -> tuple | None:
        """n's totals (keys, count, doc_freq, sequence number) after a fold, or None.
        Empties n's totals."""
        self._fold(n)
        acc, self._acc[n], self._acc_rows[n] = self._acc[n], None, 0
        return None if acc is None else acc[:4]

    def _widen(self, n: int) -> None:
        """Switch n's keys from int64 codes to tuples (the shard passed 2M distinct terms)."""
        acc = self._totals(n)
        keys = None if acc is None else self._grams(n, acc[0])
        self._wide[n] = True
        if acc is not None:  # all in partition 0
            cuts = np.r_[0, np.full(PARTS, len(keys))]
            self._acc[n] = (self._keys(n, keys), *acc[1:], cuts)
            self._acc_rows[n] = len(keys)

    def add(self, term_ids: np.ndarray, sent_codes: np.ndarray, doc_codes: np.ndarray) -> None:
        """Count one batch of kept tokens: shard-wide term ids, sentence and document codes."""
        term_ids = np.asarray(term_ids, dtype=np.int64)
        if len(term_ids) and term_ids.max() >= (1 << TERM_BITS):
            for n in self._wide:
                if not self._wide[n]:
                    self._widen(n)
        local, ids = pd.factorize(term_ids)  # numbered by first appearance in the batch
        local, ids = local.astype(np.int64), np.asarray(ids, dtype=np.int64)
        for n in self._wide:
            found = batch_ngrams(local, sent_codes, doc_codes, n)
            if found is None:
                continue
            grams, count, doc_freq = found
            keys = self._keys(n, ids[grams])
            part = self._partition(n, keys)
            order = np.argsort(part, kind="stable")
            cuts = np.searchsorted(part[order], np.arange(PARTS + 1))
            seq = order + self._seq[n]  # sequence numbers: positions in this batch's list on
            self._batch_seq[n].append(self._seq[n])
            self._batch_no[n].append(self.batches)
            self._seq[n] += len(keys)
            seq = seq.astype(np.int32 if self._seq[n] < np.iinfo(np.int32).max else np.int64)
            self._pending[n].append(
                (keys[order], _narrow(count)[order], _narrow(doc_freq)[order], seq, cuts)
            )
            self._pending_rows[n] += len(keys)
            if self._pending_rows[n] > max(self._acc_rows[n] // 2, self.FOLD_ROWS):
                self._fold(n)
        self.batches += 1

    def _fold(self, n: int) -> None:
        """Fold n's pending batches into its totals, one partition at a time: the partition's
        rows of the totals and of each pending batch are merged by ``pandas.factorize`` (the
        first occurrence of an n-gram is its first batch) and written into new totals."""
        pending, self._pending[n] = self._pending[n], []
        if not pending:
            return
        acc = self._acc[n]
        pieces = pending if acc is None else [acc, *pending]
        size = sum(len(p[0]) for p in pieces)
        total = sum(int(p[1].sum(dtype=np.int64)) for p in pieces)
        wide_counts = total >= np.iinfo(np.int32).max  # counts (>= doc_freq) past int32
        out = [
            np.empty(size, dtype=object if self._wide[n] else np.int64),
            *(np.empty(size, dtype=np.int64 if wide_counts else np.int32) for _ in range(2)),
            np.empty(size, dtype=pieces[-1][3].dtype),  # the last batch's are the widest
        ]
        cuts, at = np.zeros(PARTS + 1, dtype=np.int64), 0
        for p in range(PARTS):
            parts = [
                tuple(a[piece_cuts[p] : piece_cuts[p + 1]] for a in arrays)
                for *arrays, piece_cuts in pieces
                if piece_cuts[p + 1] > piece_cuts[p]
            ]
            if len(parts) > 1:
                keys, count, doc_freq, seq = (
                    np.concatenate([piece[i] for piece in parts]) for i in range(4)
                )
                inverse, keys = pd.factorize(keys)
                parts = [
                    (
                        keys,
                        np.bincount(inverse, weights=count),
                        np.bincount(inverse, weights=doc_freq),
                        seq[_first_rows(inverse)],
                    )
                ]
            if parts:
                k = len(parts[0][0])
                for dst, src in zip(out, parts[0], strict=True):
                    dst[at : at + k] = src
                at += k
            cuts[p + 1] = at
        del pieces, acc, pending
        self._acc[n] = None
        for a in out:
            a.resize(at, refcheck=False)  # in place: the rows beyond `at` were duplicates
        self._acc[n] = (*out, cuts)
        self._pending_rows[n], self._acc_rows[n] = 0, at

    def table(self, terms: pa.Array) -> pa.Table:
        """ngram (terms joined by a space), n, count, doc_freq."""
        tables = list(self.iter_table(terms, rows=1 << 62))
        return tables[0] if tables else NGRAM_SCHEMA.empty_table()

    def iter_table(self, terms: pa.Array, rows: int) -> Iterator[pa.Table]:
        """The rows of ``table``, in its order, as tables of ``rows`` rows (the last may be
        shorter; none without n-grams): strings are made for one table at a time. Empties the
        counter."""
        accs, sort_key = [], []
        for n in self._wide:
            acc = self._totals(n)
            if acc is not None:
                accs.append((n, acc[0], acc[1], acc[2]))
                # sort key: first batch, then n, then position in that batch (all distinct)
                starts = np.asarray(self._batch_seq[n], dtype=np.int64)
                batch_no = np.asarray(self._batch_no[n], dtype=np.int64)
                key = np.empty(len(acc[3]), dtype=np.int64)
                for lo in range(0, len(key), 1 << 20):  # small temporaries
                    seq = acc[3][lo : lo + (1 << 20)].astype(np.int64)
                    which = np.searchsorted(starts, seq, side="right") - 1
                    seq -= starts[which]  # position in the first batch
                    key[lo : lo + len(seq)] = (
                        (batch_no[which] * (self.ngram_max + 1) + n) << 32
                    ) | seq
                sort_key.append(key)
            self._seq[n], self._batch_seq[n], self._batch_no[n] = 0, [], []
            del acc
        if not accs:
            return
        sort_key = np.concatenate(sort_key)
        order = np.argsort(sort_key)
        del sort_key
        offsets = np.cumsum([0] + [len(a[1]) for a in accs])
        space = pa.scalar(" ", pa.large_string())
        for start in range(0, len(order), rows):
            idx = order[start : start + rows]
            which = np.searchsorted(offsets, idx, side="right") - 1
            ngram, n_col, count, doc_freq = [], [], [], []
            for g, (n, keys, cnt, dfreq) in enumerate(accs):
                rows_g = np.flatnonzero(which == g)
                if not len(rows_g):
                    continue
                local = idx[rows_g] - offsets[g]
                grams = self._grams(n, keys[local])
                words = [terms.take(pa.array(grams[:, j])) for j in range(n)]
                ngram.append(words[0] if n == 1 else pc.binary_join_element_wise(*words, space))
                n_col.append(np.full(len(local), n, dtype=np.int64))
                count.append(cnt[local])
                doc_freq.append(dfreq[local])
            # back to the sorted order: the rows of each n were taken in turn
            back = pa.array(
                np.argsort(
                    np.concatenate([np.flatnonzero(which == g) for g in range(len(accs))]),
                    kind="stable",
                )
            )
            yield pa.Table.from_arrays(
                [
                    pa.chunked_array(ngram, type=pa.large_string()).take(back).combine_chunks(),
                    pa.array(np.concatenate(n_col)).take(back),
                    pa.array(np.concatenate(count).astype(np.int64)).take(back),
                    pa.array(np.concatenate(doc_freq).astype(np.int64)).take(back),
                ],
                schema=NGRAM_SCHEMA,
            )


def _narrow(counts: np.ndarray) -> np.ndarray:
    """Integer counts as int32 when they fit (they do below 2**31 per shard), else int64."""
    counts = np.asarray(counts)
    if len(counts) and counts.max() >= np.iinfo(np.int32).max:
        return counts.astype(np.int64)
    return counts.astype(np.int32)
