"""newslens.sentiment.binom_ppf without scipy: the NumPy quantile of the binomial
(_exact_binom_ppf) gives scipy's ``_binom_ppf`` exactly, and hands the too-close-to-call
entries to scipy."""

import numpy as np
import pytest
from newslens import sentiment
from newslens.sentiment import _exact_binom_ppf, binom_ppf
from scipy.special._ufuncs import _binom_ppf

QS = (0.025, 0.975, 0.005, 0.995, 0.05, 0.95, 0.25, 0.75, 0.5)


@pytest.mark.parametrize("q", QS)
def test_every_share_of_up_to_150_sentences_is_scipys(q):
    settled = 0
    for n in [*range(1, 151), 400, 1000]:
        p = np.r_[np.arange(n + 1) / n, np.random.default_rng(n).random(20)]
        want = _binom_ppf(q, n, p) + 0
        got, unsettled = _exact_binom_ppf(q, n, p)
        np.testing.assert_array_equal(got[~unsettled], want[~unsettled])
        np.testing.assert_array_equal(binom_ppf(q, n, p), want)  # unsettled ones from scipy
        settled += int((~unsettled).sum())
    assert settled >= 0.999 * sum(len(np.arange(n + 1)) + 20 for n in [*range(1, 151), 400, 1000])


def test_known_values_and_edges():
    got, unsettled = _exact_binom_ppf(0.025, 5, np.array([0.0, 1.0, 0.2, 0.6]))
    assert got.tolist() == [0.0, 5.0, 0.0, 1.0]
    assert not unsettled.any()
    # P(X <= 0) = 0.5 exactly for n = 1, p = 0.5: too close to call, scipy decides (0)
    got, unsettled = _exact_binom_ppf(0.5, 1, np.array([0.5]))
    assert unsettled.tolist() == [True]
    assert binom_ppf(0.5, 1, np.array([0.5])).tolist() == [0.0]
    # the shape of p is kept (within_unit_ci passes (G, 3) shares)
    p = np.array([[0.0, 0.5, 1.0], [0.25, 0.75, 0.5]])
    assert binom_ppf(0.975, 4, p).tolist() == (_binom_ppf(0.975, 4, p) + 0).tolist()


def test_all_unsettled_is_scipy(monkeypatch):
    monkeypatch.setattr(sentiment, "_PPF_MARGIN", 2.0)
    p = np.arange(11) / 10
    np.testing.assert_array_equal(binom_ppf(0.025, 10, p), _binom_ppf(0.025, 10, p) + 0)


def test_invalid_arguments_still_go_to_scipy_stats():
    from scipy.stats import binom

    p = np.array([0.5, 1.5, -0.1])
    np.testing.assert_array_equal(binom_ppf(0.025, 10, p), binom.ppf(0.025, 10, p))
    np.testing.assert_array_equal(binom_ppf(1.0, 10, p[:1]), binom.ppf(1.0, 10, p[:1]))


def test_unit_intervals_do_not_import_scipy():
    """The article units of a shard (sentiment_score's work) leave scipy unimported, and
    their share intervals are scipy's."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = """
import json, sys
import numpy as np, pandas as pd
from newslens.sentiment import within_unit_ci
rng = np.random.default_rng(3)
n = rng.integers(1, 40, 300)
doc = np.repeat(np.arange(len(n)).astype(str), n)
c = np.round(rng.uniform(-1, 1, len(doc)), 4)
lab = np.where(c <= -0.05, "negative", np.where(c >= 0.05, "positive", "neutral"))
df = pd.DataFrame({"doc_id": doc, "para_id": 0, "sent_id": np.arange(len(doc)),
                   "compound": c, "label": lab})
t = within_unit_ci(df, ["doc_id"], 200, 0, 0.9)
print(json.dumps({"scipy": [m for m in sys.modules if m.startswith("scipy")],
                  "low": t["share_positive_ci_low"].tolist(),
                  "high": t["share_negative_ci_high"].tolist(),
                  "n": t["n_sentences"].tolist(), "pos": t["share_positive"].tolist(),
                  "neg": t["share_negative"].tolist()}))
"""
    scripts = Path(__file__).resolve().parents[1] / "scripts"
    env = {**os.environ, "PYTHONPATH": str(scripts)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["scipy"] == []
    n, pos, neg = (np.array(got[k]) for k in ("n", "pos", "neg"))
    two = n >= 2
    want_low = (_binom_ppf(0.05, n, pos) + 0) / n
    want_high = (_binom_ppf(0.95, n, neg) + 0) / n
    np.testing.assert_array_equal(np.array(got["low"], dtype=float)[two], want_low[two])
    np.testing.assert_array_equal(np.array(got["high"], dtype=float)[two], want_high[two])
    assert np.isnan(np.array(got["low"], dtype=float)[~two]).all()
