"""Topic modelling, the K grid: which K can be fitted, the reference and subsample fits, the
per-fit and per-K tables and the documented rules that choose K."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from newslens.runtime import NewslensError
from newslens.topics_measures import (
    agreement,
    dominant_topic,
    npmi_coherence,
    reference_stability,
    term_order,
    top_terms,
    topic_diversity,
)
from newslens.topics_models import fit_model


def usable_ks(
    ks: Sequence[int], n_units: int, n_terms: int, subsample: float, min_units_per_topic: int = 2
) -> tuple[list[int], list[str]]:
    """The K values that can be fitted, and a note for each one that cannot.

    A fit sees ``subsample`` of the ``n_units`` units with terms (all of them when 1); K must
    leave at least ``min_units_per_topic`` of those units per topic, be below the number of
    units with terms and at most the vocabulary size. If no K of the list fits, the largest
    possible K (when at least 2) is used instead, with a note. Returns ([], notes) when not
    even K=2 can be fitted.
    """
    sub = int(math.floor(subsample * n_units)) if subsample < 1 else n_units
    limit = min(n_units - 1, sub // max(min_units_per_topic, 1), n_terms)
    why = (
        f"{n_units} units with terms ({sub} per fit, at least {min_units_per_topic} per topic) "
        f"and {n_terms} vocabulary terms"
    )
    keep, notes = [], []
    for k in ks:
        if k <= limit:
            keep.append(int(k))
        else:
            notes.append(f"K={k} skipped: {why} allow K <= {max(limit, 0)}")
    if not keep and limit >= 2:
        keep = [limit]
        notes.append(f"K capped at {limit}: {why}")
    return keep, notes


@dataclass
class Fit:
    model: str
    k: int
    seed: int
    top: np.ndarray
    coherence: np.ndarray
    diversity: float
    seconds: float
    top_coherence: np.ndarray | None = field(default=None, repr=False)
    stage: str = "subsample"
    n_units: int = 0
    dominant: np.ndarray | None = field(default=None, repr=False)
    cpu_seconds: float = 0.0  # CPU time of the fit's process (all its threads)


def subsample_rows(n: int, frac: float, seed: int) -> np.ndarray:
    """A sorted random subset of ``frac`` of ``n`` row indices (all rows when frac >= 1)."""
    if frac >= 1.0:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    size = max(1, int(math.floor(frac * n)))
    return np.sort(rng.choice(n, size=size, replace=False))


def fit_one(
    model: str,
    x: sparse.csr_matrix,
    binary: sparse.csr_matrix | None,
    k: int,
    seed: int,
    frac: float,
    coherence_n: int,
    diversity_n: int,
    stability_n: int,
    threads: int | None = None,
    subsample_init: str | None = None,
    **kw,
) -> Fit:
    """One grid cell: fit on a seeded subsample of the rows of ``x`` (``frac`` >= 1: all rows,
    the *reference* fit of its K, which also keeps each row's dominant topic) and measure it.

    With ``binary`` None the coherence is left for the caller (``add_coherence``), so that a
    worker process need not receive the whole corpus matrix. ``threads`` caps the BLAS/OpenMP
    threads of the fit (1 in a worker process of a parallel grid); ``subsample_init`` is the
    NMF start of a subsample fit (see ``fit_grid``)."""
    from threadpoolctl import threadpool_limits

    rows = subsample_rows(x.shape[0], frac, seed)
    reference = frac >= 1.0
    t0, cpu0 = time.perf_counter(), time.process_time()
    if not reference and subsample_init and subsample_init != "nndsvda" and model.startswith("nmf"):
        kw = {**kw, "init": subsample_init}
    with threadpool_limits(limits=threads):
        est, h, w = fit_model(model, x[rows], k, seed, return_w=True, **kw)
    secs, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    order = term_order(h)  # one sort for the three rankings
    top_c = top_terms(h, coherence_n, order)
    fit = Fit(
        model,
        k,
        seed,
        top_terms(h, stability_n, order),
        np.full(k, np.nan),
        topic_diversity(h, diversity_n, order),
        secs,
        top_c,
        stage="reference" if reference else "subsample",
        n_units=len(rows),
        dominant=dominant_topic(w).astype(np.int32) if reference else None,
        cpu_seconds=cpu,
    )
    return fit if binary is None else add_coherence(fit, binary)


def add_coherence(fit: Fit, binary: sparse.csr_matrix) -> Fit:
    """Fill in a fit's per-topic NPMI coherence on the units in ``binary``."""
    fit.coherence = npmi_coherence(binary, fit.top_coherence)
    return fit


def grid_jobs(ks: Sequence[int], seeds: Sequence[int], frac: float) -> list[tuple[int, int, float]]:
    """The fits of the stability analysis: per K a reference fit on all grid units (seed
    ``seeds[0]``, share 1.0) and one fit per seed on a ``frac`` subsample (tau = number of
    seeds). Largest K first, so that the longest fits start first in a parallel pool."""
    jobs = []
    for k in sorted(ks, reverse=True):
        if frac < 1.0 and len(seeds) > 1:
            jobs.append((k, int(seeds[0]), 1.0))
        jobs += [(k, int(s), frac) for s in seeds]
    return jobs


def fit_grid(
    model: str,
    x: sparse.csr_matrix,
    ks: Sequence[int],
    seeds: Sequence[int],
    frac: float,
    top_n: tuple[int, int, int],
    n_jobs: int = 1,
    subsample_init: str | None = "random",
    **kw,
) -> list[Fit]:
    """Every fit of ``grid_jobs`` on the model input ``x`` (coherence left to the caller),
    in ``n_jobs`` processes with one BLAS thread each (or in this process with ``n_jobs``
    threads). Returned in (K, stage, seed) order whatever the order of completion.

    NMF reference fits start from NNDSVDa (deterministic); subsample fits from
    ``subsample_init`` ("random": seeded random factors, as Greene et al.'s reference
    implementation; None: NNDSVDa), so that a K whose topics are an artefact of the starting
    point shows up as unstable."""
    jobs = grid_jobs(ks, seeds, frac)
    if n_jobs > 1 and len(jobs) > 1:
        from joblib import Parallel, delayed

        fits = Parallel(n_jobs=n_jobs, backend="loky")(
            delayed(fit_one)(
                model, x, None, k, s, f, *top_n, threads=1, subsample_init=subsample_init, **kw
            )
            for k, s, f in jobs
        )
    else:
        fits = [
            fit_one(
                model, x, None, k, s, f, *top_n, threads=n_jobs, subsample_init=subsample_init, **kw
            )
            for k, s, f in jobs
        ]
    return sorted(fits, key=lambda f: (f.k, f.stage != "reference", f.seed))


GRID_COLUMNS = ["model", "K", "seed", "stage", "n_units", "coherence", "diversity", "stability"]


def grid_table(fits: Sequence[Fit]) -> pd.DataFrame:
    """One row per fit of the grid: model, K, seed, stage (reference | subsample), n_units,
    coherence (mean NPMI), diversity, stability.

    A subsample fit's stability is its agreement with the reference fit of its K (Greene et
    al. 2014); the reference row carries the mean over its K's subsample fits. Without a
    reference fit for a K, each fit gets its mean agreement with the other fits of that K
    (NaN for a lone fit)."""
    rows = []
    for k in sorted({f.k for f in fits}):
        group = [f for f in fits if f.k == k]
        refs = [f for f in group if f.stage == "reference"]
        subs = [f for f in group if f.stage != "reference"]
        if refs:
            agree = reference_stability(refs[0].top, [f.top for f in subs])
            stab = {id(f): a for f, a in zip(subs, agree, strict=True)}
            stab[id(refs[0])] = float(np.mean(agree)) if len(agree) else np.nan
        else:
            m = len(group)
            pair = np.full((m, m), np.nan)
            for i, j in itertools.combinations(range(m), 2):
                pair[i, j] = pair[j, i] = agreement(group[i].top, group[j].top)[0]
            stab = {
                id(f): (float(np.nanmean(pair[i])) if m > 1 else np.nan)
                for i, f in enumerate(group)
            }
        for f in refs[:1] + subs:
            rows.append(
                {
                    "model": f.model,
                    "K": f.k,
                    "seed": f.seed,
                    "stage": f.stage,
                    "n_units": f.n_units,
                    "coherence": float(np.nanmean(f.coherence)),
                    "diversity": f.diversity,
                    "stability": stab[id(f)],
                }
            )
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


def k_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per K (index): stability (mean agreement of the subsample fits with the reference),
    stability_sd (their standard deviation, ddof=1; 0 with one subsample fit), n_runs (tau),
    coherence and diversity (means over all fits of the K)."""
    stage = table["stage"] if "stage" in table else pd.Series("subsample", index=table.index)
    subs = table[stage != "reference"]
    if (stage == "reference").any():
        stab = subs.groupby("K")["stability"]
    else:  # pairwise agreements: every fit's value
        stab = table.groupby("K")["stability"]
    out = table.groupby("K").agg(coherence=("coherence", "mean"), diversity=("diversity", "mean"))
    out["stability"] = stab.mean()
    out["stability_sd"] = stab.std(ddof=1).fillna(0.0)
    out["n_runs"] = stab.count()
    return out


K_RULES = ("stability", "coherence", "quality")


def select_k(
    table: pd.DataFrame,
    stability_min: float,
    decimals: int = 3,
    rule: str = "stability",
    tie_se: float = 1.0,
) -> tuple[int, str]:
    """The documented K rule; returns (K, reason).

    * ``stability`` (default; Greene et al. 2014): the K with the highest mean agreement of
      its subsample fits with its reference fit. Near-ties go to the smaller K: the smallest K
      whose mean is within ``tie_se`` standard errors of the best mean (SE = the SD of the best
      K's subsample agreements / sqrt(tau)). With one seed (stability unknown) the coherence rule is
      used instead, and the reason says so.
    * ``coherence`` / ``quality``: among K whose mean stability is at least ``stability_min``,
      the highest mean NPMI coherence, or topic quality (Dieng et al. 2020: coherence x
      diversity, which also penalises redundant topics), rounded to ``decimals``; ties go to
      the smaller K. If no K is stable enough (or stability is unknown), all K compete.
    """
    if rule not in K_RULES:
        raise NewslensError(
            f"config key topics.k_rule: '{rule}' is not one of {', '.join(K_RULES)}"
        )
    per_k = k_table(table)
    if len(per_k) == 1:
        k = int(per_k.index[0])
        return k, f"K={k}: the only K fitted"
    note = ""
    if rule == "stability":
        if per_k["stability"].notna().any():
            best_k = int(per_k["stability"].idxmax())
            best, sd = per_k.loc[best_k, ["stability", "stability_sd"]]
            tau = int(per_k.loc[best_k, "n_runs"])
            se = float(sd) / math.sqrt(max(tau, 1))
            floor = round(float(best - tie_se * se), 9)
            k = int(per_k.index[per_k["stability"].round(9) >= floor].min())
            near = (
                f"; K={k} is within {tie_se:g} standard error of it, so the smaller K"
                if k != best_k
                else f"; no smaller K within {tie_se:g} standard error"
            )
            return k, (
                f"K={k}: stability rule (Greene et al. 2014): highest mean agreement "
                f"{best:.3f} (SD {sd:.3f}, SE {se:.3f} over {tau} subsamples) at K={best_k}{near}"
            )
        rule, note = "coherence", " (stability rule not applicable with one seed)"
    if rule == "quality":
        per_k["score"] = per_k["coherence"] * per_k["diversity"]
        what = "topic quality (NPMI x diversity)"
    else:
        per_k["score"] = per_k["coherence"]
        what = "NPMI coherence"
    stable = per_k[per_k["stability"] >= stability_min]
    if stable.empty:
        why = (
            f"no K reached mean stability >= {stability_min:g}"
            if per_k["stability"].notna().any()
            else "stability unknown with one seed"
        )
        among, pool = f"among all K ({why})", per_k
    else:
        among, pool = f"among K with mean stability >= {stability_min:g}", stable
    best = pool["score"].round(decimals)
    k = int(best[best == best.max()].index.min())
    return k, (
        f"K={k}: highest mean {what} ({per_k.loc[k, 'score']:.3f}) {among}; ties to the "
        f"smaller K{note}"
    )
