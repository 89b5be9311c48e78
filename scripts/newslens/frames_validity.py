"""Frame validation that cannot mislead: every baseline, bootstrap intervals, paired
differences to the strongest baseline, per-item tables and a plain-words verdict.

- Baselines: the k most frequent frames for every k from 1 to the number of frames
  (``baseline_most_frequent`` is k = 1, ``baseline_top{k}_frequent`` the others; the best k is
  the upper bound of what knowing the frame frequencies gives) and, whenever labeled data
  exist, plain TF-IDF + logistic regression (``baseline_tfidf_lr``).
- Intervals: items are resampled with replacement (``n_boot`` replicates, seeded); every
  method is scored on the same replicates, so differences between methods are paired. 95 %
  percentile intervals for micro-F1, macro-F1, subset accuracy and Krippendorff's alpha
  (nominal, pooled over item x frame decisions, method against the consensus codes).
- A method "beats the baselines" only when the interval of its paired difference to the
  strongest baseline (highest point estimate of the primary metric: macro-F1 for single-label
  data, micro-F1 for multi-label data) lies above 0. The same rule per frame (F1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from newslens.codebook import NONE_FRAME

METRICS = ["micro_f1", "macro_f1", "subset_accuracy", "alpha"]


def is_baseline(method: str) -> bool:
    return method.startswith("baseline")


def primary_metric(single: bool) -> str:
    return "macro_f1" if single else "micro_f1"


def topk_baselines(freq_from: np.ndarray, n_items: int) -> dict[str, np.ndarray]:
    """The k most frequent frames of ``freq_from`` (items x frames 0/1) for every item, for
    every k = 1..n_frames (ties: the first frame)."""
    freq = np.asarray(freq_from).sum(axis=0)
    order = np.argsort(-freq, kind="stable")
    out = {}
    for k in range(1, freq_from.shape[1] + 1):
        y = np.zeros((n_items, freq_from.shape[1]), dtype=np.int8)
        y[:, order[:k]] = 1
        out["baseline_most_frequent" if k == 1 else f"baseline_top{k}_frequent"] = y
    return out


def boot_weights(n_items: int, n_boot: int, seed: int) -> np.ndarray:
    """n_boot x n_items resampling counts (each row sums to n_items), seeded."""
    rng = np.random.default_rng(seed)
    if n_items == 0:
        return np.zeros((n_boot, 0), dtype=np.float32)
    return rng.multinomial(n_items, np.full(n_items, 1.0 / n_items), size=n_boot).astype(np.float32)


def _metrics(W, y, p):
    """Metrics for weight rows W (replicates x items); W = ones(1, n) gives the point values.
    Returns (replicates x 4 array in METRICS order, per-frame F1 replicates x frames)."""
    y = y.astype(np.float32)
    p = p.astype(np.float32)
    tp, fp, fn = W @ (y * p), W @ ((1 - y) * p), W @ (y * (1 - p))
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        TP, FP, FN = tp.sum(1), fp.sum(1), fn.sum(1)
        micro = np.where(2 * TP + FP + FN > 0, 2 * TP / (2 * TP + FP + FN), 0.0)
        present = (tp + fn) > 0
        macro = np.where(present.any(1), (f1 * present).sum(1) / present.sum(1), 0.0)
        n_items = W.sum(1)
        subset = W @ (y == p).all(axis=1).astype(np.float32) / n_items
        # Krippendorff's alpha, 2 coders (method, consensus), binary, no missing values:
        # 1 - d (n - 1) / (n0 n1) with d disagreeing pairs, n = 2 x decisions
        d = W @ (y != p).sum(axis=1).astype(np.float32)
        ones = W @ (y.sum(axis=1) + p.sum(axis=1))
        n = 2.0 * n_items * y.shape[1]
        alpha = np.where(ones * (n - ones) > 0, 1 - d * (n - 1) / (ones * (n - ones)), np.nan)
    return np.column_stack([micro, macro, subset, alpha]), f1


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    v = values[~np.isnan(values)]
    if len(v) == 0:
        return float("nan"), float("nan")
    q = (1 - level) / 2
    return float(np.quantile(v, q)), float(np.quantile(v, 1 - q))


def bootstrap_table(
    y_true: np.ndarray,
    preds: dict[str, np.ndarray],
    frames: list[str],
    single: bool,
    n_boot: int = 1000,
    seed: int = 42,
    chunk: int = 250,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bootstrap intervals of every method and its paired difference to the strongest
    baseline. Returns (summary: one row per method with <metric>, <metric>_lo/_hi,
    strongest_baseline, diff, diff_lo, diff_hi, beats_baselines; per frame: method, frame,
    f1, f1_lo, f1_hi, best_baseline_f1, diff_lo, diff_hi, beats_baselines)."""
    n = len(y_true)
    methods = list(preds)
    one = np.ones((1, n), dtype=np.float32)
    point = {m: _metrics(one, y_true, preds[m]) for m in methods}
    reps = {m: [] for m in methods}
    reps_f = {m: [] for m in methods}
    W_all = boot_weights(n, n_boot, seed)
    for start in range(0, n_boot, chunk):
        W = W_all[start : start + chunk]
        for m in methods:
            a, f = _metrics(W, y_true, preds[m])
            reps[m].append(a)
            reps_f[m].append(f)
    reps = {m: np.vstack(v) for m, v in reps.items()}
    reps_f = {m: np.vstack(v) for m, v in reps_f.items()}
    k = METRICS.index(primary_metric(single))
    bases = [m for m in methods if is_baseline(m)]
    strongest = max(bases, key=lambda m: point[m][0][0, k]) if bases else None
    rows = []
    for m in methods:
        row = {"method": m}
        for j, met in enumerate(METRICS):
            row[met] = float(point[m][0][0, j])
            row[f"{met}_lo"], row[f"{met}_hi"] = interval(reps[m][:, j])
        row["strongest_baseline"] = strongest or ""
        if strongest and m != strongest:
            diff = reps[m][:, k] - reps[strongest][:, k]
            row["diff"] = float(point[m][0][0, k] - point[strongest][0][0, k])
            row["diff_lo"], row["diff_hi"] = interval(diff)
            row["beats_baselines"] = bool(row["diff_lo"] > 0) and not is_baseline(m)
        else:
            row["diff"] = row["diff_lo"] = row["diff_hi"] = np.nan
            row["beats_baselines"] = False
        rows.append(row)
    summary = pd.DataFrame(rows)
    summary.insert(1, "is_baseline", [is_baseline(m) for m in methods])
    per = []
    support = y_true.sum(axis=0)
    for j, fr in enumerate(frames):
        best_b = max(bases, key=lambda m: point[m][1][0, j]) if bases else None
        for m in methods:
            lo, hi = interval(reps_f[m][:, j])
            r = {"method": m, "frame": fr, "support": int(support[j]), "f1": point[m][1][0, j]}
            r["f1_lo"], r["f1_hi"] = lo, hi
            r["best_baseline"] = best_b or ""
            r["best_baseline_f1"] = float(point[best_b][1][0, j]) if best_b else np.nan
            if best_b and not is_baseline(m):
                r["diff_lo"], r["diff_hi"] = interval(reps_f[m][:, j] - reps_f[best_b][:, j])
                r["beats_baselines"] = bool(r["diff_lo"] > 0)
            else:
                r["diff_lo"] = r["diff_hi"] = np.nan
                r["beats_baselines"] = False
            per.append(r)
    return summary, pd.DataFrame(per)


def best_topk(summary: pd.DataFrame, metric: str) -> tuple[str, int, float]:
    """The top-k baseline with the highest ``metric``: (method, k, value)."""
    tk = summary[summary["method"].str.match(r"baseline_(most_frequent|top\d+_frequent)$")]
    if tk.empty:
        return "", 0, float("nan")
    r = tk.loc[tk[metric].idxmax()]
    k = 1 if r["method"] == "baseline_most_frequent" else int(r["method"][12:].split("_")[0])
    return r["method"], k, float(r[metric])


def label_strings(y: np.ndarray, frames: list[str]) -> list[str]:
    return [";".join(frames[j] for j in np.flatnonzero(r)) or NONE_FRAME for r in y]


def items_table(
    base: pd.DataFrame, y_true: np.ndarray, preds: dict[str, np.ndarray], frames: list[str]
) -> pd.DataFrame:
    """Per-item predictions: ``base`` (item, line, excerpt, ...) + gold, and per method
    pred_<method> and correct_<method> (the predicted set equals the gold set)."""
    out = base.reset_index(drop=True).copy()
    out["gold"] = label_strings(y_true, frames)
    for m, p in preds.items():
        out[f"pred_{m}"] = label_strings(p, frames)
        out[f"correct_{m}"] = (p == y_true).all(axis=1)
    return out


def excerpt(text, n: int = 160) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _ci(r, met) -> str:
    return f"{r[met]:.2f} [{r[met + '_lo']:.2f}, {r[met + '_hi']:.2f}]"


def verdict(
    summary: pd.DataFrame,
    per_frame: pd.DataFrame,
    names: dict[str, str],
    single: bool,
    n_items: int,
    evaluation: dict[str, str],
) -> str:
    """The verdict as Markdown: which method to use overall and per frame, and which frames
    no method measures reliably."""
    met = primary_metric(single)
    label = met.replace("_f1", "-F1")
    s = summary.set_index("method")
    strongest = s["strongest_baseline"].iloc[0] if len(s) else ""
    methods = [m for m in s.index if not s.loc[m, "is_baseline"]]
    lines = [
        f"Frame validation on {n_items} human-coded items "
        f"({'single' if single else 'multi'}-label; primary score {label}; 95 % bootstrap "
        "intervals, items resampled).",
        "",
    ]
    if strongest:
        lines.append(f"- Strongest baseline: `{strongest}`, {label} {_ci(s.loc[strongest], met)}.")
        tk, k, v = best_topk(summary, met)
        if tk:
            lines.append(
                f"- Knowing the frame frequencies (best top-k, k = {k}) gives {label} {v:.2f}: "
                "the prior's upper bound."
            )
    if not methods:
        lines.append("- No classifier was scored.")
        return "\n".join(lines) + "\n"
    best = max(methods, key=lambda m: s.loc[m, met])
    lines += _method_lines(s, methods, best, strongest, evaluation, met, label)
    lines += _frame_table(per_frame, names)
    return "\n".join(lines) + "\n"


def _method_lines(s, methods, best, strongest, evaluation, met, label) -> list[str]:
    """The verdict's lines on the methods: the best one (used when it beats the baselines)
    first, then every other one, beating the baselines or not."""
    r = s.loc[best]
    how = evaluation.get(best, "")
    how = f" ({how})" if how else ""
    if r["beats_baselines"]:
        lines = [
            f"- **Use `{best}`**{how}: {label} {_ci(r, met)}; it beats `{strongest}` by "
            f"{r['diff']:+.2f} [{r['diff_lo']:+.2f}, {r['diff_hi']:+.2f}]."
        ]
    else:
        lines = [
            f"- **No method beats the baselines.** The best, `{best}`{how}, has {label} "
            f"{_ci(r, met)}; its difference to `{strongest}` is {r['diff']:+.2f} "
            f"[{r['diff_lo']:+.2f}, {r['diff_hi']:+.2f}], an interval that does not lie above "
            "0. Frame shares of this corpus measure no more than the frame frequencies do."
        ]
    for m in methods:
        if m != best:
            rr = s.loc[m]
            word = "beats" if rr["beats_baselines"] else "does not beat"
            lines.append(
                f"- `{m}`{' (' + evaluation[m] + ')' if evaluation.get(m) else ''}: {label} "
                f"{_ci(rr, met)}, {word} the baselines."
            )
    return lines


def _frame_table(per_frame: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """The verdict's per-frame table (the best method of each frame, preferring one that
    beats the baselines) and the line naming the frames no method measures reliably."""
    lines = [
        "",
        "| Frame | Coded items | Best method | F1 [95 % CI] | Best baseline F1 | Reliable |",
        "|---|---:|---|---|---:|---|",
    ]
    unreliable = []
    pf = per_frame[~per_frame["method"].map(is_baseline) & (per_frame["support"] > 0)]
    for fr, g in pf.groupby("frame", sort=False):
        b = g.loc[g["f1"].idxmax()]
        ok = bool(g["beats_baselines"].any())
        if ok:
            b = g[g["beats_baselines"]].sort_values("f1").iloc[-1]
        else:
            unreliable.append(names.get(fr, fr))
        lines.append(
            f"| {names.get(fr, fr)} | {int(b['support'])} | `{b['method']}` | "
            f"{b['f1']:.2f} [{b['f1_lo']:.2f}, {b['f1_hi']:.2f}] | {b['best_baseline_f1']:.2f} "
            f"| {'yes' if ok else 'no'} |"
        )
    lines.append("")
    if unreliable:
        lines.append(
            "Frames no method measures reliably (the interval of its F1 difference to the best "
            f"baseline does not lie above 0): {', '.join(unreliable)}."
        )
    else:
        lines.append("Every frame is measured better than by the baselines.")
    return lines
