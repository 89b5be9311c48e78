"""Checks of input values that are read without error but would give wrong numbers: dates
outside a plausible range, spreadsheet day numbers in a date column, and metadata values
(outlets, countries) that differ only by case or spacing. Pure functions; the ingest and clean
stages record what they find in the cleaning audit."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of the 1900 date system of Excel, LibreOffice and Google Sheets (serial 44888 is
2022-11-23); also what an empty date cell becomes when a spreadsheet formats it as a date."""
_SERIAL = re.compile(r"\s*(\d{5})(?:\.\d+)?\s*")


def resolve_latest_date(value: str | None, today: date | None = None) -> str | None:
    """``cleaning.latest_date`` as an ISO date: ``today`` is the current UTC date (not the
    machine's time zone), null means no upper bound."""
    if value is None:
        return None
    if str(value).strip().lower() == "today":
        return (today or datetime.now(UTC).date()).isoformat()
    return str(value)


def date_out_of_range(iso: str | None, earliest: str | None, latest: str | None) -> str | None:
    """Why the parsed date ``iso`` (YYYY-MM-DD, YYYY-MM or YYYY) is implausible, or None. A
    partial date is compared at its own precision (2022-11 is within a range ending
    2022-11-05)."""
    if not iso:
        return None
    n = len(iso)
    if earliest and iso < str(earliest)[:n]:
        return f"before cleaning.earliest_date ({earliest})"
    if latest and iso > str(latest)[:n]:
        return f"after cleaning.latest_date ({latest}): a publication date cannot be later"
    return None


def spreadsheet_serial_hint(value) -> str:
    """For a date value that is a spreadsheet day number (5 digits, e.g. 44888 or 44888.5):
    a sentence saying what it would be and what to do; else ''."""
    match = _SERIAL.fullmatch(str(value))
    if not match:
        return ""
    days = int(match.group(1))
    if not 10_000 <= days <= 80_000:
        return ""
    as_date = (EXCEL_EPOCH + timedelta(days=days)).isoformat()
    return (
        f" It looks like a spreadsheet day number ({days} is {as_date} in the 1900 date "
        "system of Excel/LibreOffice; 1462 days later in Excel's 1904 system): save the "
        "column as dates or text such as 2022-11-23."
    )


def metadata_key(value: str) -> str:
    """The form under which two metadata values count as the same: case and spacing folded."""
    return " ".join(value.split()).casefold()


class MetadataVariants:
    """Tracks, per metadata column, the distinct values that differ only by case or spacing
    ("RIA", "ria ", "Ria"): each is a group of its own in every comparison and group table.
    ``add`` is called per chunk in corpus order; ``records`` lists, per variant, where it was
    first seen and how many articles carry it."""

    def __init__(self, columns: list[str]):
        self.seen: dict[str, dict[str, dict[str, list]]] = {c: {} for c in columns}

    def add(self, column: str, values: list, doc_ids: list, sources: list) -> None:
        groups = self.seen[column]
        for value, doc_id, source in zip(values, doc_ids, sources, strict=True):
            if not isinstance(value, str):
                continue
            variants = groups.setdefault(metadata_key(value), {})
            entry = variants.get(value)
            if entry is None:
                variants[value] = [1, doc_id, source]
            else:
                entry[0] += 1

    def records(self) -> list[tuple[str, str, str, str]]:
        """(doc_id, source, reason, content) for every variant of a value written in more than
        one way, in column and first-seen order."""
        out = []
        for column, groups in self.seen.items():
            for variants in groups.values():
                if len(variants) < 2:
                    continue
                listing = ", ".join(f"{v!r} ({e[0]})" for v, e in variants.items())
                for value, (count, doc_id, source) in variants.items():
                    out.append(
                        (
                            doc_id,
                            source,
                            f"column '{column}': {len(variants)} values differ only by case "
                            f"or spacing: {listing} (articles). Each is counted as a group of "
                            "its own (sentiment.group_by, compare.by); write them the same "
                            f"way in the table if they are one group. This value: {count} "
                            "article(s), first here",
                            value,
                        )
                    )
        return out


UNICODE_ENCODINGS = {"ascii", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}


def detected_encoding_note(encoding: str, requested: str = "auto") -> str:
    """The audit reason for text decoded with a legacy encoding that was guessed (under
    ``corpus.encoding: auto``), or '' (Unicode encodings and a configured encoding are
    certain). A wrong guess turns every non-ASCII letter into the wrong one."""
    if requested != "auto" or not encoding or encoding.lower() in UNICODE_ENCODINGS:
        return ""
    return (
        f"not Unicode: decoded as {encoding}, the encoding detected from its bytes; if its "
        "non-English letters look wrong, set corpus.encoding to the right one"
    )


ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in a is that for on it with as was by at from be are has have had this "
    "which but not or an its were been will would their they he she his her who said also "
    "after than more".split()
)
MIN_ENGLISH_SHARE = 0.10
"""An article whose words are less than this share common English function words is recorded
as other_language. English news: 25-45 % (2,225 BBC articles: lowest 14 %, 1st percentile
25 %); German, French or Spanish news: 0-7 %; Russian or any non-Latin script: 0 %."""
LANGUAGE_SAMPLE_CHARS = 1000
_LETTER_WORD = re.compile(r"[^\W\d_]+")
# ASCII letters lower-cased, every other byte a space: the words of an ASCII sample are the
# runs of letters, which bytes.split() then finds without a regular expression
_ASCII_LETTERS = bytes(c | 0x20 if chr(c).isalpha() and c < 0x80 else 0x20 for c in range(256))
_ENGLISH_FUNCTION_BYTES = frozenset(w.encode("ascii") for w in ENGLISH_FUNCTION_WORDS)


def english_share(text: str) -> tuple[float, int]:
    """Share of the words in the first ``LANGUAGE_SAMPLE_CHARS`` characters of ``text`` that
    are common English function words, and the number of words looked at."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if sample.isascii():  # its words: the runs of ASCII letters, lower-cased
        words = sample.encode("ascii").translate(_ASCII_LETTERS).split()
        function_words = _ENGLISH_FUNCTION_BYTES
    else:
        words = _LETTER_WORD.findall(sample.lower())
        function_words = ENGLISH_FUNCTION_WORDS
    if not words:
        return 0.0, 0
    return sum(map(function_words.__contains__, words)) / len(words), len(words)


def language_note(text: str, expected: str | None) -> str:
    """The audit reason for an article that does not look like ``expected`` (only
    ``english`` is checked; None: no check), or ''."""
    if expected != "english":
        return ""
    share, n_words = english_share(text)
    if n_words < 10 or share >= MIN_ENGLISH_SHARE:
        return ""
    return (
        f"does not look English: {share:.0%} of its first {n_words} words are common English "
        f"words (English news: 25-45 %). Kept, but English stopwords, sentiment and codebooks "
        "do not fit it; remove it by doc_id, or set cleaning.expected_language: null for a "
        "corpus in another language"
    )


def _unclosed_quote_column(line: str, sep: str) -> int | None:
    """0-based field index at which a quoted field opens on ``line`` and does not close there."""
    field, in_quote, at_start, opened = 0, False, True, None
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quote:
            if ch == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    i += 1
                else:
                    in_quote = False
        elif ch == '"' and at_start:
            in_quote, opened = True, field
        elif ch == sep:
            field += 1
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return opened if in_quote else None


def csv_problem(path: Path, encoding: str, sep: str, quoting: int, error: str = "") -> str:
    """Where a CSV/TSV file stops being a table: the first record (1-based line where it starts)
    whose number of fields differs from the header's, or the record in which the file ends
    inside a quoted field; and the column where a quotation mark opens a field that does not
    close on that line."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        lines = fh.read().splitlines()
    header, start, record, problem = None, 1, [], ""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, quoting=quoting, strict=False)
        try:
            for record in reader:
                if header is None:
                    header = record
                elif len(record) != len(header):
                    problem = f"{len(record)} field(s) where the header has {len(header)}"
                    break
                last, start = start, reader.line_num + 1
            else:
                if "EOF inside string" not in error:
                    return ""
                start = last if header is not None else 1
                problem = "the file ends inside a quoted field"
        except csv.Error as err:
            return f"line {start}: {err}"
    header = header or []
    line = lines[start - 1] if 0 < start <= len(lines) else ""
    where = f"line {start}: {problem}"
    column = _unclosed_quote_column(line, sep)
    if column is not None and quoting != csv.QUOTE_NONE:
        name = header[column] if column < len(header) else f"field {column + 1}"
        where += (
            f"; in column {column + 1} ('{name}') a quotation mark opens a quoted field that "
            "does not close on this line"
        )
    elif "field(s)" in problem:
        where += f" (a field holding '{sep}' must be in quotation marks)".replace("\t", "tab")
    return where
