"""The keyness log-ratio interval inverts G2: on a known 2x2 table its bounds are where the
likelihood-ratio statistic (worked out here with a general optimiser, not the package's
closed form) reaches 1.96^2, and "interval excludes 0" <=> "G2 p < 0.05" for every term."""

from __future__ import annotations

import math

import numpy as np
import pytest
from newslens import compare as cp
from newslens import compare_small as cs
from scipy import optimize, stats


def _lr_by_hand(a, ta, b, tb, log_rho):
    """2 (max log-lik - max log-lik with p1 = rho p2) for a ~ Bin(ta, p1), b ~ Bin(tb, p2)."""
    rho = math.exp(log_rho)

    def negll(p2):
        p1 = rho * p2
        return -(stats.binom.logpmf(a, ta, p1) + stats.binom.logpmf(b, tb, p2))

    top = min(1.0, 1.0 / rho) * (1 - 1e-12)
    best = optimize.minimize_scalar(
        negll, bounds=(1e-12, top), method="bounded", options={"xatol": 1e-14}
    )
    full = stats.binom.logpmf(a, ta, a / ta) + stats.binom.logpmf(b, tb, b / tb)
    return 2 * (full + best.fun)


def test_known_table():
    # 12 of 2,000 words in the group, 3 of 3,000 in the reference
    a, ta, b, tb = 12, 2000, 3, 3000
    g2 = stats.chi2_contingency(
        np.array([[a, b], [ta - a, tb - b]]), correction=False, lambda_="log-likelihood"
    )[0]
    assert _lr_by_hand(a, ta, b, tb, 0.0) == pytest.approx(g2, rel=1e-6)
    crit = 1.959964**2
    lo_ref = optimize.brentq(lambda x: _lr_by_hand(a, ta, b, tb, x) - crit, -5, math.log(6))
    hi_ref = optimize.brentq(lambda x: _lr_by_hand(a, ta, b, tb, x) - crit, math.log(6), 10)
    _lr, lo, hi = cp.log_ratio([a], [b], ta, tb)
    assert lo[0] == pytest.approx(lo_ref / math.log(2), abs=1e-5)
    assert hi[0] == pytest.approx(hi_ref / math.log(2), abs=1e-5)
    # the MLE, log2 of (12/2000)/(3/3000) = log2 6, is inside; G2 = 10.8 > 3.84: excludes 0
    assert lo[0] < math.log2(6) < hi[0]
    assert g2 > crit and lo[0] > 0


def test_zero_count_is_unbounded_on_its_side():
    _lr, lo, hi = cp.log_ratio([0, 7], [9, 0], 5000, 5000)
    assert lo[0] == -np.inf and np.isfinite(hi[0]) and hi[0] < 0
    assert hi[1] == np.inf and np.isfinite(lo[1]) and lo[1] > 0
    # the finite bound is where the statistic reaches 1.96^2
    crit = 1.959964**2
    assert cs.lr_statistic(0.0, 5000.0, 9.0, 5000.0, hi[0] * math.log(2)) == pytest.approx(crit)


def test_interval_excludes_zero_iff_g2_p_below_005():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 40, 4000).astype(float)
    b = rng.integers(0, 40, 4000).astype(float)
    a[:50], b[50:100] = 0, 0
    keep = (a + b) > 0
    a, b = a[keep], b[keep]
    ta, tb = 60_000, 90_000
    _g2, p, _chi2, _chi2_p = cp.g2_chi2(a, b, ta - a, tb - b)
    _lr, lo, hi = cp.log_ratio(a, b, ta, tb)
    excludes = (lo > 0) | (hi < 0)
    assert ((p < 0.05) == excludes).all()
    assert 0.1 < (p < 0.05).mean() < 0.9  # both kinds of term present


def test_keyness_table_rows_agree():
    rng = np.random.default_rng(4)
    ci = rng.poisson(3, 500).astype(float)
    cj = rng.poisson(3, 500).astype(float) * 2
    tab = cp.keyness(ci, cj, [f"t{i}" for i in range(500)], min_count=1, top_n=50)
    excludes = (tab["log_ratio_low"] > 0) | (tab["log_ratio_high"] < 0)
    assert ((tab["g2_p"] < 0.05) == excludes).all()
    # q is BH over all terms: q < 0.05 implies p < 0.05 implies the interval excludes 0
    assert excludes[tab["q_value"] < 0.05].all()
