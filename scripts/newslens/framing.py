"""Codebook frame classification: sentence scores, paragraph/article aggregation, diagnostics,
actors x frames.

Sentence level: every indicator match (one compiled matcher for the whole codebook, see
``newslens.codebook``) adds its weight to its frame, unless a negation cue stands within
``negation_window`` words before it. A sentence carries frame f when its weighted hits reach
``min_weight`` and at least ``relative_threshold`` x the strongest frame of that sentence
(multi-label). ``score_<f>`` is weighted hits per 100 words (length-normalised).
A sentence's unit of framing is split over its frames in proportion to their hits
(``share_<f>``); a sentence without frames puts its unit on ``share_none``.

Paragraph and article level: shares are the word-weighted mean of sentence shares, so they sum
to 1 with ``share_none``; the primary frame is the frame with the largest share (the codebook's
residual frame, e.g. "Other", or "none" when no frame matched at all), and the article labels
are the frames whose share reaches ``doc_min_share`` (at most ``doc_max_labels``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.codebook import (
    NEGATION_CONTRACTION_RE,
    NONE_FRAME,
    WORD_RE,
    Codebook,
    Matcher,
    leftmost_longest,
    longest_phrases,
    normalize_words,
)
from newslens.runtime import NewslensError

SENT_SPLIT_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])|\n\s*\n?")


def split_sentences(text: str) -> list[str]:
    """A simple sentence splitter for texts outside the corpus (labeled and gold rows)."""
    parts = [p.strip() for p in SENT_SPLIT_RE.split(str(text))]
    return [p for p in parts if p]


def texts_to_sentences(ids: list[str], texts: list[str]) -> pd.DataFrame:
    """One row per sentence of each text (doc_id, para_id=0, sent_id, text)."""
    rows = []
    for doc_id, text in zip(ids, texts, strict=True):
        for i, s in enumerate(split_sentences(text)):
            rows.append((doc_id, 0, i, s))
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])


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
            buf = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
            width, kind = 1, pa.large_string()
        else:
            buf = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            width, kind = 4, pa.large_binary()
        if len(buf) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(n, dtype=np.int64)
        # the smallest table that covers the batch: ASCII, the BMP, or all of Unicode
        size = 0x80 if width == 1 else 0x10000 if buf.max() < 0x10000 else 0x110000
        isw = word_char_table(size)[buf]
        edges = np.flatnonzero(isw[1:] != isw[:-1]) + 1
        if isw[0]:
            edges = np.concatenate([[0], edges])
        if isw[-1]:
            edges = np.concatenate([edges, [len(buf)]])
        starts, ends = edges[0::2], edges[1::2]
        offsets = np.zeros(len(starts) + 1, dtype=np.int64)
        np.cumsum((ends - starts) * width, out=offsets[1:])
        chars = np.ascontiguousarray(buf[isw])
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


def sentence_frames(
    hits: pd.DataFrame,
    n_words: np.ndarray,
    cb: Codebook,
    min_weight: float = 1.0,
    relative_threshold: float = 0.5,
) -> pd.DataFrame:
    """Per-sentence frame scores, shares and labels from the hits (row i = sentence i)."""
    keys = cb.scored_keys
    n = len(n_words)
    w = np.zeros((n, len(keys)))
    counted = hits[~hits["negated"]] if len(hits) else hits
    if len(counted):
        frame = pc.index_in(pa.array(counted["frame"]), value_set=pa.array(keys, pa.string()))
        np.add.at(
            w,
            (counted["sent"].to_numpy(), frame.to_numpy(zero_copy_only=False)),
            counted["weight"].to_numpy(dtype=float),
        )
    mx = w.max(axis=1, keepdims=True) if len(keys) else np.zeros((n, 1))
    lab = (w >= min_weight) & (w >= relative_threshold * mx) & (w > 0)
    lw = np.where(lab, w, 0.0)
    tot = lw.sum(axis=1, keepdims=True)
    share = np.divide(lw, tot, out=np.zeros_like(lw), where=tot > 0)
    none = (tot[:, 0] == 0).astype(float)
    per100 = np.divide(
        w * 100.0, n_words[:, None], out=np.zeros_like(w), where=n_words[:, None] > 0
    )
    out = {"n_words": n_words, "n_frames_hit": (w > 0).sum(axis=1) if len(keys) else np.zeros(n)}
    key_arr = np.array(keys, dtype=object)
    fallback = cb.residual or NONE_FRAME
    # codes into [fallback, *keys] (primary) and [fallback, *joined labels] (labels)
    labels, label_names = np.zeros(n, dtype=np.int64), [fallback]
    primary = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(lab.any(axis=1)) if len(keys) else np.zeros(0, dtype=np.int64)
    if len(rows):
        # labeled frames by weight (ties: codebook order); unlabeled ones (weight 0) sort last
        order = np.argsort(-lw[rows], axis=1, kind="stable")
        n_lab = lab[rows].sum(axis=1)
        codes, names = joined_keys(order, np.arange(len(keys)) < n_lab[:, None], key_arr)
        labels[rows], label_names = codes + 1, [fallback, *names]
        primary[rows] = order[:, 0] + 1
    out["labels"] = str_column(labels, label_names)
    out["primary_frame"] = str_column(primary, [fallback, *keys])
    for j, k in enumerate(keys):
        out[f"score_{k}"] = per100[:, j].round(4)
    for j, k in enumerate(keys):
        out[f"share_{k}"] = share[:, j]
    out["share_none"] = none
    return pd.DataFrame(out)


def classify_sentences(
    sentences: pd.DataFrame,
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sentence frame table (keys + sentence_frames columns) and hits table (keys + hit)."""
    texts = sentences["text"].fillna("").astype(str).tolist()
    hits, n_words = match_sentences(
        texts,
        cb,
        matcher,
        normalizer,
        params.get("negation_cues", ()),
        int(params.get("negation_window", 0)),
    )
    table = sentence_frames(
        hits,
        n_words,
        cb,
        float(params.get("min_weight", 1.0)),
        float(params.get("relative_threshold", 0.5)),
    )
    keys = sentences[["doc_id", "para_id", "sent_id"]].reset_index(drop=True)
    table = pd.concat([keys, table], axis=1)
    if len(hits):
        h = hits.join(keys, on="sent").drop(columns="sent")
    else:
        h = pd.DataFrame(
            columns=["frame", "indicator", "weight", "negated", "doc_id", "para_id", "sent_id"]
        )
    h = h[["doc_id", "para_id", "sent_id", "frame", "indicator", "weight", "negated"]]
    return table, h.reset_index(drop=True)


def joined_keys(
    order: np.ndarray, chosen: np.ndarray, key_arr: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Per row, the keys ``key_arr[order[i, j]]`` of the chosen columns joined by ";" (the
    chosen ones lead each row), as (code of each row, the distinct joined strings): each
    distinct combination is joined once."""
    n, width = order.shape
    if width == 0:
        return np.zeros(n, dtype=np.int64), [""]
    masked = np.where(chosen, order, -1)
    base = len(key_arr) + 1
    if width * np.log2(base) < 62:  # each row as one integer
        code = ((masked + 1) * base ** np.arange(width, dtype=np.int64)).sum(axis=1)
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        combos = masked[first]
    else:
        combos, inverse = np.unique(masked, axis=0, return_inverse=True)
    return inverse.reshape(-1), [";".join(key_arr[c[c >= 0]]) for c in combos]


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


def share_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c.startswith("share_")]


def aggregate(
    sent_table: pd.DataFrame,
    by: list[str],
    cb: Codebook,
    doc_min_share: float = 0.1,
    doc_max_labels: int = 3,
) -> pd.DataFrame:
    """Word-weighted mean of sentence shares per group (paragraph or article).

    Columns: the group keys, n_sentences, n_words, n_framed_sentences, share_<frame>...,
    share_none (summing to 1), primary_frame, labels.
    """
    scols = share_columns(sent_table)
    keys = cb.scored_keys
    if sent_table.empty:
        cols = [
            *by,
            "n_sentences",
            "n_words",
            "n_framed_sentences",
            *scols,
            "primary_frame",
            "labels",
        ]
        return pd.DataFrame(columns=cols)
    t = sent_table[[*by, "n_words", "share_none", *[c for c in scols if c != "share_none"]]].copy()
    wts = t["n_words"].astype(float).clip(lower=0)
    # a group whose sentences have no words at all is weighted by sentence count
    t["_w"] = wts
    grp_words = t.groupby(by, sort=False)["_w"].transform("sum")
    t.loc[grp_words == 0, "_w"] = 1.0
    for c in scols:
        t[c] = t[c] * t["_w"]
    t["_framed"] = (sent_table["share_none"] < 1).astype(int)
    g = t.groupby(by, sort=False)
    out = g[scols].sum()
    wsum = g["_w"].sum()
    out = out.div(wsum, axis=0)
    out.insert(0, "n_framed_sentences", g["_framed"].sum())
    out.insert(0, "n_words", g["n_words"].sum())
    out.insert(0, "n_sentences", g.size())
    out = out.reset_index()
    fr = out[[f"share_{k}" for k in keys]].to_numpy() if keys else np.zeros((len(out), 0))
    key_arr = np.array(keys, dtype=object)
    fallback = cb.residual or NONE_FRAME
    # codes into [fallback, *keys, *joined labels]
    primary = np.zeros(len(out), dtype=np.int64)
    labels, names = np.zeros(len(out), dtype=np.int64), []
    rows = np.flatnonzero(fr.max(axis=1) > 0) if keys else np.zeros(0, dtype=np.int64)
    if len(rows):
        order = np.argsort(-fr[rows], axis=1, kind="stable")
        primary[rows] = order[:, 0] + 1
        top = order[:, : int(doc_max_labels)]
        chosen = np.take_along_axis(fr[rows], top, axis=1) >= doc_min_share
        codes, names = joined_keys(top, chosen, key_arr)
        # no frame reaches doc_min_share: the primary one
        labels[rows] = np.where(chosen.any(axis=1), codes + 1 + len(keys), primary[rows])
    out["primary_frame"] = str_column(primary, [fallback, *keys])
    out["labels"] = str_column(labels, [fallback, *keys, *names])
    for c in scols:
        out[c] = out[c].round(6)
    return out


def frame_distribution(doc_table: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Corpus-level frame distribution: mean share over articles (with a share of 'none'),
    the share of articles where the frame is primary, and of articles labeled with it."""
    names = cb.names()
    rows = []
    n = len(doc_table)
    frames = [c[6:] for c in share_columns(doc_table) if c != "share_none"]
    # ";a;b;": frame k is among the labels if ";k;" occurs (keys hold no ";")
    padded = ";" + doc_table["labels"].astype(str) + ";" if n else None
    for k in [*frames, NONE_FRAME]:
        col = f"share_{k}"
        if col not in doc_table:
            continue
        mean_share = float(doc_table[col].mean()) if n else 0.0
        prim = float((doc_table["primary_frame"] == k).mean()) if n else 0.0
        if k == NONE_FRAME and cb.residual:
            prim = float((doc_table["primary_frame"] == cb.residual).mean()) if n else 0.0
        labeled = (
            float(padded.str.contains(f";{k};", regex=False).mean())
            if n and k != NONE_FRAME
            else float("nan")
        )
        rows.append(
            {
                "frame": k,
                "name": names.get(k, k),
                "mean_share": mean_share,
                "primary_share": prim,
                "labeled_share": labeled,
                "n_documents": n,
            }
        )
    return pd.DataFrame(rows)


def diagnostics(
    hit_counts: pd.DataFrame,
    examples: pd.DataFrame,
    cb: Codebook,
    top_terms: int = 10,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Per frame: indicator terms defined / ever matched, hits, negated hits, top terms and
    example sentences.

    hit_counts: frame, indicator, n_hits, n_negated (summed over the corpus).
    examples: frame, doc_id, sent_id, text, score (best example sentences).
    """
    t = cb.terms_table()
    rows = []
    for f in cb.frames:
        k = f["key"]
        defined = t[t["frame"] == k]
        h = hit_counts[hit_counts["frame"] == k] if len(hit_counts) else hit_counts
        matched = h[h["n_hits"] > 0] if len(h) else h
        top = matched.sort_values(["n_hits", "indicator"], ascending=[False, True]).head(top_terms)
        ex = examples[examples["frame"] == k] if len(examples) else examples
        ex = ex.sort_values(["score", "doc_id", "sent_id"], ascending=[False, True, True]).head(
            n_examples
        )
        rows.append(
            {
                "frame": k,
                "name": f["name"],
                "n_indicators": len(defined),
                "n_indicators_matched": int(matched["indicator"].nunique()) if len(matched) else 0,
                "share_indicators_matched": (
                    round(matched["indicator"].nunique() / len(defined), 4) if len(defined) else 0.0
                ),
                "n_hits": int(h["n_hits"].sum()) if len(h) else 0,
                "n_negated": int(h["n_negated"].sum()) if len(h) else 0,
                "top_terms": "; ".join(
                    f"{r.indicator} ({int(r.n_hits)})" for r in top.itertuples()
                ),
                "examples": " || ".join(
                    f"[{r.doc_id}#{r.sent_id}] {r.text}" for r in ex.itertuples()
                ),
                "residual": bool(f.get("residual")),
            }
        )
    return pd.DataFrame(rows)


def hit_counts(hits: pd.DataFrame) -> pd.DataFrame:
    """Sum hits per frame and indicator (negated ones apart)."""
    if hits.empty:
        return pd.DataFrame(columns=["frame", "indicator", "n_hits", "n_negated"])
    h = hits.assign(
        _neg=hits["negated"].astype(int), _pos=(~hits["negated"].astype(bool)).astype(int)
    )
    out = h.groupby(["frame", "indicator"], sort=True).agg(
        n_hits=("_pos", "sum"), n_negated=("_neg", "sum")
    )
    return out.reset_index()


def example_sentences(
    sent_table: pd.DataFrame, sentences: pd.DataFrame, cb: Codebook, n: int = 3
) -> pd.DataFrame:
    """The n highest-scoring sentences of each frame (ties: first in corpus order)."""
    rows, tops = [], {}
    for k in cb.scored_keys:
        col = f"score_{k}"
        idx = np.flatnonzero(sent_table[f"share_{k}"].to_numpy() > 0)
        if len(idx) > n > 0:  # only rows scoring at least the n-th best can be among the n
            score = sent_table[col].to_numpy()[idx]
            idx = idx[score >= np.partition(score, len(idx) - n)[len(idx) - n]]
        if len(idx):
            sub = sent_table.iloc[idx]
            tops[k] = sub.sort_values(
                [col, "doc_id", "sent_id"], ascending=[False, True, True]
            ).head(n)
    if not tops:
        return pd.DataFrame(rows, columns=["frame", "doc_id", "sent_id", "text", "score"])
    docs = pd.concat([t["doc_id"] for t in tops.values()]).unique()
    near = sentences[sentences["doc_id"].isin(docs)]
    text = near.set_index(["doc_id", "sent_id"])["text"]
    for k, top in tops.items():
        col = f"score_{k}"
        for r in top.itertuples():
            rows.append(
                {
                    "frame": k,
                    "doc_id": r.doc_id,
                    "sent_id": int(r.sent_id),
                    "text": text.get((r.doc_id, r.sent_id), ""),
                    "score": float(getattr(r, col)),
                }
            )
    return pd.DataFrame(rows, columns=["frame", "doc_id", "sent_id", "text", "score"])


def shard_tables(
    sentences: pd.DataFrame,
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> tuple[pd.DataFrame, ...]:
    """Everything the frames_sentences rule writes, for whole articles: (sentence table, hits,
    paragraphs, articles, examples, hit counts)."""
    table, hits = classify_sentences(sentences, cb, matcher, normalizer, params)
    if len(hits):
        hits = hits.astype({"para_id": "int64", "sent_id": "int64"})
    share, labels = float(params["doc_min_share"]), int(params["doc_max_labels"])
    paras = aggregate(table, ["doc_id", "para_id"], cb, share, labels)
    docs = aggregate(table, ["doc_id"], cb, share, labels)
    examples = example_sentences(table, sentences, cb, int(params["n_examples"]))
    return table, hits, paras, docs, examples, hit_counts(hits)


def regex_hit_mask(hits: pd.DataFrame, cb: Codebook) -> np.ndarray:
    """Which hits come from regex indicators (a (frame, indicator) pair that is a regex of the
    codebook and not also one of its terms)."""
    terms = {(i.frame, i.term) for i in cb.indicators if i.kind == "term"}
    regex = {(i.frame, i.term) for i in cb.indicators if i.kind == "regex"} - terms
    if not len(hits) or not regex:
        return np.zeros(len(hits), dtype=bool)
    mask = hits["indicator"].isin({term for _, term in regex}).to_numpy(copy=True)
    rows = np.flatnonzero(mask)
    pairs = zip(
        hits["frame"].iloc[rows].tolist(), hits["indicator"].iloc[rows].tolist(), strict=True
    )
    mask[rows] = [pair in regex for pair in pairs]
    return mask


def merge_hit_counts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``hit_counts`` of batches (or shards) summed: the same table as over all hits."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return hit_counts(pd.DataFrame(columns=HIT_COLUMNS))
    return (
        pd.concat(parts, ignore_index=True)
        .groupby(["frame", "indicator"], sort=True)[["n_hits", "n_negated"]]
        .sum()
        .reset_index()
    )


def merge_examples(parts: list[pd.DataFrame], cb: Codebook, n: int = 3) -> pd.DataFrame:
    """``example_sentences`` of batches merged: the n best of each frame over all of them
    (the order -- score, then doc_id and sent_id -- is total, so this is the same table as
    over the whole shard at once)."""
    cols = ["frame", "doc_id", "sent_id", "text", "score"]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame([], columns=cols)
    ex = pd.concat(parts, ignore_index=True)
    rows = []
    for k in cb.scored_keys:
        sub = ex[ex["frame"] == k]
        top = sub.sort_values(["score", "doc_id", "sent_id"], ascending=[False, True, True])
        rows.extend(top.head(n)[cols].to_dict("records"))
    return pd.DataFrame(rows, columns=cols)


def document_batches(batches: Iterable[pd.DataFrame], source: str = "") -> Iterator[pd.DataFrame]:
    """Regroup row batches (e.g. ``iter_parquet``) so that each article's rows fall in one
    batch: the rows of the last article of a batch wait for the next. Articles must be
    contiguous (as the tokenize rule writes them); an article that comes back after another
    one is an error naming ``source``."""
    carry = None
    done: set[str] = set()
    for batch in batches:
        if carry is not None:
            batch = pd.concat([carry, batch], ignore_index=True)
        if batch.empty:
            carry = None
            continue
        ids = batch["doc_id"].to_numpy()
        last = ids[-1]
        cut = len(ids)
        while cut > 0 and ids[cut - 1] == last:
            cut -= 1
        carry = batch.iloc[cut:]
        if cut:
            out = batch.iloc[:cut].reset_index(drop=True)
            starts = ids[:cut][np.r_[True, ids[1:cut] != ids[: cut - 1]]]
            seen = set(starts.tolist())
            if len(seen) < len(starts) or not done.isdisjoint(seen):
                raise NewslensError(
                    f"{source}: the sentences of an article are not contiguous (doc_id "
                    f"{next(iter(seen & done), starts[0])!r}); rerun the tokenize rule"
                )
            done |= seen
            yield out
    if carry is not None and len(carry):
        if carry["doc_id"].iloc[0] in done:
            raise NewslensError(
                f"{source}: the sentences of an article are not contiguous (doc_id "
                f"{carry['doc_id'].iloc[0]!r}); rerun the tokenize rule"
            )
        yield carry.reset_index(drop=True)


def _arrow(values) -> pa.Array:
    """A column (pandas or Arrow) as one Arrow array, without copying Arrow-backed data."""
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _doc_strings(doc_ids) -> pa.Array:
    """doc_id values as an Arrow string array (as str(), like ``astype(str)``)."""
    arr = _arrow(doc_ids)
    return arr if pa.types.is_large_string(arr.type) else arr.cast(pa.large_string())


class MentionIndex:
    """The actor mentions of one shard as integers, in file order, fed batch by batch: for
    each mention the key ``article << 32 | sentence`` (articles numbered in order of first
    mention) and the actor's number. No Python string per row."""

    def __init__(self):
        self.docs = pa.array([], pa.large_string())
        self.actors: dict[str, int] = {}
        self.keys: list[np.ndarray] = []
        self.codes: list[np.ndarray] = []
        self.odd = False  # a sentence number outside 0..2**32-1

    def add(self, doc_ids, sent_ids, actors) -> None:
        docs = _doc_strings(doc_ids)
        at = pc.index_in(docs, value_set=self.docs)
        if at.null_count:
            new = pc.unique(pc.filter(docs, pc.is_null(at)))
            self.docs = pa.concat_arrays([self.docs, new])
            at = pc.index_in(docs, value_set=self.docs)
        sent = np.asarray(sent_ids, dtype=np.int64)
        self.odd |= bool(((sent < 0) | (sent >= 1 << 32)).any())
        self.keys.append(at.to_numpy(zero_copy_only=False).astype(np.int64) * (1 << 32) + sent)
        enc = pc.dictionary_encode(_arrow(actors))
        names = enc.dictionary.to_pylist()
        for name in names:
            if name is not None:
                self.actors.setdefault(name, len(self.actors))
        local = np.array([self.actors.get(x, -1) if x is not None else -1 for x in names])
        idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        self.codes.append(np.where(idx >= 0, local[np.maximum(idx, 0)] if len(local) else -1, -1))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.int64)
        codes = np.concatenate(self.codes) if self.codes else np.zeros(0, dtype=np.int64)
        return keys, codes

    def sentence_keys(self, doc_ids, sent_ids) -> np.ndarray:
        """The keys of sentence rows (-1 for an article that no mention names)."""
        at = pc.index_in(_doc_strings(doc_ids), value_set=self.docs)
        at = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return np.where(at >= 0, at * (1 << 32) + np.asarray(sent_ids, dtype=np.int64), -1)


def mentioned_shares(
    index: MentionIndex, batches: Iterable[pd.DataFrame], share_cols: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(key, shares) of the sentences some mention points at, from a sentence table read in
    batches: all ``actor_share_counts`` needs, without the whole shard in memory."""
    keys, _ = index.arrays()
    wanted = np.sort(pd.unique(keys[keys >= 0]))
    del keys
    # at most one row per wanted key (more only if the table lists a sentence twice)
    found_keys = np.zeros(len(wanted), dtype=np.int64)
    found = np.zeros((len(wanted), len(share_cols)))
    n = 0
    for batch in batches:
        k = index.sentence_keys(batch["doc_id"], batch["sent_id"])
        at = np.minimum(np.searchsorted(wanted, k), max(len(wanted) - 1, 0))
        hit = (wanted[at] == k) if len(wanted) else np.zeros(len(k), dtype=bool)
        m = int(hit.sum())
        if m == 0:
            continue
        if n + m > len(found):  # a sentence twice: grow
            found_keys = np.concatenate([found_keys, np.zeros(m, dtype=np.int64)])
            found = np.concatenate([found, np.zeros((m, len(share_cols)))])
        found_keys[n : n + m] = k[hit]
        found[n : n + m] = batch.loc[hit, share_cols].to_numpy(dtype=float)
        n += m
    return found_keys[:n], found[:n]


def actor_share_counts(
    index: MentionIndex, sent_keys: np.ndarray, shares: np.ndarray, frames: list[str]
) -> pd.DataFrame | None:
    """``actor_frame_counts`` from integers: the mentions joined to the sentences (rows of
    ``shares``, one column per frame) in mention order, one row per (sentence, actor); each
    sum over the same values in the same order as a merge and a groupby of the tables would.
    None when keys are unusable (a sentence twice, odd sentence numbers): then the merge."""
    cols = ["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    table = pd.Index(sent_keys)
    if index.odd or not table.is_unique:
        return None
    keys, codes = index.arrays()
    row = table.get_indexer(keys)
    del keys
    keep = (row >= 0) & (codes >= 0)  # the inner join; groupby leaves out missing actors
    row, codes = row[keep], codes[keep]
    # one row per (sentence, actor): the first mention
    first = ~pd.Series(row * max(len(index.actors), 1) + codes).duplicated().to_numpy()
    row, codes = row[first], codes[first]
    if not len(row):
        return pd.DataFrame(columns=cols)
    names = sorted(index.actors, key=str)
    rank = np.empty(len(index.actors), dtype=np.int64)
    rank[[index.actors[n] for n in names]] = np.arange(len(names))
    codes = rank[codes]  # numbered in sorted order, as groupby(sort=True) visits them
    order = np.argsort(codes, kind="stable")  # by actor, each in mention order
    sizes = np.bincount(codes, minlength=len(names))
    ends = np.cumsum(sizes)
    # one frame per row, each actor's sentences a contiguous stretch of it: the sum of a
    # stretch is numpy's pairwise sum, the same as Series.sum of those values; one pass
    # per actor over its own sentences only (cost grows with mentions, not actors)
    picked = np.ascontiguousarray(shares[row[order]].T)
    present = sizes > 0
    lo_all, hi_all = (ends - sizes)[present], ends[present]
    share_sum = np.empty((len(lo_all), len(frames)))
    n_with = np.empty((len(lo_all), len(frames)), dtype=np.int64)
    positive = picked > 0
    for i, (lo, hi) in enumerate(zip(lo_all, hi_all, strict=True)):
        share_sum[i] = picked[:, lo:hi].sum(axis=1)
        n_with[i] = positive[:, lo:hi].sum(axis=1)
    kept = [a for a, p in zip(names, present, strict=True) if p]
    n_frames = len(frames)
    return pd.DataFrame(
        {
            "actor": np.repeat(np.asarray(kept, dtype=object), n_frames),
            "frame": np.tile(np.asarray(frames, dtype=object), len(kept)),
            "n_sentences": n_with.ravel(),
            "n_actor_sentences": np.repeat(hi_all - lo_all, n_frames),
            "share_sum": share_sum.ravel(),
        },
        columns=cols,
    )


def actor_frame_counts(
    mentions: pd.DataFrame, sent_table: pd.DataFrame, cb: Codebook
) -> pd.DataFrame:
    """Per actor and frame (one shard): sentences naming the actor that carry the frame.

    mentions: doc_id, sent_id, actor (one row per mention; several mentions of one actor in a
    sentence count once). Returns actor, frame, n_sentences, n_actor_sentences, share_sum
    (the sum of the frame's sentence shares), ready to be summed over shards.
    """
    cols = ["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    if mentions.empty or sent_table.empty:
        return pd.DataFrame(columns=cols)
    frames = [*cb.scored_keys, NONE_FRAME]
    index = MentionIndex()
    index.add(mentions["doc_id"], mentions["sent_id"], mentions["actor"])
    sent_keys = index.sentence_keys(sent_table["doc_id"], sent_table["sent_id"])
    shares = sent_table[[f"share_{k}" for k in frames]].to_numpy(dtype=float)
    # sentences of articles no mention names play no part (and must not collide at -1)
    named = sent_keys >= 0
    out = actor_share_counts(index, sent_keys[named], shares[named], frames)
    if out is None:
        m = mentions[["doc_id", "sent_id", "actor"]].drop_duplicates()
        m = m.astype({"doc_id": str, "sent_id": "int64"})
        return _actor_frame_counts_merge(m, sent_table, cb)
    return out


def _actor_frame_counts_merge(m: pd.DataFrame, sent_table: pd.DataFrame, cb: Codebook):
    keys = [*cb.scored_keys, NONE_FRAME]
    sc = [f"share_{k}" for k in keys]
    st = sent_table[["doc_id", "sent_id", *sc]].astype({"doc_id": str, "sent_id": "int64"})
    j = m.merge(st, on=["doc_id", "sent_id"], how="inner")
    rows = []
    for actor, g in j.groupby("actor", sort=True):
        for k in keys:
            col = g[f"share_{k}"]
            rows.append((actor, k, int((col > 0).sum()), len(g), float(col.sum())))
    return pd.DataFrame(
        rows, columns=["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    )


def finish_actor_frames(
    counts: pd.DataFrame, cb: Codebook, actors: list[str] | None = None
) -> pd.DataFrame:
    """Sum shard counts; add share (n_sentences / n_actor_sentences: multi-label, so shares of
    an actor may sum above 1) and frame_share (mean sentence share, summing to 1 with 'none').
    Actors in ``actors`` that are never named get rows of zeros, so they are visibly absent."""
    keys = [*cb.scored_keys, NONE_FRAME]
    if len(counts):
        c = counts.groupby(["actor", "frame"], as_index=False, sort=False)[
            ["n_sentences", "n_actor_sentences", "share_sum"]
        ].sum()
    else:
        c = pd.DataFrame(
            columns=["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
        )
    all_actors = sorted(set(c["actor"]) | set(actors or []))
    grid = pd.MultiIndex.from_product([all_actors, keys], names=["actor", "frame"]).to_frame(
        index=False
    )
    out = grid.merge(c, on=["actor", "frame"], how="left").fillna(
        {"n_sentences": 0, "n_actor_sentences": 0, "share_sum": 0.0}
    )
    out["n_actor_sentences"] = out.groupby("actor")["n_actor_sentences"].transform("max")
    out = out.astype({"n_sentences": "int64", "n_actor_sentences": "int64"})
    denom = out["n_actor_sentences"].where(out["n_actor_sentences"] > 0)
    out["share"] = (out["n_sentences"] / denom).fillna(0.0).round(6)
    out["frame_share"] = (out["share_sum"] / denom).fillna(0.0).round(6)
    return out[["actor", "frame", "n_sentences", "n_actor_sentences", "share", "frame_share"]]


def classify_texts(
    ids: list[str],
    texts: list[str],
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> pd.DataFrame:
    """Codebook frames of whole texts outside the corpus (labeled/gold rows): split into
    sentences, score, aggregate per text. One row per id, in the order given."""
    sents = texts_to_sentences(list(ids), list(texts))
    table, _ = classify_sentences(sents, cb, matcher, normalizer, params)
    docs = aggregate(
        table,
        ["doc_id"],
        cb,
        float(params.get("doc_min_share", 0.1)),
        int(params.get("doc_max_labels", 3)),
    )
    docs = docs.set_index("doc_id").reindex(list(ids))
    scols = [c for c in docs.columns if c.startswith("share_")]
    empty = docs["primary_frame"].isna()
    docs.loc[empty, scols] = 0.0
    docs.loc[empty, ["n_sentences", "n_words", "n_framed_sentences"]] = 0
    docs.loc[empty, "share_none"] = 1.0
    docs.loc[empty, ["primary_frame", "labels"]] = cb.residual or NONE_FRAME
    return docs.reset_index()


class PositionSums:
    """Mean frame shares by paragraph position (positions >= max_pos - 1 pooled), summed
    shard by shard so that the figure never needs the whole paragraph table in memory.

    The sums are exact (fixed point, runtime.ExactSums), so the means do not depend on the order
    in which the shards arrive or on how the corpus was split into shards."""

    def __init__(self, max_pos: int):
        self.max_pos, self.sums, self.counts, self.docs = max_pos, None, None, 0
        self._columns: list[str] | None = None

    def __call__(self, df: pd.DataFrame) -> None:
        from newslens.runtime import ExactSums

        scols = [c for c in df.columns if c.startswith("share_")]
        if self._columns is None:
            self._columns = scols
            self._exact = ExactSums(len(scols))
        pos = df["para_id"].clip(upper=self.max_pos - 1).to_numpy()
        self._exact.add(pos, df[self._columns].to_numpy(dtype=float))
        c = pd.Series(pos).value_counts()
        self.counts = c if self.counts is None else self.counts.add(c, fill_value=0)
        self.sums = self._exact.frame(self._columns)
        self.docs += df["doc_id"].nunique()
        self.any_beyond = getattr(self, "any_beyond", False) or bool(
            (df["para_id"] >= self.max_pos).any()
        )

    def table(self) -> pd.DataFrame:
        if self.sums is None:
            return pd.DataFrame(columns=["position", "n_paragraphs", "n_documents", "pooled"])
        out = self.sums.div(self.counts, axis=0).sort_index()
        out.insert(
            0, "pooled", [bool(self.any_beyond and p == self.max_pos - 1) for p in out.index]
        )
        out.insert(0, "n_documents", self.docs)
        out.insert(0, "n_paragraphs", self.counts.sort_index().astype(int).to_numpy())
        out.index.name = "position"
        return out.reset_index()
