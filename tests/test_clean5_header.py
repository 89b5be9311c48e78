"""clean5: the header's date-line test (``CleaningRules.date_test``: ``date_line`` behind a
lookahead for its possible first characters) gives the same fullmatch and groups as
``date_line`` on every non-blank line, and whole articles the same fields and audit as the
rules with ``date_line`` tried as it is (and the line-by-line reference); the byline is no longer tried on
the first header line, which it could never be."""

import copy
import random
import re

import clean_reference as ref
import pytest
import yaml
from conftest import REPO
from newslens.clean import CleaningRules, clean_article

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])

HEADER_LINES = [
    "Date: 3 March 2022",
    "DATE OF PUBLICATION: 03.04.2022",
    "Published on 12 May 2021",
    "posted: 2020",
    "Posted on someday",
    "Date: not a date",
    "date",
    "By Anna Smith, correspondent",
    "Anna Smith",
    "By J. O'Neil-Barnes, senior editor",
    "Peace Talks Resume In Geneva",
    "The minister said the talks would go on.",
    "\u017fhort title",  # long s: "s" under IGNORECASE
    "\u212aelvin Sign Line",  # Kelvin sign: "k" under IGNORECASE
    "Dated 2022",
    "12 March 2022",
    "x",
]
BODY = "The talks went on for hours and nobody left the room before the end of the day."


def exact(rules: CleaningRules) -> CleaningRules:
    """``rules`` with the date line tried as it is on every header line."""
    plain = copy.copy(rules)
    plain.date_test = plain.date_line
    return plain


def random_article(rng: random.Random) -> str:
    lines = [rng.choice(HEADER_LINES) for _ in range(rng.randint(0, 10))]
    sep = rng.choice(["\n", "\n\n"])
    return sep.join(lines + [BODY, BODY])


def test_default_date_test_is_the_date_line_behind_a_lookahead():
    assert RULES.date_test.pattern == f"(?=[dp])(?:{RULES.date_line.pattern})"
    assert RULES.date_test.flags == RULES.date_line.flags
    assert RULES.date_test.groupindex == RULES.date_line.groupindex


@pytest.mark.parametrize(
    "date_line",
    [
        CONFIG["cleaning"]["date_line"],
        "(?:on|am)\\s+(?P<date>\\d.+)",
        "[A-Z]\\w*:\\s*(?P<date>.+)",
        "(?P<date>\\d{1,2} \\w+ \\d{4})",
        "\\s*(?:\\d+\\.)?(?P<date>\\d.+)",  # may begin with a blank or a digit
    ],
)
def test_date_test_same_fullmatch_on_every_line(date_line):
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "date_line": date_line})
    assert rules.date_test is not rules.date_line
    lines = HEADER_LINES + [BODY, "S", "\u017f", "\u212a", "1. 2 May 2020", "on 5", "AM 7"]
    for line in lines:
        new, old = rules.date_test.fullmatch(line), rules.date_line.fullmatch(line)
        assert (new and new.groupdict()) == (old and old.groupdict()), line
        assert (new and new.span()) == (old and old.span()), line


@pytest.mark.parametrize(
    "date_line",
    ["^date: (?P<date>.+)", "\\bdate: (?P<date>.+)", ".*: (?P<date>.+)", "(?i:date): (?P<date>.+)"],
)
def test_date_line_without_known_first_characters_is_used_as_it_is(date_line):
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "date_line": date_line})
    assert rules.date_test is rules.date_line
    raw = "A Title Line\nDate: 3 March 2022\n" + BODY
    assert clean_article(raw, rules) == ref.clean_article(raw, rules)
    assert clean_article(raw, rules).date == "2022-03-03"
    assert clean_article("x\n" + raw, rules) == clean_article("x\n" + raw, exact(rules))


def test_replaced_date_line_gets_its_own_test():
    rules = CleaningRules.from_config(CONFIG["cleaning"])
    rules.date_line = re.compile("on (?P<date>.+)", re.IGNORECASE)
    assert rules.date_test.pattern == "(?=[o])(?:on (?P<date>.+))"
    assert clean_article("Title Here\nOn 2 May 2020\n" + BODY, rules).date == "2020-05-02"


@pytest.mark.parametrize("seed", range(4))
def test_random_headers_equal_every_line_tried(seed):
    rng = random.Random(seed)
    fields = set()
    for _ in range(300):
        raw = random_article(rng)
        article = clean_article(raw, RULES)
        assert article == clean_article(raw, exact(RULES)), raw
        fields.update(r for _, _, _, r in article.removed)
    assert {"publication date line", "byline", "title"} <= fields
