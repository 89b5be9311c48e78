"""Items over time by group: prevalence per group and period, and the group effect adjusted
for the periods' mix (regression on group and period dummies, Poisson bootstrap over articles)."""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pandas as pd
from scipy import stats

from newslens.compare import REST, bh, comparisons, natural_key, poisson_group_sums

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

ALL = "all"


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

    Uncertainty: Poisson bootstrap over articles (seeded), one pass per variable.
    """
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
    period_list = sorted(set(per_labels))
    items = list(values.columns)
    p_code = pd.Index(period_list).get_indexer(per_labels)
    n_p = len(period_list)
    prevalence, effects = [], []
    for var in groups.columns:
        labels = groups.loc[common, var].astype(str).reset_index(drop=True)
        cats = sorted(set(labels) - {""}, key=natural_key)
        if not cats or not len(v):
            continue
        code_of = {c: i for i, c in enumerate(cats)}
        g_code = labels.map(lambda x, m=code_of: m.get(x, -1)).to_numpy(dtype=np.int64)
        cell = np.where(g_code >= 0, g_code * n_p + p_code, -1)
        n_cells = len(cats) * n_p
        s_b, c_b = poisson_group_sums(
            v, cell, n_cells, resamples, seed=zlib.crc32(f"{seed}:time:{var}".encode())
        )
        finite = np.isfinite(v)
        filled = np.where(finite, v, 0.0)
        s0 = np.zeros((n_cells, len(items)))
        c0 = np.zeros((n_cells, len(items)))
        keep = cell >= 0
        np.add.at(s0, cell[keep], filled[keep])
        np.add.at(c0, cell[keep], finite[keep].astype(float))
        n_art = np.bincount(cell[keep], minlength=n_cells)
        sizes = pd.Series(n_art.reshape(len(cats), n_p).sum(axis=1), index=cats)
        shape = (len(cats), n_p)
        s0, c0 = s0.reshape(*shape, -1), c0.reshape(*shape, -1)
        s_b, c_b = s_b.reshape(*shape, resamples, -1), c_b.reshape(*shape, resamples, -1)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean0 = s0 / c0
            lo, hi = np.nanquantile(s_b / c_b, [alpha, 1 - alpha], axis=2)
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
            est = adjusted_difference(s0[gi], c0[gi], rs0, rc0)
            boot = adjusted_difference(s_b[gi], c_b[gi], rsb, rcb)
            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                raw = s0[gi].sum(0) / c0[gi].sum(0) - rs0.sum(0) / rc0.sum(0)
                b_lo, b_hi = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
                se = np.nanstd(boot, axis=0, ddof=1)
                p = 2 * stats.norm.sf(np.abs(est) / se)
            p = np.where((se == 0) & (est == 0), 1.0, p)
            p = np.where(np.isfinite(est), p, np.nan)
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
