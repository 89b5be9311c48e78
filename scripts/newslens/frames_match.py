"""Codebook indicator matching: every hit of a codebook's terms, phrases and regexes in a
list of sentences, with negation (a cue within ``negation_window`` words before the hit).

``match_sentences`` is the entry point; ``BatchMatcher`` does a whole batch of sentences in a
few numpy passes, ``match_sentences_reference`` one word at a time in plain Python (the
reference that tests hold the batch path to).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.codebook import (
    NEGATION_CONTRACTION_RE,
    WORD_RE,
    Codebook,
    Matcher,
    leftmost_longest,
    longest_phrases,
    normalize_words,
)


class _CachedNormalizer(dict):
    """word -> normalised word, computed once per distinct word (a dict: lookups run in C)."""

    def __init__(self, fn: Callable[[str], str]):
        super().__init__()
        self.fn = fn

    def __missing__(self, w: str) -> str:
        out = self.fn(w) or w
        self[w] = out
        return out

    def __call__(self, w: str) -> str:
        return self[w]


def _words(text: str, cache: _CachedNormalizer) -> list[str]:
    """normalize_words() with the cache inlined (the hot loop of the stage)."""
    text = NEGATION_CONTRACTION_RE.sub(" not", text.lower())
    return [cache[w] for w in WORD_RE.findall(text)]


HIT_COLUMNS = ["sent", "frame", "indicator", "weight", "negated"]
# Characters that can join the sentences of a batch into one string: no word character, no
# whitespace, neither cased nor case-ignorable, so that lower(), the "n't" rule, WORD_RE and
# the regex indicators see each sentence as if alone. The first one that occurs in no sentence
# of the batch is used.
SEPARATORS = "".join(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x1C)]))
MATCH_BATCH = 120_000  # sentences matched at once (bounds the memory of one call)


@functools.cache
def word_char_table(size: int = 0x110000) -> np.ndarray:
    """Boolean table over the first ``size`` code points: is it a character of WORD_RE
    (``[^\\W_]``, i.e. ``str.isalnum``). A test checks it against WORD_RE itself."""
    return np.fromiter(map(str.isalnum, map(chr, range(size))), dtype=bool, count=size)


@functools.cache
def ascii_word_bytes() -> tuple[bytes, bytes]:
    """For ``bytes.translate`` of ASCII text: (a table mapping each byte to 1 if it is a
    character of WORD_RE, else 0; the bytes that are not), from ``word_char_table``."""
    table = word_char_table(0x80)
    flags = bytes(table.astype(np.uint8).tolist()) + bytes(0x80)
    other = bytes(b for b in range(0x100) if b >= 0x80 or not table[b])
    return flags, other


def _hit_table(sent, frame, indicator, weight, negated) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sent": np.asarray(sent, dtype=np.int64),
            "frame": np.asarray(frame, dtype=object),
            "indicator": np.asarray(indicator, dtype=object),
            "weight": np.asarray(weight, dtype=float),
            "negated": np.asarray(negated, dtype=bool),
        }
    )


def _rows_table(rows: list[tuple]) -> pd.DataFrame:
    return _hit_table(*(zip(*rows, strict=True) if rows else [[]] * 5))


def _regex_rows(
    texts: list[str],
    matcher: Matcher,
    norm: _CachedNormalizer,
    cues: set[str],
    negation_window: int,
    candidates: Callable[[str], Iterable[int]] | None = None,
) -> list[tuple]:
    """Hits of the regex indicators, frame by frame, in the sentences ``candidates(frame)``
    (default: all) -- rows (sent, frame, indicator, weight, negated)."""
    check_neg = negation_window > 0 and bool(cues)
    rows = []
    for frame, rx in matcher.frame_regex.items():
        weights = matcher.regex_weight[frame]
        compiled = {t: re.compile(t, re.IGNORECASE) for t in weights}
        for sent in range(len(texts)) if candidates is None else candidates(frame):
            text = texts[sent] or ""
            for m in rx.finditer(text):
                # which alternative matched: the first regex indicator that matches the hit
                term = next(
                    (t for t in weights if compiled[t].fullmatch(m.group(0))),
                    next(iter(weights)),
                )
                negated = check_neg and any(
                    w in cues for w in _words(text[: m.start()], norm)[-negation_window:]
                )
                rows.append((sent, frame, term, weights[term], negated))
    return rows


class BatchMatcher:
    """Term hits, regex hits and negation of a whole batch of sentences at once: the same
    hits in the same order as ``match_sentences_reference``, a few numpy passes per batch
    instead of Python work per word.

    The sentences are joined by a separator character into one string, lowercased, "n't" is
    expanded, and the words (runs of WORD_RE characters) are cut out with numpy over the
    characters (one byte each when the batch is ASCII, else four); pyarrow's dictionary
    encoding numbers the distinct words, and each distinct word is looked at once for all
    batches (``types``: normalised, coded). Words become phrase-word codes (0 for a word in no
    phrase), the codebook's phrases are found by walking the trie over all positions at once
    (``longest_phrases``, ``leftmost_longest``), and negation by a cumulative count of cue
    words. Regex indicators run per sentence as before, but only in sentences that may contain
    a match (``LiteralSearch``).
    """

    def __init__(
        self,
        matcher: Matcher,
        normalizer: Callable[[str], str],
        negation_cues: tuple[str, ...] = (),
        negation_window: int = 0,
    ):
        self.matcher, self.normalizer = matcher, normalizer
        self.cue_words, self.window = tuple(negation_cues), int(negation_window)
        self.norm = _CachedNormalizer(normalizer)
        self.cues = {w for c in negation_cues for w in normalize_words(c, self.norm)}
        self.check_neg = self.window > 0 and bool(self.cues)
        self.literals = LiteralSearch(matcher.regex_literals)
        # word -> packed int: bit 0 a negation cue, then one bit per frame of
        # literals.word_frames (does the word hold one of its literals), then the word code
        self.shift = 1 + len(self.literals.word_frames)
        self.types: dict[str, int] = {}
        self.use_reference = False  # set if a normalised word holds a space (never, in practice)
        index = {id(ind): k for k, ind in enumerate(matcher.cb.indicators)}
        per_phrase = matcher.phrase_hits
        self.hit_start = np.cumsum([0, *map(len, per_phrase)]).astype(np.int64)
        self.hit_offset = np.array([o for h in per_phrase for o, _ in h], dtype=np.int64)
        self.hit_ind = np.array([index[id(i)] for h in per_phrase for _, i in h], dtype=np.int64)
        inds = matcher.cb.indicators
        self.ind_frame = [i.frame for i in inds]
        self.ind_term = [i.term for i in inds]
        self.ind_weight = np.array([i.weight for i in inds], dtype=float)

    def _type_code(self, word: str) -> int:
        norm = self.norm[word]
        if " " in norm:
            self.use_reference = True
        code = self.matcher.trie.codes.get(norm, 0) << self.shift
        code |= self.literals.word_flags(word) << 1
        code |= norm in self.cues
        self.types[word] = code
        return code

    def words(self, lowered: str, sep: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(packed code of each word, words per sentence) of n lowercased sentences joined by
        sep."""
        text = NEGATION_CONTRACTION_RE.sub(" not", lowered)
        if text.isascii():
            raw = text.encode("ascii")
            buf = np.frombuffer(raw, dtype=np.uint8)
            width, kind = 1, pa.large_string()
        else:
            buf = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            width, kind = 4, pa.large_binary()
        if len(buf) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(n, dtype=np.int64)
        if width == 1:  # bytes.translate: the word flags and the word characters in one C pass
            flags, other = ascii_word_bytes()
            isw = np.frombuffer(raw.translate(flags), dtype=bool)
            chars = raw.translate(None, other)
        else:
            # the smallest table that covers the batch: the BMP, or all of Unicode
            isw = word_char_table(0x10000 if buf.max() < 0x10000 else 0x110000)[buf]
            chars = np.ascontiguousarray(buf[isw])
        edges = np.flatnonzero(isw[1:] != isw[:-1]) + 1
        if isw[0]:
            edges = np.concatenate([[0], edges])
        if isw[-1]:
            edges = np.concatenate([edges, [len(buf)]])
        starts, ends = edges[0::2], edges[1::2]
        offsets = np.zeros(len(starts) + 1, dtype=np.int64)
        np.cumsum((ends - starts) * width, out=offsets[1:])
        arr = pa.Array.from_buffers(
            kind, len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
        )
        enc = pc.dictionary_encode(arr)
        distinct = enc.dictionary.to_pylist()
        if width == 4:
            distinct = [w.decode("utf-32-le", "surrogatepass") for w in distinct]
        get = self.types.get
        codes = np.array(
            [c if (c := get(w)) is not None else self._type_code(w) for w in distinct],
            dtype=np.int64,
        )
        packed = codes[enc.indices.to_numpy(zero_copy_only=False)]
        # words per sentence: how many word starts lie before each separator
        bounds = np.searchsorted(starts, np.flatnonzero(buf == ord(sep)))
        n_words = np.diff(np.concatenate([[0], bounds, [len(starts)]]))
        return packed, n_words

    def match(self, texts: list[str]) -> tuple[pd.DataFrame, list[tuple], np.ndarray]:
        """(term hits, regex hit rows, n_words) of a batch of sentences."""
        texts = [t or "" for t in texts]
        n = len(texts)
        sep = next((c for c in SEPARATORS if c not in "".join(texts)), None)
        if sep is not None and not self.use_reference:
            joined = sep.join(texts)
            lowered = joined.lower()
            packed, n_words = self.words(lowered, sep, n)
        if sep is None or self.use_reference:
            return _reference_rows(texts, self.matcher, self.norm, self.cues, self.window)
        wsent = np.repeat(np.arange(n), n_words)
        sent_end = np.repeat(np.cumsum(n_words), n_words)
        pos, length, phrase = longest_phrases(self.matcher.trie, packed >> self.shift, sent_end)
        keep = leftmost_longest(pos, length)
        pos, phrase = pos[keep], phrase[keep]
        count = self.hit_start[phrase + 1] - self.hit_start[phrase]
        match = np.repeat(np.arange(len(pos)), count)
        k = self.hit_start[phrase][match] + (
            np.arange(len(match)) - np.repeat(np.cumsum(count) - count, count)
        )
        at = pos[match] + self.hit_offset[k]
        ind = self.hit_ind[k]
        if self.check_neg:
            cum = np.concatenate([[0], np.cumsum(packed & 1)])
            first = np.cumsum(n_words) - n_words
            lo = np.maximum(first[wsent[at]], at - self.window)
            negated = cum[at] > cum[lo]
        else:
            negated = np.zeros(len(at), dtype=bool)
        terms = pd.DataFrame(
            {
                "sent": wsent[at],
                "frame": str_column(ind, self.ind_frame),
                "indicator": str_column(ind, self.ind_term),
                "weight": self.ind_weight[ind],
                "negated": negated,
            }
        )
        flagged = (packed >> 1) & ((1 << (self.shift - 1)) - 1)
        candidates = self.literals.candidates(texts, sep, joined, lowered, flagged, wsent)
        rows = _regex_rows(texts, self.matcher, self.norm, self.cues, self.window, candidates)
        return terms, rows, n_words


class LiteralSearch:
    """Which sentences may hold a match of each frame's regex: those containing one of the
    strings every match contains (``Matcher.regex_literals``; all sentences if none), compared
    ignoring case, as the regex compares them.

    Strings of letters and digits only lie inside one word of the lowercased text: each word
    (type) is checked once (``word_flags``), and a sentence is a candidate when one of its
    words holds one of the frame's strings (the word as cut after "n't" was expanded, or with
    its "n" given back). Other strings are looked up with str.find in the lowercased batch.
    Lowercasing finds every place that ignoring case would, except where the text has a
    character that IGNORECASE equates with a literal character but lower() does not turn into
    it (e.g. "ſ" for "s", "İ" for "i", "Σ" lowercased by context): sentences with such a
    character are always tried (ASCII batches have none).
    """

    def __init__(self, literals: dict[str, list[str] | None]):
        self.word_frames: list[tuple[str, list[str]]] = []  # (frame, lowercased literals)
        self.lowered: dict[str, list[str]] = {}
        self.ignorecase: dict[str, re.Pattern] = {}
        chars = set()
        for frame, lits in literals.items():
            if not lits:
                continue
            if all(len(ch.lower()) == 1 for lit in lits for ch in lit):
                low = [x.lower() for x in lits]
                if all(x.isalnum() for x in low) and len(self.word_frames) < 32:
                    self.word_frames.append((frame, low))
                else:
                    self.lowered[frame] = low
                chars.update(ch for lit in lits for ch in lit)
            else:
                self.ignorecase[frame] = re.compile("|".join(map(re.escape, lits)), re.IGNORECASE)
        self.bit = {frame: k for k, (frame, _) in enumerate(self.word_frames)}
        lits = sorted({x for _, low in self.word_frames for x in low})
        self.any_word_literal = re.compile("|".join(map(re.escape, lits))) if lits else None
        self.chars = "".join(sorted(chars))

    def word_flags(self, word: str) -> int:
        """Bit k set: the (lowercase) word, or the word with "n" appended, holds a literal of
        word_frames[k]."""
        word += "n"
        if self.any_word_literal is None or not self.any_word_literal.search(word):
            return 0
        flags = 0
        for k, (_, lits) in enumerate(self.word_frames):
            if any(x in word for x in lits):
                flags |= 1 << k
        return flags

    def candidates(
        self,
        texts: list[str],
        sep: str,
        joined: str,
        lowered: str,
        flagged: np.ndarray,
        wsent: np.ndarray,
    ) -> Callable[[str], Iterable[int]]:
        """A function frame -> sentence indices to try, for one batch (``joined``: the texts
        joined by ``sep``, ``lowered`` its lower(); ``flagged``: the word_flags of each word,
        ``wsent`` its sentence)."""
        n = len(texts)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), np.int64, n)[:-1] + 1, out=starts[1:])
        if len(lowered) == len(joined):
            low_starts = starts
        else:  # a character lowercased into two: find the separators again
            cp = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            low_starts = np.concatenate([[0], np.flatnonzero(cp == ord(sep)) + 1])
        odd = set()
        if self.chars and not joined.isascii():
            chars = _case_odd_chars(self.chars)
            if chars:
                pattern = re.compile("[" + re.escape(chars) + "]")
                odd = set(_sentences_of(pattern.finditer(joined), starts))

        def frame_candidates(frame: str) -> Iterable[int]:
            if frame in self.bit:
                found = np.unique(wsent[(flagged >> self.bit[frame]) & 1 == 1]).tolist()
                return sorted(odd.union(found)) if odd else found
            if frame in self.lowered:
                found = set(odd)
                for lit in self.lowered[frame]:
                    found.update(_sentences_with(lowered, lit, low_starts))
                return sorted(found)
            if frame in self.ignorecase:
                return _sentences_of(self.ignorecase[frame].finditer(joined), starts)
            return range(n)

        return frame_candidates


def _sentences_of(matches: Iterable[re.Match], starts: np.ndarray) -> list[int]:
    """The sentences (by their start offsets) in which the matches begin."""
    at = np.fromiter((m.start() for m in matches), dtype=np.int64)
    return np.unique(np.searchsorted(starts, at, side="right") - 1).tolist()


def _sentences_with(text: str, literal: str, starts: np.ndarray) -> list[int]:
    """The sentences (by their start offsets in ``text``) that contain ``literal``: str.find,
    jumping to the next sentence after each find."""
    out = []
    at = text.find(literal)
    while at >= 0:
        k = int(np.searchsorted(starts, at, side="right")) - 1
        out.append(k)
        if k + 1 >= len(starts):
            break
        at = text.find(literal, int(starts[k + 1]))
    return out


@functools.cache
def _case_odd_chars(chars: str) -> str:
    """Characters that re.IGNORECASE equates with one of ``chars`` although their lower() is
    not that character's lower() (and the context-dependent capital sigma)."""
    everything = "".join(map(chr, range(0x110000)))
    similar = set(re.findall("[" + re.escape(chars) + "]", everything, re.IGNORECASE))
    return "".join(
        sorted(
            {
                c
                for c in similar
                for x in chars
                if re.fullmatch(re.escape(x), c, re.IGNORECASE)
                and (c.lower() != x.lower() or c == "\u03a3")
            }
        )
    )


def _reference_rows(
    texts: list[str], matcher: Matcher, norm: _CachedNormalizer, cues: set[str], window: int
) -> tuple[pd.DataFrame, list[tuple], np.ndarray]:
    """``BatchMatcher.match`` one sentence and one word at a time, in plain Python."""
    check_neg = window > 0 and bool(cues)
    n_words = np.zeros(len(texts), dtype=np.int64)
    rows = []
    for sent, text in enumerate(texts):
        words = _words(text or "", norm)
        n_words[sent] = len(words)
        for i, ind in matcher.hits(words):
            negated = check_neg and any(w in cues for w in words[max(0, i - window) : i])
            rows.append((sent, ind.frame, ind.term, ind.weight, negated))
    return _rows_table(rows), _regex_rows(texts, matcher, norm, cues, window), n_words


def _hits_from_parts(
    parts: list[tuple[int, pd.DataFrame, list[tuple]]], matcher: Matcher
) -> pd.DataFrame:
    """One hits table from batches (offset, term hits, regex rows): all term hits in sentence
    order, then the regex hits frame by frame, as one pass over all sentences would give."""
    terms = [t.assign(sent=t["sent"] + lo) for lo, t, _ in parts if len(t)]
    rank = {f: k for k, f in enumerate(matcher.frame_regex)}
    rows = sorted(
        ((s + lo, *rest) for lo, _, rx in parts for s, *rest in rx), key=lambda r: rank[r[1]]
    )
    if not terms and not rows:
        return pd.DataFrame([], columns=HIT_COLUMNS)
    tables = [*terms, _rows_table(rows)] if rows else terms
    return tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)


def match_sentences(
    texts: list[str],
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    negation_cues: list[str] | tuple[str, ...] = (),
    negation_window: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Find indicator hits in sentences.

    Returns (hits, n_words): hits has one row per (sentence, frame, indicator) match with
    columns sent (row position), frame, indicator, weight, negated; n_words counts the words of
    each sentence. Runs a ``BatchMatcher`` over at most MATCH_BATCH sentences at a time; it is
    kept on the matcher, so each distinct word is normalised once however many calls follow.
    """
    cues, window = tuple(negation_cues), int(negation_window)
    batch = next(
        (
            b
            for b in matcher._coded.setdefault("batch", [])
            if b.normalizer is normalizer and b.cue_words == cues and b.window == window
        ),
        None,
    )
    if batch is None:
        batch = BatchMatcher(matcher, normalizer, cues, window)
        matcher._coded["batch"].append(batch)
    texts = list(texts)
    parts, n_words = [], []
    for lo in range(0, len(texts), MATCH_BATCH):
        terms, rows, words = batch.match(texts[lo : lo + MATCH_BATCH])
        parts.append((lo, terms, rows))
        n_words.append(words)
    hits = _hits_from_parts(parts, matcher)
    return hits, (np.concatenate(n_words) if n_words else np.zeros(0, dtype=np.int64))


def match_sentences_reference(
    texts: list[str],
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    negation_cues: list[str] | tuple[str, ...] = (),
    negation_window: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """``match_sentences`` one sentence and one word at a time, in plain Python (the
    reference that tests hold the batch path to)."""
    norm = _CachedNormalizer(normalizer)
    cues = {w for c in negation_cues for w in normalize_words(c, norm)}
    terms, rows, n_words = _reference_rows(list(texts), matcher, norm, cues, negation_window)
    return _hits_from_parts([(0, terms, rows)], matcher), n_words


STR_DTYPE = pd.Series(["x"]).dtype  # what pandas makes of a column of Python strings


def str_column(codes: np.ndarray, names: list[str]):
    """The column ``names[codes]`` as pandas would build it from Python strings (same dtype),
    without making a Python string per row. An empty column stays an empty list, as before."""
    if len(codes) == 0:
        return []
    values = pa.DictionaryArray.from_arrays(
        pa.array(codes, pa.int32()), pa.array(names, pa.large_string())
    ).cast(pa.large_string())
    return pd.array(values, dtype=STR_DTYPE)
