"""frames5: MentionIndex looks doc_ids up in a dict (each distinct id of a batch once) instead
of ``pc.index_in`` on every article so far (quadratic in the shard). The keys, actor codes,
sentence keys and counts equal those of the index_in path (``index.at = None`` before the first
batch) on tricky batches: dictionary and plain columns, duplicate dictionary values, integer
ids, articles that come back, unknown and null ids."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens.framing import MentionIndex, actor_share_counts, mentioned_shares


def _index(batches, reference: bool) -> MentionIndex:
    index = MentionIndex()
    if reference:
        index.at = None  # pc.index_in from the first batch on
    for docs, sents, actors in batches:
        index.add(docs, sents, actors)
    return index


def _dict_array(values: list, dictionary: list) -> pa.DictionaryArray:
    """A dictionary array whose dictionary may repeat values (Arrow allows it)."""
    codes = [dictionary.index(v) if v is not None else None for v in values]
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(dictionary))


def _batches(rng: np.random.Generator, n_batches: int, dictionary: bool):
    """Mention batches of articles d0..d59 in runs, some coming back in a later batch."""
    out = []
    for b in range(n_batches):
        n = int(rng.integers(1, 40))
        docs = [f"d{int(x)}" for x in np.sort(rng.integers(0, 60, n))]
        if b % 3 == 2:
            docs = docs[::-1]
        sents = rng.integers(0, 30, n).tolist()
        actors = [["NATO", "EU", "Putin", "Zelensky"][int(x)] for x in rng.integers(0, 4, n)]
        if dictionary:
            out.append((pa.array(docs).dictionary_encode(), pa.array(sents), pa.array(actors)))
        else:
            out.append((pd.Series(docs), pd.Series(sents), pd.Series(actors)))
    return out


@pytest.mark.parametrize("dictionary", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_keys_equal_index_in_path(dictionary, seed):
    batches = _batches(np.random.default_rng(seed), 12, dictionary)
    fast, ref = _index(batches, False), _index(batches, True)
    assert fast.at is not None and ref.at is None
    k1, c1 = fast.arrays()
    k2, c2 = ref.arrays()
    assert len(k1) == sum(len(b[0]) for b in batches) > 50
    np.testing.assert_array_equal(k1, k2)
    np.testing.assert_array_equal(c1, c2)
    assert fast.docs.equals(ref.docs) and fast.actors == ref.actors
    assert fast.at == {d: i for i, d in enumerate(fast.docs.to_pylist())}
    # sentence keys: known, unknown articles, dictionary and plain columns
    docs = ["d3", "zz", "d59", "d0", "d3", "nope", "d17"]
    sents = [1, 2, 3, 4, 5, 6, 7]
    for column in (pd.Series(docs), pa.array(docs).dictionary_encode(), pa.array(docs)):
        got = fast.sentence_keys(column, sents)
        np.testing.assert_array_equal(got, ref.sentence_keys(column, sents))
        assert (got[[1, 5]] == -1).all()


def test_repeated_dictionary_values_and_integer_ids():
    # a dictionary holding "a" twice: one article, as index_in finds its first entry
    docs = _dict_array(["a", "b", "a", "c", "a"], ["a", "b", "a", "c"])
    docs = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 3, 2], pa.int32()), docs.dictionary)
    index = MentionIndex()
    index.add(docs, [0, 1, 2, 3, 4], ["X", "Y", "X", "Y", "X"])
    keys, _ = index.arrays()
    assert index.docs.to_pylist() == ["a", "b", "c"]
    np.testing.assert_array_equal(keys >> 32, [0, 1, 0, 2, 0])
    np.testing.assert_array_equal(index.sentence_keys(pd.Series(["c", "a"]), [3, 2]) >> 32, [2, 0])
    # integer doc ids are looked up as their decimal text, as the index_in path casts them
    ints = [(pd.Series([10, 11, 10]), [0, 1, 2], ["X", "X", "Y"])]
    fast, ref = _index(ints, False), _index(ints, True)
    np.testing.assert_array_equal(fast.arrays()[0], ref.arrays()[0])
    assert fast.docs.to_pylist() == ["10", "11"]
    np.testing.assert_array_equal(
        fast.sentence_keys(pd.Series(["11", "12"]), [1, 1]),
        ref.sentence_keys(pd.Series(["11", "12"]), [1, 1]),
    )


def test_null_doc_id_falls_back_to_index_in():
    first = (pd.Series(["a", "b"]), [0, 1], ["X", "Y"])
    with_null = (pd.Series(["c", None, "a"], dtype=object), [0, 1, 2], ["X", "X", "Y"])
    fast, ref = _index([first, with_null], False), _index([first, with_null], True)
    assert fast.at is None  # a null id met: index_in from then on
    np.testing.assert_array_equal(fast.arrays()[0], ref.arrays()[0])
    assert fast.docs.to_pylist() == ref.docs.to_pylist() == ["a", "b", "c", None]
    column = pd.Series([None, "b", "q"], dtype=object)
    np.testing.assert_array_equal(
        fast.sentence_keys(column, [1, 1, 1]), ref.sentence_keys(column, [1, 1, 1])
    )
    # a null doc_id among the sentences only: the lookup falls back for that batch
    clean = _index([first], False)
    got = clean.sentence_keys(pd.Series(["b", None], dtype=object), [1, 2])
    np.testing.assert_array_equal(got, [(1 << 32) + 1, -1])
    assert clean.at == {"a": 0, "b": 1}


def test_counts_equal_index_in_path():
    rng = np.random.default_rng(5)
    batches = _batches(rng, 10, True)
    frames = ["f1", "f2", "none"]
    n = 600
    table = pd.DataFrame(
        {
            "doc_id": [f"d{i % 60}" for i in range(n)],
            "sent_id": [i // 60 for i in range(n)],
            **{f"share_{f}": rng.random(n).round(3) for f in frames},
        }
    )
    share_cols = [f"share_{f}" for f in frames]
    out = []
    for reference in (False, True):
        index = _index(batches, reference)
        chunks = (table.iloc[i : i + 97] for i in range(0, n, 97))
        keys, shares = mentioned_shares(index, chunks, share_cols)
        out.append(actor_share_counts(index, keys, shares, frames))
    assert len(out[0]) == 4 * len(frames) and out[0]["n_actor_sentences"].sum() > 0
    pd.testing.assert_frame_equal(out[0], out[1], check_exact=True)
