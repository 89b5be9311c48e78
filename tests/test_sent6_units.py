"""sent6: the within-unit bootstrap's row-wise quantiles equal numpy's ``np.quantile`` bit for
bit, the kept resample weights equal freshly drawn ones, and ``within_unit_ci`` gives the same
table bits as numpy's quantile and weights drawn anew for every call."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import sentiment
from newslens.sentiment import resample_weights, row_quantiles, within_unit_ci


def matrix(rng, kind: int, g: int, b: int) -> np.ndarray:
    """Bootstrap-like matrices: plain values, many ties with signed zeros, NaN and infinities."""
    if kind == 0:
        return rng.normal(size=(g, b))
    if kind == 1:
        return rng.choice([0.0, -0.0, 0.5, -0.5, 1.0], size=(g, b))
    a = np.round(rng.normal(size=(g, b)), 1)
    if kind == 2:
        zero = a == 0
        a[zero] = rng.choice([0.0, -0.0], size=int(zero.sum()))
        return a
    a[rng.random((g, b)) < 0.01] = np.nan
    a[rng.random((g, b)) < 0.01] = np.inf
    a[rng.random((g, b)) < 0.01] = -np.inf
    return a


@pytest.mark.parametrize("b", [1, 2, 3, 10, 37, 999, 1000, 1001])
@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_row_quantiles_equal_numpys(b, kind):
    rng = np.random.default_rng(b * 10 + kind)
    for confidence in (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0):
        alpha = (1 - confidence) / 2
        a = matrix(rng, kind, 40, b)
        with np.errstate(invalid="ignore"):
            want = np.quantile(a.copy(), [alpha, 1 - alpha], axis=1)
            got = row_quantiles(a.copy(), [alpha, 1 - alpha])
        assert got.shape == (2, 40)
        assert got.tobytes() == want.tobytes()


def test_row_quantiles_known_values():
    a = np.array([[4.0, 1.0, 3.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0, np.nan]])
    got = row_quantiles(a, [0.25, 0.5, 0.9])
    assert got[0, 0] == 1.0 and got[1, 0] == 2.0 and abs(got[2, 0] - 3.6) < 1e-12
    assert np.isnan(got[:, 1]).all()


def test_resample_weights_are_the_drawn_ones():
    sentiment._WEIGHTS.clear()
    for n in (2, 3, 17, 150):
        rng = np.random.default_rng([7, n])
        want = rng.multinomial(n, np.full(n, 1.0 / n), size=300).astype(float) / n
        first = resample_weights(7, n, 300)
        assert first.tobytes() == want.tobytes()
        assert resample_weights(7, n, 300) is first  # kept
        assert not first.flags.writeable
    assert resample_weights(8, 3, 300).tobytes() != resample_weights(7, 3, 300).tobytes()
    assert resample_weights(7, 3, 301).shape == (301, 3)


def test_resample_weight_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(sentiment, "WEIGHT_CACHE_CELLS", 1000)
    sentiment._WEIGHTS.clear()
    resample_weights(0, 3, 300)  # 900 cells, kept
    assert len(sentiment._WEIGHTS) == 1
    w = resample_weights(0, 4, 300)  # 1200 cells: the cache starts afresh, too large to keep
    assert len(sentiment._WEIGHTS) == 0 and w.shape == (300, 4)
    sentiment._WEIGHTS.clear()


def reference_within_unit_ci(scored, keys, resamples, seed, confidence):
    """within_unit_ci as before sent6: numpy's quantile, weights drawn anew on every call."""

    def drawn(seed, n, resamples):
        rng = np.random.default_rng([seed, n])
        return rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float) / n

    real = sentiment.resample_weights, sentiment.row_quantiles
    sentiment.resample_weights = drawn
    sentiment.row_quantiles = lambda boot, q: np.quantile(boot, q, axis=1)
    try:
        return within_unit_ci(scored, keys, resamples, seed, confidence)
    finally:
        sentiment.resample_weights, sentiment.row_quantiles = real


@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_unit_tables_are_unchanged(confidence):
    rng = np.random.default_rng(11)
    sizes = rng.choice([1, 2, 3, 4, 7, 12, 40], size=1500)
    rows = [(f"d{p // 3:05d}", p % 3, s) for p, k in enumerate(sizes) for s in range(k)]
    scored = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id"])
    c = np.round(rng.uniform(-1, 1, size=len(scored)), 4)
    c[rng.random(len(c)) < 0.3] = 0.0
    c[rng.random(len(c)) < 0.05] = -0.0
    scored["compound"] = c
    scored["label"] = np.where(c <= -0.05, "negative", np.where(c >= 0.05, "positive", "neutral"))
    for keys in (["doc_id", "para_id"], ["doc_id"]):
        for _ in range(2):  # the second time with the weights kept
            got = within_unit_ci(scored, keys, 1000, 3, confidence)
            want = reference_within_unit_ci(scored, keys, 1000, 3, confidence)
            pd.testing.assert_frame_equal(got, want)
            for col in got.columns[2:]:
                assert got[col].to_numpy().tobytes() == want[col].to_numpy().tobytes()
    assert len(got) == len(set(scored["doc_id"]))
    assert got["n_sentences"].sum() == len(scored)
