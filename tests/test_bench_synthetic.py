"""The synthetic benchmark corpus draws its uniforms in chunks exactly as if drawn at once."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic_corpus import uniform_chunks  # noqa: E402


def test_uniform_chunks_equal_one_draw_after_integer_draws():
    reference = np.random.default_rng(3)
    reference.integers(0, 17, size=11)  # leaves a buffered 32-bit value in the state
    expected = reference.random(5_000)
    rng = np.random.default_rng(3)
    rng.integers(0, 17, size=11)
    first = np.concatenate(list(uniform_chunks(rng, 2_000, chunk=7)))
    second = np.concatenate(list(uniform_chunks(rng, 3_000, skip=2_000, chunk=1_000)))
    np.testing.assert_array_equal(first, expected[:2_000])
    np.testing.assert_array_equal(second, expected[2_000:])
    assert len(first) == 2_000 and len(second) == 3_000
