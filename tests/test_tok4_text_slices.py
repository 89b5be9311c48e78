"""The sentence and paragraph text columns cut from the batch text's UTF-8 bytes
(``TextSlices``) equal Python's slices text[start:end] as Arrow strings: ASCII and Unicode
text (two-, three- and four-byte characters), empty pieces, pieces at both ends, and pieces out
of order or overlapping (the plain path)."""

import random

import numpy as np
import pyarrow as pa
import pytest
from newslens.tokenize import TextSlices, _code_points

ALPHABETS = ["ab c.\n", "aé ж\u2028. 😀—x\n", "\u3000«»"]


def python_slices(text, starts, ends):
    return pa.array([text[a:b] for a, b in zip(starts, ends, strict=True)], pa.large_string())


@pytest.mark.parametrize("alphabet", ALPHABETS)
def test_text_slices_equal_python_slices(alphabet):
    rng = random.Random(len(alphabet))
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        cuts = sorted(rng.randint(0, len(text)) for _ in range(2 * rng.randint(0, 8)))
        starts = np.array(cuts[0::2], dtype=np.int64)
        ends = np.array(cuts[1::2], dtype=np.int64)
        got = TextSlices(text, _code_points(text))(starts, ends)
        want = python_slices(text, cuts[0::2], cuts[1::2])
        assert got.type == pa.large_string()
        assert got.to_pylist() == want.to_pylist()
        assert got.equals(want)


def test_text_slices_whole_text_empty_pieces_and_no_pieces():
    text = "Ünïcode 😀 text.\n\nSecond paragraph."
    slices = TextSlices(text, _code_points(text))
    ends = np.array([0, 7, len(text)], dtype=np.int64)
    starts = np.array([0, 7, 18], dtype=np.int64)
    assert slices(starts, ends).to_pylist() == ["", "", text[18:]]
    assert slices(np.zeros(0, np.int64), np.zeros(0, np.int64)).to_pylist() == []
    assert TextSlices("", _code_points(""))(np.array([0]), np.array([0])).to_pylist() == [""]


def test_text_slices_out_of_order_or_overlapping_take_the_plain_path():
    text = "Der Bär. Él dijo: «sí»."
    slices = TextSlices(text, _code_points(text))
    starts, ends = np.array([9, 0, 3]), np.array([23, 8, 12])
    assert slices(starts, ends).to_pylist() == [text[9:23], text[0:8], text[3:12]]
