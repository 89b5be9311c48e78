"""Supervised frame classification: TF-IDF features + one-vs-rest logistic regression.

Trained on researcher-labeled rows (text + one or more frames). Features: word 1..``ngram_max``
-grams and, optionally, character n-grams within word boundaries (``char_ngram_max`` > 0;
robust to inflection, spelling and compounds) and the codebook's per-frame shares
(``codebook_features``); each block is scaled to unit length per text so that no block drowns
the others. Single-label data (every row one frame) predict the most probable frame; multi-label
data predict every frame whose probability reaches its threshold (at least the most probable
one). The regularisation C, the class weighting and, for multi-label data, the threshold (one
for all frames, or one per frame with ``threshold_mode: per_frame``) are chosen by an inner
cross-validation inside each outer fold, so the reported k-fold scores are not tuned on their
own test rows.

Reproducibility: every split and fit is seeded, and fits never run in threads of one process
(liblinear draws its coordinate order from one process-wide generator, so concurrent fits in
threads change each other's results); parallel work runs in separate processes and is
gathered in a fixed order, so results do not depend on ``n_jobs`` or scheduling.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import normalize

from newslens.frames_calibrate import coordinate_ascent
from newslens.runtime import NewslensError


class TextFeatures:
    """Word TF-IDF, optional character n-gram TF-IDF and optional dense extra scores (a
    callable texts -> array, e.g. codebook shares), each block L2-normalised per text and
    weighted, stacked side by side."""

    def __init__(
        self,
        ngram_max=2,
        min_df=1,
        max_features=None,
        char_ngram_min=2,
        char_ngram_max=0,
        char_min_df=2,
        char_max_features=None,
        char_weight=1.0,
        scorer=None,
        scorer_weight=1.0,
    ):
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features
        self.char_ngram_min = char_ngram_min
        self.char_ngram_max = char_ngram_max
        self.char_min_df = char_min_df
        self.char_max_features = char_max_features
        self.char_weight = char_weight
        self.scorer = scorer
        self.scorer_weight = scorer_weight

    def _blocks(self):
        word = TfidfVectorizer(
            ngram_range=(1, self.ngram_max),
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            strip_accents="unicode",
            lowercase=True,
            dtype=np.float64,
        )
        out = [("word", word, 1.0)]
        if self.char_ngram_max and self.char_ngram_max >= self.char_ngram_min:
            char = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(self.char_ngram_min, self.char_ngram_max),
                sublinear_tf=True,
                min_df=self.char_min_df,
                max_features=self.char_max_features,
                strip_accents="unicode",
                lowercase=True,
                dtype=np.float64,
            )
            out.append(("char", char, float(self.char_weight)))
        return out

    def fit_transform(self, texts):
        texts = list(map(str, texts))
        self.blocks_ = self._blocks()
        mats = [w * vec.fit_transform(texts) for _, vec, w in self.blocks_]
        return self._stack(mats, texts)

    def transform(self, texts):
        texts = list(map(str, texts))
        mats = [w * vec.transform(texts) for _, vec, w in self.blocks_]
        return self._stack(mats, texts)

    def _stack(self, mats, texts):
        if self.scorer is not None:
            dense = np.asarray(self.scorer(texts), dtype=np.float64)
            mats.append(self.scorer_weight * sp.csr_matrix(normalize(dense)))
        return mats[0].tocsr() if len(mats) == 1 else sp.hstack(mats, format="csr")


class FrameClassifier(BaseEstimator, ClassifierMixin):
    """Text features (:class:`TextFeatures`) + OneVsRest(LogisticRegression) over a 0/1 label
    matrix, with the single-/multi-label decision rule described in the module doc.
    ``threshold`` is one number or an array with one threshold per frame."""

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
        char_ngram_min=2,
        char_ngram_max=0,
        char_min_df=2,
        char_max_features=None,
        char_weight=1.0,
        scorer=None,
        scorer_weight=1.0,
    ):
        self.C = C
        self.class_weight = class_weight
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features
        self.threshold = threshold
        self.single_label = single_label
        self.random_state = random_state
        self.char_ngram_min = char_ngram_min
        self.char_ngram_max = char_ngram_max
        self.char_min_df = char_min_df
        self.char_max_features = char_max_features
        self.char_weight = char_weight
        self.scorer = scorer
        self.scorer_weight = scorer_weight

    def make_vectorizer(self) -> TextFeatures:
        return TextFeatures(
            ngram_max=self.ngram_max,
            min_df=self.min_df,
            max_features=self.max_features,
            char_ngram_min=self.char_ngram_min,
            char_ngram_max=self.char_ngram_max,
            char_min_df=self.char_min_df,
            char_max_features=self.char_max_features,
            char_weight=self.char_weight,
            scorer=self.scorer,
            scorer_weight=self.scorer_weight,
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
                ),
                n_jobs=None,  # never threads: see the module doc
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
        """The decision rule: argmax (single-label) or threshold(s) with at least the argmax."""
        return decide(P, self.threshold, self.single_label)

    def predict_proba(self, X):
        return self.proba_matrix(self.vectorizer_.transform(X))

    def predict(self, X):
        return self.decide(self.predict_proba(X))


def decide(P: np.ndarray, threshold, single_label: bool) -> np.ndarray:
    """0/1 labels from probabilities: the most probable frame, and (multi-label) every frame
    whose probability reaches its threshold (a number, or one per column)."""
    Y = np.zeros(P.shape, dtype=np.int8)
    if P.size == 0:
        return Y
    if not single_label:
        Y[P >= np.asarray(threshold, dtype=float)] = 1
    Y[np.arange(len(P)), P.argmax(axis=1)] = 1
    return Y


def per_frame_thresholds(
    Y: np.ndarray, P: np.ndarray, grid, average: str = "micro", start: float = 0.5
) -> np.ndarray:
    """One probability threshold per frame (from ``grid``), chosen on held-out probabilities
    ``P`` of rows with known labels ``Y`` to maximise micro- or macro-F1 of the multi-label
    decision rule: coordinate ascent, frame by frame, two passes, ties to the first grid value
    closest to ``start``. Deterministic."""
    grid = sorted(float(t) for t in grid)
    order = sorted(grid, key=lambda t: (abs(t - start), t))
    th = np.full(Y.shape[1], order[0] if order else start)
    if not grid or Y.shape[1] == 0:
        return th
    return coordinate_ascent(
        th, order, lambda th: f1_score(Y, decide(P, th, False), average=average, zero_division=0)
    )


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


def make_classifier(params: dict, single_label: bool, scorer=None) -> FrameClassifier:
    """A classifier with the configured (framing.supervised) settings; ``scorer`` (texts ->
    per-frame scores) adds the codebook features when params['codebook_features'] is true."""
    use_scorer = scorer is not None and bool(params.get("codebook_features", False))
    return FrameClassifier(
        C=float(params.get("C", 1.0)) if params.get("C") is not None else 1.0,
        class_weight=_class_weight(params.get("class_weight", "balanced")),
        ngram_max=int(params.get("ngram_max", 2)),
        min_df=int(params.get("min_df", 1)),
        max_features=params.get("max_features"),
        threshold=float(params.get("threshold", 0.5)),
        single_label=single_label,
        random_state=int(params.get("seed", 0)),
        char_ngram_min=int(params.get("char_ngram_min", 2)),
        char_ngram_max=int(params.get("char_ngram_max", 0) or 0),
        char_min_df=int(params.get("char_min_df", 2)),
        char_max_features=(
            int(params["char_max_features"]) if params.get("char_max_features") else None
        ),
        scorer=scorer if use_scorer else None,
    )


def describe(model: FrameClassifier) -> str:
    out = f"C={model.C:g},class_weight={model.class_weight or 'none'}"
    if model.single_label:
        return out
    th = np.atleast_1d(np.asarray(model.threshold, dtype=float))
    return f"{out},threshold={'/'.join(f'{t:g}' for t in th)}"


def tune_average(params: dict, single_label: bool) -> str:
    """'macro' or 'micro': the F1 the inner CV maximises (tune_metric; auto = macro-F1 for
    single-label data, micro-F1 for multi-label data)."""
    metric = params.get("tune_metric", "auto")
    if metric in (None, "auto"):
        return "macro" if single_label else "micro"
    return "macro" if metric == "f1_macro" else "micro"


def _inner_fold(base, candidates, texts, Y, tr, va):
    """Probabilities of every candidate (C, class weight) on one inner validation fold."""
    vec = base.make_vectorizer()
    Xtr = vec.fit_transform(texts[tr])
    Xva = vec.transform(texts[va])
    return [
        clone(base).set_params(C=c, class_weight=w).fit_matrix(Xtr, Y[tr]).proba_matrix(Xva)
        for c, w in candidates
    ]


def char_ngrams_for(texts, params: dict) -> dict:
    """``params`` with character n-grams switched off (char_ngram_max 0) when the median
    labeled text is longer than params['char_max_words'] words (None = never switched off).
    Character n-grams help short texts (headlines, sentences), whose few words are sparse
    evidence; on long articles they multiplied the fit time by about 8 for a gain that was not
    established (docs/framing-supervised.md). Decided from the training texts alone."""
    limit = params.get("char_max_words")
    if not limit or not params.get("char_ngram_max") or not len(texts):
        return params
    median_words = float(np.median([len(str(t).split()) for t in texts]))
    if median_words > float(limit):
        return {**params, "char_ngram_max": 0}
    return params


def fit_tuned(
    texts, Y, params: dict, single_label: bool, scorer=None
) -> tuple[FrameClassifier, str]:
    """Fit with C (params['C_grid']), the class weighting (none or balanced, when
    params['class_weight'] is 'tune') and, for multi-label data, the probability threshold
    (params['threshold_grid']; one per frame when params['threshold_mode'] is 'per_frame')
    chosen by inner CV on params['tune_metric'] (see :func:`tune_average`). Each inner fold is
    vectorised once and shared by all candidates; thresholds only re-read the out-of-fold
    probabilities. Inner folds run in parallel processes when params['n_jobs'] > 1. Without
    a grid, or with too few rows, it fits the configured values. Returns the fitted model and
    its settings as text."""
    params = char_ngrams_for(texts, params)
    Cs = [float(c) for c in (params.get("C_grid") or [1.0])]
    weights = (
        [None, "balanced"]
        if params.get("class_weight") == "tune"
        else [_class_weight(params.get("class_weight", "balanced"))]
    )
    thresholds = [float(params.get("threshold", 0.5))]
    if not single_label and params.get("threshold_grid"):
        thresholds = [float(t) for t in params["threshold_grid"]]
    per_frame = not single_label and params.get("threshold_mode", "global") == "per_frame"
    candidates = [(c, w) for w in weights for c in Cs]
    texts = np.asarray(texts, dtype=object)
    Y = np.asarray(Y)
    base = make_classifier({**params, "C": Cs[0]}, single_label, scorer)
    base.set_params(class_weight=weights[0], threshold=thresholds[0])
    inner = int(params.get("inner_folds", 3))
    tunable = len(candidates) * len(thresholds) > 1 or per_frame
    if tunable and len(texts) >= 2 * inner:
        average = tune_average(params, single_label)
        kf = KFold(inner, shuffle=True, random_state=int(params.get("seed", 0)))
        splits = list(kf.split(texts))
        n_jobs = min(int(params.get("n_jobs", 1) or 1), len(splits))
        folds = Parallel(n_jobs=n_jobs, backend="loky" if n_jobs > 1 else "sequential")(
            delayed(_inner_fold)(base, candidates, texts, Y, tr, va) for tr, va in splits
        )
        # out-of-fold probabilities of each candidate over all training rows
        oof = np.zeros((len(candidates), *Y.shape))
        for (_, va), probs in zip(splits, folds, strict=True):
            for k, P in enumerate(probs):
                oof[k, va] = P
        best = (-1.0, 0, thresholds[0])
        for k in range(len(candidates)):
            if per_frame:
                th = per_frame_thresholds(Y, oof[k], thresholds, average, thresholds[0])
                options = [th]
            else:
                options = thresholds
            for t in options:
                s = f1_score(Y, decide(oof[k], t, single_label), average=average, zero_division=0)
                if s > best[0] + 1e-12:  # ties: the first (smallest C, no weights)
                    best = (s, k, t)
        c, w = candidates[best[1]]
        base.set_params(C=c, class_weight=w, threshold=best[2])
    base.fit(texts, Y)
    return base, describe(base)


def _outer_fold(texts, Y, params, single_label, scorer, tr, te):
    model, chosen = fit_tuned(texts[tr], Y[tr], {**params, "n_jobs": 1}, single_label, scorer)
    return model.predict(texts[te]), chosen


def cross_validate(
    texts, Y, params: dict, single_label: bool, scorer=None
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """k-fold out-of-fold predictions (each row predicted by a model that never saw it), the
    settings chosen in each fold, and the fold of each row. Folds run in parallel processes
    when params['n_jobs'] > 1 (same results as one process)."""
    k = int(params.get("folds", 5))
    n = len(texts)
    if n < k:
        raise NewslensError(
            f"labeled data: {n} rows are too few for {k}-fold cross-validation; lower "
            "framing.supervised.folds or label more rows"
        )
    X = np.asarray(texts, dtype=object)
    Y = np.asarray(Y)
    pred = np.zeros(Y.shape, dtype=np.int8)
    fold_of = np.zeros(n, dtype=int)
    kf = KFold(k, shuffle=True, random_state=int(params.get("seed", 0)))
    splits = list(kf.split(X))
    n_jobs = min(int(params.get("n_jobs", 1) or 1), k)
    results = Parallel(n_jobs=n_jobs, backend="loky" if n_jobs > 1 else "sequential")(
        delayed(_outer_fold)(X, Y, params, single_label, scorer, tr, te) for tr, te in splits
    )
    chosen = []
    for f, ((_, te), (p, c)) in enumerate(zip(splits, results, strict=True)):
        pred[te] = p
        fold_of[te] = f
        chosen.append(c)
    return pred, chosen, fold_of


class CodebookScorer:
    """texts -> the codebook classifier's per-frame shares (one column per codebook frame and
    one for 'no frame'), used as extra features. Picklable: holds the compiled codebook as a
    dict and builds its matcher on first use."""

    def __init__(self, codebook: dict, options: dict):
        self.codebook = codebook
        self.options = dict(options)

    def __getstate__(self):
        return {"codebook": self.codebook, "options": self.options}

    def __call__(self, texts) -> np.ndarray:
        from newslens.codebook import Codebook, Matcher, get_normalizer
        from newslens.framing import classify_texts

        if not hasattr(self, "cb_"):
            self.cb_ = Codebook.from_dict(self.codebook)
            self.matcher_ = Matcher(self.cb_)
            self.norm_ = get_normalizer(self.cb_.normalize, self.cb_.language)
        texts = list(map(str, texts))
        docs = classify_texts(
            [str(i) for i in range(len(texts))],
            texts,
            self.cb_,
            self.matcher_,
            self.norm_,
            self.options,
        )
        cols = [f"share_{k}" for k in self.cb_.keys if f"share_{k}" in docs] + ["share_none"]
        return docs[cols].to_numpy(dtype=float)
