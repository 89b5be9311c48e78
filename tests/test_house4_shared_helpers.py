"""Helpers that replaced repeated code (duplicates review): the coordinate ascent shared by the
frame weights and the per-frame thresholds, the coded-table join of the two actor-sentiment
rules, and the Parquet writers' close-or-abort context."""

from __future__ import annotations

import numpy as np
from newslens.frames_calibrate import coordinate_ascent


def test_coordinate_ascent_known_answer_and_ties():
    target = np.array([2.0, 3.0, 0.0])
    x = np.zeros(3)
    out = coordinate_ascent(x, [1.0, 0.0, 2.0, 3.0, 4.0], lambda v: -((v - target) ** 2).sum())
    assert out is x and out.tolist() == [2.0, 3.0, 0.0]
    # equal scores: the first candidate in the given order wins
    flat = coordinate_ascent(np.full(2, 9.0), [0.5, 0.2], lambda v: 1.0)
    assert flat.tolist() == [0.5, 0.5]
    # a gain of no more than 1e-12 does not count
    tiny = coordinate_ascent(np.zeros(1), [0.0, 1.0], lambda v: 1e-13 * v[0], passes=1)
    assert tiny.tolist() == [0.0]
