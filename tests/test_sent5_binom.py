"""newslens.sentiment.binom_ppf without scipy: the NumPy quantile of the binomial
(_exact_binom_ppf) gives scipy's ``_binom_ppf`` exactly, and hands the too-close-to-call
entries to scipy."""

import numpy as np
import pytest
from newslens import sentiment
from newslens.sentiment import _exact_binom_ppf, binom_ppf
from scipy.special._ufuncs import _binom_ppf

QS = (0.025, 0.975, 0.005, 0.995, 0.05, 0.95, 0.25, 0.75, 0.5)


@pytest.mark.parametrize("q", QS)
def test_every_share_of_up_to_150_sentences_is_scipys(q):
    settled = 0
    for n in [*range(1, 151), 400, 1000]:
        p = np.r_[np.arange(n + 1) / n, np.random.default_rng(n).random(20)]
        want = _binom_ppf(q, n, p) + 0
        got, unsettled = _exact_binom_ppf(q, n, p)
        np.testing.assert_array_equal(got[~unsettled], want[~unsettled])
        np.testing.assert_array_equal(binom_ppf(q, n, p), want)  # unsettled ones from scipy
        settled += int((~unsettled).sum())
    assert settled >= 0.999 * sum(len(np.arange(n + 1)) + 20 for n in [*range(1, 151), 400, 1000])


def test_known_values_and_edges():
    got, unsettled = _exact_binom_ppf(0.025, 5, np.array([0.0, 1.0, 0.2, 0.6]))
    assert got.tolist() == [0.0, 5.0, 0.0, 1.0]
    assert not unsettled.any()
    # P(X <= 0) = 0.5 exactly for n = 1, p = 0.5: too close to call, scipy decides (0)
    got, unsettled = _exact_binom_ppf(0.5, 1, np.array([0.5]))
    assert unsettled.tolist() == [True]
    assert binom_ppf(0.5, 1, np.array([0.5])).tolist() == [0.0]
    # the shape of p is kept (within_unit_ci passes (G, 3) shares)
    p = np.array([[0.0, 0.5, 1.0], [0.25, 0.75, 0.5]])
    assert binom_ppf(0.975, 4, p).tolist() == (_binom_ppf(0.975, 4, p) + 0).tolist()


def test_all_unsettled_is_scipy(monkeypatch):
    monkeypatch.setattr(sentiment, "_PPF_MARGIN", 2.0)
    p = np.arange(11) / 10
    np.testing.assert_array_equal(binom_ppf(0.025, 10, p), _binom_ppf(0.025, 10, p) + 0)


def test_invalid_arguments_still_go_to_scipy_stats():
    from scipy.stats import binom

    p = np.array([0.5, 1.5, -0.1])
    np.testing.assert_array_equal(binom_ppf(0.025, 10, p), binom.ppf(0.025, 10, p))
    np.testing.assert_array_equal(binom_ppf(1.0, 10, p[:1]), binom.ppf(1.0, 10, p[:1]))
