"""Known-answer checks of the compare statistics: G2/chi-square against scipy, the Monroe et al.
(2008) log-odds against a plain implementation of the paper's formulas, BH against a by-hand
computation, groups and references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_evidence as ce
from newslens.runtime import NewslensError
from scipy import sparse, stats


def test_g2_chi2_equal_scipy():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 60, 40)
    b = rng.integers(1, 60, 40)
    c = rng.integers(200, 5000, 40)
    d = rng.integers(200, 5000, 40)
    g2, g2_p, chi2, chi2_p = cp.g2_chi2(a, b, c, d)
    for i in range(40):
        table = np.array([[a[i], b[i]], [c[i], d[i]]])
        s_g2, s_gp, _, _ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        s_chi2, s_cp, _, _ = stats.chi2_contingency(table, correction=False)
        assert g2[i] == pytest.approx(s_g2, rel=1e-9, abs=1e-9)
        assert g2_p[i] == pytest.approx(s_gp, rel=1e-9, abs=1e-12)
        assert chi2[i] == pytest.approx(s_chi2, rel=1e-9, abs=1e-9)
        assert chi2_p[i] == pytest.approx(s_cp, rel=1e-9, abs=1e-12)


def reference_log_odds(y_i, y_j, alpha):
    """Monroe, Colaresi & Quinn (2008), eqs. 16-22, one word at a time."""
    n_i, n_j, a0 = sum(y_i), sum(y_j), sum(alpha)
    deltas, zs = [], []
    for w in range(len(alpha)):
        om_i = (y_i[w] + alpha[w]) / (n_i + a0 - y_i[w] - alpha[w])
        om_j = (y_j[w] + alpha[w]) / (n_j + a0 - y_j[w] - alpha[w])
        delta = math.log(om_i) - math.log(om_j)
        var = 1.0 / (y_i[w] + alpha[w]) + 1.0 / (y_j[w] + alpha[w])
        deltas.append(delta)
        zs.append(delta / math.sqrt(var))
    return deltas, zs


def test_log_odds_equal_paper_formulas():
    y_i = [10, 0, 3, 50, 7]
    y_j = [2, 4, 3, 40, 30]
    alpha = [5.0, 1.0, 2.0, 30.0, 12.0]
    delta, z = cp.log_odds_prior(y_i, y_j, alpha)
    ref_d, ref_z = reference_log_odds(y_i, y_j, alpha)
    assert delta == pytest.approx(ref_d, rel=1e-12)
    assert z == pytest.approx(ref_z, rel=1e-12)
    # word 0 is over-used by i, word 4 by j
    assert z[0] > 1.96 and z[4] < -1.96


def test_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    # sorted 0.01,0.03,0.04,0.2 -> *4/rank = 0.04,0.06,0.0533,0.2 -> cummin from the top
    expected = np.array([0.04, 0.05333333, 0.05333333, 0.2])
    assert cp.bh(p) == pytest.approx(expected, rel=1e-6)
    assert np.isnan(cp.bh(np.array([np.nan, 0.5]))[0])


def test_log_ratio_known_value():
    lr, lo, hi = cp.log_ratio([99.5], [49.5], 1000, 1000, smoothing=0.5)
    assert lr[0] == pytest.approx(1.0)
    # the interval is the profile-likelihood one (it inverts G2): G2 of the table with the
    # group's counts scaled to each bound's ratio is z^2 there; about as wide as Wald's
    se = math.sqrt(1 / 100 + 1 / 50) / math.log(2)
    assert hi[0] - lo[0] == pytest.approx(2 * 1.959964 * se, rel=0.05)
    assert lo[0] < math.log2(99.5 / 49.5) < hi[0]


def test_keyness_table_rest_and_named_reference():
    # 4 articles: A uses "war" a lot, B uses "peace"
    dtm = sparse.csr_matrix(np.array([[20, 1, 5], [18, 0, 5], [1, 15, 5], [0, 19, 5]], dtype=float))
    groups = pd.DataFrame({"doc_id": ["a1", "a2", "b1", "b2"], "outlet": ["A", "A", "B", "B"]})
    terms = ["war", "peace", "the"]
    tab = cp.keyness_table(dtm, np.array(["a1", "a2", "b1", "b2"]), groups, terms, "rest", 1)
    assert list(tab.columns) == cp.KEYNESS_COLUMNS
    a = tab[tab["group"] == "A"].set_index("term")
    assert a.loc["war", "count_group"] == 38 and a.loc["war", "count_reference"] == 1
    assert a.loc["war", "direction"] == "group" and a.loc["peace", "direction"] == "reference"
    assert a.loc["war", "log_odds_z"] > 3 and a.loc["peace", "log_odds_z"] < -3
    assert abs(a.loc["the", "log_ratio"]) < 0.2
    # the 2x2 of "war": group total 49, reference total 45
    table = np.array([[38, 1], [49 - 38, 45 - 1]])
    g2 = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    assert a.loc["war", "g2"] == pytest.approx(g2)
    named = cp.keyness_table(dtm, np.array(["a1", "a2", "b1", "b2"]), groups, terms, "A", 1)
    assert set(named["group"]) == {"B"} and set(named["reference"]) == {"A"}
    with pytest.raises(NewslensError, match="compare.reference"):
        cp.keyness_table(dtm, np.array(["a1", "a2", "b1", "b2"]), groups, terms, "Z", 1)


def test_group_labels_periods_and_errors():
    docs = pd.DataFrame(
        {
            "doc_id": ["1", "2", "3"],
            "date": ["2024-01-01", "2024-02-15", ""],
            "outlet": ["x", "y", None],
        }
    )
    g = cp.group_labels(docs, ["outlet", "month", "week"])
    assert g["month"].tolist() == ["2024-01", "2024-02", ""]
    assert g["week"].tolist()[0] == "2024-W01"
    assert g["outlet"].tolist() == ["x", "y", ""]
    with pytest.raises(NewslensError, match="compare.by"):
        cp.group_labels(docs, ["country"])


def test_group_differences_known_means():
    values = pd.DataFrame(
        {"security": [1.0, 1.0, 0.0, 0.0, 0.0, 0.0], "economy": [0.5] * 6},
        index=[str(i) for i in range(6)],
    )
    groups = pd.DataFrame({"doc_id": values.index, "outlet": ["A", "A", "A", "B", "B", "B"]})
    tab = cp.group_differences(values, groups, "B", resamples=200, seed=3)
    assert list(tab.columns) == cp.SHARE_COLUMNS
    sec = tab[tab["item"] == "security"].iloc[0]
    assert sec["group"] == "A" and sec["reference"] == "B"
    assert sec["mean_group"] == pytest.approx(2 / 3) and sec["difference"] == pytest.approx(2 / 3)
    assert sec["n_group"] == 3 and sec["n_reference"] == 3
    eco = tab[tab["item"] == "economy"].iloc[0]
    assert eco["difference"] == 0 and eco["p_value"] == 1.0
    again = cp.group_differences(values, groups, "B", resamples=200, seed=3)
    pd.testing.assert_frame_equal(tab, again)


def test_kwic_lines_and_assignment():
    words = "The army shelled the village . Aid reached the village today".split()
    tokens = pd.DataFrame(
        {
            "doc_id": ["a"] * 6 + ["b"] * 5,
            "sent_id": [0] * 6 + [0] * 5,
            "tok_id": list(range(6)) + list(range(5)),
            "token": words,
            "lower": [w.lower() for w in words],
            "term": [w.lower() for w in words],
        }
    )
    hits = ce.kwic(tokens, {"village"}, window=2)
    assert hits[["doc_id", "left", "keyword", "right"]].values.tolist() == [
        ["a", "shelled the", "village", "."],
        ["b", "reached the", "village", "today"],  # no words from article a
    ]
    groups = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"]})
    targets = ce.kwic_targets(pd.DataFrame(columns=cp.KEYNESS_COLUMNS), ["Village"], 3)
    tab = ce.kwic_table(hits, targets, groups, "rest", max_rows=5, seed=0)
    assert list(tab.columns) == ce.KWIC_COLUMNS
    assert tab[["group", "doc_id", "source"]].values.tolist() == [
        ["X", "a", "config"],
        ["Y", "b", "config"],
    ]


def test_frame_examples_sample_per_cell():
    sentences = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b", "b", "c"],
            "sent_id": [0, 1, 2, 0, 1, 0],
            "primary_frame": ["legality", "legality", "none", "legality", "economic", ""],
        }
    )
    groups = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "X", "Y"]})
    tab = ce.frame_examples(sentences, groups, n=2, seed=0)
    assert list(tab.columns) == ce.EXAMPLE_COLUMNS
    cells = tab.groupby(["group", "frame"]).size().to_dict()
    assert cells == {("X", "legality"): 2, ("X", "economic"): 1}  # none / empty left out
    assert tab.equals(ce.frame_examples(sentences, groups, n=2, seed=0))
