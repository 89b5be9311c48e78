"""frames_suggest.sampled_sentences hashes doc_id as a categorical (each distinct id once):
the same sample as hashing every row's id as a Python string, as before."""

import numpy as np
import pandas as pd
import pytest
from newslens.frames_suggest import sampled_sentences


def per_row_sample(frames: pd.DataFrame, rate: float, seed: int) -> np.ndarray:
    """The previous definition: every row's doc_id hashed as a Python string."""
    key = pd.DataFrame(
        {
            "doc_id": frames["doc_id"].astype(str).to_numpy(dtype=object),
            "para_id": frames["para_id"].to_numpy(dtype=np.int64),
            "sent_id": frames["sent_id"].to_numpy(dtype=np.int64),
        }
    )
    hashed = pd.util.hash_pandas_object(key, index=False, hash_key=f"{seed:016d}"[-16:])
    return hashed.to_numpy(dtype=np.uint64) / np.float64(2**64) < rate


def random_frames(n: int, n_docs: int, rng, ids: str = "text") -> pd.DataFrame:
    docs = rng.integers(0, n_docs, n)
    if ids == "text":
        doc_id = np.array([f"d{d:05d}-ü" if d % 7 == 0 else f"doc{d}" for d in docs], object)
    else:
        doc_id = docs
    return pd.DataFrame(
        {
            "doc_id": doc_id,
            "para_id": rng.integers(0, 5, n),
            "sent_id": rng.integers(0, 40, n),
            "labels": "a",
        },
        index=rng.permutation(n) + 3,  # not a default index (a filtered batch)
    )


@pytest.mark.parametrize("ids", ["text", "int"])
@pytest.mark.parametrize("seed", [0, 7, 123456789])
@pytest.mark.parametrize("rate", [0.0, 0.037, 0.5, 0.999])
def test_same_sample_as_per_row_hash(ids, seed, rate):
    rng = np.random.default_rng(seed + 1)
    frames = random_frames(20_000, 1_500, rng, ids)
    got = sampled_sentences(frames, rate, seed)
    want = per_row_sample(frames, rate, seed)
    assert got.dtype == bool and len(got) == len(frames)
    np.testing.assert_array_equal(got, want)
    if 0 < rate < 1:  # a real sample: near the rate
        assert abs(got.mean() - rate) < 0.02


def test_sample_values_pinned_and_string_dtypes():
    frames = pd.DataFrame(
        {
            "doc_id": pd.array(["a", "b", "a", "c", "b", "a"], dtype="str"),
            "para_id": [0, 0, 1, 0, 1, 1],
            "sent_id": [0, 1, 0, 0, 0, 1],
        }
    )
    got = sampled_sentences(frames, 0.5, 3)
    np.testing.assert_array_equal(got, per_row_sample(frames, 0.5, 3))
    assert sampled_sentences(frames, 1.0, 3).all()
    assert len(sampled_sentences(frames.iloc[:0], 0.5, 3)) == 0
