"""Rule topic_model: fit the K grid, choose K by the documented rule, fit the chosen model on
the fit sample and transform every unit."""

import json
import logging
import time

import numpy as np
import pandas as pd
from newslens import topics as tp
from newslens.runtime import NewslensError, atomic_path, read_parquet, run, write_table
from scipy import sparse

log = logging.getLogger("newslens")


def load_npz(path):
    try:
        return sparse.load_npz(path).tocsr()
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}; delete it and rerun snakemake") from err


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


def write_no_model(smk, units, vocab, unit, reason, notes, ks, seeds, model):
    """Outputs of a corpus too small to model: no rows, zero topics, the reason recorded."""
    write_table(pd.DataFrame(columns=SELECTION_COLUMNS), smk.output.selection)
    with atomic_path(smk.output.fit) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                w=np.zeros((len(units), 0), np.float32),
                h=np.zeros((0, len(vocab)), np.float32),
                coherence=np.zeros(0),
            )
    info = {
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
    }
    with atomic_path(smk.output.info) as tmp:
        tmp.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(smk):
    p = smk.params
    counts = load_npz(smk.input.dtm)
    vocab = pd.read_csv(smk.input.vocabulary, keep_default_na=False)
    units = read_parquet(smk.input.units)
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
    grid = len(ks) > 1
    frac = p.stability_subsample if grid else 1.0
    usable, skipped = tp.usable_ks(ks, len(nonempty), len(vocab), frac, p.min_units_per_topic)
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
        write_no_model(smk, units, vocab, unit, reason, notes, ks, seeds, p.model)
        return

    df = vocab["df"].to_numpy()

    def model_input(rows):
        # row by row the same as weighting the whole matrix (TF-IDF rows are normalised alone)
        return tp.model_input(p.model, rows, df, len(units))

    rng = np.random.default_rng(seeds[0])

    def sample(limit):
        if limit and len(nonempty) > limit:
            return np.sort(rng.choice(nonempty, size=limit, replace=False))
        return nonempty

    fit_rows = sample(p.fit_sample)
    kw = {
        "max_iter": p.max_iter,
        "incremental": p.incremental,
        "batch_size": p.batch_size,
        "tol": p.tol,
    }
    grid_kw = {**kw, "tol": p.grid_tol}

    table = pd.DataFrame()
    if grid:
        grid_rows = (
            fit_rows
            if not p.grid_sample or len(fit_rows) <= p.grid_sample
            else np.sort(rng.choice(fit_rows, size=p.grid_sample, replace=False))
        )
        x_grid = model_input(counts[grid_rows])
        jobs = [(k, s) for k in usable for s in seeds]
        args = (p.coherence_top_n, p.diversity_top_n, p.stability_top_n)
        t0 = time.perf_counter()
        n_jobs = min(smk.threads, len(jobs)) if x_grid.shape[0] >= 500 else 1
        if n_jobs > 1:
            from joblib import Parallel, delayed

            # Workers get the grid sample only; coherence on all units is measured here.
            fits = Parallel(n_jobs=n_jobs, backend="loky")(
                delayed(tp.fit_one)(p.model, x_grid, None, k, s, frac, *args, **grid_kw)
                for k, s in jobs
            )
        else:
            fits = [
                tp.fit_one(p.model, x_grid, None, k, s, frac, *args, **grid_kw) for k, s in jobs
            ]
        # NPMI on all units with terms, every fit's top words in one pass over the matrix
        coherences = tp.topic_coherences(counts, len(nonempty), [f.top_coherence for f in fits])
        for f, c in zip(fits, coherences, strict=True):
            f.coherence = c
        log.info(
            "K grid: %d fits on %d units in %.1f s (%d jobs)",
            len(fits),
            x_grid.shape[0],
            time.perf_counter() - t0,
            n_jobs,
        )
        table = tp.grid_table(fits)
        k, reason = tp.select_k(table, p.stability_min, rule=p.k_rule)
    else:
        k, reason = usable[0], f"K={usable[0]}: set in config (topics.k is a single number)"
    log.info("%s", reason)

    t0 = time.perf_counter()
    est, h = tp.fit_model(p.model, model_input(counts[fit_rows]), k, seeds[0], **kw)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    w = tp.transform(est, counts, prepare=model_input)
    transform_seconds = time.perf_counter() - t0
    log.info(
        "final %s fit, K=%d on %d units: %.2f s; transform of %d units: %.2f s",
        p.model,
        k,
        len(fit_rows),
        fit_seconds,
        len(units),
        transform_seconds,
    )

    # Topics numbered by prevalence (mean share over units with terms), most prevalent first.
    share = tp.mixture(w)
    prevalence = share[nonempty].mean(axis=0)
    order = np.argsort(-prevalence, kind="stable")
    w, h = w[:, order], h[order]
    coherence = tp.topic_coherences(counts, len(nonempty), [tp.top_terms(h, p.coherence_top_n)])[0]
    diversity = tp.topic_diversity(h, p.diversity_top_n)

    final = {
        "model": p.model,
        "K": k,
        "seed": seeds[0],
        "coherence": float(coherence.mean()),
        "diversity": diversity,
        "stability": np.nan,
    }
    if grid:
        table["selected"] = False
        table["stage"] = "grid"
    final_row = pd.DataFrame([{**final, "selected": True, "stage": "final"}])
    table = pd.concat([table, final_row], ignore_index=True) if len(table) else final_row
    if grid:
        stab = table[(table["K"] == k) & (table["stage"] == "grid")]["stability"].mean()
        table.loc[table["stage"] == "final", "stability"] = stab
    table.insert(0, "unit", unit)
    table["n_units"] = np.where(
        table["stage"] == "final", len(fit_rows), len(grid_rows) if grid else len(fit_rows)
    )
    if grid and frac < 1:
        table.loc[table["stage"] == "grid", "n_units"] = int(np.floor(frac * len(grid_rows)))
    for col in ("coherence", "diversity", "stability"):
        table[col] = table[col].astype(float).round(6)
    # Fit times go to the log and fit.json, not the table: same input -> identical tables.
    table = table[SELECTION_COLUMNS]
    write_table(table, smk.output.selection)

    with atomic_path(smk.output.fit) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh, w=w.astype(np.float32), h=h.astype(np.float32), coherence=coherence
            )
    info = {
        "unit": unit,
        "model": p.model,
        "K": int(k),
        "rule": reason,
        "notes": notes,
        "k_requested": ks,
        "k_fitted": usable,
        "seeds": seeds,
        "n_units": int(len(units)),
        "n_units_with_terms": int(len(nonempty)),
        "n_fit_units": int(len(fit_rows)),
        "n_terms": int(len(vocab)),
        "fit_seconds": round(fit_seconds, 3),
        "transform_seconds": round(transform_seconds, 3),
    }
    with atomic_path(smk.output.info) as tmp:
        tmp.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")


run(main, snakemake)
