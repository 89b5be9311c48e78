"""Items over time by group: prevalence per group and period, and the group effect adjusted
for the periods' mix (regression on group and period dummies, Poisson bootstrap over articles)."""

from __future__ import annotations

import logging
import warnings
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from newslens.compare import REST, bh, comparisons, natural_key
from newslens.compare_bootstrap import nan_quantiles, poisson_group_sums
from newslens.compare_small import (
    PRIOR_DF,
    SMALL_N,
    mean_interval,
    moments_from_sums,
    stats_from_moments,
    value_range,
)

# ----------------------------------------------------------------------------------------------
# Over time: prevalence per group and period, and the group effect adjusted for period
# ----------------------------------------------------------------------------------------------

TIME_COLUMNS = [
    "variable",
    "group",
    "period",
    "item",
    "n_articles",
    "mean",
    "low",
    "high",
]

EFFECT_COLUMNS = [
    "variable",
    "group",
    "reference",
    "item",
    "n_group",
    "n_reference",
    "periods",
    "difference_raw",
    "estimate",
    "low",
    "high",
    "p_value",
    "q_value",
]

log = logging.getLogger("newslens")

ALL = "all"
MODELS = ("dummies", "spline")


def period_days(periods: Sequence[str]) -> np.ndarray:
    """Days from the first period's start to each period's start (``2024-W03``: its Monday;
    ``2024-03``: the 1st), the time axis of the spline; labels that are neither count in order
    (one period apart, 1.0)."""
    labels = pd.Series(list(periods), dtype="string")
    week = pd.to_datetime(labels + "-1", format="%G-W%V-%u", errors="coerce")
    month = pd.to_datetime(labels, format="%Y-%m", errors="coerce")
    start = week.fillna(month)
    if len(labels) == 0:
        return np.zeros(0)
    if start.isna().any():
        return np.arange(len(labels), dtype=float)
    return ((start - start.min()).dt.days).to_numpy(dtype=float)


def spline_basis(t: np.ndarray, df: int) -> np.ndarray:
    """B-spline basis of the time points ``t`` (periods x columns, each row sums to 1, so the
    intercept is in it): cubic with ``df`` columns (``df - 2`` knots spread over the quantiles
    of ``t``), fewer when there are fewer distinct times (``df`` >= the periods reproduces the
    period dummies' fit). scikit-learn's SplineTransformer, as stm's ``s()`` in estimateEffect."""
    from sklearn.preprocessing import SplineTransformer

    distinct = len(np.unique(t))
    k = int(min(df, distinct))
    if k <= 1:
        return np.ones((len(t), 1))
    if k >= distinct:  # as many columns as periods: the dummies themselves
        return (t[:, None] == np.unique(t)[None, :]).astype(float)
    degree = min(3, k - 1)
    spline = SplineTransformer(
        n_knots=k - degree + 1, degree=degree, knots="quantile", include_bias=True
    )
    return spline.fit_transform(t.reshape(-1, 1))


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least-squares solutions of the stacked normal equations a x = b (pseudo-inverse, so a
    group without data in part of the time range still gets the minimum-norm fit)."""
    return (np.linalg.pinv(a, hermitian=True) @ b[..., None])[..., 0]


def smooth_fit(basis: np.ndarray, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Fitted values per period of the least-squares regression of the item on the spline
    basis, over the articles, from per-period sums and counts (periods on axis 0; any trailing
    axes, e.g. resamples x items): weighted least squares of the period means with the counts
    as weights, which is the same fit."""
    a = np.einsum("pk,p...,pl->...kl", basis, counts, basis)
    b = np.einsum("pk,p...->...k", basis, sums)
    fit = np.einsum("pk,...k->p...", basis, _solve(a, b))
    has = counts.sum(axis=0) > 0
    return np.where(has, fit, np.nan)


def smooth_adjusted_difference(basis, sums_g, counts_g, sums_r, counts_r):
    """Group effect of  y = b1 [article in group] + spline(time)  (least squares over the
    articles of group and reference; the spline basis holds the intercept), from per-period
    sums and counts (periods on axis 0, trailing axes as in ``adjusted_difference``): the
    group's difference at equal time with time as a smooth term. NaN when a side is empty."""
    n_g = counts_g.sum(axis=0)
    both = counts_g + counts_r
    k = basis.shape[1]
    shape = n_g.shape
    a = np.zeros((*shape, k + 1, k + 1))
    b = np.zeros((*shape, k + 1))
    a[..., 0, 0] = n_g
    cross = np.einsum("pk,p...->...k", basis, counts_g)
    a[..., 0, 1:] = cross
    a[..., 1:, 0] = cross
    a[..., 1:, 1:] = np.einsum("pk,p...,pl->...kl", basis, both, basis)
    b[..., 0] = sums_g.sum(axis=0)
    b[..., 1:] = np.einsum("pk,p...->...k", basis, sums_g + sums_r)
    est = _solve(a, b)[..., 0]
    ok = (n_g > 0) & (counts_r.sum(axis=0) > 0)
    return np.where(ok, est, np.nan)


def common_variance(counts, sums, squares) -> np.ndarray:
    """Per item, the pooled within-cell variance over the cells (axis 0) of counts, sums and
    sums of squares; where it is 0 (every cell constant), the variance over all articles."""
    _n, _mean, m2, _lo, _hi = moments_from_sums(counts, sums, squares, None, None)
    n = counts.sum(axis=0)
    tot = moments_from_sums(n, sums.sum(axis=0), squares.sum(axis=0), None, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = n - (counts > 0).sum(axis=0)
        within = np.where(dof > 0, m2.sum(axis=0) / dof, 0.0)
        total = np.where(n > 1, tot[2] / (n - 1), 0.0)
    return np.where(within > 0, within, total)


def adjusted_difference(sums_g, counts_g, sums_r, counts_r):
    """Group effect of the linear model  y = b0 + b1 [article in group] + period dummies
    (ordinary least squares over the articles of group and reference), from per-period sums
    and counts (periods on axis 0; any trailing axes, e.g. resamples x items).

    With the periods as free effects, b1 is the average of the within-period differences of
    the group and reference means, weighted by n_g n_r / (n_g + n_r) (periods missing on one
    side carry no weight): exactly the OLS coefficient. NaN when no period has both."""
    with np.errstate(invalid="ignore", divide="ignore"):
        d = sums_g / counts_g - sums_r / counts_r
        w = counts_g * counts_r / (counts_g + counts_r)
    ok = (counts_g > 0) & (counts_r > 0)
    w = np.where(ok, w, 0.0)
    d = np.where(ok, d, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w * d).sum(axis=0) / w.sum(axis=0)


def time_table(
    values: pd.DataFrame,
    groups: pd.DataFrame,
    periods: pd.Series,
    reference: str,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_articles: int = 1,
    model: str = "dummies",
    df: int = 5,
    prior_df: float = PRIOR_DF,
    small_n: int = SMALL_N,
    bounds: tuple[float, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items over time by group (stm's ``estimateEffect`` idea, bootstrap over articles).

    ``values``: articles (doc_id index) x items, NaN = not measured; ``groups``: doc_id + one
    column per comparison variable (none: one group ``all``); ``periods``: period label per
    doc_id (``""``: no date; such articles are left out).

    Returns (prevalence, effects):

    * prevalence: mean of each item per variable x group x period (the cell means, i.e. the
      fit of the regression with group x period interaction) with percentile intervals;
    * effects: per comparison (group vs ``reference``) and item, the group coefficient of the
      regression of the item on group and period dummies (the difference adjusted for the
      periods' mix) with interval, two-sided p from its bootstrap standard error and BH q per
      variable, beside the unadjusted difference ``difference_raw``.

    ``model="spline"`` puts time in as a smooth term (a B-spline of the period's start date
    with ``df`` columns, ``spline_basis``) instead of one dummy per period: the prevalence is
    then each group's spline fit at every period (it borrows strength from neighbouring
    periods) and the effect is the group coefficient of  item ~ group + spline(time).

    Uncertainty: Poisson bootstrap over articles (seeded), one pass per variable. Cells of
    fewer than ``small_n`` articles (dummies model) get the moderated t / edge-bound interval of
    ``compare_small``; effects get its p-value (t with Satterthwaite df, the standard error at
    least the moderated Welch one of the unadjusted difference where a side is under
    ``small_n``, and the edge bound), and its interval where a side is under ``small_n``.
    ``bounds``: the range of the items (None: inferred, ``compare_small.value_range``).
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, not {model!r}")
    alpha = (1 - confidence) / 2
    values = values.copy()
    values.index = values.index.astype(str)
    per = pd.Series(periods.to_numpy(), index=periods.index.astype(str)).astype(str)
    groups = groups.set_index(groups["doc_id"].astype(str)).drop(columns="doc_id")
    if groups.shape[1] == 0:
        groups = pd.DataFrame({ALL: ALL}, index=groups.index)
    common = values.index.intersection(groups.index).intersection(per.index[per != ""])
    v = values.loc[common].to_numpy(dtype=float)
    per_labels = per.loc[common].to_numpy()
    period_list = sorted(set(pd.unique(per_labels)))
    items = list(values.columns)
    p_code = pd.Index(period_list).get_indexer(per_labels)
    n_p = len(period_list)
    basis = spline_basis(period_days(period_list), df) if model == "spline" else None
    if basis is not None and basis.shape == (n_p, n_p) and np.array_equal(basis, np.eye(n_p)):
        basis = None  # a column per period: the spline is the dummies' fit
    bounds = value_range(v, bounds)
    prevalence, effects = [], []
    for var in groups.columns:
        labels = groups.loc[common, var].astype(str).reset_index(drop=True)
        cats = sorted(set(labels.unique()) - {""}, key=natural_key)
        if not cats or not len(v):
            continue
        code_of = {c: i for i, c in enumerate(cats)}
        g_code = pd.Index(cats).get_indexer(labels).astype(np.int64)  # -1: no group
        cell = np.where(g_code >= 0, g_code * n_p + p_code, -1)
        n_cells = len(cats) * n_p
        s_b, c_b = poisson_group_sums(
            v, cell, n_cells, resamples, seed=zlib.crc32(f"{seed}:{var}".encode())
        )
        finite = np.isfinite(v)
        filled = np.where(finite, v, 0.0)
        s0 = np.zeros((n_cells, len(items)))
        c0 = np.zeros((n_cells, len(items)))
        keep = cell >= 0
        np.add.at(s0, cell[keep], filled[keep])
        np.add.at(c0, cell[keep], finite[keep].astype(float))
        q0, mn0, mx0 = np.zeros_like(s0), np.full_like(s0, np.inf), np.full_like(s0, -np.inf)
        np.add.at(q0, cell[keep], filled[keep] ** 2)
        np.minimum.at(mn0, cell[keep], np.where(finite, v, np.inf)[keep])
        np.maximum.at(mx0, cell[keep], np.where(finite, v, -np.inf)[keep])
        v0 = common_variance(c0, s0, q0)
        n_art = np.bincount(cell[keep], minlength=n_cells)
        sizes = pd.Series(n_art.reshape(len(cats), n_p).sum(axis=1), index=cats)
        shape = (len(cats), n_p)
        s0, c0 = s0.reshape(*shape, -1), c0.reshape(*shape, -1)
        q0, mn0, mx0 = (x.reshape(*shape, -1) for x in (q0, mn0, mx0))
        s_b, c_b = s_b.reshape(*shape, resamples, -1), c_b.reshape(*shape, resamples, -1)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if basis is None:
                mean0, boot_means = s0 / c0, s_b / c_b
            else:  # period axis first for the fit, then back
                mean0 = np.moveaxis(
                    smooth_fit(basis, np.moveaxis(s0, 1, 0), np.moveaxis(c0, 1, 0)), 0, 1
                )
                boot_means = np.moveaxis(
                    smooth_fit(basis, np.moveaxis(s_b, 1, 0), np.moveaxis(c_b, 1, 0)), 0, 1
                )
            lo, hi = nan_quantiles(boot_means, [alpha, 1 - alpha], axis=2)
            if basis is None:  # cells under small_n articles: moderated t / edge bound
                cm = moments_from_sums(c0, s0, q0, mn0, mx0)
                t_lo, t_hi = mean_interval(*cm, v0, confidence, prior_df, small_n, bounds)
                lo, hi = np.where(c0 < small_n, t_lo, lo), np.where(c0 < small_n, t_hi, hi)
        for gi, g in enumerate(cats):
            if sizes[g] < min_articles:
                continue
            for ti, t in enumerate(period_list):
                if n_art[gi * n_p + ti] == 0:
                    continue
                for j, item in enumerate(items):
                    prevalence.append(
                        (
                            var,
                            g,
                            t,
                            item,
                            int(c0[gi, ti, j]),
                            mean0[gi, ti, j],
                            lo[gi, ti, j],
                            hi[gi, ti, j],
                        )
                    )
        if var == ALL:
            continue
        rows = []
        tot_s0, tot_c0, tot_sb, tot_cb = s0.sum(0), c0.sum(0), s_b.sum(0), c_b.sum(0)
        for g, ref, _gm, _rm in comparisons(labels, reference, min_articles):
            gi = code_of[g]
            if ref == REST:
                rs0, rc0, rsb, rcb = (
                    tot_s0 - s0[gi],
                    tot_c0 - c0[gi],
                    tot_sb - s_b[gi],
                    tot_cb - c_b[gi],
                )
            else:
                ri = code_of[ref]
                rs0, rc0, rsb, rcb = s0[ri], c0[ri], s_b[ri], c_b[ri]
            others = [gi] if ref == REST else [i for i in range(len(cats)) if i != ri]
            side_g = moments_from_sums(
                c0[gi].sum(0), s0[gi].sum(0), q0[gi].sum(0), mn0[gi].min(0), mx0[gi].max(0)
            )
            side_r = moments_from_sums(
                rc0.sum(0),
                rs0.sum(0),
                (q0.sum(0) - q0[gi]).sum(0) if ref == REST else q0[ri].sum(0),
                np.delete(mn0, others, axis=0).min(axis=(0, 1), initial=np.inf),
                np.delete(mx0, others, axis=0).max(axis=(0, 1), initial=-np.inf),
            )
            if basis is None:
                est = adjusted_difference(s0[gi], c0[gi], rs0, rc0)
                boot = adjusted_difference(s_b[gi], c_b[gi], rsb, rcb)
            else:
                est = smooth_adjusted_difference(basis, s0[gi], c0[gi], rs0, rc0)
                boot = smooth_adjusted_difference(basis, s_b[gi], c_b[gi], rsb, rcb)
            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                raw = s0[gi].sum(0) / c0[gi].sum(0) - rs0.sum(0) / rc0.sum(0)
                b_lo, b_hi = nan_quantiles(boot, [alpha, 1 - alpha], axis=0)
                se = np.nanstd(boot, axis=0, ddof=1)
            st = stats_from_moments(
                side_g, side_r, confidence, prior_df, small_n, bounds, est, np.nan_to_num(se)
            )
            small = np.minimum(side_g[0], side_r[0]) < small_n
            b_lo, b_hi = np.where(small, st["low"], b_lo), np.where(small, st["high"], b_hi)
            p = np.where(np.isfinite(est), st["p"], np.nan)
            both = ((c0[gi] > 0) & (rc0 > 0)).sum(axis=0)
            for j, item in enumerate(items):
                rows.append(
                    (
                        var,
                        g,
                        ref,
                        item,
                        int(c0[gi, :, j].sum()),
                        int(rc0[:, j].sum()),
                        int(both[j]),
                        raw[j],
                        est[j],
                        b_lo[j],
                        b_hi[j],
                        p[j],
                    )
                )
        if rows:
            tab = pd.DataFrame(rows, columns=EFFECT_COLUMNS[:-1])
            tab["q_value"] = bh(tab["p_value"].to_numpy())
            effects.append(tab)
    prev = pd.DataFrame(prevalence, columns=TIME_COLUMNS)
    eff = pd.concat(effects, ignore_index=True) if effects else pd.DataFrame(columns=EFFECT_COLUMNS)
    return prev, eff


def shared_pass(compute, values: dict, bounds: dict, **kwargs) -> dict:
    """``compute`` (``group_differences`` or ``compare_over_time.time_table``) of each kind's
    values (kind -> articles x items), one call for all kinds when they can share it: the same
    articles in the same order, distinct item names and the same ``bounds``. Then one bootstrap
    pass (one weight stream, one product of every kind's columns) serves every kind, and each
    kind's rows are taken back out of the joint table(s) with their q-values recomputed per
    variable over the kind's own rows: the same numbers, bit for bit, as a call per kind
    (every statistic is per item column; the product gives each column's sums as its own
    product does). Otherwise one call per kind. Returns kind -> the result of ``compute``."""
    kinds = list(values)
    index = [values[k].index.astype(str) for k in kinds]
    names = [c for k in kinds for c in values[k].columns]
    joint = (
        len(kinds) > 1
        and all(ix.equals(index[0]) for ix in index[1:])
        and len(set(names)) == len(names)
        and len({tuple(bounds[k]) for k in kinds}) == 1
    )
    if not joint:
        return {k: compute(values[k], bounds=bounds[k], **kwargs) for k in kinds}
    log.info("%s: one bootstrap pass for %s", compute.__name__, " and ".join(kinds))
    both = pd.concat([values[k].set_axis(index[0]) for k in kinds], axis=1)
    result = compute(both, bounds=bounds[kinds[0]], **kwargs)
    tables = result if isinstance(result, tuple) else (result,)
    out = {}
    for k in kinds:
        parts = tuple(_kind_rows(tab, list(values[k].columns)) for tab in tables)
        out[k] = parts if isinstance(result, tuple) else parts[0]
    return out


def _kind_rows(tab: pd.DataFrame, items: list) -> pd.DataFrame:
    """The rows of ``tab`` whose item is one of ``items`` (in order), q-values (if any) BH per
    variable over these rows."""
    part = tab[tab["item"].isin(items)].reset_index(drop=True)
    if "q_value" in part.columns and len(part):
        q = part["q_value"].to_numpy(dtype=float, copy=True)
        var = part["variable"].to_numpy()
        for v in pd.unique(var):
            mask = var == v
            q[mask] = bh(part.loc[mask, "p_value"].to_numpy())
        part["q_value"] = q
    return part
