"""clean5: the whole-text pre-test of the furniture lines (``CleaningRules.furniture_text``)
gives exactly what testing every stripped line gives: same kept lines, same removed lines
with the same reasons (the pattern of each), on random texts with CRLF, form feeds, U+2028,
U+0085, ideographic and other odd spaces, empty and blank lines; with patterns that hold
anchors, lookarounds, flags or can match empty the pre-test is not used (None) or still
agrees."""

import copy
import random

import clean_reference as ref
import pytest
import yaml
from conftest import REPO
from newslens.clean import (
    SPACES,
    CleaningRules,
    _cut_furniture,
    clean_article,
    normalize_unicode,
)

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])

PIECES = [
    "x",
    "X",
    "42",
    "Advertisement",
    "advertisement",
    "Share this article",
    "share this page",
    "Comments",
    "comment",
    "Read more:",
    "READ ALSO",
    "Related stories",
    "related news:",
    "All rights reserved 2022",
    "Skip to main content",
    "Back to top",
    "The minister said the talks would go on.",
    "Date: 3 March 2022",
    "By Anna Smith, correspondent",
    "xx",
    "4 2",
    "\u017fhare",  # long s: case-folds to "s" under IGNORECASE
    "\u212a",  # Kelvin sign: case-folds to "k"
    "Ad\u2028vertisement",
    "read on the topic",
]
BLANKS = ["", " ", "\t", "\f", "\v", "\x1c", "\x1f", "\x85", "\u2028", "\u2029", "\u3000", "\xa0"]
BREAKS = ["\n", "\r\n", "\r", "\n\n", "\n \n"]


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 14)):
        parts.append(rng.choice(BLANKS) + rng.choice(PIECES) + rng.choice(BLANKS))
        parts.append(rng.choice(BREAKS))
    return "".join(parts)


def without_pretest(rules: CleaningRules) -> CleaningRules:
    exact = copy.copy(rules)
    exact.furniture_text = None
    return exact


def prepared(raw: str) -> tuple[str, list[str]]:
    """The text and stripped lines ``_cut_furniture`` gets from ``_clean_lines``."""
    text = SPACES.sub(" ", normalize_unicode(raw))
    return text, [line.strip() for line in text.split("\n")]


def cut_both(rules: CleaningRules, raw: str):
    text, stripped = prepared(raw)
    removed_new, removed_old = [], []
    kept_new = _cut_furniture(stripped, rules, removed_new, text)
    kept_old = _cut_furniture(stripped, without_pretest(rules), removed_old, text)
    return (kept_new, removed_new), (kept_old, removed_old)


def test_default_patterns_get_the_pretest_with_their_first_characters():
    assert RULES.furniture_text is not None
    pattern = RULES.furniture_text.pattern
    assert pattern.startswith("\\n[^\\S\\n]*(?=[\\dabcemprstx])(?:")
    assert RULES.furniture_text.flags == RULES.furniture.flags


@pytest.mark.parametrize("seed", range(6))
def test_random_texts_same_cut_as_every_line(seed):
    rng = random.Random(seed)
    n_removed = 0
    for _ in range(400):
        raw = random_text(rng)
        new, old = cut_both(RULES, raw)
        assert new == old, raw
        n_removed += len(old[1])
        rules_exact = without_pretest(RULES)
        assert clean_article(raw, RULES) == clean_article(raw, rules_exact)
    assert n_removed > 500  # the random texts do hold furniture lines


def test_pretest_finds_every_furniture_line_alone():
    for piece in PIECES:
        for before in BLANKS:
            for after in BLANKS:
                line = before + piece + after
                text, stripped = prepared(f"Title\n{line}\nBody")
                hit = any(RULES.furniture.fullmatch(s) for s in stripped if s)
                assert (RULES.furniture_text.search(f"\n{text}\n") is not None) >= hit, line


def test_text_without_furniture_keeps_every_line_numbered():
    raw = "Title line\n\nFirst paragraph here.\n  \nSecond one\r\nthird\u2028still third"
    text, stripped = prepared(raw)
    removed = []
    assert RULES.furniture_text.search(f"\n{text}\n") is None
    kept = _cut_furniture(stripped, RULES, removed, text)
    assert kept == list(enumerate(stripped, start=1))
    assert kept[-1] == (6, "third\u2028still third")
    assert removed == []


def test_removed_lines_keep_their_pattern_in_the_reason():
    raw = "Title\n\n Advertisement \n\nBody text.\n42\nRead more:\nlater line\n"
    (kept, removed), old = cut_both(RULES, raw)
    assert (kept, removed) == old
    assert [(n, action, reason) for n, action, _, reason in removed] == [
        (3, "removed_line", "boilerplate /advertisement/"),
        (6, "removed_line", "boilerplate /\\d+/"),
        (7, "cut", "end-of-article line /read (more|also)( on the topic)?:?/"),
        (8, "cut", "after an end-of-article line"),
    ]
    assert kept == [(1, "Title"), (2, ""), (4, ""), (5, "Body text.")]


@pytest.mark.parametrize(
    "patterns",
    [
        ["^x$"],  # anchors
        ["x\\b"],  # word boundary
        ["foo(?!\\s)"],  # lookahead: the line's end is not the text's
        ["(?<=a)b", "x"],  # lookbehind
        ["(?>x\\s*)"],  # atomic group
        ["x\\s*+"],  # possessive repeat
        [".*total"],  # any first character
        ["[^a-z]+"],  # negated class
        ["(?s:.)x"],  # scoped flags
    ],
)
def test_context_dependent_patterns_get_no_pretest(patterns):
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "boilerplate_lines": patterns})
    assert rules.furniture is not None
    assert rules.furniture_text is None
    raw = "Title\nfoo\nx \n ab\nfoo bar total\n\nBody text here."
    assert clean_article(raw, rules) == ref.clean_article(raw, rules)


@pytest.mark.parametrize(
    "patterns",
    [
        ["x*"],  # may match empty: blank lines are never furniture
        [""],  # only the empty match
        ["(a|b)?c+", "[A-C]\\d{2,}"],
        ["(?:share|print)( this)?\\s*(page)?", "\\w+:"],
        ["K", "s"],  # Kelvin sign and long s under IGNORECASE
        ["a\\s+b"],  # \s may span a newline in the text: a match there is only a maybe
        ["[\\]\\-^]+", "\\\\"],  # escaped characters in the first-character class
    ],
)
def test_other_patterns_agree_with_every_line(patterns):
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "boilerplate_lines": patterns})
    assert rules.furniture_text is not None
    rng = random.Random(len(patterns))
    extra = ["xxx", "c", "ac", "bccc", "B12", "share this page", "price:", "a", "b", "]-^", "\\"]
    for _ in range(300):
        pieces = [rng.choice(PIECES + extra) for _ in range(rng.randint(0, 8))]
        raw = "".join(p + rng.choice(BLANKS) + rng.choice(BREAKS) for p in pieces)
        new, old = cut_both(rules, raw)
        assert new == old, raw
        assert clean_article(raw, rules) == clean_article(raw, without_pretest(rules))


def test_only_empty_furniture_gets_no_pretest():
    rules = CleaningRules.from_config(
        {**CONFIG["cleaning"], "boilerplate_lines": ["", "(?:)"], "cut_after": []}
    )
    assert rules.furniture is not None
    assert rules.furniture_text is None
    raw = "Title\n\n \nBody text here."
    assert clean_article(raw, rules) == ref.clean_article(raw, rules)
