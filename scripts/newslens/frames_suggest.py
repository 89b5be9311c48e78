"""Indicator suggestions for the codebook (frames_codebook_suggestions.csv).

A sentence carries a frame when the codebook's indicators say so (the sentence table's
``labels``). Terms that are not yet indicators but occur in those sentences far more often than
elsewhere are candidates for the frame's indicator list: for each frame f and normalised term w
(counted once per sentence),

    PPMI(w, f) = max(0, log2( P(w, f) / (P(w) P(f)) )),

with n(w, f) sentences carrying f and containing w, n(w) containing w, n(f) carrying f.
Terms must occur in at least ``min_count`` sentences of the frame; stopwords, numbers, words
shorter than ``min_length`` and terms that already are indicators (of any frame) are left out.
The table lists the strongest ``top_n`` per frame with their counts, the share of the term's
sentences that carry the frame, and example sentences, for the researcher to read and, if they
agree, copy into the codebook. Nothing is ever added to the codebook automatically.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import sparse

TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
# TOKEN_RE on lowercased ASCII text: the same tokens, found faster than by the Unicode classes
ASCII_TOKEN_RE = re.compile(r"[a-z]+(?:['-][a-z]+)*")

COLUMNS = [
    "frame",
    "frame_name",
    "term",
    "normalized",
    "ppmi",
    "n_sentences_with_frame",
    "n_sentences_with_term",
    "n_sentences_of_frame",
    "share_of_term_in_frame",
    "examples",
]


def _label_matrix(labels: pd.Series, keys: list[str]) -> np.ndarray:
    """0/1 sentence x frame matrix from 'a;b' label strings. Each distinct label string is
    split once (a sample holds few distinct combinations) and its row taken by code."""
    index = {k: j for j, k in enumerate(keys)}
    codes, uniques = pd.factorize(labels.astype(str).to_numpy(dtype=object), use_na_sentinel=False)
    rows = np.zeros((len(uniques), len(keys)), dtype=np.float64)
    for i, s in enumerate(uniques):
        for lab in s.split(";"):
            j = index.get(lab)
            if j is not None:
                rows[i, j] = 1.0
    return rows[codes] if len(labels) else np.zeros((0, len(keys)), dtype=np.float64)


def _tokens(texts: list[str]) -> list[list[str]]:
    """Each text's lowercased word tokens (``TOKEN_RE``; ASCII text by ``ASCII_TOKEN_RE``)."""
    return [
        ASCII_TOKEN_RE.findall(t.lower())
        if t.isascii()
        else [w.lower() for w in TOKEN_RE.findall(t)]
        for t in texts
    ]


def _ascii_words(texts):
    """The ``ASCII_TOKEN_RE`` tokens of lower-cased ASCII ``texts`` (an Arrow string array):
    (sentence of each token, the tokens as an Arrow large_string array), in text order.

    A token byte is a letter, or an apostrophe or hyphen with a letter on both sides in the
    same sentence (what ``[a-z]+(?:['-][a-z]+)*`` takes, greedy); a token is a maximal run of
    token bytes within a sentence. Done on the bytes of all texts at once with NumPy."""
    import pyarrow as pa
    import pyarrow.compute as pc

    low = pc.ascii_lower(texts.cast(pa.large_string()))
    n = len(low)
    offsets = np.frombuffer(low.buffers()[1], np.int64)[low.offset : low.offset + n + 1]
    if n == 0 or low.buffers()[2] is None:
        return np.zeros(0, np.int64), pa.array([], pa.large_string())
    data = np.frombuffer(low.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    offsets = offsets - offsets[0]
    letter = (data >= 97) & (data <= 122)
    starts = offsets[:-1][offsets[:-1] < len(data)]  # first byte of each non-empty sentence
    lasts = offsets[1:][offsets[1:] > 0] - 1  # last byte of each non-empty sentence
    before = np.zeros(len(data), bool)  # the previous byte is in the same sentence
    before[1:] = True
    before[starts] = False
    after = np.zeros(len(data), bool)  # the next byte is in the same sentence
    after[:-1] = True
    after[lasts] = False
    prev_letter = np.zeros(len(data), bool)
    prev_letter[1:] = letter[:-1]
    next_letter = np.zeros(len(data), bool)
    next_letter[:-1] = letter[1:]
    joiner = (data == 39) | (data == 45)
    tok = letter | (joiner & prev_letter & before & next_letter & after)
    prev_tok = np.zeros(len(data), bool)
    prev_tok[1:] = tok[:-1]
    first = np.flatnonzero(tok & ~(prev_tok & before))
    next_tok = np.zeros(len(data), bool)
    next_tok[:-1] = tok[1:]
    end = np.flatnonzero(tok & ~(next_tok & after)) + 1
    sentence = np.searchsorted(offsets, first, side="right") - 1
    # the token bytes packed: each token's bytes follow the previous token's
    before_tok = np.concatenate(([0], np.cumsum(tok, dtype=np.int64)))
    bounds = np.append(before_tok[first], before_tok[-1]).astype(np.int64)
    words = pa.LargeStringArray.from_buffers(
        len(first), pa.py_buffer(bounds), pa.py_buffer(data[tok].tobytes())
    )
    assert np.array_equal(end - first, np.diff(bounds))
    return sentence, words


def _chunk_words(texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The tokens of ``texts`` (``_tokens``: the same tokens per text) as (text of each token,
    word type code of each token, word types): ASCII texts by ``_ascii_words`` and Arrow's
    dictionary encoding, others by ``_tokens``. Tokens are grouped ASCII texts first."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(texts, pa.large_string())
    is_ascii = pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    ascii_rows = np.flatnonzero(is_ascii)
    sentence, words = _ascii_words(arr.filter(pa.array(is_ascii)))
    encoded = pc.dictionary_encode(words)
    uniques = encoded.dictionary.to_pylist()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    rows = ascii_rows[sentence]
    other = np.flatnonzero(~is_ascii)
    if len(other):
        found = _tokens([texts[i] for i in other.tolist()])
        index = {w: i for i, w in enumerate(uniques)}
        more = [index.setdefault(w, len(index)) for f in found for w in f]
        uniques = list(index)
        lengths = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
        rows = np.concatenate([rows, np.repeat(other, lengths)])
        codes = np.concatenate([codes, np.asarray(more, np.int64)])
    return rows.astype(np.int64), codes, uniques


def _term_matrix(
    texts: list[str],
    indicators: set[str],
    normalizer: Callable[[str], str],
    stopwords: set[str],
    min_length: int,
    chunk: int = 20_000,
) -> tuple[sparse.csc_matrix, np.ndarray, dict[str, dict[str, int]]]:
    """Binary sentence x term matrix (CSC, float64; terms sorted), the term names and, per
    term, its lowercased surface forms with their token counts.

    A term is the normalised form of a lowercased word token (``TOKEN_RE``) that is at least
    ``min_length`` long, not a stopword and not already an indicator (as word or normalised).
    Tokens are found by ``_chunk_words`` (ASCII sentences by NumPy on their bytes, others by
    ``TOKEN_RE``) and counted by word type, so the normaliser and the checks run once per
    distinct word, not once per token. Sentences are tokenised ``chunk`` at a time, so memory
    holds one chunk's token strings, not the sample's. The matrix, term names and surface counts
    (sorted by term, then form) do not depend on the order in which word types are first met."""
    word_code: dict[str, int] = {}  # word type -> number, in order of first appearance
    norm_code: dict[str, int] = {}  # normalised term -> number, in order of first appearance
    word_norm: list[int] = []  # word type -> its term's number (-1: not a term)
    counts = np.zeros(0, np.int64)
    rows, cols = [], []  # each chunk's distinct (sentence, term) pairs
    for lo in range(0, len(texts), chunk):
        local, codes, uniques = _chunk_words(texts[lo : lo + chunk])
        glob = np.empty(len(uniques), np.int64)
        for i, w in enumerate(uniques):
            code = word_code.get(w)
            if code is None:
                code = word_code[w] = len(word_code)
                norm = None if len(w) < min_length or w in stopwords else (normalizer(w) or None)
                if norm is not None and (norm in indicators or w in indicators):
                    norm = None
                word_norm.append(-1 if norm is None else norm_code.setdefault(norm, len(norm_code)))
            glob[i] = code
        codes = glob[codes]
        counts = np.concatenate([counts, np.zeros(len(word_code) - len(counts), np.int64)])
        counts += np.bincount(codes, minlength=len(word_code))
        col = np.asarray(word_norm, np.int64)[codes]
        row = lo + local
        keep = col >= 0
        width = len(norm_code) + 1
        pair = np.sort(row[keep] * width + col[keep])
        pair = pair[np.diff(pair, prepend=-1) != 0]  # a term once per sentence
        rows.append((pair // width).astype(np.int32))
        cols.append((pair % width).astype(np.int32))
    # terms sorted by name: columns renumbered once from first appearance to that order
    by_appearance = list(norm_code)
    terms = np.array(sorted(by_appearance), dtype=object)
    term_id = {t: i for i, t in enumerate(terms)}
    renumber = np.array([term_id[t] for t in by_appearance], np.int32)
    row = np.concatenate([np.zeros(0, np.int32), *rows])
    col = renumber[np.concatenate([np.zeros(0, np.int32), *cols])]
    del rows, cols
    X = sparse.csc_matrix((np.ones(len(row)), (row, col)), shape=(len(texts), len(terms)))
    surface: dict[str, dict[str, int]] = {}
    for w, n, c in zip(word_code, word_norm, counts, strict=True):
        if n >= 0:
            surface.setdefault(by_appearance[n], {})[w] = int(c)
    # sorted by term, then form: the same dict, in the same order, for any chunk size
    surface = {t: dict(sorted(forms.items())) for t, forms in sorted(surface.items())}
    return X, terms, surface


def suggest_terms(
    sentences: pd.DataFrame,
    keys: list[str],
    names: dict[str, str],
    indicators: set[str],
    normalizer: Callable[[str], str],
    stopwords: set[str],
    min_count: int = 5,
    min_length: int = 3,
    top_n: int = 20,
    n_examples: int = 2,
    example_chars: int = 300,
) -> pd.DataFrame:
    """Suggested indicator terms per frame (module doc). ``sentences``: columns text and labels
    (the codebook's frame keys of the sentence, ';'-separated); ``keys``: the frames to suggest
    for; ``indicators``: normalised terms already in the codebook; ``normalizer``: the
    codebook's word normaliser (so that suggestions match the way indicators are matched)."""
    texts = sentences["text"].fillna("").astype(str).tolist()
    F = _label_matrix(sentences["labels"], keys)
    if not texts or not F.any():
        return pd.DataFrame(columns=COLUMNS)
    X, vocab, surface = _term_matrix(texts, indicators, normalizer, stopwords, min_length)
    n = float(len(texts))
    n_term = np.asarray(X.sum(axis=0)).ravel()
    n_frame = F.sum(axis=0)
    co = np.asarray(X.T @ F).T  # frames x terms
    rows = []
    for j, key in enumerate(keys):
        if n_frame[j] == 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log2((co[j] * n) / (n_term * n_frame[j]))
        ok = (co[j] >= min_count) & (pmi > 0)
        idx = np.flatnonzero(ok)
        # strongest first; ties: more co-occurrences, then the term
        idx = sorted(idx, key=lambda t: (-round(float(pmi[t]), 9), -co[j, t], vocab[t]))[:top_n]
        for t in idx:
            forms = surface[vocab[t]]
            term = min(forms, key=lambda w: (-forms[w], w))
            hit = X[:, t].nonzero()[0]
            ex = [texts[i] for i in hit if F[i, j]][:n_examples]
            rows.append(
                {
                    "frame": key,
                    "frame_name": names.get(key, key),
                    "term": term,
                    "normalized": vocab[t],
                    "ppmi": round(float(pmi[t]), 4),
                    "n_sentences_with_frame": int(co[j, t]),
                    "n_sentences_with_term": int(n_term[t]),
                    "n_sentences_of_frame": int(n_frame[j]),
                    "share_of_term_in_frame": round(float(co[j, t] / n_term[t]), 4),
                    "examples": " | ".join(
                        e if len(e) <= example_chars else e[: example_chars - 1] + "…" for e in ex
                    ),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def sampled_sentences(frames: pd.DataFrame, rate: float, seed: int) -> np.ndarray:
    """Which sentences are in the sample: a seeded hash of (doc_id, para_id, sent_id) below
    ``rate``; the same sentences whatever shard they are in. The key columns are hashed as
    columns and combined (vectorised). doc_id is hashed as a categorical: pandas hashes each
    distinct id once and takes the hashes by code, the same values as hashing every row's id
    as a Python string (~3.5x less CPU: a document's sentences share its id)."""
    if rate >= 1:
        return np.ones(len(frames), bool)
    key = pd.DataFrame(
        {
            "doc_id": frames["doc_id"].astype(str).astype("category"),
            "para_id": frames["para_id"].to_numpy(dtype=np.int64),
            "sent_id": frames["sent_id"].to_numpy(dtype=np.int64),
        }
    )
    hashed = pd.util.hash_pandas_object(key, index=False, hash_key=f"{seed:016d}"[-16:])
    return hashed.to_numpy(dtype=np.uint64) / np.float64(2**64) < rate
