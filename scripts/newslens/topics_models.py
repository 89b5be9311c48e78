"""Topic modelling, models: NMF / LDA estimators, fitting, transforming units, topic shares."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from newslens.runtime import NewslensError
from newslens.topics_matrix import tfidf

MODELS = ("nmf-frobenius", "nmf-kl", "lda-batch", "lda-online")


def make_model(
    model: str,
    k: int,
    seed: int,
    max_iter: int | None = None,
    incremental: bool = False,
    batch_size: int = 2048,
    tol: float = 1e-4,
    init: str = "nndsvda",
):
    """A scikit-learn estimator for ``model`` (see MODELS) with K topics.

    NMF uses the NNDSVDa initialisation (deterministic up to the randomized SVD's seed) and
    stops when the relative improvement falls below ``tol`` (LDA runs ``max_iter`` passes);
    ``incremental`` switches NMF to MiniBatchNMF and LDA to online learning, whose memory does
    not grow with the number of units fitted.
    """
    from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF

    if model.startswith("nmf"):
        loss = "frobenius" if model == "nmf-frobenius" else "kullback-leibler"
        solver = "cd" if loss == "frobenius" else "mu"
        if incremental:
            return MiniBatchNMF(
                n_components=k,
                init=init,
                beta_loss=loss,
                random_state=seed,
                batch_size=batch_size,
                max_iter=max_iter or 200,
                tol=tol,
            )
        return NMF(
            n_components=k,
            init=init,
            beta_loss=loss,
            solver=solver,
            random_state=seed,
            max_iter=max_iter or (200 if solver == "cd" else 400),
            tol=tol,
        )
    if model.startswith("lda"):
        online = incremental or model == "lda-online"
        return LatentDirichletAllocation(
            n_components=k,
            learning_method="online" if online else "batch",
            batch_size=batch_size,
            max_iter=max_iter or 10,
            random_state=seed,
            n_jobs=1,
        )
    raise NewslensError(f"config key topics.model: '{model}' is not one of {', '.join(MODELS)}")


def model_input(
    model: str, counts: sparse.csr_matrix, df: np.ndarray, n_units: int
) -> sparse.csr_matrix:
    """What a model is fitted on: TF-IDF for NMF, raw counts for LDA."""
    return tfidf(counts, df, n_units) if model.startswith("nmf") else counts.tocsr()


def fit_model(model: str, x: sparse.csr_matrix, k: int, seed: int, return_w: bool = False, **kw):
    """Fit ``model`` on ``x``; return (estimator, topic-term matrix H of shape K x V), and with
    ``return_w`` also the fitted rows' unit-topic weights W (from the same fit, no extra
    transform)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    est = make_model(model, k, seed, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = _fit_cd(est, x) if _plain_cd(est, x) else est.fit_transform(x)
    h = np.asarray(est.components_, dtype=np.float64)
    if model.startswith("lda"):
        h = h / h.sum(axis=1, keepdims=True)
        w[np.asarray(x.getnnz(axis=1)) == 0] = 0.0
    return (est, h, w) if return_w else (est, h)


def transform(est, x: sparse.csr_matrix, chunk: int = 50_000, prepare=None) -> np.ndarray:
    """Unit-topic weights for every row of ``x``, in chunks (bounded memory). ``prepare``, when
    given, turns a chunk of rows into the model input (e.g. TF-IDF), so that the input of all
    units is never held at once. Rows that are all zero get zero weights (LDA would otherwise
    give them the uniform prior)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    x = x.tocsr()
    out = np.zeros((x.shape[0], est.n_components), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for start in range(0, x.shape[0], chunk):
            part = x[start : start + chunk]
            if prepare is not None:
                part = prepare(part)
            out[start : start + part.shape[0]] = _solve_w(est, part)
    out[np.asarray(x.getnnz(axis=1)) == 0] = 0.0
    return out


def _solve_w(est, x) -> np.ndarray:
    """``est.transform(x)``. For NMF's coordinate descent without regularisation or shuffling
    (this module's NMF) the same steps as scikit-learn's (``_fit_coordinate_descent`` with
    H fixed: W from zeros, one ``_update_cdnmf_fast`` pass per iteration until the violation
    falls to ``tol`` of the first), but X H^T and H H^T are computed once, not at every
    iteration: H does not change and the update only reads them, so W is the same bits. Like
    sklearn (its ``X.min()``), it puts ``x`` in canonical form in place first: the product
    sums each row's entries in index order."""
    if not (_plain_cd(est, x) and x.dtype == est.components_.dtype):
        return est.transform(x)
    from sklearn.decomposition._cdnmf_fast import _update_cdnmf_fast

    x = x.tocsr()
    x.sum_duplicates()  # in place, as sklearn's ``X.min()`` check does: sorted indices
    ht = np.ascontiguousarray(est.components_.T)
    hht = np.dot(ht.T, ht)
    xht = np.asarray(x @ ht)  # sklearn's safe_sparse_dot of a sparse X and a dense H^T
    w = np.zeros((x.shape[0], ht.shape[1]), dtype=x.dtype)
    permutation = np.arange(ht.shape[1], dtype=np.intp)
    first = None
    for _ in range(est.max_iter):
        violation = 0.0
        violation += _update_cdnmf_fast(w, hht, xht, permutation)
        first = violation if first is None else first
        if first == 0 or violation / first <= est.tol:
            break
    return w


def mixture(w: np.ndarray) -> np.ndarray:
    """Row-normalise unit-topic weights to shares summing to 1 (all-zero rows stay zero)."""
    s = w.sum(axis=1, keepdims=True)
    return np.divide(w, s, out=np.zeros_like(w, dtype=np.float64), where=s > 0)


def _plain_cd(est, x) -> bool:
    """``est`` is this module's NMF (coordinate descent, no regularisation, no shuffling,
    a standard start) and ``x`` a sparse float matrix: the case ``_fit_cd`` and ``_solve_w``
    compute with scikit-learn's own update steps."""
    from sklearn.decomposition import NMF

    return (
        type(est) is NMF
        and est.solver == "cd"
        and est.alpha_W == 0
        and est.alpha_H in (0, "same")
        and not est.shuffle
        and est.init in ("random", "nndsvd", "nndsvda", "nndsvdar")
        and est.n_components is not None
        and sparse.issparse(x)
        and x.format in ("csr", "csc")
        and x.dtype in (np.float32, np.float64)
    )


def _fit_cd(est, x) -> np.ndarray:
    """``est.fit_transform(x)`` for a ``_plain_cd`` NMF: the same start
    (``_initialize_nmf``), the same ``_update_cdnmf_fast`` steps and stopping rule as
    scikit-learn's ``_fit_coordinate_descent``, so W and H are the same bits, but X^T is
    converted to CSR once: sklearn's H step multiplies the CSC view ``X.T`` by W at every
    iteration (a scatter into the term rows); the CSR copy's rows hold each term's units in
    ascending order, the order the scatter adds them, at ~2/3 of its cost. ``x`` is put in
    canonical form in place first, as sklearn's ``X.min()`` check does. The fitted attributes
    are set as sklearn sets them, except ``reconstruction_err_`` (not computed)."""
    from sklearn.decomposition._cdnmf_fast import _update_cdnmf_fast
    from sklearn.decomposition._nmf import _initialize_nmf
    from sklearn.utils.validation import validate_data

    x = validate_data(est, x, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32])
    x = x.tocsr()
    x.sum_duplicates()
    est._check_params(x)
    w, h = _initialize_nmf(x, est._n_components, init=est.init, random_state=est.random_state)
    w = np.ascontiguousarray(w)
    ht = np.ascontiguousarray(h.T)
    xt = x.T.tocsr()
    permutation = np.arange(ht.shape[1], dtype=np.intp)
    first = None
    n_iter = 0
    for it in range(1, est.max_iter + 1):
        n_iter = it
        violation = 0.0
        violation += _update_cdnmf_fast(w, np.dot(ht.T, ht), np.asarray(x @ ht), permutation)
        violation += _update_cdnmf_fast(ht, np.dot(w.T, w), np.asarray(xt @ w), permutation)
        first = violation if first is None else first
        if first == 0 or violation / first <= est.tol:
            break
    est.n_components_ = ht.shape[1]
    est.components_ = ht.T
    est.n_iter_ = n_iter
    return w
