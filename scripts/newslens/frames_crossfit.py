"""Cross-fitting: no item is scored (or labeled) by a model that saw it.

The labeled items are split into folds by their text after whitespace/case folding (identical
texts always fall in the same fold, so a duplicate cannot leak its label into the model that
predicts it). Each fold gets a model fitted on the other folds; every labeled item gets its
out-of-fold prediction. A gold item or corpus article that is also a labeled item (same id,
or the same folded text) is predicted by the model of that item's fold ("cross_fitted");
every other item by the model fitted on all labeled items ("held_out").

Two learners are cross-fitted: the stage's supervised classifier, through
``newslens.frames_supervised.fit_tuned`` (its features and tuning untouched), and the plain
TF-IDF + logistic regression baseline (scikit-learn defaults). Splits and solvers are seeded;
the results do not depend on thread scheduling.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from newslens.frames_eval import text_key
from newslens.runtime import NewslensError


def group_folds(texts, k: int, seed: int) -> np.ndarray:
    """Fold (0..k-1) of every text: the distinct folded texts are shuffled (seeded) and dealt
    round-robin into k folds; duplicates share their fold."""
    keys = [text_key(t) for t in texts]
    uniq = list(dict.fromkeys(keys))
    if len(uniq) < k:
        raise NewslensError(
            f"labeled data: {len(uniq)} distinct texts are too few for {k}-fold "
            "cross-validation; lower framing.supervised.folds or label more items"
        )
    order = np.random.default_rng(seed).permutation(len(uniq))
    fold_of_key = {uniq[i]: pos % k for pos, i in enumerate(order)}
    return np.array([fold_of_key[key] for key in keys], dtype=int)


class PlainTfidfLR:
    """The plain baseline: TF-IDF (scikit-learn defaults) + logistic regression (C = 1).
    Single-label data: one multinomial model over the frames (and 'none'); multi-label data:
    one binary model per frame, a frame predicted at probability >= 0.5."""

    def __init__(self, single: bool, seed: int = 0):
        self.single = single
        self.seed = seed

    def fit(self, texts, Y):
        Y = np.asarray(Y)
        self.n_ = Y.shape[1]
        self.vec_ = TfidfVectorizer()
        X = self.vec_.fit_transform(list(texts))
        self.models_ = {}
        if self.single:
            cls = Y.argmax(axis=1)
            if len(np.unique(cls)) < 2:
                self.const_ = int(cls[0]) if len(cls) else 0
            else:
                self.models_["single"] = LogisticRegression(
                    max_iter=1000, random_state=self.seed
                ).fit(X, cls)
            return self
        self.const_ = {}
        for j in range(self.n_):
            if len(np.unique(Y[:, j])) < 2:
                self.const_[j] = int(Y[0, j]) if len(Y) else 0
            else:
                self.models_[j] = LogisticRegression(max_iter=1000, random_state=self.seed).fit(
                    X, Y[:, j]
                )
        return self

    def predict(self, texts) -> np.ndarray:
        X = self.vec_.transform(list(texts))
        out = np.zeros((X.shape[0], self.n_), dtype=np.int8)
        if self.single:
            if "single" in self.models_:
                m = self.models_["single"]
                out[np.arange(X.shape[0]), m.classes_[m.predict_proba(X).argmax(axis=1)]] = 1
            else:
                out[:, self.const_] = 1
            return out
        for j in range(self.n_):
            if j in self.models_:
                out[:, j] = self.models_[j].predict_proba(X)[:, 1] >= 0.5
            else:
                out[:, j] = self.const_[j]
        return out


def fit_plain(texts, Y, single: bool, seed: int = 0) -> PlainTfidfLR:
    return PlainTfidfLR(single, seed).fit(texts, Y)


def fit_supervised(texts, Y, params: dict, single: bool, scorer=None):
    """The stage's supervised classifier (tuned by its own inner CV), deterministic: its
    inner candidates run one after another (liblinear's random state is global in C, so
    parallel threads would make fits depend on scheduling)."""
    from newslens.frames_supervised import fit_tuned

    return fit_tuned(np.asarray(texts, dtype=object), Y, {**params, "n_jobs": 1}, single, scorer)


def cross_fit(fit, texts, Y, folds: np.ndarray, n_jobs: int = 1):
    """Out-of-fold predictions. ``fit(texts, Y)`` returns a model with ``predict`` (and
    optionally ``predict_proba``) or a (model, settings) tuple. From 1,000 items on, folds are
    fitted in ``n_jobs`` separate processes (each fit alone in its process: the same result as
    one after another).
    Returns (pred, proba or None, fold models, settings per fold)."""
    from joblib import Parallel, delayed

    texts = np.asarray(texts, dtype=object)
    Y = np.asarray(Y)
    pred = np.zeros(Y.shape, dtype=np.int8)
    proba = None
    models, settings = [], []
    k = int(folds.max()) + 1 if len(folds) else 0
    # worker processes cost seconds to start: worth it only for larger labeled sets
    jobs = min(max(1, n_jobs), max(1, k)) if len(texts) >= 1000 else 1
    fitted = Parallel(n_jobs=jobs, prefer="processes")(
        delayed(fit)(texts[folds != f], Y[folds != f]) for f in range(k)
    )
    for f, got in enumerate(fitted):
        te = folds == f
        model, setting = got if isinstance(got, tuple) else (got, "")
        models.append(model)
        settings.append(setting)
        if te.any():
            pred[te] = model.predict(texts[te])
            if hasattr(model, "predict_proba"):
                if proba is None:
                    proba = np.zeros(Y.shape, dtype=float)
                proba[te] = model.predict_proba(texts[te])
    return pred, proba, models, settings


def match_training(keys, ids, train_keys, train_ids) -> np.ndarray:
    """For each item: the index of the labeled item it is (same id when both have ids, else
    the same folded text), or -1."""
    by_key = {}
    for i, k in enumerate(train_keys):
        by_key.setdefault(k, i)
    by_id = {}
    if train_ids is not None:
        for i, v in enumerate(train_ids):
            by_id.setdefault(str(v), i)
    out = np.full(len(keys), -1, dtype=int)
    for i, k in enumerate(keys):
        if ids is not None and by_id and str(ids[i]) in by_id:
            out[i] = by_id[str(ids[i])]
        elif k in by_key:
            out[i] = by_key[k]
    return out


def predict_crossfitted(
    final, fold_models, train_folds, match: np.ndarray, texts, method="predict"
):
    """Predictions for items: those that are labeled items (match >= 0) by the model of their
    fold, the others by the final model. Returns (predictions, evaluation per item)."""
    texts = np.asarray(texts, dtype=object)
    outs = None
    how = np.where(match >= 0, "cross_fitted", "held_out").astype(object)
    groups = [(final, match < 0)] + [
        (m, (match >= 0) & (train_folds[np.maximum(match, 0)] == f))
        for f, m in enumerate(fold_models)
    ]
    for model, sel in groups:
        if not sel.any():
            continue
        p = getattr(model, method)(texts[sel])
        if outs is None:
            outs = np.zeros((len(texts), p.shape[1]), dtype=p.dtype)
        outs[sel] = p
    return outs, how
