"""The fast paths of the corpus stages give exactly what the row-by-row code they replaced gave
(frozen in tests/clean_reference.py): ingest (table rows, audit, dealing into shards), clean
(text, fields, audit rows, content hashes, signatures) and deduplicate (decisions)."""

import random
import sys
import zlib
from pathlib import Path

import clean_reference as ref
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO
from newslens import dedup
from newslens.clean import CLEAN_COLUMNS, CleaningRules, clean_article, clean_frame
from newslens.corpus import AUDIT_COLUMNS, RAW_COLUMNS, RoundRobinShards, table_columns
from newslens.dedup import (
    Signer,
    _band_pairs,
    _crc32_words,
    content_hash,
    find_duplicates,
    minhash_signatures,
    read_signatures,
    shingle_hashes,
    signature_matrix,
    text_words,
)
from newslens.runtime import NewslensError, ParquetShardWriter

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_corpus import build_corpus  # noqa: E402

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])
SEED = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")

# Pieces that exercise every branch of cleaning: non-ASCII (Unicode lowercasing that changes
# word counts, NFKC, invisible characters, quotes and dashes), control characters, tabs and
# runs of spaces, CR/LF, furniture lines, cut lines, header lines, very long words.
INSERTS = [
    "\u201cQuoted\u201d \u2013 words",
    "caf\u00e9 na\u00efve \u0130stanbul STRA\u00dfE \ufb01nance",
    "zero\u200bwidth soft\u00adhyphen",
    "non\u00a0breaking\u2009thin",
    "tab\there  and   spaces\f\v",
    "ctrl\x01char\x7f",
    "\u0414\u043e\u043a\u043b\u0430\u0434 \u041f\u0443\u0442\u0438\u043d\u0430",
    "x" * 90 + "Y" * 30,
    "under_score 123 4_5",
]
LINES = [
    "Advertisement",
    "  Share this article ",
    "42",
    "Read more:",
    "Related stories",
    "All rights reserved 2022",
    "By John Smith, staff writer",
    "Published on: 3 March 2021",
    "Date: not a date",
    "\r\n",
    "",
]


def messy_corpus(n: int, seed: int = 7) -> pd.DataFrame:
    """A raw shard (the ingest step's columns) of synthetic articles with messy pieces in."""
    rng = random.Random(seed)
    texts = build_corpus(n, seed=seed)["text"].tolist()
    rows = []
    for i, text in enumerate(texts):
        lines = text.split("\n")
        for _ in range(rng.randint(0, 6)):
            at = rng.randrange(len(lines) + 1)
            if rng.random() < 0.5:
                lines.insert(at, rng.choice(LINES))
            elif lines and at < len(lines):
                words = lines[at].split(" ")
                words.insert(rng.randrange(len(words) + 1), rng.choice(INSERTS))
                lines[at] = " ".join(words)
        text = ("\r\n" if i % 11 == 0 else "\n").join(lines)
        if i % 17 == 0:
            text = " ".join(text.split()[: rng.randint(0, 30)])  # short or empty
        if i % 23 == 0:
            text = texts[i - 1] if i else text  # an exact duplicate of the previous article
        rows.append(
            {
                "doc_index": i,
                "doc_id": f"d{i}",
                "source": f"src{i}",
                "kind": "text",
                "encoding": "",
                "raw": text,
                "title": "Synthetic article" if i % 5 == 0 else None,
                "date": rng.choice([None, "2022-11-02", "someday"]),
                "author": None,
                "outlet": rng.choice(["A", "B", None]),
            }
        )
    return pd.DataFrame(rows)


def as_read_from_parquet(frame: pd.DataFrame, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "raw.parquet"
    frame.to_parquet(path, index=False)
    return pd.read_parquet(path)


def test_clean_article_equals_reference():
    for text in [SEED, *messy_corpus(300)["raw"]]:
        assert clean_article(text, RULES) == ref.clean_article(text, RULES)
    for title, date in (
        ("CSTO summit - a time of difficult decisions", "23 Nov 2022"),
        (None, "x"),
    ):
        assert clean_article(SEED, RULES, title, date) == ref.clean_article(
            SEED, RULES, title, date
        )


def test_clean_article_without_joined_furniture_pattern():
    rules = CleaningRules.from_config({**CONFIG["cleaning"], "boilerplate_lines": ["(ab)\\1", "x"]})
    assert rules.furniture is None  # a back-reference: patterns are tried one by one
    text = "Title\n\nabab\n\nx\n\nBody text here."
    assert clean_article(text, rules) == ref.clean_article(text, rules)
    assert [r[1] for r in clean_article(text, rules).removed] == ["removed_line"] * 2 + ["header"]


@pytest.mark.parametrize("metadata", [["outlet"], []])
def test_clean_frame_equals_reference(tmp_path, metadata):
    raw = messy_corpus(400)
    # the reference crashed on missing values in a partly filled title/date column
    raw = raw.assign(title=raw["title"].fillna("Synthetic article"), date=raw["date"].fillna(""))
    raw = as_read_from_parquet(raw, tmp_path)
    signer, ref_signer = Signer(128, 5), ref.Signer(128, 5)
    new_rows, new_audit = clean_frame(raw, RULES, signer, metadata)
    old_rows, old_audit = ref.clean_batch(raw, RULES, ref_signer, metadata)
    # the reference predates date_precision and the partial_date audit (dates never invented),
    # and the clean table's columns now follow the documents table (newslens.columns)
    new_rows_ref = new_rows.drop(columns="date_precision")
    pd.testing.assert_frame_equal(new_rows_ref, old_rows[list(new_rows_ref.columns)])
    assert list(new_rows.columns) == CLEAN_COLUMNS + metadata
    # ... and the records of docs/input.md "What happens to bad input"
    dates = {"partial_date", "unparsed_date", "ambiguous_date", "implausible_date"}
    dates |= {"control_characters", "markup_removed", "other_language", "long_article"}
    assert [a for a in new_audit if a["action"] not in dates] == [
        a for a in old_audit if a["action"] not in dates
    ]
    assert {a["action"] for a in new_audit} >= {
        "cut",
        "removed_line",
        "header",
        "skipped_article",
        "unparsed_date",
    }
    audit = pd.DataFrame(new_audit, columns=AUDIT_COLUMNS)
    assert audit["doc_id"].notna().all()
    new_dups = find_duplicates(new_rows, threshold=0.85)
    assert new_dups.equals(find_duplicates(old_rows, threshold=0.85))
    assert (new_dups["kind"] == "exact").sum() >= 3


def test_clean_frame_treats_missing_fields_as_absent(tmp_path):
    raw = as_read_from_parquet(messy_corpus(40), tmp_path)
    assert raw["title"].isna().any() and raw["date"].isna().any()
    rows, audit = clean_frame(raw, RULES, Signer(128, 5), ["outlet"])
    titles = [None if pd.isna(t) else t for t in raw["title"]]
    expected = [clean_article(t, RULES, title) for t, title in zip(raw["raw"], titles, strict=True)]
    kept = [a for a in expected if a.n_words >= RULES.min_words]
    assert rows["text"].tolist() == [a.text for a in kept]
    with_title = raw.set_index("doc_id")["title"].notna()
    titles = rows.set_index("doc_id")["title"]
    assert (titles[with_title[titles.index]] == "Synthetic article").all()
    unparsed = {a["doc_id"] for a in audit if a["action"] == "unparsed_date"}
    # every unparsable column value is audited, also when a date line of the text gave a date
    assert unparsed and unparsed == set(raw.loc[raw["date"] == "someday", "doc_id"]) & set(
        rows["doc_id"]
    )


def test_text_words_and_signatures_equal_reference():
    rng = random.Random(3)
    alphabet = "abcXYZ019_ ,.;\n\t-'\u00e9\u00fc\u20ac\u0130\u00df"
    texts = ["", "a", "one two", "one two three four five", "x" * 300 + " y", *INSERTS]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(200)]
    texts += build_corpus(100)["text"].tolist()
    ids, counts, hashes = text_words(texts)
    assert hashes == [content_hash(t) for t in texts] == [ref.content_hash(t) for t in texts]
    words = [w.encode() for t in texts for w in ref.WORD.findall(t.lower())]
    assert ids.tolist() == [zlib.crc32(w) for w in words]
    assert counts.sum() == len(words)
    for k in (1, 2, 5):
        new, old = Signer(64, k), ref.Signer(64, k)
        assert new.signatures(ids, counts) == [old(t) for t in texts]
        hashes_k, n_sh = shingle_hashes(ids, counts, k)
        small_chunks = minhash_signatures(hashes_k, n_sh, new.a, new.b, chunk=7)
        assert [row.tobytes() for row in small_chunks] == [old(t) for t in texts]


def test_crc32_of_long_and_short_words():
    words = [b"a", b"ab", b"x" * 63, b"y" * 64, b"z" * 65, b"q" * 1000]
    buf = np.frombuffer(b" ".join(words), dtype=np.uint8)
    ends = np.cumsum([len(w) + 1 for w in words]) - 1
    starts = ends - [len(w) for w in words]
    assert _crc32_words(buf, starts, ends).tolist() == [zlib.crc32(w) for w in words]


def planted_duplicates(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Random signatures with exact copies, near copies (a few entries changed), chains and
    clusters of near copies, in a shuffled row order."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, size=(n, 64), dtype=np.uint32)
    hashes = np.array([f"h{i}" for i in range(n)], dtype=object)
    for _ in range(n // 10):
        src, dst = rng.integers(0, n, size=2)
        sigs[dst] = sigs[src]
        if rng.random() < 0.4:
            hashes[dst] = hashes[src]
        else:
            k = int(rng.integers(0, 20))
            sigs[dst, rng.choice(64, size=k, replace=False)] = rng.integers(0, 2**32, size=k)
    shuffle = rng.permutation(n)
    docs = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in shuffle],
            "doc_index": shuffle * 3,
            "content_hash": hashes[shuffle],
            "minhash": [sigs[i].tobytes() for i in shuffle],
        }
    )
    return docs, sigs[shuffle]


@pytest.mark.parametrize("threshold", [0.5, 0.85, 0.95])
def test_find_duplicates_equals_reference(threshold):
    docs, sigs = planted_duplicates(3000)
    expected = ref.find_duplicates(docs, threshold=threshold, num_perm=64)
    assert len(expected) > 100 and set(expected["kind"]) == {"exact", "near"}
    got = find_duplicates(docs, threshold=threshold, num_perm=64)
    pd.testing.assert_frame_equal(got, expected)
    without_column = docs.drop(columns="minhash")
    got = find_duplicates(without_column, threshold=threshold, num_perm=64, signatures=sigs)
    pd.testing.assert_frame_equal(got, expected)
    for exact, near in ((False, True), (True, False)):
        pd.testing.assert_frame_equal(
            find_duplicates(docs, exact, near, threshold, 64),
            ref.find_duplicates(docs, exact, near, threshold, 64),
        )


def test_band_pairs_with_colliding_keys(monkeypatch):
    block = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4], [1, 2]], dtype=np.uint32)
    i, j = _band_pairs(block)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 2), (0, 5), (1, 4), (2, 5)]
    # a 64-bit key shared by different rows must not make them a pair
    monkeypatch.setattr(dedup, "_row_keys", lambda b: np.zeros(len(b), dtype=np.uint64))
    i, j = _band_pairs(block)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 2), (0, 5), (1, 4), (2, 5)]


def test_read_signatures_from_shards(tmp_path):
    docs, sigs = planted_duplicates(500)
    paths = []
    for shard in range(2):
        path = tmp_path / f"{shard}.parquet"
        docs.iloc[shard::2].to_parquet(path, index=False, row_group_size=64)
        paths.append(path)
    got_docs, got_sigs = read_signatures(paths, 64)
    expected = pd.concat([docs.iloc[0::2], docs.iloc[1::2]], ignore_index=True)
    assert got_docs["doc_id"].tolist() == expected["doc_id"].tolist()
    assert np.array_equal(got_sigs, signature_matrix(expected["minhash"]))
    assert np.array_equal(got_sigs, np.concatenate([sigs[0::2], sigs[1::2]]))
    with pytest.raises(NewslensError, match="num_perm = 128"):
        read_signatures(paths, 128)


class CollectingWriter:
    def __init__(self):
        self.frames = []

    def write(self, df):
        self.frames.append(df)


def reference_deal(records: list[dict], n_shards: int, columns: list[str], batch_rows: int):
    """The ingest step's dealing before RoundRobinShards: one record at a time."""
    writers = [CollectingWriter() for _ in range(n_shards)]
    buffers = [[] for _ in writers]
    for n_docs, record in enumerate(records):
        record = {**record, "doc_index": n_docs}
        buffers[n_docs % n_shards].append(record)
        if len(buffers[n_docs % n_shards]) >= batch_rows:
            writers[n_docs % n_shards].write(
                pd.DataFrame(buffers[n_docs % n_shards], columns=columns)
            )
            buffers[n_docs % n_shards] = []
    for shard, buffer in enumerate(buffers):
        if buffer:
            writers[shard].write(pd.DataFrame(buffer, columns=columns))
    return writers


@pytest.mark.parametrize("n_shards", [1, 2, 3])
def test_table_columns_and_dealing_equal_reference(tmp_path, n_shards):
    rng = random.Random(5)
    n = 2500
    table = pd.DataFrame(
        {
            "id": [rng.choice([f"id{i}", f" id{i % 97} ", None, "", "  "]) for i in range(n)],
            "text": [
                rng.choice(["Some text.", "", "   ", None, "Broken \ufffd\ufffd", "x\n"])
                for _ in range(n)
            ],
            "headline": [rng.choice(["T", None, " ", 5]) for _ in range(n)],
            "outlet": [rng.choice(["A", None, 3.5, float("nan")]) for _ in range(n)],
        },
        dtype=object,
    )
    columns = {"text": "text", "id": "id", "title": "headline", "date": None, "author": None}
    raw_columns = [*RAW_COLUMNS, "outlet"]
    new_writers = [CollectingWriter() for _ in range(n_shards)]
    shards = RoundRobinShards(new_writers, raw_columns, 300)
    old_records, old_audit, new_audit = [], [], []
    old_seen, new_seen = set(), set()
    for first_row in range(0, n, 700):  # chunks
        chunk = table.iloc[first_row : first_row + 700].reset_index(drop=True)
        records, audit = ref.table_records(
            chunk, first_row, tmp_path / "t.csv", columns, ["outlet"], old_seen
        )
        old_records += records
        old_audit += audit
        cols, audit = table_columns(
            chunk, first_row, tmp_path / "t.csv", columns, ["outlet"], new_seen
        )
        new_audit += audit
        shards.add(cols)
    shards.flush()
    assert new_audit == old_audit and len(new_audit) > 500
    assert {a.action for a in new_audit} == {"skipped_row", "replaced_bytes"}
    old_writers = reference_deal(old_records, n_shards, raw_columns, 300)
    for new, old in zip(new_writers, old_writers, strict=True):
        assert len(new.frames) == len(old.frames) > 1
        for new_frame, old_frame in zip(new.frames, old.frames, strict=True):
            pd.testing.assert_frame_equal(new_frame, old_frame)


def test_shard_writer_widens_columns_missing_in_first_batches(tmp_path):
    path = tmp_path / "shard.parquet"
    empty = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=object)})
    with ParquetShardWriter(path, empty) as writer:
        writer.write(pd.DataFrame({"a": [None, None], "b": ["x", "y"]}))  # a: all missing
        writer.write(pd.DataFrame({"a": [None], "b": [None]}))
        writer.write(pd.DataFrame({"a": ["late author", None], "b": ["z", None]}))
        writer.write(pd.DataFrame({"a": [None], "b": ["w"]}))
    got = pd.read_parquet(path)
    assert got["a"].tolist()[3] == "late author" and got["a"].isna().sum() == 5
    assert got["b"].tolist()[:2] == ["x", "y"] and got["b"].tolist()[-1] == "w"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    with pytest.raises(Exception, match="parse|cast|convert|Unsupported"):  # not a missing column
        with ParquetShardWriter(tmp_path / "other.parquet", empty) as writer:
            writer.write(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
            writer.write(pd.DataFrame({"a": ["text", None], "b": ["x", "y"]}))


UNICODE_SAMPLE = (
    "aZ09_ -\t\n\r\x00\x07\x1f\x7f\u00a0\u2009\u200b\u200d\u2060\ufeff\u00ad\u2018\u2019\u201c"
    "\u201d\u00ab\u00bb\u2032\u2033\u2013\u2014\u2212\u00e9\u00c9\u00df\u1e9e\u0130\u03a3\u03c3"
    "\u0301\u0307\u20ac\u00a3\u00b2\u2167\ufb01\u0416\u4e2d\U0001f600\u2026\u00bd\u212a"
)


def random_unicode(rng: random.Random, n: int) -> list[str]:
    return [
        "".join(rng.choice(UNICODE_SAMPLE) for _ in range(rng.randint(0, 80))) for _ in range(n)
    ]


def test_normalize_and_word_bytes_equal_regex_on_odd_unicode():
    from newslens.clean import count_words, normalize_unicode
    from newslens.dedup import WORD, word_bytes

    texts = random_unicode(random.Random(9), 3000) + ["\u0130STANBUL \u03a3\u039f\u03a3", "\u03a3"]
    for text in texts:
        for quotes in (True, False):
            for dashes in (True, False):
                assert normalize_unicode(text, quotes, dashes) == ref.normalize_unicode(
                    text, quotes, dashes
                )
        assert word_bytes(text).split() == [w.encode() for w in WORD.findall(text.lower())]
        assert count_words(text) == len(WORD.findall(text))
    ids, counts, hashes = text_words(texts)
    assert hashes == [ref.content_hash(t) for t in texts]
    words = [w.encode() for t in texts for w in ref.WORD.findall(t.lower())]
    assert ids.tolist() == [zlib.crc32(w) for w in words]
    assert Signer(32, 3).signatures(ids, counts) == [ref.Signer(32, 3)(t) for t in texts]
