"""Case-insensitive patterns rewritten for ASCII text, without ``re.IGNORECASE``.

Python's regex engine skips an alternative of a ``|`` cheaply when the alternative begins with
a case-sensitive literal or character class; under ``re.IGNORECASE`` every letter is a
case-folding op, so every alternative is entered (clean5 in docs/scale.md: a line's
furniture test ~1.5 us). ``ascii_variant`` parses a pattern with the standard library's parser
and replaces every single-character item (literal, negated literal, class, ``\\d``/``\\s``/
``\\w``) by the class of the ASCII characters that the item matches under the pattern's own
flags, asked of the engine itself (each item compiled alone and tried on all 128 ASCII
characters). The structure (groups, names, repeats, anchors, lookarounds) is kept, so on a
string of ASCII characters the variant matches exactly where the original does, with the same
groups; on other text it is not used (the caller tests ``str.isascii()``).

Patterns the rewrite cannot prove equal fall back to ``None`` (the caller then uses the
original): backreferences (compared case-insensitively), scoped inline flags, ops the walk
does not know, anything the private parser API rejects.
"""

from __future__ import annotations

import re

try:  # the standard library's regex parser and compiler (Python 3.11+ names)
    from re import _compiler as _sre_compiler
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - older Pythons: no rewrite
    _sre_compiler = _sre_constants = _sre_parser = None

_ASCII = [chr(code) for code in range(128)]


class _Unsupported(Exception):
    """The pattern has an item the rewrite does not handle."""


def ascii_variant(pattern: re.Pattern) -> re.Pattern | None:
    """``pattern`` compiled without ``re.IGNORECASE``, every single-character item replaced by
    the explicit class of ASCII characters it matches: the same matches and groups as
    ``pattern`` on every ASCII string. ``pattern`` itself when it has no ``IGNORECASE``; None
    when the rewrite is not possible (use ``pattern``)."""
    if not isinstance(pattern.pattern, str) or _sre_parser is None:
        return None
    if not pattern.flags & re.IGNORECASE:
        return pattern
    try:
        parsed = _sre_parser.parse(pattern.pattern, pattern.flags)
        flags = parsed.state.flags
        _rewrite(parsed, flags)
        parsed.state.flags = flags & ~re.IGNORECASE
        return _sre_compiler.compile(parsed, 0)
    except (_Unsupported, re.error, TypeError, ValueError, AttributeError, IndexError):
        return None


def _rewrite(subpattern, flags: int) -> None:
    """Replace the single-character items of a parsed (sub)pattern in place."""
    c = _sre_constants
    items = subpattern.data
    for index, (op, av) in enumerate(items):
        if op in (c.LITERAL, c.NOT_LITERAL, c.IN):
            items[index] = (c.IN, _ascii_class(op, av, flags))
        elif op in (c.ANY, c.AT):  # '.' and anchors do not depend on case
            continue
        elif op is c.BRANCH:
            for branch in av[1]:
                _rewrite(branch, flags)
        elif op is c.SUBPATTERN:
            _group, add_flags, del_flags, inner = av
            if add_flags or del_flags:
                raise _Unsupported("scoped inline flags")
            _rewrite(inner, flags)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            _rewrite(av[2], flags)
        elif op is c.ATOMIC_GROUP:
            _rewrite(av, flags)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            _rewrite(av[1], flags)
        else:  # GROUPREF (case-insensitive comparison), GROUPREF_EXISTS, unknown ops
            raise _Unsupported(str(op))


def _ascii_class(op, av, flags: int) -> list:
    """The items of a class of exactly the ASCII characters that ``(op, av)`` matches under
    ``flags`` (the engine decides: the item is compiled on its own)."""
    c = _sre_constants
    state = _sre_parser.State()
    state.flags = flags
    alone = _sre_compiler.compile(_sre_parser.SubPattern(state, [(op, av)]), 0)
    members = [(c.LITERAL, ord(char)) for char in _ASCII if alone.fullmatch(char)]
    if not members:  # matches no ASCII character: a class of none (negated "anything")
        return [(c.NEGATE, None), (c.RANGE, (0, 0x10FFFF))]
    return members
