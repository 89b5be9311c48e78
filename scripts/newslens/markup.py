"""Markup in article text: HTML in a plain-text file or a table cell, Markdown in a ``.md``
file, and control characters. Each function is pure: text in, plain text and a count of what
was removed out, so that the clean stage can record it in the audit (``cleaning.markup``).

Without this step, tags, attributes, scripts, link targets and emphasis marks would become
words and tokens: counted in term frequencies, matched by codebooks, scored by sentiment.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MARKUP_MODES = ("strip", "keep")
"""Values of ``cleaning.markup``: strip HTML tags found in plain text and Markdown syntax of
``.md`` files (recorded in the audit), or keep the text exactly as read."""

_HTML_PAGE = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.I)
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|hr|span|a|b|i|u|em|strong|small|sup|sub|h[1-6]|ul|ol|li|dl|dt|dd|table|"
    r"thead|tbody|tr|td|th|article|section|header|footer|nav|aside|main|script|style|img|head|"
    r"body|title|meta|link|blockquote|figure|figcaption|iframe|noscript|font|center|pre|code|"
    r"cite|time|picture|source|svg|form|input|button|label)\b[^<>]{0,2000}?/?>",
    re.I,
)
MIN_HTML_TAGS = 2
"""A text holds HTML when it has at least this many tags of known HTML elements (one stray
``<b>`` or a ``<`` in prose is not enough)."""
_BLOCK_TAGS = {
    "p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "table", "tr", "blockquote", "article", "section", "header", "footer", "aside",
    "main", "figure", "figcaption", "pre", "title",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav", "iframe", "form"}


def html_kind(text: str) -> str | None:
    """``"page"`` for a whole HTML document (``<!DOCTYPE html``, ``<html``), ``"fragment"``
    for text with at least ``MIN_HTML_TAGS`` HTML tags, else None."""
    if not text or "<" not in text:
        return None
    if _HTML_PAGE.match(text):
        return "page"
    count = 0
    for _ in _HTML_TAG.finditer(text):
        count += 1
        if count >= MIN_HTML_TAGS:
            return "fragment"
    return None


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.n_tags = 0

    def handle_starttag(self, tag, attrs):
        self.n_tags += 1
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        self.n_tags += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        self.n_tags += 1
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def strip_html(text: str) -> tuple[str, int]:
    """An HTML fragment as plain text: tags removed, the contents of script, style, head and
    navigation elements dropped, entities decoded, block elements (p, div, br, li, h1..)
    ending a paragraph. Returns the text and the number of tags removed."""
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    joined = "".join(parser.parts)
    paragraphs = (
        "\n".join(line for line in (" ".join(ln.split()) for ln in block.split("\n")) if line)
        for block in re.split(r"\n[ \t\r\f\v]*\n", joined)
    )  # line breaks kept (a header of title, date line and byline may use single ones)
    return "\n\n".join(p for p in paragraphs if p), parser.n_tags


_MD_RULES = [
    (re.compile(r"^[ \t]*(?:```|~~~).*$", re.M), ""),  # code fences
    (re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # horizontal rule
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.M), ""),  # link reference line
    (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), ""),  # image
    (re.compile(r"!\[([^\]\n]*)\]\[[^\]\n]*\]"), ""),  # reference image
    (re.compile(r"\[([^\]\n]+)\]\((?:[^()\n]|\([^()\n]*\))*\)"), r"\1"),  # inline link
    (re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1"),  # reference link
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolink
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), r"\1"),  # ATX heading
    (re.compile(r"^[ \t]{0,3}=+[ \t]*$", re.M), ""),  # setext heading underline
    (re.compile(r"^[ \t]*>[ \t]?", re.M), ""),  # block quote marker
    (re.compile(r"^([ \t]*)[*+-][ \t]+(?=\S)", re.M), r"\1"),  # bullet
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),  # emphasis *
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"), r"\1"),  # emphasis _
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # inline code
]


def strip_markdown(text: str) -> tuple[str, int]:
    """Markdown as plain text: heading marks, emphasis, link targets (the link text stays),
    images, bullets, block-quote marks, code fences and rules removed. Returns the text and the
    number of markup elements removed."""
    total = 0
    for pattern, repl in _MD_RULES:
        text, n = pattern.subn(repl, text)
        total += n
    return text, total


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters that are no text (NUL, bell, escape, ...; tab, line feed and carriage
return are text; form feed and vertical tab count as control characters)."""


_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""``CONTROL_CHARS`` as bytes (ASCII text: one byte a character)."""


def count_control(text: str) -> int:
    """How many control characters (``CONTROL_CHARS``) ``text`` holds."""
    if text.isascii():  # deleting the control bytes is faster than the regex
        data = text.encode("ascii")
        return len(data) - len(data.translate(None, _CONTROL_BYTES))
    if not CONTROL_CHARS.search(text):
        return 0
    return len(CONTROL_CHARS.findall(text))


def remove_markup(text: str, kind: str, page_to_text) -> tuple[str, dict, str]:
    """Plain text of an article read as ``kind`` ("text" or "markdown"; HTML pages named
    ``.html`` are extracted elsewhere): a whole HTML page goes through ``page_to_text`` (the
    clean stage's trafilatura extraction, which also gives title, date and author), an HTML
    fragment through ``strip_html``, Markdown through ``strip_markdown``. Returns the text,
    the page metadata ({} unless a page) and the audit reason ('' when nothing was removed)."""
    found = html_kind(text)
    if found == "page":
        out, meta = page_to_text(text)
        return (
            out,
            meta,
            (
                "the text is an HTML page (not named .html): main text extracted with trafilatura "
                "(tags, navigation, scripts removed; cleaning.markup)"
            ),
        )
    meta: dict = {}
    notes = []
    if kind == "markdown":
        text, n_md = strip_markdown(text)
        if n_md:
            notes.append(f"{n_md} Markdown mark(s) removed (headings, emphasis, link targets)")
    if found == "fragment" or (notes and html_kind(text) == "fragment"):
        text, n_tags = strip_html(text)
        notes.append(f"{n_tags} HTML tag(s) removed, with script/style contents")
    reason = "; ".join(notes) + " (cleaning.markup)" if notes else ""
    return text, meta, reason
