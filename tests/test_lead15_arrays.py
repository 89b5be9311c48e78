"""``newslens.arrays.run_starts``: the run starts the stages used to compute inline with
``np.flatnonzero(np.r_[True, x[1:] != x[:-1]])``, and no run in an empty array."""

import numpy as np
import pytest
from newslens.arrays import run_starts


def _inline(values):
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


@pytest.mark.parametrize("seed", range(5))
def test_run_starts_equals_the_inline_idiom_on_random_runs(seed):
    rng = np.random.default_rng(seed)
    ints = np.repeat(rng.integers(0, 4, 50), rng.integers(1, 4, 50))
    assert run_starts(ints).tolist() == _inline(ints).tolist()
    words = np.array([f"w{v}" for v in ints], dtype=object)
    assert run_starts(words).tolist() == _inline(words).tolist()


def test_run_starts_known_answers():
    assert run_starts(np.array([3, 3, 1, 1, 1, 3])).tolist() == [0, 2, 5]
    assert run_starts(np.array([7])).tolist() == [0]
    assert run_starts(np.array(["a", "a", "b"], dtype=object)).tolist() == [0, 2]
    # each missing value (NaN != NaN) starts a run of its own
    assert run_starts(np.array([1.0, np.nan, np.nan, 2.0])).tolist() == [0, 1, 2, 3]


def test_run_starts_of_an_empty_array_is_empty():
    got = run_starts(np.zeros(0, dtype=np.int64))
    assert got.dtype == np.int64 and got.size == 0
    assert run_starts(np.array([], dtype=object)).size == 0
