"""Supervised frames: added features that must win on known answers, per-frame thresholds,
determinism (same predictions twice and with any number of processes)."""

import numpy as np
import pytest
from newslens.frames_eval import to_matrix
from newslens.frames_supervised import (
    cross_validate,
    decide,
    fit_tuned,
    per_frame_thresholds,
    tune_average,
)
from sklearn.metrics import f1_score

LETTERS = np.array(list("bcdfghjklmnpqrstvwxz"))


def morph_corpus(n=120, seed=0):
    """Single-label texts whose frame shows only in word stems with a fresh random ending in
    every text (econ+xyz, milit+xyz, ...): no whole word recurs between texts, so word
    features cannot generalise, character n-grams can."""
    rng = np.random.default_rng(seed)
    stems = {"econ": "econom", "sec": "militar", "pol": "electo"}
    filler = [f"w{i}{''.join(rng.choice(LETTERS, 3))}" for i in range(400)]
    texts, labels = [], []
    for i in range(n):
        f = list(stems)[i % 3]
        words = list(rng.choice(filler, 12))
        for _ in range(2):
            words.append(stems[f] + "".join(rng.choice(LETTERS, 4)))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append([f])
    return texts, labels


BASE = {
    "folds": 4,
    "C_grid": [1.0, 8.0],
    "inner_folds": 3,
    "class_weight": "none",
    "ngram_max": 1,
    "min_df": 1,
    "seed": 3,
}


def test_char_ngrams_win_on_morphological_variants():
    texts, labels = morph_corpus()
    frames = ["econ", "sec", "pol"]
    Y = to_matrix(labels, frames)
    word, _, _ = cross_validate(texts, Y, BASE, single_label=True)
    char, _, _ = cross_validate(
        texts, Y, {**BASE, "char_ngram_max": 5, "char_min_df": 2}, single_label=True
    )
    f_word = f1_score(Y, word, average="macro")
    f_char = f1_score(Y, char, average="macro")
    assert f_word < 0.6  # words never seen in training: near chance (1/3)
    assert f_char > 0.95


class PrefixScorer:
    """A stand-in for the codebook: reads the frame from the prefix of each text's first
    token (its "indicator"); picklable for the process pool."""

    def __init__(self, frames):
        self.frames = frames

    def __call__(self, texts):
        out = np.zeros((len(texts), len(self.frames)))
        for i, t in enumerate(texts):
            for j, f in enumerate(self.frames):
                if t.startswith(f + "_"):
                    out[i, j] = 1.0
        return out


def test_codebook_features_win_when_they_carry_the_signal():
    rng = np.random.default_rng(1)
    frames = ["econ", "sec", "pol"]
    vocab = [f"v{i}" for i in range(300)]
    texts, labels = [], []
    for i in range(90):
        f = frames[i % 3]
        # the marker token is new in every text: word features cannot learn it, the scorer
        # (the codebook) reads it
        marker = f"{f}_{''.join(rng.choice(LETTERS, 6))}"
        texts.append(" ".join([marker, *rng.choice(vocab, 15)]))
        labels.append([f])
    scorer = PrefixScorer(frames)
    Y = to_matrix(labels, frames)
    plain, _, _ = cross_validate(texts, Y, BASE, True)
    with_cb, _, _ = cross_validate(texts, Y, {**BASE, "codebook_features": True}, True, scorer)
    off, _, _ = cross_validate(texts, Y, BASE, True, scorer)  # scorer given, flag off
    assert f1_score(Y, with_cb, average="macro") > 0.95
    assert f1_score(Y, plain, average="macro") < 0.6
    assert (off == plain).all()


def test_per_frame_thresholds_known_answer():
    # frame 0 is present exactly when p >= 0.3, frame 1 exactly when p >= 0.7
    rng = np.random.default_rng(0)
    P = rng.uniform(0.0, 1.0, (400, 2))
    Y = np.column_stack([P[:, 0] >= 0.3, P[:, 1] >= 0.7]).astype(int)
    th = per_frame_thresholds(Y, P, [0.1, 0.3, 0.5, 0.7, 0.9], "micro")
    assert th.tolist() == [0.3, 0.7]
    pred = decide(P, th, single_label=False)
    # the rule adds the most probable frame to every row: wrong only where that one is absent
    top = P.argmax(axis=1)
    ok = Y[np.arange(len(Y)), top] == 1
    assert (pred[ok] == Y[ok]).all()
    assert f1_score(Y, pred, average="micro") > f1_score(Y, decide(P, 0.5, False), average="micro")


def test_tune_metric_auto():
    assert tune_average({"tune_metric": "auto"}, True) == "macro"
    assert tune_average({"tune_metric": "auto"}, False) == "micro"
    assert tune_average({}, True) == "macro"
    assert tune_average({"tune_metric": "f1_micro"}, True) == "micro"


def planted_multi(n=150, seed=2):
    rng = np.random.default_rng(seed)
    frames = ["a", "b", "c", "d"]
    vocab = {f: [f"{f}word{i}" for i in range(6)] for f in frames}
    filler = [f"fill{i}" for i in range(200)]
    texts, labels = [], []
    for _ in range(n):
        fr = [f for f in frames if rng.random() < 0.35] or [frames[rng.integers(4)]]
        words = list(rng.choice(filler, 20))
        for f in fr:
            words += list(rng.choice(vocab[f], 2))
        if rng.random() < 0.3:  # label noise: words of a frame that is not coded
            words += list(rng.choice(vocab[frames[rng.integers(4)]], 1))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(fr)
    return texts, to_matrix(labels, frames)


@pytest.mark.parametrize("mode", ["global", "per_frame"])
def test_fits_are_identical_and_independent_of_processes(mode):
    texts, Y = planted_multi(n=90)
    params = {
        **BASE,
        "folds": 3,
        "C_grid": [0.5, 8.0],
        "class_weight": "tune",
        "ngram_max": 2,
        "char_ngram_max": 4,
        "threshold_grid": [0.2, 0.3, 0.4, 0.5],
        "threshold_mode": mode,
    }
    runs = [
        cross_validate(texts, Y, {**params, "n_jobs": n}, single_label=False) for n in (1, 2, 1)
    ]
    for pred, chosen, fold_of in runs[1:]:
        assert (pred == runs[0][0]).all()
        assert chosen == runs[0][1]
        assert (fold_of == runs[0][2]).all()
    m1, d1 = fit_tuned(texts, Y, {**params, "n_jobs": 1}, False)
    m2, d2 = fit_tuned(texts, Y, {**params, "n_jobs": 2}, False)
    assert d1 == d2
    assert np.array_equal(m1.predict_proba(texts), m2.predict_proba(texts))
    if mode == "per_frame":
        assert np.asarray(m1.threshold).shape == (4,)


def test_character_ngrams_only_for_short_texts():
    """char_max_words: long labeled texts (median above the limit) fit without character
    n-grams; short ones keep them; null keeps them always."""
    from newslens.frames_supervised import char_ngrams_for

    params = {"char_ngram_max": 5, "char_max_words": 10}
    short = ["troops cross the border"] * 5
    long_ = [" ".join(["word"] * 40)] * 5
    assert char_ngrams_for(short, params)["char_ngram_max"] == 5
    assert char_ngrams_for(long_, params)["char_ngram_max"] == 0
    assert char_ngrams_for(long_, {**params, "char_max_words": None})["char_ngram_max"] == 5
    # the model fitted on long texts has no character block
    from newslens.frames_supervised import fit_tuned

    texts = [
        f"{'war army ' * 20} case {i}" if i % 2 else f"{'trade money ' * 20} case {i}"
        for i in range(20)
    ]
    Y = np.array([[i % 2, 1 - i % 2] for i in range(20)])
    model, _ = fit_tuned(texts, Y, {**params, "C_grid": [1.0], "folds": 2}, single_label=True)
    assert model.char_ngram_max == 0
