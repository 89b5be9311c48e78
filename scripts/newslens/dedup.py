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
_MASK32 = np.uint64(0xFFFFFFFF)


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded (exact duplicates)."""
    folded = " ".join(WORD.findall(text.lower()))
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()


def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63 - 1, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=num_perm, dtype=np.uint64)
    return a, b


def shingle_hashes(text: str, shingle_words: int, cache: dict | None = None) -> np.ndarray:
    """Deterministic 64-bit hashes of the word n-gram shingles of ``text`` (lowercased)."""
    words = WORD.findall(text.lower())
    if cache is None:
        cache = {}
    for word in set(words).difference(cache):
        cache[word] = zlib.crc32(word.encode("utf-8"))
    ids = np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))
    if len(ids) == 0:
        return ids
    k = min(shingle_words, len(ids))
    n = len(ids) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(1_000_003) + ids[j : j + n]
    return np.unique(h)


def minhash_signature(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32 per permutation) of a set of 64-bit shingle hashes."""
    if len(hashes) == 0:
        return np.full(len(a), np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        permuted = (a[:, None] * hashes[None, :] + b[:, None]) >> np.uint64(32)
    return (permuted.min(axis=1) & _MASK32).astype(np.uint32)


class Signer:
    """Computes signatures for many texts with one set of permutations and a word-hash cache."""

    def __init__(self, num_perm: int = 128, shingle_words: int = 5, seed: int = 1):
        self.a, self.b = _permutations(num_perm, seed)
        self.shingle_words = shingle_words
        self.cache: dict[str, int] = {}

    def __call__(self, text: str) -> bytes:
        sig = minhash_signature(
            shingle_hashes(text, self.shingle_words, self.cache), self.a, self.b
        )
        return sig.tobytes()


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
