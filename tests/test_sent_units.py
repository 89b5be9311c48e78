"""sentiment_units: the bootstrap interval of two-sentence units from the order statistics of
their three possible resample means equals numpy's quantile of the full resample matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens.sentiment import _two_sentence_quantiles, within_unit_ci


def compounds(rng, n):
    """Compound-like values: 4 decimals in [-1, 1], many ties, zeros and equal pairs."""
    v = np.round(rng.uniform(-1, 1, size=(n, 2)), 4)
    v[: n // 5] = np.round(rng.choice([-0.5, 0.0, 0.25, 0.7], size=(n // 5, 2)), 4)
    v[n // 5 : n // 4, 1] = v[n // 5 : n // 4, 0]
    return v


@pytest.mark.parametrize("resamples", [1, 2, 7, 40, 1000])
@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.5, 0.999, 1.0])
def test_two_sentence_quantiles_equal_numpys(resamples, confidence):
    rng = np.random.default_rng(resamples)
    v = compounds(rng, 3000)
    w = rng.multinomial(2, [0.5, 0.5], size=resamples).astype(float) / 2
    alpha = (1 - confidence) / 2
    want = np.quantile(v @ w.T, [alpha, 1 - alpha], axis=1)
    got, unsettled = _two_sentence_quantiles(v, w, [alpha, 1 - alpha])
    settled = ~unsettled
    assert got[:, settled].tobytes() == want[:, settled].tobytes()
    assert settled.mean() > 0.5 or resamples < 40


def reference_within_unit_ci(scored, keys, resamples, seed, confidence):
    """within_unit_ci with every size on the resample matrix (the code before the shortcut)."""
    import newslens.sentiment as sentiment

    real = sentiment._two_sentence_quantiles

    def never(v, w, q):
        return np.zeros((len(q), len(v))), np.ones(len(v), dtype=bool)

    sentiment._two_sentence_quantiles = never
    try:
        return within_unit_ci(scored, keys, resamples, seed, confidence)
    finally:
        sentiment._two_sentence_quantiles = real


def test_paragraph_intervals_are_unchanged():
    rng = np.random.default_rng(5)
    n_par = 4000
    sizes = rng.choice([1, 2, 2, 2, 3, 5], size=n_par)
    rows = []
    for p, k in enumerate(sizes):
        for s in range(k):
            rows.append((f"d{p // 4:04d}", p % 4, s))
    scored = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id"])
    c = np.round(rng.uniform(-1, 1, size=len(scored)), 4)
    c[rng.random(len(c)) < 0.3] = 0.0
    scored["compound"] = c
    scored["label"] = np.where(c <= -0.05, "negative", np.where(c >= 0.05, "positive", "neutral"))
    for keys in (["doc_id", "para_id"], ["doc_id"]):
        got = within_unit_ci(scored, keys, 1000, 0, 0.95)
        want = reference_within_unit_ci(scored, keys, 1000, 0, 0.95)
        pd.testing.assert_frame_equal(got, want)
        for col in ("compound_ci_low", "compound_ci_high"):
            assert got[col].to_numpy().tobytes() == want[col].to_numpy().tobytes()
    assert (sizes == 2).sum() > 1000
