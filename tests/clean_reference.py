"""Reading table rows, cleaning, signatures and duplicate detection as they were before the
batch fast paths (a frozen copy, used only by tests/test_corpus_fast.py to check that the fast
paths give identical outputs)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from dateutil import parser as date_parser
from newslens.clean import CleanArticle, CleaningRules, html_to_text
from newslens.corpus import AuditRecord
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


_MASK32 = np.uint64(0xFFFFFFFF)


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded (exact duplicates)."""
    folded = " ".join(WORD.findall(text.lower()))
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()


def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63 - 1, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=num_perm, dtype=np.uint64)
    return a, b


def shingle_hashes(text: str, shingle_words: int, cache: dict | None = None) -> np.ndarray:
    """Deterministic 64-bit hashes of the word n-gram shingles of ``text`` (lowercased)."""
    words = WORD.findall(text.lower())
    if cache is None:
        cache = {}
    for word in set(words).difference(cache):
        cache[word] = zlib.crc32(word.encode("utf-8"))
    ids = np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))
    if len(ids) == 0:
        return ids
    k = min(shingle_words, len(ids))
    n = len(ids) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(1_000_003) + ids[j : j + n]
    return np.unique(h)


def minhash_signature(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32 per permutation) of a set of 64-bit shingle hashes."""
    if len(hashes) == 0:
        return np.full(len(a), np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        permuted = (a[:, None] * hashes[None, :] + b[:, None]) >> np.uint64(32)
    return (permuted.min(axis=1) & _MASK32).astype(np.uint32)


class Signer:
    """Computes signatures for many texts with one set of permutations and a word-hash cache."""

    def __init__(self, num_perm: int = 128, shingle_words: int = 5, seed: int = 1):
        self.a, self.b = _permutations(num_perm, seed)
        self.shingle_words = shingle_words
        self.cache: dict[str, int] = {}

    def __call__(self, text: str) -> bytes:
        sig = minhash_signature(
            shingle_hashes(text, self.shingle_words, self.cache), self.a, self.b
        )
        return sig.tobytes()


BASE_COLUMNS = [
    "doc_index",
    "doc_id",
    "source",
    "title",
    "date",
    "author",
    "role",
    "lede",
    "text",
    "n_words",
    "content_hash",
    "minhash",
]


def clean_batch(raw: pd.DataFrame, rules: CleaningRules, signer: Signer, metadata: list[str]):
    rows, audit = [], []
    for rec in raw.to_dict("records"):
        doc_id, source = rec["doc_id"], rec["source"]
        text, known = rec["raw"], {k: rec.get(k) for k in ("title", "date", "author")}
        if rec["kind"] == "html":
            text, meta = html_to_text(text)
            known = {k: known[k] or meta.get(k) for k in known}
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action="html_extracted",
                    reason="HTML page: main text extracted with trafilatura (navigation, "
                    "ads, footers removed)",
                    line_no=None,
                    content="",
                    related_doc_id="",
                )
            )
        article = clean_article(text, rules, known["title"], known["date"], known["author"])
        for line_no, action, content, reason in article.removed:
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action=action,
                    reason=reason,
                    line_no=line_no,
                    content=content[:300],
                    related_doc_id="",
                )
            )
        if article.n_words < rules.min_words:
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action="skipped_article",
                    reason=f"only {article.n_words} words left after cleaning "
                    f"(cleaning.min_words = {rules.min_words}): empty or boilerplate only",
                    line_no=None,
                    content=article.text[:300],
                    related_doc_id="",
                )
            )
            continue
        if rec.get("date") and article.date is None:
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action="unparsed_date",
                    reason="date column value could not be parsed; date left empty",
                    line_no=None,
                    content=str(rec["date"])[:300],
                    related_doc_id="",
                )
            )
        row = {
            "doc_index": rec["doc_index"],
            "doc_id": doc_id,
            "source": source,
            "title": article.title,
            "date": article.date,
            "author": article.author,
            "role": article.role,
            "lede": article.lede,
            "text": article.text,
            "n_words": article.n_words,
            "content_hash": content_hash(article.text),
            "minhash": signer(article.text),
        }
        for name in metadata:
            row[name] = rec.get(name)
        rows.append(row)
    return pd.DataFrame(rows, columns=BASE_COLUMNS + metadata), audit


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band whose S-curve (1/b)^(1/r) lies closest below ``threshold``,
    so that pairs at the threshold are candidates with high probability."""
    best, best_err = (num_perm, 1), float("inf")
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands == 0:
            break
        knee = (1 / bands) ** (1 / rows)
        err = threshold - knee if knee <= threshold else 10 * (knee - threshold)
        if err < best_err:
            best, best_err = (bands, rows), err
    return best


def find_duplicates(
    docs: pd.DataFrame,
    exact: bool = True,
    near: bool = True,
    threshold: float = 0.85,
    num_perm: int = 128,
) -> pd.DataFrame:
    """Decide which articles are duplicates of an earlier one (corpus order: ``doc_index``).

    ``docs`` has doc_id, doc_index, content_hash and minhash (bytes). Returns one row per
    dropped article: doc_id, kept_doc_id, kind ('exact' or 'near'), similarity.
    """
    columns = ["doc_id", "kept_doc_id", "kind", "similarity"]
    if docs.empty:
        return pd.DataFrame(columns=columns)
    docs = docs.sort_values("doc_index").reset_index(drop=True)
    dropped: dict[int, tuple[int, str, float]] = {}
    if exact:
        first = docs.groupby("content_hash", sort=False)["doc_index"].transform("idxmin")
        for pos in np.flatnonzero(first.to_numpy() != np.arange(len(docs))):
            dropped[pos] = (int(first.iloc[pos]), "exact", 1.0)
    if near and len(docs) > 1:
        sigs = np.frombuffer(b"".join(docs["minhash"]), dtype=np.uint32).reshape(len(docs), -1)
        bands, rows = lsh_params(threshold, sigs.shape[1])
        candidates: set[tuple[int, int]] = set()
        for band in range(bands):
            block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
            keys = pd.Series([row.tobytes() for row in block])
            groups = keys.groupby(keys, sort=False).indices
            for members in groups.values():
                if len(members) > 1:
                    members = sorted(members)
                    for j in members[1:]:
                        candidates.update((i, j) for i in members if i < j)
        for i, j in sorted(candidates):
            if j in dropped or i in dropped:
                continue
            similarity = float(np.mean(sigs[i] == sigs[j]))
            if similarity >= threshold:
                dropped[j] = (i, "near", similarity)
    out = [
        (docs.at[j, "doc_id"], docs.at[i, "doc_id"], kind, round(sim, 4))
        for j, (i, kind, sim) in sorted(dropped.items())
    ]
    return pd.DataFrame(out, columns=columns)


def _cell(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if text.strip() else None


def table_records(
    chunk: pd.DataFrame,
    first_row: int,
    path: Path,
    columns: dict,
    metadata: list[str],
    seen_ids: set,
) -> tuple[list[dict], list[AuditRecord]]:
    """Turn one chunk of a corpus table into article records; rows are numbered from 1 as in
    a spreadsheet (header = row 0)."""
    required = [columns["text"]] + [c for k, c in columns.items() if k != "text" and c] + metadata
    missing = [c for c in required if c not in chunk.columns]
    if missing:
        raise NewslensError(
            f"corpus table {path} has no column(s) {missing} (it has: {list(chunk.columns)}). "
            "Fix corpus.columns / corpus.metadata in config/config.yaml."
        )
    records, audit = [], []
    for offset, values in enumerate(chunk.to_dict("records")):
        row_no = first_row + offset + 1
        doc_id = _cell(values.get(columns["id"])) if columns.get("id") else None
        doc_id = doc_id.strip() if doc_id else f"row{row_no}"
        source = f"{path}:row {row_no}"
        if doc_id in seen_ids:
            audit.append(
                AuditRecord(
                    doc_id,
                    source,
                    "ingest",
                    "skipped_row",
                    f"duplicate id '{doc_id}' in column '{columns['id']}'; the first row with it is kept",
                )
            )
            continue
        seen_ids.add(doc_id)
        text = _cell(values.get(columns["text"]))
        if text is None:
            audit.append(
                AuditRecord(
                    doc_id,
                    source,
                    "ingest",
                    "skipped_row",
                    f"empty text in column '{columns['text']}'",
                )
            )
            continue
        n_bad = text.count("\ufffd")
        if n_bad:
            audit.append(
                AuditRecord(
                    doc_id,
                    source,
                    "ingest",
                    "replaced_bytes",
                    f"{n_bad} undecodable byte(s) replaced by U+FFFD",
                )
            )
        record = {
            "doc_id": doc_id,
            "source": source,
            "kind": "text",
            "encoding": "",
            "raw": text,
            "title": _cell(values.get(columns["title"])) if columns.get("title") else None,
            "date": _cell(values.get(columns["date"])) if columns.get("date") else None,
            "author": _cell(values.get(columns["author"])) if columns.get("author") else None,
        }
        for name in metadata:
            record[name] = _cell(values.get(name))
        records.append(record)
    return records, audit
