"""The mojibake repair hands ftfy a faster badness test for the length of each repair (a
scoped swap of ftfy's ``is_bad``; newslens.mojibake says why). That is safe only for the
ftfy whose regex and call sites it was checked against: these tests fail loudly when ftfy is
upgraded, naming what to check again."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import ftfy
import ftfy.fixes
from ftfy.badness import BADNESS_RE, is_bad
from newslens import mojibake

REPO = Path(__file__).resolve().parents[1]
# ftfy 6.3.1's BADNESS_RE: the pattern search_width was checked on (7 characters at most)
BADNESS_SHA256 = "9dcc0f2ac90d9ae3c85eb7b9b2c0b8a8e8126153847c2b30c91a0bb263f3b8c4"
UPGRADE = (
    "ftfy changed: check newslens.mojibake again (search_width on the new BADNESS_RE, the "
    "places ftfy calls is_bad, tests/test_cpu3_mojibake.py), then update the pin and this test"
)


def test_ftfy_is_the_pinned_version():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    pin = next(d.split("==")[1] for d in deps if d.startswith("ftfy=="))
    assert ftfy.__version__ == pin == "6.3.1", UPGRADE


def test_badness_pattern_is_the_one_checked():
    digest = hashlib.sha256(BADNESS_RE.pattern.encode("utf-8")).hexdigest()
    assert (digest, BADNESS_RE.flags & ~re.UNICODE) == (BADNESS_SHA256, re.VERBOSE), UPGRADE
    assert mojibake.search_width(BADNESS_RE) == 7, UPGRADE


def test_ftfy_looks_is_bad_up_where_the_swap_puts_it():
    # fix_encoding's step and decode_inconsistent_utf8's inner function read the global name
    # is_bad of their modules, which the swap replaces for the repair
    assert ftfy.is_bad is is_bad and ftfy.fixes.is_bad is is_bad, UPGRADE
    assert "is_bad" in ftfy._fix_encoding_one_step_and_explain.__code__.co_names, UPGRADE
    inner = [
        c for c in ftfy.fixes.decode_inconsistent_utf8.__code__.co_consts if hasattr(c, "co_names")
    ]
    assert [c.co_name for c in inner if "is_bad" in c.co_names] == ["fix_embedded_mojibake"]


def test_the_swap_answers_ftfys_calls_and_is_undone(monkeypatch):
    calls, fast = [], mojibake.fast_is_bad

    def counting(text):
        calls.append(text)
        return fast(text)

    monkeypatch.setattr(mojibake, "fast_is_bad", counting)
    # "Â£" read as cp1252; the whole text re-decodes, then ftfy checks the result once more
    text = "The budget rose by Â£5bn, the minister said. " * 20
    fixed, n = mojibake.repair_mojibake(text)
    assert fixed == ftfy.fix_encoding(text) == text.replace("Â£", "£") and n == 20
    assert len(calls) == 3  # the cleaner's check, ftfy's before and after the fix
    assert calls[-1] == fixed
    assert ftfy.is_bad is is_bad and ftfy.fixes.is_bad is is_bad
