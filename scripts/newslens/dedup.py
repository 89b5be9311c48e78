"""Exact and near-duplicate articles: content hashes, MinHash signatures and LSH banding.

Signatures are computed per shard (in parallel jobs); the global step only compares the small
signatures. Near-duplicates are pairs whose estimated Jaccard similarity of word shingles reaches
a threshold (Broder 1997). Vectorised with NumPy: ~0.1 ms per article.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
import pandas as pd

WORD = re.compile(r"\w+")


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded (exact duplicates)."""
    folded = " ".join(WORD.findall(text.lower()))
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()


def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63 - 1, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=num_perm, dtype=np.uint64)
    return a, b


# Per byte: ASCII letters lowercased, digits and "_" kept, everything else a space. For ASCII
# text, ``text.encode().translate(WORD_BYTES).split()`` are the words of ``WORD.findall(
# text.lower())`` (in ASCII, \w is exactly [A-Za-z0-9_]), without a regular expression.
WORD_BYTES = (
    bytes(
        (c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() or c == 0x5F else 0x20
        for c in range(128)
    )
    + b" " * 128
)
# Words longer than this get their CRC-32 from zlib one by one (the vectorised loop below
# takes one step per character position).
_LONG_WORD = 64
_SHINGLE_BASE = np.uint64(1_000_003)


def _crc32_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c
    return table


_CRC_TABLE = _crc32_table()


def _crc32_words(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """zlib.crc32 of every word ``buf[start:end]``, for all words at once (uint64)."""
    n = len(starts)
    # longest words first (a stable radix sort on a one-byte key): step j works on a prefix
    short = np.uint8(_LONG_WORD + 1) - np.minimum(ends - starts, _LONG_WORD + 1).astype(np.uint8)
    order = np.argsort(short, kind="stable")
    first, short = starts[order], short[order]
    crc = np.full(n, 0xFFFFFFFF, dtype=np.uint32)
    for j in range(_LONG_WORD + 1 - int(short[0]) if n else 0):
        m = int(np.searchsorted(short, _LONG_WORD - j, side="right"))  # words longer than j
        head = crc[:m]
        crc[:m] = _CRC_TABLE[(head ^ buf[first[:m] + j]) & 0xFF] ^ (head >> 8)
    crc ^= np.uint32(0xFFFFFFFF)
    raw = buf.data
    for pos in range(int(np.searchsorted(short, 0, side="right"))):  # longer than _LONG_WORD
        start = int(first[pos])
        crc[pos] = zlib.crc32(raw[start : int(ends[order[pos]])])
    ids = np.empty(n, dtype=np.uint64)
    ids[order] = crc
    return ids


def _ascii_words(texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Word ids, words per text and content hashes of ASCII texts, in bulk with NumPy."""
    encoded = [text.encode("ascii").translate(WORD_BYTES) for text in texts]
    joined = b" ".join(encoded) + b" "  # every text ends with one separating space
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(e) + 1 for e in encoded], out=offsets[1:])
    buf = np.frombuffer(joined, dtype=np.uint8)
    is_word = np.zeros(len(buf) + 1, dtype=bool)  # [i + 1]: byte i is a word byte
    np.not_equal(buf, 0x20, out=is_word[1:])
    bounds = np.flatnonzero(is_word[1:] != is_word[:-1])  # word starts and ends, alternating
    starts, ends = bounds[0::2], bounds[1::2]
    first_word = np.searchsorted(starts, offsets)
    counts = np.diff(first_word)
    ids = _crc32_words(buf, starts, ends)
    # the words joined by single spaces: word bytes and the first space after each word
    folded = buf[is_word[1:] | is_word[:-1]].tobytes()
    kept_before = np.concatenate(([0], np.cumsum(ends - starts + 1)))[first_word]
    hashes = [
        hashlib.blake2b(folded[lo : max(lo, hi - 1)], digest_size=16).hexdigest()
        for lo, hi in zip(kept_before[:-1].tolist(), kept_before[1:].tolist(), strict=True)
    ]
    return ids, counts, hashes


def text_words(texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The words of many texts for duplicate detection: (ids, counts, content hashes).

    The words of a text are ``WORD.findall(text.lower())``; a word's id is the CRC-32 of its
    UTF-8 bytes; ``ids`` holds the ids of all texts one after the other, ``counts`` how many
    belong to each text; the content hash is ``content_hash(text)``. ASCII texts (most news
    after quote and dash folding) are done in bulk with NumPy, the others word by word.
    """
    counts = np.zeros(len(texts), dtype=np.int64)
    hashes: list[str] = [""] * len(texts)
    pieces: dict[int, np.ndarray] = {}
    ascii_pos = [i for i, text in enumerate(texts) if text.isascii()]
    if ascii_pos:
        ascii_ids, ascii_counts, ascii_hashes = _ascii_words([texts[i] for i in ascii_pos])
        counts[ascii_pos] = ascii_counts
        for i, h in zip(ascii_pos, ascii_hashes, strict=True):
            hashes[i] = h
    for i, text in enumerate(texts):
        if text.isascii():
            continue
        words = [w.encode("utf-8") for w in WORD.findall(text.lower())]
        pieces[i] = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
        counts[i] = len(words)
        hashes[i] = hashlib.blake2b(b" ".join(words), digest_size=16).hexdigest()
    if not pieces:
        return (ascii_ids if ascii_pos else np.zeros(0, dtype=np.uint64)), counts, hashes
    offsets = np.concatenate(([0], np.cumsum(counts)))
    ids = np.empty(int(offsets[-1]), dtype=np.uint64)
    if ascii_pos:
        ascii_counts = counts[ascii_pos]
        shift = offsets[ascii_pos] - np.concatenate(([0], np.cumsum(ascii_counts)[:-1]))
        ids[np.repeat(shift, ascii_counts) + np.arange(len(ascii_ids))] = ascii_ids
    for i, piece in pieces.items():
        ids[offsets[i] : offsets[i + 1]] = piece
    return ids, counts, hashes


def shingle_hashes(
    ids: np.ndarray, counts: np.ndarray, shingle_words: int
) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of the word n-gram shingles of many texts: (hashes, shingles per text).

    A shingle of words w1..wk hashes to ((id1 * P + id2) * P + ...) + idk modulo 2**64
    (P = 1,000,003); a text of fewer than ``shingle_words`` (but some) words is one shingle.
    Repeated shingles are kept (they do not change a MinHash signature).
    """
    k = shingle_words
    counts = np.asarray(counts, dtype=np.int64)
    n_sh = np.where(counts >= k, counts - k + 1, np.minimum(counts, 1))
    offsets = np.concatenate(([0], np.cumsum(counts)))
    sh_offsets = np.concatenate(([0], np.cumsum(n_sh)))
    out = np.empty(int(sh_offsets[-1]), dtype=np.uint64)
    full = counts >= k
    if full.any():
        n = len(ids) - k + 1
        rolling = ids[:n].copy()
        with np.errstate(over="ignore"):
            for j in range(1, k):
                rolling *= _SHINGLE_BASE
                rolling += ids[j : j + n]
        lengths = n_sh[full]
        local = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[np.repeat(sh_offsets[:-1][full], lengths) + local] = rolling[
            np.repeat(offsets[:-1][full], lengths) + local
        ]
    for i in np.flatnonzero((counts > 0) & ~full):
        h = 0
        for word_id in ids[offsets[i] : offsets[i + 1]].tolist():
            h = (h * 1_000_003 + word_id) & 0xFFFFFFFFFFFFFFFF
        out[sh_offsets[i]] = h
    return out, n_sh


def minhash_signatures(
    hashes: np.ndarray,
    n_shingles: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    chunk: int = 1 << 16,
) -> np.ndarray:
    """MinHash signatures (texts x permutations, uint32) of the shingle hash sets of many texts.

    Permutation p maps a shingle hash h to ((a[p] * h + b[p]) mod 2**64) >> 32; a signature
    entry is the smallest value over the text's shingles (all ones for a text without any).
    The shift commutes with the minimum, so it is applied once per entry. Work goes in chunks
    of about ``chunk`` shingles so that the temporary array stays in the CPU cache.
    """
    n_sh = np.asarray(n_shingles, dtype=np.int64)
    out = np.full((len(n_sh), len(a)), np.iinfo(np.uint32).max, dtype=np.uint32)
    nonempty = np.flatnonzero(n_sh > 0)
    bounds = np.concatenate(([0], np.cumsum(n_sh[nonempty])))
    buf = np.empty(0, dtype=np.uint64)
    lo = 0
    with np.errstate(over="ignore"):
        while lo < len(nonempty):
            hi = max(lo + 1, int(np.searchsorted(bounds, bounds[lo] + chunk, side="right")) - 1)
            seg = hashes[bounds[lo] : bounds[hi]]
            starts = bounds[lo:hi] - bounds[lo]
            if len(buf) < len(seg):
                buf = np.empty(len(seg), dtype=np.uint64)
            values = buf[: len(seg)]
            mins = np.empty((len(a), hi - lo), dtype=np.uint64)
            for p in range(len(a)):
                np.multiply(seg, a[p], out=values)
                values += b[p]
                np.minimum.reduceat(values, starts, out=mins[p])
            out[nonempty[lo:hi]] = (mins.T >> np.uint64(32)).astype(np.uint32)
            lo = hi
    return out


class Signer:
    """MinHash signatures with one set of permutations (``num_perm``, ``seed``) and word
    n-gram shingles of ``shingle_words`` words."""

    def __init__(self, num_perm: int = 128, shingle_words: int = 5, seed: int = 1):
        self.a, self.b = _permutations(num_perm, seed)
        self.shingle_words = shingle_words

    def signatures(self, ids: np.ndarray, counts: np.ndarray) -> list[bytes]:
        """One signature (``num_perm`` uint32, as bytes) per text, from ``text_words``."""
        hashes, n_sh = shingle_hashes(ids, counts, self.shingle_words)
        return [row.tobytes() for row in minhash_signatures(hashes, n_sh, self.a, self.b)]

    def __call__(self, text: str) -> bytes:
        ids, counts, _ = text_words([text])
        return self.signatures(ids, counts)[0]


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band whose S-curve (1/b)^(1/r) lies closest below ``threshold``,
    so that pairs at the threshold are candidates with high probability."""
    best, best_err = (num_perm, 1), float("inf")
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands == 0:
            break
        knee = (1 / bands) ** (1 / rows)
        err = threshold - knee if knee <= threshold else 10 * (knee - threshold)
        if err < best_err:
            best, best_err = (bands, rows), err
    return best


def find_duplicates(
    docs: pd.DataFrame,
    exact: bool = True,
    near: bool = True,
    threshold: float = 0.85,
    num_perm: int = 128,
) -> pd.DataFrame:
    """Decide which articles are duplicates of an earlier one (corpus order: ``doc_index``).

    ``docs`` has doc_id, doc_index, content_hash and minhash (bytes). Returns one row per
    dropped article: doc_id, kept_doc_id, kind ('exact' or 'near'), similarity.
    """
    columns = ["doc_id", "kept_doc_id", "kind", "similarity"]
    if docs.empty:
        return pd.DataFrame(columns=columns)
    docs = docs.sort_values("doc_index").reset_index(drop=True)
    dropped: dict[int, tuple[int, str, float]] = {}
    if exact:
        first = docs.groupby("content_hash", sort=False)["doc_index"].transform("idxmin")
        for pos in np.flatnonzero(first.to_numpy() != np.arange(len(docs))):
            dropped[pos] = (int(first.iloc[pos]), "exact", 1.0)
    if near and len(docs) > 1:
        sigs = np.frombuffer(b"".join(docs["minhash"]), dtype=np.uint32).reshape(len(docs), -1)
        bands, rows = lsh_params(threshold, sigs.shape[1])
        candidates: set[tuple[int, int]] = set()
        for band in range(bands):
            block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
            keys = pd.Series([row.tobytes() for row in block])
            groups = keys.groupby(keys, sort=False).indices
            for members in groups.values():
                if len(members) > 1:
                    members = sorted(members)
                    for j in members[1:]:
                        candidates.update((i, j) for i in members if i < j)
        for i, j in sorted(candidates):
            if j in dropped or i in dropped:
                continue
            similarity = float(np.mean(sigs[i] == sigs[j]))
            if similarity >= threshold:
                dropped[j] = (i, "near", similarity)
    out = [
        (docs.at[j, "doc_id"], docs.at[i, "doc_id"], kind, round(sim, 4))
        for j, (i, kind, sim) in sorted(dropped.items())
    ]
    return pd.DataFrame(out, columns=columns)
