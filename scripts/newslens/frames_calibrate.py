"""A codebook calibrated on gold items (method ``codebook_calibrated`` of frames_validation).

The fixed codebook labels an article with every frame whose share of the framed sentences
reaches ``doc_min_share``: one threshold for all frames, chosen without data. When human codes
exist, the calibrated codebook learns one share threshold per frame from them (multi-label), or
one weight per frame for the primary frame (single-label), by cross-validation: every gold item
is predicted with thresholds fitted on the other folds only, so its score is honest. A threshold
of 0 means "always this frame" (the frequency prior), one above 1 "never": where the codebook's
shares carry no information for a frame, the calibration falls back to what the frequencies
say, and where they do, it uses them.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold

#: share thresholds tried per frame (0 = always predict the frame, 1.01 = never)
SHARE_GRID = (0.0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.01)
#: per-frame weights tried for single-label data (primary frame = argmax of weighted shares)
WEIGHT_GRID = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


def decide_shares(shares: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """0/1 labels: frame j when its share is at least thresholds[j] (and above 0 unless the
    threshold is 0, 'always')."""
    th = np.asarray(thresholds, dtype=float)
    return ((shares >= th) & ((shares > 0) | (th <= 0))).astype(np.int8)


def fit_share_thresholds(
    shares: np.ndarray, Y: np.ndarray, grid=SHARE_GRID, average: str = "micro"
) -> np.ndarray:
    """Per-frame share thresholds maximising micro- (or macro-) F1 on (shares, Y): coordinate
    ascent over frames, two passes, starting from the grid value nearest 0.15; ties keep the
    earlier (smaller) threshold. Deterministic."""
    grid = sorted(float(g) for g in grid)
    th = np.full(Y.shape[1], min(grid, key=lambda g: abs(g - 0.15)))
    for _ in range(2):
        for j in range(Y.shape[1]):
            best, best_t = -1.0, th[j]
            for t in grid:
                th[j] = t
                s = f1_score(Y, decide_shares(shares, th), average=average, zero_division=0)
                if s > best + 1e-12:
                    best, best_t = s, t
            th[j] = best_t
    return th


def coordinate_ascent(x: np.ndarray, candidates, score, passes: int = 2) -> np.ndarray:
    """Maximise ``score(x)`` one coordinate at a time: for each coordinate in turn, the first of
    ``candidates`` (in their order) with the highest score (a later one must beat it by more
    than 1e-12), ``passes`` times over all coordinates. ``x`` is changed in place and
    returned. Deterministic."""
    for _ in range(passes):
        for j in range(len(x)):
            best, best_v = -np.inf, x[j]
            for v in candidates:
                x[j] = v
                s = score(x)
                if s > best + 1e-12:
                    best, best_v = s, v
            x[j] = best_v
    return x


def decide_primary(shares: np.ndarray, weights: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """One frame per item: the largest weighted share; items without any share get the most
    frequent frame (``prior`` = training frequencies, also the tie-breaker)."""
    score = shares * np.asarray(weights, dtype=float) + 1e-9 * prior
    score[shares.sum(axis=1) <= 0] = prior
    Y = np.zeros(shares.shape, dtype=np.int8)
    if len(Y):
        Y[np.arange(len(Y)), score.argmax(axis=1)] = 1
    return Y


def fit_primary_weights(
    shares: np.ndarray, Y: np.ndarray, grid=WEIGHT_GRID, average: str = "macro"
) -> np.ndarray:
    """Per-frame weights maximising macro- (or micro-) F1 of :func:`decide_primary`."""
    prior = Y.mean(axis=0)
    return coordinate_ascent(
        np.ones(Y.shape[1]),
        sorted(grid, key=lambda g: (abs(g - 1.0), g)),
        lambda w: f1_score(Y, decide_primary(shares, w, prior), average=average, zero_division=0),
    )


def calibrated_predictions(
    shares: np.ndarray, Y: np.ndarray, single: bool, folds: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predictions of the calibrated codebook for gold items (``shares``: the
    codebook's per-frame shares of each item, columns as in ``Y``), and the thresholds (or
    weights, single-label) fitted on all items, for the log and for reuse."""
    shares = np.asarray(shares, dtype=float)
    Y = np.asarray(Y)
    n = len(Y)
    pred = np.zeros(Y.shape, dtype=np.int8)
    k = max(2, min(int(folds), n))
    fit = fit_primary_weights if single else fit_share_thresholds
    if n >= 2:
        for tr, te in KFold(k, shuffle=True, random_state=int(seed)).split(shares):
            params = fit(shares[tr], Y[tr])
            pred[te] = (
                decide_primary(shares[te], params, Y[tr].mean(axis=0))
                if single
                else decide_shares(shares[te], params)
            )
    final = fit(shares, Y) if n else np.zeros(Y.shape[1])
    return pred, final


def share_matrix(doc_table, frames: list[str]) -> np.ndarray:
    """The codebook's per-frame shares of each row of an article table (share_<frame>
    columns; 0 for frames without a column, e.g. gold labels that are no codebook frame)."""
    n = len(doc_table)
    cols = [
        doc_table[f"share_{f}"].to_numpy(dtype=float) if f"share_{f}" in doc_table else np.zeros(n)
        for f in frames
    ]
    return np.nan_to_num(np.column_stack(cols)) if cols else np.zeros((n, 0))


def describe_calibration(frames: list[str], params: np.ndarray, single: bool) -> str:
    """'frame>=threshold' (multi-label) or 'frame x weight' (single-label), for the log."""
    if single:
        return ", ".join(f"{f} x{p:g}" for f, p in zip(frames, params, strict=True))
    return ", ".join(
        f"{f} always" if p <= 0 else (f"{f} never" if p > 1 else f"{f}>={p:g}")
        for f, p in zip(frames, params, strict=True)
    )
