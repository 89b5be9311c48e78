"""The fast mojibake test (newslens.mojibake.fast_is_bad) and the ASCII path of the language
check give exactly the answers of the slow paths, on tricky input."""

import random
import re

import ftfy
import ftfy.fixes
import pytest
from ftfy.badness import BADNESS_RE, is_bad
from newslens import mojibake
from newslens.input_checks import ENGLISH_FUNCTION_WORDS, english_share
from newslens.mojibake import fast_is_bad, repair_mojibake, search_width

RUSSIAN = "Привет, мир! Это тест. Цена £5 и €10 — «кавычки» “и такие”."
PIECES = ["Â£", "Ã", "Ã ", "â€™", "â€œ", "×²", "ВЂ", "œ1", "Ã©", "Â ", "ГўВЂВ™a", "√±", "\x85"]
ALPHABET = "Â£Ã©â€™ÐÑƒÑ€Ð°ВЂ×²Œœ°à²√±‚Äì ¡\xa0abcXY .,!?\n1"


def tricky_texts() -> list[str]:
    rng = random.Random(7)
    base = (
        'The minister said the budget would rise by £5bn. "It\'s a start," she said.\n\n'
        "Café owners — and their staff — were not convinced. "
    ) * 5
    out = ["", "a", "Â", "Â ", " Ã ", "aÃ ", "Ã\xa0", "ÂÂÂ", base, "é" * 5000]
    out += [RUSSIAN, RUSSIAN.encode("utf-8").decode("cp1251", "replace")]
    out.append(RUSSIAN.encode("utf-8").decode("cp1251", "replace") * 40)
    out.append(RUSSIAN.encode("cp1251", "replace").decode("latin-1"))
    for _ in range(3000):
        out.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))))
    for _ in range(600):  # a garbled piece at any place of a long text, also its edges
        i = rng.choice([0, 1, len(base) - 1, len(base), rng.randrange(len(base))])
        out.append(base[:i] + rng.choice(PIECES) + base[i:])
    for _ in range(200):  # several pieces far apart and close together
        text = base
        for _ in range(rng.randint(2, 6)):
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice(PIECES) + text[i:]
        out.append(text)
    out.append("x" * 100_000 + "Â£" + "y" * 100_000)
    return out


def test_fast_is_bad_equals_is_bad():
    texts = tricky_texts()
    assert [fast_is_bad(t) for t in texts] == [is_bad(t) for t in texts]
    assert sum(map(is_bad, texts)) > 500  # the set holds many bad texts, and good ones
    assert sum(not is_bad(t) for t in texts) > 500


def test_repair_equals_ftfy_and_restores_ftfy():
    for text in tricky_texts()[:1500]:
        slow = text
        if text and not text.isascii() and mojibake.GARBLED.search(text) and is_bad(text):
            slow = ftfy.fix_encoding(text)
        assert repair_mojibake(text)[0] == slow
    assert ftfy.is_bad is is_bad and ftfy.fixes.is_bad is is_bad
    assert repair_mojibake("The cost: Â£5bn, Ã©tÃ©") == ("The cost: £5bn, été", 3)


def test_search_width_of_ftfy_pattern():
    # ftfy's badness pattern qualifies (its longest match: 7 characters in ftfy 6.3)
    assert 1 <= search_width(BADNESS_RE) < 64


@pytest.mark.parametrize(
    "pattern, flags, width",
    [
        ("[éè]x", 0, 2),
        ("^[éè] |a[é]", 0, 2),
        ("a?é.b", 0, 4),
        ("[éè]|ab", 0, None),  # an alternative without a non-ASCII character
        ("[^a]b", 0, None),  # a negated class can match ASCII
        (r"\wé", 0, 2),
        (r"é\b", 0, None),  # word boundaries look outside the match
        ("é(?=a)", 0, None),  # lookarounds too
        ("é$", 0, None),
        ("é+", 0, None),  # unbounded
        ("ſ", re.IGNORECASE, None),  # case-folded non-ASCII can match ASCII
        (r"(é)\1", 0, None),
    ],
)
def test_search_width_refuses_unsafe_patterns(pattern, flags, width):
    assert search_width(re.compile(pattern, flags)) == width


def _slow_share(text):
    words = re.findall(r"[^\W\d_]+", text[:1000].lower())
    if not words:
        return 0.0, 0
    return sum(w in ENGLISH_FUNCTION_WORDS for w in words) / len(words), len(words)


def test_english_share_equals_slow_path():
    texts = tricky_texts()[:2000] + ["THE Of and TO", "İstanbul the ı of", "the_of 3the of", ""]
    assert [english_share(t) for t in texts] == [_slow_share(t) for t in texts]
    assert english_share("The cat and the dog.") == (3 / 5, 5)
