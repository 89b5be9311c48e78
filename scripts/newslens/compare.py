"""Compare coverage between groups (outlets, countries, periods): keyness of terms, frame
shares, actor sentiment and topic prevalence per group, each against a reference, with effect
sizes and uncertainty.

Everything here works on tables the pipeline already wrote (the unit x term count matrix,
per-article frame shares, per-article actor sentiment, topic shares); no text is re-read.

Groups: each article gets one group label per comparison variable (a metadata column, or the
period ``week``/``month`` of its date). A comparison is a group against its reference: a named
group, or ``rest`` (all other articles).
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse, special, stats

from newslens.runtime import NewslensError

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


def g2_chi2(a, b, c, d):
    """G2 (log-likelihood) and Pearson chi-square of the 2x2 tables [[a, b], [c, d]] (rows:
    term / other terms; columns: group / reference), no continuity correction, 1 df.

    Vectorised over arrays. Returns (g2, g2_p, chi2, chi2_p).
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
    # chi-square(1) upper tail; special.chdtrc is the same as stats.chi2.sf, ~100x faster
    return g2, special.chdtrc(1, g2), chi2, special.chdtrc(1, chi2)


def log_ratio(a, b, total_a, total_b, smoothing: float = 0.5, z: float = 1.959964):
    """Binary log ratio (Hardie 2014) of the term's relative frequency in group vs reference,
    with ``smoothing`` added to both counts, and its Wald interval (log2 scale).

    Returns (log_ratio, low, high)."""
    a = np.asarray(a, dtype=float) + smoothing
    b = np.asarray(b, dtype=float) + smoothing
    lr = np.log2((a / total_a) / (b / total_b))
    se = np.sqrt(1 / a + 1 / b) / np.log(2)
    return lr, lr - z * se, lr + z * se


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
) -> pd.DataFrame:
    """Keyness of every term of the group against the reference (one comparison), strongest
    G2 first; ``top_n`` keeps that many rows each way (after the BH adjustment over all).

    Terms with fewer than ``min_count`` occurrences in group and reference together are
    dropped before the BH adjustment. ``prior`` defaults to group + reference counts.
    """
    ci = np.asarray(counts_group, dtype=np.float64)
    cj = np.asarray(counts_reference, dtype=np.float64)
    prior = ci + cj if prior is None else np.asarray(prior, dtype=np.float64)
    ti, tj = ci.sum(), cj.sum()
    delta, z = log_odds_prior(ci, cj, prior)
    keep = (ci + cj) >= max(min_count, 1)
    ci_k, cj_k = ci[keep], cj[keep]
    g2, g2_p, chi2, chi2_p = g2_chi2(ci_k, cj_k, ti - ci_k, tj - cj_k)
    lr, lo, hi = log_ratio(ci_k, cj_k, max(ti, 1), max(tj, 1), smoothing)
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
            "chi2_p": chi2_p[order],
            "q_value": q[order],
            "log_ratio": lr[order],
            "log_ratio_low": lo[order],
            "log_ratio_high": hi[order],
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
    dtm = sparse.csr_matrix(dtm)  # no copy when it already is one
    prior = np.asarray(dtm.sum(axis=0, dtype=np.float64)).ravel()
    frames = []
    doc_pos = pd.Index(groups["doc_id"].astype(str))
    row_doc = doc_pos.get_indexer(pd.Index(np.asarray(unit_doc).astype(str)))
    for var in [c for c in groups.columns if c != "doc_id"]:
        labels = groups[var].astype(str)
        cats = sorted(set(labels) - {""})
        if not cats:
            continue
        code_of = {c: i for i, c in enumerate(cats)}
        doc_code = labels.map(lambda v, m=code_of: m.get(v, -1)).to_numpy()
        row_code = np.where(row_doc >= 0, doc_code[np.maximum(row_doc, 0)], -1)
        per_group = group_term_counts(dtm, row_code, len(cats))
        total = per_group.sum(axis=0)
        for g, ref, _g, _r in comparisons(labels, reference, min_articles):
            ci = per_group[code_of[g]]
            cj = total - ci if ref == REST else per_group[code_of[ref]]
            tab = keyness(ci, cj, terms, prior=prior, min_count=min_count, top_n=top_n)
            tab.insert(0, "reference", ref)
            tab.insert(0, "group", g)
            tab.insert(0, "variable", var)
            frames.append(tab)
    if not frames:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    return pd.concat(frames, ignore_index=True)[KEYNESS_COLUMNS]


# ----------------------------------------------------------------------------------------------
# Means per group with bootstrap intervals (frames, actor sentiment, topics)
# ----------------------------------------------------------------------------------------------


def _nanmean(values: np.ndarray) -> np.ndarray:
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(finite, values, 0).sum(axis=0) / finite.sum(axis=0)


def poisson_group_sums(
    values: np.ndarray, codes: np.ndarray, n_groups: int, resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson bootstrap (each article weighted by an independent Poisson(1) count in every
    resample; Hanley & MacGibbon 2006) of the per-group sums of ``values`` (articles x items,
    NaN = not measured) and of the number of measured cells.

    One pass over the articles serves every group and every comparison, and groups are
    resampled independently of each other. Returns (sums, counts), each groups x resamples x
    items. Deterministic for a seed and an article order.
    """
    n, k = values.shape
    sums = np.zeros((n_groups, resamples, k))
    counts = np.zeros((n_groups, resamples, k))
    finite = np.isfinite(values)
    filled = np.where(finite, values, 0.0)
    present = finite.astype(np.float64)
    order = np.argsort(codes, kind="stable")
    rng = np.random.default_rng(seed)
    chunk = max(1, int(4e6 // max(resamples, 1)))  # weight block: resamples x chunk <= 4M
    sorted_codes = codes[order]
    for start in range(0, n, chunk):
        rows = order[start : start + chunk]
        cod = sorted_codes[start : start + chunk]
        w = rng.poisson(1.0, size=(resamples, len(rows))).astype(np.float64)
        bounds = np.flatnonzero(np.diff(cod)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(rows)], strict=True):
            g = cod[lo]
            if g < 0:
                continue
            sums[g] += w[:, lo:hi] @ filled[rows[lo:hi]]
            counts[g] += w[:, lo:hi] @ present[rows[lo:hi]]
    return sums, counts


def group_differences(
    values: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_articles: int = 1,
) -> pd.DataFrame:
    """Mean of each item (column of ``values``, indexed by doc_id; NaN = not measured) per group
    with a percentile bootstrap interval over articles, and the difference group - reference
    with its interval and a two-sided p-value, BH-adjusted per variable.

    Uncertainty: Poisson bootstrap over articles (seeded), groups resampled independently.
    p-value: from z = difference / bootstrap standard error of the difference (continuous, so
    that BH over many items is not limited by 1 / resamples).
    """
    alpha = (1 - confidence) / 2
    rows = []
    values = values.copy()
    values.index = values.index.astype(str)
    items = list(values.columns)
    groups = groups.set_index(groups["doc_id"].astype(str))
    common = values.index.intersection(groups.index)
    v_all = values.loc[common].to_numpy(dtype=float)
    for var in [c for c in groups.columns if c != "doc_id"]:
        labels = groups.loc[common, var].astype(str).reset_index(drop=True)
        pairs = comparisons(labels, reference, min_articles)
        if not pairs:
            continue
        cats = sorted(set(labels) - {""}, key=natural_key)
        code_of = {c: i for i, c in enumerate(cats)}
        codes = labels.map(lambda v, m=code_of: m.get(v, -1)).to_numpy(dtype=np.int64)
        sums, counts = poisson_group_sums(
            v_all, codes, len(cats), resamples, seed=zlib.crc32(f"{seed}:{var}".encode())
        )
        tot_s, tot_c = sums.sum(axis=0), counts.sum(axis=0)
        var_rows = []
        for g, ref, gmask, rmask in pairs:
            vg, vr = v_all[gmask], v_all[rmask]
            gi = code_of[g]
            if ref == REST:
                rs, rc = tot_s - sums[gi], tot_c - counts[gi]
            else:
                rs, rc = sums[code_of[ref]], counts[code_of[ref]]
            with np.errstate(invalid="ignore", divide="ignore"):
                bg = sums[gi] / counts[gi]
                diff = bg - rs / rc
            mg, mr = _nanmean(vg), _nanmean(vr)
            ng = np.isfinite(vg).sum(axis=0)
            nr = np.isfinite(vr).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: item never measured
                lo_g, hi_g = np.nanquantile(bg, [alpha, 1 - alpha], axis=0)
                lo_d, hi_d = np.nanquantile(diff, [alpha, 1 - alpha], axis=0)
                se = np.nanstd(diff, axis=0, ddof=1)
                p = 2 * stats.norm.sf(np.abs(mg - mr) / se)
            p = np.where((se == 0) & (mg == mr), 1.0, p)
            p = np.where((ng > 0) & (nr > 0) & np.isfinite(mg - mr), p, np.nan)
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


def read_groups(path, by: Sequence[str]) -> pd.DataFrame:
    """Group labels of every article from documents.csv (doc_id + one column per variable)."""
    wanted = {"doc_id", "date", *by}
    try:
        docs = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c in wanted)
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}; delete it and rerun snakemake") from err
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
    tab = actor_sentences.assign(doc_id=actor_sentences["doc_id"].astype(str))
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


def read_periods(path, period: str) -> pd.Series:
    """The ``week`` or ``month`` of every article (doc_id index; "" without a date)."""
    try:
        docs = pd.read_csv(
            path, dtype=str, keep_default_na=False, usecols=lambda c: c in {"doc_id", "date"}
        )
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}; delete it and rerun snakemake") from err
    if "date" not in docs.columns:
        raise NewslensError(
            f"config key compare.time.period: over time needs article dates, but {path} has no "
            "date column; set corpus.columns.date (tables) or check the date lines."
        )
    return pd.Series(
        period_labels(docs["date"], period).to_numpy(), index=docs["doc_id"].astype(str)
    )


# ----------------------------------------------------------------------------------------------
# Evidence: keyword in context
# ----------------------------------------------------------------------------------------------

KWIC_COLUMNS = [
    "variable",
    "group",
    "reference",
    "source",
    "term",
    "doc_id",
    "sent_id",
    "left",
    "keyword",
    "right",
]


def kwic_targets(keyness: pd.DataFrame, terms: Sequence[str], top: int) -> pd.DataFrame:
    """What to show in context: every configured term for every group (source ``config``) and
    each comparison's ``top`` terms over-used by the group, by G2 (source ``keyness``)."""
    rows = []
    if top and not keyness.empty:
        over = keyness[keyness["direction"] == "group"].sort_values(
            ["g2", "term"], ascending=[False, True], kind="stable"
        )
        best = over.groupby(["variable", "group", "reference"], sort=False).head(top)
        rows.append(best[["variable", "group", "reference", "term"]].assign(source="keyness"))
    if terms:
        rows.append(pd.DataFrame({"term": [str(t).lower() for t in terms], "source": "config"}))
    if not rows:
        return pd.DataFrame(columns=["variable", "group", "reference", "term", "source"])
    out = pd.concat(rows, ignore_index=True)
    return out.reindex(columns=["variable", "group", "reference", "term", "source"])


KWIC_HIT_COLUMNS = ["term", "doc_id", "sent_id", "left", "keyword", "right"]


def kwic_positions(tokens: pd.DataFrame, wanted: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``tokens`` whose normalised ``term`` or lower-cased form is in ``wanted``, in
    reading order, and the wanted form each matched (the term first, else the lower form)."""
    if tokens.empty or not wanted:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    wanted = {str(w) for w in wanted}
    hit_term = tokens["term"].isin(wanted).to_numpy()  # hash look-ups, not sorted string arrays
    hit_lower = tokens["lower"].isin(wanted).to_numpy() & ~hit_term
    hits = np.flatnonzero(hit_term | hit_lower)
    term = tokens["term"].to_numpy()[hits].astype(str)
    lower = tokens["lower"].to_numpy()[hits].astype(str)
    return hits, np.where(hit_term[hits], term, lower).astype(object)


def kwic_context(tokens: pd.DataFrame, rows: np.ndarray, window: int) -> list[tuple[str, str, str]]:
    """(left, keyword, right) of each token row in ``rows``: ``window`` tokens each side,
    within the article (``tokens`` holds whole articles in reading order)."""
    doc = tokens["doc_id"].astype(str).to_numpy()
    words = tokens["token"].astype(str).to_numpy()
    out = []
    for i in rows:
        lo, hi = max(0, i - window), min(len(words), i + window + 1)
        left = [w for j, w in zip(range(lo, i), words[lo:i], strict=True) if doc[j] == doc[i]]
        right = [
            w for j, w in zip(range(i + 1, hi), words[i + 1 : hi], strict=True) if doc[j] == doc[i]
        ]
        out.append((" ".join(left), words[i], " ".join(right)))
    return out


def kwic(tokens: pd.DataFrame, wanted: set[str], window: int, context: bool = True) -> pd.DataFrame:
    """Keyword-in-context lines of one or more whole articles' tokens (in reading order) for
    every token whose normalised ``term`` or lower-cased form is in ``wanted``: ``window``
    tokens left and right, within the article. ``context=False`` leaves left/keyword/right
    empty and adds ``row`` (the token's row in ``tokens``), so that contexts can be built
    later for a sample of the hits only (``kwic_context``)."""
    rows, names = kwic_positions(tokens, wanted)
    if not len(rows):
        return pd.DataFrame(columns=KWIC_HIT_COLUMNS)
    out = pd.DataFrame(
        {
            "term": names,
            "doc_id": tokens["doc_id"].to_numpy()[rows].astype(str).astype(object),
            "sent_id": tokens["sent_id"].to_numpy()[rows].astype(np.int64),
        }
    )
    if context:
        lines = kwic_context(tokens, rows, window)
        out["left"] = [a for a, _k, _b in lines]
        out["keyword"] = [k for _a, k, _b in lines]
        out["right"] = [b for _a, _k, b in lines]
    else:
        out["left"] = out["keyword"] = out["right"] = ""
        out["row"] = rows
    return out


def kwic_table(
    hits: pd.DataFrame,
    targets: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    max_rows: int,
    seed: int,
    min_articles: int = 1,
) -> pd.DataFrame:
    """Assign context lines to the comparisons they document: keyness terms to their own
    comparison, configured terms to every comparison; lines from the group's articles; at most
    ``max_rows`` per comparison and term (a seeded sample, in reading order)."""
    if hits.empty or targets.empty:
        return pd.DataFrame(columns=KWIC_COLUMNS)
    hits = hits.assign(doc_id=hits["doc_id"].astype(str))
    labels = groups.set_index(groups["doc_id"].astype(str))
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        for g, ref, _gm, _rm in comparisons(
            labels[var].reset_index(drop=True), reference, min_articles
        ):
            mine = targets[
                (targets["source"] == "config")
                | (
                    (targets["variable"] == var)
                    & (targets["group"] == g)
                    & (targets["reference"] == ref)
                )
            ]
            in_group = labels.index[labels[var] == g]
            sub = hits[hits["doc_id"].isin(in_group)]
            for (term, source), _ in mine.groupby(["term", "source"], sort=True):
                lines = sub[sub["term"] == term]
                if len(lines) > max_rows:
                    lines = lines.sample(max_rows, random_state=seed).sort_index()
                if len(lines):
                    parts.append(lines.assign(variable=var, group=g, reference=ref, source=source))
    extra = [c for c in ("batch", "row") if c in hits.columns]  # where to build the context
    if not parts:
        return pd.DataFrame(columns=KWIC_COLUMNS + extra)
    return pd.concat(parts, ignore_index=True)[KWIC_COLUMNS + extra]


def label_topics(shares: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Rename topic_<k> columns to "<k>: <label>" from topic_summary.csv (topic, label)."""
    names = {
        f"topic_{t}": f"{t}: {lab}"
        for t, lab in zip(summary["topic"], summary["label"], strict=True)
    }
    return shares.rename(columns=names)


EXAMPLE_COLUMNS = ["variable", "group", "frame", "doc_id", "sent_id", "text"]


def frame_examples(
    sentences: pd.DataFrame, groups: pd.DataFrame, n: int, seed: int, none: str = "none"
) -> pd.DataFrame:
    """A seeded sample of up to ``n`` sentences per variable x group x frame, from the
    per-sentence frame table (doc_id, sent_id, primary_frame); sentences whose primary frame is
    ``none`` or empty are left out. Text is joined later."""
    frames = sentences[["doc_id", "sent_id", "primary_frame"]].copy()
    frames["doc_id"] = frames["doc_id"].astype(str)
    frames = frames[~frames["primary_frame"].astype(str).isin(["", none, "nan"])]
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        lab = dict(zip(groups["doc_id"].astype(str), groups[var].astype(str), strict=True))
        tab = frames.assign(group=frames["doc_id"].map(lab).fillna(""))
        tab = tab[tab["group"] != ""]
        for (g, f), cell in tab.groupby(["group", "primary_frame"], sort=True):
            pick = cell if len(cell) <= n else cell.sample(n, random_state=seed)
            parts.append(
                pick.sort_values(["doc_id", "sent_id"]).assign(variable=var, frame=f, group=g)
            )
    if not parts:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["text"] = ""
    return out[EXAMPLE_COLUMNS]


# ----------------------------------------------------------------------------------------------
# Actors x frames by group
# ----------------------------------------------------------------------------------------------

ACTOR_FRAME_COLUMNS = [
    "variable",
    "group",
    "reference",
    "actor",
    "frame",
    "n_group",
    "n_reference",
    "sentences_group",
    "sentences_reference",
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


def top_actors(actor_sentences: pd.DataFrame, max_actors: int | None) -> list[str]:
    """The ``max_actors`` actors named in the most articles (ties by name); None: all."""
    if actor_sentences.empty:
        return []
    per = actor_sentences.groupby("actor")["doc_id"].nunique()
    order = sorted(per.index.astype(str), key=lambda a: (-int(per[a]), a))
    return order if max_actors is None else order[:max_actors]


def actor_sentence_frames(
    actor_sentences: pd.DataFrame, frame_sentences: pd.DataFrame, actors: Sequence[str]
) -> pd.DataFrame:
    """One row per (doc_id, sent_id, actor) of the listed actors with the sentence's frame
    shares (one column per frame, ``share_none`` left out) and its primary frame.

    Sentences of the actor table without a row in the frame table (there should be none) are
    dropped; the caller logs how many."""
    share_cols = [
        c for c in frame_sentences.columns if c.startswith("share_") and c != "share_none"
    ]
    left = actor_sentences.loc[
        actor_sentences["actor"].astype(str).isin(list(actors)), ["doc_id", "sent_id", "actor"]
    ].assign(
        doc_id=lambda t: t["doc_id"].astype(str),
        actor=lambda t: t["actor"].astype(str),
        sent_id=lambda t: t["sent_id"].astype(np.int64),
    )
    right = frame_sentences[["doc_id", "sent_id", "primary_frame", *share_cols]].assign(
        doc_id=lambda t: t["doc_id"].astype(str), sent_id=lambda t: t["sent_id"].astype(np.int64)
    )
    out = left.merge(right, on=["doc_id", "sent_id"], how="inner", validate="many_to_one")
    out = out.rename(columns={c: c.removeprefix("share_") for c in share_cols})
    return out.drop_duplicates(["doc_id", "sent_id", "actor"]).reset_index(drop=True)


def actor_frame_article_shares(joined: pd.DataFrame, frames: Sequence[str]):
    """Per article and actor, the mean share of each frame over the article's sentences that
    name the actor. Returns (values, sentences): ``values`` has a doc_id index and (actor,
    frame) columns, NaN where the article does not name the actor; ``sentences`` has the
    number of such sentences per article (doc_id index, actor columns, 0 = not named)."""
    frames = list(frames)
    if joined.empty:
        empty = pd.DataFrame(index=pd.Index([], name="doc_id"))
        return empty, empty
    means = joined.groupby(["doc_id", "actor"], sort=True)[frames].mean()
    values = means.unstack("actor")  # columns (frame, actor)
    values = values.swaplevel(0, 1, axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    actors = sorted(joined["actor"].unique())
    values = values.reindex(columns=pd.MultiIndex.from_product([actors, frames]))
    sentences = joined.groupby(["doc_id", "actor"], sort=True).size().unstack("actor", fill_value=0)
    return values, sentences.reindex(columns=actors, fill_value=0)


def actor_frame_differences(
    values: pd.DataFrame,
    sentences: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_articles: int = 1,
) -> pd.DataFrame:
    """Actor x frame by group: for each actor, the mean (over the articles that name it) share
    of each frame in the sentences naming the actor, per group, with bootstrap intervals over
    articles, the difference to the reference with interval and BH q (over every actor, frame
    and comparison of a variable), and the articles (``n_*``) and sentences (``sentences_*``)
    behind each number."""
    if values.empty:
        return pd.DataFrame(columns=ACTOR_FRAME_COLUMNS)
    flat = values.copy()
    keys = list(flat.columns)
    flat.columns = [f"{i}" for i in range(len(keys))]
    tab = group_differences(flat, groups, reference, resamples, confidence, seed, min_articles)
    if tab.empty:
        return pd.DataFrame(columns=ACTOR_FRAME_COLUMNS)
    pos = tab["item"].astype(int).to_numpy()
    tab["actor"] = [keys[i][0] for i in pos]
    tab["frame"] = [keys[i][1] for i in pos]
    # sentence counts per variable x group x actor, and over the whole variable (for `rest`)
    sent = sentences.copy()
    sent.index = sent.index.astype(str)
    lab = groups.set_index(groups["doc_id"].astype(str))
    counts = {}
    for var in [c for c in groups.columns if c != "doc_id"]:
        g = lab[var].reindex(sent.index).fillna("").astype(str)
        per = sent.groupby(g.to_numpy()).sum()
        per = per.drop(index="", errors="ignore")
        counts[var] = (per, per.sum(axis=0))
    sg, sr = [], []
    for var, g, ref, actor in tab[["variable", "group", "reference", "actor"]].itertuples(
        index=False
    ):
        per, total = counts[var]
        own = int(per.at[g, actor]) if g in per.index else 0
        sg.append(own)
        if ref == REST:
            sr.append(int(total[actor]) - own)
        else:
            sr.append(int(per.at[ref, actor]) if ref in per.index else 0)
    tab["sentences_group"] = sg
    tab["sentences_reference"] = sr
    return tab[ACTOR_FRAME_COLUMNS]


ACTOR_EXAMPLE_COLUMNS = [
    "variable",
    "group",
    "actor",
    "doc_id",
    "sent_id",
    "compound",
    "primary_frame",
    "text",
]


def actor_examples(
    actor_sentences: pd.DataFrame,
    groups: pd.DataFrame,
    n: int,
    seed: int,
    primary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A seeded sample of up to ``n`` sentences naming each actor per variable x group (from
    the per-sentence actor table: doc_id, sent_id, actor, compound), in article order, with the
    sentence's sentiment and (from ``primary``: doc_id, sent_id, primary_frame) primary frame.
    The sample does not depend on the row order of the input. Text is joined later."""
    if actor_sentences.empty or n <= 0:
        return pd.DataFrame(columns=ACTOR_EXAMPLE_COLUMNS)
    rows = actor_sentences[["doc_id", "sent_id", "actor", "compound"]].assign(
        doc_id=lambda t: t["doc_id"].astype(str),
        sent_id=lambda t: t["sent_id"].astype(np.int64),
        actor=lambda t: t["actor"].astype(str),
    )
    rows = rows.sort_values(["actor", "doc_id", "sent_id"], kind="stable").drop_duplicates(
        ["doc_id", "sent_id", "actor"]
    )
    if primary is not None and len(primary):
        prim = primary[["doc_id", "sent_id", "primary_frame"]].assign(
            doc_id=lambda t: t["doc_id"].astype(str),
            sent_id=lambda t: t["sent_id"].astype(np.int64),
        )
        rows = rows.merge(prim.drop_duplicates(["doc_id", "sent_id"]), how="left")
    else:
        rows["primary_frame"] = ""
    rows["primary_frame"] = rows["primary_frame"].fillna("").astype(str)
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        lab = dict(zip(groups["doc_id"].astype(str), groups[var].astype(str), strict=True))
        tab = rows.assign(group=rows["doc_id"].map(lab).fillna(""))
        tab = tab[tab["group"] != ""]
        for (g, _actor), cell in tab.groupby(["group", "actor"], sort=True):
            pick = cell if len(cell) <= n else cell.sample(n, random_state=seed)
            parts.append(pick.sort_values(["doc_id", "sent_id"]).assign(variable=var, group=g))
    if not parts:
        return pd.DataFrame(columns=ACTOR_EXAMPLE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["text"] = ""
    return out[ACTOR_EXAMPLE_COLUMNS]


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
