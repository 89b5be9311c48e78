"""Planted differences of the synthetic multi-outlet corpus are found with the right sign and
size; null differences are not significant more often than the nominal rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
from newslens import compare as cp
from newslens import compare_synthetic as syn


def test_planted_keyness_terms_found():
    data = syn.make(syn.Planted(seed=1))
    p = data["planted"]
    groups = cp.group_labels(data["documents"], ["outlet"])
    tab = cp.keyness_table(
        data["counts"], data["documents"]["doc_id"].to_numpy(), groups, data["terms"], "rest", 5
    )
    lifted = tab[tab["group"] == p.frame_outlet].set_index("term")
    frame_terms = syn.frame_vocabulary(p)
    top = lifted.sort_values("log_odds_z", ascending=False).head(len(frame_terms)).index
    assert set(top) == set(frame_terms)
    assert (lifted.loc[frame_terms, "q_value"] < 0.05).all()
    assert (lifted.loc[frame_terms, "direction"] == "group").all()
    # size: the pooled log ratio of the frame terms is the planted one
    pooled = np.log2(
        (lifted.loc[frame_terms, "count_group"].sum() / lifted["total_group"].iloc[0])
        / (lifted.loc[frame_terms, "count_reference"].sum() / lifted["total_reference"].iloc[0])
    )
    assert abs(pooled - np.log2(data["term_ratio"])) < 0.15
    # the other outlets' keyness for non-frame terms: few discoveries
    other = tab[(tab["group"] != p.frame_outlet) & ~tab["term"].isin(frame_terms)]
    assert (other["q_value"] < 0.05).mean() < 0.05


def test_planted_frame_difference_found():
    data = syn.make(syn.Planted(seed=2))
    p = data["planted"]
    groups = cp.group_labels(data["documents"], ["outlet"])
    tab = cp.group_differences(data["frames"], groups, "outlet_0", resamples=400, seed=0)
    row = tab[(tab["group"] == p.frame_outlet) & (tab["item"] == p.frame)].iloc[0]
    expected = syn.expected_frame_difference(p)
    assert row["difference_low"] < expected < row["difference_high"]
    assert row["difference_low"] > 0 and row["q_value"] < 0.05
    null = tab[tab["group"] == "outlet_2"]
    assert len(null) == len(syn.FRAMES)
    assert (null["q_value"] > 0.05).all()


def test_planted_actor_month_found():
    data = syn.make(syn.Planted(seed=3))
    p = data["planted"]
    groups = cp.group_labels(data["documents"], ["month"])
    tab = cp.group_differences(data["actors"], groups, "rest", resamples=400, seed=0)
    hit = tab[(tab["group"] == p.negative_month) & (tab["item"] == p.negative_actor)].iloc[0]
    assert hit["difference_high"] < 0 and hit["q_value"] < 0.05
    assert hit["difference"] < 0.8 * p.actor_shift  # planted -0.3 vs rest -> about -0.3
    assert hit["difference"] > 1.3 * p.actor_shift
    others = tab[tab["item"] != p.negative_actor]
    assert (others["q_value"] > 0.05).all()


def test_null_differences_calibrated():
    """No planted difference: the bootstrap p-values reject at about the nominal 5 %."""
    rng = np.random.default_rng(7)
    rejections = []
    for rep in range(60):
        n = 120
        values = pd.DataFrame(
            rng.normal(size=(n, 5)), index=[f"d{i}" for i in range(n)], columns=list("abcde")
        )
        groups = pd.DataFrame({"doc_id": values.index, "outlet": np.repeat(["A", "B"], n // 2)})
        tab = cp.group_differences(values, groups, "A", resamples=200, seed=rep)
        rejections.extend(tab["p_value"] < 0.05)
    rate = float(np.mean(rejections))
    assert rate < 0.09  # 300 tests: nominal 0.05, binomial sd 0.0126


def test_null_keyness_calibrated():
    """Two outlets drawn from one term distribution: G2 p < 0.05 in about 5 % of terms."""
    data = syn.make(syn.Planted(seed=4, term_lift=1.0, outlets=2, vocabulary=200))
    groups = cp.group_labels(data["documents"], ["outlet"])
    tab = cp.keyness_table(
        data["counts"], data["documents"]["doc_id"].to_numpy(), groups, data["terms"], "outlet_0", 5
    )
    assert (tab["g2_p"] < 0.05).mean() < 0.09
    assert (tab["q_value"] < 0.05).sum() <= 2
