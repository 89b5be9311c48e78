"""Frame labels in labeled and gold data, and how frame predictions are scored.

Labels arrive as one delimiter-separated string per row ("Political;Security and defense").
Each label is matched to a codebook frame by its key, its name or one of its ``labels`` aliases,
ignoring case, punctuation and underscores ("Security_and_defense", "security and defense"
and the scheme-qualified "mfc:8.0" all reach ``security_defense``), or through the config's
``framing.label_map``; any other label is unknown (an error by default), never guessed.
"none"/"no frame"/empty mean no frame: an empty label set (the class "none" in single-label
data). Every message about a row names its 1-based file line.

Scores: per-frame precision/recall/F1 (with support), micro/macro F1, subset accuracy, and
Krippendorff's alpha (nominal) between the classifier and the human coders: one alpha per
frame (coded present/absent per item), a pooled alpha over all item x frame decisions, and —
when every item has exactly one frame — alpha on the frame itself. The trivial baselines (the
most frequent frame(s) for every item) are ``frames_validity.topk_baselines``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from newslens.codebook import NONE_FRAME, Codebook
from newslens.runtime import NewslensError

NO_FRAME_LABELS = {"", "none", "no frame", "noframe", "nan", "null", "na", "n a"}
LINE = "_line"  # column of read_coded_table: the 1-based line (or row) of the record in its file


def read_coded_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a labeled/gold table (CSV/TSV/JSONL/Parquet) as strings, with column ``_line``: the
    1-based line of the file where each record starts (header = line 1 for CSV/TSV; for
    Parquet, the 1-based row). Quoted multi-line CSV fields keep the line of their record."""
    import csv

    path = Path(path)
    if not path.is_file():
        raise NewslensError(f"{what} file {path} does not exist")
    suf = path.suffix.lower()
    if suf in (".csv", ".tsv"):
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh, delimiter="," if suf == ".csv" else "\t")
                header = next(reader, None)
                if header is None:
                    raise NewslensError(f"{what} file {path} is empty")
                rows, lines, prev = [], [], reader.line_num
                for rec in reader:
                    start = prev + 1
                    prev = reader.line_num
                    if not any(x.strip() for x in rec):
                        continue  # blank line
                    if len(rec) != len(header):
                        raise NewslensError(
                            f"{what} file {path}, line {start}: {len(rec)} fields where the "
                            f"header has {len(header)}; quote fields that contain the delimiter"
                        )
                    rows.append(rec)
                    lines.append(start)
        except UnicodeDecodeError as err:
            raise NewslensError(f"{what} file {path} is not UTF-8 text ({err})") from None
        except csv.Error as err:
            raise NewslensError(f"cannot read {what} file {path}: {err}") from None
        df = pd.DataFrame(rows, columns=header, dtype=object)
        df[LINE] = lines
        return df
    df = read_any_table(path, what)
    df[LINE] = np.arange(1, len(df) + 1)
    return df


def where(lines, ids=None, limit: int = 10) -> str:
    """'lines 2, 7 (ids a, b)' for messages about rows."""
    lines = list(lines)
    out = ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines[:limit]))
    if len(lines) > limit:
        out += f" and {len(lines) - limit} more"
    if ids is not None:
        ids = [str(i) for i in list(ids)[:limit]]
        out += f" (id{'s' if len(ids) > 1 else ''} {', '.join(ids)})"
    return out


def text_key(text) -> str:
    """The text after whitespace and case folding: how items of two files are recognised as
    the same item (leakage) and duplicates are found."""
    return " ".join(str(text).casefold().split())


def read_any_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV/TSV/JSONL/Parquet table (labeled or gold data) with a clear error."""
    path = Path(path)
    if not path.is_file():
        raise NewslensError(f"{what} file {path} does not exist")
    suf = path.suffix.lower()
    try:
        if suf == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suf == ".tsv":
            return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        if suf in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        if suf in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - any parser error is the user's file
        raise NewslensError(f"cannot read {what} file {path}: {err}") from None
    raise NewslensError(
        f"{what} file {path}: unsupported format '{suf}'; use .csv, .tsv, .jsonl or .parquet"
    )


def norm_label(label) -> str:
    """Lowercase, punctuation and underscores to spaces; a trailing '8.0' becomes '8' (so that
    'mfc:8.0' matches an alias 'mfc:8'). Bare numbers match only what a codebook or
    framing.label_map lists explicitly."""
    s = str(label).strip().lower()
    s = re.sub(r"(\d+)\.0+$", r"\1", s)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def label_index(cb: Codebook, label_map: dict | None = None) -> dict[str, str]:
    """Normalised spelling -> frame key for every key, name and alias of the codebook, and the
    codes of ``label_map`` (gold code -> frame key or 'none'), which take precedence."""
    idx = {}
    for f in cb.frames:
        for s in [f["key"], f["name"], *f.get("labels", [])]:
            idx.setdefault(norm_label(s), f["key"])
    for code, key in (label_map or {}).items():
        key = str(key).strip()
        if key != NONE_FRAME and key not in cb.keys:
            raise NewslensError(
                f"config framing.label_map maps '{code}' to '{key}', which is no frame key of "
                f"codebook '{cb.name}'; use one of: {', '.join(cb.keys)} (or none)"
            )
        idx[norm_label(code)] = key
    return idx


def split_labels(raw, delimiter: str) -> list[str]:
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return []
    if isinstance(raw, list | tuple | np.ndarray):
        return [str(x) for x in raw]
    return str(raw).split(delimiter)


def parse_labels(
    values: pd.Series,
    cb: Codebook,
    delimiter: str = ";",
    unknown: str = "error",
    what: str = "labels",
    label_map: dict | None = None,
    lines=None,
) -> tuple[list[list[str]], pd.DataFrame]:
    """Parse label strings into lists of frame keys.

    A label reaches a frame only through the frame's key, name or ``labels`` in the codebook,
    or ``label_map``. Empty labels and 'none' mean no frame: an empty list. unknown: "error"
    (stop, naming every unknown label with its count and first line, the codebook's keys and
    the config keys that fix it), "keep" (keep them as frames of their own, named as written)
    or "drop" (remove them). The second return value lists every unknown label with its count
    and first line, whatever the choice. ``lines``: the 1-based file line of each value.
    """
    idx = label_index(cb, label_map)
    lines = list(lines) if lines is not None else list(range(1, len(values) + 1))
    out, unknown_rows = [], {}
    for line, raw in zip(lines, values.tolist(), strict=True):
        keys = []
        for p in split_labels(raw, delimiter):
            n = norm_label(p)
            if n in NO_FRAME_LABELS:
                continue
            k = idx.get(n)
            if k == NONE_FRAME:
                continue
            if k is None:
                u = unknown_rows.setdefault(str(p).strip(), [0, line])
                u[0] += 1
                if unknown == "keep":
                    k = str(p).strip()
                else:
                    continue
            if k not in keys:
                keys.append(k)
        out.append(keys)
    report = pd.DataFrame(
        [(lab, c, r) for lab, (c, r) in sorted(unknown_rows.items())],
        columns=["label", "n_items", "first_line"],
    )
    if len(report) and unknown == "error":
        shown = ", ".join(
            f"'{r.label}' ({r.n_items} items, first line {r.first_line})"
            for r in report.head(20).itertuples()
        )
        raise NewslensError(
            f"{what}: {len(report)} label(s) are no frame of codebook '{cb.name}': {shown}. "
            f"The codebook's frame keys: {', '.join(cb.keys)}. Map each code to a frame key in "
            f"config framing.label_map (e.g. {report['label'].iloc[0]}: <frame key>), or add "
            "it to that frame's 'labels' in the codebook, or set config framing.unknown_labels "
            "to keep (a frame of its own) or drop"
        )
    return out, report


def coverage_message(values: pd.Series, lists_unknown: pd.DataFrame, delimiter: str, what: str):
    """'412 of 433 items have all labels in the codebook' (for the log)."""
    bad = set(lists_unknown["label"]) if len(lists_unknown) else set()
    n_bad = sum(
        any(str(p).strip() in bad for p in split_labels(raw, delimiter)) for raw in values.tolist()
    )
    return f"{what}: {len(values) - n_bad} of {len(values)} items have all labels in the codebook"


def with_none(label_lists: list[list[str]]) -> list[list[str]]:
    """Single-label data: an item with no frame belongs to the class 'none'."""
    return [labs if labs else [NONE_FRAME] for labs in label_lists]


def duplicate_conflicts(texts, label_lists, lines, ids=None) -> pd.DataFrame:
    """Identical texts (after whitespace/case folding) coded differently: one row per group
    (lines, ids, the label sets). They stay separate items; this table reports them."""
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        if str(t).strip():
            groups.setdefault(text_key(t), []).append(i)
    rows = []
    for key, members in groups.items():
        sets = {tuple(sorted(label_lists[i])) for i in members}
        if len(members) > 1 and len(sets) > 1:
            rows.append(
                {
                    "lines": ";".join(str(lines[i]) for i in members),
                    "ids": ";".join(str(ids[i]) for i in members) if ids is not None else "",
                    "labels": " | ".join(";".join(label_lists[i]) or NONE_FRAME for i in members),
                    "text": key[:120],
                }
            )
    return pd.DataFrame(rows, columns=["lines", "ids", "labels", "text"])


def to_matrix(label_lists: list[list[str]], frames: list[str]) -> np.ndarray:
    col = {f: j for j, f in enumerate(frames)}
    y = np.zeros((len(label_lists), len(frames)), dtype=np.int8)
    for i, labs in enumerate(label_lists):
        for lab in labs:
            if lab in col:
                y[i, col[lab]] = 1
    return y


def is_single_label(label_lists: list[list[str]]) -> bool:
    """Single-label data: no item has two frames (items with none are the class 'none')."""
    return any(len(x) == 1 for x in label_lists) and all(len(x) <= 1 for x in label_lists)


def scores(y_true: np.ndarray, y_pred: np.ndarray, frames: list[str]) -> tuple[dict, pd.DataFrame]:
    """Micro/macro P/R/F1, subset accuracy, and a per-frame table (frame, support, n_predicted,
    precision, recall, f1). Macro averages run over frames present in the gold data."""
    tp = (y_true & y_pred).sum(axis=0).astype(float)
    fp = ((1 - y_true) & y_pred).sum(axis=0).astype(float)
    fn = (y_true & (1 - y_pred)).sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    support = y_true.sum(axis=0)
    per = pd.DataFrame(
        {
            "frame": frames,
            "support": support.astype(int),
            "n_predicted": y_pred.sum(axis=0).astype(int),
            "precision": p,
            "recall": r,
            "f1": f,
        }
    )
    present = support > 0
    TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
    mp = TP / (TP + FP) if TP + FP else 0.0
    mr = TP / (TP + FN) if TP + FN else 0.0
    summary = {
        "n_items": int(len(y_true)),
        "micro_precision": mp,
        "micro_recall": mr,
        "micro_f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0,
        "macro_precision": float(p[present].mean()) if present.any() else 0.0,
        "macro_recall": float(r[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f[present].mean()) if present.any() else 0.0,
        "subset_accuracy": float((y_true == y_pred).all(axis=1).mean()) if len(y_true) else 0.0,
    }
    return summary, per


def kalpha(data: np.ndarray, level: str = "nominal") -> float:
    """Krippendorff's alpha for coders x units data (np.nan = missing); nan when undefined
    (e.g. every value identical)."""
    import krippendorff

    data = np.asarray(data, dtype=float)
    if data.size == 0 or np.unique(data[~np.isnan(data)]).size < 2:
        return float("nan")
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except (ValueError, ZeroDivisionError):
        return float("nan")


def alpha_table(
    y_pred: np.ndarray, coder_mats: list[np.ndarray], frames: list[str]
) -> tuple[pd.DataFrame, float]:
    """Per-frame alpha (present/absent) between the classifier and the coders, and the pooled
    alpha over all item x frame decisions. coder_mats: one item x frame 0/1 matrix per coder
    (np.nan where the coder did not code the item)."""
    rows = []
    for j, fr in enumerate(frames):
        data = np.vstack([y_pred[:, j].astype(float), *[c[:, j] for c in coder_mats]])
        human = kalpha(np.vstack([c[:, j] for c in coder_mats])) if len(coder_mats) > 1 else np.nan
        rows.append(
            {"frame": fr, "alpha_classifier_coders": kalpha(data), "alpha_coders_only": human}
        )
    pooled = kalpha(np.vstack([y_pred.astype(float).ravel(), *[c.ravel() for c in coder_mats]]))
    return pd.DataFrame(rows), pooled


def topk_from_scores(scores_: np.ndarray, k: int) -> np.ndarray:
    """Binary predictions: the k highest-scoring frames of each row that score above 0."""
    y = np.zeros(scores_.shape, dtype=np.int8)
    if scores_.size == 0:
        return y
    order = np.argsort(-scores_, axis=1, kind="stable")[:, :k]
    rows = np.arange(len(scores_))[:, None]
    y[rows, order] = 1
    y[scores_ <= 0] = 0
    return y


def label_lists_from_column(col: pd.Series) -> list[list[str]]:
    """'a;b' strings (as written by the classifiers) -> lists, 'none' -> []."""
    return [[x for x in str(s).split(";") if x and x != NONE_FRAME] for s in col]


def codebook_predictions(
    doc_table: pd.DataFrame, frames: list[str], single: bool, k: int
) -> dict[str, np.ndarray]:
    """Binary predictions of the codebook classifier over ``frames`` from an article table:
    single-label data -> its primary frame; multi-label -> its labels (configured thresholds)
    and, as a second method, its k highest-share frames (k = the baseline's k)."""
    if single:
        return {"codebook": to_matrix([[p] for p in doc_table["primary_frame"]], frames)}
    labs = label_lists_from_column(doc_table["labels"])
    shares = (
        np.column_stack(
            [
                doc_table[f"share_{f}"].to_numpy(dtype=float)
                if f"share_{f}" in doc_table
                else np.zeros(len(doc_table))
                for f in frames
            ]
        )
        if frames
        else np.zeros((len(doc_table), 0))
    )
    out = {"codebook": to_matrix(labs, frames)}
    topk = topk_from_scores(shares, k)
    # the residual frame (no share column) stands for "nothing matched"
    for j, f in enumerate(frames):
        if f"share_{f}" not in doc_table:
            topk[:, j] = (doc_table["primary_frame"] == f).to_numpy()
    out[f"codebook_top{k}"] = topk
    return out


def evaluate(
    y_true: np.ndarray,
    preds: dict[str, np.ndarray],
    frames: list[str],
    coder_mats: list[np.ndarray] | None = None,
    single: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every method against the gold matrix. Returns a summary (one row per method:
    micro/macro P/R/F1, subset accuracy, pooled alpha and, for single-label data, alpha on the
    frame) and a per-frame table (method, frame, support, n_predicted, precision, recall, f1,
    alpha)."""
    coder_mats = coder_mats if coder_mats else [y_true.astype(float)]
    summ, per = [], []
    for method, y_pred in preds.items():
        s, p = scores(y_true, y_pred, frames)
        a, pooled = alpha_table(y_pred, coder_mats, frames)
        s = {"method": method, **s, "alpha_pooled": pooled}
        if single and len(coder_mats):
            pred_lab = y_pred.argmax(axis=1).astype(float)
            coded = []
            for c in coder_mats:
                lab = np.where(
                    np.nansum(c, axis=1) > 0, np.nanargmax(np.nan_to_num(c, nan=-1), axis=1), np.nan
                )
                coded.append(lab)
            s["alpha_frame"] = kalpha(np.vstack([pred_lab, *coded]))
        summ.append(s)
        per.append(p.merge(a, on="frame").assign(method=method))
    summary = pd.DataFrame(summ)
    summary["alpha_coders_pooled"] = (
        kalpha(np.vstack([c.ravel() for c in coder_mats])) if len(coder_mats) > 1 else np.nan
    )
    per_frame = pd.concat(per, ignore_index=True)
    cols = [
        "method",
        "frame",
        "support",
        "n_predicted",
        "precision",
        "recall",
        "f1",
        "alpha_classifier_coders",
        "alpha_coders_only",
    ]
    return summary, per_frame[cols]


def backoff(pred: np.ndarray, unmatched: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """The codebook's predictions, and for items in which no indicator matched at all the
    fallback predictions (the most frequent frame(s)): a codebook that abstains when it has no
    evidence instead of answering 'Other'/'none'."""
    out = pred.copy()
    out[unmatched] = fallback[unmatched]
    return out
