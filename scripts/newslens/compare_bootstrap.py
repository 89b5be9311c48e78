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
from threadpoolctl import threadpool_limits

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
    items. Deterministic for a seed and an article order: the stream's columns go in turn to
    the articles in group order (stable).

    The values and the measured indicators of each distinct measurement pattern (items
    measured in the same articles, e.g. all frames, share their counts) are one matrix in group
    order, so each run of a group's articles in a weight block is one matrix product (the same
    sums as two products). The products run on one BLAS thread: these are thin matrices
    (resamples x articles times articles x items), for which OpenBLAS's second thread mostly
    waits (measured: 2-3 times the CPU-seconds of one thread, and no faster on 2 shared cores).
    """
    n, k = values.shape
    finite = np.isfinite(values)
    # the distinct measurement patterns (first item of each, and each item's pattern): the
    # packed bits of every item's column as bytes (np.unique over rows of a structured view
    # costs more than the sums of a pass)
    patterns: dict[bytes, int] = {}
    inverse = np.array(
        [
            patterns.setdefault(col.tobytes(), len(patterns))
            for col in np.packbits(finite, axis=0).T
        ],
        dtype=np.int64,
    )
    first = np.array([int(np.argmax(inverse == i)) for i in range(len(patterns))], dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    both = np.empty((n, k + len(first)))
    both[:, :k] = np.where(finite, values, 0.0)[order]
    both[:, k:] = finite[order][:, first]
    out = np.zeros((n_groups, resamples, k + len(first)))
    chunk = chunk_size(resamples)
    blocks = weight_blocks(seed, n, resamples)
    with threadpool_limits(limits=1, user_api="blas"):
        for start, block in zip(range(0, n, chunk), blocks, strict=True):
            w = block.astype(np.float64)
            cod = sorted_codes[start : start + w.shape[1]]
            bounds = np.flatnonzero(np.diff(cod)) + 1
            for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(cod)], strict=True):
                if cod[lo] >= 0:
                    out[cod[lo]] += w[:, lo:hi] @ both[start + lo : start + hi]
    return out[..., :k], out[..., k:][..., inverse]


def nan_quantiles(a: np.ndarray, q, axis: int = 0) -> np.ndarray:
    """``np.nanquantile(a, q, axis=axis)`` (linear interpolation; quantiles on the first axis
    of the result), the same numbers: the slices without NaN in one vectorised
    ``np.quantile`` (numpy's nanquantile takes every slice of a many-dimensional array one at a
    time, in Python), all-NaN slices NaN, and only the slices with some NaN one by one."""
    q = np.asarray(q, dtype=float)
    moved = np.moveaxis(np.asarray(a, dtype=float), axis, 0)
    flat = moved.reshape(moved.shape[0], -1)
    out = np.full((*q.shape, flat.shape[1]), np.nan)
    nan = np.isnan(flat)
    some = nan.any(axis=0)
    full = ~some
    if full.any() and len(flat):
        out[..., full] = np.quantile(flat[:, full], q, axis=0)
    partly = some & ~nan.all(axis=0)
    if partly.any():
        out[..., partly] = np.nanquantile(flat[:, partly], q, axis=0)
    return out.reshape(*q.shape, *moved.shape[1:])
