"""Mojibake repair: text that was encoded in UTF-8 and decoded with another codec
("Menendezâ€™s" for "Menendez’s", "Ã©" for "é") is re-decoded with ``ftfy``.

Only the encoding is fixed (``ftfy.fix_encoding``): quotes, dashes, widths and HTML
entities are left to the cleaner's own settings. A text is looked at by ftfy only when it
holds a UTF-8 lead byte read as Latin-1/cp1252 followed by a continuation byte read the
same way (what such mojibake always looks like; one fast regex scan), so ASCII and ordinary
non-English text cost almost nothing.

Why ftfy's ``is_bad`` is swapped during a repair. ftfy's test for mojibake
(``ftfy.badness.is_bad``: one large regex searched over the whole text) is most of the
repair's cost: a repaired text is searched three times (the pre-check here, then inside
``fix_encoding`` before and after the fix). Every match of that regex holds a non-ASCII
character and is at most 7 characters long, so ``fast_is_bad`` searches only the stretches
around the text's non-ASCII characters and gives the same answer. ftfy offers no way to pass
it a badness test, so ``_ftfy_fast_is_bad`` sets ftfy's own names ``ftfy.is_bad`` and
``ftfy.fixes.is_bad`` to ``fast_is_bad`` for the length of each repair and restores them.
Calling ftfy unchanged after the fast pre-check keeps too little of the gain: on one shard of
10,000 BBC articles (2,893 repaired) the repair takes 0.52 CPU-s with the swap and 2.21
without, the swap saving 1.69 [1.63, 1.76] CPU-s (``benchmarks/bench_mojibake.py WORKDIR``,
paired over 20 batches), with identical texts; the whole clean job takes 2.8 CPU-s with the
swap, 4.6-4.8 without it and 5.1-5.3 with neither (``benchmarks/bench_shard_jobs.py WORKDIR
--jobs clean`` from three checkouts).

What the swap relies on is pinned and tested, not assumed: ftfy is pinned to 6.3.1
(pyproject.toml, environment.yml, workflow/envs/newslens.yaml), and
tests/test_house5_mojibake.py fails on any other ftfy, on another ``BADNESS_RE``, and when
ftfy stops looking ``is_bad`` up by those names; tests/test_cpu3_mojibake.py compares
``fast_is_bad`` with ``is_bad`` and the repair with ftfy's on tricky texts. As a safety net
the regex is also checked when this module loads (``search_width``); a pattern that fails the
check makes ``fast_is_bad`` call ``is_bad`` itself and turns the swap off.
"""

from __future__ import annotations

import contextlib
import re
import re._parser as sre_parse

import ftfy
import ftfy.fixes
from ftfy.badness import BADNESS_RE, is_bad

_LEAD = "".join(bytes([b]).decode("latin-1") for b in range(0xC2, 0xF5))
_CONT = sorted(
    {bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xC0)}
    | {chr(b) for b in range(0x80, 0xC0)} - {""}
)
GARBLED = re.compile(f"[{re.escape(_LEAD)}][{re.escape(''.join(c for c in _CONT if c))}]")
"""A UTF-8 lead byte and a continuation byte as they read in Latin-1 or cp1252."""


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_REFUSED_OPS = {
    sre_parse.ASSERT,
    sre_parse.ASSERT_NOT,
    sre_parse.GROUPREF,
    sre_parse.GROUPREF_EXISTS,
}


def _ops(tree) -> list:
    """All (op, argument) items of a parsed pattern, nested ones included."""
    out = []
    for op, av in tree.data if hasattr(tree, "data") else tree:
        out.append((op, av))
        for child in av if isinstance(av, (tuple, list)) else ():
            if isinstance(child, sre_parse.SubPattern):
                out += _ops(child)
            elif isinstance(child, list) and child and isinstance(child[0], sre_parse.SubPattern):
                for sub in child:
                    out += _ops(sub)
    return out


def _non_ascii_item(op, av) -> bool:
    """Whether a pattern item matches only non-ASCII characters."""
    if op is sre_parse.LITERAL:
        return av >= 0x80
    if op is sre_parse.IN:
        return all(
            (kind is sre_parse.LITERAL and arg >= 0x80)
            or (kind is sre_parse.RANGE and arg[0] >= 0x80)
            for kind, arg in av
        )
    return False


def search_width(pattern: re.Pattern) -> int | None:
    """The longest match of ``pattern`` when every match must hold a non-ASCII character and
    depends on nothing outside itself, else None. That holds when each top-level alternative
    has a mandatory item of non-ASCII characters only, the matches have a bounded length,
    there are no lookarounds, back references or anchors other than ``^`` (which ``search``
    with ``pos`` > 0 never matches), and case is not ignored. Then a match lies within the
    longest match's length of a non-ASCII character."""
    if pattern.flags & re.IGNORECASE:
        return None
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    items = _ops(tree)
    if any(op in _REFUSED_OPS for op, _ in items):
        return None
    if any(op is sre_parse.AT and av is not sre_parse.AT_BEGINNING for op, av in items):
        return None
    if len(tree.data) == 1 and tree.data[0][0] is sre_parse.BRANCH:
        branches = tree.data[0][1][1]
    else:
        branches = [tree]
    if not all(any(_non_ascii_item(op, av) for op, av in b.data) for b in branches):
        return None
    width = max(b.getwidth()[1] for b in branches)
    return width if width < 64 else None


_BADNESS_WIDTH = search_width(BADNESS_RE)


def fast_is_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``, searching only the stretches of ``text`` within the
    longest match's length of a non-ASCII character (``search_width``)."""
    width = _BADNESS_WIDTH
    if width is None:
        return is_bad(text)
    search = BADNESS_RE.search
    start = end = None  # the stretch being gathered: runs closer than two widths merge
    for run in _NON_ASCII_RUN.finditer(text):
        a, b = run.start() - width, run.end() + width
        if end is not None and a > end:
            if search(text, max(start, 0), end):
                return True
            start = a
        elif start is None:
            start = a
        end = b
    return end is not None and search(text, max(start, 0), end) is not None


@contextlib.contextmanager
def _ftfy_fast_is_bad():
    """ftfy's own calls of ``is_bad`` go to ``fast_is_bad`` (the same answers) for the block,
    unless the pattern failed ``search_width`` or someone else has replaced ftfy's names (module
    docstring: why; tests/test_house5_mojibake.py: what pins it)."""
    saved = ftfy.is_bad, ftfy.fixes.is_bad
    if _BADNESS_WIDTH is None or saved != (is_bad, is_bad):
        yield
        return
    ftfy.is_bad = ftfy.fixes.is_bad = fast_is_bad
    try:
        yield
    finally:
        ftfy.is_bad, ftfy.fixes.is_bad = saved


def repair_mojibake(text: str) -> tuple[str, int]:
    """(repaired text, number of garbled sequences repaired); the text itself and 0 when it
    has none or ftfy finds nothing to fix."""
    if not text or text.isascii() or GARBLED.search(text) is None or not fast_is_bad(text):
        return text, 0
    with _ftfy_fast_is_bad():
        fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return text, 0
    return fixed, len(GARBLED.findall(text)) - len(GARBLED.findall(fixed))
