"""sentiment_units takes its share intervals from scipy's private ufunc
``scipy.special._ufuncs._binom_ppf`` (newslens.sentiment.binom_ppf), the function
``scipy.stats.binom.ppf`` itself calls. A private name may move or change in any scipy
release: these tests fail loudly when it does, naming what to do."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import scipy
from newslens import sentiment
from scipy.stats import binom

REPO = Path(__file__).resolve().parents[1]
UPGRADE = (
    "scipy changed scipy.special._ufuncs._binom_ppf, the private ufunc that "
    "newslens.sentiment.binom_ppf calls for sentiment_units' share intervals: check that the "
    "new scipy.stats.binom.ppf still returns _binom_ppf(q, n, p) + loc for valid arguments "
    "(scipy/stats/_discrete_distns.py, binom_gen._ppf) and that this test's grid agrees bit for "
    "bit; if not, make binom_ppf call scipy.stats.binom.ppf (the public route, ~0.5 CPU-s more "
    "per job, same values); then update the pin and this test"
)


def private_binom_ppf():
    try:
        from scipy.special._ufuncs import _binom_ppf
    except ImportError as err:  # pragma: no cover - only on a scipy without it
        pytest.fail(f"{err}: {UPGRADE}")
    return _binom_ppf


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (
        a.shape == b.shape
        and np.array_equal(a, b, equal_nan=True)
        and np.array_equal(np.signbit(a), np.signbit(b))
    )


def test_scipy_is_the_pinned_version():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    pin = next(d.split("==")[1] for d in deps if d.startswith("scipy=="))
    assert scipy.__version__ == pin == "1.17.1", UPGRADE


def test_the_private_ufunc_exists_and_is_a_ufunc():
    f = private_binom_ppf()
    assert isinstance(f, np.ufunc) and f.nin == 3 and f.nout == 1, UPGRADE


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 30, 100, 1000, 5000])
def test_the_private_ufunc_equals_scipy_stats_on_a_grid(n):
    f = private_binom_ppf()
    rng = np.random.default_rng(n)
    p = np.r_[np.arange(n + 1) / n if n <= 1000 else [], np.linspace(0, 1, 101), rng.random(200)]
    for q in (1e-9, 0.005, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.995, 1 - 1e-9):
        assert same_bits(f(q, n, p) + 0, binom.ppf(q, n, p)), f"q={q}, n={n}: {UPGRADE}"


def test_binom_ppf_takes_the_ufunc_for_valid_arguments(monkeypatch):
    # the fast path must not reach scipy.stats (else the private call is dead code)
    def public(*args, **kwargs):
        raise AssertionError(f"binom_ppf went to scipy.stats.binom.ppf: {UPGRADE}")

    monkeypatch.setattr(binom, "ppf", public)
    shares = np.array([[0.0, 0.25, 1 / 3], [0.5, 0.9, 1.0]])
    out = sentiment.binom_ppf(0.025, 3, shares)
    assert out.tolist() == [[0.0, 0.0, 0.0], [0.0, 1.0, 3.0]]
    # the 95 % interval of a share of 1 of 10 sentences: 0 to 3 positives
    assert sentiment.binom_ppf(0.025, 10, np.array([0.1]))[0] == 0.0
    assert sentiment.binom_ppf(0.975, 10, np.array([0.1]))[0] == 3.0


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 1e-12])
def test_normal_quantile_is_scipy_stats_bit_for_bit(confidence):
    from scipy.stats import norm

    assert same_bits(sentiment._z(confidence), norm.ppf(0.5 + confidence / 2))
    assert sentiment._z(0.95) == pytest.approx(1.959963984540054, abs=1e-15)


def test_normal_interval_does_not_import_scipy_stats():
    # sentiment_actors' normal intervals (actors in more than max_units articles)
    code = (
        "import sys, numpy as np\n"
        "from newslens import sentiment\n"
        "est, low, high, method = sentiment.ratio_ci(np.arange(30.0)[:, None], np.ones(30),"
        " max_units=10)\n"
        "print(method, round(float(high[0] - est[0]), 6), 'scipy.stats' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    # var = 30/29 * sum((x - 14.5)^2) / 30^2; half = 1.96 sqrt(var)
    x = np.arange(30.0)
    half = 1.959963984540054 * np.sqrt(30 / 29 * ((x - 14.5) ** 2).sum() / 900)
    assert out.stdout.split() == ["normal", f"{round(half, 6)}", "False"]
