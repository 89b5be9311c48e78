"""Honest p-values and intervals for small, sparse and constant groups (the compare stage), and
the keyness interval that inverts the keyness test.

Group means (frames, actors, topics, actors x frames; over-time cells):

* p-value of a difference: Welch's t with Satterthwaite degrees of freedom, each side's
  variance *moderated* toward the pooled within-group variance v0 of both sides (Student's;
  the estimate of the common variance under no difference; where both sides are constant, the
  variance of all their articles): ``v* = ((n - 1) v + d0 v0) / (n - 1 + d0)`` with ``d0`` =
  ``prior_df`` pseudo-degrees of freedom (Smyth 2004's moderated variance with a data prior).
  A side under ``small_n`` articles has at least v0 (with v0's degrees of freedom, n_g + n_r -
  2): a small group's own variance is too noisy to trust, and for a sparse item it is small
  exactly when the group's mean is (few non-zero articles). A group whose values are all equal
  then still has a variance, and the t distribution replaces the normal.
* constant groups at the edge of the item's range (a frame share 0 in every article): for an
  item in [lo, hi] with mean mu, P(value = lo) <= (hi - mu) / (hi - lo), so n articles all at
  lo have probability at most ((hi - mu) / (hi - lo))^n. Below ``small_n`` articles this
  distribution-free bound is a second p-value (``2 x`` that, the reference mean for mu) and
  the reported p is the larger of the two (both are valid, so the larger is); the interval of
  such a group's mean is [lo, lo + (hi - lo)(1 - (alpha/2)^(1/n))] (the exact binomial bound
  behind the "rule of three"), never zero width.
* intervals of groups under ``small_n`` articles: the t interval of the moderated variance
  (clipped to the range), joined with the bound interval above, so that the difference's
  interval excludes 0 exactly when p < 1 - confidence. At ``small_n`` articles and more the
  percentile bootstrap intervals are kept.

Keyness: ``lr_interval`` is the profile-likelihood interval of the rate ratio of the same two
binomials whose likelihood-ratio test is G2, so the interval excludes 0 exactly when the G2
p-value is below 1 - its level.
"""

from __future__ import annotations

import numpy as np

PRIOR_DF = 2.0
SMALL_N = 100
# the range of each kind of item (frame and topic shares; VADER compound sentiment)
ITEM_RANGES = {"frames": (0.0, 1.0), "topics": (0.0, 1.0), "actors": (-1.0, 1.0)}


def value_range(values: np.ndarray, bounds=None) -> tuple[float, float]:
    """The range an item can take: ``bounds`` when given, else [0, 1] when every finite value
    is in it (shares), else [-1, 1] (sentiment), else the observed range."""
    if bounds is not None:
        return float(bounds[0]), float(bounds[1])
    finite = values[np.isfinite(values)]
    if not finite.size or (finite.min() >= 0 and finite.max() <= 1):
        return 0.0, 1.0
    if finite.min() >= -1 and finite.max() <= 1:
        return -1.0, 1.0
    return float(finite.min()), float(finite.max())


def moments(x: np.ndarray):
    """Per column of ``x`` (articles x items, NaN = not measured): n, mean, sum of squared
    deviations, min and max (NaN where n = 0)."""
    finite = np.isfinite(x)
    n = finite.sum(axis=0).astype(float)
    filled = np.where(finite, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        m2 = np.where(finite, (x - mean) ** 2, 0.0).sum(axis=0)
    lo = np.where(finite, x, np.inf).min(axis=0, initial=np.inf)
    hi = np.where(finite, x, -np.inf).max(axis=0, initial=-np.inf)
    return n, mean, m2, np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def moderated_variances(ng, mg, m2g, nr, mr, m2r, prior_df: float = PRIOR_DF):
    """Each side's variance moderated toward a common variance with ``prior_df``
    pseudo-degrees of freedom: the pooled within-group variance of both sides (Student's), or,
    where both sides are constant (it is 0), the variance of both sides' articles together.
    Returns (vg, vr, common, within)."""
    n = ng + nr
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.where(n > 2, (m2g + m2r) / (n - 2), 0.0)
        total_m2 = m2g + m2r + ng * nr / n * (mg - mr) ** 2
        total = np.where(n > 1, total_m2 / (n - 1), 0.0)
        common = np.where(within > 0, within, total)
        vg = (m2g + prior_df * common) / np.maximum(ng - 1 + prior_df, 1e-300)
        vr = (m2r + prior_df * common) / np.maximum(nr - 1 + prior_df, 1e-300)
    return vg, vr, common, within


def welch(ng, vg, nr, vr, dfg=None, dfr=None):
    """Standard error and Satterthwaite degrees of freedom of a difference of two means, each
    side's variance with ``df*`` degrees of freedom (default n - 1; at least 1)."""
    a, b = vg / np.maximum(ng, 1), vr / np.maximum(nr, 1)
    se = np.sqrt(a + b)
    dfg = ng - 1 if dfg is None else dfg
    dfr = nr - 1 if dfr is None else dfr
    with np.errstate(invalid="ignore", divide="ignore"):
        df = (a + b) ** 2 / (a**2 / np.maximum(dfg, 1) + b**2 / np.maximum(dfr, 1))
    return se, np.where(np.isfinite(df), np.maximum(df, 1.0), 1.0)


def t_quantile(level: float, df) -> np.ndarray:
    """The ``level`` quantile of Student's t with ``df`` degrees of freedom."""
    from scipy import special  # here: importing this module does not load scipy

    return special.stdtrit(np.asarray(df, dtype=float), level)


def edge_bound(n, constant_at_lo, constant_at_hi, other_mean, lo, hi, alpha: float):
    """The distribution-free edge bound for groups whose values all sit at the low (high) end
    of the range: the two-sided p-value against ``other_mean`` and the bound of the group mean
    (upper for a group at lo, lower for one at hi) at two-sided level 1 - alpha. NaN p where
    the group is not at an edge."""
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        reach = span * (1 - (alpha / 2) ** (1 / np.maximum(n, 1)))
        p_lo = 2 * np.clip((hi - other_mean) / span, 0, 1) ** n
        p_hi = 2 * np.clip((other_mean - lo) / span, 0, 1) ** n
    p = np.where(constant_at_lo, p_lo, np.where(constant_at_hi, p_hi, np.nan))
    bound = np.where(constant_at_lo, lo + reach, np.where(constant_at_hi, hi - reach, np.nan))
    return np.minimum(p, 1.0), bound


def mean_interval(n, mean, m2, mn, mx, v0, confidence, prior_df, small_n, bounds):
    """Interval of a mean of ``n`` articles (per-item arrays of the moments) from its variance
    moderated toward ``v0``: the t interval clipped to the range, joined with the edge bound
    when n < ``small_n`` and every value sits at an edge. Returns (low, high)."""
    alpha = 1 - confidence
    lo, hi = bounds
    v = (m2 + prior_df * v0) / np.maximum(n - 1 + prior_df, 1e-300)
    v = np.where(n < small_n, np.fmax(v, v0), v)
    tq = t_quantile(1 - alpha / 2, np.maximum(n - 1, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = tq * np.sqrt(v / n)
    low, high = np.clip(mean - half, lo, hi), np.clip(mean + half, lo, hi)
    small = (n > 0) & (n < small_n)
    at_lo, at_hi = small & (mx <= lo), small & (mn >= hi)
    _p, bound = edge_bound(n, at_lo, at_hi, mean, lo, hi, alpha)
    return np.where(at_hi, np.fmin(low, bound), low), np.where(at_lo, np.fmax(high, bound), high)


def stats_from_moments(
    group,
    reference,
    confidence: float = 0.95,
    prior_df: float = PRIOR_DF,
    small_n: int = SMALL_N,
    bounds: tuple[float, float] = (0.0, 1.0),
    estimate=None,
    se_bootstrap=None,
) -> dict:
    """Means, p-value and intervals of a group against a reference (per-item arrays) by the
    moderated Welch t and the edge bound (module docstring), from each side's ``moments`` (n,
    mean, m2, min, max over articles x items, NaN = not measured).

    Returns a dict of per-item arrays: n_group, n_reference, mean_group, mean_reference, p,
    and the t/edge intervals low_group/high_group (group mean), low/high (difference); the
    caller uses the intervals where a side has fewer than ``small_n`` articles. With
    ``estimate`` (e.g. a difference adjusted for period) and its bootstrap standard error
    ``se_bootstrap``, the test and the difference's interval are of that estimate: with the
    bootstrap standard error where both sides have ``small_n`` articles or more, else with the
    larger of it and the moderated Welch one of the unadjusted difference."""
    alpha = 1 - confidence
    lo, hi = bounds
    ng, mg, m2g, ming, maxg = group
    nr, mr, m2r, minr, maxr = reference
    vg, vr, v0, within = moderated_variances(ng, mg, m2g, nr, mr, m2r, prior_df)
    # a side under small_n articles: at least the pooled within-group variance (Student's),
    # with its degrees of freedom where it is the larger
    both = ng + nr - 2
    pooled_g, pooled_r = (ng < small_n) & (within > vg), (nr < small_n) & (within > vr)
    vg, vr = np.where(pooled_g, within, vg), np.where(pooled_r, within, vr)
    se, df = welch(
        ng, vg, nr, vr, np.where(pooled_g, both, ng - 1), np.where(pooled_r, both, nr - 1)
    )
    if se_bootstrap is not None:
        small = np.minimum(ng, nr) < small_n
        se = np.where(small, np.fmax(se, se_bootstrap), se_bootstrap)
    d = mg - mr if estimate is None else estimate
    from scipy import special

    with np.errstate(invalid="ignore", divide="ignore"):
        p = 2 * special.stdtr(df, -np.abs(d) / se)
    p = np.where(se > 0, p, np.where(d == 0, 1.0, 0.0))
    tq = t_quantile(1 - alpha / 2, df)
    d_lo, d_hi = d - tq * se, d + tq * se
    g_lo, g_hi = mean_interval(ng, mg, m2g, ming, maxg, v0, confidence, prior_df, small_n, bounds)
    # groups (either side) under small_n articles all at an edge of the range
    for n, mn, mx, other, sign in [(ng, ming, maxg, mr, 1.0), (nr, minr, maxr, mg, -1.0)]:
        small = (n > 0) & (n < small_n)
        at_lo, at_hi = small & (mx <= lo), small & (mn >= hi)
        pb, bound = edge_bound(n, at_lo, at_hi, other, lo, hi, alpha)
        p = np.where(np.isfinite(pb), np.fmax(p, pb), p)
        # the difference's interval reaches the bound: group - other (sign +1) or other - group
        reach = sign * (bound - other)
        d_lo = np.where((at_lo & (sign < 0)) | (at_hi & (sign > 0)), np.fmin(d_lo, reach), d_lo)
        d_hi = np.where((at_lo & (sign > 0)) | (at_hi & (sign < 0)), np.fmax(d_hi, reach), d_hi)
    return {
        "n_group": ng,
        "n_reference": nr,
        "mean_group": mg,
        "mean_reference": mr,
        "p": p,
        "low_group": g_lo,
        "high_group": g_hi,
        "low": d_lo,
        "high": d_hi,
    }


def group_moments(values: np.ndarray, codes: np.ndarray, n_groups: int) -> list:
    """Per group code (0..n_groups-1; -1: none) and item of ``values`` (articles x items, NaN
    = not measured): the ``moments`` (n, mean, m2, min, max), each groups x items."""
    out = [np.zeros((n_groups, values.shape[1])) for _ in range(5)]
    order = np.argsort(codes, kind="stable")
    cuts = np.searchsorted(codes[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        part = moments(values[order[cuts[g] : cuts[g + 1]]])
        for arr, m in zip(out, part, strict=True):
            arr[g] = m
    return out


def rest_moments(mom: list, g: int) -> tuple:
    """The ``moments`` of every group but ``g`` together, from ``group_moments``."""
    n, mean, m2, mn, mx = mom
    others = np.arange(len(n)) != g
    n_r = n[others].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nan_to_num(mean[others] * n[others]).sum(axis=0)
        mean_r = s / n_r
        dev = np.where(n[others] > 0, n[others] * (mean[others] - mean_r) ** 2, 0.0)
    m2_r = m2[others].sum(axis=0) + np.nan_to_num(dev).sum(axis=0)
    return (
        n_r,
        mean_r,
        m2_r,
        np.fmin.reduce(mn[others], axis=0, initial=np.inf),
        np.fmax.reduce(mx[others], axis=0, initial=-np.inf),
    )


def moments_from_sums(n, total, squares, mn, mx):
    """``moments`` from per-item sums: n, sum, sum of squares, min and max."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        m2 = np.maximum(squares - total * mean, 0.0)
    return n, mean, np.where(n > 0, m2, 0.0), mn, mx


# ----------------------------------------------------------------------------------------------
# Keyness: the interval that inverts G2
# ----------------------------------------------------------------------------------------------


def _loglik(k, n, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 0, k * np.log(p), 0.0) + np.where(
            n - k > 0, (n - k) * np.log1p(-p), 0.0
        )


def _profile_p2(a, ta, b, tb, rho):
    """The reference's rate p2 maximising the likelihood of a ~ Bin(ta, rho p2), b ~ Bin(tb, p2)
    (root of a quadratic, inside (0, min(1, 1/rho)))."""
    # d/dp: (a + b)/p - rho (ta - a)/(1 - rho p) - (tb - b)/(1 - p) = 0
    s = a + b
    qa = rho * (ta + tb)
    qb = -(rho * (ta + b) + tb + a)
    qc = s
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        disc = np.sqrt(np.maximum(qb * qb - 4 * qa * qc, 0.0))
        root = 2 * qc / (-qb + disc)  # the smaller root (inside the bounds), without cancellation
        top = np.minimum(1.0, 1.0 / rho) * (1 - 1e-15)
    return np.clip(root, 1e-300, top)


def lr_statistic(a, ta, b, tb, log_rho):
    """Likelihood-ratio statistic of H0: rate ratio (a's rate / b's rate) = exp(log_rho) for
    a ~ Bin(ta, p1), b ~ Bin(tb, p2); at log_rho = 0 it is the 2x2 table's G2."""
    with np.errstate(over="ignore"):
        rho = np.exp(log_rho)
    p2 = _profile_p2(a, ta, b, tb, rho)
    full = _loglik(a, ta, a / ta) + _loglik(b, tb, b / tb)
    return np.maximum(2 * (full - _loglik(a, ta, rho * p2) - _loglik(b, tb, p2)), 0.0)


def smoothed_log_ratio(a, b, total_a, total_b, smoothing: float):
    """The binary log ratio (log2) of the rates with ``smoothing`` added to both counts."""
    return np.log2(
        ((np.asarray(a, dtype=float) + smoothing) / total_a)
        / ((np.asarray(b, dtype=float) + smoothing) / total_b)
    )


def log_ratio(a, b, total_a, total_b, smoothing: float = 0.5, z: float = 1.959964):
    """Binary log ratio (Hardie 2014) of the term's relative frequency in group vs reference,
    with ``smoothing`` added to both counts, and the profile-likelihood interval of the
    (unsmoothed) log2 rate ratio, which inverts the G2 test of the same table: it excludes 0
    exactly when G2 > z^2 (``lr_interval``; -inf/+inf where a/b is 0).

    Returns (log_ratio, low, high)."""
    lr = smoothed_log_ratio(a, b, total_a, total_b, smoothing)
    low, high = lr_interval(a, b, total_a, total_b, z)
    return lr, low, high


def lr_interval(a, b, total_a, total_b, z: float = 1.959964, iterations: int = 64):
    """Profile-likelihood interval of the log2 rate ratio (a / total_a) / (b / total_b): the
    ratios whose likelihood-ratio statistic is at most z^2, the inversion of the G2 test (so
    it excludes 0 exactly when G2 > z^2). -inf / +inf where a (b) is 0. Vectorised; bisection
    on the natural-log scale to 1e-12 of its bracket. ``total_a``/``total_b``: one total, or
    one per row (several comparisons in one call: each row's bounds are the ones a call of
    its own comparison gives, bit for bit; every step is elementwise)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ta = np.maximum(np.asarray(total_a, dtype=float), 1.0)
    tb = np.maximum(np.asarray(total_b, dtype=float), 1.0)
    crit = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        mle = np.log(a / ta) - np.log(b / tb)
    centre = np.log((a + 0.5) / ta) - np.log((b + 0.5) / tb)
    # where a (b) is 0 the estimate is -inf (+inf): search the bounded side from far out
    centre = np.where(a == 0, centre - 40, np.where(b == 0, centre + 40, mle))
    out = []
    for side in (-1.0, 1.0):
        inner = centre.copy()
        step = np.ones_like(centre)
        outer = centre + side * step
        # widen until the statistic passes the critical value (or the count makes it unbounded)
        for _ in range(60):
            grow = lr_statistic(a, ta, b, tb, outer) < crit
            if not grow.any():
                break
            inner = np.where(grow, outer, inner)
            step = np.where(grow, step * 2, step)
            outer = np.where(grow, centre + side * step, outer)
        for _ in range(iterations):
            mid = (inner + outer) / 2
            inside = lr_statistic(a, ta, b, tb, mid) < crit
            inner = np.where(inside, mid, inner)
            outer = np.where(inside, outer, mid)
        bound = (inner + outer) / 2
        unbounded = (a == 0) if side < 0 else (b == 0)
        out.append(np.where(unbounded, side * np.inf, bound) / np.log(2))
    return out[0], out[1]
