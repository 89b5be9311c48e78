"""topics5: the NMF fits by scikit-learn's own coordinate-descent steps with X^T in CSR
(topics_models._fit_cd) give the same bits as NMF.fit_transform, and the term ranking sorted
once (topics_measures.term_order) gives the same top-n lists."""

import warnings

import numpy as np
import pytest
from newslens import topics_measures as tm
from newslens import topics_models as tmod
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning


def tfidf_like(n=300, v=400, density=0.03, dtype=np.float32, seed=0, shuffle_rows=True):
    """A sparse non-negative matrix with unsorted column indices within rows (as TF-IDF
    rows are) and a few empty rows and columns."""
    rng = np.random.default_rng(seed)
    x = sparse.random(n, v, density=density, format="csr", random_state=seed, dtype=np.float64)
    x.data = rng.gamma(1.0, 1.0, size=x.nnz)
    x = x.astype(dtype)
    x = sparse.lil_matrix(x)
    x[5] = 0
    x[:, 7] = 0
    x = sparse.csr_matrix(x)
    x.eliminate_zeros()
    if shuffle_rows:
        for i in range(x.shape[0]):
            a, b = x.indptr[i], x.indptr[i + 1]
            perm = rng.permutation(b - a)
            x.indices[a:b] = x.indices[a:b][perm]
            x.data[a:b] = x.data[a:b][perm]
        x.has_sorted_indices = False
    return x


def both(x, **kw):
    out = {}
    for side in ("sklearn", "new"):
        est = NMF(**kw)
        xs = x.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            w = est.fit_transform(xs) if side == "sklearn" else tmod._fit_cd(est, xs)
        out[side] = (w, np.ascontiguousarray(est.components_), est.n_iter_, xs, est)
    return out["sklearn"], out["new"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("init", ["nndsvda", "random", "nndsvd"])
@pytest.mark.parametrize("k,max_iter,tol", [(2, 1, 1e-4), (5, 50, 1e-3), (12, 200, 1e-4)])
def test_fit_cd_is_sklearn_bit_for_bit(dtype, init, k, max_iter, tol):
    x = tfidf_like(dtype=dtype, seed=k)
    (w0, h0, n0, x0, e0), (w1, h1, n1, x1, e1) = both(
        x, n_components=k, init=init, random_state=3, max_iter=max_iter, tol=tol
    )
    assert w0.dtype == w1.dtype == dtype and h1.dtype == dtype
    assert w0.tobytes() == w1.tobytes()
    assert h0.tobytes() == h1.tobytes()
    assert n0 == n1 and 1 <= n1 <= max_iter
    # the caller's matrix is put in canonical form in place, as sklearn's X.min() does
    assert x1.has_sorted_indices and x0.indices.tobytes() == x1.indices.tobytes()
    assert e1.n_components_ == k and e1.n_features_in_ == x.shape[1]


def test_fit_cd_stops_at_tol_like_sklearn():
    x = tfidf_like(n=200, v=150, density=0.1, seed=9)
    (_, h0, n0, _, _), (_, h1, n1, _, _) = both(
        x, n_components=3, init="nndsvda", random_state=0, max_iter=500, tol=1e-2
    )
    assert n0 == n1 < 500  # stopped by the tolerance, at the same iteration
    assert h0.tobytes() == h1.tobytes()


def test_fit_model_and_transform_use_it_and_match_sklearn():
    x = tfidf_like(seed=4)
    est, h, w = tmod.fit_model("nmf-frobenius", x.copy(), 6, 1, return_w=True, max_iter=40)
    ref = NMF(n_components=6, init="nndsvda", random_state=1, max_iter=40, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w_ref = ref.fit_transform(x.copy())
    assert w.tobytes() == w_ref.tobytes()
    assert h.tobytes() == np.asarray(ref.components_, dtype=np.float64).tobytes()
    # the fitted estimator transforms as sklearn's does (topics4's _solve_w path)
    assert tmod.transform(est, x).tobytes() == tmod.transform(ref, x).tobytes()


def test_other_models_keep_sklearn_fit():
    x = tfidf_like(seed=5)
    assert not tmod._plain_cd(NMF(n_components=3, solver="mu"), x)
    assert not tmod._plain_cd(NMF(n_components=3, alpha_W=0.1), x)
    assert not tmod._plain_cd(NMF(n_components=3, shuffle=True), x)
    assert not tmod._plain_cd(NMF(n_components=3, init="nndsvda"), x.toarray())
    assert not tmod._plain_cd(NMF(n_components=3, init=None), x)  # sklearn picks the start
    assert tmod._plain_cd(NMF(n_components=3, init="nndsvda"), x)
    est, h = tmod.fit_model("nmf-kl", x.copy(), 3, 0, max_iter=30)
    ref = tmod.make_model("nmf-kl", 3, 0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit_transform(x.copy())
    assert h.tobytes() == np.asarray(ref.components_, dtype=np.float64).tobytes()


def test_term_order_gives_the_same_top_lists_as_copies():
    rng = np.random.default_rng(0)
    h = rng.integers(0, 5, size=(7, 60)).astype(float)  # many ties: lower index first
    order = tm.term_order(h)
    for n in (1, 10, 20, 25, 60, 100):
        a = tm.top_terms(h, n)
        b = tm.top_terms(h, n, order)
        assert a.tobytes() == b.tobytes() and a.shape == (7, min(n, 60))
        assert np.array_equal(a, np.argsort(-h, axis=1, kind="stable")[:, :n])
        assert b.base is None  # a copy: the whole ranking is not kept alive
    assert tm.topic_diversity(h, 25) == tm.topic_diversity(h, 25, order)
    assert tm.topic_diversity(h, 25) == len(np.unique(order[:, :25])) / (7 * 25)
