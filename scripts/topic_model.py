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
from threadpoolctl import threadpool_limits

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
    write_table(pd.DataFrame(columns=VALIDATION_COLUMNS), smk.output.validation)
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


def unit_categories(smk, units):
    """The configured validation column (topics.validation.column) for every unit, from
    documents.csv ('' where empty); None when no column is configured."""
    col = smk.params.validation_column
    if not col:
        return None
    try:
        head = pd.read_csv(smk.input.documents, nrows=0)
        if col not in head.columns:
            raise NewslensError(
                f"config key topics.validation.column: '{col}' is not a column of "
                f"{smk.input.documents} (columns: {', '.join(map(str, head.columns))}); name a "
                "corpus metadata column (listed in corpus.metadata) or set it to null"
            )
        docs = pd.read_csv(
            smk.input.documents,
            usecols=["doc_id", col],
            dtype=str,
            keep_default_na=False,
        )
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {smk.input.documents}: {err}") from err
    cat = dict(zip(docs["doc_id"], docs[col], strict=True))
    return units["doc_id"].astype(str).map(cat).fillna("").to_numpy()


def validation_table(smk, units, fits, grid_rows, final_dominant, k):
    """Dominant topics against the validation column: one row per K of the grid (reference fit,
    its grid units) and one for the final model (all units)."""
    cats = unit_categories(smk, units)
    if cats is None:
        return pd.DataFrame(columns=VALIDATION_COLUMNS)
    col = smk.params.validation_column
    rows = []
    for f in fits:
        if f.stage == "reference" and grid_rows is not None:
            sc = tp.validation_scores(f.dominant, cats[grid_rows])
            rows.append({"column": col, "K": f.k, "stage": "reference", **sc, "selected": False})
    sc = tp.validation_scores(final_dominant, cats)
    rows.append({"column": col, "K": k, "stage": "final", **sc, "selected": True})
    out = pd.DataFrame(rows, columns=VALIDATION_COLUMNS)
    for c in ("nmi", "ari", "purity"):
        out[c] = out[c].astype(float).round(6)
    for r in rows:
        log.info(
            "validation vs %s: K=%d (%s) NMI %.3f ARI %.3f purity %.3f on %d units",
            col,
            r["K"],
            r["stage"],
            r["nmi"],
            r["ari"],
            r["purity"],
            r["n_units"],
        )
    return out


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
    grid_kw = {**kw, "tol": p.grid_tol, "max_iter": p.grid_max_iter or p.max_iter}

    table = pd.DataFrame()
    fits = []
    if grid:
        grid_rows = (
            fit_rows
            if not p.grid_sample or len(fit_rows) <= p.grid_sample
            else np.sort(rng.choice(fit_rows, size=p.grid_sample, replace=False))
        )
        x_grid = model_input(counts[grid_rows])
        top_n = (p.coherence_top_n, p.diversity_top_n, p.stability_top_n)
        t0 = time.perf_counter()
        n_jobs = min(smk.threads, len(usable) * (len(seeds) + 1))
        n_jobs = n_jobs if x_grid.shape[0] >= 500 else 1
        fits = tp.fit_grid(
            p.model, x_grid, usable, seeds, frac, top_n, n_jobs, p.stability_init, **grid_kw
        )
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
        k, reason = tp.select_k(table, p.stability_min, rule=p.k_rule, tie_se=p.stability_tie_se)
    else:
        k, reason = usable[0], f"K={usable[0]}: set in config (topics.k is a single number)"
    log.info("%s", reason)

    t0 = time.perf_counter()
    with threadpool_limits(limits=smk.threads):
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
    final_row = pd.DataFrame(
        [{**final, "selected": True, "stage": "final", "n_units": len(fit_rows)}]
    )
    table = pd.concat([table, final_row], ignore_index=True) if len(table) else final_row
    if grid:
        stab = tp.k_table(table[table["stage"] != "final"]).loc[k, "stability"]
        table.loc[table["stage"] == "final", "stability"] = stab
    table.insert(0, "unit", unit)
    for col in ("coherence", "diversity", "stability"):
        table[col] = table[col].astype(float).round(6)
    # Fit times go to the log and fit.json, not the table: same input -> identical tables.
    table = table[SELECTION_COLUMNS]
    write_table(table, smk.output.selection)

    validation = validation_table(
        smk, units, fits, grid_rows if grid else None, tp.dominant_topic(share[:, order]), k
    )
    write_table(validation, smk.output.validation)

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
        "k_rule": p.k_rule if grid else "fixed",
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
