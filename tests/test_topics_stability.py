"""K by stability (Greene, O'Callaghan & Cunningham 2014), planted-K recovery, validation of
topics against known categories and the K-selection figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from newslens import topics as tp
from newslens import topics_plots as plots
from newslens.topics_synthetic import news_like_counts, planted_counts

# ---- the stability maths ------------------------------------------------------------------


def test_average_jaccard_on_hand_made_rankings():
    # depth 1: {a} vs {b} = 0; depth 2: {a,b} vs {b,a} = 1; depth 3: {a,b,c} vs {b,a,d} = 2/4
    assert tp.average_jaccard(list("abc"), list("bad")) == pytest.approx((0 + 1 + 0.5) / 3)
    # the paper's example (Greene et al. 2014, Table 1)
    r1 = ["album", "music", "best", "award", "win"]
    r2 = ["sport", "best", "win", "medal", "award"]
    assert tp.average_jaccard(r1, r2) == pytest.approx((0 + 0 + 1 / 5 + 1 / 7 + 3 / 7) / 5)
    assert tp.average_jaccard(r1, r2) == pytest.approx(0.154, abs=5e-4)
    assert tp.average_jaccard(r1, r1) == 1.0
    assert tp.average_jaccard(r1, ["x", "y", "z", "u", "v"]) == 0.0
    # the top of a ranking weighs more than its tail: same sets, different order
    assert tp.average_jaccard(list("abcd"), list("abdc")) > tp.average_jaccard(
        list("abcd"), list("bacd")
    )


def test_agreement_matches_topics_by_the_hungarian_algorithm():
    s1 = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    s2 = np.array([[4, 5, 6], [7, 8, 10], [1, 2, 3]])  # s1's topics permuted, one term changed
    value, pi = tp.agreement(s1, s2)
    assert pi.tolist() == [2, 0, 1]
    aj_changed = (1 + 1 + 2 / 4) / 3  # [7, 8, 9] vs [7, 8, 10]
    assert value == pytest.approx((1 + 1 + aj_changed) / 3)
    # the matching maximises the total AJ: topic 0 of a goes to topic 1 of b
    a = np.array([[1, 2], [1, 3]])
    b = np.array([[1, 3], [9, 2]])
    aj = tp.aj_matrix(a, b)
    assert aj.ravel() == pytest.approx([0.5 * (1 + 1 / 3), 0.5 * (0 + 1 / 3), 1.0, 0.0])
    value, pi = tp.agreement(a, b)
    assert pi.tolist() == [1, 0] and value == pytest.approx((1 / 6 + 1.0) / 2)


def _table(stab: dict[int, list[float]]) -> pd.DataFrame:
    rows = []
    for k, vals in stab.items():
        rows.append(
            {"K": k, "seed": 0, "stage": "reference", "stability": np.mean(vals), "coherence": 0.1}
        )
        rows += [
            {"K": k, "seed": s, "stage": "subsample", "stability": v, "coherence": 0.1}
            for s, v in enumerate(vals)
        ]
    return pd.DataFrame(rows).assign(diversity=1.0)


def test_stability_rule_takes_the_most_stable_k_and_near_ties_to_the_smaller():
    t = _table({5: [0.80, 0.82, 0.84], 10: [0.90, 0.91, 0.92], 15: [0.70, 0.60, 0.65]})
    k, reason = tp.select_k(t, 0.6)
    assert k == 10 and "highest mean agreement 0.910" in reason and "SD 0.010" in reason
    # K=5 within one standard error (0.06 / sqrt(3)) of the best: the smaller K
    t = _table({5: [0.88, 0.89, 0.90], 10: [0.85, 0.91, 0.97], 15: [0.5, 0.5, 0.5]})
    assert tp.select_k(t, 0.6)[0] == 5
    assert tp.select_k(t, 0.6, tie_se=0.0)[0] == 10
    per_k = tp.k_table(t)
    assert per_k.loc[10, "stability_sd"] == pytest.approx(0.06)
    assert per_k["n_runs"].tolist() == [3, 3, 3]


def test_grid_table_compares_subsamples_with_the_reference():
    x, _, _ = planted_counts(240, n_topics=3, background_share=0.2, seed=3)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    xi = tp.model_input("nmf-frobenius", x, df, x.shape[0])
    fits = tp.fit_grid("nmf-frobenius", xi, [2, 3], [0, 1, 2], 0.8, (10, 25, 20), 1, tol=1e-3)
    assert [(f.k, f.stage, f.seed) for f in fits][:4] == [
        (2, "reference", 0),
        (2, "subsample", 0),
        (2, "subsample", 1),
        (2, "subsample", 2),
    ]
    for f in fits:
        f.coherence = np.zeros(f.k)
    table = tp.grid_table(fits)
    ref = [f for f in fits if f.k == 3 and f.stage == "reference"][0]
    subs = [f for f in fits if f.k == 3 and f.stage == "subsample"]
    expected = [tp.agreement(ref.top, s.top)[0] for s in subs]
    got = table[(table["K"] == 3) & (table["stage"] == "subsample")]["stability"].tolist()
    assert got == pytest.approx(expected)
    assert table[(table["K"] == 3) & (table["stage"] == "reference")]["n_units"].item() == 240
    assert (table[table["stage"] == "subsample"]["n_units"] == 192).all()
    assert tp.select_k(table, 0.6)[0] == 3


# ---- planted structure ----------------------------------------------------------------------


def _chosen_k(x, ks, seeds=(0, 1, 2)) -> int:
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = (df >= 2) & (df <= 0.5 * x.shape[0])
    x = x[:, keep].tocsr()
    xi = tp.model_input("nmf-frobenius", x, df[keep], x.shape[0])
    fits = tp.fit_grid("nmf-frobenius", xi, ks, list(seeds), 0.8, (10, 25, 20), 1, tol=1e-3)
    for f in fits:
        f.coherence = np.zeros(f.k)
    return tp.select_k(tp.grid_table(fits), 0.6)[0]


@pytest.mark.parametrize(
    "k_true, ks",
    [(3, [2, 3, 4, 6]), (5, [3, 5, 8]), (8, [5, 8, 12]), (12, [8, 12, 15]), (20, [15, 20, 25])],
)
def test_stability_recovers_the_planted_k(k_true, ks):
    x, _, _ = planted_counts(
        max(40 * k_true, 200),
        n_topics=k_true,
        words_per_topic=60,
        background_words=400,
        doc_length=80,
        background_share=0.3,
        second_share=0.1,
        seed=k_true,
    )
    assert _chosen_k(x, ks) == k_true


def test_stability_recovers_the_planted_k_of_news_like_text():
    x, _, _ = news_like_counts(500, n_topics=5, vocab_size=3000, words_per_topic=200, seed=2)
    assert _chosen_k(x, [3, 5, 8, 10]) == 5


# ---- validation against known categories ----------------------------------------------------


def test_validation_scores_on_known_categories():
    cats = ["sport"] * 4 + ["politics"] * 4 + [""]  # the last unit has no category: left out
    dom = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    s = tp.validation_scores(dom, cats)
    assert s == {"n_units": 8, "n_categories": 2, "nmi": 1.0, "ari": 1.0, "purity": 1.0}
    # one politics unit in the sport topic, a unit without topic (-1) left out
    dom = np.array([0, 0, 0, 0, 0, 1, 1, -1, 1])
    s = tp.validation_scores(dom, cats)
    assert s["n_units"] == 7 and s["purity"] == pytest.approx(6 / 7)
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    t, c = [0, 0, 0, 0, 0, 1, 1], ["sport"] * 4 + ["politics"] * 3
    assert s["nmi"] == pytest.approx(normalized_mutual_info_score(c, t))
    assert s["ari"] == pytest.approx(adjusted_rand_score(c, t))
    topics, cross = tp.topic_purity(dom, cats, ["ball, match", "vote, party", "empty"])
    assert topics["n_units"].tolist() == [5, 2, 0]
    assert topics["majority_category"].tolist() == ["sport", "politics", ""]
    assert topics["purity"].tolist()[:2] == pytest.approx([0.8, 1.0])
    assert np.isnan(topics["purity"].iloc[2])
    one = cross[cross["topic"] == 1].set_index("category")
    assert one["n_units"].to_dict() == {"politics": 1, "sport": 4}
    assert one["share"].to_dict() == pytest.approx({"politics": 0.2, "sport": 0.8})


def test_validation_on_a_planted_corpus_peaks_at_the_planted_k():
    x, labels, _ = planted_counts(300, n_topics=4, background_share=0.3, seed=1)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    xi = tp.model_input("nmf-frobenius", x, df, x.shape[0])
    fits = tp.fit_grid("nmf-frobenius", xi, [2, 4, 8], [0, 1], 0.8, (10, 25, 20), 1)
    cats = np.array([f"c{v}" for v in labels], dtype=object)
    nmi = {
        f.k: tp.validation_scores(f.dominant, cats)["nmi"] for f in fits if f.dominant is not None
    }
    assert max(nmi, key=nmi.get) == 4 and nmi[4] > 0.95


# ---- figures -----------------------------------------------------------------------------


def test_k_selection_figure_marks_the_chosen_k_rule_and_spread():
    t = _table({5: [0.80, 0.82, 0.84], 10: [0.90, 0.91, 0.92], 15: [0.70, 0.60, 0.65]})
    k, reason = tp.select_k(t, 0.6)
    sel = t.assign(selected=False, model="nmf-frobenius", n_units=100)
    final = {"K": k, "seed": 0, "stage": "final", "stability": 0.91, "coherence": 0.1}
    sel = pd.concat([sel, pd.DataFrame([{**final, "diversity": 1.0, "selected": True}])])
    fig = plots.k_selection_figure(sel, reason, "stability")
    assert "K=10 by the stability rule" in fig._suptitle.get_text()
    ax = fig.axes[0]
    assert "rule" in ax.get_title()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["5", "10", "15"]  # K at evenly spaced positions 0, 1, 2
    chosen = [ln for ln in ax.lines if ln.get_label() == "chosen K=10"]
    assert chosen and chosen[0].get_xdata()[0] == 1
    # the spread: one error bar per K, +/- 1 SD of the subsample agreements
    bars = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    seg = {int(s[0][0]): (s[0][1], s[1][1]) for s in bars[0].get_segments()}
    assert seg[2] == pytest.approx((0.65 - 0.05, 0.65 + 0.05))  # K=15
    assert any(reason[:40] in t.get_text() for t in fig.texts)


def test_validation_figure_shows_topic_by_category_shares():
    dom = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    cats = ["sport"] * 4 + ["politics"] * 4
    topics, cross = tp.topic_purity(dom, cats, ["ball, match", "vote, party"])
    by_k = pd.DataFrame(
        {
            "K": [2, 3, 2],
            "stage": ["reference", "reference", "final"],
            "nmi": [0.6, 0.5, 0.6],
            "ari": [0.5, 0.4, 0.5],
            "purity": [0.9, 0.9, 0.9],
        }
    )
    fig = plots.validation_figure(topics, cross, by_k, "section", "article")
    img = fig.axes[0].images[0].get_array()
    assert np.asarray(img).ravel() == pytest.approx([20.0, 80.0, 100.0, 0.0])  # politics, sport
    assert "NMI 0.60" in fig.axes[0].get_title()
    off = plots.validation_figure(topics.iloc[:0], cross.iloc[:0], by_k.iloc[:0], None, "article")
    assert any("topics.validation.column" in t.get_text() for ax in off.axes for t in ax.texts)
