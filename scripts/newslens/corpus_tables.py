"""Corpus-level tables gathered from the shards: documents, audit, term and n-gram counts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.csv_text import write_csv_rows
from newslens.shards import atomic_path, iter_parquet_arrow, parquet_num_rows
from newslens.shards_gather import BATCH_ROWS, read_ipc

STAGE_ORDER = {"ingest": 0, "clean": 1, "dedup": 2}


def order_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """Audit rows in a stable order that does not depend on the number of shards."""
    audit = audit.copy()
    audit["_stage"] = audit["stage"].map(STAGE_ORDER).fillna(9)
    audit["_line"] = pd.to_numeric(audit["line_no"], errors="coerce").fillna(-1)
    audit = audit.sort_values(["_stage", "source", "doc_id", "_line"], kind="stable")
    audit["line_no"] = audit["line_no"].astype("Int64")
    return audit.drop(columns=["_stage", "_line"]).reset_index(drop=True)


AUDIT_BATCH_ROWS = 100_000
"""Rows of the cleaning audit turned into pandas and printed as CSV at a time."""


def write_ordered_audit(
    tables: Sequence[pa.Table], path, batch_rows: int = AUDIT_BATCH_ROWS
) -> int:
    """``write_table(order_audit(pd.concat(tables)), path)`` for a CSV ``path``, with the rows
    held as Arrow columns and sorted by Arrow (a stable sort on the same keys: stage, source,
    doc_id, line number; strings in code point order, missing values last), then printed
    ``batch_rows`` at a time. The same bytes, at a fraction of the memory: the synthetic 1M
    corpus has two audit rows per article, 2M rows that took ~1.9 GB as Python objects.
    Returns the number of rows."""
    table = pa.concat_tables(tables, promote_options="permissive")
    columns = table.column_names
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        if table.num_rows == 0:
            order_audit(table.to_pandas()).to_csv(fh, index=False, lineterminator="\n")
            return 0
        stage = table.column("stage").to_pandas()
        line = pd.to_numeric(table.column("line_no").to_pandas(), errors="coerce")
        keys = pa.table(
            {
                "_stage": stage.map(STAGE_ORDER).fillna(9).to_numpy(dtype=np.float64),
                "source": table.column("source"),
                "doc_id": table.column("doc_id"),
                "_line": line.fillna(-1).to_numpy(dtype=np.float64),
            }
        )
        del stage, line
        order = pc.sort_indices(keys, [(k, "ascending") for k in keys.column_names])
        del keys
        line_text = _line_number_text(table.column("line_no"))
        if line_text is not None:  # printed by newslens.csv_text (Arrow), the same bytes
            table = table.set_column(columns.index("line_no"), "line_no", line_text)
            table = table.replace_schema_metadata(None)  # pandas' dtypes (Int64) no longer hold
            header = table.schema.empty_table().to_pandas().to_csv(index=False, lineterminator="\n")
            fh.write(header)
            fh.flush()
            for start in range(0, table.num_rows, batch_rows):
                write_csv_rows(table.take(order.slice(start, batch_rows)), fh.buffer)
            return table.num_rows
        for start in range(0, table.num_rows, batch_rows):
            part = table.take(order.slice(start, batch_rows)).to_pandas()
            part["line_no"] = part["line_no"].astype("Int64")
            part[columns].to_csv(fh, header=start == 0, index=False, lineterminator="\n")
    return table.num_rows


def _line_number_text(line_no: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The audit's line numbers as pandas prints them as ``Int64`` ("12", missing ones empty),
    as a string column; None for a column of another kind (then pandas prints it)."""
    kind = line_no.type
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(line_no), pa.large_string())])
    if not pa.types.is_integer(kind):
        return None
    return pc.cast(line_no, pa.large_string())


def duplicates_as_audit(dropped: pd.DataFrame, sources: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": dropped["doc_id"],
            "source": dropped["doc_id"].map(sources).fillna(""),
            "stage": "dedup",
            "action": "dropped_duplicate",
            "reason": [
                f"{k} duplicate of {kept} (estimated Jaccard similarity {s:.2f}); the earlier article is kept"
                for k, kept, s in zip(
                    dropped["kind"], dropped["kept_doc_id"], dropped["similarity"], strict=True
                )
            ],
            "line_no": pd.NA,
            "content": "",
            "related_doc_id": dropped["kept_doc_id"],
        }
    )


def term_frequencies(ngrams: pd.DataFrame, n_docs: int) -> pd.DataFrame:
    """Unigram term table: term, count, share of all term occurrences, doc_freq, doc_share, rank."""
    terms = ngrams.loc[ngrams["n"] == 1, ["ngram", "count", "doc_freq"]].rename(
        columns={"ngram": "term"}
    )
    terms = terms.sort_values(
        ["count", "term"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    total = terms["count"].sum()
    terms.insert(2, "share", (terms["count"] / total).round(6) if total else 0.0)
    terms["doc_share"] = (terms["doc_freq"] / n_docs).round(6) if n_docs else 0.0
    terms["rank"] = range(1, len(terms) + 1)
    return terms


def ngram_frequencies(ngrams: pd.DataFrame, min_count: int) -> pd.DataFrame:
    grams = ngrams.loc[(ngrams["n"] >= 2) & (ngrams["count"] >= min_count)]
    return grams.sort_values(
        ["n", "count", "ngram"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def collocations(ngrams: pd.DataFrame, measure: str, min_freq: int, top_n: int) -> pd.DataFrame:
    """Bigram collocations ranked by an NLTK association measure, from the corpus counts
    (``BigramCollocationFinder`` built from the unigram and bigram frequency distributions)."""
    # loaded here, without NLTK's package import (newslens.nltk_punkt): deduplicate imports
    # this module for order_audit
    from newslens.nltk_punkt import collocation_classes

    BigramAssocMeasures, BigramCollocationFinder, FreqDist = collocation_classes()

    columns = ["rank", "bigram", "word1", "word2", "count", "score", "measure"]
    unigrams = ngrams.loc[ngrams["n"] == 1]
    bigrams = ngrams.loc[ngrams["n"] == 2]
    if bigrams.empty:
        return pd.DataFrame(columns=columns)
    word_fd = FreqDist(dict(zip(unigrams["ngram"], unigrams["count"], strict=True)))
    bigram_fd = FreqDist(
        {tuple(g.split(" ")): c for g, c in zip(bigrams["ngram"], bigrams["count"], strict=True)}
    )
    finder = BigramCollocationFinder(word_fd, bigram_fd)
    finder.apply_freq_filter(min_freq)
    scored = finder.score_ngrams(getattr(BigramAssocMeasures, measure))
    scored = sorted(scored, key=lambda item: (-item[1], item[0]))[:top_n]
    rows = [
        (i + 1, f"{w1} {w2}", w1, w2, bigram_fd[(w1, w2)], round(score, 6), measure)
        for i, ((w1, w2), score) in enumerate(scored)
    ]
    return pd.DataFrame(rows, columns=columns)


def approximate_scores(
    measure: str, n_ii: np.ndarray, n_ix: np.ndarray, n_xi: np.ndarray, n_xx: float
) -> np.ndarray:
    """NLTK's ``BigramAssocMeasures.<measure>`` for arrays of bigrams, in numpy (equal to the
    NLTK score up to rounding in the last bits). Used to find the candidates of the top list,
    which are then scored by NLTK itself. None for a measure without a vectorised form."""
    small = 1e-20
    n_ii = n_ii.astype(np.float64)
    n_ix = n_ix.astype(np.float64)
    n_xi = n_xi.astype(np.float64)
    if measure == "raw_freq":
        return n_ii / n_xx
    if measure == "student_t":
        return (n_ii - n_ix * n_xi / n_xx) / (n_ii + small) ** 0.5
    if measure == "pmi":
        return np.log2(n_ii * n_xx) - np.log2(n_ix * n_xi)
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    n_oo = n_xx - n_ii - n_oi - n_io
    if measure == "chi_sq":
        return (
            n_xx
            * (n_ii * n_oo - n_io * n_oi) ** 2
            / ((n_ii + n_io) * (n_ii + n_oi) * (n_io + n_oo) * (n_oi + n_oo))
        )
    if measure == "likelihood_ratio":
        cont = (n_ii, n_oi, n_io, n_oo)
        expected = (
            (n_ii + n_oi) * (n_ii + n_io) / n_xx,
            (n_oi + n_ii) * (n_oi + n_oo) / n_xx,
            (n_io + n_oo) * (n_io + n_ii) / n_xx,
            (n_oo + n_io) * (n_oo + n_oi) / n_xx,
        )
        total = np.zeros(len(n_ii))
        with np.errstate(divide="ignore", invalid="ignore"):
            for obs, exp in zip(cont, expected, strict=True):
                total += obs * np.log(obs / (exp + small) + small)
        return 2 * total
    return None


def collocation_candidates(
    unigrams: pd.DataFrame,
    bigrams: pd.DataFrame,
    measure: str,
    min_freq: int,
    top_n: int,
) -> pd.DataFrame:
    """The bigrams (ngram, count) that can be among the ``top_n`` collocations of ``bigrams``
    (or of any larger set containing them): scores computed in numpy, then every bigram
    scoring at least the ``top_n``-th best, less a margin for rounding (ties included). The
    corpus word counts ``unigrams`` (ngram, count) give the marginals."""
    bigrams = bigrams.loc[bigrams["count"] >= min_freq, ["ngram", "count"]]
    if len(bigrams) <= top_n:
        return bigrams
    # word counts of each bigram's two words, looked up in Arrow (no Python string per bigram)
    uni_terms = pa.array(unigrams["ngram"]).cast(pa.large_string())
    uni_counts = np.append(unigrams["count"].to_numpy(dtype=np.float64), 0.0)
    split = pc.split_pattern(pa.array(bigrams["ngram"]).cast(pa.large_string()), " ", max_splits=1)
    lookup = []
    for j in (0, 1):
        pos = pc.index_in(pc.list_element(split, j), value_set=uni_terms).fill_null(-1)
        lookup.append(uni_counts[pos.to_numpy()])  # -1: a word without a count (0, as NLTK)
    n_ix, n_xi = lookup
    n_xx = float(unigrams["count"].sum())
    scores = approximate_scores(measure, bigrams["count"].to_numpy(), n_ix, n_xi, n_xx)
    if scores is None:
        return bigrams
    finite = np.where(np.isnan(scores), np.inf, scores)
    threshold = np.partition(finite, len(finite) - top_n)[len(finite) - top_n]
    margin = 1e-9 * max(1.0, abs(threshold)) if math.isfinite(threshold) else 0.0
    return bigrams.loc[finite >= threshold - margin]


def collocations_from_counts(
    unigrams: pd.DataFrame,
    bigrams: pd.DataFrame,
    measure: str,
    min_freq: int,
    top_n: int,
) -> pd.DataFrame:
    """The table of ``collocations`` from corpus counts (unigrams: ngram, count; bigrams:
    ngram, count), without building NLTK frequency distributions of all bigrams: only the
    ``collocation_candidates`` are scored by NLTK's finder, whose scores and order are the
    result. Same output as ``collocations``; ``bigrams`` may be the union of the candidates of
    several parts of the corpus's bigrams."""
    bigrams = collocation_candidates(unigrams, bigrams, measure, min_freq, top_n)
    candidates = pd.concat(
        [unigrams[["ngram", "count"]].assign(n=1), bigrams[["ngram", "count"]].assign(n=2)],
        ignore_index=True,
    )
    return collocations(candidates, measure, min_freq, top_n)


# --------------------------------------------------------------------------------------------
# Summing the shards' n-gram counts with bounded memory (rule corpus_tables)
# --------------------------------------------------------------------------------------------

# Summing n-gram counts holds one partition of this many input rows in memory at a time
# (measured: 2M rows is faster than 8M and needs half the memory).
NGRAM_PARTITION_ROWS = 2_000_000


NGRAM_COLUMNS = ["ngram", "n", "count", "doc_freq"]
NGRAM_SCHEMA = pa.schema(
    [
        ("ngram", pa.large_string()),
        ("n", pa.int64()),
        ("count", pa.int64()),
        ("doc_freq", pa.int64()),
    ]
)


def ngram_partition(ngram: pa.Array | pa.ChunkedArray, n_parts: int) -> np.ndarray:
    """A deterministic partition number in [0, n_parts) for each string, from its length and
    five of its bytes (first, second, middle, second to last, last), mixed by a 64-bit
    multiplicative hash. Equal strings always fall in the same partition; no Python object is
    made per string."""
    if isinstance(ngram, pa.ChunkedArray):
        ngram = ngram.combine_chunks()
    n = len(ngram)
    if n_parts <= 1 or n == 0:
        return np.zeros(n, dtype=np.int64)
    arr = ngram.cast(pa.large_string()).fill_null("")
    if arr.offset:
        arr = pa.concat_arrays([arr])  # offset 0, so that the buffers start at row 0
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1)
    data = (
        np.frombuffer(arr.buffers()[2], dtype=np.uint8)
        if arr.buffers()[2]
        else np.zeros(1, np.uint8)
    )
    start, end = offsets[:-1], offsets[1:]
    length = end - start
    has = length > 0
    last = np.maximum(end - 1, start)
    h = length.astype(np.uint64)
    with np.errstate(over="ignore"):
        for pos in (
            start,
            np.minimum(start + 1, last),
            (start + last) // 2,
            np.maximum(last - 1, start),
            last,
        ):
            byte = np.where(has, data[np.minimum(pos, len(data) - 1)], 0).astype(np.uint64)
            h = (h ^ byte) * np.uint64(0x100000001B3)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return (h % np.uint64(n_parts)).astype(np.int64)


def sum_ngrams(table: pa.Table) -> pa.Table:
    """Sum the count and doc_freq of equal n-grams (the shards' documents are disjoint, so
    document frequencies add up). Returns ngram, n, count, doc_freq in order of first
    appearance."""
    if table.num_rows == 0:
        return table.select(NGRAM_COLUMNS)
    enc = pc.dictionary_encode(table.column("ngram").combine_chunks())
    codes = enc.indices.to_numpy()
    m = len(enc.dictionary)
    # codes are numbered in order of first appearance: a code is new where the running maximum
    # grows
    running = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.diff(running, prepend=-1) > 0)
    out = {"ngram": enc.dictionary, "n": table.column("n").take(pa.array(first))}
    for col in ("count", "doc_freq"):
        total = np.bincount(codes, weights=table.column(col).to_numpy(), minlength=m)
        out[col] = pa.array(np.rint(total).astype(np.int64))
    return pa.table(out)


def summed_ngrams(
    paths,
    tmpdir: Path,
    partition_rows: int = NGRAM_PARTITION_ROWS,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.Table | None]:
    """The shards' n-gram counts summed over the corpus, one partition (an Arrow table of
    ngram, n, count, doc_freq) at a time. Up to ``partition_rows`` input rows are summed in
    memory; more are first split by ``ngram_partition`` into files in ``tmpdir``."""
    total = sum(parquet_num_rows(p) for p in paths)
    n_parts = max(1, math.ceil(total / partition_rows))
    if n_parts == 1:
        tables = [
            t.select(NGRAM_COLUMNS).cast(NGRAM_SCHEMA)
            for p in paths
            for t in iter_parquet_arrow(p, batch_rows, NGRAM_COLUMNS)
        ]
        yield sum_ngrams(pa.concat_tables(tables)) if tables else None
        return
    files = [tmpdir / f"ngrams-{i}.arrow" for i in range(n_parts)]
    writers = []
    try:
        for p in paths:
            for table in iter_parquet_arrow(p, batch_rows, NGRAM_COLUMNS):
                table = table.select(NGRAM_COLUMNS).cast(NGRAM_SCHEMA)
                if not writers:
                    writers = [pa.ipc.new_file(f, NGRAM_SCHEMA) for f in files]
                part = ngram_partition(table.column("ngram"), n_parts)
                order = np.argsort(part, kind="stable")
                bounds = np.searchsorted(part[order], np.arange(n_parts + 1))
                table = table.take(pa.array(order))
                for i in range(n_parts):
                    if bounds[i + 1] > bounds[i]:
                        writers[i].write_table(table.slice(bounds[i], bounds[i + 1] - bounds[i]))
    finally:
        for w in writers:
            w.close()
    if not writers:
        yield None
        return
    for f in files:
        with pa.memory_map(str(f)) as source:
            yield sum_ngrams(pa.ipc.open_file(source).read_all())
        f.unlink()


def count_histogram(ngrams: pa.Table) -> Counter:
    """Rows per (n, count) of an n-gram table. The pairs are counted as one int64 key each in
    a hash table (``np.unique`` over row pairs sorts the whole table: ~30x the CPU)."""
    n = ngrams.column("n").to_numpy()
    count = ngrams.column("count").to_numpy()
    if len(n) == 0:
        return Counter()
    lo, span = int(n.min()), int(n.max()) - int(n.min()) + 1
    if int(count.min()) < 0 or int(count.max()) >= (1 << 62) // span:  # no room for one key
        keys, rows = np.unique(np.stack([n, count], axis=1), axis=0, return_counts=True)
        return Counter({(int(a), int(b)): int(r) for (a, b), r in zip(keys, rows, strict=True)})
    rows = pd.Series(count * span + (n - lo)).value_counts(sort=False)
    keys = rows.index.to_numpy()
    return Counter(
        {
            (int(k % span) + lo, int(k // span)): int(r)
            for k, r in zip(keys.tolist(), rows.to_numpy().tolist(), strict=True)
        }
    )


def ngram_buckets(histogram: Counter, max_rows: int = NGRAM_PARTITION_ROWS) -> list[tuple]:
    """Ranges (n, lowest count, highest count) of at most ``max_rows`` rows (unless one (n,
    count) alone has more), in the order of ngram_frequencies.csv: n ascending, count
    descending."""
    buckets, current, rows = [], None, 0
    for n, count in sorted(histogram, key=lambda k: (k[0], -k[1])):
        r = histogram[(n, count)]
        if current is not None and current[0] == n and rows + r <= max_rows:
            current = (n, count, current[2])
            rows += r
        else:
            if current is not None:
                buckets.append(current)
            current, rows = (n, count, count), r
    if current is not None:
        buckets.append(current)
    return buckets


def string_prefix_keys(strings, words: int = 2) -> list[np.ndarray]:
    """The first ``8 * words`` UTF-8 bytes of each string as ``words`` big-endian uint64 keys
    (missing bytes zero): sorting by the keys in turn orders the strings as their bytes do,
    except among strings with equal keys."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    arr = strings.cast(pa.large_string()).fill_null("")
    if arr.offset:
        arr = pa.concat_arrays([arr])  # offset 0, so that the buffers start at row 0
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=len(arr) + 1)
    data = arr.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    data = np.concatenate([data, np.zeros(8 * words, dtype=np.uint8)])
    start, length = offsets[:-1], np.diff(offsets)
    keys = []
    for w in range(words):
        key = np.zeros(len(arr), dtype=np.uint64)
        for b in range(8 * w, 8 * w + 8):
            byte = np.where(length > b, data[start + b], 0).astype(np.uint64)
            key = (key << np.uint64(8)) | byte
        keys.append(key)
    return keys


def count_ngram_order(table: pa.Table) -> np.ndarray:
    """Row indices that sort ``table`` by count descending, then ngram ascending (by bytes,
    as ``pc.sort_indices(table, [("count", "descending"), ("ngram", "ascending")])``): numpy
    sorts by the count and the n-grams' first 16 bytes (``string_prefix_keys``); only the runs
    of rows equal in those are sorted by Arrow on the whole strings (Arrow's sort on strings
    costs ~2.5 times as much on the synthetic 20k n-grams)."""
    if table.num_rows < 2:
        return np.arange(table.num_rows, dtype=np.int64)
    ngram = table.column("ngram")
    count = table.column("count").to_numpy()
    keys = [-count, *string_prefix_keys(ngram)]  # most significant first
    order = np.argsort(keys[-1], kind="stable")
    for key in reversed(keys[:-1]):  # then the more significant keys, stable sorts
        order = order[np.argsort(key[order], kind="stable")]
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        k = key[order]
        same &= k[1:] == k[:-1]
    tied = np.flatnonzero(same)
    if len(tied):
        rows = np.zeros(len(order), dtype=bool)
        rows[tied] = rows[tied + 1] = True
        pos = np.flatnonzero(rows)
        run = np.cumsum(np.r_[True, ~same])[pos]  # runs of equal keys, in order
        sub = pa.table({"run": run, "ngram": ngram.take(pa.array(order[pos]))})
        within = pc.sort_indices(sub, [("run", "ascending"), ("ngram", "ascending")])
        order[pos] = order[pos][within.to_numpy()]
    return order


def write_sorted_ngrams(
    spills: Sequence[Path],
    min_count: int,
    path,
    bucket_rows: int = NGRAM_PARTITION_ROWS,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """ngram_frequencies.csv from the spilled n-gram tables (summed counts): the rows with
    n >= 2 and count >= ``min_count``, sorted by n, count descending, then ngram, written bucket by
    bucket (each a range of (n, count) of about ``bucket_rows`` rows, sorted in memory), so
    that memory does not grow with the table. Returns the number of rows."""
    histogram = Counter()
    for spill in spills:
        t = read_ipc(spill)
        keep = pc.and_(
            pc.greater_equal(t.column("n"), 2), pc.greater_equal(t.column("count"), min_count)
        )
        histogram.update(count_histogram(t.filter(keep)))
    n_rows = 0
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        header = NGRAM_SCHEMA.empty_table().to_pandas().to_csv(index=False, lineterminator="\n")
        fh.write(header.encode("utf-8"))
        for n, lo, hi in ngram_buckets(histogram, bucket_rows):
            parts = []
            for spill in spills:
                t = read_ipc(spill)
                count = t.column("count")
                mask = pc.and_(
                    pc.equal(t.column("n"), n),
                    pc.and_(pc.greater_equal(count, max(lo, min_count)), pc.less_equal(count, hi)),
                )
                parts.append(t.filter(mask))
            table = pa.concat_tables(parts)
            table = table.take(pa.array(count_ngram_order(table)))
            write_csv_rows(table, fh, batch_rows)
            n_rows += table.num_rows
    return n_rows
