"""clean5: ``paragraph_body`` (body and lede on the joined text) gives the paragraphs the former
block-by-block split gave (``clean_reference.split_paragraphs``), joined by one blank line."""

import random

import clean_reference as ref
import pytest
from newslens.clean import paragraph_body

LINE_CHOICES = ["", "", "Alpha beta.", "gamma", "x", "  ", "caf\u00e9 \u2028 na\u00efve", "\x00"]


def expected(lines: list[str]) -> tuple[str, str | None]:
    paragraphs = ref.split_paragraphs(lines)
    return "\n\n".join(paragraphs), paragraphs[0] if paragraphs else None


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [""],
        ["", "", ""],
        ["One line only"],
        ["First", "Second", "Third"],  # no blank line: one paragraph per line
        ["", "Lede here", "wrapped on", "", "", "Second", "", "Third"],
        ["Lede", "", "", ""],
        ["a", "", "b", "c", "", "d"],
        ["nul\x00inside", "", "next"],  # never in cleaned text: split block by block
    ],
)
def test_paragraph_body_equals_block_split(lines):
    assert paragraph_body(lines) == expected(lines)


def test_paragraph_body_random_lines():
    rng = random.Random(5)
    for _ in range(3000):
        lines = [rng.choice(LINE_CHOICES) for _ in range(rng.randint(0, 12))]
        assert paragraph_body(lines) == expected(lines), lines


def test_paragraph_body_values():
    body, lede = paragraph_body(["", "Lede here", "wrapped on", "", "", "Second", ""])
    assert body == "Lede here wrapped on\n\nSecond"
    assert lede == "Lede here wrapped on"
    assert paragraph_body(["", ""]) == ("", None)
