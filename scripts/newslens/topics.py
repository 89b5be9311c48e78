"""Topic modelling: document-term matrix from the token tables, NMF / LDA fits, choosing K.

The unit of analysis is an article or a paragraph. Every function here is pure: it takes
DataFrames, arrays or sparse matrices and returns new ones; the entry scripts
(``scripts/topics_*.py``) read and write the files.

Measures (all computed on the modelling units themselves, never on an outside corpus):

* **NPMI coherence** of a topic = mean normalised pointwise mutual information over all pairs
  of its top ``n`` words, with probabilities from *document co-occurrence*: P(w) = share of
  units containing w, P(w1, w2) = share of units containing both. NPMI =
  log(P(w1,w2) / (P(w1) P(w2))) / -log P(w1,w2). A pair that never co-occurs gets -1 (the limit
  as P(w1,w2) -> 0; no epsilon is added), a pair present in every unit gets 1.
* **Topic diversity** (Dieng et al. 2020) = unique words among all topics' top 25 / (K * 25).
* **Stability** (Greene, O'Callaghan & Cunningham 2014, "How Many Topics? Stability Analysis
  for Topic Models"): for each K a *reference* fit on all grid units and tau fits on random
  subsamples (a share ``beta`` of the units, one per seed). Two topics' top-t term rankings
  agree by their Average Jaccard over ranking depths, AJ(R_i, R_j) = (1/t) sum_{d=1..t}
  |R_i@d & R_j@d| / |R_i@d | R_j@d|; two fits agree by agreement(S_x, S_y) = (1/K) sum of AJ over
  topic pairs matched one-to-one by the Hungarian algorithm (maximum total AJ). The stability
  of K is the mean agreement of the reference with the tau subsample fits.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from newslens.runtime import NewslensError

MODELS = ("nmf-frobenius", "nmf-kl", "lda-batch", "lda-online")
UNIT_TYPES = ("article", "paragraph")


# --------------------------------------------------------------------------------------------
# Units and terms
# --------------------------------------------------------------------------------------------


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
    named by two runs (the counts then add up)."""
    import pyarrow.compute as pc

    n = tokens.num_rows
    empty = np.zeros(0, dtype=np.int64)
    if n == 0:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=object), empty, empty
    doc = tokens.column("doc_id").combine_chunks()
    change = np.zeros(n, dtype=bool)
    change[0] = True
    if n > 1:
        diff = pc.not_equal(doc.slice(1), doc.slice(0, n - 1)).fill_null(True)
        change[1:] = diff.to_numpy(zero_copy_only=False)
        if unit == "paragraph":
            para = tokens.column("para_id").to_numpy()
            change[1:] |= para[1:] != para[:-1]
    starts = np.flatnonzero(change)
    run_docs = doc.take(pa.array(starts)).to_pylist()
    if unit == "paragraph":
        paras = tokens.column("para_id").to_numpy()[starts]
        unit_names = np.array(
            [f"{d}#{int(q)}" for d, q in zip(run_docs, paras, strict=True)], dtype=object
        )
    else:
        unit_names = np.array([str(d) for d in run_docs], dtype=object)
    unit_codes = np.cumsum(change) - 1
    enc = pc.dictionary_encode(tokens.column("term").combine_chunks().fill_null(""))
    codes = enc.indices.to_numpy()
    names = np.array(enc.dictionary.to_pylist(), dtype=object)
    keep = tokens.column("keep").combine_chunks().fill_null(False).to_numpy(zero_copy_only=False)
    blank = np.flatnonzero(names == "")
    if len(blank):
        keep = keep & (codes != blank[0])
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


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def make_model(
    model: str,
    k: int,
    seed: int,
    max_iter: int | None = None,
    incremental: bool = False,
    batch_size: int = 2048,
    tol: float = 1e-4,
    init: str = "nndsvda",
):
    """A scikit-learn estimator for ``model`` (see MODELS) with K topics.

    NMF uses the NNDSVDa initialisation (deterministic up to the randomized SVD's seed) and
    stops when the relative improvement falls below ``tol`` (LDA runs ``max_iter`` passes);
    ``incremental`` switches NMF to MiniBatchNMF and LDA to online learning, whose memory does
    not grow with the number of units fitted.
    """
    from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF

    if model.startswith("nmf"):
        loss = "frobenius" if model == "nmf-frobenius" else "kullback-leibler"
        solver = "cd" if loss == "frobenius" else "mu"
        if incremental:
            return MiniBatchNMF(
                n_components=k,
                init=init,
                beta_loss=loss,
                random_state=seed,
                batch_size=batch_size,
                max_iter=max_iter or 200,
                tol=tol,
            )
        return NMF(
            n_components=k,
            init=init,
            beta_loss=loss,
            solver=solver,
            random_state=seed,
            max_iter=max_iter or (200 if solver == "cd" else 400),
            tol=tol,
        )
    if model.startswith("lda"):
        online = incremental or model == "lda-online"
        return LatentDirichletAllocation(
            n_components=k,
            learning_method="online" if online else "batch",
            batch_size=batch_size,
            max_iter=max_iter or 10,
            random_state=seed,
            n_jobs=1,
        )
    raise NewslensError(f"config key topics.model: '{model}' is not one of {', '.join(MODELS)}")


def model_input(
    model: str, counts: sparse.csr_matrix, df: np.ndarray, n_units: int
) -> sparse.csr_matrix:
    """What a model is fitted on: TF-IDF for NMF, raw counts for LDA."""
    return tfidf(counts, df, n_units) if model.startswith("nmf") else counts.tocsr()


def fit_model(model: str, x: sparse.csr_matrix, k: int, seed: int, return_w: bool = False, **kw):
    """Fit ``model`` on ``x``; return (estimator, topic-term matrix H of shape K x V), and with
    ``return_w`` also the fitted rows' unit-topic weights W (from the same fit, no extra
    transform)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    est = make_model(model, k, seed, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = est.fit_transform(x)
    h = np.asarray(est.components_, dtype=np.float64)
    if model.startswith("lda"):
        h = h / h.sum(axis=1, keepdims=True)
        w[np.asarray(x.getnnz(axis=1)) == 0] = 0.0
    return (est, h, w) if return_w else (est, h)


def transform(est, x: sparse.csr_matrix, chunk: int = 50_000, prepare=None) -> np.ndarray:
    """Unit-topic weights for every row of ``x``, in chunks (bounded memory). ``prepare``, when
    given, turns a chunk of rows into the model input (e.g. TF-IDF), so that the input of all
    units is never held at once. Rows that are all zero get zero weights (LDA would otherwise
    give them the uniform prior)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    x = x.tocsr()
    out = np.zeros((x.shape[0], est.n_components), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for start in range(0, x.shape[0], chunk):
            part = x[start : start + chunk]
            if prepare is not None:
                part = prepare(part)
            out[start : start + part.shape[0]] = est.transform(part)
    out[np.asarray(x.getnnz(axis=1)) == 0] = 0.0
    return out


def mixture(w: np.ndarray) -> np.ndarray:
    """Row-normalise unit-topic weights to shares summing to 1 (all-zero rows stay zero)."""
    s = w.sum(axis=1, keepdims=True)
    return np.divide(w, s, out=np.zeros_like(w, dtype=np.float64), where=s > 0)


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------


def top_terms(h: np.ndarray, n: int) -> np.ndarray:
    """Indices of each topic's ``n`` heaviest terms, heaviest first (ties: lower index)."""
    n = min(n, h.shape[1])
    return np.argsort(-h, axis=1, kind="stable")[:, :n]


def npmi(p_i: float, p_j: float, p_ij: float) -> float:
    """Normalised PMI of one word pair from document probabilities (see module doc)."""
    if p_ij <= 0.0:
        return -1.0
    if p_ij >= 1.0:
        return 1.0
    return math.log(p_ij / (p_i * p_j)) / -math.log(p_ij)


def cooccurrence(counts: sparse.csr_matrix, words: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Document co-occurrence of ``words`` (term indices): entry (i, j) is the number of rows
    of ``counts`` (units x terms, nonzero = present) containing both words[i] and words[j].
    Summed over chunks of rows, so that no copy of the matrix is made."""
    counts = counts.tocsr()
    words = np.asarray(words, dtype=np.int64)
    co = np.zeros((len(words), len(words)))
    for start in range(0, counts.shape[0], chunk):
        sub = (counts[start : start + chunk][:, words] > 0).astype(np.float64)
        co += (sub.T @ sub).toarray()
    return co


def npmi_from_cooccurrence(
    co: np.ndarray, words: np.ndarray, top: np.ndarray, n: int
) -> np.ndarray:
    """Mean NPMI over all pairs of each topic's top words (rows of ``top``) from the
    co-occurrence matrix ``co`` of ``words`` among ``n`` units."""
    pos = {int(w): i for i, w in enumerate(words)}
    out = np.empty(top.shape[0])
    for t, row in enumerate(top):
        vals = []
        for a, b in itertools.combinations(row, 2):
            ia, ib = pos[int(a)], pos[int(b)]
            vals.append(npmi(co[ia, ia] / n, co[ib, ib] / n, co[ia, ib] / n))
        out[t] = float(np.mean(vals)) if vals else float("nan")
    return out


def npmi_coherence(binary: sparse.csr_matrix, top: np.ndarray) -> np.ndarray:
    """Mean NPMI over all pairs of each topic's top words (rows of ``top``: term indices),
    with document co-occurrence in ``binary`` (units x terms, nonzero = present)."""
    words = np.unique(top)
    return npmi_from_cooccurrence(cooccurrence(binary, words), words, top, binary.shape[0])


def topic_coherences(
    counts: sparse.csr_matrix, n_units: int, tops: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """``npmi_coherence`` of several fits (their top-word index arrays) in one pass over
    ``counts``, among ``n_units`` units (the units with terms: rows without terms add no
    co-occurrence)."""
    if not tops:
        return []
    words = np.unique(np.concatenate([np.ravel(t) for t in tops]))
    co = cooccurrence(counts, words)
    return [npmi_from_cooccurrence(co, words, t, n_units) for t in tops]


def topic_diversity(h: np.ndarray, n: int = 25) -> float:
    """Share of unique words among all topics' top ``n`` words (1 = no word shared)."""
    top = top_terms(h, n)
    return len(np.unique(top)) / top.size if top.size else float("nan")


def average_jaccard(r_i: Sequence, r_j: Sequence) -> float:
    """Average Jaccard of two term rankings (Greene et al. 2014, eq. 2): the mean over depths
    d = 1..t of the Jaccard index of their top-d sets, t = the shorter ranking's length.
    Unlike one Jaccard of the top-t sets, it rewards agreement at the top of the rankings."""
    t = min(len(r_i), len(r_j))
    if t == 0:
        raise ValueError("average_jaccard: empty ranking")
    seen_i: set = set()
    seen_j: set = set()
    common = 0
    total = 0.0
    for d in range(t):
        a, b = r_i[d], r_j[d]
        # |A@d & B@d| grows by each new element already present on the other side
        if a == b:
            common += 1
        else:
            common += (a in seen_j) + (b in seen_i)
        seen_i.add(a)
        seen_j.add(b)
        total += common / (2 * (d + 1) - common)
    return total / t


def aj_matrix(s_x: np.ndarray, s_y: np.ndarray) -> np.ndarray:
    """AJ of every topic ranking of fit ``s_x`` (rows: topics, columns: term indices by rank)
    against every topic ranking of fit ``s_y``."""
    return np.array([[average_jaccard(list(a), list(b)) for b in s_y] for a in s_x])


def agreement(s_x: np.ndarray, s_y: np.ndarray) -> tuple[float, np.ndarray]:
    """Agreement of two ranking sets with the same K (Greene et al. 2014, eq. 3): topics
    matched one-to-one by the Hungarian algorithm (scipy ``linear_sum_assignment``) to
    maximise the total AJ, then (1/K) * sum of the matched AJ. Returns (agreement, pi) where
    pi[i] is the topic of ``s_y`` matched to topic i of ``s_x``."""
    aj = aj_matrix(s_x, s_y)
    rows, cols = linear_sum_assignment(aj, maximize=True)
    pi = np.empty(aj.shape[0], dtype=np.int64)
    pi[rows] = cols
    return float(aj[rows, cols].sum() / aj.shape[0]), pi


def match_overlap(top_a: np.ndarray, top_b: np.ndarray) -> float:
    """Mean Jaccard overlap of two fits' top-word *sets* (no ranking depths), topics matched
    one-to-one by the Hungarian algorithm (maximum total overlap). A diagnostic kept for
    comparison; the stability of K is ``agreement`` (Average Jaccard)."""
    sa = [set(r) for r in top_a]
    sb = [set(r) for r in top_b]
    jac = np.array([[len(a & b) / len(a | b) for b in sb] for a in sa])
    rows, cols = linear_sum_assignment(-jac)
    return float(jac[rows, cols].mean())


def stability(tops: Sequence[np.ndarray]) -> np.ndarray:
    """For each fit in ``tops`` (top-word index arrays of fits with the same K), the mean
    matched set overlap (``match_overlap``) with every other fit; NaN when there is only one
    fit. A pairwise diagnostic; see ``reference_stability`` for the published measure."""
    m = len(tops)
    if m < 2:
        return np.full(m, np.nan)
    pair = np.zeros((m, m))
    for i, j in itertools.combinations(range(m), 2):
        pair[i, j] = pair[j, i] = match_overlap(tops[i], tops[j])
    return pair.sum(axis=1) / (m - 1)


def reference_stability(reference: np.ndarray, samples: Sequence[np.ndarray]) -> np.ndarray:
    """Greene et al. (2014): the agreement of each subsample fit's top-t rankings with the
    reference fit's (whole sample), one value per subsample fit. Their mean is the stability
    of K, their standard deviation its spread."""
    return np.array([agreement(reference, s)[0] for s in samples])


def dominant_topic(share: np.ndarray) -> np.ndarray:
    """0-based dominant topic of each unit, -1 for a unit with zero weights (or no topics)."""
    if share.shape[1] == 0:
        return np.full(share.shape[0], -1)
    dom = share.argmax(axis=1)
    dom[share.sum(axis=1) <= 0] = -1
    return dom


def nmi(labels_true: Iterable, labels_pred: Iterable) -> float:
    """Normalised mutual information (arithmetic mean normalisation, as sklearn)."""
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(list(labels_true), list(labels_pred)))


# --------------------------------------------------------------------------------------------
# The K grid
# --------------------------------------------------------------------------------------------


def usable_ks(
    ks: Sequence[int], n_units: int, n_terms: int, subsample: float, min_units_per_topic: int = 2
) -> tuple[list[int], list[str]]:
    """The K values that can be fitted, and a note for each one that cannot.

    A fit sees ``subsample`` of the ``n_units`` units with terms (all of them when 1); K must
    leave at least ``min_units_per_topic`` of those units per topic, be below the number of
    units with terms and at most the vocabulary size. If no K of the list fits, the largest
    possible K (when at least 2) is used instead, with a note. Returns ([], notes) when not
    even K=2 can be fitted.
    """
    sub = int(math.floor(subsample * n_units)) if subsample < 1 else n_units
    limit = min(n_units - 1, sub // max(min_units_per_topic, 1), n_terms)
    why = (
        f"{n_units} units with terms ({sub} per fit, at least {min_units_per_topic} per topic) "
        f"and {n_terms} vocabulary terms"
    )
    keep, notes = [], []
    for k in ks:
        if k <= limit:
            keep.append(int(k))
        else:
            notes.append(f"K={k} skipped: {why} allow K <= {max(limit, 0)}")
    if not keep and limit >= 2:
        keep = [limit]
        notes.append(f"K capped at {limit}: {why}")
    return keep, notes


@dataclass
class Fit:
    model: str
    k: int
    seed: int
    top: np.ndarray
    coherence: np.ndarray
    diversity: float
    seconds: float
    top_coherence: np.ndarray | None = field(default=None, repr=False)
    stage: str = "subsample"
    n_units: int = 0
    dominant: np.ndarray | None = field(default=None, repr=False)


def subsample_rows(n: int, frac: float, seed: int) -> np.ndarray:
    """A sorted random subset of ``frac`` of ``n`` row indices (all rows when frac >= 1)."""
    if frac >= 1.0:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    size = max(1, int(math.floor(frac * n)))
    return np.sort(rng.choice(n, size=size, replace=False))


def fit_one(
    model: str,
    x: sparse.csr_matrix,
    binary: sparse.csr_matrix | None,
    k: int,
    seed: int,
    frac: float,
    coherence_n: int,
    diversity_n: int,
    stability_n: int,
    threads: int | None = None,
    subsample_init: str | None = None,
    **kw,
) -> Fit:
    """One grid cell: fit on a seeded subsample of the rows of ``x`` (``frac`` >= 1: all rows,
    the *reference* fit of its K, which also keeps each row's dominant topic) and measure it.

    With ``binary`` None the coherence is left for the caller (``add_coherence``), so that a
    worker process need not receive the whole corpus matrix. ``threads`` caps the BLAS/OpenMP
    threads of the fit (1 in a worker process of a parallel grid); ``subsample_init`` is the
    NMF start of a subsample fit (see ``fit_grid``)."""
    from threadpoolctl import threadpool_limits

    rows = subsample_rows(x.shape[0], frac, seed)
    reference = frac >= 1.0
    t0 = time.perf_counter()
    if not reference and subsample_init and subsample_init != "nndsvda" and model.startswith("nmf"):
        kw = {**kw, "init": subsample_init}
    with threadpool_limits(limits=threads):
        est, h, w = fit_model(model, x[rows], k, seed, return_w=True, **kw)
    secs = time.perf_counter() - t0
    top_c = top_terms(h, coherence_n)
    fit = Fit(
        model,
        k,
        seed,
        top_terms(h, stability_n),
        np.full(k, np.nan),
        topic_diversity(h, diversity_n),
        secs,
        top_c,
        stage="reference" if reference else "subsample",
        n_units=len(rows),
        dominant=dominant_topic(w).astype(np.int32) if reference else None,
    )
    return fit if binary is None else add_coherence(fit, binary)


def add_coherence(fit: Fit, binary: sparse.csr_matrix) -> Fit:
    """Fill in a fit's per-topic NPMI coherence on the units in ``binary``."""
    fit.coherence = npmi_coherence(binary, fit.top_coherence)
    return fit


def grid_jobs(ks: Sequence[int], seeds: Sequence[int], frac: float) -> list[tuple[int, int, float]]:
    """The fits of the stability analysis: per K a reference fit on all grid units (seed
    ``seeds[0]``, share 1.0) and one fit per seed on a ``frac`` subsample (tau = number of
    seeds). Largest K first, so that the longest fits start first in a parallel pool."""
    jobs = []
    for k in sorted(ks, reverse=True):
        if frac < 1.0 and len(seeds) > 1:
            jobs.append((k, int(seeds[0]), 1.0))
        jobs += [(k, int(s), frac) for s in seeds]
    return jobs


def fit_grid(
    model: str,
    x: sparse.csr_matrix,
    ks: Sequence[int],
    seeds: Sequence[int],
    frac: float,
    top_n: tuple[int, int, int],
    n_jobs: int = 1,
    subsample_init: str | None = "random",
    **kw,
) -> list[Fit]:
    """Every fit of ``grid_jobs`` on the model input ``x`` (coherence left to the caller),
    in ``n_jobs`` processes with one BLAS thread each (or in this process with ``n_jobs``
    threads). Returned in (K, stage, seed) order whatever the order of completion.

    NMF reference fits start from NNDSVDa (deterministic); subsample fits from
    ``subsample_init`` ("random": seeded random factors, as Greene et al.'s reference
    implementation; None: NNDSVDa), so that a K whose topics are an artefact of the starting
    point shows up as unstable."""
    jobs = grid_jobs(ks, seeds, frac)
    if n_jobs > 1 and len(jobs) > 1:
        from joblib import Parallel, delayed

        fits = Parallel(n_jobs=n_jobs, backend="loky")(
            delayed(fit_one)(
                model, x, None, k, s, f, *top_n, threads=1, subsample_init=subsample_init, **kw
            )
            for k, s, f in jobs
        )
    else:
        fits = [
            fit_one(
                model, x, None, k, s, f, *top_n, threads=n_jobs, subsample_init=subsample_init, **kw
            )
            for k, s, f in jobs
        ]
    return sorted(fits, key=lambda f: (f.k, f.stage != "reference", f.seed))


GRID_COLUMNS = ["model", "K", "seed", "stage", "n_units", "coherence", "diversity", "stability"]


def grid_table(fits: Sequence[Fit]) -> pd.DataFrame:
    """One row per fit of the grid: model, K, seed, stage (reference | subsample), n_units,
    coherence (mean NPMI), diversity, stability.

    A subsample fit's stability is its agreement with the reference fit of its K (Greene et
    al. 2014); the reference row carries the mean over its K's subsample fits. Without a
    reference fit for a K, each fit gets its mean agreement with the other fits of that K
    (NaN for a lone fit)."""
    rows = []
    for k in sorted({f.k for f in fits}):
        group = [f for f in fits if f.k == k]
        refs = [f for f in group if f.stage == "reference"]
        subs = [f for f in group if f.stage != "reference"]
        if refs:
            agree = reference_stability(refs[0].top, [f.top for f in subs])
            stab = {id(f): a for f, a in zip(subs, agree, strict=True)}
            stab[id(refs[0])] = float(np.mean(agree)) if len(agree) else np.nan
        else:
            m = len(group)
            pair = np.full((m, m), np.nan)
            for i, j in itertools.combinations(range(m), 2):
                pair[i, j] = pair[j, i] = agreement(group[i].top, group[j].top)[0]
            stab = {
                id(f): (float(np.nanmean(pair[i])) if m > 1 else np.nan)
                for i, f in enumerate(group)
            }
        for f in refs[:1] + subs:
            rows.append(
                {
                    "model": f.model,
                    "K": f.k,
                    "seed": f.seed,
                    "stage": f.stage,
                    "n_units": f.n_units,
                    "coherence": float(np.nanmean(f.coherence)),
                    "diversity": f.diversity,
                    "stability": stab[id(f)],
                }
            )
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


def k_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per K (index): stability (mean agreement of the subsample fits with the reference),
    stability_sd (their standard deviation, ddof=1; 0 with one subsample fit), n_runs (tau),
    coherence and diversity (means over all fits of the K)."""
    stage = table["stage"] if "stage" in table else pd.Series("subsample", index=table.index)
    subs = table[stage != "reference"]
    if (stage == "reference").any():
        stab = subs.groupby("K")["stability"]
    else:  # pairwise agreements: every fit's value
        stab = table.groupby("K")["stability"]
    out = table.groupby("K").agg(coherence=("coherence", "mean"), diversity=("diversity", "mean"))
    out["stability"] = stab.mean()
    out["stability_sd"] = stab.std(ddof=1).fillna(0.0)
    out["n_runs"] = stab.count()
    return out


K_RULES = ("stability", "coherence", "quality")


def select_k(
    table: pd.DataFrame,
    stability_min: float,
    decimals: int = 3,
    rule: str = "stability",
    tie_se: float = 1.0,
) -> tuple[int, str]:
    """The documented K rule; returns (K, reason).

    * ``stability`` (default; Greene et al. 2014): the K with the highest mean agreement of
      its subsample fits with its reference fit. Near-ties go to the smaller K: the smallest K
      whose mean is within ``tie_se`` standard errors of the best mean (SE = the SD of the best
      K's subsample agreements / sqrt(tau)). With one seed (stability unknown) the coherence rule is
      used instead, and the reason says so.
    * ``coherence`` / ``quality``: among K whose mean stability is at least ``stability_min``,
      the highest mean NPMI coherence, or topic quality (Dieng et al. 2020: coherence x
      diversity, which also penalises redundant topics), rounded to ``decimals``; ties go to
      the smaller K. If no K is stable enough (or stability is unknown), all K compete.
    """
    if rule not in K_RULES:
        raise NewslensError(
            f"config key topics.k_rule: '{rule}' is not one of {', '.join(K_RULES)}"
        )
    per_k = k_table(table)
    if len(per_k) == 1:
        k = int(per_k.index[0])
        return k, f"K={k}: the only K fitted"
    note = ""
    if rule == "stability":
        if per_k["stability"].notna().any():
            best_k = int(per_k["stability"].idxmax())
            best, sd = per_k.loc[best_k, ["stability", "stability_sd"]]
            tau = int(per_k.loc[best_k, "n_runs"])
            se = float(sd) / math.sqrt(max(tau, 1))
            floor = round(float(best - tie_se * se), 9)
            k = int(per_k.index[per_k["stability"].round(9) >= floor].min())
            near = (
                f"; K={k} is within {tie_se:g} standard error of it, so the smaller K"
                if k != best_k
                else f"; no smaller K within {tie_se:g} standard error"
            )
            return k, (
                f"K={k}: stability rule (Greene et al. 2014): highest mean agreement "
                f"{best:.3f} (SD {sd:.3f}, SE {se:.3f} over {tau} subsamples) at K={best_k}{near}"
            )
        rule, note = "coherence", " (stability rule not applicable with one seed)"
    if rule == "quality":
        per_k["score"] = per_k["coherence"] * per_k["diversity"]
        what = "topic quality (NPMI x diversity)"
    else:
        per_k["score"] = per_k["coherence"]
        what = "NPMI coherence"
    stable = per_k[per_k["stability"] >= stability_min]
    if stable.empty:
        why = (
            f"no K reached mean stability >= {stability_min:g}"
            if per_k["stability"].notna().any()
            else "stability unknown with one seed"
        )
        among, pool = f"among all K ({why})", per_k
    else:
        among, pool = f"among K with mean stability >= {stability_min:g}", stable
    best = pool["score"].round(decimals)
    k = int(best[best == best.max()].index.min())
    return k, (
        f"K={k}: highest mean {what} ({per_k.loc[k, 'score']:.3f}) {among}; ties to the "
        f"smaller K{note}"
    )


# --------------------------------------------------------------------------------------------
# Validation against known categories
# --------------------------------------------------------------------------------------------


def validation_scores(dominant: np.ndarray, categories: Sequence) -> dict:
    """Agreement of units' dominant topics with a known category (units with a topic and a
    non-empty category only): n_units, n_categories, nmi (arithmetic normalisation), ari
    (adjusted Rand index) and purity (share of units in their topic's majority category)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    dom = np.asarray(dominant)
    cat = pd.Series(list(categories), dtype=object).fillna("").astype(str).to_numpy()
    ok = (dom >= 0) & (cat != "")
    dom, cat = dom[ok], cat[ok]
    if not len(dom):
        return {"n_units": 0, "n_categories": 0, "nmi": np.nan, "ari": np.nan, "purity": np.nan}
    counts = pd.crosstab(dom, cat)
    return {
        "n_units": int(len(dom)),
        "n_categories": int(counts.shape[1]),
        "nmi": float(normalized_mutual_info_score(cat, dom)),
        "ari": float(adjusted_rand_score(cat, dom)),
        "purity": float(counts.max(axis=1).sum() / len(dom)),
    }


def topic_purity(
    dominant: np.ndarray, categories: Sequence, labels: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per topic (1-based, ``dominant`` is 0-based with -1 for none): its units with a known
    category, the majority category and purity (share of its units in that category); and the
    topic x category table of unit counts (long form: topic, category, n_units, share of the
    topic's units). Units without topic or category are left out."""
    dom = np.asarray(dominant)
    cat = pd.Series(list(categories), dtype=object).fillna("").astype(str).to_numpy()
    ok = (dom >= 0) & (cat != "")
    k = len(labels)
    cross = pd.crosstab(
        pd.Categorical(dom[ok] + 1, categories=range(1, k + 1)), cat[ok], dropna=False
    )
    cross.index.name, cross.columns.name = "topic", "category"
    n = cross.sum(axis=1)
    rows = []
    for t in range(1, k + 1):
        row = cross.loc[t] if len(cross.columns) else pd.Series(dtype=float)
        tot = int(n.loc[t]) if len(cross.columns) else 0
        top = str(row.idxmax()) if tot else ""
        rows.append(
            {
                "topic": t,
                "label": labels[t - 1],
                "n_units": tot,
                "majority_category": top,
                "purity": round(float(row.max() / tot), 6) if tot else np.nan,
            }
        )
    long = cross.stack().rename("n_units").reset_index()
    long["topic"] = long["topic"].astype(int)
    tot = long.groupby("topic")["n_units"].transform("sum")
    long["share"] = np.round(np.where(tot > 0, long["n_units"] / tot.where(tot > 0, 1), 0.0), 6)
    long = long.sort_values(["topic", "category"]).reset_index(drop=True)
    return pd.DataFrame(rows), long[["topic", "category", "n_units", "share"]]


# --------------------------------------------------------------------------------------------
# Per-topic and per-unit tables (topics are numbered 1..K, most prevalent first)
# --------------------------------------------------------------------------------------------


def topic_labels(h: np.ndarray, terms: Sequence[str], n: int = 3) -> list[str]:
    """A readable label per topic: its ``n`` heaviest terms joined by ', ', skipping a term
    already contained in one chosen before (so "prime minister" does not follow "minister").
    Two topics with the same label get their topic number appended."""
    labels = []
    for row in top_terms(h, min(h.shape[1], 4 * n + 10)):
        chosen: list[str] = []
        for i in row:
            t = str(terms[i])
            words = set(t.split())
            if any(words & set(c.split()) for c in chosen):
                continue
            chosen.append(t)
            if len(chosen) == n:
                break
        labels.append(", ".join(chosen))
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    return [f"{lab} ({i + 1})" if seen[lab] > 1 else lab for i, lab in enumerate(labels)]


def terms_table(h: np.ndarray, terms: Sequence[str], n: int) -> pd.DataFrame:
    """topic (1-based), rank (1-based), term, weight (the topic-term weight; for LDA the
    probability of the term in the topic) for each topic's ``n`` heaviest terms."""
    top = top_terms(h, n)
    rows = [
        (t + 1, r + 1, str(terms[i]), float(h[t, i]))
        for t in range(h.shape[0])
        for r, i in enumerate(top[t])
        if h[t, i] > 0
    ]
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


def documents_table(units: pd.DataFrame, share: np.ndarray) -> pd.DataFrame:
    """Per unit: unit, unit_type, doc_id, para_id, n_terms, topic_1..topic_K (share of the
    unit's topic weight), dominant_topic (<NA> for a unit without terms), dominant_share."""
    out = units[["unit", "unit_type", "doc_id", "para_id", "n_terms"]].reset_index(drop=True).copy()
    k = share.shape[1]
    cols = pd.DataFrame(np.round(share, 6), columns=[f"topic_{i + 1}" for i in range(k)])
    out = pd.concat([out, cols], axis=1)
    dom = dominant_topic(share)
    out["dominant_topic"] = pd.array(np.where(dom >= 0, dom + 1, 0), dtype="Int64")
    out.loc[dom < 0, "dominant_topic"] = pd.NA
    out["dominant_share"] = np.round(share.max(axis=1) if k else np.zeros(len(out)), 6)
    return out


def articles_table(units: pd.DataFrame, share: np.ndarray) -> pd.DataFrame:
    """Per article: doc_id, n_units, n_terms, topic_1..topic_K, dominant_topic, dominant_share.
    An article's mixture is the mean of its units' shares weighted by their number of terms
    (at article level, the article's own shares); an article without terms gets zeros."""
    k = share.shape[1]
    weights = units["n_terms"].to_numpy(dtype=np.float64)
    doc_codes, docs = pd.factorize(units["doc_id"], sort=False)
    mix = np.zeros((len(docs), k))
    np.add.at(mix, doc_codes, share * weights[:, None])
    tot = np.bincount(doc_codes, weights=weights, minlength=len(docs))
    mix = np.divide(mix, tot[:, None], out=np.zeros_like(mix), where=tot[:, None] > 0)
    out = pd.DataFrame(
        {
            "doc_id": np.asarray(docs, dtype=object),
            "n_units": np.bincount(doc_codes, minlength=len(docs)),
            "n_terms": tot.astype("int64"),
        }
    )
    out = pd.concat(
        [out, pd.DataFrame(np.round(mix, 6), columns=[f"topic_{i + 1}" for i in range(k)])], axis=1
    )
    dom = dominant_topic(mix)
    out["dominant_topic"] = pd.array(np.where(dom >= 0, dom + 1, 0), dtype="Int64")
    out.loc[dom < 0, "dominant_topic"] = pd.NA
    out["dominant_share"] = np.round(mix.max(axis=1) if k else np.zeros(len(out)), 6)
    return out


def summary_table(
    h: np.ndarray,
    share: np.ndarray,
    terms: Sequence[str],
    coherence: np.ndarray,
    labels: Sequence[str],
    n_terms: int = 10,
) -> pd.DataFrame:
    """topic, label, prevalence (mean share over units with terms = share of the corpus),
    n_dominant (units where it is the dominant topic), coherence (NPMI of its top words),
    top_terms."""
    has = share.sum(axis=1) > 0
    prev = share[has].mean(axis=0) if has.any() else np.zeros(share.shape[1])
    dom = dominant_topic(share)
    top = top_terms(h, n_terms)
    return pd.DataFrame(
        {
            "topic": np.arange(1, h.shape[0] + 1),
            "label": list(labels),
            "prevalence": np.round(prev, 6),
            "n_dominant": [int((dom == t).sum()) for t in range(h.shape[0])],
            "coherence": np.round(coherence, 6),
            "top_terms": [", ".join(str(terms[i]) for i in row) for row in top],
        }
    )


def representatives(share: np.ndarray, units: pd.DataFrame, n: int) -> pd.DataFrame:
    """Each topic's ``n`` most representative units: the highest share of that topic, ties to
    the longer unit (more terms), then corpus order. Columns: topic, rank, unit, doc_id,
    para_id, share, n_terms."""
    rows = []
    n_terms = units["n_terms"].to_numpy()
    for t in range(share.shape[1]):
        s = share[:, t]
        cand = np.flatnonzero(s > 0)
        order = cand[np.lexsort((cand, -n_terms[cand], -s[cand]))][:n]
        for r, i in enumerate(order):
            u = units.iloc[i]
            rows.append(
                {
                    "topic": t + 1,
                    "rank": r + 1,
                    "unit": u["unit"],
                    "doc_id": u["doc_id"],
                    "para_id": u["para_id"],
                    "share": round(float(s[i]), 6),
                    "n_terms": int(n_terms[i]),
                }
            )
    out = pd.DataFrame(
        rows, columns=["topic", "rank", "unit", "doc_id", "para_id", "share", "n_terms"]
    )
    out["para_id"] = out["para_id"].astype("Int64")
    return out


def snippet(text: str, n_chars: int) -> str:
    """The first ``n_chars`` characters of ``text`` on one line, cut at a word, with '…'."""
    text = " ".join(str(text).split())
    if len(text) <= n_chars:
        return text
    cut = text[:n_chars].rsplit(" ", 1)[0]
    return cut + " …"


def metadata_columns(documents: pd.DataFrame, configured: Sequence[str]) -> pd.DataFrame:
    """The grouping variables present for each article: the configured metadata columns found
    in documents.csv, plus 'month' (YYYY-MM) when any article has a date. Returns doc_id and
    one column per variable (empty values dropped later)."""
    out = pd.DataFrame({"doc_id": documents["doc_id"].astype(str)})
    for col in configured:
        if col in documents.columns and col != "doc_id":
            out[col] = documents[col].astype(str).replace({"nan": "", "None": ""}).fillna("")
    if "date" in documents.columns:
        month = documents["date"].fillna("").astype(str).str.slice(0, 7)
        month = month.where(month.str.match(r"^\d{4}-\d{2}$"), "")
        if (month != "").any():
            out["month"] = month.to_numpy()
    return out


def prevalence_by(
    share: np.ndarray, units: pd.DataFrame, meta: pd.DataFrame, labels: Sequence[str]
) -> pd.DataFrame:
    """Topic prevalence (mean share over the group's units with terms) by each metadata
    variable: variable, value, topic, label, prevalence, n_units. Units whose value is empty
    are left out of that variable."""
    cols = ["variable", "value", "topic", "label", "prevalence", "n_units"]
    variables = [c for c in meta.columns if c != "doc_id"]
    has = share.sum(axis=1) > 0
    if not variables or not has.any():
        return pd.DataFrame(columns=cols)
    joined = units[["doc_id"]].reset_index(drop=True).merge(meta, on="doc_id", how="left")
    k = share.shape[1]
    frames = []
    for var in variables:
        vals = joined[var].fillna("").astype(str).to_numpy()
        ok = has & (vals != "")
        if not ok.any():
            continue
        df = pd.DataFrame(share[ok], columns=range(1, k + 1))
        df["value"] = vals[ok]
        g = df.groupby("value", sort=True)
        mean = (
            g.mean().reset_index().melt(id_vars="value", var_name="topic", value_name="prevalence")
        )
        mean["n_units"] = mean["value"].map(g.size())
        mean.insert(0, "variable", var)
        frames.append(mean)
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["topic"] = out["topic"].astype(int)
    out["label"] = [labels[t - 1] for t in out["topic"]]
    out["prevalence"] = out["prevalence"].round(6)
    return out.sort_values(["variable", "value", "topic"]).reset_index(drop=True)[cols]


def topic_network(
    share: np.ndarray,
    labels: Sequence[str],
    prevalence: Sequence[float],
    min_correlation: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ANTMN view (Walter & Ophir 2019): topics as nodes, an edge where the Pearson
    correlation of two topics' unit shares (over units with terms) is above
    ``min_correlation`` (positive only), communities by greedy modularity maximisation
    (Clauset-Newman-Moore) on the correlation weights. Returns (nodes, edges):
    nodes: topic, label, prevalence, community (1-based, largest first), degree, strength;
    edges: source, target, correlation."""
    import networkx as nx
    from networkx.algorithms.community import greedy_modularity_communities

    k = share.shape[1]
    has = share.sum(axis=1) > 0
    x = share[has]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(x, rowvar=False) if x.shape[0] > 2 else np.full((k, k), np.nan)
    corr = np.atleast_2d(corr)
    g = nx.Graph()
    g.add_nodes_from(range(1, k + 1))
    edges = []
    for i, j in itertools.combinations(range(k), 2):
        r = corr[i, j]
        if np.isfinite(r) and r > max(min_correlation, 0.0):
            edges.append((i + 1, j + 1, round(float(r), 6)))
            g.add_edge(i + 1, j + 1, weight=float(r))
    comms = (
        greedy_modularity_communities(g, weight="weight")
        if g.number_of_edges()
        else [{n} for n in g.nodes]
    )
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    community = {n: ci + 1 for ci, c in enumerate(comms) for n in c}
    nodes = pd.DataFrame(
        {
            "topic": np.arange(1, k + 1),
            "label": list(labels),
            "prevalence": np.round(np.asarray(prevalence, dtype=float), 6),
            "community": [community[t] for t in range(1, k + 1)],
            "degree": [g.degree(t) for t in range(1, k + 1)],
            "strength": [round(float(g.degree(t, weight="weight")), 6) for t in range(1, k + 1)],
        }
    )
    return nodes, pd.DataFrame(edges, columns=["source", "target", "correlation"])
