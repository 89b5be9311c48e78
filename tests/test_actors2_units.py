"""actors2: sentiment_units' share intervals from scipy's binomial ufunc equal
scipy.stats.binom.ppf bit for bit, and the unit tables equal those of the scipy.stats path on
tricky units (1, 2, 3 and 10 sentences, ties, NaN scores, -0.0)."""

import numpy as np
import pandas as pd
import pytest
from newslens import sentiment
from scipy.stats import binom


def same_bits(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 10, 31, 200, 1000])
def test_binom_ppf_equals_scipy_stats(n):
    rng = np.random.default_rng(n)
    shares = np.r_[np.arange(n + 1) / n, rng.random(300), 0.0, 1.0, 0.5]
    for q in (0.025, 0.975, 0.005, 0.995, 0.25, 0.5, 0.75, 1e-9, 1 - 1e-9, 0.05, 0.95):
        same_bits(sentiment.binom_ppf(q, n, shares), binom.ppf(q, n, shares))
        grid = shares[: 3 * (len(shares) // 3)].reshape(-1, 3)  # 2-D, as the job calls it
        same_bits(sentiment.binom_ppf(q, np.int64(n), grid), binom.ppf(q, np.int64(n), grid))


@pytest.mark.parametrize(
    "q, n, p",
    [
        (0.0, 5, [0.2, 0.4]),  # q at the edges: scipy.stats' own handling
        (1.0, 5, [0.2, 0.4]),
        (0.5, 5, [np.nan, 0.4]),  # NaN share
        (0.5, 5, [-0.1, 1.1]),  # outside [0, 1]
        (0.5, 2.5, [0.2, 0.4]),  # n not whole
    ],
)
def test_binom_ppf_invalid_arguments_as_scipy_stats(q, n, p):
    same_bits(sentiment.binom_ppf(q, n, np.array(p)), binom.ppf(q, n, np.array(p)))


def scored_units():
    """Articles of 1, 2, 3 and 10 sentences (paragraphs of 1-3), ties, NaN and -0.0 scores."""
    rows = []

    def article(doc, paragraphs, scores):
        k = 0
        for para, size in enumerate(paragraphs):
            for _ in range(size):
                rows.append((doc, para, k, scores[k]))
                k += 1

    article("a1", [1], [0.5])
    article("a2", [2], [0.3, -0.3])
    article("a2tie", [2], [0.4, 0.4])
    article("a3", [3], [0.1, -0.5, 0.9])
    article("a3tie", [1, 2], [0.2, 0.2, 0.2])
    article("a10", [3, 3, 3, 1], [0.1, -0.2, 0.0, -0.0, 0.6, 0.6, -0.9, 0.3, 0.05, -0.05])
    article("anan", [2, 1], [np.nan, 0.4, -0.0])
    article("azero", [2], [-0.0, 0.0])
    rng = np.random.default_rng(3)
    for i in range(40):
        sizes = rng.integers(1, 5, rng.integers(1, 5))
        article(f"r{i:02d}", list(sizes), np.round(rng.uniform(-1, 1, sizes.sum()), 4))
    df = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "compound"])
    df["label"] = sentiment.label_compound(df["compound"].to_numpy())
    return df


@pytest.mark.parametrize("keys", [["doc_id"], ["doc_id", "para_id"]])
@pytest.mark.parametrize("confidence", [0.95, 0.5, 0.99])
def test_unit_tables_equal_the_scipy_stats_path(monkeypatch, keys, confidence):
    scored = scored_units()
    new = sentiment.within_unit_ci(scored, keys, 1000, 0, confidence)
    monkeypatch.setattr(sentiment, "binom_ppf", lambda q, n, p: binom.ppf(q, n, p))
    old = sentiment.within_unit_ci(scored, keys, 1000, 0, confidence)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    for c in new.columns[len(keys) + 1 :]:
        same_bits(new[c], old[c])
    one = new[new["n_sentences"] == 1]
    assert one["share_negative_ci_low"].isna().all()  # one sentence: no interval
    tie = new[new["doc_id"] == "a2tie"].iloc[0]
    assert tie["share_positive_ci_low"] == tie["share_positive_ci_high"] == 1.0
