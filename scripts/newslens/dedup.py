"""Exact and near-duplicate articles: content hashes, MinHash signatures and LSH banding.

Signatures are computed per shard (in parallel jobs); the global step only compares the small
signatures. Near-duplicates are pairs whose estimated Jaccard similarity of word shingles reaches
a threshold (Broder 1997). Everything works on whole batches with NumPy: the words of a batch of
texts are hashed together (``text_words``: CRC-32 per word, no Python object per word), then
shingled and MinHashed together; the global step groups LSH bands of all signatures at once.
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


# Per byte: ASCII letters lowercased, ASCII digits and "_" kept, other ASCII bytes a space,
# bytes of non-ASCII characters (>= 0x80 in UTF-8) kept. See ``word_bytes``.
WORD_BYTES = bytes(
    (c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() or c == 0x5F else 0x20
    for c in range(128)
) + bytes(range(128, 256))
NON_ASCII = re.compile(r"[^\x00-\x7f]")


def word_bytes(text: str, lower: bool = True) -> bytes:
    """UTF-8 bytes of ``text`` (lowercased if ``lower``) in which every character that is not
    a word character (``\\w``) is a space: its runs of non-space bytes are exactly the words of
    ``WORD.findall(text)``, without running the regular expression over the text."""
    if text.isascii():  # lowercasing ASCII letters in the translation is the same as lower()
        return text.encode("ascii").translate(WORD_BYTES)
    if lower:
        text = text.lower()
    for char in set(NON_ASCII.findall(text)):
        if not WORD.match(char):  # e.g. a currency sign or a combining mark: a separator
            text = text.replace(char, " ")
    return text.encode("utf-8").translate(WORD_BYTES)


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


def _distinct_crc32_words(folded: bytes, offsets: np.ndarray) -> np.ndarray:
    """zlib.crc32 of every word of ``folded`` (word k is ``folded[offsets[k]:offsets[k + 1] -
    1]``: each word is followed by one space), computed once per distinct word: the words are
    dictionary-encoded by Arrow (news repeats most of its words), the CRC-32 of each distinct
    one computed by ``_crc32_words`` and given to every occurrence (uint64)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(offsets) - 1
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    words = pa.Array.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(folded)]
    )
    encoded = pc.dictionary_encode(words)
    distinct = encoded.dictionary
    bounds = np.frombuffer(distinct.buffers()[1], dtype=np.int64)[
        distinct.offset : distinct.offset + len(distinct) + 1
    ]
    data = np.frombuffer(distinct.buffers()[2], dtype=np.uint8)
    return _crc32_words(data, bounds[:-1], bounds[1:] - 1)[encoded.indices.to_numpy()]


def text_words(texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The words of many texts for duplicate detection: (ids, counts, content hashes).

    The words of a text are ``WORD.findall(text.lower())``; a word's id is the CRC-32 of its
    UTF-8 bytes; ``ids`` holds the ids of all texts one after the other, ``counts`` how many
    belong to each text; the content hash is ``content_hash(text)``. All texts are done at
    once with NumPy on their ``word_bytes``.
    """
    encoded = [word_bytes(text) for text in texts]
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
    # the words joined by single spaces: word bytes and the first space after each word
    folded = buf[is_word[1:] | is_word[:-1]].tobytes()
    word_offsets = np.concatenate(([0], np.cumsum(ends - starts + 1)))
    ids = _distinct_crc32_words(folded, word_offsets)
    kept_before = word_offsets[first_word]
    hashes = [
        hashlib.blake2b(folded[lo : max(lo, hi - 1)], digest_size=16).hexdigest()
        for lo, hi in zip(kept_before[:-1].tolist(), kept_before[1:].tolist(), strict=True)
    ]
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


def signature_matrix(values, num_perm: int | None = None) -> np.ndarray:
    """MinHash signatures as a (texts x permutations) uint32 matrix, from a sequence of bytes
    (the ``minhash`` column) or a pyarrow binary array, without a Python object per text."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        parts = [signature_matrix(chunk, num_perm) for chunk in values.chunks]
        if not parts:
            return np.zeros((0, num_perm or 0), dtype=np.uint32)
        return np.concatenate(parts)
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.binary())
    if len(values) == 0:
        return np.zeros((0, num_perm or 0), dtype=np.uint32)
    if values.null_count:
        raise ValueError("some articles have no MinHash signature")
    offset_type = np.int64 if pa.types.is_large_binary(values.type) else np.int32
    _, offsets_buf, data_buf = values.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[
        values.offset : values.offset + len(values) + 1
    ]
    sizes = np.diff(offsets)
    width = int(sizes[0])
    if (sizes != width).any() or width % 4 or (num_perm and width != 4 * num_perm):
        raise ValueError(
            f"MinHash signatures of {sorted(set(sizes.tolist()))[:5]} bytes; expected "
            f"{4 * num_perm if num_perm else width} for every article"
        )
    data = np.frombuffer(data_buf, dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
    return data.view("<u4").reshape(len(values), width // 4)


def _row_keys(block: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every row of a uint32 matrix (equal rows, equal keys)."""
    key = np.zeros(len(block), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in block.T:
            key = key * np.uint64(0x9E3779B97F4A7C15) + col
            key ^= key >> np.uint64(29)
    return key


def _band_pairs(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j), i < j, of rows of ``block`` that are equal."""
    key = _row_keys(block)
    # only rows whose key occurs more than once (a hash table, no sort of all rows)
    repeated = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    order = repeated[np.argsort(key[repeated], kind="stable")]  # ties keep ascending rows
    key = key[order]
    bounds = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1], [True])))
    sizes = np.diff(bounds)
    # the usual case, runs of two: one pair if the rows are really equal
    lo = bounds[:-1][sizes == 2]
    first, second = order[lo], order[lo + 1]
    same = (block[first] == block[second]).all(axis=1)
    pairs_i, pairs_j = [first[same]], [second[same]]
    for lo, hi in zip(bounds[:-1][sizes > 2].tolist(), bounds[1:][sizes > 2].tolist(), strict=True):
        groups: dict[bytes, list[int]] = {}  # exact groups (a 64-bit key can collide)
        for m in order[lo:hi].tolist():
            groups.setdefault(block[m].tobytes(), []).append(m)
        for members in groups.values():
            i, j = np.triu_indices(len(members), k=1)
            pairs_i.append(np.asarray(members)[i])
            pairs_j.append(np.asarray(members)[j])
    return np.concatenate(pairs_i), np.concatenate(pairs_j)


def read_signatures(paths: list, num_perm: int) -> tuple[pd.DataFrame, np.ndarray]:
    """doc_id, doc_index and content_hash of the clean shards ``paths`` (one DataFrame), and
    their MinHash signatures as one (articles x ``num_perm``) uint32 matrix, read batch by
    batch into place (no Python object per signature)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newslens.runtime import NewslensError, corrupt_parquet, parquet_num_rows

    columns = ["doc_id", "doc_index", "content_hash"]
    signatures = np.empty((sum(parquet_num_rows(p) for p in paths), num_perm), dtype=np.uint32)
    parts, filled = [], 0
    for path in paths:
        try:
            for batch in pq.ParquetFile(path).iter_batches(65536, columns=[*columns, "minhash"]):
                try:
                    block = signature_matrix(batch.column("minhash"), num_perm)
                except ValueError as err:
                    raise NewslensError(
                        f"{path}: {err} (cleaning.dedup.num_perm = {num_perm}); delete it "
                        "and run snakemake again to rebuild it."
                    ) from err
                signatures[filled : filled + len(block)] = block
                filled += len(block)
                parts.append(batch.select(columns))
        except (OSError, ValueError) as err:
            raise corrupt_parquet(path, err) from err
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}), signatures
    docs = pa.Table.from_batches(parts).to_pandas()
    return docs, signatures


def find_duplicates(
    docs: pd.DataFrame,
    exact: bool = True,
    near: bool = True,
    threshold: float = 0.85,
    num_perm: int = 128,
    signatures: np.ndarray | None = None,
) -> pd.DataFrame:
    """Decide which articles are duplicates of an earlier one (corpus order: ``doc_index``).

    ``docs`` has doc_id, doc_index, content_hash and (unless ``signatures``, one row per row
    of ``docs``, is given) minhash (bytes). Returns one row per dropped article: doc_id,
    kept_doc_id, kind ('exact' or 'near'), similarity.

    Exact duplicates (same content hash) are dropped in favour of the first article. Near
    duplicates: LSH banding proposes candidate pairs (all rows of one band equal); pairs are
    taken in order of (earlier, later) article, and a later article is dropped in favour of
    an earlier one that is not itself dropped when their estimated Jaccard similarity (share
    of equal signature entries) reaches ``threshold``. Articles dropped as exact duplicates
    take no part in this.
    """
    columns = ["doc_id", "kept_doc_id", "kind", "similarity"]
    if docs.empty:
        return pd.DataFrame(columns=columns)
    if signatures is None:
        signatures = signature_matrix(docs["minhash"])
    order = np.argsort(docs["doc_index"].to_numpy(), kind="stable")  # position -> row
    n = len(order)
    dropped: dict[int, tuple[int, str, float]] = {}
    if exact:
        codes, _ = pd.factorize(docs["content_hash"].to_numpy()[order], use_na_sentinel=False)
        # codes are numbered in order of first appearance: a new code exceeds all before it
        is_first = np.ones(n, dtype=bool)
        is_first[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
        first = np.flatnonzero(is_first)[codes]
        for pos in np.flatnonzero(first != np.arange(n)).tolist():
            dropped[pos] = (int(first[pos]), "exact", 1.0)
    if near and n > 1:
        alive_mask = np.ones(n, dtype=bool)
        alive_mask[list(dropped)] = False
        alive = np.flatnonzero(alive_mask)
        bands, rows = lsh_params(threshold, signatures.shape[1])
        pair_codes = []
        for band in range(bands):
            i, j = _band_pairs(signatures[order[alive], band * rows : (band + 1) * rows])
            pair_codes.append(alive[i] * n + alive[j])
        candidates = np.unique(np.concatenate(pair_codes))  # sorted (earlier, later)
        if len(candidates):
            first_pos, later_pos = candidates // n, candidates % n
            equal = np.empty(len(candidates), dtype=np.int64)
            for lo in range(0, len(candidates), 65536):
                a = signatures[order[first_pos[lo : lo + 65536]]]
                b = signatures[order[later_pos[lo : lo + 65536]]]
                equal[lo : lo + 65536] = (a == b).sum(axis=1)
            similarity = equal / signatures.shape[1]
            close = np.flatnonzero(similarity >= threshold)
            for i, j, sim in zip(
                first_pos[close].tolist(),
                later_pos[close].tolist(),
                similarity[close].tolist(),
                strict=True,
            ):
                if j in dropped or i in dropped:
                    continue
                dropped[j] = (i, "near", sim)
    doc_ids = docs["doc_id"].to_numpy()
    out = [
        (doc_ids[order[j]], doc_ids[order[i]], kind, round(sim, 4))
        for j, (i, kind, sim) in sorted(dropped.items())
    ]
    return pd.DataFrame(out, columns=columns)
