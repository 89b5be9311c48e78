"""Bootstrap intervals, paired differences to the strongest baseline, top-k baselines,
cross-fitting (no item predicted by a model that saw it) and the per-item table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens.frames_crossfit import (
    cross_fit,
    fit_plain,
    group_folds,
    match_training,
    predict_crossfitted,
)
from newslens.frames_eval import kalpha, scores, to_matrix
from newslens.frames_validity import (
    best_topk,
    bootstrap_table,
    items_table,
    topk_baselines,
    verdict,
)


def test_bootstrap_interval_of_a_known_proportion():
    # single-label, 400 items, the method right on exactly half: micro-F1 = accuracy = 0.5;
    # the bootstrap interval is the binomial one, 0.5 +- 1.96 sqrt(0.25 / 400) = +- 0.049
    n = 400
    frames = ["a", "b"]
    y = to_matrix([["a"]] * n, frames)
    p = to_matrix([["a"]] * (n // 2) + [["b"]] * (n // 2), frames)
    s, _ = bootstrap_table(y, {"m": p, "baseline_most_frequent": y}, frames, True, 2000, 1)
    r = s.set_index("method").loc["m"]
    assert r["micro_f1"] == pytest.approx(0.5)
    assert r["micro_f1_lo"] == pytest.approx(0.451, abs=0.012)
    assert r["micro_f1_hi"] == pytest.approx(0.549, abs=0.012)
    assert r["subset_accuracy_lo"] == pytest.approx(r["micro_f1_lo"])
    # the baseline is perfect here. Single-label data compare macro-F1 (over the frames
    # present in the gold data: only a, F1 = 2 x 200 / (400 + 200) = 2/3): difference -1/3
    assert r["strongest_baseline"] == "baseline_most_frequent"
    assert r["macro_f1"] == pytest.approx(2 / 3)
    assert r["diff"] == pytest.approx(-1 / 3) and r["diff_hi"] < -0.25
    assert not r["beats_baselines"]
    # seeded: identical on a rerun
    s2, _ = bootstrap_table(y, {"m": p, "baseline_most_frequent": y}, frames, True, 2000, 1)
    pd.testing.assert_frame_equal(s, s2)


def test_paired_difference_decides_beats_baselines():
    rng = np.random.default_rng(0)
    frames = ["a", "b", "c"]
    n = 300
    y = np.zeros((n, 3), dtype=np.int8)
    y[np.arange(n), rng.integers(0, 3, n)] = 1
    good = y.copy()
    flip = rng.random(n) < 0.2  # 80 % right
    good[flip] = np.roll(y[flip], 1, axis=1)
    # single-label data compare macro-F1: predicting all three frames (top3) is the strongest
    # baseline (F1 2p/(1+p) ~ 0.5 on every frame) though it never names one frame
    same = topk_baselines(y, n)["baseline_top3_frequent"]
    s, per = bootstrap_table(
        y, {"good": good, "copy": same.copy(), **topk_baselines(y, n)}, frames, True, 500, 3
    )
    s = s.set_index("method")
    assert s.loc["good", "strongest_baseline"] == "baseline_top3_frequent"
    assert s.loc["good", "beats_baselines"] and s.loc["good", "diff_lo"] > 0
    # a method identical to the strongest baseline: difference exactly 0, never "beats"
    assert s.loc["copy", "diff_lo"] == 0 and s.loc["copy", "diff_hi"] == 0
    assert not s.loc["copy", "beats_baselines"]
    assert not s.loc[s["is_baseline"], "beats_baselines"].any()
    # point values agree with the plain scores and with Krippendorff's alpha
    point, _ = scores(y, good, frames)
    assert s.loc["good", "macro_f1"] == pytest.approx(point["macro_f1"], abs=1e-6)
    a = kalpha(np.vstack([good.ravel(), y.ravel()]).astype(float))
    assert s.loc["good", "alpha"] == pytest.approx(a, abs=1e-5)
    g = per[per["method"] == "good"].set_index("frame")
    assert g["beats_baselines"].all() and (g["f1_lo"] <= g["f1"]).all()


def test_topk_baselines_for_every_k():
    y = to_matrix([["a"], ["a", "b"], ["b"], ["a", "c"]], ["a", "b", "c"])
    b = topk_baselines(y, 2)
    assert list(b) == ["baseline_most_frequent", "baseline_top2_frequent", "baseline_top3_frequent"]
    assert b["baseline_most_frequent"].tolist() == [[1, 0, 0]] * 2
    assert b["baseline_top2_frequent"].tolist() == [[1, 1, 0]] * 2
    s, _ = bootstrap_table(y, topk_baselines(y, 4), ["a", "b", "c"], False, 100, 0)
    name, k, v = best_topk(s, "micro_f1")
    # top1: P 3/4 R 3/6 -> 0.6; top2: P 5/8 R 5/6 -> 0.714; top3: P 6/12 R 1 -> 0.667
    assert (name, k) == ("baseline_top2_frequent", 2) and v == pytest.approx(5 / 7)


def random_label_data(n=120, seed=0):
    """Texts whose frame has nothing to do with their words: a model can only memorise."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(400)]
    texts = [" ".join(rng.choice(vocab, 12)) for _ in range(n)]
    frames = ["a", "b"]
    Y = to_matrix([[frames[i]] for i in rng.integers(0, 2, n)], frames)
    return texts, Y


def test_cross_fitting_never_predicts_an_item_with_a_model_that_saw_it():
    texts, Y = random_label_data()
    model = fit_plain(texts, Y, True)
    in_sample = (model.predict(texts) == Y).all(axis=1).mean()
    assert in_sample > 0.95  # memorised: what a leaky validation would report
    folds = group_folds(texts, 5, 0)
    pred, _, fold_models, _ = cross_fit(lambda X, y: fit_plain(X, y, True), texts, Y, folds)
    oof = (pred == Y).all(axis=1).mean()
    assert 0.3 < oof < 0.7  # chance, honestly
    # gold items that are labeled items (same text after folding) get exactly the
    # out-of-fold predictions; new items get the final model's
    gold = [t.upper() + "  " for t in texts[:40]] + ["w1 w2 w3 brand new"]
    match = match_training(
        [" ".join(g.casefold().split()) for g in gold], None, [t for t in texts], None
    )
    assert (match[:40] == np.arange(40)).all() and match[40] == -1
    p, how = predict_crossfitted(model, fold_models, folds, match, gold)
    assert (p[:40] == pred[:40]).all()
    assert how.tolist() == ["cross_fitted"] * 40 + ["held_out"]
    assert (p[40] == model.predict(gold[40:])[0]).all()
    # by id: a gold id that is a labeled id is that item, whatever its text
    m = match_training(["zzz"], ["id7"], ["t"] * 10, [f"id{i}" for i in range(10)])
    assert m.tolist() == [7]


def test_duplicates_share_their_fold():
    texts = ["a b", "A  b", "c d", "e f", "g h", "C D", "i j"]
    f = group_folds(texts, 3, 5)
    assert f[0] == f[1] and f[2] == f[5]
    assert sorted(set(f)) == [0, 1, 2]
    assert (group_folds(texts, 3, 5) == f).all()


def test_items_table_and_verdict():
    frames = ["a", "b"]
    y = to_matrix([["a"], ["b"], ["a"]], frames)
    p = to_matrix([["a"], ["a"], []], frames)
    base = pd.DataFrame({"item": ["x", "y", "z"], "line": [2, 3, 5], "text": ["t1", "t2", "t3"]})
    t = items_table(base, y, {"m": p}, frames)
    assert t["gold"].tolist() == ["a", "b", "a"]
    assert t["pred_m"].tolist() == ["a", "a", "none"]
    assert t["correct_m"].tolist() == [True, False, False]
    assert t["line"].tolist() == [2, 3, 5]
    # verdict: a method that does not beat the baselines is called so
    rng = np.random.default_rng(1)
    n = 200
    y = np.zeros((n, 2), dtype=np.int8)
    y[np.arange(n), (rng.random(n) < 0.3).astype(int)] = 1
    noise = np.zeros_like(y)
    noise[np.arange(n), rng.integers(0, 2, n)] = 1
    s, per = bootstrap_table(y, {"noise": noise, **topk_baselines(y, n)}, frames, True, 300, 0)
    text = verdict(s, per, {"a": "A", "b": "B"}, True, n, {"noise": "held_out"})
    assert "**No method beats the baselines.**" in text
    assert "Frames no method measures reliably" in text and "A, B" in text
