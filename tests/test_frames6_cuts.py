"""frames6: the ASCII word cut of ``BatchMatcher.words`` by ``bytes.translate`` gives the same
word codes and word counts as the table lookup it replaced (every ASCII byte, runs at both
ends, empty sentences, "n't"), and ``PositionSums`` made lazy (its float sums computed when
asked for) gives the same tables and JSON as computing them at every batch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from newslens.codebook import NEGATION_CONTRACTION_RE, WORD_RE, Matcher, load_codebook
from newslens.frames_match import BatchMatcher, ascii_word_bytes, word_char_table
from newslens.frames_merge import PositionSums
from newslens.runtime import ExactSums


def table_words(lowered: str, sep: str, n: int, matcher: BatchMatcher):
    """``BatchMatcher.words`` as it was (the boolean table indexed by every byte)."""
    text = NEGATION_CONTRACTION_RE.sub(" not", lowered)
    buf = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    if len(buf) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(n, dtype=np.int64)
    isw = word_char_table(0x80)[buf]
    edges = np.flatnonzero(isw[1:] != isw[:-1]) + 1
    if isw[0]:
        edges = np.concatenate([[0], edges])
    if isw[-1]:
        edges = np.concatenate([edges, [len(buf)]])
    starts, ends = edges[0::2], edges[1::2]
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    chars = np.ascontiguousarray(buf[isw])
    arr = pa.Array.from_buffers(
        pa.large_string(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    )
    enc = pc.dictionary_encode(arr)
    codes = np.array([matcher._type_code(w) for w in enc.dictionary.to_pylist()], np.int64)
    packed = codes[enc.indices.to_numpy(zero_copy_only=False)]
    bounds = np.searchsorted(starts, np.flatnonzero(buf == ord(sep)))
    return packed, np.diff(np.concatenate([[0], bounds, [len(starts)]]))


REPO = Path(__file__).resolve().parents[1]


def matcher() -> BatchMatcher:
    """A batch matcher of the shipped policy codebook (words as they are), negation cues."""
    cb = load_codebook(REPO / "config/codebooks" / "policy_frames.yaml", "none")
    return BatchMatcher(Matcher(cb), str.lower, ("not", "never"), 3)


def test_ascii_word_bytes_is_the_table():
    flags, other = ascii_word_bytes()
    table = word_char_table(0x80)
    assert len(flags) == 256 and flags[:0x80] == bytes(table.astype(np.uint8).tolist())
    assert set(flags[0x80:]) == {0}
    assert set(other) == {b for b in range(256) if b >= 0x80 or not table[b]}
    assert sum(flags) == 62  # digits, upper and lower case letters


@pytest.mark.parametrize(
    "texts",
    [
        ["the tax cost jobs", "", "troops didn't attack the economy", "x"],
        ["tax", "tax"],
        [" leading and trailing ", "___", "a_b c-d 3.5% budget2024"],
        ["".join(map(chr, range(0x20, 0x7F))), "don't won't can't", "\t\ttabs\tand\nlines"],
        ["", "", ""],
        ["no cue here never ever", "ALL CAPS TAX"],
    ],
)
def test_translate_cut_equals_table_cut(texts):
    sep = "\x01"
    lowered = sep.join(texts).lower()
    new, old = matcher(), matcher()
    got = new.words(lowered, sep, len(texts))
    want = table_words(lowered, sep, len(texts), old)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    # words counted as WORD_RE cuts them
    words = [len(WORD_RE.findall(NEGATION_CONTRACTION_RE.sub(" not", t.lower()))) for t in texts]
    assert got[1].tolist() == words
    assert len(got[0]) == sum(words)
    assert (got[0] >> new.shift).any() == (want[0] >> old.shift).any()


def test_random_ascii_batches_equal_table_cut():
    rng = np.random.default_rng(6)
    alphabet = list("abcdefgh XYZ019 .,;'_-") + ["n't", "tax", "troops"]
    for _ in range(30):
        texts = [
            "".join(rng.choice(alphabet, size=int(rng.integers(0, 40))).tolist())
            for _ in range(int(rng.integers(1, 20)))
        ]
        sep = "\x02"
        lowered = sep.join(texts).lower()
        got = matcher().words(lowered, sep, len(texts))
        want = table_words(lowered, sep, len(texts), matcher())
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


class EagerSums(PositionSums):
    """PositionSums as it was: the float sums made at every batch."""

    def __call__(self, df, n_docs=None):
        super().__call__(df, n_docs)
        self.eager = self._exact.frame(self._columns)


def test_lazy_sums_equal_the_sums_made_at_every_batch():
    rng = np.random.default_rng(16)
    lazy, eager = PositionSums(4), EagerSums(4)
    for b in range(6):
        n = 50
        x = rng.random(n)
        df = pd.DataFrame(
            {
                "doc_id": [f"d{b}_{i // 7}" for i in range(n)],
                "para_id": np.arange(n) % 7,
                "share_a": x,
                "share_none": 1 - x,
            }
        )
        lazy(df)
        eager(df)
        pd.testing.assert_frame_equal(lazy.sums, eager.eager)
    assert lazy.table().to_csv() == eager.table().to_csv()
    assert json.dumps(lazy.to_json()) == json.dumps(eager.to_json())
    assert lazy.table()["n_paragraphs"].sum() == 300
    merged = PositionSums(4)
    merged.merge_json(lazy.to_json())
    assert merged.table().to_csv() == lazy.table().to_csv()
    assert PositionSums(4).sums is None
    assert isinstance(lazy._exact, ExactSums)


def test_arrow_table_equals_the_pandas_conversion(tmp_path):
    """The frame sentence and paragraph tables written from ``arrow_table`` are the tables (and
    Parquet bytes) ``PartWriter`` made from the DataFrames: NaN as null, strings, integers."""
    from newslens.frames_merge import arrow_table
    from newslens.shards import PartWriter

    schema = pa.schema(
        [
            ("doc_id", pa.large_string()),
            ("para_id", pa.int64()),
            ("labels", pa.large_string()),
            ("score_a", pa.float64()),
            ("share_a", pa.float64()),
        ]
    )
    df = pd.DataFrame(
        {
            "doc_id": pd.array(["d1", "d1", "", "d\u00e9"], dtype=pd.Series(["x"]).dtype),
            "para_id": np.array([0, 1, 0, 7], dtype=np.int64),
            "labels": ["a;b", "none", "", "a"],
            "score_a": [0.5, np.nan, -0.0, 1e-300],
            "share_a": [1.0, 0.0, np.nan, 0.25],
            "extra": [1, 2, 3, 4],
        }
    )
    fast = arrow_table(df, schema)
    slow = pa.Table.from_pandas(df, preserve_index=False).select(schema.names).cast(schema)
    assert fast.equals(slow)
    assert fast.column("score_a").null_count == 1 and fast.column("share_a").null_count == 1
    files = {}
    for name, table in (("fast", fast), ("slow", df)):
        with PartWriter(tmp_path / name, tmp_path / f"{name}.json", schema) as w:
            w.write(3, table)
        files[name] = next((tmp_path / name).glob("part-*.parquet")).read_bytes()
    assert files["fast"] == files["slow"]
