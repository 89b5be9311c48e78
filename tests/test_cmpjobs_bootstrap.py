"""The compare stage's bootstrap arithmetic, made cheaper without changing its numbers: the
vectorised per-group sums equal a plain loop over groups, items and resamples with the same
weights (several weight blocks, articles without a group, items measured in different
articles), and the percentile helper equals numpy's nanquantile slice by slice."""

from __future__ import annotations

import numpy as np
import pytest
from newslens import compare_bootstrap as cb


def _weights(seed, n, resamples):
    """The weight of every article (resamples x articles) as poisson_group_sums gives them:
    the stream's columns in turn to the articles in group order (stable)."""
    return np.concatenate(list(cb.weight_blocks(seed, n, resamples)), axis=1).astype(float)


@pytest.mark.parametrize("chunk_cells", [cb.CHUNK_CELLS, 300])
def test_group_sums_equal_a_plain_loop(monkeypatch, chunk_cells):
    monkeypatch.setattr(cb, "CHUNK_CELLS", chunk_cells)  # 300: 10 articles a block
    monkeypatch.setattr(cb, "_CACHE", {})
    rng = np.random.default_rng(4)
    n, k, groups, resamples = 83, 4, 5, 30
    values = rng.normal(size=(n, k))
    values[rng.random(values.shape) < 0.25] = np.nan  # each item measured in other articles
    values[:, 3] = np.where(np.isfinite(values[:, 0]), rng.random(n), np.nan)  # as item 0
    codes = rng.integers(-1, groups, size=n)
    sums, counts = cb.poisson_group_sums(values, codes, groups, resamples, seed=9)
    stream = _weights(9, n, resamples)
    order = np.argsort(codes, kind="stable")
    expect_s = np.zeros((groups, resamples, k))
    expect_c = np.zeros((groups, resamples, k))
    for position, article in enumerate(order):
        g = codes[article]
        if g < 0:
            continue
        for item in range(k):
            x = values[article, item]
            if np.isnan(x):
                continue
            for r in range(resamples):
                expect_s[g, r, item] += stream[r, position] * x
                expect_c[g, r, item] += stream[r, position]
    np.testing.assert_allclose(sums, expect_s, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(counts, expect_c)  # whole numbers: exact


def test_group_sums_of_no_article_are_zero():
    sums, counts = cb.poisson_group_sums(np.zeros((0, 2)), np.zeros(0, dtype=int), 3, 10, seed=1)
    assert sums.shape == counts.shape == (3, 10, 2)
    assert not sums.any() and not counts.any()


def test_nan_quantiles_equal_numpy_slice_by_slice():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(200, 6, 5))
    a[rng.random(a.shape) < 0.01] = np.nan  # some slices with a few NaN
    a[:, 2, 3] = np.nan  # an all-NaN slice
    a[:, 4, :] = 0.25  # constant slices
    q = [0.025, 0.975]
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expect = np.nanquantile(a, q, axis=0)
    got = cb.nan_quantiles(a, q, axis=0)
    np.testing.assert_array_equal(got, expect)  # the same numbers, bit for bit
    moved = np.moveaxis(a, 0, 2)  # the resamples on another axis
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expect = np.nanquantile(moved, q, axis=2)
    np.testing.assert_array_equal(cb.nan_quantiles(moved, q, axis=2), expect)
    assert np.isnan(got[:, 2, 3]).all() and (got[:, 4, :] == 0.25).all()
