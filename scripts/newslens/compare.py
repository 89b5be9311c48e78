"""Compare coverage between groups (outlets, countries, periods): keyness of terms, frame
shares, actor sentiment and topic prevalence per group, each against a reference, with effect
sizes and uncertainty.

It works on tables the pipeline wrote (unit x term counts, frame, actor and topic values).

Groups: one label per article and variable (a metadata column, or ``week``/``month``). A
comparison is a group against its reference: a named group, or ``rest`` (all others).
Siblings: ``compare_evidence`` (KWIC, examples), ``compare_actors`` (actors x frames by
group), ``compare_over_time`` (items over time, effects adjusted for time).
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from newslens.compare_bootstrap import nan_quantiles, poisson_group_sums
from newslens.compare_codes import coded_pivot, plain_values
from newslens.compare_small import (
    PRIOR_DF,
    SMALL_N,
    group_moments,
    log_ratio,
    lr_interval,
    rest_moments,
    smoothed_log_ratio,
    stats_from_moments,
    value_range,
)
from newslens.runtime import NewslensError

if TYPE_CHECKING:
    from scipy import sparse

PERIODS = ("week", "month")
REST = "rest"

KEYNESS_COLUMNS = [
    "variable",
    "group",
    "reference",
    "term",
    "count_group",
    "count_reference",
    "total_group",
    "total_reference",
    "rate_group_per_10k",
    "rate_reference_per_10k",
    "g2",
    "g2_p",
    "chi2",
    "chi2_p",
    "q_value",
    "log_ratio",
    "log_ratio_low",
    "log_ratio_high",
    "log_odds_prior",
    "log_odds_z",
    "direction",
]

SHARE_COLUMNS = [
    "variable",
    "group",
    "reference",
    "item",
    "n_group",
    "n_reference",
    "mean_group",
    "low_group",
    "high_group",
    "mean_reference",
    "difference",
    "difference_low",
    "difference_high",
    "p_value",
    "q_value",
]


# ----------------------------------------------------------------------------------------------
# Groups
# ----------------------------------------------------------------------------------------------


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """ISO week (``2024-W03``) or month (``2024-03``) of each date; ``""`` for a missing date or
    one not precise enough (a week needs a day, a month needs a month: ``2024`` has no month and
    ``2024-03`` no week, and none is invented)."""
    text = dates.astype("string").fillna("")
    if period == "week":
        day = text.where(text.str.len() == 10, "")
        when = pd.to_datetime(day, errors="coerce", format="%Y-%m-%d")
        iso = when.dt.isocalendar()
        out = iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)
    elif period == "month":
        out = text.str.slice(0, 7).where(text.str.len() >= 7, "")
    else:
        raise NewslensError(f"config key compare.by: unknown period '{period}' (use week or month)")
    return out.fillna("").astype(str)


def group_labels(documents: pd.DataFrame, by: Sequence[str], source: str = "documents.csv"):
    """One column per comparison variable with each article's group label (``""``: no group).

    ``by`` names metadata columns of ``documents`` or the periods ``week``/``month`` (read from
    the ``date`` column). A name that is neither is a NewslensError naming the config key.
    """
    out = pd.DataFrame({"doc_id": documents["doc_id"].astype(str)})
    for var in by:
        if var in PERIODS:
            if "date" not in documents.columns:
                raise NewslensError(
                    f"config key compare.by: '{var}' needs article dates, but {source} has no "
                    "date column; set corpus.columns.date (tables) or check the date lines."
                )
            out[var] = period_labels(documents["date"], var).to_numpy()
        elif var in documents.columns:
            out[var] = documents[var].fillna("").astype(str).str.strip().to_numpy()
        else:
            have = sorted(c for c in documents.columns if c not in {"doc_id", "text", "lede"})
            raise NewslensError(
                f"config key compare.by: '{var}' is not a column of {source} (columns: "
                f"{', '.join(have)}) nor week/month. Add it to corpus.metadata or remove it."
            )
    return out


def natural_key(label: str):
    """Sort key that puts outlet_2 before outlet_10."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", label)]


def comparisons(labels: pd.Series, reference: str, min_articles: int = 1):
    """The (group, reference) pairs for one variable, in sorted group order.

    ``reference`` is a group name (each other group against it) or ``rest`` (each group against
    all other articles). Groups with fewer than ``min_articles`` articles are left out.
    Returns ``[(group, reference_label, group_mask, reference_mask)]``.
    """
    labels = labels.astype(str)
    sizes = labels[labels != ""].value_counts()
    groups = sorted((g for g, n in sizes.items() if n >= min_articles), key=natural_key)
    out = []
    if reference == REST:
        for g in groups:
            mask = (labels == g).to_numpy()
            rest = ((labels != g) & (labels != "")).to_numpy()
            if rest.any():
                out.append((g, REST, mask, rest))
        return out
    if reference not in sizes.index:
        raise NewslensError(
            f"config key compare.reference: group '{reference}' does not occur (groups: "
            f"{', '.join(sorted(sizes.index)[:20])}); name one of them or use 'rest'."
        )
    ref_mask = (labels == reference).to_numpy()
    for g in groups:
        if g != reference:
            out.append((g, reference, (labels == g).to_numpy(), ref_mask))
    return out


# ----------------------------------------------------------------------------------------------
# Keyness
# ----------------------------------------------------------------------------------------------


def bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of ``p`` (NaN stays NaN)."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return q
    pv = p[ok]
    m = len(pv)
    order = np.argsort(pv)
    ranked = pv[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    q[ok] = out
    return q


def _xlogx_ratio(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(o > 0, o * np.log(o / e), 0.0)


def chi2_upper_tail(x):
    """The chi-square(1) upper tail of ``x`` (``special.chdtrc``: the same as stats.chi2.sf,
    ~100x faster; still ~1.5 us a value, the cost of keyness' p-values)."""
    from scipy import special  # here: a compare job without statistics starts without scipy

    return special.chdtrc(1, x)


def g2_chi2(a, b, c, d, chi2_p: bool = True):
    """G2 (log-likelihood) and Pearson chi-square of the 2x2 tables [[a, b], [c, d]] (rows:
    term / other terms; columns: group / reference), no continuity correction, 1 df.

    Vectorised over arrays. Returns (g2, g2_p, chi2, chi2_p); with ``chi2_p=False`` chi2_p is
    None (the caller takes ``chi2_upper_tail`` of the rows it keeps).
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    n = a + b + c + d
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    with np.errstate(divide="ignore", invalid="ignore"):
        ea, eb, ec, ed = r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n
        g2 = 2 * (
            _xlogx_ratio(a, ea) + _xlogx_ratio(b, eb) + _xlogx_ratio(c, ec) + _xlogx_ratio(d, ed)
        )
        chi2 = (a * d - b * c) ** 2 * n / (r1 * r2 * c1 * c2)
    g2 = np.maximum(np.nan_to_num(g2, nan=0.0), 0.0)
    chi2 = np.nan_to_num(chi2, nan=0.0)
    return g2, chi2_upper_tail(g2), chi2, chi2_upper_tail(chi2) if chi2_p else None


def log_odds_prior(y_i, y_j, prior, prior_scale: float | None = None):
    """Monroe, Colaresi & Quinn (2008) log-odds ratio with an informative Dirichlet prior.

    ``y_i``, ``y_j``: term counts in the group and the reference; ``prior``: the prior's term
    counts (usually the whole corpus). The prior is scaled to ``prior_scale`` pseudo-counts in
    all (default: its own total, i.e. alpha_w = corpus count). Returns (delta, z) per term::

        delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w))
                - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
        var_w   = 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
        z_w     = delta_w / sqrt(var_w)
    """
    y_i = np.asarray(y_i, dtype=float)
    y_j = np.asarray(y_j, dtype=float)
    alpha = np.asarray(prior, dtype=float)
    if prior_scale is not None and alpha.sum() > 0:
        alpha = alpha * (prior_scale / alpha.sum())
    a0 = alpha.sum()
    n_i, n_j = y_i.sum(), y_j.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - np.log(
            (y_j + alpha) / (n_j + a0 - y_j - alpha)
        )
        z = delta / np.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha))
    return delta, z


def group_term_counts(dtm: sparse.spmatrix, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of the unit x term matrix by group code (-1: no group) -> groups x terms."""
    from scipy import sparse

    codes = np.asarray(codes)
    keep = codes >= 0
    ind = sparse.csr_matrix(
        (np.ones(keep.sum(), dtype=np.float64), (codes[keep], np.flatnonzero(keep))),
        shape=(n_groups, dtm.shape[0]),
    )
    return np.asarray((ind @ dtm).todense(), dtype=np.float64)


def keyness(
    counts_group: np.ndarray,
    counts_reference: np.ndarray,
    terms: Sequence[str],
    prior: np.ndarray | None = None,
    min_count: int = 1,
    smoothing: float = 0.5,
    top_n: int | None = None,
    interval: bool = True,
) -> pd.DataFrame:
    """Keyness of every term of the group against the reference (one comparison), strongest
    G2 first; ``top_n`` keeps that many rows each way (after the BH adjustment over all).

    Terms with fewer than ``min_count`` occurrences in group and reference together are
    dropped before the BH adjustment. ``prior`` defaults to group + reference counts.
    ``interval=False``: log_ratio_low/high NaN (``keyness_table`` takes them in one call).
    """
    ci = np.asarray(counts_group, dtype=np.float64)
    cj = np.asarray(counts_reference, dtype=np.float64)
    prior = ci + cj if prior is None else np.asarray(prior, dtype=np.float64)
    ti, tj = ci.sum(), cj.sum()
    delta, z = log_odds_prior(ci, cj, prior)
    keep = (ci + cj) >= max(min_count, 1)
    ci_k, cj_k = ci[keep], cj[keep]
    # every term's G2 p-value (the BH adjustment ranks them all); the chi-square p-value of
    # the rows kept only (below): the same values, elementwise
    g2, g2_p, chi2, _ = g2_chi2(ci_k, cj_k, ti - ci_k, tj - cj_k, chi2_p=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_i = ci_k / ti * 1e4 if ti else np.zeros_like(ci_k)
        rate_j = cj_k / tj * 1e4 if tj else np.zeros_like(cj_k)
    q = bh(g2_p)
    direction = np.where(ci_k / max(ti, 1) >= cj_k / max(tj, 1), "group", "reference")
    # strongest G2 first, ties in vocabulary order; top_n per direction
    order = np.lexsort((np.arange(len(g2)), -g2))
    if top_n:
        up = order[direction[order] == "group"][:top_n]
        down = order[direction[order] == "reference"][:top_n]
        order = np.concatenate([up, down])
    # the interval of the kept rows only (a root search per term)
    a, b, ta, tb = ci_k[order], cj_k[order], max(ti, 1), max(tj, 1)
    if interval:
        lr, lo, hi = log_ratio(a, b, ta, tb, smoothing)
    else:
        lr, lo, hi = smoothed_log_ratio(a, b, ta, tb, smoothing), np.nan, np.nan
    out = pd.DataFrame(
        {
            "term": np.asarray(terms, dtype=object)[keep][order],
            "count_group": ci_k[order].astype(np.int64),
            "count_reference": cj_k[order].astype(np.int64),
            "total_group": np.int64(ti),
            "total_reference": np.int64(tj),
            "rate_group_per_10k": rate_i[order],
            "rate_reference_per_10k": rate_j[order],
            "g2": g2[order],
            "g2_p": g2_p[order],
            "chi2": chi2[order],
            "chi2_p": chi2_upper_tail(chi2[order]),
            "q_value": q[order],
            "log_ratio": lr,
            "log_ratio_low": lo,
            "log_ratio_high": hi,
            "log_odds_prior": delta[keep][order],
            "log_odds_z": z[keep][order],
            "direction": direction[order],
        }
    )
    return out


def keyness_table(
    dtm: sparse.spmatrix,
    unit_doc: np.ndarray,
    groups: pd.DataFrame,
    terms: Sequence[str],
    reference: str,
    min_count: int = 5,
    min_articles: int = 1,
    top_n: int | None = None,
) -> pd.DataFrame:
    """Keyness for every variable of ``groups`` (doc_id + one column per variable) and every
    group against its reference. ``unit_doc``: the doc_id of each matrix row.

    The prior of the log-odds is the whole corpus's term counts. ``top_n`` keeps the top terms
    each way (by G2) per comparison (None: all terms).
    """
    from scipy import sparse

    dtm = sparse.csr_matrix(dtm)  # no copy when it already is one
    prior = np.asarray(dtm.sum(axis=0, dtype=np.float64)).ravel()
    frames = []
    doc_pos = pd.Index(groups["doc_id"].astype(str))
    row_doc = doc_pos.get_indexer(pd.Index(np.asarray(unit_doc).astype(str)))
    for var in [c for c in groups.columns if c != "doc_id"]:
        labels = groups[var].astype(str)
        cats = sorted(set(labels.unique()) - {""})
        if not cats:
            continue
        code_of = {c: i for i, c in enumerate(cats)}
        doc_code = pd.Index(cats).get_indexer(labels)  # code_of[label]; -1: no group
        row_code = np.where(row_doc >= 0, doc_code[np.maximum(row_doc, 0)], -1)
        per_group = group_term_counts(dtm, row_code, len(cats))
        total = per_group.sum(axis=0)
        for g, ref, _g, _r in comparisons(labels, reference, min_articles):
            ci = per_group[code_of[g]]
            cj = total - ci if ref == REST else per_group[code_of[ref]]
            tab = keyness(ci, cj, terms, prior, min_count, top_n=top_n, interval=False)
            tab.insert(0, "reference", ref)
            tab.insert(0, "group", g)
            tab.insert(0, "variable", var)
            frames.append(tab)
    if not frames:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[KEYNESS_COLUMNS]
    # every comparison's intervals in one call (elementwise: the values of a call each)
    cols = ["count_group", "count_reference", "total_group", "total_reference"]
    lo, hi = lr_interval(*(out[c].to_numpy(dtype=np.float64) for c in cols))
    out["log_ratio_low"], out["log_ratio_high"] = lo, hi
    return out


# ----------------------------------------------------------------------------------------------
# Means per group with bootstrap intervals (frames, actor sentiment, topics)
# ----------------------------------------------------------------------------------------------


def _intervals(boot_group, boot_diff, st: dict, alpha: float, small_n: int):
    """Intervals of the group mean and of the difference: percentile bootstrap where the sides
    have ``small_n`` articles or more, else the t / edge-bound ones of ``st``."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: item never measured
        lo_g, hi_g = nan_quantiles(boot_group, [alpha, 1 - alpha], axis=0)
        lo_d, hi_d = nan_quantiles(boot_diff, [alpha, 1 - alpha], axis=0)
    small_g = st["n_group"] < small_n
    small_d = small_g | (st["n_reference"] < small_n)
    return (
        np.where(small_g, st["low_group"], lo_g),
        np.where(small_g, st["high_group"], hi_g),
        np.where(small_d, st["low"], lo_d),
        np.where(small_d, st["high"], hi_d),
    )


def group_differences(
    values: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_articles: int = 1,
    prior_df: float = PRIOR_DF,
    small_n: int = SMALL_N,
    bounds: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Mean of each item (column of ``values``, indexed by doc_id; NaN = not measured) per group
    with an interval, and the difference group - reference with its interval and a two-sided
    p-value, BH-adjusted per variable.

    p-value: Welch's t with Satterthwaite df, each side's variance moderated toward the
    variance of both sides' articles (``prior_df``), and for a side under ``small_n`` articles
    whose values all sit at an edge of the item's range the larger of that and the
    distribution-free edge bound (``compare_small``). Intervals: percentile Poisson bootstrap
    over articles (seeded, groups resampled independently) where the sides have ``small_n``
    articles or more; under that the moderated t interval joined with the edge bound (never
    zero width; it excludes 0 exactly when p < 1 - confidence). ``bounds``: the range the
    items can take (``compare_small.ITEM_RANGES``; None: inferred from the values).
    """
    alpha = (1 - confidence) / 2
    rows = []
    values = values.copy()
    values.index = values.index.astype(str)
    items = list(values.columns)
    groups = groups.set_index(groups["doc_id"].astype(str))
    common = values.index.intersection(groups.index)
    v_all = values.loc[common].to_numpy(dtype=float)
    bounds = value_range(v_all, bounds)
    for var in [c for c in groups.columns if c != "doc_id"]:
        labels = groups.loc[common, var].astype(str).reset_index(drop=True)
        pairs = comparisons(labels, reference, min_articles)
        if not pairs:
            continue
        cats = sorted(set(labels.unique()) - {""}, key=natural_key)
        code_of = {c: i for i, c in enumerate(cats)}
        codes = pd.Index(cats).get_indexer(labels).astype(np.int64)  # -1: no group
        sums, counts = poisson_group_sums(
            v_all, codes, len(cats), resamples, seed=zlib.crc32(f"{seed}:{var}".encode())
        )
        tot_s, tot_c = sums.sum(axis=0), counts.sum(axis=0)
        mom = group_moments(v_all, codes, len(cats))
        var_rows = []
        for g, ref, _gmask, _rmask in pairs:
            gi = code_of[g]
            if ref == REST:
                rs, rc = tot_s - sums[gi], tot_c - counts[gi]
            else:
                rs, rc = sums[code_of[ref]], counts[code_of[ref]]
            with np.errstate(invalid="ignore", divide="ignore"):
                bg = sums[gi] / counts[gi]
                diff = bg - rs / rc
            side_r = rest_moments(mom, gi) if ref == REST else [m[code_of[ref]] for m in mom]
            side_g = [m[gi] for m in mom]
            st = stats_from_moments(side_g, side_r, confidence, prior_df, small_n, bounds)
            mg, mr, ng, nr = (
                st["mean_group"],
                st["mean_reference"],
                st["n_group"],
                st["n_reference"],
            )
            lo_g, hi_g, lo_d, hi_d = _intervals(bg, diff, st, alpha, small_n)
            p = np.where((ng > 0) & (nr > 0) & np.isfinite(mg - mr), st["p"], np.nan)
            for j, item in enumerate(items):
                var_rows.append(
                    {
                        "variable": var,
                        "group": g,
                        "reference": ref,
                        "item": item,
                        "n_group": int(ng[j]),
                        "n_reference": int(nr[j]),
                        "mean_group": mg[j],
                        "low_group": lo_g[j],
                        "high_group": hi_g[j],
                        "mean_reference": mr[j],
                        "difference": mg[j] - mr[j],
                        "difference_low": lo_d[j],
                        "difference_high": hi_d[j],
                        "p_value": p[j],
                    }
                )
        tab = pd.DataFrame(var_rows)
        tab["q_value"] = bh(tab["p_value"].to_numpy())
        rows.append(tab)
    if not rows:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    return pd.concat(rows, ignore_index=True)[SHARE_COLUMNS]


# ----------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------


def read_documents(path, by: Sequence[str]) -> pd.DataFrame:
    """The doc_id, date and ``by`` columns of documents.csv (those it has), as strings: one read
    for the groups and the periods."""
    wanted = {"doc_id", "date", *by}
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c in wanted)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}; delete it and rerun snakemake") from err


def read_groups(path, by: Sequence[str], docs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Group labels of every article from documents.csv (doc_id + one column per variable);
    ``docs``: its columns already read (``read_documents``)."""
    docs = read_documents(path, by) if docs is None else docs
    return group_labels(docs, by, source=str(path))


def frame_shares(frames_documents: pd.DataFrame) -> pd.DataFrame:
    """Per-article frame shares (doc_id index, one column per frame) from frames_documents.csv;
    the residual ``share_none`` is left out."""
    cols = [c for c in frames_documents.columns if c.startswith("share_") and c != "share_none"]
    out = frames_documents.set_index(frames_documents["doc_id"].astype(str))[cols]
    out.columns = [c.removeprefix("share_") for c in cols]
    return out.astype(float)


def actor_article_sentiment(actor_sentences: pd.DataFrame) -> pd.DataFrame:
    """Mean sentiment (VADER compound) of the sentences that mention each actor, per article:
    doc_id index x actor columns, NaN where the article does not mention the actor."""
    if actor_sentences.empty:
        return pd.DataFrame(index=pd.Index([], name="doc_id"))
    coded = coded_pivot(actor_sentences)
    if coded is not None:
        return coded
    tab = actor_sentences.assign(
        doc_id=actor_sentences["doc_id"].astype(str), actor=plain_values(actor_sentences["actor"])
    )
    out = tab.pivot_table(index="doc_id", columns="actor", values="compound", aggfunc="mean")
    out.columns = [str(c) for c in out.columns]
    return out


def topic_shares(topic_articles: pd.DataFrame) -> pd.DataFrame:
    """Per-article topic shares (doc_id index, one column per topic) from topic_articles.csv."""
    cols = [c for c in topic_articles.columns if c.startswith("topic_")]
    return topic_articles.set_index(topic_articles["doc_id"].astype(str))[cols].astype(float)


def read_item_values(kind: str, path) -> pd.DataFrame:
    """Per-article values of one kind (doc_id index x items): ``frames`` (frame shares from
    frames_documents.csv), ``actors`` (mean sentiment toward each actor from the per-sentence
    actor table: a Parquet file or a directory of parts) or ``topics`` (topic_articles.csv)."""
    from newslens.runtime import read_parquet

    try:
        if kind == "actors":
            return actor_article_sentiment(
                read_parquet(path, columns=["doc_id", "actor", "compound"])
            )
        tab = pd.read_csv(path, dtype={"doc_id": str}, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}; delete it and rerun snakemake") from err
    return frame_shares(tab) if kind == "frames" else topic_shares(tab)


def read_periods(path, period: str, docs: pd.DataFrame | None = None) -> pd.Series:
    """The ``week`` or ``month`` of every article (doc_id index; "" without a date);
    ``docs``: the columns of documents.csv already read (``read_documents``)."""
    docs = read_documents(path, []) if docs is None else docs
    if "date" not in docs.columns:
        raise NewslensError(
            f"config key compare.time.period: over time needs article dates, but {path} has no "
            "date column; set corpus.columns.date (tables) or check the date lines."
        )
    return pd.Series(
        period_labels(docs["date"], period).to_numpy(), index=docs["doc_id"].astype(str)
    )


def label_topics(shares: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Rename topic_<k> columns to "<k>: <label>" from topic_summary.csv (topic, label)."""
    names = {
        f"topic_{t}": f"{t}: {lab}"
        for t, lab in zip(summary["topic"], summary["label"], strict=True)
    }
    return shares.rename(columns=names)
