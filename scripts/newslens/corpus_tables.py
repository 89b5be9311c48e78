"""Corpus-level tables gathered from the shards: documents, audit, term and n-gram counts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
from nltk.probability import FreqDist

from newslens.runtime import NewslensError

STAGE_ORDER = {"ingest": 0, "clean": 1, "dedup": 2}


def order_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """Audit rows in a stable order that does not depend on the number of shards."""
    audit = audit.copy()
    audit["_stage"] = audit["stage"].map(STAGE_ORDER).fillna(9)
    audit["_line"] = pd.to_numeric(audit["line_no"], errors="coerce").fillna(-1)
    audit = audit.sort_values(["_stage", "source", "doc_id", "_line"], kind="stable")
    audit["line_no"] = audit["line_no"].astype("Int64")
    return audit.drop(columns=["_stage", "_line"]).reset_index(drop=True)


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


# --------------------------------------------------------------------------------------------
# Gathering shard tables in corpus order with bounded memory (Arrow batches, no pandas rows)
# --------------------------------------------------------------------------------------------

UNKNOWN_DOC = np.iinfo(np.int64).max  # sort key of a row whose doc_id is not in the documents


def doc_keys(doc_id: pa.Array | pa.ChunkedArray, ids: pa.Array, index: np.ndarray) -> np.ndarray:
    """The corpus position (``doc_index``) of each row from its ``doc_id``, given the documents'
    ``ids`` and their ``index``. The rows of one article are contiguous in a shard, so only the
    first row of each run is looked up. Unknown doc_ids get UNKNOWN_DOC (sorted last)."""
    if isinstance(doc_id, pa.ChunkedArray):
        doc_id = doc_id.combine_chunks()
    n = len(doc_id)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n > 1:
        change = pc.not_equal(doc_id.slice(1), doc_id.slice(0, n - 1))
        starts = np.concatenate(
            ([0], np.flatnonzero(change.fill_null(True).to_numpy(zero_copy_only=False)) + 1)
        )
    else:
        starts = np.zeros(1, dtype=np.int64)
    pos = pc.index_in(doc_id.take(pa.array(starts)), value_set=ids).fill_null(-1).to_numpy()
    run_keys = np.where(pos >= 0, index[np.maximum(pos, 0)], UNKNOWN_DOC)
    return np.repeat(run_keys, np.diff(np.append(starts, n)))


def merge_by_key(
    streams: Sequence[Iterable[tuple[pa.Table, np.ndarray]]],
) -> Iterator[pa.Table]:
    """Merge streams of (table, sort key) batches, each stream sorted by its key, into tables in
    key order; equal keys keep stream order, then row order (what a stable sort of the
    concatenated streams gives). Memory: about one batch per stream."""
    iters = [iter(s) for s in streams]
    bufs: list[pa.Table | None] = [None] * len(iters)
    keys: list[np.ndarray | None] = [None] * len(iters)

    def refill(i: int) -> None:
        while bufs[i] is None or bufs[i].num_rows == 0:
            nxt = next(iters[i], None)
            if nxt is None:
                bufs[i] = keys[i] = None
                return
            bufs[i], keys[i] = nxt

    for i in range(len(iters)):
        refill(i)
    while True:
        active = [i for i in range(len(iters)) if bufs[i] is not None]
        if not active:
            return
        mark = min(keys[i][-1] for i in active)
        parts, part_keys = [], []
        for i in active:
            cut = int(np.searchsorted(keys[i], mark, side="right"))
            if cut:
                parts.append(bufs[i].slice(0, cut))
                part_keys.append(keys[i][:cut])
                bufs[i], keys[i] = bufs[i].slice(cut), keys[i][cut:]
            if bufs[i].num_rows == 0:
                refill(i)
        table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        key = np.concatenate(part_keys) if len(part_keys) > 1 else part_keys[0]
        if len(key) > 1 and (np.diff(key) < 0).any():
            table = table.take(pa.array(np.argsort(key, kind="stable")))
        yield table


def check_sorted(keys: np.ndarray, previous: int, path) -> int:
    """Raise if a shard's rows are not in corpus order (the merge relies on it); return the
    last key."""
    if len(keys) == 0:
        return previous
    if keys[0] < previous or (np.diff(keys) < 0).any():
        raise NewslensError(
            f"{path} is not in corpus order (doc_index); it was not written by this version of "
            "the pipeline. Delete results/interim and run snakemake again."
        )
    return int(keys[-1])


def unified_schema(schemas: Sequence[pa.Schema]) -> pa.Schema:
    """One schema for tables gathered from shards: a column that is all null in one shard takes
    the type it has in another. Pandas metadata is dropped (it describes one shard)."""
    schema = pa.unify_schemas(list(schemas), promote_options="permissive")
    return schema.remove_metadata()


def csv_frame(table: pa.Table, float_columns: Iterable[str] = ()) -> pd.DataFrame:
    """A batch as the DataFrame whose ``to_csv`` prints it as pandas prints the whole table:
    integer columns that hold a null anywhere in the table (``float_columns``) are floats in
    every batch, as ``pd.concat`` of the shards makes them."""
    for name in float_columns:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(i).cast(pa.float64()))
    return table.to_pandas()


# --------------------------------------------------------------------------------------------
# Summing the shards' n-gram counts with bounded memory
# --------------------------------------------------------------------------------------------

NGRAM_COLUMNS = ["ngram", "n", "count", "doc_freq"]


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


def collocations_from_counts(
    unigrams: pd.DataFrame,
    bigrams: pd.DataFrame,
    measure: str,
    min_freq: int,
    top_n: int,
) -> pd.DataFrame:
    """The table of ``collocations`` from corpus counts (unigrams: ngram, count; bigrams:
    ngram, count), without building NLTK frequency distributions of all bigrams: the scores are
    computed in numpy, and only the bigrams that can reach the top ``top_n`` (with a safety
    margin for rounding) are scored again by NLTK's finder, whose scores and order are the
    result. Same output as ``collocations``."""
    columns = ["rank", "bigram", "word1", "word2", "count", "score", "measure"]
    bigrams = bigrams.loc[bigrams["count"] >= min_freq]
    if bigrams.empty:
        return pd.DataFrame(columns=columns)
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
    if scores is not None and len(scores) > top_n:
        finite = np.where(np.isnan(scores), np.inf, scores)
        threshold = np.partition(finite, len(finite) - top_n)[len(finite) - top_n]
        margin = 1e-9 * max(1.0, abs(threshold)) if math.isfinite(threshold) else 0.0
        bigrams = bigrams.loc[finite >= threshold - margin]
    candidates = pd.concat(
        [unigrams[["ngram", "count"]].assign(n=1), bigrams[["ngram", "count"]].assign(n=2)],
        ignore_index=True,
    )
    return collocations(candidates, measure, min_freq, top_n)
