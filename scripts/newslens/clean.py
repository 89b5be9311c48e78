"""Cleaning one article: Unicode, page furniture, header fields (title, date, byline, lede).

``clean_article`` is pure: raw text and settings in, clean text, fields and a list of what was
removed (with the reason) out. The body keeps paragraphs separated by one blank line, so that
tokenization can number paragraphs and give character offsets into exactly this text.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from dateutil import parser as date_parser

from newslens.columns import CLEAN_COLUMNS
from newslens.dedup import Signer, text_words, word_bytes
from newslens.input_checks import (
    date_out_of_range,
    language_note,
    resolve_latest_date,
    spreadsheet_serial_hint,
)
from newslens.markup import count_control, remove_markup
from newslens.mojibake import repair_mojibake
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
INVISIBLE_CHARS = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
SPACES = re.compile(r"[ \t\f\v]+")
# Config patterns that use group numbers or names across the pattern cannot be joined into one
# alternation; they are then tried one by one.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
WORD = re.compile(r"\w+")
BLANK_LINES = re.compile(r"\n\n+")


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
    repair_mojibake: bool = True
    date_order: str = "auto"
    markup: str = "strip"
    expected_language: str | None = "english"
    max_words: int | None = 50_000
    earliest_date: str | None = "1900-01-01"
    latest_date: str | None = None
    furniture: re.Pattern | None = field(init=False, default=None)
    """All cut_after and boilerplate_lines patterns as one alternation: a line it does not
    match matches none of them (one regex call per line instead of one per pattern)."""

    def __post_init__(self) -> None:
        patterns = self.cut_after + self.boilerplate_lines
        if not patterns or any(_GROUP_REFERENCE.search(p.pattern) for p in patterns):
            return
        try:
            self.furniture = re.compile(
                "|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE
            )
        except re.error:  # e.g. inline global flags or repeated group names
            self.furniture = None

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
            repair_mojibake=cfg.get("repair_mojibake", True),
            date_order=cfg.get("date_order", "auto"),
            markup=cfg.get("markup", "strip"),
            expected_language=cfg.get("expected_language", "english"),
            max_words=cfg.get("max_words", 50_000),
            earliest_date=cfg.get("earliest_date", "1900-01-01"),
            latest_date=resolve_latest_date(cfg.get("latest_date")),
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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # NFKC, invisible characters and the folds change nothing here
        data = text.encode("ascii")
        if len(data.translate(None, CONTROL_BYTES)) != len(data):
            text = CONTROL.sub(" ", text)
        return text
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    pattern, table = _char_folds(fold_quotes, fold_dashes)
    return pattern.sub(lambda match: table[match.group()], text)


@functools.cache
def _char_folds(fold_quotes: bool, fold_dashes: bool) -> tuple[re.Pattern, dict[str, str]]:
    """One pattern and replacement table for the single characters that ``normalize_unicode``
    removes or replaces (invisible, control, and optionally quote and dash characters): one
    scan of the text instead of one per kind (they are disjoint, so the order is immaterial)."""
    table = {chr(c): "" for c in INVISIBLE_CHARS}
    table.update({chr(c): " " for c in CONTROL_BYTES})
    for folds, wanted in ((QUOTE_FOLDS, fold_quotes), (DASH_FOLDS, fold_dashes)):
        if wanted:
            table.update({chr(c): v for c, v in folds.items()})
    return re.compile("[" + "".join(map(re.escape, table)) + "]"), table


def count_words(text: str) -> int:
    """``len(WORD.findall(text))``, from ``word_bytes``."""
    is_word = np.frombuffer(word_bytes(text, lower=False), dtype=np.uint8) != 0x20
    return int(np.count_nonzero(is_word[1:] > is_word[:-1])) + int(is_word[:1].sum())


class _FixedCenturyInfo(date_parser.parserinfo):
    """dateutil's parser settings with a fixed two-digit-year rule (00-68 -> 2000-2068,
    69-99 -> 1969-1999, as POSIX strptime): dateutil's own rule depends on today's date."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            year += 2000 if year < 69 else 1900
        return year


_DATE_INFO = _FixedCenturyInfo()
# dateutil fills every part a value does not give from a default date (today's, unless one is
# given). Parsing with two defaults that differ in year, month and day shows which parts the
# value itself gave; nothing is ever filled in.
_DATE_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))
DATE_PRECISIONS = {10: "day", 7: "month", 4: "year"}
"""``date`` string length -> ``date_precision`` (YYYY-MM-DD, YYYY-MM, YYYY)."""


DATE_ORDERS = ("auto", "month_first", "day_first")
"""Values of ``cleaning.date_order``: how an all-numeric date whose first two fields could both
be a month (03/04/2022, 03.04.2022) is read. ``auto``: dotted dates (the Russian, German, ...
convention) day first, others month first, each such date recorded as ``ambiguous_date``."""
_DATE_LINE_VALUE = re.compile(r"\d{1,2}\s*([./-])\s*\d{1,2}\s*\1\s*\d{2,4}")
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})\b")


def ambiguous_day_month(value: str | None) -> str | None:
    """The separator of an all-numeric day-month-year or month-day-year date whose first two
    fields are different numbers from 1 to 12 (so either could be the month), else None."""
    match = _NUMERIC_DATE.match(value or "")
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    return match.group(2) if 1 <= first <= 12 and 1 <= second <= 12 and first != second else None


def reads_day_first(value: str, date_order: str = "auto") -> bool:
    """Whether ``parse_date`` reads ``value`` day first under ``date_order``: only ever a
    numeric date with the year last (a year-first date such as 2022-03-04 is always year,
    month, day)."""
    match = _NUMERIC_DATE.match(value)
    if not match or date_order == "month_first":
        return False
    return date_order == "day_first" or match.group(2) == "."


@functools.lru_cache(maxsize=1 << 16)
def parse_date(value: str | None, date_order: str = "auto") -> str | None:
    """The date a text gives, at the precision it gives it, or None; never invented.

    '23 November 2022' -> '2022-11-23', 'November 2022' -> '2022-11', '2022' -> '2022'. A value
    without a year ('May', '12', 'Monday', 'Nov 22') or with a day but no month is None, as is
    anything dateutil cannot read exactly (no fuzzy parsing). A time and time zone in the value
    are ignored: the date is the one written, whatever the time zone of the machine. Two-digit
    years follow a fixed rule (see ``_FixedCenturyInfo``), not today's date. Numeric dates are
    read as ``date_order`` says (``DATE_ORDERS``): '03.04.2022' -> '2022-04-03' and
    '03/04/2022' -> '2022-03-04' under ``auto``.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    dayfirst = reads_day_first(value, date_order)
    try:
        first, second = (
            date_parser.parse(
                value, parserinfo=_DATE_INFO, default=d, fuzzy=False, dayfirst=dayfirst
            )
            for d in _DATE_DEFAULTS
        )
    except (ValueError, OverflowError, TypeError):
        return None
    has_year, has_month = first.year == second.year, first.month == second.month
    has_day = first.day == second.day
    if not has_year or (has_day and not has_month) or not 1 <= first.year <= 9999:
        return None
    if has_day:
        return first.date().isoformat()
    if has_month:
        return f"{first.year:04d}-{first.month:02d}"
    return f"{first.year:04d}"


def date_precision(date: str | None) -> str | None:
    """'day', 'month' or 'year' for a ``parse_date`` result; None for no date."""
    return DATE_PRECISIONS.get(len(date)) if date else None


def count_words_upto(line: str, limit: int) -> int:
    """``min(len(WORD.findall(line)), limit)``, without finding the words past ``limit`` (a
    whole article can be one line)."""
    return sum(1 for _ in itertools.islice(WORD.finditer(line), limit))


def _is_title_like(line: str) -> bool:
    # the cheap test first; then at most 26 words are looked for
    return not line.rstrip().endswith((".", "!", "?", ",")) and 0 < count_words_upto(line, 26) <= 25


def split_paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs from cleaned lines: blank-line separated blocks (hard-wrapped lines inside a
    block are joined) when the text has blank lines, else one paragraph per line."""
    if all(lines):
        return list(lines)
    joined = "\n".join(lines).strip("\n")  # lines never contain a newline themselves
    if not joined:
        return []
    return [block.replace("\n", " ") for block in BLANK_LINES.split(joined)]


def clean_article(
    raw: str,
    rules: CleaningRules,
    known_title: str | None = None,
    known_date: str | None = None,
    known_author: str | None = None,
) -> CleanArticle:
    """Clean one article's text. Fields given by the corpus (``known_*``) win over extraction;
    header lines are only searched for what is not known."""
    article = _clean_lines(raw, rules, known_title, known_date, known_author)
    article.n_words = count_words(article.text)
    return article


def _clean_lines(
    raw: str,
    rules: CleaningRules,
    known_title: str | None,
    known_date: str | None,
    known_author: str | None,
) -> CleanArticle:
    """``clean_article`` without the word count (``n_words`` is 0): ``clean_frame`` counts the
    words of a whole batch at once."""
    text = normalize_unicode(raw, rules.fold_quotes, rules.fold_dashes)
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:
        text = SPACES.sub(" ", text)  # the same as per line: SPACES never spans a newline
    stripped = [line.strip() for line in text.split("\n")]
    removed: list[tuple[int, str, str, str]] = []  # (1-based line number, action, line, reason)
    kept = _cut_furniture(stripped, rules, removed)
    title, date, author, role, drop = _header_fields(
        kept,
        rules,
        known_title,
        parse_date(known_date, rules.date_order) if known_date else None,
        known_author,
        removed,
    )
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
        removed=removed,
    )


def _cut_furniture(stripped: list[str], rules: CleaningRules, removed: list) -> list:
    """The lines left after the end-of-article cut (``rules.cut_after``: that line and every
    line after it) and the boilerplate lines, as (1-based line number, stripped line; "" =
    blank); what is removed is recorded in ``removed``."""
    furniture = rules.furniture
    candidates = (  # lines that may be furniture: the joined pattern matches, or all
        [i for i, line in enumerate(stripped) if line and furniture.fullmatch(line)]
        if furniture is not None
        else [i for i, line in enumerate(stripped) if line]
    )
    end, taken = len(stripped), set()
    for i in candidates:
        line = stripped[i]
        pattern = next((p for p in rules.cut_after if p.fullmatch(line)), None)
        if pattern is not None:
            removed.append((i + 1, "cut", line, f"end-of-article line /{pattern.pattern}/"))
            removed.extend(
                (j + 1, "cut", rest, "after an end-of-article line")
                for j, rest in enumerate(stripped[i + 1 :], start=i + 1)
                if rest
            )
            end = i
            break
        pattern = next((p for p in rules.boilerplate_lines if p.fullmatch(line)), None)
        if pattern is not None:
            removed.append((i + 1, "removed_line", line, f"boilerplate /{pattern.pattern}/"))
            taken.add(i)
    return [(i + 1, line) for i, line in enumerate(stripped[:end]) if i not in taken]


def _header_fields(kept: list, rules: CleaningRules, title, date, author, removed: list):
    """Title, date, author and role from the first ``rules.header_lines`` non-blank lines of
    ``kept``, for the fields not known already; returns them and the positions in ``kept`` of
    the header lines they came from (recorded in ``removed``)."""
    role = None
    header = [i for i, (_, line) in enumerate(kept) if line][: rules.header_lines]
    drop: set[int] = set()
    for pos, i in enumerate(header):
        line_no, line = kept[i]
        match = rules.date_line.fullmatch(line)
        if match and "date" in match.groupdict():
            parsed = parse_date(match.group("date"), rules.date_order)
            if parsed:
                if date is None:
                    date = parsed
                drop.add(i)
                removed.append((line_no, "header", line, "publication date line"))
                continue
        match = rules.byline.fullmatch(line)
        if match and pos > 0 and count_words_upto(line, 13) <= 12:
            if author is None:
                author = match.group("author")
                role = match.groupdict().get("role")
            drop.add(i)
            removed.append((line_no, "header", line, "byline"))
            continue
        if pos == 0 and len(header) > 1 and _is_title_like(line):
            if title is None or title.strip() == line:
                title = title or line
                drop.add(i)
                removed.append((line_no, "header", line, "title"))
    return title, date, author, role, drop


def _missing_to_none(value):
    """A cell of a raw shard: None for a missing value (pandas gives NaN in string columns)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _audit(doc_id, source, action, reason, line_no=None, content="") -> dict:
    return dict(
        doc_id=doc_id,
        source=source,
        stage="clean",
        action=action,
        reason=reason,
        line_no=line_no,
        content=content,
        related_doc_id="",
    )


def _date_audit(
    doc_id, source, raw_date, date, article: CleanArticle, date_order: str = "auto"
) -> list[dict]:
    """Audit records for a date not taken exactly: a date column value (``raw_date``; for HTML
    pages ``date`` may come from the page's metadata) that could not be parsed
    (``unparsed_date``), an article date that is only a month or a year (``partial_date``),
    and, under ``date_order: auto``, a numeric date that could be read day first or month first
    (``ambiguous_date``). ``content`` holds the original string."""
    out = []
    given = date or raw_date
    if given and parse_date(str(given), date_order) is None:
        out.append(
            _audit(
                doc_id,
                source,
                "unparsed_date",
                "date column value could not be parsed; date left empty."
                + spreadsheet_serial_hint(given),
                content=str(given)[:300],
            )
        )
    precision = date_precision(article.date)
    if precision in ("month", "year"):
        if given and parse_date(str(given), date_order) == article.date:
            original = str(given)
        else:  # from a publication date line of the text
            original = next(
                (c for _, _, c, r in article.removed if r == "publication date line"), ""
            )
        out.append(
            _audit(
                doc_id,
                source,
                "partial_date",
                f"the date gives only the {precision}: kept as {article.date} "
                f"(date_precision = {precision}); no day or month invented",
                content=original[:300],
            )
        )
    if date_order == "auto" and article.date:
        if given and parse_date(str(given), date_order) == article.date:
            original = str(given)
        else:
            original = next(
                (c for _, _, c, r in article.removed if r == "publication date line"), ""
            )
            match = _DATE_LINE_VALUE.search(original)
            original = match.group(0) if match else original
        separator = ambiguous_day_month(original.strip())
        if separator:
            order = "day first" if separator == "." else "month first"
            out.append(
                _audit(
                    doc_id,
                    source,
                    "ambiguous_date",
                    f"'{original.strip()[:40]}' could be read day first or month first: read "
                    f"{order} as {article.date} (the cleaning.date_order: auto reading of "
                    f"'{separator}'-separated dates); set cleaning.date_order to day_first "
                    "or month_first to say how your sources write dates",
                    content=original[:300],
                )
            )
    return out


def clean_frame(
    raw: pd.DataFrame, rules: CleaningRules, signer: Signer, metadata: list[str]
) -> tuple[pd.DataFrame, list[dict]]:
    """Clean a batch of raw articles (a raw shard's columns; ``kind`` 'html' pages go through
    trafilatura first). Returns one row per kept article (``CLEAN_COLUMNS`` + ``metadata``:
    fields, clean text, word count, content hash, MinHash signature) and the audit records
    (dicts of ``AUDIT_COLUMNS``): every removed line, extracted HTML page, article skipped
    for having fewer than ``rules.min_words`` words, and date value that could not be parsed.
    Word counts, hashes and signatures are computed for the whole batch at once."""
    audit: list[dict] = []
    kept: list[int] = []
    articles: list[CleanArticle] = []
    notes: list[list[dict]] = []  # each article's audit records up to its removed lines
    dates: list[tuple] = []  # each article's (date column value, date given with the text)
    doc_ids, sources = raw["doc_id"].tolist(), raw["source"].tolist()
    columns = zip(
        doc_ids,
        sources,
        raw["kind"].tolist(),
        raw["raw"].tolist(),
        *(
            map(_missing_to_none, raw[k].tolist()) if k in raw else [None] * len(raw)
            for k in ("title", "date", "author")
        ),
        strict=True,
    )
    for doc_id, source, kind, text, title, raw_date, author in columns:
        records: list[dict] = []
        text, title, date, author = _article_source(
            doc_id, source, kind, text, title, raw_date, author, rules, records
        )
        article = _clean_lines(text, rules, title, date, author)
        records.extend(
            _audit(doc_id, source, action, reason, line_no, content[:300])
            for line_no, action, content, reason in article.removed
        )
        articles.append(article)
        notes.append(records)
        dates.append((raw_date, date))
    words = text_words([a.text for a in articles])
    # text_words counts the words of the lower-cased text: the same words for ASCII text
    for article, n_words in zip(articles, words[1].tolist(), strict=True):
        article.n_words = n_words if article.text.isascii() else count_words(article.text)
    for pos, (doc_id, source, article, (raw_date, date)) in enumerate(
        zip(doc_ids, sources, articles, dates, strict=True)
    ):
        audit.extend(notes[pos])
        if article.n_words < rules.min_words:
            audit.append(
                _audit(
                    doc_id,
                    source,
                    "skipped_article",
                    f"only {article.n_words} words left after cleaning "
                    f"(cleaning.min_words = {rules.min_words}): empty or boilerplate only",
                    content=article.text[:300],
                )
            )
            continue
        audit.extend(_date_audit(doc_id, source, raw_date, date, article, rules.date_order))
        audit.extend(_article_checks(doc_id, source, date or raw_date, article, rules))
        kept.append(pos)
    return _clean_table(raw, kept, articles, words, signer, metadata), audit


def _article_source(doc_id, source, kind, text, title, date, author, rules, audit: list):
    """An article's text and known fields before cleaning: an HTML page's main text and
    metadata (trafilatura; the corpus's fields win), other markup (HTML or Markdown in a text
    or cell) removed with ``rules.markup == "strip"``, control characters counted, and mojibake
    repaired with ``rules.repair_mojibake``; each recorded in ``audit``. Returns text, title,
    date, author."""
    if kind == "html":
        text, meta = html_to_text(text)
        title, date, author = (
            title or meta.get("title"),
            date or meta.get("date"),
            author or meta.get("author"),
        )
        audit.append(
            _audit(
                doc_id,
                source,
                "html_extracted",
                "HTML page: main text extracted with trafilatura (navigation, "
                "ads, footers removed)",
            )
        )
    elif rules.markup == "strip":
        text, meta, reason = remove_markup(text, kind, html_to_text)
        if reason:
            audit.append(_audit(doc_id, source, "markup_removed", reason))
            title, date = title or meta.get("title"), date or meta.get("date")
            author = author or meta.get("author")
    n_control = count_control(text)
    if n_control:
        audit.append(
            _audit(
                doc_id,
                source,
                "control_characters",
                f"{n_control} control character(s) (NUL, escape, ...: no text) replaced by "
                "spaces; a word they stood in is split. Check the file's export",
            )
        )
    if rules.repair_mojibake:
        text, n_fixed = repair_mojibake(text)
        if n_fixed:
            audit.append(
                _audit(
                    doc_id,
                    source,
                    "repaired_text",
                    f"{n_fixed} garbled character sequence(s) (mojibake) re-decoded with "
                    "ftfy (cleaning.repair_mojibake)",
                )
            )
    return text, title, date, author


def _article_checks(doc_id, source, date_text, article, rules) -> list[dict]:
    """Audit records of a kept, cleaned article that are kept but worth a look: a date
    outside ``rules.earliest_date``..``rules.latest_date`` (the date is emptied), more than
    ``rules.max_words`` words, text that does not look like ``rules.expected_language``."""
    audit: list[dict] = []
    implausible = date_out_of_range(article.date, rules.earliest_date, rules.latest_date)
    if implausible:
        audit.append(
            _audit(
                doc_id,
                source,
                "implausible_date",
                f"date {article.date} is {implausible}; date left empty. Fix the source, "
                "or widen cleaning.earliest_date / cleaning.latest_date",
                content=str(date_text or article.date)[:300],
            )
        )
        article.date = None
    if rules.max_words and article.n_words > rules.max_words:
        audit.append(
            _audit(
                doc_id,
                source,
                "long_article",
                f"{article.n_words} words, more than cleaning.max_words = {rules.max_words} "
                "(news articles rarely pass 10,000): kept, but it may be several articles or "
                "a whole page dump and weighs that much in every corpus count; check it",
            )
        )
    other_language = language_note(article.text, rules.expected_language)
    if other_language:
        audit.append(_audit(doc_id, source, "other_language", other_language))
    return audit


def _clean_table(
    raw: pd.DataFrame,
    kept: list[int],
    articles: list[CleanArticle],
    words: tuple[np.ndarray, np.ndarray, list[str]],
    signer: Signer,
    metadata: list[str],
) -> pd.DataFrame:
    """The kept articles (rows ``kept`` of ``raw`` and of ``articles``) as a table of
    ``CLEAN_COLUMNS`` + ``metadata``, with the content hashes and MinHash signatures of the
    batch at once, from the ``text_words`` of all ``articles``."""
    ids, counts, hashes = words
    if len(kept) < len(articles):
        keep = np.zeros(len(articles), dtype=bool)
        keep[kept] = True
        ids, counts = ids[np.repeat(keep, counts)], counts[keep]
        hashes = [hashes[i] for i in kept]
        articles = [articles[i] for i in kept]
    doc_ids, sources = raw["doc_id"].tolist(), raw["source"].tolist()
    data = {
        "doc_index": raw["doc_index"].to_numpy()[kept].tolist(),
        "doc_id": [doc_ids[i] for i in kept],
        "source": [sources[i] for i in kept],
        "title": [a.title for a in articles],
        "date": [a.date for a in articles],
        "date_precision": [date_precision(a.date) for a in articles],
        "author": [a.author for a in articles],
        "role": [a.role for a in articles],
        "lede": [a.lede for a in articles],
        "text": [a.text for a in articles],
        "n_words": [a.n_words for a in articles],
        "content_hash": hashes,
        "minhash": signer.signatures(ids, counts),
    }
    for name in metadata:
        values = raw[name].tolist() if name in raw else [None] * len(raw)
        data[name] = [values[i] for i in kept]
    return pd.DataFrame(data, columns=CLEAN_COLUMNS + metadata)


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
