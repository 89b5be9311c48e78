"""Topic modelling, units and terms: the modelling units (articles or paragraphs), their
term codes and counts per shard, the corpus vocabulary and the document-term matrix, TF-IDF."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse

from newslens.runtime import NewslensError

UNIT_TYPES = ("article", "paragraph")


def load_npz(path) -> sparse.csr_matrix:
    """A sparse matrix saved by ``scipy.sparse.save_npz``, as CSR; a clear error when it cannot
    be read."""
    try:
        return sparse.load_npz(path).tocsr()
    except (OSError, ValueError) as err:
        raise NewslensError(f"cannot read {path}: {err}; delete it and rerun snakemake") from err


def choose_unit(unit: str, n_articles: int, auto_min_articles: int) -> str:
    """The unit of analysis: ``unit`` itself, or for ``auto`` 'article' when the corpus has at
    least ``auto_min_articles`` articles and 'paragraph' otherwise (a handful of articles is
    too few documents for a topic model, their paragraphs are not)."""
    if unit == "auto":
        return "article" if n_articles >= auto_min_articles else "paragraph"
    if unit not in UNIT_TYPES:
        raise NewslensError(f"config key topics.unit: '{unit}' is not auto, article or paragraph")
    return unit


def unit_ids(doc_id: pd.Series, para_id: pd.Series | None, unit: str) -> pd.Series:
    """Unit identifiers: the doc_id for articles, ``<doc_id>#<para_id>`` for paragraphs."""
    doc_id = doc_id.astype(str)
    if unit == "article":
        return doc_id.reset_index(drop=True)
    return (doc_id + "#" + para_id.astype("int64").astype(str)).reset_index(drop=True)


def unit_index(paragraphs: pd.DataFrame, documents: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One row per modelling unit, in corpus order: unit, doc_id, para_id (<NA> for articles).

    Paragraph units come from the paragraph tables (so that a paragraph without a single
    token still is a unit); article units from documents.csv.
    """
    if unit == "article":
        out = pd.DataFrame({"doc_id": documents["doc_id"].astype(str).drop_duplicates()})
        out["para_id"] = pd.array([pd.NA] * len(out), dtype="Int64")
    else:
        out = paragraphs[["doc_id", "para_id"]].drop_duplicates().copy()
        out["doc_id"] = out["doc_id"].astype(str)
        out = out[out["doc_id"].isin(set(documents["doc_id"].astype(str)))]  # kept articles only
        out["para_id"] = out["para_id"].astype("Int64")
        # Articles without any paragraph row (should not happen) still count as one unit.
        missing = set(documents["doc_id"].astype(str)) - set(out["doc_id"])
        if missing:
            extra = pd.DataFrame(
                {"doc_id": sorted(missing), "para_id": pd.array([0] * len(missing), dtype="Int64")}
            )
            out = pd.concat([out, extra], ignore_index=True)
        order = {d: i for i, d in enumerate(documents["doc_id"].astype(str))}
        out["_o"] = out["doc_id"].map(order).fillna(len(order))
        out = out.sort_values(["_o", "para_id"], kind="stable").drop(columns="_o")
    out = out.reset_index(drop=True)
    out.insert(0, "unit", unit_ids(out["doc_id"], out["para_id"], unit))
    out["unit_type"] = unit
    return out


def unit_term_codes(
    tokens: pd.DataFrame, unit: str, ngram_max: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The term (and n-gram) occurrences of a token table as integer codes: (unit_names,
    term_names, unit_codes, term_codes), one code pair per occurrence.

    Unigrams are the kept terms (``keep`` true, ``term`` not empty). An n-gram is n *adjacent*
    tokens (consecutive ``tok_id``) of one sentence that are all kept, joined by a space: a
    stopword, a number or punctuation between two terms breaks it ("prime minister", not
    "minister armenia" from "minister of Armenia"). Strings are factorised to integer codes
    first, so the cost is a few vectorised passes over the table.
    """
    empty = np.zeros(0, dtype=np.int64)
    if tokens.empty:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=object), empty, empty
    tok = tokens
    if ngram_max > 1:
        order = np.lexsort((tok["tok_id"].to_numpy(), pd.factorize(tok["doc_id"])[0]))
        if not (order == np.arange(len(order))).all():
            tok = tok.iloc[order]
    doc_codes, doc_uni = pd.factorize(tok["doc_id"], sort=False)
    doc_uni = np.asarray(doc_uni, dtype=object)
    if unit == "article":
        unit_codes, unit_names = doc_codes, np.array([str(d) for d in doc_uni], dtype=object)
    else:
        para = tok["para_id"].to_numpy().astype(np.int64)
        width = int(para.max()) + 1
        unit_codes, key_uni = pd.factorize(doc_codes.astype(np.int64) * width + para, sort=False)
        unit_names = np.array([f"{doc_uni[k // width]}#{k % width}" for k in key_uni], dtype=object)
    # Terms as integer codes (no Python string per token); "" marks a token that is no term.
    codes, names = pd.factorize(tok["term"].fillna(""), sort=False)
    names = np.asarray(names, dtype=object)
    keep = tok["keep"].fillna(False).to_numpy(dtype=bool)
    blank = np.flatnonzero(names == "")
    if len(blank):
        keep = keep & (codes != blank[0])
    units_all, codes_all, names_all = [unit_codes[keep]], [codes[keep]], [names]
    offset = len(names)
    if ngram_max > 1:
        sent = tok["sent_id"].to_numpy()
        tid = tok["tok_id"].to_numpy()
        n_tok = len(tok)
        for n in range(2, ngram_max + 1):
            if n_tok < n:
                break
            m = n_tok - n + 1
            ok = keep[:m].copy()
            for j in range(1, n):
                ok &= keep[j : j + m]
                ok &= doc_codes[j : j + m] == doc_codes[:m]
                ok &= sent[j : j + m] == sent[:m]
                ok &= tid[j : j + m] == tid[:m] + j
            idx = np.flatnonzero(ok)
            if not len(idx):
                continue
            joined = names[codes[idx]]
            for j in range(1, n):
                joined = joined + " " + names[codes[idx + j]]
            gram_codes, gram_names = pd.factorize(joined, sort=False)
            units_all.append(unit_codes[idx])
            codes_all.append(gram_codes + offset)
            names_all.append(np.asarray(gram_names, dtype=object))
            offset += len(gram_names)
    return (
        unit_names,
        np.concatenate(names_all),
        np.concatenate(units_all).astype(np.int64),
        np.concatenate(codes_all).astype(np.int64),
    )


def arrow_unit_term_codes(
    tokens: pa.Table, unit: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``unit_term_codes`` for unigrams, on an Arrow table without converting it to pandas:
    the unit of each token comes from runs of equal doc_id (and para_id), so only the first
    token of a run is named; the terms are dictionary-encoded by Arrow. The same unit may be
    named by two runs (the counts then add up).

    doc_id and term may be read dictionary-encoded (``read_dictionary``): then no string is
    decoded or hashed per token (``_dictionary_codes``); the codes are the same."""
    n = tokens.num_rows
    empty = np.zeros(0, dtype=np.int64)
    if n == 0:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=object), empty, empty
    fast = _dictionary_codes(tokens, unit)
    if fast is not None:
        return fast
    tokens = _plain_strings(tokens)
    return _string_codes(tokens, unit)


def _plain_strings(tokens: pa.Table) -> pa.Table:
    """``tokens`` with dictionary-encoded doc_id and term decoded to plain strings."""
    for name in ("doc_id", "term"):
        col = tokens.column(name)
        if pa.types.is_dictionary(col.type):
            i = tokens.schema.get_field_index(name)
            tokens = tokens.set_column(i, name, col.cast(col.type.value_type))
    return tokens


def _dictionary_codes(tokens: pa.Table, unit: str):
    """``arrow_unit_term_codes`` of a table whose doc_id and term are dictionary arrays of one
    chunk without nulls (else None): unit runs from the doc_id indices, and the term codes
    numbered in order of first appearance in the table (as ``pc.dictionary_encode`` of the
    strings numbers them: ``pc.unique`` of the indices keeps that order), so that only the
    distinct terms of the batch are turned into Python strings."""
    import pyarrow.compute as pc

    cols = [tokens.column(c) for c in ("doc_id", "term")]
    if any(c.num_chunks != 1 or not pa.types.is_dictionary(c.type) for c in cols):
        return None
    doc, term = (c.chunk(0) for c in cols)
    if doc.null_count or term.null_count:
        return None
    doc_idx = doc.indices.to_numpy()
    change = np.empty(len(doc), dtype=bool)
    change[0] = True
    np.not_equal(doc_idx[1:], doc_idx[:-1], out=change[1:])
    unit_names, unit_codes = _unit_runs(
        tokens, unit, change, lambda starts: doc.dictionary.take(pa.array(doc_idx[starts]))
    )
    present = pc.unique(term.indices)  # dictionary entries in order of first appearance
    names = np.array(term.dictionary.take(present).to_pylist(), dtype=object)
    renumber = np.zeros(len(term.dictionary), dtype=np.int64)
    renumber[present.to_numpy()] = np.arange(len(present))
    return _kept_codes(tokens, unit_names, names, unit_codes, renumber[term.indices.to_numpy()])


def _string_codes(
    tokens: pa.Table, unit: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``arrow_unit_term_codes`` of a table with plain string columns (not empty)."""
    import pyarrow.compute as pc

    n = tokens.num_rows
    doc = tokens.column("doc_id").combine_chunks()
    change = np.zeros(n, dtype=bool)
    change[0] = True
    if n > 1:
        diff = pc.not_equal(doc.slice(1), doc.slice(0, n - 1)).fill_null(True)
        change[1:] = diff.to_numpy(zero_copy_only=False)
    unit_names, unit_codes = _unit_runs(
        tokens, unit, change, lambda starts: doc.take(pa.array(starts))
    )
    enc = pc.dictionary_encode(tokens.column("term").combine_chunks().fill_null(""))
    names = np.array(enc.dictionary.to_pylist(), dtype=object)
    return _kept_codes(tokens, unit_names, names, unit_codes, enc.indices.to_numpy())


def _unit_runs(tokens: pa.Table, unit: str, change: np.ndarray, docs_at) -> tuple:
    """(unit_names, unit_codes): a new unit where ``change`` (doc_id changes) or, for
    paragraphs, para_id changes; ``docs_at(starts)`` gives the doc_ids at the runs' starts."""
    if unit == "paragraph":
        para = tokens.column("para_id").to_numpy()
        change[1:] |= para[1:] != para[:-1]
    starts = np.flatnonzero(change)
    run_docs = docs_at(starts).to_pylist()
    if unit == "paragraph":
        paras = tokens.column("para_id").to_numpy()[starts]
        unit_names = np.array(
            [f"{d}#{int(q)}" for d, q in zip(run_docs, paras, strict=True)], dtype=object
        )
    else:
        unit_names = np.array([str(d) for d in run_docs], dtype=object)
    return unit_names, np.cumsum(change) - 1


def _kept_codes(tokens: pa.Table, unit_names, names, unit_codes, codes) -> tuple:
    """The codes of the kept tokens (``keep`` true, term not empty)."""
    keep = tokens.column("keep").combine_chunks().fill_null(False).to_numpy(zero_copy_only=False)
    blank = names == ""
    if blank.any():
        keep = keep & ~blank[codes]
    return unit_names, names, unit_codes[keep].astype(np.int64), codes[keep].astype(np.int64)


def unit_terms(tokens: pd.DataFrame, unit: str, ngram_max: int = 1) -> pd.DataFrame:
    """Counts of terms (and n-grams, see ``unit_term_codes``) per unit in a token table:
    unit, term, count."""
    empty = pd.DataFrame(
        {
            "unit": pd.Series(dtype=object),
            "term": pd.Series(dtype=object),
            "count": pd.Series(dtype="int64"),
        }
    )
    unit_names, term_names, u, c = unit_term_codes(tokens, unit, ngram_max)
    if not len(u):
        return empty
    offset = len(term_names)
    pair, counts = np.unique(u * offset + c, return_counts=True)
    return pd.DataFrame(
        {
            "unit": unit_names[pair // offset],
            "term": term_names[pair % offset],
            "count": counts.astype("int64"),
        }
    )


def token_columns(unit: str, ngram_max: int) -> list[str]:
    """The token-table columns that counting terms per unit reads."""
    cols = ["doc_id", "term", "keep"]
    if unit == "paragraph":
        cols.append("para_id")
    if ngram_max > 1:
        cols += ["sent_id", "tok_id"]
    return cols


class ShardCounter:
    """The unit x term count matrix of one shard, built from its token table batch by batch
    (memory: the sparse matrix and the shard's term list, never the token table).

    Rows are the units of ``units`` (in that order); columns are the shard's terms, numbered in
    order of first appearance (``terms``). A batch must hold whole articles (n-grams do not
    cross articles, so counts of an article split over two batches would only be wrong for
    n-grams; see ``whole_articles``).
    """

    def __init__(self, units: pd.DataFrame, unit: str, ngram_max: int = 1):
        self.unit = unit
        self.ngram_max = ngram_max
        self.n_units = len(units)
        self._rows = pd.Index(units["unit"].astype(str))
        self._codes: dict[str, int] = {}
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    @property
    def terms(self) -> list[str]:
        return list(self._codes)

    def add(self, tokens: pd.DataFrame | pa.Table) -> None:
        """Count one batch: a DataFrame, or for unigrams an Arrow table (faster)."""
        if isinstance(tokens, pa.Table):
            if self.ngram_max > 1:
                raise ValueError("n-grams are counted from DataFrames of whole articles")
            unit_names, term_names, u, c = arrow_unit_term_codes(tokens, self.unit)
        else:
            unit_names, term_names, u, c = unit_term_codes(tokens, self.unit, self.ngram_max)
        if not len(u):
            return
        # one entry per (unit, term) of the batch, sorted by unit then term code
        width = len(term_names)
        pair, counts = np.unique(u * width + c, return_counts=True)
        rows = self._rows.get_indexer(unit_names)[pair // width]
        codes = self._codes
        term_map = np.fromiter(
            (codes.setdefault(t, len(codes)) for t in term_names), np.int64, len(term_names)
        )
        cols = term_map[pair % width]
        ok = rows >= 0  # units not listed (articles dropped as duplicates) are left out
        rows, cols, counts = rows[ok], cols[ok], counts[ok]
        # rows are sorted within the batch: stored as (row, run length), 8 bytes per entry
        starts = np.flatnonzero(np.diff(rows, prepend=-1) != 0)
        self._parts.append(
            (
                rows[starts].astype(np.int64),
                np.diff(np.append(starts, len(rows))).astype(np.int64),
                cols.astype(np.int32),
                counts.astype(np.float32),
            )
        )

    def matrix(self) -> sparse.csr_matrix:
        """The counts as a canonical CSR matrix (sorted column indices, no duplicates). When the
        batches came in unit order (a shard lists its articles in order), the matrix is filled
        in place, part by part, without a sorted copy of all entries."""
        n, v = self.n_units, len(self._codes)
        parts, self._parts = self._parts, []
        if not parts:
            return sparse.csr_matrix((n, v), dtype=np.float32)
        run_rows = np.concatenate([p[0] for p in parts])
        if len(run_rows) > 1 and (np.diff(run_rows) < 0).any():  # not in unit order
            rows = np.concatenate([np.repeat(p[0], p[1]) for p in parts])
            cols = np.concatenate([p[2] for p in parts])
            data = np.concatenate([p[3] for p in parts])
            return sparse.coo_matrix((data, (rows, cols)), shape=(n, v)).tocsr()
        per_row = np.zeros(n, dtype=np.int64)
        for run, length, _, _ in parts:
            np.add.at(per_row, run, length)
        indptr = np.concatenate(([0], np.cumsum(per_row)))
        total = int(indptr[-1])
        indices = np.empty(total, dtype=np.int32)
        data = np.empty(total, dtype=np.float32)
        pos = 0
        while parts:
            _, _, cols, counts = parts.pop(0)
            indices[pos : pos + len(cols)] = cols
            data[pos : pos + len(cols)] = counts
            pos += len(cols)
        if total < 2**31:
            indptr = indptr.astype(np.int32)
        mat = sparse.csr_matrix((data, indices, indptr), shape=(n, v))
        # an article cut between two batches has its row's entries in two sorted runs
        mat.has_canonical_format = False
        mat.sum_duplicates()
        return mat


def whole_articles(batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Re-cut token batches so that no article is split over two of them: the rows of each
    batch's last article are held back and joined to the next batch (a shard lists an
    article's tokens together)."""
    carry = None
    for batch in batches:
        if carry is not None and len(carry):
            batch = pd.concat([carry, batch], ignore_index=True)
        if batch.empty:
            continue
        doc = batch["doc_id"]
        other = np.flatnonzero((doc != doc.iloc[-1]).to_numpy())
        cut = int(other[-1]) + 1 if len(other) else 0
        if cut == 0:
            carry = batch
            continue
        carry = batch.iloc[cut:]
        yield batch.iloc[:cut]
    if carry is not None and len(carry):
        yield carry


def sum_term_stats(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Corpus document and collection frequencies (index term; columns df, cf) from the
    shards' term tables (term, df, cf): the shards' units are disjoint, so they add up."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame({"df": pd.Series(dtype="int64"), "cf": pd.Series(dtype="int64")})
    both = pd.concat(tables, ignore_index=True)
    both["term"] = both["term"].astype(str)
    return both.groupby("term", sort=False)[["df", "cf"]].sum().astype("int64")


def shard_term_table(
    mat: sparse.csr_matrix, terms: Sequence[str], chunk: int = 4_000_000
) -> pd.DataFrame:
    """term, df (units containing it), cf (occurrences) of a shard's count matrix (summed over
    chunks of entries: no full-size temporary arrays)."""
    v = mat.shape[1]
    df = np.zeros(v, dtype=np.int64)
    cf = np.zeros(v, dtype=np.float64)
    for start in range(0, mat.nnz, chunk):
        idx = mat.indices[start : start + chunk]
        df += np.bincount(idx, minlength=v)
        cf += np.bincount(idx, weights=mat.data[start : start + chunk], minlength=v)
    return pd.DataFrame(
        {
            "term": pd.Series(list(terms), dtype=object),
            "df": df,
            "cf": np.rint(cf).astype("int64"),
        }
    )


def kept_lengths(mat: sparse.csr_matrix, colmap: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Entries per row of ``mat`` whose column ``colmap`` keeps (not -1), in row chunks."""
    out = np.zeros(mat.shape[0], dtype=np.int64)
    for start in range(0, mat.shape[0], chunk):
        ptr = mat.indptr[start : start + chunk + 1]
        keep = colmap[mat.indices[ptr[0] : ptr[-1]]] >= 0
        cum = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        out[start : start + len(ptr) - 1] = cum[ptr[1:] - ptr[0]] - cum[ptr[:-1] - ptr[0]]
    return out


def restrict_columns(mat: sparse.csr_matrix, colmap: np.ndarray, n_cols: int) -> sparse.csr_matrix:
    """``mat`` with column j moved to ``colmap[j]`` (dropped where it is -1): a shard's counts
    on the corpus vocabulary, in canonical CSR form."""
    new = colmap[mat.indices]
    keep = new >= 0
    indptr = np.concatenate(([0], np.cumsum(kept_lengths(mat, colmap))))
    out = sparse.csr_matrix(
        (mat.data[keep], new[keep].astype(np.int32), indptr), shape=(mat.shape[0], n_cols)
    )
    out.has_sorted_indices = False
    out.sort_indices()
    return out


def place_rows(
    parts: Iterable[tuple[sparse.csr_matrix, np.ndarray, np.ndarray]],
    row_lengths: np.ndarray,
    n_cols: int,
    chunk: int = 20_000,
) -> sparse.csr_matrix:
    """One CSR matrix from blocks of rows: each part (matrix, colmap, target rows) puts its row
    i, restricted to the columns ``colmap`` keeps (see ``restrict_columns``), at row
    ``target[i]``. ``row_lengths`` are the entries per target row (``kept_lengths``), so that
    the result is filled in place, ``chunk`` rows at a time, without a second copy."""
    indptr = np.concatenate(([0], np.cumsum(row_lengths))).astype(np.int64)
    nnz = int(indptr[-1])
    if nnz < 2**31:
        indptr = indptr.astype(np.int32)
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float32)
    for mat, colmap, target in parts:
        for start in range(0, mat.shape[0], chunk):
            sub = restrict_columns(mat[start : start + chunk], colmap, n_cols)
            lengths = np.diff(sub.indptr)
            dest = np.repeat(
                indptr[target[start : start + chunk]].astype(np.int64) - sub.indptr[:-1], lengths
            )
            dest += np.arange(sub.nnz, dtype=np.int64)
            indices[dest] = sub.indices
            data[dest] = sub.data
    return sparse.csr_matrix((data, indices, indptr), shape=(len(row_lengths), n_cols))


def merge_term_stats(stats: pd.DataFrame | None, counts: pd.DataFrame) -> pd.DataFrame:
    """Add one shard's unit-term counts to running document and collection frequencies
    (index term; columns df, cf). Memory is bounded by the number of distinct terms."""
    shard = counts.groupby("term", sort=False)["count"].agg(df="size", cf="sum")
    if stats is None or stats.empty:
        return shard.astype("int64")
    return stats.add(shard, fill_value=0).astype("int64")


def _threshold(value: float | int, n_units: int) -> float:
    """sklearn semantics: an integer is a count of units, a float in (0, 1] a share of them."""
    if isinstance(value, bool):
        raise TypeError("boolean document-frequency threshold")
    if isinstance(value, float) and value <= 1.0:
        return value * n_units
    return float(value)


def select_vocabulary(
    stats: pd.DataFrame,
    n_units: int,
    min_df: float | int = 2,
    max_df: float | int = 1.0,
    max_features: int | None = None,
) -> pd.DataFrame:
    """Terms kept for modelling: df >= min_df, df <= max_df, then the ``max_features`` most
    frequent (by cf, ties by df then term). Returns term, df, cf, sorted by term (column order).

    An empty result raises a NewslensError that names the filter which emptied it.
    """
    if stats is None or stats.empty:
        raise NewslensError(
            "topics: the corpus has no terms at all (every token was a stopword, a number or "
            "too short), so there is nothing to model. Check tokenize.* and the corpus."
        )
    st = stats.copy()
    st.index.name = "term"
    st = st.reset_index()
    lo = _threshold(min_df, n_units)
    hi = _threshold(max_df, n_units)
    after_min = st[st["df"] >= lo]
    if after_min.empty:
        raise NewslensError(
            f"topics: config key topics.min_df={min_df} removed every term (no term occurs in "
            f"{math.ceil(lo)} or more of the {n_units} units; the most common one is in "
            f"{int(st['df'].max())}). Lower topics.min_df."
        )
    kept = after_min[after_min["df"] <= hi]
    if kept.empty:
        raise NewslensError(
            f"topics: config key topics.max_df={max_df} removed every term left after min_df "
            f"(each of them occurs in more than {hi:g} of the {n_units} units). Raise "
            "topics.max_df."
        )
    if max_features:
        kept = kept.sort_values(["cf", "df", "term"], ascending=[False, False, True]).head(
            max_features
        )
    return kept.sort_values("term").reset_index(drop=True)[["term", "df", "cf"]]


def shard_matrix(
    counts: pd.DataFrame, units: pd.DataFrame, vocab: pd.DataFrame
) -> sparse.csr_matrix:
    """One shard's unit-term counts as a sparse matrix with a row for every unit of ``units``
    (in that order) and a column for every vocabulary term; terms out of the vocabulary and
    units not listed are dropped."""
    n, v = len(units), len(vocab)
    if counts.empty or n == 0:
        return sparse.csr_matrix((n, v), dtype=np.float32)
    col = pd.Index(vocab["term"]).get_indexer(counts["term"])
    row = pd.Index(units["unit"]).get_indexer(counts["unit"])
    ok = (col >= 0) & (row >= 0)
    mat = sparse.coo_matrix(
        (counts["count"].to_numpy()[ok].astype(np.float32), (row[ok], col[ok])), shape=(n, v)
    )
    return mat.tocsr()


def tfidf(counts: sparse.csr_matrix, df: np.ndarray, n_units: int) -> sparse.csr_matrix:
    """TF-IDF as sklearn's TfidfTransformer (smooth idf, l2-normalised rows), with the idf
    taken from the whole corpus's document frequencies ``df`` so that a sample and the full
    corpus are weighted alike. Rows without terms stay zero."""
    idf = np.log((1.0 + n_units) / (1.0 + np.asarray(df, dtype=np.float64))) + 1.0
    x = counts.tocsr().astype(np.float32, copy=True)
    x.data *= idf[x.indices].astype(np.float32)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ x)
