"""Cleaning one article: Unicode, page furniture, header fields (title, date, byline, lede).

``clean_article`` is pure: raw text and settings in, clean text, fields and a list of what was
removed (with the reason) out. The body keeps paragraphs separated by one blank line, so that
tokenization can number paragraphs and give character offsets into exactly this text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dateutil import parser as date_parser

from newslens.runtime import NewslensError

QUOTE_FOLDS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
DASH_FOLDS = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2015": "-", "\u2212": "-"}
)
# Zero-width and other invisible format characters; soft hyphen.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SPACES = re.compile(r"[ \t\f\v]+")
WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"[.!?:;\"')\]]\s*$")


@dataclass
class CleaningRules:
    """Compiled cleaning settings (from config key ``cleaning``)."""

    boilerplate_lines: list[re.Pattern]
    cut_after: list[re.Pattern]
    date_line: re.Pattern
    byline: re.Pattern
    header_lines: int = 8
    fold_quotes: bool = True
    fold_dashes: bool = True
    min_words: int = 20

    @classmethod
    def from_config(cls, cfg: dict) -> CleaningRules:
        def compile_all(key: str, flags=re.IGNORECASE) -> list[re.Pattern]:
            return [compile_pattern(p, f"cleaning.{key}", flags) for p in cfg.get(key, [])]

        return cls(
            boilerplate_lines=compile_all("boilerplate_lines"),
            cut_after=compile_all("cut_after"),
            date_line=compile_pattern(cfg["date_line"], "cleaning.date_line", re.IGNORECASE),
            byline=compile_pattern(cfg["byline"], "cleaning.byline", 0),
            header_lines=cfg.get("header_lines", 8),
            fold_quotes=cfg.get("fold_quotes", True),
            fold_dashes=cfg.get("fold_dashes", True),
            min_words=cfg.get("min_words", 20),
        )


def compile_pattern(pattern: str, key: str, flags: int) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except re.error as err:
        raise NewslensError(
            f"config key {key}: '{pattern}' is not a valid regular expression ({err})."
        ) from err


@dataclass
class CleanArticle:
    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    role: str | None = None
    lede: str | None = None
    n_words: int = 0
    removed: list[tuple[int, str, str, str]] = field(default_factory=list)
    """(line number, action, content, reason) for every line taken out of the body."""


def normalize_unicode(text: str, fold_quotes: bool = True, fold_dashes: bool = True) -> str:
    """NFKC (non-breaking and other odd spaces become spaces, ligatures are split), invisible
    characters removed, line endings unified, optional folding of curly quotes and dashes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)
    text = INVISIBLE.sub("", text)
    text = CONTROL.sub(" ", text)
    if fold_quotes:
        text = text.translate(QUOTE_FOLDS)
    if fold_dashes:
        text = text.translate(DASH_FOLDS)
    return text


def parse_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) from free text like '23 November 2022', or None."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return date_parser.parse(value, fuzzy=False).date().isoformat()
    except (ValueError, OverflowError):
        return None


def _is_title_like(line: str) -> bool:
    return 0 < len(WORD.findall(line)) <= 25 and not line.rstrip().endswith((".", "!", "?", ","))


def split_paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs from cleaned lines: blank-line separated blocks (hard-wrapped lines inside a
    block are joined) when the text has blank lines, else one paragraph per line."""
    has_blank = any(not line for line in lines)
    paragraphs: list[str] = []
    if has_blank:
        block: list[str] = []
        for line in lines + [""]:
            if line:
                block.append(line)
            elif block:
                paragraphs.append(" ".join(block))
                block = []
    else:
        paragraphs = [line for line in lines if line]
    return paragraphs


def clean_article(
    raw: str,
    rules: CleaningRules,
    known_title: str | None = None,
    known_date: str | None = None,
    known_author: str | None = None,
) -> CleanArticle:
    """Clean one article's text. Fields given by the corpus (``known_*``) win over extraction;
    header lines are only searched for what is not known."""
    text = normalize_unicode(raw, rules.fold_quotes, rules.fold_dashes)
    removed: list[tuple[int, str, str, str]] = []
    kept: list[tuple[int, str]] = []  # (1-based line number, stripped line); "" = blank
    cut = False
    for line_no, line in enumerate(text.split("\n"), start=1):
        stripped = SPACES.sub(" ", line).strip()
        if cut:
            if stripped:
                removed.append((line_no, "cut", stripped, "after an end-of-article line"))
            continue
        if not stripped:
            kept.append((line_no, ""))
            continue
        pattern = next((p for p in rules.cut_after if p.fullmatch(stripped)), None)
        if pattern is not None:
            removed.append((line_no, "cut", stripped, f"end-of-article line /{pattern.pattern}/"))
            cut = True
            continue
        pattern = next((p for p in rules.boilerplate_lines if p.fullmatch(stripped)), None)
        if pattern is not None:
            removed.append((line_no, "removed_line", stripped, f"boilerplate /{pattern.pattern}/"))
            continue
        kept.append((line_no, stripped))

    title, date, author, role = (
        known_title,
        parse_date(known_date) if known_date else None,
        known_author,
        None,
    )
    header = [i for i, (_, line) in enumerate(kept) if line][: rules.header_lines]
    drop: set[int] = set()
    for pos, i in enumerate(header):
        line_no, line = kept[i]
        match = rules.date_line.fullmatch(line)
        if match and "date" in match.groupdict():
            parsed = parse_date(match.group("date"))
            if parsed:
                if date is None:
                    date = parsed
                drop.add(i)
                removed.append((line_no, "header", line, "publication date line"))
                continue
        match = rules.byline.fullmatch(line)
        if match and pos > 0 and len(WORD.findall(line)) <= 12:
            if author is None:
                author = match.group("author")
                role = match.groupdict().get("role")
            drop.add(i)
            removed.append((line_no, "header", line, "byline"))
            continue
        if pos == 0 and _is_title_like(line) and len(header) > 1:
            if title is None or title.strip() == line:
                title = title or line
                drop.add(i)
                removed.append((line_no, "header", line, "title"))
    lines = [line for i, (_, line) in enumerate(kept) if i not in drop]
    paragraphs = split_paragraphs(lines)
    body = "\n\n".join(paragraphs)
    return CleanArticle(
        text=body,
        title=title,
        date=date,
        author=author,
        role=role.strip() if role else None,
        lede=paragraphs[0] if paragraphs else None,
        n_words=len(WORD.findall(body)),
        removed=removed,
    )


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata (title, date, author) of an HTML page, with navigation, ads and
    footers removed by trafilatura. Paragraphs come out one per line."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if doc is None:
        return "", {}
    meta = {"title": doc.title, "date": doc.date, "author": doc.author}
    text = doc.text or ""
    lines = text.split("\n")
    if doc.title and lines and lines[0].strip() == doc.title.strip():
        lines = lines[1:]
    return "\n".join(lines), meta
