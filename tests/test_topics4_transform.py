"""topic_model transforms every unit with X H^T and H H^T computed once per chunk
(``topics_models._solve_w``): the unit-topic weights are scikit-learn's ``NMF.transform``
bit for bit (float32 and float64, empty rows, one iteration, converged and unconverged
models), and every other estimator still goes through its own ``transform``."""

from __future__ import annotations

import numpy as np
import pytest
from newslens import topics_models as tm
from newslens.topics_matrix import tfidf
from scipy import sparse


def corpus(n=600, v=120, seed=4, dtype=np.float32):
    rng = np.random.default_rng(seed)
    dense = rng.poisson(0.12, size=(n, v)).astype(np.float64)
    for t in range(4):  # four planted themes
        rows = np.arange(t, n, 4)
        dense[np.ix_(rows, np.arange(t * 20, t * 20 + 15))] += rng.poisson(0.8, (len(rows), 15))
    dense[rng.choice(n, 25, replace=False)] = 0  # units without terms
    counts = sparse.csr_matrix(dense)
    x = tfidf(counts, np.asarray((counts > 0).sum(axis=0)).ravel(), n)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("max_iter", [1, 7, 200])
def test_solve_w_is_nmf_transform_bit_for_bit(dtype, max_iter):
    x = corpus(dtype=dtype)
    est, _ = tm.fit_model("nmf-frobenius", x[:400], 5, 0, max_iter=max_iter, tol=1e-4)
    for rows in (x, x[400:], x[:1]):
        want = est.transform(rows)
        got = tm._solve_w(est, rows)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
    assert tm._solve_w(est, x).any()  # not a trivial zero solution
    assert tm._solve_w(est, x[5:5]).shape == (0, 5)  # (sklearn refuses 0 rows; never asked)


def test_unsorted_indices_and_duplicates_as_sklearn_sees_them():
    # TF-IDF rows come with unsorted column indices; sklearn sorts them (in place) before
    # its products, so the sums run in index order: the same bits need the same order
    x = corpus(n=500, v=90, seed=8)
    est, _ = tm.fit_model("nmf-frobenius", x, 4, 0, max_iter=200, tol=1e-6)
    rng = np.random.default_rng(1)
    shuffled = x.copy()
    for i in range(shuffled.shape[0]):
        lo, hi = shuffled.indptr[i], shuffled.indptr[i + 1]
        order = lo + rng.permutation(hi - lo)
        shuffled.indices[lo:hi] = shuffled.indices[order]
        shuffled.data[lo:hi] = shuffled.data[order]
    shuffled.has_sorted_indices = False
    dup = sparse.csr_matrix(
        (np.repeat(x.data / 2, 2), (np.repeat(x.nonzero()[0], 2), np.repeat(x.indices, 2))),
        shape=x.shape,
    )
    dup.has_canonical_format = False
    for rows in (shuffled, dup):
        want = est.transform(rows.copy())
        assert tm._solve_w(est, rows.copy()).tobytes() == want.tobytes()


def test_transform_in_chunks_equals_the_chunked_sklearn_transform():
    x = corpus(n=900)
    est, _ = tm.fit_model("nmf-frobenius", x, 4, 1, max_iter=50, tol=1e-4)
    got = tm.transform(est, x, chunk=256)
    want = np.zeros_like(got)
    for start in range(0, x.shape[0], 256):
        want[start : start + 256] = est.transform(x[start : start + 256])
    want[np.asarray(x.getnnz(axis=1)) == 0] = 0.0
    assert got.tobytes() == want.tobytes()


def test_other_estimators_use_their_own_transform():
    x = corpus(n=300)
    calls = []
    for model in ("nmf-kl", "lda-batch"):
        est, _ = tm.fit_model(model, x[:200], 3, 0, max_iter=5)
        original = est.transform
        est.transform = lambda rows, f=original: calls.append(1) or f(rows)
        assert tm._solve_w(est, x).tobytes() == original(x).tobytes()
    est, _ = tm.fit_model("nmf-frobenius", x[:200], 3, 0, max_iter=5)
    est.set_params(alpha_W=0.01)  # regularised: not the plain path
    original = est.transform
    est.transform = lambda rows, f=original: calls.append(1) or f(rows)
    assert tm._solve_w(est, x).tobytes() == original(x).tobytes()
    assert len(calls) == 3
