"""The clean stage's batch fast paths give what the plain per-article code gives, on tricky
input: HTML and entities, mojibake, cp1251-decoded Russian, ASCII, empty paragraphs, very
long one-line texts, odd dates; and the n-gram table's histogram and buckets are exact."""

import random
import re
import zlib
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet  # noqa: F401 (pa.parquet)
import pytest
import yaml
from conftest import REPO
from newslens import corpus_tables, csv_text
from newslens.clean import (
    CleaningRules,
    _article_checks,
    _article_source,
    _audit,
    _date_audit,
    _is_title_like,
    clean_article,
    clean_frame,
    count_words_upto,
    date_precision,
)
from newslens.columns import CLEAN_COLUMNS
from newslens.dedup import Signer, text_words
from newslens.input_checks import ENGLISH_FUNCTION_WORDS, english_share
from newslens.markup import CONTROL_CHARS, count_control

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])
WORD = re.compile(r"\w+")

BODY = (
    "The talks between the two sides were held in the capital on Monday, and the ministers "
    "said that they would meet again after the summit. "
)
RUSSIAN = "Переговоры между двумя сторонами прошли в столице в понедельник. " * 4
PIECES = [
    BODY * 3,
    "<p>" + BODY + "</p><div>Second &amp; last paragraph, &eacute;t&eacute; &#8220;q&#8221;.</div>",
    "<!DOCTYPE html><html><body><p>" + BODY * 2 + "</p></body></html>",
    "Menendezâ€™s statement: cafÃ© crÃ¨me " + BODY * 2,  # mojibake
    RUSSIAN.encode("utf-8").decode("cp1251", errors="replace"),  # UTF-8 read as cp1251
    RUSSIAN,
    BODY.replace("the", "THE") + "\x01ctrl\x1b\x7f " + BODY,
    "Title line\n\n\n\n" + BODY + "\n\n\n\n\n" + BODY + "\n \n\t\n",  # empty paragraphs
    " ".join([BODY] * 700),  # one very long line (> max_words with the copies below)
    "İstanbul STRAẞE ﬁnance Kelvin K " + BODY,  # lower() changes the word count
    "x" * 200 + " " + BODY,  # a word longer than the CRC loop's 64 bytes
    "short text",
    "",
    "Advertisement\n\n" + BODY + "\n\nRead more:\nlink",
    "Date of publication: 03.04.2022\n\nBy John Smith, staff writer\n\n" + BODY * 2,
]
DATES = [None, "2022-11-02", "03/04/2022", "03.04.2022", "Nov 2022", "2022", "44000", "someday"]


def tricky_raw(n: int = 240, seed: int = 5) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        text = rng.choice(PIECES)
        if i % 7 == 0:
            text = text * 40  # very long texts: over cleaning.max_words some of the time
        rows.append(
            {
                "doc_index": i,
                "doc_id": f"d{i}",
                "source": f"src:{i}",
                "kind": "markdown" if i % 13 == 0 else "text",
                "encoding": "",
                "raw": text,
                "title": rng.choice([None, "A title"]),
                "date": rng.choice(DATES),
                "author": None,
                "outlet": rng.choice(["A", "B", None]),
            }
        )
    return pd.DataFrame(rows)


def reference_clean_frame(raw, rules, signer, metadata):
    """clean_frame as it was: one article at a time (clean_article counts its own words),
    hashes and signatures of the kept articles only."""
    audit, kept, articles = [], [], []
    for pos, row in enumerate(raw.itertuples(index=False)):
        title, raw_date, author = (
            None if v is None or (not isinstance(v, str) and pd.isna(v)) else v
            for v in (row.title, row.date, row.author)
        )
        text, title, date, author = _article_source(
            row.doc_id, row.source, row.kind, row.raw, title, raw_date, author, rules, audit
        )
        article = clean_article(text, rules, title, date, author)
        for line_no, action, content, reason in article.removed:
            audit.append(_audit(row.doc_id, row.source, action, reason, line_no, content[:300]))
        if article.n_words < rules.min_words:
            audit.append(
                _audit(
                    row.doc_id,
                    row.source,
                    "skipped_article",
                    f"only {article.n_words} words left after cleaning "
                    f"(cleaning.min_words = {rules.min_words}): empty or boilerplate only",
                    content=article.text[:300],
                )
            )
            continue
        audit.extend(_date_audit(row.doc_id, row.source, raw_date, date, article, "auto"))
        audit.extend(_article_checks(row.doc_id, row.source, date or raw_date, article, rules))
        kept.append(pos)
        articles.append(article)
    ids, counts, hashes = text_words([a.text for a in articles])
    data = {
        "doc_index": raw["doc_index"].to_numpy()[kept].tolist(),
        "doc_id": raw["doc_id"].to_numpy()[kept].tolist(),
        "source": raw["source"].to_numpy()[kept].tolist(),
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
        data[name] = raw[name].to_numpy()[kept].tolist()
    return pd.DataFrame(data, columns=CLEAN_COLUMNS + metadata), audit


@pytest.mark.parametrize("metadata", [["outlet"], []])
def test_clean_frame_equals_per_article_code(metadata):
    raw = tricky_raw()
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "max_words": 5000})
    new, new_audit = clean_frame(raw, rules, Signer(64, 5), metadata)
    old, old_audit = reference_clean_frame(raw, rules, Signer(64, 5), metadata)
    pd.testing.assert_frame_equal(new, old)
    assert new_audit == old_audit
    actions = Counter(a["action"] for a in new_audit)
    # the input reaches every branch the batch counting could change
    for action in ("skipped_article", "repaired_text", "control_characters", "long_article"):
        assert actions[action] > 0, action
    assert actions["markup_removed"] > 0 and actions["other_language"] > 0
    assert 0 < len(new) < len(raw)
    # word counts: of the text itself (not of its lower-cased form) for non-ASCII text
    istanbul = new[new["text"].str.startswith("İstanbul")]
    assert (
        len(istanbul)
        and (istanbul["n_words"] == istanbul["text"].map(lambda t: len(WORD.findall(t)))).all()
    )


def test_clean_frame_all_skipped_and_empty_batch():
    raw = tricky_raw(30)
    raw["raw"] = "too short"
    rows, audit = clean_frame(raw, RULES, Signer(16, 5), ["outlet"])
    assert rows.empty and list(rows.columns) == CLEAN_COLUMNS + ["outlet"]
    assert [a["action"] for a in audit] == ["skipped_article"] * 30
    rows, audit = clean_frame(raw.iloc[:0], RULES, Signer(16, 5), [])
    assert rows.empty and audit == []


def old_english_share(text: str) -> tuple[float, int]:
    sample = text[:1000].lower()
    pattern = r"[a-z]+" if sample.isascii() else r"[^\W\d_]+"
    words = re.findall(pattern, sample)
    if not words:
        return 0.0, 0
    return sum(w in ENGLISH_FUNCTION_WORDS for w in words) / len(words), len(words)


def test_english_share_equals_regex_code():
    rng = random.Random(2)
    alphabet = "abcTHE ofAnd_09-'\n\t,.;éüİKß\u0414\u0436"
    texts = [*PIECES, "The the THE tHe", "___ 123", "K", "a" * 1500 + " the"]
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 1200))) for _ in range(500)
    ]
    texts += [rng.choice(PIECES)[rng.randint(0, 50) :] for _ in range(200)]
    assert [english_share(t) for t in texts] == [old_english_share(t) for t in texts]
    assert english_share(BODY)[0] > 0.25 and english_share(RUSSIAN) == (0.0, 36)


def test_count_control_equals_regex():
    rng = random.Random(4)
    alphabet = ["a", " ", "\t", "\n", "\r", "\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f"]
    alphabet += ["é", "\x85", "\u2028"]
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        assert count_control(text) == len(CONTROL_CHARS.findall(text)), repr(text)


def test_title_and_word_limits_equal_full_counts():
    lines = ["", "A title", "A title.", "Word " * 25, "Word " * 26, "x,", "  ", "The end!"]
    lines += [BODY * 50, "Title of " + "w " * 30, "_ 1 2 3", "é" * 5]
    for line in lines:
        n = len(WORD.findall(line))
        for limit in (0, 1, 13, 26, 10_000):
            assert count_words_upto(line, limit) == min(n, limit)
        old = 0 < n <= 25 and not line.rstrip().endswith((".", "!", "?", ","))
        assert _is_title_like(line) == old, line[:40]


def test_text_words_ids_are_each_words_crc32():
    rng = random.Random(9)
    texts = [*PIECES, "the the the THE", "x" * 70 + " " + "x" * 70, "é" * 40, ""]
    texts += [" ".join(rng.choice(["a", "bb", "ccc", "é", "x" * 65]) for _ in range(50))] * 3
    ids, counts, _ = text_words(texts)
    words = [w.encode() for t in texts for w in WORD.findall(t.lower())]
    assert ids.dtype == np.uint64 and ids.tolist() == [zlib.crc32(w) for w in words]
    assert counts.tolist() == [len(WORD.findall(t.lower())) for t in texts]
    ids, counts, hashes = text_words([])
    assert len(ids) == len(counts) == len(hashes) == 0


def test_count_histogram_and_sorted_ngrams_do_not_depend_on_buckets(tmp_path):
    rng = np.random.default_rng(3)
    n_rows = 5000
    words = [f"w{i}" for i in range(200)] + ['q"uote', "com,ma", "é"]
    table = pa.table(
        {
            "ngram": [" ".join(rng.choice(words, size=k)) for k in rng.integers(1, 4, n_rows)],
            "n": rng.integers(1, 4, n_rows),
            "count": rng.zipf(1.8, n_rows).astype(np.int64),
            "doc_freq": rng.integers(1, 5, n_rows),
        },
        schema=corpus_tables.NGRAM_SCHEMA,
    )
    table = corpus_tables.sum_ngrams(table)
    n, count = table.column("n").to_numpy(), table.column("count").to_numpy()
    assert corpus_tables.count_histogram(table) == Counter(
        zip(n.tolist(), count.tolist(), strict=True)
    )
    spills = []
    for i, lo in enumerate(range(0, table.num_rows, 700)):
        path = tmp_path / f"s{i}.arrow"
        with pa.ipc.new_file(path, table.schema) as writer:
            writer.write_table(table.slice(lo, 700))
        spills.append(path)
    outputs = []
    for bucket_rows in (10, 333, 10**9):
        out = tmp_path / f"ngrams{bucket_rows}.csv"
        corpus_tables.write_sorted_ngrams(spills, 2, out, bucket_rows=bucket_rows, batch_rows=97)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    frame = table.to_pandas()
    expected = corpus_tables.ngram_frequencies(frame, 2)
    assert outputs[0] == expected.to_csv(index=False, lineterminator="\n").encode()


def audit_frames(seed: int = 1):
    """Audit tables as the clean jobs and ingest write them (Parquet round trip), with ties,
    missing sources and line numbers, non-ASCII ids, every stage and an empty shard."""
    rng = random.Random(seed)
    frames = []
    for shard in range(3):
        rows = []
        for _ in range(rng.randint(0, 400) if shard else 0):
            rows.append(
                dict(
                    doc_id=rng.choice(["d1", "d10", "d2", "é", "D1", "Ω", ""]),
                    source=rng.choice(["a.csv:row 1", "a.csv:row 10", "b", "é.txt", None, ""]),
                    stage=rng.choice(["clean", "ingest", "dedup", "other"]),
                    action=rng.choice(["header", "cut", "repaired_text"]),
                    reason=rng.choice(["title", 'byline, "quoted"', "a\nb"]),
                    line_no=rng.choice([None, 1, 2, 10, 3]),
                    content=rng.choice(["", "Übersicht", "x,y", None]),
                    related_doc_id="",
                )
            )
        frames.append(pd.DataFrame(rows, columns=list(rows[0]) if rows else AUDIT))
    return frames


AUDIT = ["doc_id", "source", "stage", "action", "reason", "line_no", "content", "related_doc_id"]


@pytest.mark.parametrize("batch_rows", [1, 7, 100_000])
def test_ordered_audit_equals_pandas_sort(tmp_path, batch_rows):
    from newslens.runtime import write_table

    frames = []
    for i, frame in enumerate(audit_frames()):
        frame.to_parquet(tmp_path / f"{i}.parquet", index=False)
        frames.append(tmp_path / f"{i}.parquet")
    dropped = pd.DataFrame(
        {"doc_id": ["d2", "x"], "kept_doc_id": ["d1", "d1"], "kind": ["exact", "near"]}
    ).assign(similarity=[1.0, 0.9])
    dups = corpus_tables.duplicates_as_audit(dropped, {"d2": "b"})
    old = pd.concat([pd.read_parquet(p) for p in frames] + [dups], ignore_index=True)
    write_table(corpus_tables.order_audit(old), tmp_path / "old.csv")
    tables = [pa.parquet.read_table(p) for p in frames]
    tables.append(pa.Table.from_pandas(dups, preserve_index=False))
    n = corpus_tables.write_ordered_audit(tables, tmp_path / "new.csv", batch_rows)
    assert n == len(old) > 300
    assert (tmp_path / "new.csv").read_bytes() == (tmp_path / "old.csv").read_bytes()
    # only empty tables: the header line
    n = corpus_tables.write_ordered_audit(tables[:1], tmp_path / "empty.csv", batch_rows)
    write_table(corpus_tables.order_audit(pd.read_parquet(frames[0])), tmp_path / "empty_old.csv")
    assert n == 0
    assert (tmp_path / "empty.csv").read_bytes() == (tmp_path / "empty_old.csv").read_bytes()


def test_csv_module_quotes_what_write_csv_rows_leaves_to_pandas():
    import csv
    import io

    quoted = set()
    for code in [*range(0x20), *range(0x20, 0x3000, 7), 0x85, 0x2028, 0x22, 0x2C, 0x0D]:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{chr(code)}b", 1])
        if buf.getvalue() != f"a{chr(code)}b,1\n":
            quoted.add(chr(code))
    assert quoted <= set('\n\r",')


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_write_csv_rows_equals_pandas(tmp_path, batch):
    rng = random.Random(8)
    pieces = ["w", "é", "a b", "1,000", 'say "x"', "a\nb", "a\rb", "", " lead", "trail ", "Ω"]
    n_rows = 300
    table = pa.table(
        {
            "ngram": pa.array(
                [rng.choice(pieces) + rng.choice(pieces) for _ in range(n_rows)],
                type=pa.large_string(),
            ),
            "n": pa.array([rng.randint(1, 3) for _ in range(n_rows)], type=pa.int64()),
            "count": pa.array([rng.randint(-5, 10**12) for _ in range(n_rows)], type=pa.int64()),
        }
    )
    with_nulls = table.set_column(
        0,
        "ngram",
        pa.array([None if i % 17 == 0 else v for i, v in enumerate(table["ngram"].to_pylist())]),
    )
    floats = table.append_column("share", pa.array([i / 7 for i in range(n_rows)]))
    for t in (table, with_nulls, floats, table.slice(0, 0)):
        out = tmp_path / "out.csv"
        with open(out, "wb") as fh:
            for lo in range(0, t.num_rows, batch):
                csv_text.write_csv_rows(t.slice(lo, batch), fh, 2)
            fh.write(b"end")  # the file stays open and usable
        expected = t.to_pandas().to_csv(header=False, index=False, lineterminator="\n")
        assert out.read_bytes() == expected.encode("utf-8") + b"end"
