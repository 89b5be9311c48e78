"""Topic modelling, the topic_model job: fit the K grid on a sample, choose K by the configured
rule, fit the chosen model on the fit sample, transform every unit, and write the selection and
validation tables and the fit (``run_topic_model``; the rule script only passes Snakemake's
inputs, outputs, params and threads).

``params`` is any object with the attributes of the rule's ``params:`` (the keys of the config
section ``topics``: model, k, seeds, max_iter, tol, grid_tol, grid_max_iter, incremental,
batch_size, fit_sample, grid_sample, stability_subsample, stability_min, k_rule,
stability_tie_se, stability_init, validation_column, min_units_per_topic, coherence_top_n,
diversity_top_n, stability_top_n).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from newslens.runtime import NewslensError, atomic_path, read_parquet, write_table
from newslens.topics_grid import fit_grid, grid_table, k_table, select_k, usable_ks
from newslens.topics_matrix import load_npz
from newslens.topics_measures import (
    dominant_topic,
    term_order,
    top_terms,
    topic_coherences,
    topic_diversity,
)
from newslens.topics_models import fit_model, mixture, model_input, transform
from newslens.topics_validation import validation_scores

log = logging.getLogger("newslens")

SELECTION_COLUMNS = [
    "unit",
    "model",
    "K",
    "seed",
    "stage",
    "n_units",
    "coherence",
    "diversity",
    "stability",
    "selected",
]
VALIDATION_COLUMNS = [
    "column",
    "K",
    "stage",
    "n_units",
    "n_categories",
    "nmi",
    "ari",
    "purity",
    "selected",
]


@dataclass
class Choice:
    """The outcome of the K grid: chosen K, the documented reason, the fits and their table, the
    grid's rows (None without a grid) and the rows of the final fit."""

    k: int
    reason: str
    fit_rows: np.ndarray
    grid_rows: np.ndarray | None = None
    fits: list = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    grid_seconds: float = 0.0


def fit_kwargs(p) -> tuple[dict, dict]:
    """Keyword arguments of the final fit and of the grid fits (grid_tol, grid_max_iter)."""
    kw = {
        "max_iter": p.max_iter,
        "incremental": p.incremental,
        "batch_size": p.batch_size,
        "tol": p.tol,
    }
    return kw, {**kw, "tol": p.grid_tol, "max_iter": p.grid_max_iter or p.max_iter}


def choose_k(
    counts: sparse.csr_matrix,
    df: np.ndarray,
    n_units: int,
    nonempty: np.ndarray,
    usable: list[int],
    p,
    threads: int,
) -> Choice:
    """Draw the fit sample (``fit_sample`` of the units with terms) and, when several K are
    usable, the grid sample within it (``grid_sample``); fit the grid (reference + subsample
    fits per K, in up to ``threads`` processes), measure NPMI coherence on all units with terms
    and choose K by ``p.k_rule``. Samples are drawn from one generator seeded by the first seed,
    fit sample first, so the same config gives the same rows."""
    seeds = list(p.seeds)
    rng = np.random.default_rng(seeds[0])

    def sample(limit):
        if limit and len(nonempty) > limit:
            return np.sort(rng.choice(nonempty, size=limit, replace=False))
        return nonempty

    fit_rows = sample(p.fit_sample)
    if not _is_grid(p):
        k = usable[0]
        return Choice(k, f"K={k}: set in config (topics.k is a single number)", fit_rows)
    _, grid_kw = fit_kwargs(p)
    grid_rows = (
        fit_rows
        if not p.grid_sample or len(fit_rows) <= p.grid_sample
        else np.sort(rng.choice(fit_rows, size=p.grid_sample, replace=False))
    )
    x_grid = model_input(p.model, counts[grid_rows], df, n_units)
    top_n = (p.coherence_top_n, p.diversity_top_n, p.stability_top_n)
    t0 = time.perf_counter()
    n_jobs = min(threads, len(usable) * (len(seeds) + 1))
    n_jobs = n_jobs if x_grid.shape[0] >= 500 else 1
    fits = fit_grid(
        p.model,
        x_grid,
        usable,
        seeds,
        p.stability_subsample,
        top_n,
        n_jobs,
        p.stability_init,
        **grid_kw,
    )
    # NPMI on all units with terms, every fit's top words in one pass over the matrix
    coherences = topic_coherences(counts, len(nonempty), [f.top_coherence for f in fits])
    for f, c in zip(fits, coherences, strict=True):
        f.coherence = c
    seconds = time.perf_counter() - t0
    log.info(
        "K grid: %d fits on %d units in %.1f s (%d jobs; %.1f CPU-seconds of fits)",
        len(fits),
        x_grid.shape[0],
        seconds,
        n_jobs,
        sum(f.cpu_seconds for f in fits),
    )
    table = grid_table(fits)
    k, reason = select_k(table, p.stability_min, rule=p.k_rule, tie_se=p.stability_tie_se)
    return Choice(k, reason, fit_rows, grid_rows, fits, table, seconds)


def _is_grid(p) -> bool:
    return not isinstance(p.k, int) and len(list(p.k)) > 1


def final_fit(
    counts: sparse.csr_matrix,
    df: np.ndarray,
    n_units: int,
    nonempty: np.ndarray,
    choice: Choice,
    p,
) -> dict:
    """The chosen model fitted on the fit sample and every unit transformed, with ONE BLAS
    thread whatever the job's ``threads`` (a multi-threaded BLAS sums in an order that depends
    on the thread count, so the model's bits would depend on ``--cores``; the grid's workers
    are single-threaded for the same reason); topics numbered by prevalence (mean share over units with terms), most
    prevalent first. Returns w, h, share (reordered), the per-topic coherence, diversity and
    the fit and transform seconds."""
    kw, _ = fit_kwargs(p)

    def prepare(rows):
        # row by row the same as weighting the whole matrix (TF-IDF rows are normalised alone)
        return model_input(p.model, rows, df, n_units)

    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        est, h = fit_model(p.model, prepare(counts[choice.fit_rows]), choice.k, p.seeds[0], **kw)
        fit_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        w = transform(est, counts, prepare=prepare)
    transform_seconds = time.perf_counter() - t0
    log.info(
        "final %s fit, K=%d on %d units: %.2f s; transform of %d units: %.2f s",
        p.model,
        choice.k,
        len(choice.fit_rows),
        fit_seconds,
        n_units,
        transform_seconds,
    )
    share = mixture(w)
    prevalence = share[nonempty].mean(axis=0)
    order = np.argsort(-prevalence, kind="stable")
    w, h = w[:, order], h[order]
    ranking = term_order(h)  # one sort for the coherence and the diversity words
    top = top_terms(h, p.coherence_top_n, ranking)
    coherence = topic_coherences(counts, len(nonempty), [top])[0]
    return {
        "w": w,
        "h": h,
        "share": share[:, order],
        "coherence": coherence,
        "diversity": topic_diversity(h, p.diversity_top_n, ranking),
        "fit_seconds": fit_seconds,
        "transform_seconds": transform_seconds,
    }


def selection_table(choice: Choice, final: dict, unit: str, p) -> pd.DataFrame:
    """The grid's fits (if any) and one row for the final fit (selected), with the stability of
    the chosen K; measures rounded to 6 decimals. Fit times are left out (same input ->
    identical table)."""
    grid = len(choice.table) > 0
    row = {
        "model": p.model,
        "K": choice.k,
        "seed": p.seeds[0],
        "coherence": float(final["coherence"].mean()),
        "diversity": final["diversity"],
        "stability": np.nan,
    }
    table = choice.table.copy()
    if grid:
        table["selected"] = False
    final_row = pd.DataFrame(
        [{**row, "selected": True, "stage": "final", "n_units": len(choice.fit_rows)}]
    )
    table = pd.concat([table, final_row], ignore_index=True) if grid else final_row
    if grid:
        stab = k_table(table[table["stage"] != "final"]).loc[choice.k, "stability"]
        table.loc[table["stage"] == "final", "stability"] = stab
    table.insert(0, "unit", unit)
    for col in ("coherence", "diversity", "stability"):
        table[col] = table[col].astype(float).round(6)
    return table[SELECTION_COLUMNS]


def unit_categories(documents_path, column: str | None, units: pd.DataFrame):
    """The validation column (topics.validation.column) for every unit, from documents.csv
    ('' where empty); None when no column is configured."""
    if not column:
        return None
    try:
        head = pd.read_csv(documents_path, nrows=0)
        if column not in head.columns:
            raise NewslensError(
                f"config key topics.validation.column: '{column}' is not a column of "
                f"{documents_path} (columns: {', '.join(map(str, head.columns))}); name a "
                "corpus metadata column (listed in corpus.metadata) or set it to null"
            )
        docs = pd.read_csv(
            documents_path,
            usecols=["doc_id", column],
            dtype=str,
            keep_default_na=False,
        )
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {documents_path}: {err}") from err
    cat = dict(zip(docs["doc_id"], docs[column], strict=True))
    return units["doc_id"].astype(str).map(cat).fillna("").to_numpy()


def validation_table(
    cats, column: str | None, fits, grid_rows, final_dominant, k: int
) -> pd.DataFrame:
    """Dominant topics against the validation categories ``cats`` (one per unit, or None): one
    row per K of the grid (reference fit, its grid units) and one for the final model (all
    units)."""
    if cats is None:
        return pd.DataFrame(columns=VALIDATION_COLUMNS)
    rows = []
    for f in fits:
        if f.stage == "reference" and grid_rows is not None:
            sc = validation_scores(f.dominant, cats[grid_rows])
            rows.append({"column": column, "K": f.k, "stage": "reference", **sc, "selected": False})
    sc = validation_scores(final_dominant, cats)
    rows.append({"column": column, "K": k, "stage": "final", **sc, "selected": True})
    out = pd.DataFrame(rows, columns=VALIDATION_COLUMNS)
    for c in ("nmi", "ari", "purity"):
        out[c] = out[c].astype(float).round(6)
    for r in rows:
        log.info(
            "validation vs %s: K=%d (%s) NMI %.3f ARI %.3f purity %.3f on %d units",
            column,
            r["K"],
            r["stage"],
            r["nmi"],
            r["ari"],
            r["purity"],
            r["n_units"],
        )
    return out


def write_fit(path, w: np.ndarray, h: np.ndarray, coherence: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh, w=w.astype(np.float32), h=h.astype(np.float32), coherence=coherence
            )


def write_info(path, info: dict) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_no_model(output, units, vocab, unit, reason, notes, ks, seeds, model) -> None:
    """Outputs of a corpus too small to model: no rows, zero topics, the reason recorded."""
    write_table(pd.DataFrame(columns=SELECTION_COLUMNS), output.selection)
    write_table(pd.DataFrame(columns=VALIDATION_COLUMNS), output.validation)
    write_fit(
        output.fit,
        np.zeros((len(units), 0), np.float32),
        np.zeros((0, len(vocab)), np.float32),
        np.zeros(0),
    )
    write_info(
        output.info,
        {
            "unit": unit,
            "model": model,
            "K": 0,
            "rule": reason,
            "notes": notes + [reason],
            "k_requested": ks,
            "k_fitted": [],
            "seeds": seeds,
            "n_units": int(len(units)),
            "n_units_with_terms": int((units["n_terms"] > 0).sum()),
            "n_fit_units": 0,
            "n_terms": int(len(vocab)),
            "fit_seconds": 0.0,
            "transform_seconds": 0.0,
        },
    )


def run_topic_model(input, output, params, threads: int) -> None:
    """The topic_model job. ``input``: dtm, units, vocabulary, documents; ``output``:
    selection, validation, fit, info (attribute access, as Snakemake's namespaces)."""
    p = params
    counts = load_npz(input.dtm)
    vocab = pd.read_csv(input.vocabulary, keep_default_na=False)
    units = read_parquet(input.units)
    unit = units["unit_type"].iloc[0] if len(units) else "article"
    ks = [p.k] if isinstance(p.k, int) else list(p.k)
    seeds = list(p.seeds)
    notes = []
    nonempty = np.flatnonzero(counts.getnnz(axis=1) > 0)
    if len(nonempty) < len(units):
        notes.append(
            f"{len(units) - len(nonempty)} of {len(units)} units have no vocabulary "
            "term: kept with zero topic weights"
        )
    frac = p.stability_subsample if len(ks) > 1 else 1.0
    usable, skipped = usable_ks(ks, len(nonempty), len(vocab), frac, p.min_units_per_topic)
    notes += skipped
    for n in skipped:
        log.warning("%s", n)
    if not usable:
        # Too small for a topic model: a recorded result (empty tables, figures that say
        # why), not a failed pipeline; the reason is in the log and fit.json.
        reason = (
            f"no topic model: the corpus has only {len(nonempty)} {unit} units with terms "
            f"and {len(vocab)} vocabulary terms, too few for even K=2 (K must be below the "
            "number of units and leave topics.min_units_per_topic units per topic). Use "
            "topics.unit: paragraph, a lower topics.min_df, or a larger corpus."
        )
        log.warning("%s", reason)
        write_no_model(output, units, vocab, unit, reason, notes, ks, seeds, p.model)
        return

    df = vocab["df"].to_numpy()
    choice = choose_k(counts, df, len(units), nonempty, usable, p, threads)
    log.info("%s", choice.reason)
    final = final_fit(counts, df, len(units), nonempty, choice, p)
    write_table(selection_table(choice, final, unit, p), output.selection)
    cats = unit_categories(input.documents, p.validation_column, units)
    validation = validation_table(
        cats,
        p.validation_column,
        choice.fits,
        choice.grid_rows,
        dominant_topic(final["share"]),
        choice.k,
    )
    write_table(validation, output.validation)
    write_fit(output.fit, final["w"], final["h"], final["coherence"])
    grid = len(choice.table) > 0
    write_info(
        output.info,
        {
            "unit": unit,
            "model": p.model,
            "K": int(choice.k),
            "rule": choice.reason,
            "k_rule": p.k_rule if grid else "fixed",
            "notes": notes,
            "k_requested": ks,
            "k_fitted": usable,
            "seeds": seeds,
            "n_units": int(len(units)),
            "n_units_with_terms": int(len(nonempty)),
            "n_fit_units": int(len(choice.fit_rows)),
            "n_terms": int(len(vocab)),
            "fit_seconds": round(final["fit_seconds"], 3),
            "transform_seconds": round(final["transform_seconds"], 3),
        },
    )
