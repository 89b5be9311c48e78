"""clean's per-line shortcuts held to the per-article reference code of test_clean2_fastpaths:
header_lines cut off early (0, negative, small), lines without furniture, raw columns with and
without missing values, and word counts of lines around the findall threshold."""

import pandas as pd
import pytest
from newslens.clean import WORD, CleaningRules, clean_frame, count_words_upto
from newslens.dedup import Signer
from test_clean2_fastpaths import CONFIG, reference_clean_frame, tricky_raw


def _same(raw: pd.DataFrame, rules: CleaningRules, metadata=("outlet",)) -> list[dict]:
    new, new_audit = clean_frame(raw, rules, Signer(32, 5), list(metadata))
    old, old_audit = reference_clean_frame(raw, rules, Signer(32, 5), list(metadata))
    pd.testing.assert_frame_equal(new, old)
    assert new_audit == old_audit
    return new_audit


@pytest.mark.parametrize("header_lines", [8, 3, 1, 0, -2])
def test_header_lines_limits_equal_reference(header_lines):
    rules = CleaningRules.from_config(
        {**CONFIG["cleaning"], "max_words": 5000, "header_lines": header_lines}
    )
    audit = _same(tricky_raw(120, seed=header_lines + 10), rules)
    headers = [a for a in audit if a["action"] == "header"]
    assert (len(headers) > 0) == (header_lines != 0)


def test_columns_without_missing_values_and_no_furniture_equal_reference():
    raw = tricky_raw(100, seed=3)
    raw["title"] = "A title"
    raw["date"] = "2022-11-02"
    raw["author"] = "Jane Doe"
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "max_words": 5000})
    audit = _same(raw, rules)
    assert not any(a["action"] == "unparsed_date" for a in audit)
    bare = CleaningRules.from_config(
        {**CONFIG["cleaning"], "max_words": 5000, "boilerplate_lines": [], "cut_after": []}
    )
    assert bare.furniture is None
    audit = _same(tricky_raw(100, seed=4), bare)
    assert not any(a["action"] in ("cut", "removed_line") for a in audit)


def test_word_counts_around_the_findall_threshold():
    for n_chars in (0, 1, 398, 399, 400, 401, 402, 1000):
        for word in ("ab ", "a ", "x,", "é "):
            line = (word * n_chars)[:n_chars]
            n = len(WORD.findall(line))
            for limit in (0, 1, 13, 26, 500):
                assert count_words_upto(line, limit) == min(n, limit), (n_chars, word, limit)
