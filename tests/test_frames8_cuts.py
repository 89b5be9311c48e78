"""frames8: the hits take their sentence keys by position (no ``DataFrame.join``), ``pieces``
cuts a part's last article off by a slice when its rows are the last ones, and
``MentionIndex`` numbers a batch's new articles at once. Each is held to the former code: the
same frames (values, dtypes, index) and the same positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens.codebook import Matcher
from newslens.frames_actors import MentionIndex
from newslens.frames_match import match_sentences
from newslens.frames_merge import pieces
from newslens.frames_score import _hits_with_keys, classify_sentences
from test_frames2_fastpaths import codebook, stem, tricky_sentences
from test_frames7_cuts import PARAMS


def joined(hits: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """The former way: a join on the sentence row."""
    return hits.join(keys, on="sent").drop(columns="sent")


@pytest.mark.parametrize("seed", [1, 7])
def test_hits_take_the_keys_the_join_gave(seed):
    cb = codebook()
    matcher = Matcher(cb)
    sentences = tricky_sentences(30, seed)
    texts = sentences["text"].fillna("").astype(str).tolist()
    hits, _ = match_sentences(texts, cb, matcher, stem(), ["not", "never", "no"], 3)
    keys = sentences[["doc_id", "para_id", "sent_id"]].reset_index(drop=True)
    assert len(hits) > 50 and hits["negated"].any()
    got, want = _hits_with_keys(hits, keys), joined(hits, keys)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["doc_id"].tolist() == keys["doc_id"].to_numpy()[hits["sent"]].tolist()
    # other key dtypes: pandas' string dtype, int32 ids
    keys2 = keys.astype({"doc_id": "string", "para_id": "int32"})
    pd.testing.assert_frame_equal(_hits_with_keys(hits, keys2), joined(hits, keys2))
    # the whole hits table of classify_sentences: keys first, as before
    _, h = classify_sentences(sentences, cb, matcher, stem(), PARAMS)
    assert h.columns.tolist() == [
        "doc_id",
        "para_id",
        "sent_id",
        "frame",
        "indicator",
        "weight",
        "negated",
    ]
    want = joined(hits, keys)[h.columns]
    pd.testing.assert_frame_equal(h, want.reset_index(drop=True), check_exact=True)


def former_pieces(df: pd.DataFrame, last) -> list[pd.DataFrame]:
    if last is None or not len(df):
        return [df]
    mask = (df["doc_id"] == last).to_numpy(dtype=bool)
    return [df[~mask], df[mask]]


@pytest.mark.parametrize(
    "ids, last",
    [
        (["a", "a", "b", "c", "c"], "c"),  # the last article at the end: a slice
        (["c", "c"], "c"),  # only the last article
        (["a", "b"], "c"),  # not there
        (["a", "c", "b", "c"], "c"),  # not the last rows: the mask
    ],
)
def test_pieces_slice_equals_the_mask(ids, last):
    df = pd.DataFrame({"doc_id": ids, "x": np.arange(len(ids)) * 1.5})
    got, want = pieces(df, last), former_pieces(df, last)
    assert len(got) == len(want) == 2
    for g, w in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(g, w, check_exact=True)
    assert [len(g) for g in got] == [sum(i != last for i in ids), sum(i == last for i in ids)]


def reference_positions(index_at: dict, names: list, codes: np.ndarray) -> np.ndarray:
    """The former loop: each new name numbered in order of its first row."""
    out = []
    for c in codes.tolist():
        if names[c] not in index_at:
            index_at[names[c]] = len(index_at)
        out.append(index_at[names[c]])
    return np.array(out, dtype=np.int64)


def test_mention_index_numbers_new_articles_in_order():
    rng = np.random.default_rng(3)
    index, ref = MentionIndex(), {}
    for _ in range(6):
        ids = [f"d{x}" for x in rng.integers(0, 40, 50)]
        got = index.positions(pa.array(ids), grow=True)
        want = reference_positions(ref, ids, np.arange(len(ids)))
        np.testing.assert_array_equal(got, want)
    assert index.at == ref and index.docs.to_pylist() == list(ref)
    # a dictionary column holding a value twice: the same position for both codes
    arr = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 2, 1, 0]), pa.array(["new1", "d5", "new1"], pa.large_string())
    )
    got = index.positions(arr, grow=True)
    names = ["new1", "d5", "new1"]
    want = reference_positions(ref, names, np.array([0, 1, 2, 1, 0]))
    np.testing.assert_array_equal(got, want)
    assert got[0] == got[2] and index.at == ref and index.docs.to_pylist() == list(ref)
