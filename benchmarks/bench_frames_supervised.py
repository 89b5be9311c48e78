"""Supervised frame classifier variants against plain TF-IDF + logistic regression and the
frequency baselines, on a coded data set, through the pipeline (config overlays only).

For each variant, a config overlay (a copy of config/ in a temporary working directory with
framing.supervised.* set) is written and the rule frames_supervised is run by Snakemake on the
seeds/ corpus; the rule's out-of-fold predictions (results/interim/frames/supervised_oof.parquet,
every row predicted by a model that never saw it, 5-fold CV with inner tuning) are read back.
Printed per variant: cross-validated micro- and macro-F1, and the paired bootstrap difference
to plain TF-IDF + LR (items resampled, seeded) with its 95 % interval; a variant "wins" only when
the interval excludes 0. The baselines printed beside them: most frequent frame, top-K most
frequent frames for every K (from the training folds), the codebook, all on the same items.

    PYTHONPATH=scripts python benchmarks/bench_frames_supervised.py LABELED.csv
        [--codebook config/codebooks/generic_frames.yaml] [--variants default,plain,...]
        [--resamples 1000] [--workdir DIR] [--cores 2]

LABELED: CSV with columns text and labels (';'-separated frame keys of the codebook).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    REPO,
    bootstrap_indices,
    codebook_options,
    format_difference,
    paired_differences,
    run_snakemake,
    write_config,
)

#: framing.supervised overrides per variant ({} = the shipped defaults)
PLAIN = {
    "ngram_max": 1,
    "min_df": 1,
    "C_grid": [1.0],
    "class_weight": "none",
    "threshold_grid": [],
    "threshold": 0.5,
    "char_ngram_max": 0,
    "codebook_features": False,
}
VARIANTS = {
    "plain_tfidf_lr": PLAIN,
    "default": {},
    "previous_default": {
        "min_df": 2,
        "tune_metric": "f1_micro",
        "char_ngram_max": 0,
        "threshold_mode": "global",
        "threshold_grid": [0.2, 0.3, 0.4, 0.5],
    },
    "default_words_only": {"char_ngram_max": 0},
    "default_words_min_df2": {"char_ngram_max": 0, "min_df": 2},
    "default_global_threshold": {"threshold_mode": "global"},
    "default+codebook": {"codebook_features": True},
    "default_chars_uncapped": {"char_max_features": None},
}


def overlay(workdir: Path, labeled: Path, codebook: Path, overrides: dict) -> None:
    """Write the working directory's config: the repository's, with the labeled file, the
    codebook and the variant's framing.supervised settings."""
    supervised = {"labeled": str(labeled.resolve()), **overrides}
    framing = {"codebook": str(codebook.resolve()), "supervised": supervised}
    write_config(workdir, {"corpus": {"path": str(REPO / "seeds")}, "framing": framing})


def run_variant(
    workdir: Path, cores: int, target: str = "results/interim/frames/supervised_oof.parquet"
) -> tuple[pd.DataFrame | None, float]:
    secs = run_snakemake(workdir, target, cores=cores)
    return (pd.read_parquet(workdir / target) if target.endswith(".parquet") else None), secs


def matrix(col: pd.Series, frames: list[str]) -> np.ndarray:
    index = {f: j for j, f in enumerate(frames)}
    M = np.zeros((len(col), len(frames)), dtype=np.int8)
    for i, s in enumerate(col.fillna("").astype(str)):
        for f in s.split(";"):
            if f in index:
                M[i, index[f]] = 1
    return M


def topk_prior(Y: np.ndarray, fold: np.ndarray, k: int) -> np.ndarray:
    """Every item gets the k most frequent frames of the other folds."""
    out = np.zeros_like(Y)
    for f in np.unique(fold):
        tr = fold != f
        order = np.argsort(-Y[tr].sum(axis=0), kind="stable")[:k]
        out[np.ix_(fold == f, order)] = 1
    return out


def paired(Y, A, B, avg, idx):
    """Bootstrap distribution of F1(A) - F1(B) over resampled items."""

    def f1(gold, pred):
        return f1_score(gold, pred, average=avg, zero_division=0)

    return paired_differences(f1, Y, A, B, idx)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labeled", type=Path)
    ap.add_argument("--codebook", type=Path, default=REPO / "config/codebooks/generic_frames.yaml")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--calibration",
        action="store_true",
        help="instead: the codebook, codebook_calibrated and top-K priors on LABELED as gold data",
    )
    a = ap.parse_args(argv)
    names = a.variants.split(",")
    if "plain_tfidf_lr" not in names:
        names.insert(0, "plain_tfidf_lr")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="bench_frames_supervised_"))
    workdir.mkdir(parents=True, exist_ok=True)
    if a.calibration:
        return calibration(a, workdir)
    preds, secs, first = {}, {}, None
    for name in names:
        overlay(workdir, a.labeled, a.codebook, VARIANTS[name])
        oof, secs[name] = run_variant(workdir, a.cores)
        first = oof if first is None else first
        preds[name] = oof["supervised"]
        fr = sorted({f for s in first["gold"] for f in str(s).split(";") if f})
        G, M = matrix(first["gold"], fr), matrix(oof["supervised"], fr)
        print(
            f"ran {name:24s} {secs[name]:6.1f} s  micro-F1 "
            f"{f1_score(G, M, average='micro', zero_division=0):.3f}  macro-F1 "
            f"{f1_score(G, M, average='macro', zero_division=0):.3f}",
            flush=True,
        )
    frames = sorted({f for s in first["gold"] for f in str(s).split(";") if f})
    Y = matrix(first["gold"], frames)
    fold = first["fold"].to_numpy()
    single = bool((Y.sum(axis=1) == 1).all())
    rows = {n: matrix(p, frames) for n, p in preds.items()}
    base = {f"prior_top{k}": topk_prior(Y, fold, k) for k in range(1, len(frames) + 1)}
    if single:
        base = {"prior_top1": base["prior_top1"]}
    for m in first.columns:
        if m.startswith("codebook"):
            base[m] = matrix(first[m], frames)
    idx = bootstrap_indices(len(Y), a.resamples, a.seed)
    print(
        f"\n{a.labeled.name}: {len(Y)} items, {len(frames)} frames, "
        f"{'single' if single else 'multi'}-label; 5-fold CV out-of-fold predictions; "
        f"paired bootstrap ({a.resamples} resamples) of the difference to plain TF-IDF + LR"
    )
    print(
        f"{'method':26s} {'micro-F1':>8s} {'macro-F1':>8s}   d micro-F1 [95% CI]        "
        f"d macro-F1 [95% CI]"
    )
    plain = rows["plain_tfidf_lr"]
    for n, M in {**rows, **base}.items():
        mi = f1_score(Y, M, average="micro", zero_division=0)
        ma = f1_score(Y, M, average="macro", zero_division=0)
        line = f"{n:26s} {mi:8.3f} {ma:8.3f}"
        if n != "plain_tfidf_lr":
            line += "   " + format_difference(paired(Y, M, plain, "micro", idx))
            line += "   " + format_difference(paired(Y, M, plain, "macro", idx))
        print(line, flush=True)
    print(f"\nworking directory: {workdir}")


def calibration(a, workdir: Path) -> None:
    """frames_validation with LABELED as gold (text mode): the fixed codebook beside
    codebook_calibrated and the top-K frequency priors for every K. The paired intervals
    recompute the calibrated predictions in this process with the rule's functions and seeds
    (the pipeline writes no per-item table here) and check that they give the rule's score."""
    sys.path.insert(0, str(REPO / "scripts"))
    import json

    from newslens.codebook import Codebook, Matcher, get_normalizer
    from newslens.frames_calibrate import calibrated_predictions, share_matrix
    from newslens.framing import classify_texts

    overlay(workdir, a.labeled, a.codebook, {})
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["framing"]["supervised"]["labeled"] = None
    cfg["framing"]["validation"]["gold"] = str(a.labeled.resolve())
    write_config(workdir, base=cfg)
    target = "results/tables/frames_validation.csv"
    run_variant(workdir, a.cores, target)
    table = pd.read_csv(workdir / target).set_index("method")
    gold = pd.read_csv(a.labeled, keep_default_na=False)
    # one item per distinct text, as frames_validation groups gold rows (later codes win)
    gold = gold.groupby("text", sort=False, as_index=False)["labels"].last()
    cb = Codebook.from_dict(
        json.loads((workdir / "results/interim/frames/codebook.json").read_text())
    )
    frames = [k for k in cb.keys if k in {f for s in gold["labels"] for f in s.split(";")}]
    Y = matrix(gold["labels"], frames)
    f = cfg["framing"]
    cbp = codebook_options(cfg)  # as frames_validation has them (abbreviations included)
    texts = gold["text"].astype(str).tolist()
    ids = [str(i) for i in range(len(texts))]
    docs = classify_texts(
        ids, texts, cb, Matcher(cb), get_normalizer(cb.normalize, cb.language), cbp
    )
    single = bool((Y.sum(axis=1) == 1).all())
    cal = f["validation"].get("calibration", {})
    C, _ = calibrated_predictions(
        share_matrix(docs, frames), Y, single, int(cal.get("folds", 5)), int(cal.get("seed", 42))
    )
    fixed = matrix(docs["labels"], frames)
    # the priors know the frequencies of all gold items (in-sample: their upper bound)
    order = np.argsort(-Y.sum(axis=0), kind="stable")
    priors = {}
    for k in range(1, len(frames) + 1):
        priors[f"prior_top{k}"] = np.zeros_like(Y)
        priors[f"prior_top{k}"][:, order[:k]] = 1
    best = max(priors, key=lambda m: f1_score(Y, priors[m], average="micro", zero_division=0))
    idx = bootstrap_indices(len(Y), a.resamples, a.seed)
    print(f"\n{a.labeled.name} as gold: {len(Y)} items, {len(frames)} frames")
    print("pipeline frames_validation.csv:")
    print(table[["micro_f1", "macro_f1"]].round(3).to_string())
    print(f"\nrecomputed: calibrated micro-F1 {f1_score(Y, C, average='micro'):.3f}")
    for m, M in {"codebook": fixed, **priors}.items():
        mi = f1_score(Y, M, average="micro", zero_division=0)
        print(
            f"{m:12s} micro-F1 {mi:.3f}   calibrated - {m}: "
            f"{format_difference(paired(Y, C, M, 'micro', idx))}"
        )
    print(f"best prior: {best}")


if __name__ == "__main__":
    main()
