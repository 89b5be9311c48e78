"""Small NumPy helpers shared by the stages."""

from __future__ import annotations

import numpy as np


def run_starts(values: np.ndarray) -> np.ndarray:
    """The index of the first element of each run of equal neighbours in ``values``.

    ``values`` is any 1-D array (integers, or objects compared with ``!=``: a missing value
    such as NaN starts a run of its own). An empty array has no runs: an empty int64 array.

    >>> run_starts(np.array([3, 3, 1, 1, 1, 3])).tolist()
    [0, 2, 5]
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
