"""The compare stage's Poisson bootstrap over articles: Poisson(1) weights drawn cheaply from
random bytes, one stream per job shared by every pass, and the per-group weighted sums.

Each resample weights every article by an independent Poisson(1) count (Hanley & MacGibbon
2006). The counts come from 16-bit uniform numbers through a look-up table of the Poisson(1)
distribution function rounded to 1/65,536 (about 9 times cheaper than ``Generator.poisson``);
the table's mean and variance differ from 1 by less than 1e-4 (``POISSON_TABLE``, tested).

The weights of a seed are one stream of blocks (resamples x ``chunk`` articles); a pass over n
articles uses the first n columns of the stream, so every pass of a job (frames, topics,
actors, over time) reuses the same draws while they fit the cache.
"""

from __future__ import annotations

import math

import numpy as np

# Poisson(1) by look-up: u (0..65535) -> the count k with CDF(k-1) <= u / 65536 < CDF(k), the
# CDF rounded to multiples of 1 / 65536
_BITS = 16
_CDF = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(20)])  # Poisson(1)
_BOUNDS = np.round(_CDF * 2**_BITS).astype(np.int64)
POISSON_TABLE = np.searchsorted(_BOUNDS, np.arange(2**_BITS), side="right").astype(np.uint8)

CHUNK_CELLS = 4_000_000  # one weight block: resamples x chunk <= 4M cells
_CACHE: dict = {}  # (seed, resamples, chunk) -> list of uint8 blocks, grown on demand
CACHE_BYTES = 300_000_000


def bootstrap_args(params) -> dict:
    """The bootstrap keyword arguments of ``group_differences``, ``actor_frame_differences`` and
    ``time_table`` from a compare rule's params (``bootstrap``: resamples, confidence, seed;
    ``min_articles``; and, where configured, ``prior_df`` and ``small_n``)."""
    boot = params.bootstrap
    args = {
        "resamples": int(boot["resamples"]),
        "confidence": float(boot["confidence"]),
        "seed": int(boot["seed"]),
        "min_articles": int(params.min_articles),
    }
    if "prior_df" in boot:
        args["prior_df"] = float(boot["prior_df"])
    if "small_n" in boot:
        args["small_n"] = int(boot["small_n"])
    return args


def poisson_weights(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Independent Poisson(1) counts (uint8) of ``shape`` from ``rng``'s random bytes."""
    n = int(np.prod(shape))
    u = np.frombuffer(rng.bytes(2 * n), dtype="<u2")
    return POISSON_TABLE[u].reshape(shape)


def chunk_size(resamples: int) -> int:
    """Articles per weight block."""
    return max(1, CHUNK_CELLS // max(int(resamples), 1))


def _stream(seed: int, n: int, resamples: int, chunk: int):
    rng = np.random.default_rng(seed)
    for start in range(0, n, chunk):
        yield poisson_weights(rng, (resamples, chunk))[:, : min(chunk, n - start)]


def weight_blocks(seed: int, n: int, resamples: int):
    """Poisson(1) weights for ``n`` articles, ``resamples x chunk`` blocks in article order (the
    last one cut to ``n``): the first n columns of the seed's stream. Kept (uint8) while the
    stream fits ``CACHE_BYTES``; beyond that drawn afresh for each pass (the same numbers)."""
    n, resamples = int(n), int(resamples)
    chunk = chunk_size(resamples)
    n_blocks = -(-n // chunk)
    if n_blocks * chunk * resamples > CACHE_BYTES:
        return _stream(seed, n, resamples, chunk)
    key = (int(seed), resamples, chunk)
    if key not in _CACHE:
        while _CACHE and _cached_bytes() + n_blocks * chunk * resamples > CACHE_BYTES:
            _CACHE.pop(next(iter(_CACHE)))  # the oldest stream first
        _CACHE[key] = {"rng": np.random.default_rng(seed), "blocks": []}
    entry = _CACHE[key]
    while len(entry["blocks"]) < n_blocks:
        entry["blocks"].append(poisson_weights(entry["rng"], (resamples, chunk)))
    return (entry["blocks"][b][:, : min(chunk, n - b * chunk)] for b in range(n_blocks))


def _cached_bytes() -> int:
    return sum(b.nbytes for entry in _CACHE.values() for b in entry["blocks"])


def poisson_group_sums(
    values: np.ndarray, codes: np.ndarray, n_groups: int, resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson bootstrap (each article weighted by an independent Poisson(1) count in every
    resample) of the per-group sums of ``values`` (articles x items, NaN = not measured) and of
    the number of measured cells.

    One pass over the articles serves every group and every comparison, and groups are
    resampled independently of each other. Returns (sums, counts), each groups x resamples x
    items. Deterministic for a seed and an article order.
    """
    n, k = values.shape
    sums = np.zeros((n_groups, resamples, k))
    finite = np.isfinite(values)
    filled = np.where(finite, values, 0.0)
    # items measured in the same articles (all frames; an actor's frames) share their counts
    _u, first, inverse = np.unique(
        np.packbits(finite, axis=0).T, axis=0, return_index=True, return_inverse=True
    )
    present = finite[:, first].astype(np.float64)
    counts = np.zeros((n_groups, resamples, len(first)))
    order = np.argsort(codes, kind="stable")
    chunk = chunk_size(resamples)
    sorted_codes = codes[order]
    blocks = weight_blocks(seed, n, resamples)
    for start, block in zip(range(0, n, chunk), blocks, strict=True):
        rows = order[start : start + chunk]
        cod = sorted_codes[start : start + chunk]
        w = block.astype(np.float64)
        bounds = np.flatnonzero(np.diff(cod)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(rows)], strict=True):
            g = cod[lo]
            if g < 0:
                continue
            sums[g] += w[:, lo:hi] @ filled[rows[lo:hi]]
            counts[g] += w[:, lo:hi] @ present[rows[lo:hi]]
    return sums, counts[..., np.ravel(inverse)]
