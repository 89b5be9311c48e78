"""The sentence sample of the codebook suggestions: seeded, of the asked size, and the same
sentences whatever shard they are in."""

from __future__ import annotations

import numpy as np
import pandas as pd
from newslens.frames_suggest import sampled_sentences


def sentences(n_docs: int = 400, per_doc: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [(f"doc{d}", int(rng.integers(0, 3)), s) for d in range(n_docs) for s in range(per_doc)]
    out = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id"])
    return out.astype({"doc_id": "string"})


def chosen(frames: pd.DataFrame, rate: float, seed: int) -> set:
    mask = sampled_sentences(frames, rate, seed)
    return set(map(tuple, frames.loc[mask, ["doc_id", "para_id", "sent_id"]].to_numpy()))


def test_sample_size_and_seed():
    frames = sentences()
    mask = sampled_sentences(frames, 0.2, 42)
    assert abs(mask.mean() - 0.2) < 0.02  # 10,000 sentences
    assert (mask == sampled_sentences(frames, 0.2, 42)).all()
    assert (mask != sampled_sentences(frames, 0.2, 7)).any()
    assert sampled_sentences(frames, 1.0, 42).all()


def test_the_same_sentences_whatever_the_shards():
    frames = sentences()
    whole = chosen(frames, 0.3, 42)
    for n_shards in (2, 3, 7):
        shard = np.arange(len(frames)) % n_shards  # sentences dealt to shards
        parts = [
            chosen(frames[shard == k].reset_index(drop=True), 0.3, 42) for k in range(n_shards)
        ]
        assert set().union(*parts) == whole
    # ... and whatever the dtype the doc_id column was read with
    assert chosen(frames.astype({"doc_id": object}), 0.3, 42) == whole
