"""The per-shard tables of the codebook framing stage and their merging: hit counts, example
sentences and diagnostics per frame, streaming a shard in batches of whole articles, and mean
shares by paragraph position summed over shards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import numpy as np
import pandas as pd
import pyarrow as pa

from newslens.codebook import (
    Codebook,
    Matcher,
)
from newslens.frames_match import HIT_COLUMNS, STR_DTYPE, str_column
from newslens.frames_score import aggregate, classify_sentences
from newslens.runtime import NewslensError
from newslens.shards import dataset_parts, iter_parquet, part_block


def diagnostics(
    hit_counts: pd.DataFrame,
    examples: pd.DataFrame,
    cb: Codebook,
    top_terms: int = 10,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Per frame: indicator terms defined / ever matched, hits, negated hits, top terms and
    example sentences.

    hit_counts: frame, indicator, n_hits, n_negated (summed over the corpus).
    examples: frame, doc_id, sent_id, text, score (best example sentences).
    """
    t = cb.terms_table()
    rows = []
    for f in cb.frames:
        k = f["key"]
        defined = t[t["frame"] == k]
        h = hit_counts[hit_counts["frame"] == k] if len(hit_counts) else hit_counts
        matched = h[h["n_hits"] > 0] if len(h) else h
        top = matched.sort_values(["n_hits", "indicator"], ascending=[False, True]).head(top_terms)
        ex = examples[examples["frame"] == k] if len(examples) else examples
        ex = ex.sort_values(["score", "doc_id", "sent_id"], ascending=[False, True, True]).head(
            n_examples
        )
        rows.append(
            {
                "frame": k,
                "name": f["name"],
                "n_indicators": len(defined),
                "n_indicators_matched": int(matched["indicator"].nunique()) if len(matched) else 0,
                "share_indicators_matched": (
                    round(matched["indicator"].nunique() / len(defined), 4) if len(defined) else 0.0
                ),
                "n_hits": int(h["n_hits"].sum()) if len(h) else 0,
                "n_negated": int(h["n_negated"].sum()) if len(h) else 0,
                "top_terms": "; ".join(
                    f"{r.indicator} ({int(r.n_hits)})" for r in top.itertuples()
                ),
                "examples": " || ".join(
                    f"[{r.doc_id}#{r.sent_id}] {r.text}" for r in ex.itertuples()
                ),
                "residual": bool(f.get("residual")),
            }
        )
    return pd.DataFrame(rows)


def hit_counts(hits: pd.DataFrame) -> pd.DataFrame:
    """Sum hits per frame and indicator (negated ones apart), sorted by frame and indicator.
    Counted on integer codes of the pairs (``_hit_counts_groupby`` is the pandas reference)."""
    if hits.empty:
        return pd.DataFrame(columns=["frame", "indicator", "n_hits", "n_negated"])
    frame, indicator = hits["frame"], hits["indicator"]
    if not (
        frame.dtype == STR_DTYPE and indicator.dtype == STR_DTYPE and hits["negated"].dtype == bool
    ) or (frame.isna().any() or indicator.isna().any()):
        return _hit_counts_groupby(hits)
    f_codes, f_names = pd.factorize(frame, sort=True)
    i_codes, i_names = pd.factorize(indicator, sort=True)
    pair = f_codes.astype(np.int64) * len(i_names) + i_codes
    negated = hits["negated"].to_numpy()
    size = len(f_names) * len(i_names)
    n_negated = np.bincount(pair, weights=negated, minlength=size)
    n_all = np.bincount(pair, minlength=size)
    present = np.flatnonzero(n_all)  # sorted by frame, then indicator (both sorted names)
    return pd.DataFrame(
        {
            "frame": str_column(present // len(i_names), list(f_names)),
            "indicator": str_column(present % len(i_names), list(i_names)),
            "n_hits": (n_all[present] - n_negated[present].astype(np.int64)).astype(np.int64),
            "n_negated": n_negated[present].astype(np.int64),
        }
    )


def _hit_counts_groupby(hits: pd.DataFrame) -> pd.DataFrame:
    """``hit_counts`` by pandas' groupby (any column types)."""
    h = hits.assign(
        _neg=hits["negated"].astype(int), _pos=(~hits["negated"].astype(bool)).astype(int)
    )
    out = h.groupby(["frame", "indicator"], sort=True).agg(
        n_hits=("_pos", "sum"), n_negated=("_neg", "sum")
    )
    return out.reset_index()


def example_sentences(
    sent_table: pd.DataFrame, sentences: pd.DataFrame, cb: Codebook, n: int = 3
) -> pd.DataFrame:
    """The n highest-scoring sentences of each frame (ties: first in corpus order). Row i of
    ``sent_table`` is row i of ``sentences`` (as ``classify_sentences`` builds it); each
    frame's few candidates are ranked as (-score, doc_id, sent_id, row) tuples."""
    doc_id = sent_table["doc_id"].to_numpy(dtype=object)
    sent_id = sent_table["sent_id"].to_numpy()
    texts = sentences["text"]
    rows = []
    for k in cb.scored_keys if n > 0 else ():
        idx = np.flatnonzero(sent_table[f"share_{k}"].to_numpy() > 0)
        score = sent_table[f"score_{k}"].to_numpy()[idx]
        if len(idx) > n:  # only rows scoring at least the n-th best can be among the n
            top = score >= np.partition(score, len(idx) - n)[len(idx) - n]
            idx, score = idx[top], score[top]
        ranked = sorted(
            zip(
                (-score).tolist(),
                doc_id[idx].tolist(),
                sent_id[idx].tolist(),
                idx.tolist(),
                strict=True,
            )
        )
        for neg, doc, sent, i in ranked[:n]:
            rows.append(
                {
                    "frame": k,
                    "doc_id": doc,
                    "sent_id": int(sent),
                    "text": texts.iat[i],
                    "score": -neg,
                }
            )
    return pd.DataFrame(rows, columns=["frame", "doc_id", "sent_id", "text", "score"])


def shard_tables(
    sentences: pd.DataFrame,
    cb: Codebook,
    matcher: Matcher,
    normalizer: Callable[[str], str],
    params: dict,
) -> tuple[pd.DataFrame, ...]:
    """Everything the frames_sentences rule writes, for whole articles: (sentence table, hits,
    paragraphs, articles, examples, hit counts)."""
    table, hits = classify_sentences(sentences, cb, matcher, normalizer, params)
    ids = ("para_id", "sent_id")
    if len(hits) and any(hits[c].dtype != np.int64 for c in ids):  # a copy (~11 ms a 1M part)
        hits = hits.astype(dict.fromkeys(ids, "int64"))
    share, labels = float(params["doc_min_share"]), int(params["doc_max_labels"])
    paras = aggregate(table, ["doc_id", "para_id"], cb, share, labels)
    docs = aggregate(table, ["doc_id"], cb, share, labels)
    examples = example_sentences(table, sentences, cb, int(params["n_examples"]))
    return table, hits, paras, docs, examples, hit_counts(hits)


def regex_hit_mask(hits: pd.DataFrame, cb: Codebook) -> np.ndarray:
    """Which hits come from regex indicators (a (frame, indicator) pair that is a regex of the
    codebook and not also one of its terms)."""
    terms = {(i.frame, i.term) for i in cb.indicators if i.kind == "term"}
    regex = {(i.frame, i.term) for i in cb.indicators if i.kind == "regex"} - terms
    if not len(hits) or not regex:
        return np.zeros(len(hits), dtype=bool)
    mask = hits["indicator"].isin({term for _, term in regex}).to_numpy(copy=True)
    rows = np.flatnonzero(mask)
    pairs = zip(
        hits["frame"].iloc[rows].tolist(), hits["indicator"].iloc[rows].tolist(), strict=True
    )
    mask[rows] = [pair in regex for pair in pairs]
    return mask


def merge_hit_counts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``hit_counts`` of batches (or shards) summed: the same table as over all hits."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return hit_counts(pd.DataFrame(columns=HIT_COLUMNS))
    return (
        pd.concat(parts, ignore_index=True)
        .groupby(["frame", "indicator"], sort=True)[["n_hits", "n_negated"]]
        .sum()
        .reset_index()
    )


def merge_examples(parts: list[pd.DataFrame], cb: Codebook, n: int = 3) -> pd.DataFrame:
    """``example_sentences`` of batches merged: the n best of each frame over all of them
    (the order -- score, then doc_id and sent_id -- is total, so this is the same table as
    over the whole shard at once)."""
    cols = ["frame", "doc_id", "sent_id", "text", "score"]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame([], columns=cols)
    ex = pd.concat(parts, ignore_index=True)
    rows = []
    for k in cb.scored_keys:
        sub = ex[ex["frame"] == k]
        top = sub.sort_values(["score", "doc_id", "sent_id"], ascending=[False, True, True])
        rows.extend(top.head(n)[cols].to_dict("records"))
    return pd.DataFrame(rows, columns=cols)


def document_batches(batches: Iterable[pd.DataFrame], source: str = "") -> Iterator[pd.DataFrame]:
    """Regroup row batches (e.g. ``iter_parquet``) so that each article's rows fall in one
    batch: the rows of the last article of a batch wait for the next. Articles must be
    contiguous (as the tokenize rule writes them); an article that comes back after another
    one is an error naming ``source``."""
    carry = None
    done: set[str] = set()
    for batch in batches:
        if carry is not None:
            batch = pd.concat([carry, batch], ignore_index=True)
        if batch.empty:
            carry = None
            continue
        ids = batch["doc_id"].to_numpy()
        last = ids[-1]
        cut = len(ids)
        while cut > 0 and ids[cut - 1] == last:
            cut -= 1
        carry = batch.iloc[cut:]
        if cut:
            out = batch.iloc[:cut].reset_index(drop=True)
            starts = ids[:cut][np.r_[True, ids[1:cut] != ids[: cut - 1]]]
            seen = set(starts.tolist())
            if len(seen) < len(starts) or not done.isdisjoint(seen):
                raise NewslensError(
                    f"{source}: the sentences of an article are not contiguous (doc_id "
                    f"{next(iter(seen & done), starts[0])!r}); rerun the tokenize rule"
                )
            done |= seen
            yield out
    if carry is not None and len(carry):
        if carry["doc_id"].iloc[0] in done:
            raise NewslensError(
                f"{source}: the sentences of an article are not contiguous (doc_id "
                f"{carry['doc_id'].iloc[0]!r}); rerun the tokenize rule"
            )
        yield carry.reset_index(drop=True)


def part_batches(path, batch_rows: int, columns: list[str] | None = None):
    """(whole articles, block, last) of each part of a shard's sentence table (``columns``),
    in order (rule frames_sentences).

    A part read as one batch comes out of ``document_batches`` as two: its articles but the
    last, then the last one (held back in case it went on). Both are classified as one batch
    (the second alone cost a whole batch's fixed work: ~0.03 CPU-s, 250 times a 1M shard);
    ``last`` is then the last article's doc_id, whose rows of the hits and articles are written
    apart (``pieces``), as the two batches wrote them. Else ``last`` is None."""
    for part in dataset_parts(path):
        block = part_block(part)
        batches = document_batches(iter_parquet(part, batch_rows, columns), part)
        ahead = list(islice(batches, 3))
        if len(ahead) == 2 and len(ahead[0]) + len(ahead[1]) <= batch_rows:
            last = ahead[1]["doc_id"].iat[0]
            yield pd.concat(ahead, ignore_index=True), block, last
            continue
        for sentences in (*ahead, *batches):
            yield sentences, block, None


def pieces(df: pd.DataFrame, last) -> list[pd.DataFrame]:
    """``df``'s rows as the batches of ``part_batches`` gave them: all (``last`` None), or the
    rows of other articles, then those of article ``last`` (row order kept)."""
    if last is None or not len(df):
        return [df]
    mask = (df["doc_id"] == last).to_numpy(dtype=bool)
    return [df[~mask], df[mask]]


def arrow_table(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """``df`` as an Arrow table of ``schema`` column by column, with pandas' null rules (what
    ``pa.Table.from_pandas`` and ``PartWriter``'s cast give), without pandas' schema metadata
    and per-column inspection: ~25 ms less a part of a 1M shard (~250 parts a job)."""
    return pa.Table.from_arrays(
        [pa.array(df[f.name], type=f.type, from_pandas=True) for f in schema], schema=schema
    )


class PandasArrow:
    """The DataFrames of one table, batch by batch, as Arrow tables for ``ParquetShardWriter``
    (whose file takes the schema of the first table written): the first by
    ``pa.Table.from_pandas`` (its schema, pandas' metadata included), each later one with the
    same columns and dtypes column by column to that schema (``arrow_table``: the same arrays,
    without from_pandas' per-column inspection and metadata, ~6 ms a batch). Anything else
    (an empty batch, other dtypes, a first table with an all-missing column) is returned as
    the writer took it before: the DataFrame itself, or ``from_pandas``'s table."""

    def __init__(self):
        self.schema: pa.Schema | None = None
        self.dtypes: pd.Series | None = None

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame | pa.Table:
        if df.empty:
            return df
        if self.schema is not None and df.dtypes.equals(self.dtypes):
            try:
                return arrow_table(df, self.schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. an object column's values
                pass
        table = pa.Table.from_pandas(df, preserve_index=False)
        if self.schema is None and not any(pa.types.is_null(f.type) for f in table.schema):
            self.schema, self.dtypes = table.schema, df.dtypes
        return table


class PositionSums:
    """Mean frame shares by paragraph position (positions >= max_pos - 1 pooled), summed
    shard by shard so that the figure never needs the whole paragraph table in memory.

    The sums are exact (fixed point, runtime.ExactSums), so the means do not depend on the order
    in which the shards arrive or on how the corpus was split into shards."""

    def __init__(self, max_pos: int):
        self.max_pos, self.counts, self.docs = max_pos, None, 0
        self._columns: list[str] | None = None

    @property
    def sums(self) -> pd.DataFrame | None:
        """The exact sums as floats, one row per position (None before any paragraph): made
        when asked for, not at every batch (a 1M shard adds ~250 batches)."""
        return None if self._columns is None else self._exact.frame(self._columns)

    def __call__(self, df: pd.DataFrame, n_docs: int | None = None) -> None:
        """Add the paragraphs ``df``; ``n_docs``: the articles they start (default: the
        distinct doc_ids, when no article is split between two calls)."""
        from newslens.runtime import ExactSums

        scols = [c for c in df.columns if c.startswith("share_")]
        if self._columns is None:
            self._columns = scols
            self._exact = ExactSums(len(scols))
        pos = df["para_id"].clip(upper=self.max_pos - 1).to_numpy()
        self._exact.add(pos, df[self._columns].to_numpy(dtype=float))
        c = pd.Series(pos).value_counts()
        self.counts = c if self.counts is None else self.counts.add(c, fill_value=0)
        self.docs += df["doc_id"].nunique() if n_docs is None else int(n_docs)
        self.any_beyond = getattr(self, "any_beyond", False) or bool(
            (df["para_id"] >= self.max_pos).any()
        )

    def to_json(self) -> dict:
        """The partial sums as JSON (exact: integers as strings), for :meth:`merge_json`."""
        if self._columns is None:
            return {"max_pos": self.max_pos, "columns": None}
        exact = self._exact
        return {
            "max_pos": self.max_pos,
            "columns": self._columns,
            "hi": {str(k): [str(int(v)) for v in vals] for k, vals in exact._hi.items()},
            "lo": {str(k): [str(int(v)) for v in vals] for k, vals in exact._lo.items()},
            "counts": {str(int(k)): int(v) for k, v in self.counts.items()},
            "docs": int(self.docs),
            "any_beyond": bool(getattr(self, "any_beyond", False)),
        }

    def merge_json(self, part: dict) -> None:
        """Add partial sums written by :meth:`to_json` (of other paragraphs)."""
        from newslens.runtime import ExactSums, NewslensError

        if part["max_pos"] != self.max_pos:
            raise NewslensError("position sums with different max_paragraphs: rerun the framing")
        if part["columns"] is None:
            return
        if self._columns is None:
            self._columns = list(part["columns"])
            self._exact = ExactSums(len(self._columns))
        elif list(part["columns"]) != self._columns:
            raise NewslensError("position sums over different frames: rerun the framing")
        for name in ("_hi", "_lo"):
            into = getattr(self._exact, name)
            for k, vals in part[name[1:]].items():
                add = np.array([int(v) for v in vals], dtype=object)
                into[int(k)] = into.get(int(k), 0) + add
        c = pd.Series({int(k): v for k, v in part["counts"].items()}, dtype="int64")
        self.counts = c if self.counts is None else self.counts.add(c, fill_value=0)
        self.docs += int(part["docs"])
        self.any_beyond = getattr(self, "any_beyond", False) or bool(part["any_beyond"])

    def table(self) -> pd.DataFrame:
        sums = self.sums
        if sums is None:
            return pd.DataFrame(columns=["position", "n_paragraphs", "n_documents", "pooled"])
        out = sums.div(self.counts, axis=0).sort_index()
        out.insert(
            0, "pooled", [bool(self.any_beyond and p == self.max_pos - 1) for p in out.index]
        )
        out.insert(0, "n_documents", self.docs)
        out.insert(0, "n_paragraphs", self.counts.sort_index().astype(int).to_numpy())
        out.index.name = "position"
        return out.reset_index()
