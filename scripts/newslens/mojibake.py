"""Mojibake repair: text that was encoded in UTF-8 and decoded with another codec
("Menendezâ€™s" for "Menendez’s", "Ã©" for "é") is re-decoded with ``ftfy``.

Only the encoding is fixed (``ftfy.fix_encoding``): quotes, dashes, widths and HTML
entities are left to the cleaner's own settings. A text is looked at by ftfy only when it
holds a UTF-8 lead byte read as Latin-1/cp1252 followed by a continuation byte read the
same way (what such mojibake always looks like; one fast regex scan), so ASCII and ordinary
non-English text cost almost nothing.
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

_LEAD = "".join(bytes([b]).decode("latin-1") for b in range(0xC2, 0xF5))
_CONT = sorted(
    {bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xC0)}
    | {chr(b) for b in range(0x80, 0xC0)} - {""}
)
GARBLED = re.compile(f"[{re.escape(_LEAD)}][{re.escape(''.join(c for c in _CONT if c))}]")
"""A UTF-8 lead byte and a continuation byte as they read in Latin-1 or cp1252."""


def repair_mojibake(text: str) -> tuple[str, int]:
    """(repaired text, number of garbled sequences repaired); the text itself and 0 when it
    has none or ftfy finds nothing to fix."""
    if not text or text.isascii() or GARBLED.search(text) is None or not is_bad(text):
        return text, 0
    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return text, 0
    return fixed, len(GARBLED.findall(text)) - len(GARBLED.findall(fixed))
