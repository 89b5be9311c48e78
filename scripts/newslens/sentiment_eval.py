"""Checking a sentiment classifier against human coding, and the supervised option.

* :func:`read_coded_file` reads a researcher's labeled or gold file (CSV, TSV, JSONL,
  Parquet) and checks its columns and labels, naming the file, column and rows at fault.
* :func:`cross_validate` trains TF-IDF + logistic regression with stratified k-fold and
  reports per-class precision/recall/F1 and the confusion matrix.
* :func:`validation_report` compares classifier scores with human ratings (Pearson, Spearman,
  each with a Fisher-z CI) and labels (precision/recall/F1, accuracy, Cohen's kappa).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from newslens.runtime import NewslensError
from newslens.sentiment import LABELS
from newslens.tokenize import split_sentences as tokenize_sentences
from newslens.tokenize import text_splitter
from newslens.vader import score_texts


def read_table_file(path: str | Path, key: str, header: bool = True) -> pd.DataFrame:
    """Read a CSV, TSV (.tsv/.tab/.txt, tab-separated, quotes not special), JSONL or Parquet
    file, naming ``key`` (the config key) on failure. Without a header line (CSV/TSV only),
    columns are named by position: "0", "1", ... Undecodable bytes are replaced."""
    path = Path(path)
    suffix = path.suffix.lower()
    opts = dict(
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8",
        encoding_errors="replace",
        header=0 if header else None,
    )
    try:
        if suffix == ".csv":
            df = pd.read_csv(path, **opts)
        elif suffix in (".tsv", ".tab", ".txt"):
            df = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, **opts)
        elif suffix in (".jsonl", ".ndjson"):
            df = pd.read_json(path, lines=True, dtype=False)
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(path)
        else:
            raise NewslensError(
                f"config key {key}: {path} has an unsupported suffix '{suffix}'; give a .csv, "
                ".tsv/.txt (tab-separated), .jsonl or .parquet file."
            )
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise NewslensError(f"config key {key}: cannot read {path}: {err}") from err
    df.columns = [str(c) for c in df.columns]
    return df


def _need_column(df: pd.DataFrame, column: str, path, key: str) -> None:
    """The column that config key ``key`` names is in ``df`` (read from ``path``, config key
    ``<section>.file``), else the pre-job check's error (:func:`newslens.preflight.require_column`)."""
    from newslens.preflight import require_column

    require_column(list(df.columns), key, column, path, key.rsplit(".", 1)[0] + ".file")


def _rows(mask: np.ndarray, limit: int = 5) -> str:
    idx = np.flatnonzero(mask)[:limit] + 2  # +2: 1-based, after the header line
    more = " ..." if mask.sum() > limit else ""
    return ", ".join(map(str, idx)) + more


# Label spellings understood without a label_map (case-insensitive).
BUILTIN_LABELS = {"neg": "negative", "neu": "neutral", "pos": "positive"}


def normalize_labels(
    values: pd.Series,
    path,
    column: str,
    key: str,
    labels=LABELS,
    label_map: dict | None = None,
) -> pd.Series:
    """Map raw labels to ``labels`` (case-insensitive; through ``label_map`` first, e.g.
    {"-1": negative, "0": neutral, "1": positive}). Missing or unknown labels raise a
    NewslensError naming the file, column, rows and values."""
    raw = values.astype("string").str.strip()
    missing = raw.isna() | (raw == "")
    if missing.any():
        raise NewslensError(
            f"{path}, column '{column}': {int(missing.sum())} row(s) have no label "
            f"(file lines {_rows(missing.to_numpy())}). Fill them in or remove the rows."
        )
    mapping = dict(BUILTIN_LABELS)
    mapping.update({str(k).strip().lower(): v for k, v in (label_map or {}).items()})
    low = raw.str.lower()
    mapped = low.map(lambda v: mapping.get(v, v))
    unknown = ~mapped.isin(labels)
    if unknown.any():
        bad = sorted(set(raw[unknown].tolist()))[:10]
        raise NewslensError(
            f"{path}, column '{column}': unknown label(s) {bad} (file lines "
            f"{_rows(unknown.to_numpy())}). Allowed: {list(labels)}; map other codes with "
            f"config key {key}."
        )
    return mapped.astype(object)


def read_coded_file(
    path,
    text_column: str,
    label_column: str | None = None,
    rating_column: str | None = None,
    key: str = "sentiment.validation",
    labels=LABELS,
    label_map: dict | None = None,
    header: bool = True,
) -> pd.DataFrame:
    """A coded file as a table with columns text, and label and/or rating (float). Columns
    are named, or given by 0-based position when the file has no header line."""
    df = read_table_file(path, f"{key}.file", header)
    text_column = str(text_column)
    label_column = None if label_column is None else str(label_column)
    rating_column = None if rating_column is None else str(rating_column)
    if len(df) == 0:
        raise NewslensError(f"{path}: the file has no rows (config key {key}.file).")
    _need_column(df, text_column, path, f"{key}.text_column")
    out = pd.DataFrame({"text": df[text_column].astype("string").fillna("").astype(str)})
    empty = out["text"].str.strip() == ""
    if empty.any():
        raise NewslensError(
            f"{path}, column '{text_column}': {int(empty.sum())} row(s) have no text (file "
            f"lines {_rows(empty.to_numpy())}). Fill them in or remove the rows."
        )
    if label_column is not None:
        _need_column(df, label_column, path, f"{key}.label_column")
        out["label"] = normalize_labels(
            df[label_column], path, label_column, f"{key}.label_map", labels, label_map
        ).to_numpy()
    if rating_column is not None:
        _need_column(df, rating_column, path, f"{key}.rating_column")
        rating = pd.to_numeric(df[rating_column], errors="coerce")
        bad = rating.isna() | ~np.isfinite(rating.astype(float))
        if bad.any():
            raise NewslensError(
                f"{path}, column '{rating_column}': {int(bad.sum())} row(s) have a missing or "
                f"non-numeric rating (file lines {_rows(bad.to_numpy())})."
            )
        out["rating"] = rating.astype(float).to_numpy()
    return out


def make_splitter(texts, abbreviations=()):
    """A sentence splitter for coded texts (``tokenize.text_splitter``: Punkt trained on the
    texts themselves plus the configured abbreviations, so "Dec. 19", "U.S. Trade" and
    "Mr. Smith" stay whole)."""
    return text_splitter(texts, abbreviations)


def split_sentences(text: str, split) -> list[str]:
    """The sentences of ``text`` (``tokenize.split_sentences``; the text itself when it has
    none)."""
    return tokenize_sentences(text, split) or [text]


def vader_text_scores(
    texts, analyzer, unit: str = "sentence_mean", abbreviations=(), split=None
) -> np.ndarray:
    """Compound score per text: the mean of its sentences' compound scores (as the pipeline
    scores articles; default) or VADER on the whole text at once (unit "text"). A text of
    one sentence gets the same score either way."""
    texts = list(texts)
    if unit == "text":
        return np.array([s[3] for s in score_texts(texts, analyzer)], dtype=float)
    if unit != "sentence_mean":
        raise ValueError(f"unknown scoring unit {unit!r}")
    split = split or make_splitter(texts, abbreviations)
    out = np.empty(len(texts))
    for i, t in enumerate(texts):
        out[i] = np.mean([s[3] for s in score_texts(split_sentences(t, split), analyzer)])
    return out


# --------------------------------------------------------------------------- supervised


def make_pipeline(seed: int = 0, model: str = "logistic"):
    """TF-IDF (word 1-2-grams, sublinear tf) + a linear model with balanced class weights."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    if model == "logistic":
        clf = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed)
    elif model == "linear_svm":
        clf = LinearSVC(class_weight="balanced", random_state=seed)
    else:
        raise ValueError(f"unknown model {model!r}")
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True)
    return Pipeline([("tfidf", tfidf), ("clf", clf)])


def supervised_score(model, texts) -> tuple[np.ndarray, np.ndarray]:
    """Predicted label and a continuous score P(positive) - P(negative) (or the decision
    function difference for models without probabilities)."""
    labels = model.predict(texts)
    classes = list(model.classes_)
    if hasattr(model, "predict_proba"):
        prob = model.predict_proba(texts)
    else:
        prob = model.decision_function(texts)
        prob = prob if prob.ndim == 2 else np.column_stack([-prob, prob])
    pos = prob[:, classes.index("positive")] if "positive" in classes else 0
    neg = prob[:, classes.index("negative")] if "negative" in classes else 0
    return labels, np.asarray(pos - neg, dtype=float)


def check_folds(labels: pd.Series, folds: int, path, key: str) -> None:
    """Stratified k-fold needs at least ``folds`` examples of every class (and 2 classes)."""
    counts = labels.value_counts()
    if len(counts) < 2:
        raise NewslensError(
            f"{path}: only one class ({counts.index[0]!r}) in the labels; a classifier needs "
            "examples of at least two classes."
        )
    small = counts[counts < folds]
    if len(small):
        detail = ", ".join(f"{k!r}: {v}" for k, v in small.items())
        raise NewslensError(
            f"{path}: too few examples for stratified {folds}-fold cross-validation "
            f"({detail}; each class needs at least {folds}). Add examples or lower config "
            f"key {key}."
        )


def classification_metrics(y_true, y_pred, labels=LABELS) -> pd.DataFrame:
    """Per-class precision, recall, F1, support, then macro avg, weighted avg and accuracy.

    Classes are those of the human coding (``y_true``): with a positive/negative gold set, a
    "neutral" prediction counts as a miss, and the averages are over the two coded classes.
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    present = [lab for lab in labels if lab in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    rows = [
        {"class": lab, "precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
        for i, lab in enumerate(present)
    ]
    for avg in ("macro", "weighted"):
        pa, ra, fa, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=present, average=avg, zero_division=0
        )
        rows.append(
            {
                "class": f"{avg} avg",
                "precision": pa,
                "recall": ra,
                "f1": fa,
                "support": int(len(y_true)),
            }
        )
    acc = accuracy_score(y_true, y_pred)
    rows.append(
        {
            "class": "accuracy",
            "precision": np.nan,
            "recall": np.nan,
            "f1": acc,
            "support": int(len(y_true)),
        }
    )
    return pd.DataFrame(rows)


def confusion_table(y_true, y_pred, labels=LABELS) -> pd.DataFrame:
    """Long confusion matrix: true, predicted, n (every pair of labels, zeros included;
    pairs with a label outside ``labels`` are not counted)."""
    k = len(labels)
    t = pd.Categorical(np.asarray(y_true, dtype=object), categories=list(labels)).codes
    p = pd.Categorical(np.asarray(y_pred, dtype=object), categories=list(labels)).codes
    ok = (t >= 0) & (p >= 0)
    m = np.bincount(t[ok].astype(np.int64) * k + p[ok], minlength=k * k).reshape(k, k)
    return pd.DataFrame(
        [
            {"true": t, "predicted": p, "n": int(m[i, j])}
            for i, t in enumerate(labels)
            for j, p in enumerate(labels)
        ]
    )


def cross_validate(texts, labels, folds: int = 5, seed: int = 0, model: str = "logistic"):
    """Stratified k-fold (shuffled with ``seed``) predictions, metrics and confusion table."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    pred = cross_val_predict(make_pipeline(seed, model), list(texts), list(labels), cv=cv)
    present = [lab for lab in LABELS if lab in set(labels)]
    return (
        pred,
        classification_metrics(labels, pred, present),
        confusion_table(labels, pred, present),
    )


def agreement(a, b, labels=LABELS) -> pd.DataFrame:
    """How often two labelings agree: n, share identical, Cohen's kappa, and the cross-table
    as rows (first, second, n)."""
    from sklearn.metrics import cohen_kappa_score

    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    n = len(a)
    same = float((a == b).mean()) if n else np.nan
    kappa = (
        float(cohen_kappa_score(a, b, labels=list(labels)))
        if n and len(set(a) | set(b)) > 1
        else np.nan
    )
    return pd.DataFrame([{"n_sentences": n, "share_identical": same, "cohen_kappa": kappa}])


def agreement_from_counts(cross: pd.DataFrame) -> pd.DataFrame:
    """Agreement of two labelings from their cross-table (true, predicted, n): n, share
    identical and Cohen's kappa (NaN when undefined)."""
    m = cross.pivot(index="true", columns="predicted", values="n").fillna(0).to_numpy(float)
    n = m.sum()
    if n == 0:
        return pd.DataFrame([{"n_sentences": 0, "share_identical": np.nan, "cohen_kappa": np.nan}])
    po = np.trace(m) / n
    pe = float((m.sum(axis=1) * m.sum(axis=0)).sum()) / n**2
    kappa = (po - pe) / (1 - pe) if pe < 1 else np.nan
    return pd.DataFrame([{"n_sentences": int(n), "share_identical": po, "cohen_kappa": kappa}])


# --------------------------------------------------------------------------- validation


def correlation_row(x, y, method: str, confidence: float = 0.95) -> dict:
    """Pearson or Spearman r with a Fisher-z CI and p value."""
    from scipy import stats

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(x)
    if n < 3 or np.std(x) == 0 or np.std(y) == 0:
        return {
            "measure": method,
            "r": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "n": n,
        }
    if method == "pearson":
        r, p = stats.pearsonr(x, y)
    else:
        r, p = stats.spearmanr(x, y)
    r = float(r)
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    half = stats.norm.ppf(0.5 + confidence / 2) / np.sqrt(max(n - 3, 1))
    return {
        "measure": method,
        "r": r,
        "ci_low": float(np.tanh(z - half)),
        "ci_high": float(np.tanh(z + half)),
        "p_value": float(p),
        "n": n,
    }


def rating_labels(rating, negative_max: float, positive_min: float) -> np.ndarray:
    """Human ratings -> labels: <= negative_max negative, >= positive_min positive."""
    r = np.asarray(rating, float)
    out = np.full(r.shape, "neutral", dtype=object)
    out[r <= negative_max] = "negative"
    out[r >= positive_min] = "positive"
    return out


def validation_report(gold: pd.DataFrame, score, predicted, confidence: float = 0.95):
    """(correlations, metrics, confusion) comparing classifier output with the gold coding.

    ``score`` is the classifier's continuous score per text and ``predicted`` its label.
    Correlations need gold["rating"]; metrics need gold["label"]. Missing parts are empty.
    """
    corr = pd.DataFrame(columns=["measure", "r", "ci_low", "ci_high", "p_value", "n"])
    if "rating" in gold:
        corr = pd.DataFrame(
            [correlation_row(gold["rating"], score, m, confidence) for m in ("pearson", "spearman")]
        )
    metrics = pd.DataFrame(columns=["class", "precision", "recall", "f1", "support"])
    confusion = pd.DataFrame(columns=["true", "predicted", "n"])
    if "label" in gold:
        metrics = classification_metrics(gold["label"], predicted)
        from sklearn.metrics import cohen_kappa_score

        kappa = cohen_kappa_score(gold["label"], predicted, labels=list(LABELS))
        metrics = pd.concat(
            [metrics, pd.DataFrame([{"class": "cohen_kappa", "f1": kappa, "support": len(gold)}])],
            ignore_index=True,
        )
        confusion = confusion_table(gold["label"], predicted)
    return corr, metrics, confusion
