"""Supervised frame classification: TF-IDF + one-vs-rest logistic regression (scikit-learn).

Trained on researcher-labeled rows (text + one or more frames). Single-label data (every row
one frame) predict the most probable frame; multi-label data predict every frame whose
probability reaches ``threshold`` (at least the most probable one). The regularisation C (and,
optionally, the class weighting) is chosen by an inner cross-validation on a small grid, inside
each outer fold, so the reported k-fold scores are not tuned on their own test rows.
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier

from newslens.runtime import NewslensError


class FrameClassifier(BaseEstimator, ClassifierMixin):
    """TF-IDF (word n-grams, sublinear tf) + OneVsRest(LogisticRegression) over a 0/1 label
    matrix, with the single-/multi-label decision rule described in the module doc."""

    def __init__(
        self,
        C=1.0,
        class_weight="balanced",
        ngram_max=2,
        min_df=1,
        max_features=None,
        threshold=0.5,
        single_label=False,
        random_state=0,
    ):
        self.C = C
        self.class_weight = class_weight
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features
        self.threshold = threshold
        self.single_label = single_label
        self.random_state = random_state

    def make_vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            ngram_range=(1, self.ngram_max),
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            strip_accents="unicode",
            lowercase=True,
        )

    def fit(self, X, Y):
        self.vectorizer_ = self.make_vectorizer()
        return self.fit_matrix(self.vectorizer_.fit_transform(X), Y)

    def fit_matrix(self, Xv, Y):
        """Fit the linear models on an already vectorised matrix."""
        Y = np.asarray(Y)
        self.constant_ = {}
        cols = []
        for j in range(Y.shape[1]):
            vals = np.unique(Y[:, j])
            if len(vals) < 2:  # a frame present in all (or no) training rows
                self.constant_[j] = int(vals[0]) if len(vals) else 0
            else:
                cols.append(j)
        self.cols_ = cols
        self.n_labels_ = Y.shape[1]
        if cols:
            self.model_ = OneVsRestClassifier(
                LogisticRegression(
                    C=self.C,
                    class_weight=self.class_weight,
                    solver="liblinear",
                    # the dual problem is ~20x faster when features outnumber texts (as with
                    # TF-IDF n-grams) and has the same solution
                    dual=Xv.shape[1] > Xv.shape[0],
                    max_iter=1000,
                    random_state=self.random_state,
                )
            )
            self.model_.fit(Xv, Y[:, cols])
        return self

    def proba_matrix(self, Xv):
        P = np.zeros((Xv.shape[0], self.n_labels_))
        if self.cols_:
            p = self.model_.predict_proba(Xv)
            P[:, self.cols_] = p if p.ndim == 2 else p[:, None]
        for j, v in self.constant_.items():
            P[:, j] = float(v)
        return P

    def decide(self, P):
        """The decision rule: argmax (single-label) or threshold with at least the argmax."""
        Y = np.zeros(P.shape, dtype=np.int8)
        if P.size == 0:
            return Y
        top = P.argmax(axis=1)
        if not self.single_label:
            Y[P >= self.threshold] = 1
        Y[np.arange(len(P)), top] = 1
        return Y

    def predict_proba(self, X):
        return self.proba_matrix(self.vectorizer_.transform(X))

    def predict(self, X):
        return self.decide(self.predict_proba(X))


def check_labeled(texts: list[str], label_lists: list[list[str]], what: str = "labeled data"):
    """Refuse data a classifier cannot learn from, saying why (empty texts are reported)."""
    empty = [i for i, t in enumerate(texts) if not str(t).strip()]
    if empty:
        raise NewslensError(
            f"{what}: {len(empty)} row(s) have empty text (first rows: "
            f"{', '.join(map(str, empty[:10]))}); remove them or fill the text column"
        )
    unlabeled = [i for i, labs in enumerate(label_lists) if not labs]
    if unlabeled:
        raise NewslensError(
            f"{what}: {len(unlabeled)} row(s) have no frame label (first rows: "
            f"{', '.join(map(str, unlabeled[:10]))}); every row needs at least one frame"
        )
    frames = sorted({f for labs in label_lists for f in labs})
    if len(frames) < 2:
        raise NewslensError(
            f"{what}: every row has the same single frame ({', '.join(frames) or 'none'}); a "
            "classifier needs at least two different frames to learn from"
        )
    return frames


def _class_weight(value):
    return None if value in (None, "none", "tune") else value


def make_classifier(params: dict, single_label: bool) -> FrameClassifier:
    return FrameClassifier(
        C=float(params.get("C", 1.0)) if params.get("C") is not None else 1.0,
        class_weight=_class_weight(params.get("class_weight", "balanced")),
        ngram_max=int(params.get("ngram_max", 2)),
        min_df=int(params.get("min_df", 1)),
        max_features=params.get("max_features"),
        threshold=float(params.get("threshold", 0.5)),
        single_label=single_label,
        random_state=int(params.get("seed", 0)),
    )


def describe(model: FrameClassifier) -> str:
    out = f"C={model.C:g},class_weight={model.class_weight or 'none'}"
    return out if model.single_label else f"{out},threshold={model.threshold:g}"


def fit_tuned(texts, Y, params: dict, single_label: bool) -> tuple[FrameClassifier, str]:
    """Fit with C (params['C_grid']), the class weighting (none or balanced, when
    params['class_weight'] is 'tune') and, for multi-label data, the probability threshold
    (params['threshold_grid']) chosen by inner CV on params['tune_metric'] (f1_micro or
    f1_macro). Each inner fold is vectorised once and shared by all candidates; thresholds
    only re-read the same probabilities. Without a grid, or with too few rows, it fits the
    configured values. Returns the fitted model and its settings as text."""
    Cs = [float(c) for c in (params.get("C_grid") or [1.0])]
    weights = (
        [None, "balanced"]
        if params.get("class_weight") == "tune"
        else [_class_weight(params.get("class_weight", "balanced"))]
    )
    thresholds = [float(params.get("threshold", 0.5))]
    if not single_label and params.get("threshold_grid"):
        thresholds = [float(t) for t in params["threshold_grid"]]
    candidates = [(c, w) for w in weights for c in Cs]
    texts = np.asarray(texts, dtype=object)
    Y = np.asarray(Y)
    base = make_classifier({**params, "C": Cs[0]}, single_label)
    base.set_params(class_weight=weights[0], threshold=thresholds[0])
    inner = int(params.get("inner_folds", 3))
    if len(candidates) * len(thresholds) > 1 and len(texts) >= 2 * inner:
        average = "macro" if params.get("tune_metric") == "f1_macro" else "micro"
        score = np.zeros((len(candidates), len(thresholds)))
        kf = KFold(inner, shuffle=True, random_state=int(params.get("seed", 0)))
        for tr, va in kf.split(texts):
            vec = base.make_vectorizer()
            Xtr = vec.fit_transform(texts[tr])
            Xva = vec.transform(texts[va])

            def run(c, w, Xtr=Xtr, Xva=Xva, tr=tr, va=va):
                m = clone(base).set_params(C=c, class_weight=w).fit_matrix(Xtr, Y[tr])
                P = m.proba_matrix(Xva)
                out = []
                for t in thresholds:
                    m.threshold = t
                    out.append(f1_score(Y[va], m.decide(P), average=average, zero_division=0))
                return out

            # liblinear releases the GIL: threads share the matrices without copies
            score += np.array(
                Parallel(n_jobs=int(params.get("n_jobs", 1)), prefer="threads")(
                    delayed(run)(c, w) for c, w in candidates
                )
            )
        # ties: the first (smallest C, no weights, first threshold)
        k, j = np.unravel_index(int(np.argmax(score)), score.shape)
        c, w = candidates[k]
        base.set_params(C=c, class_weight=w, threshold=thresholds[j])
    base.fit(texts, Y)
    return base, describe(base)


def cross_validate(
    texts, Y, params: dict, single_label: bool
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """k-fold out-of-fold predictions (each row predicted by a model that never saw it), the
    settings chosen in each fold, and the fold of each row."""
    k = int(params.get("folds", 5))
    n = len(texts)
    if n < k:
        raise NewslensError(
            f"labeled data: {n} rows are too few for {k}-fold cross-validation; lower "
            "framing.supervised.folds or label more rows"
        )
    X = np.asarray(texts, dtype=object)
    pred = np.zeros(Y.shape, dtype=np.int8)
    fold_of = np.zeros(n, dtype=int)
    chosen = []
    kf = KFold(k, shuffle=True, random_state=int(params.get("seed", 0)))
    for f, (tr, te) in enumerate(kf.split(X)):
        model, c = fit_tuned(X[tr], Y[tr], params, single_label)
        pred[te] = model.predict(X[te])
        fold_of[te] = f
        chosen.append(c)
    return pred, chosen, fold_of
