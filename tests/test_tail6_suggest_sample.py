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


# ---- the job's sampled batches (read as Arrow, only the sample converted) and the labels ----
def script_functions() -> dict:
    """scripts/frames_codebook_suggestions.py's functions, without running the job."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "frames_codebook_suggestions.py"
    source = path.read_text(encoding="utf-8").replace("run(main, snakemake)", "")
    namespace: dict = {"__name__": "suggestions_under_test"}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def per_batch_pandas(path, columns, rate, seed) -> pd.DataFrame:
    """The previous sampled_batches: every batch converted to pandas, then cut to the sample."""
    from newslens.runtime import iter_parquet

    kept = [
        b[per_row_sample(b, rate, seed)]
        for b in iter_parquet(path, batch_rows=200_000, columns=columns)
    ]
    kept = [b for b in kept if len(b)]
    return pd.concat(kept, ignore_index=True).astype({"doc_id": str})


@pytest.mark.parametrize("rate", [0.05, 0.5, 1.0])
def test_sampled_batches_equal_the_pandas_path(tmp_path, rate):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(5)
    frames = random_frames(450_000, 30_000, rng).reset_index(drop=True)
    frames["text"] = [f"Sentence {i} of the ü text." for i in range(len(frames))]
    path = tmp_path / "sentences.parquet"
    pq.write_table(pa.Table.from_pandas(frames, preserve_index=False), path, row_group_size=70_000)
    columns = ["doc_id", "para_id", "sent_id", "text"]
    got = script_functions()["sampled_batches"](str(path), columns, rate, 11)
    want = per_batch_pandas(str(path), columns, rate, 11)
    pd.testing.assert_frame_equal(got, want)
    assert list(got.columns) == columns and len(got) == len(want) > 0
    if rate < 1:
        assert abs(len(got) / len(frames) - rate) < 0.01


def loop_label_matrix(labels: pd.Series, keys: list[str]) -> np.ndarray:
    """The previous _label_matrix: a Python loop over every sentence."""
    index = {k: j for j, k in enumerate(keys)}
    out = np.zeros((len(labels), len(keys)), dtype=np.float64)
    for i, s in enumerate(labels.astype(str)):
        for lab in s.split(";"):
            j = index.get(lab)
            if j is not None:
                out[i, j] = 1.0
    return out


def test_label_matrix_equals_the_loop():
    from newslens.frames_suggest import _label_matrix

    keys = ["conflict", "economic", "legality", "other"]
    rng = np.random.default_rng(2)
    pool = ["conflict", "economic;legality", "other", "", "unknown", "legality;conflict;x"]
    labels = pd.Series(rng.choice(pool, 5_000), dtype="str")
    got = _label_matrix(labels, keys)
    np.testing.assert_array_equal(got, loop_label_matrix(labels, keys))
    np.testing.assert_array_equal(
        _label_matrix(pd.Series(["economic;legality", "", "conflict"], dtype=object), keys),
        [[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]],
    )
    assert _label_matrix(pd.Series([], dtype="str"), keys).shape == (0, 4)
