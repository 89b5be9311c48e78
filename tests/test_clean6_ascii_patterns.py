"""clean6: the furniture and date-line patterns without re.IGNORECASE for ASCII text
(newslens.ascii_patterns) match exactly what the IGNORECASE patterns match on ASCII strings,
and clean_article gives the same result as with the original patterns."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
import yaml
from conftest import REPO
from newslens.ascii_patterns import ascii_variant
from newslens.clean import CleaningRules, clean_article

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
RULES = CleaningRules.from_config(CONFIG["cleaning"])
ASCII = [chr(code) for code in range(128)]

PATTERNS = [
    *(p.pattern for p in RULES.cut_after + RULES.boilerplate_lines),
    CONFIG["cleaning"]["date_line"],
    CONFIG["cleaning"]["byline"],
    r"[A-Z][a-z]+",
    r"[^a-z0-9 ]+x",
    r"[^K]s+",
    r"\w+\s*\d*\W?",
    r"\bby\b.*?(?=:)",
    r"(?P<a>read|READ)(?!ing)\s+(?:on|ON)+?",
    r"(?>ab|a)c",
    r"x*+k",
    r"(?<=a)B|c",
    r"[\s\S]{2,4}?z$",
    r"^(share|tweet)( this( article| page)?)?\Z",
    r"[k-m_\-\]]{1,3}",
    r"(?P<date>.+)",
]


def ascii_strings(seed: int, n: int) -> list[str]:
    """Random ASCII strings from the patterns' letters in both cases, digits, blanks and
    punctuation, and every ASCII character now and then."""
    rng = random.Random(seed)
    words = ["read", "more", "share", "this", "page", "date", "by", "on", "k", "s", "x", "ab"]
    words += ["Published", "Advertisement", "Comments", "12", "3/4/2020", ":", " ", "  ", "\t"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 6)):
            word = rng.choice(words)
            word = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in word)
            parts.append(word)
            if rng.random() < 0.2:
                parts.append(rng.choice(ASCII))
        out.append(rng.choice(["", " ", ""]).join(parts))
    return out


def outcome(match):
    return None if match is None else (match.span(), match.groups(), match.groupdict())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_variant_matches_like_ignorecase_on_ascii(pattern):
    original = re.compile(pattern, re.IGNORECASE)
    variant = ascii_variant(original)
    assert variant is not None and not variant.flags & re.IGNORECASE
    assert variant.groupindex == original.groupindex
    texts = [*ASCII, *(a + b for a in "kKsSxX1 :" for b in ASCII), *ascii_strings(7, 3000)]
    for text in texts:
        for method in ("fullmatch", "match", "search"):
            expected = outcome(getattr(original, method)(text))
            assert outcome(getattr(variant, method)(text)) == expected, (pattern, method, text)


def test_every_single_character_item_on_every_ascii_character():
    items = ["k", "K", "s", "S", "i", "I", "[a-z]", "[A-Z]", "[^a]", "[^A-Z]", r"\w", r"\W"]
    items += [r"\d", r"\s", r"\S", ".", "[k-s]", "[^\\s\\d]", "\\]", "-"]
    for item in items:
        original = re.compile(item, re.IGNORECASE)
        variant = ascii_variant(original)
        got = [ch for ch in ASCII if variant.fullmatch(ch)]
        assert got == [ch for ch in ASCII if original.fullmatch(ch)], item


def test_the_config_patterns_match_the_expected_lines():
    furniture = RULES.furniture_ascii
    assert furniture is not None and RULES.date_line_ascii is not None
    for line in ["Read more:", "ADVERTISEMENT", "Share This Page", "12", "x", "X", "comment"]:
        assert furniture.fullmatch(line), line
    for line in ["Reading more", "share it", "Comments here", "Related", ""]:
        assert not furniture.fullmatch(line), line
    match = RULES.date_line_ascii.fullmatch("PUBLISHED ON: 3 May 2020")
    assert match.group("date") == "3 May 2020"
    assert RULES.date_line_ascii.fullmatch("The date: 3 May") is None


def test_no_variant_where_it_cannot_be_proved():
    assert ascii_variant(re.compile(r"(a)\1", re.IGNORECASE)) is None  # backreference
    assert ascii_variant(re.compile(r"(?-i:a)b", re.IGNORECASE)) is None  # scoped flags
    assert ascii_variant(re.compile(r"(a)?(?(1)b|c)", re.IGNORECASE)) is None
    assert ascii_variant(re.compile(rb"ab", re.IGNORECASE)) is None  # bytes
    plain = re.compile("ab")
    assert ascii_variant(plain) is plain


def original_rules() -> CleaningRules:
    rules = dataclasses.replace(RULES)
    rules.furniture_ascii = None
    rules.date_line_ascii = None
    return rules


def random_article(rng: random.Random, non_ascii: bool) -> str:
    furniture = ["Read more:", "SHARE THIS", "Advertisement", "42", "x", "Comments", "Related News"]
    furniture += ["All rights reserved 2020", "Skip to main content", "read on the topic"]
    body = [
        "The minister said on Tuesday that the plan would cost more than expected by all.",
        "Officials in the capital declined to comment on the report, which was leaked.",
        "By John Smith, staff writer",
        "Date: 3 May 2020",
        "PUBLISHED ON: 2020-05-04",
        "Posted: yesterday",
        "Markets fell sharply as investors weighed the news from the central bank.",
    ]
    if non_ascii:  # under IGNORECASE "\u017fhare" is "share", the Kelvin sign is "k"
        furniture += ["\u017fhare this", "Adverti\u017eement", "\u212a"]
        body += ["Caf\u00e9 owners in Montr\u00e9al said business was slow this winter season."]
    lines = ["A headline about the economy"]
    for _ in range(rng.randint(3, 14)):
        lines.append(rng.choice(furniture if rng.random() < 0.35 else body))
        if rng.random() < 0.3:
            lines.append("")
    return "\n".join("".join(c.upper() if rng.random() < 0.05 else c for c in x) for x in lines)


@pytest.mark.parametrize("non_ascii", [False, True])
def test_clean_article_is_unchanged(non_ascii):
    rng = random.Random(11 + non_ascii)
    plain = original_rules()
    for _ in range(400):
        text = random_article(rng, non_ascii)
        assert clean_article(text, RULES) == clean_article(text, plain), text


def test_non_ascii_text_keeps_the_ignorecase_pattern():
    text = "Title of it\n\u017fhare this\nSome body text that goes on and on for a while."
    article = clean_article(text, RULES)
    assert sorted((n, action) for n, action, *_ in article.removed) == [
        (1, "header"),
        (2, "removed_line"),
    ]
    assert "\u017fhare" not in article.text
