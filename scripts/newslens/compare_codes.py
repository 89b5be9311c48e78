"""Categorical (dictionary-encoded) columns of the compare stage's actor table as integer codes
in sorted string order: the per-article actor sentiment pivot on codes instead of a string
per row (``compare.actor_article_sentiment``; ``compare_actors`` uses the codes for the top
actors and the actor keys)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def sorted_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """A categorical column (no nulls) as (codes, names): codes into ``names``, its
    categories' strings sorted (the order of a sort of the strings themselves); None for any
    other column."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return None
    codes = column.cat.codes.to_numpy()
    if len(codes) and codes.min() < 0:
        return None
    names = np.asarray(column.cat.categories.astype(str), dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return rank[codes], names[order]


def plain_values(column: pd.Series) -> pd.Series:
    """A categorical column as plain values (nulls stay nulls), any other as it is."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(object)
    return column


def coded_pivot(actor_sentences: pd.DataFrame) -> pd.DataFrame | None:
    """``actor_article_sentiment`` of a table whose doc_id and actor are categorical: the same
    table (the same group means, over the rows in order), pivoted on integer codes instead of
    a string per row. None when it cannot be (another dtype, nulls, NaN sentiment)."""
    docs, actors = sorted_codes(actor_sentences["doc_id"]), sorted_codes(actor_sentences["actor"])
    compound = actor_sentences["compound"]
    if docs is None or actors is None or compound.isna().any():
        return None
    n_act = max(len(actors[1]), 1)
    key = docs[0] * n_act + actors[0]
    mean = compound.groupby(key, sort=True).mean()
    keys = mean.index.to_numpy()
    doc_at, act_at = np.unique(keys // n_act), np.unique(keys % n_act)
    table = np.full((len(doc_at), len(act_at)), np.nan, dtype=mean.dtype)
    table[np.searchsorted(doc_at, keys // n_act), np.searchsorted(act_at, keys % n_act)] = mean
    index = pd.Index(docs[1][doc_at], name="doc_id")
    return pd.DataFrame(table, index=index, columns=[str(a) for a in actors[1][act_at]])


def read_coded(path, columns: Sequence[str], coded: Sequence[str]) -> pd.DataFrame:
    """A Parquet table's ``columns`` (a file, part list or dataset) with the ``coded`` string
    columns as categoricals (read dictionary-encoded: a code per row, no string per row);
    with a null in one of them, or no rows, as ``runtime.read_parquet`` reads it (strings)."""
    import pyarrow as pa

    from newslens.runtime import read_parquet
    from newslens.shards import iter_parquet_arrow

    coded = [c for c in coded if c in columns]
    parts = list(iter_parquet_arrow(path, 1 << 20, list(columns), coded))
    table = pa.concat_tables(parts) if parts else None
    if table is None or any(table.column(c).null_count for c in coded):
        return read_parquet(path, columns=list(columns))
    return table.to_pandas()
