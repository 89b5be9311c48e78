"""Actors x frames: for each actor, the sentences that name it and the frames they carry,
counted per shard (integers, no Python string per row; one job per shard) and summed over
shards (one small job).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.codebook import (
    NONE_FRAME,
    Codebook,
)
from newslens.runtime import iter_parquet_arrow, read_parquet

#: the columns (and dtypes) of one shard's actor x frame counts
COUNT_DTYPES = {
    "actor": object,
    "frame": object,
    "n_sentences": "int64",
    "n_actor_sentences": "int64",
    "share_sum": "float64",
}


def _arrow(values) -> pa.Array:
    """A column (pandas or Arrow) as one Arrow array, without copying Arrow-backed data."""
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _doc_strings(doc_ids) -> pa.Array:
    """doc_id values as an Arrow string array (as str(), like ``astype(str)``)."""
    arr = _arrow(doc_ids)
    return arr if pa.types.is_large_string(arr.type) else arr.cast(pa.large_string())


def _doc_positions(doc_ids, value_set: pa.Array) -> pa.Array:
    """``pc.index_in`` of the doc_id values in ``value_set`` (null: not there). A dictionary
    column (Parquet read with ``read_dictionary``) is looked up once per distinct value."""
    arr = _arrow(doc_ids)
    if pa.types.is_dictionary(arr.type):
        if arr.null_count == 0:
            distinct = pc.index_in(_doc_strings(arr.dictionary), value_set=value_set)
            return distinct.take(arr.indices)
        arr = arr.cast(arr.type.value_type)
    return pc.index_in(_doc_strings(arr), value_set=value_set)


class MentionIndex:
    """The actor mentions of one shard as integers, in file order, fed batch by batch: for
    each mention the key ``article << 32 | sentence`` (articles numbered in order of first
    mention) and the actor's number. No Python string per row."""

    def __init__(self):
        self.docs = pa.array([], pa.large_string())
        # doc_id -> its position in ``docs``, built as they are added (each distinct id of a
        # batch looked up once; ``pc.index_in`` on ``docs`` rebuilt its hash table of every
        # article so far at each call: quadratic in the shard). None once a null doc_id was
        # added: then ``pc.index_in`` as before.
        self.at: dict[str, int] | None = {}
        self.actors: dict[str, int] = {}
        self.keys: list[np.ndarray] = []
        self.codes: list[np.ndarray] = []
        self.odd = False  # a sentence number outside 0..2**32-1

    def positions(self, doc_ids, grow: bool = False) -> np.ndarray | None:
        """The position in ``docs`` of each doc_id (-1: not there), looked up in ``at`` once
        per distinct value; with ``grow`` the ids not there are added first, in order of their
        first row. None when ``at`` cannot answer (a null doc_id)."""
        arr = _arrow(doc_ids)
        if self.at is None or arr.null_count:
            return None
        enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
        values = _doc_strings(enc.dictionary)
        if values.null_count:
            return None
        names, get = values.to_pylist(), self.at.get
        local = np.fromiter((get(v, -1) for v in names), dtype=np.int64, count=len(names))
        codes = enc.indices.to_numpy(zero_copy_only=False)
        at = local[codes]
        if grow and (at < 0).any():
            new = []
            for c in pd.unique(codes[at < 0]).tolist():
                if names[c] not in self.at:
                    self.at[names[c]] = len(self.at)
                    new.append(names[c])
                local[c] = self.at[names[c]]
            self.docs = pa.concat_arrays([self.docs, pa.array(new, pa.large_string())])
            at = local[codes]
        return at

    def add(self, doc_ids, sent_ids, actors) -> None:
        fast = self.positions(doc_ids, grow=True)
        if fast is not None:
            self._add_rows(fast, sent_ids, actors)
            return
        self.at = None  # a null doc_id may be added to docs: index_in from now on
        at = _doc_positions(doc_ids, self.docs)
        if at.null_count:
            docs = _arrow(doc_ids)
            if pa.types.is_dictionary(docs.type) and docs.null_count == 0:
                # the new values, in order of their first row
                codes = pc.filter(docs.indices, pc.is_null(at)).to_numpy(zero_copy_only=False)
                new = _doc_strings(docs.dictionary).take(pa.array(pd.unique(codes)))
            else:
                if pa.types.is_dictionary(docs.type):
                    docs = docs.cast(docs.type.value_type)
                new = pc.unique(pc.filter(_doc_strings(docs), pc.is_null(at)))
            self.docs = pa.concat_arrays([self.docs, new])
            at = _doc_positions(doc_ids, self.docs)
        self._add_rows(at.to_numpy(zero_copy_only=False).astype(np.int64), sent_ids, actors)

    def _add_rows(self, at: np.ndarray, sent_ids, actors) -> None:
        """The mentions of a batch, its articles' positions ``at`` known."""
        sent = np.asarray(sent_ids, dtype=np.int64)
        self.odd |= bool(((sent < 0) | (sent >= 1 << 32)).any())
        self.keys.append(at * (1 << 32) + sent)
        enc = _arrow(actors)
        if not pa.types.is_dictionary(enc.type):
            enc = pc.dictionary_encode(enc)
        names = enc.dictionary.to_pylist()
        for name in names:
            if name is not None:
                self.actors.setdefault(name, len(self.actors))
        local = np.array([self.actors.get(x, -1) if x is not None else -1 for x in names])
        idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        self.codes.append(np.where(idx >= 0, local[np.maximum(idx, 0)] if len(local) else -1, -1))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.int64)
        codes = np.concatenate(self.codes) if self.codes else np.zeros(0, dtype=np.int64)
        return keys, codes

    def sentence_keys(self, doc_ids, sent_ids) -> np.ndarray:
        """The keys of sentence rows (-1 for an article that no mention names)."""
        at = self.positions(doc_ids)
        if at is None:
            at = _doc_positions(doc_ids, self.docs)
            at = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return np.where(at >= 0, at * (1 << 32) + np.asarray(sent_ids, dtype=np.int64), -1)


class MentionedShares:
    """(key, shares) of the sentences some mention of ``index`` points at, collected from a
    sentence table fed batch by batch (DataFrames or Arrow tables, e.g. with doc_id
    dictionary-encoded; ``add``), in the table's row order: all ``actor_share_counts`` needs,
    without the whole shard in memory. The index must hold every mention before the first
    batch."""

    def __init__(self, index: MentionIndex, share_cols: list[str]):
        keys, _ = index.arrays()
        self.index, self.share_cols = index, share_cols
        # the distinct keys, sorted: a sort (the mentions come in key order, so it is quick) and
        # the first of each run, not a hash table (pd.unique: ~2 CPU-s at 7.5M mentions)
        wanted = np.sort(keys[keys >= 0])
        self.wanted = wanted[np.r_[True, wanted[1:] != wanted[:-1]]] if len(wanted) else wanted
        # at most one row per wanted key (more only if the table lists a sentence twice)
        self.keys = np.zeros(len(self.wanted), dtype=np.int64)
        self.shares = np.zeros((len(self.wanted), len(share_cols)))
        self.n = 0

    def add(self, batch: pd.DataFrame | pa.Table) -> None:
        wanted, share_cols, n = self.wanted, self.share_cols, self.n
        arrow = isinstance(batch, pa.Table)
        sent = batch.column("sent_id") if arrow else batch["sent_id"]
        k = self.index.sentence_keys(batch.column("doc_id") if arrow else batch["doc_id"], sent)
        at = np.minimum(np.searchsorted(wanted, k), max(len(wanted) - 1, 0))
        hit = (wanted[at] == k) if len(wanted) else np.zeros(len(k), dtype=bool)
        m = int(hit.sum())
        if m == 0:
            return
        if n + m > len(self.shares):  # a sentence twice: grow
            self.keys = np.concatenate([self.keys, np.zeros(m, dtype=np.int64)])
            self.shares = np.concatenate([self.shares, np.zeros((m, len(share_cols)))])
        self.keys[n : n + m] = k[hit]
        if arrow:
            rows = batch.select(share_cols).filter(pa.array(hit))
            for j, column in enumerate(rows.columns):
                self.shares[n : n + m, j] = column.to_numpy()
        else:
            self.shares[n : n + m] = batch.loc[hit, share_cols].to_numpy(dtype=float)
        self.n = n + m

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self.keys[: self.n], self.shares[: self.n]


def mentioned_shares(
    index: MentionIndex, batches: Iterable[pd.DataFrame | pa.Table], share_cols: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(key, shares) of the sentences some mention points at, from a sentence table read in
    batches (``MentionedShares``)."""
    found = MentionedShares(index, share_cols)
    for batch in batches:
        found.add(batch)
    return found.arrays()


def actor_share_counts(
    index: MentionIndex, sent_keys: np.ndarray, shares: np.ndarray, frames: list[str]
) -> pd.DataFrame | None:
    """``actor_frame_counts`` from integers: the mentions joined to the sentences (rows of
    ``shares``, one column per frame) in mention order, one row per (sentence, actor); each
    sum over the same values in the same order as a merge and a groupby of the tables would.
    None when keys are unusable (a sentence twice, odd sentence numbers): then the merge."""
    cols = ["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    table = pd.Index(sent_keys)
    if index.odd or not table.is_unique:
        return None
    keys, codes = index.arrays()
    row = table.get_indexer(keys)
    del keys
    keep = (row >= 0) & (codes >= 0)  # the inner join; groupby leaves out missing actors
    row, codes = row[keep], codes[keep]
    # one row per (sentence, actor): the first mention
    first = ~pd.Series(row * max(len(index.actors), 1) + codes).duplicated().to_numpy()
    row, codes = row[first], codes[first]
    if not len(row):
        return pd.DataFrame(columns=cols)
    names = sorted(index.actors, key=str)
    rank = np.empty(len(index.actors), dtype=np.int64)
    rank[[index.actors[n] for n in names]] = np.arange(len(names))
    codes = rank[codes]  # numbered in sorted order, as groupby(sort=True) visits them
    order = np.argsort(codes, kind="stable")  # by actor, each in mention order
    sizes = np.bincount(codes, minlength=len(names))
    ends = np.cumsum(sizes)
    # one frame per row, each actor's sentences a contiguous stretch of it: the sum of a
    # stretch is numpy's pairwise sum, the same as Series.sum of those values; one pass
    # per actor over its own sentences only (cost grows with mentions, not actors)
    # one frame at a time: a copy of one column (8 bytes a pair), not of all frames at once
    picked_rows = row[order]
    present = sizes > 0
    lo_all, hi_all = (ends - sizes)[present], ends[present]
    share_sum = np.empty((len(lo_all), len(frames)))
    n_with = np.empty((len(lo_all), len(frames)), dtype=np.int64)
    for f in range(len(frames)):
        picked = shares[picked_rows, f]
        positive = picked > 0
        for i, (lo, hi) in enumerate(zip(lo_all, hi_all, strict=True)):
            share_sum[i, f] = picked[lo:hi].sum()
            n_with[i, f] = positive[lo:hi].sum()
    kept = [a for a, p in zip(names, present, strict=True) if p]
    n_frames = len(frames)
    return pd.DataFrame(
        {
            "actor": np.repeat(np.asarray(kept, dtype=object), n_frames),
            "frame": np.tile(np.asarray(frames, dtype=object), len(kept)),
            "n_sentences": n_with.ravel(),
            "n_actor_sentences": np.repeat(hi_all - lo_all, n_frames),
            "share_sum": share_sum.ravel(),
        },
        columns=cols,
    )


def actor_frame_counts(
    mentions: pd.DataFrame, sent_table: pd.DataFrame, cb: Codebook
) -> pd.DataFrame:
    """Per actor and frame (one shard): sentences naming the actor that carry the frame.

    mentions: doc_id, sent_id, actor (one row per mention; several mentions of one actor in a
    sentence count once). Returns actor, frame, n_sentences, n_actor_sentences, share_sum
    (the sum of the frame's sentence shares), ready to be summed over shards.
    """
    cols = ["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    if mentions.empty or sent_table.empty:
        return pd.DataFrame(columns=cols)
    frames = [*cb.scored_keys, NONE_FRAME]
    index = MentionIndex()
    index.add(mentions["doc_id"], mentions["sent_id"], mentions["actor"])
    sent_keys = index.sentence_keys(sent_table["doc_id"], sent_table["sent_id"])
    shares = sent_table[[f"share_{k}" for k in frames]].to_numpy(dtype=float)
    # sentences of articles no mention names play no part (and must not collide at -1)
    named = sent_keys >= 0
    out = actor_share_counts(index, sent_keys[named], shares[named], frames)
    if out is None:
        m = mentions[["doc_id", "sent_id", "actor"]].drop_duplicates()
        m = m.astype({"doc_id": str, "sent_id": "int64"})
        return _actor_frame_counts_merge(m, sent_table, cb)
    return out


def _actor_frame_counts_merge(m: pd.DataFrame, sent_table: pd.DataFrame, cb: Codebook):
    keys = [*cb.scored_keys, NONE_FRAME]
    sc = [f"share_{k}" for k in keys]
    st = sent_table[["doc_id", "sent_id", *sc]].astype({"doc_id": str, "sent_id": "int64"})
    j = m.merge(st, on=["doc_id", "sent_id"], how="inner")
    rows = []
    for actor, g in j.groupby("actor", sort=True):
        for k in keys:
            col = g[f"share_{k}"]
            rows.append((actor, k, int((col > 0).sum()), len(g), float(col.sum())))
    return pd.DataFrame(
        rows, columns=["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
    )


def finish_actor_frames(
    counts: pd.DataFrame, cb: Codebook, actors: list[str] | None = None
) -> pd.DataFrame:
    """Sum shard counts; add share (n_sentences / n_actor_sentences: multi-label, so shares of
    an actor may sum above 1) and frame_share (mean sentence share, summing to 1 with 'none').
    Actors in ``actors`` that are never named get rows of zeros, so they are visibly absent."""
    keys = [*cb.scored_keys, NONE_FRAME]
    if len(counts):
        c = counts.groupby(["actor", "frame"], as_index=False, sort=False)[
            ["n_sentences", "n_actor_sentences", "share_sum"]
        ].sum()
    else:
        c = pd.DataFrame(
            columns=["actor", "frame", "n_sentences", "n_actor_sentences", "share_sum"]
        )
    all_actors = sorted(set(c["actor"]) | set(actors or []))
    grid = pd.MultiIndex.from_product([all_actors, keys], names=["actor", "frame"]).to_frame(
        index=False
    )
    out = grid.merge(c, on=["actor", "frame"], how="left").fillna(
        {"n_sentences": 0, "n_actor_sentences": 0, "share_sum": 0.0}
    )
    out["n_actor_sentences"] = out.groupby("actor")["n_actor_sentences"].transform("max")
    out = out.astype({"n_sentences": "int64", "n_actor_sentences": "int64"})
    denom = out["n_actor_sentences"].where(out["n_actor_sentences"] > 0)
    out["share"] = (out["n_sentences"] / denom).fillna(0.0).round(6)
    out["frame_share"] = (out["share_sum"] / denom).fillna(0.0).round(6)
    return out[["actor", "frame", "n_sentences", "n_actor_sentences", "share", "frame_share"]]


def mention_index(mentions_path, batch_rows: int) -> MentionIndex:
    """The actor mentions of a shard (Parquet: doc_id, sent_id, actor), read in Arrow batches of
    ``batch_rows`` with doc_id and actor dictionary-encoded (each distinct value looked up once
    per batch)."""
    index = MentionIndex()
    columns, dictionary = ["doc_id", "sent_id", "actor"], ["doc_id", "actor"]
    for batch in iter_parquet_arrow(mentions_path, batch_rows, columns, dictionary):
        index.add(batch.column("doc_id"), batch.column("sent_id"), batch.column("actor"))
    return index


def shard_actor_counts(mentions_path, sentences_path, cb: Codebook, batch_rows: int):
    """``actor_frame_counts`` of one shard from its files: the actor mentions (``mention_index``)
    and the frame sentence table (a Parquet file or part list), read in Arrow batches of
    ``batch_rows`` with doc_id dictionary-encoded; of the sentence table only the share columns
    of the sentences some mention points at are kept. The columns and dtypes of
    ``COUNT_DTYPES``."""
    frames = [*cb.scored_keys, NONE_FRAME]
    share_cols = [f"share_{k}" for k in frames]
    index = mention_index(mentions_path, batch_rows)
    columns = ["doc_id", "sent_id", *share_cols]
    batches = iter_parquet_arrow(sentences_path, batch_rows, columns, ["doc_id"])
    keys, shares = mentioned_shares(index, batches, share_cols)
    counts = actor_share_counts(index, keys, shares, frames)
    if counts is None:  # a sentence listed twice or odd ids: the tables, merged
        mentions = read_parquet(mentions_path, columns=["doc_id", "sent_id", "actor"])
        sentences = read_parquet(sentences_path, columns=["doc_id", "sent_id", *share_cols])
        counts = actor_frame_counts(mentions, sentences, cb)
    return counts.astype(COUNT_DTYPES)


class ShardActorCounter:
    """``shard_actor_counts`` counted while the frame sentence table is made (rule
    frames_sentences): the shard's mentions read first, then each batch of the table as it is
    classified (``add``), so the table is never read back; ``counts`` gives the same table
    (the same values summed in the same order). When the keys are unusable (a sentence listed
    twice, odd ids) ``counts`` falls back to ``shard_actor_counts`` on the written files."""

    def __init__(self, mentions_path, cb: Codebook, batch_rows: int):
        self.mentions_path, self.cb, self.batch_rows = mentions_path, cb, batch_rows
        self.frames = [*cb.scored_keys, NONE_FRAME]
        self.index = mention_index(mentions_path, batch_rows)
        self.found = MentionedShares(self.index, [f"share_{k}" for k in self.frames])

    def add(self, sentences: pd.DataFrame | pa.Table) -> None:
        self.found.add(sentences)

    def counts(self, sentences_path) -> pd.DataFrame:
        """The shard's counts; ``sentences_path``: the written table (for the fallback)."""
        keys, shares = self.found.arrays()
        counts = actor_share_counts(self.index, keys, shares, self.frames)
        if counts is None:
            return shard_actor_counts(self.mentions_path, sentences_path, self.cb, self.batch_rows)
        return counts.astype(COUNT_DTYPES)


def target_actors(targets_path) -> list[str]:
    """The actors a shard's per-article targets list (sorted; named or not)."""
    targets = pd.read_parquet(targets_path, columns=["actor"])["actor"]
    return sorted({str(a) for a in targets.dropna().unique()})


def merge_actor_counts(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The shards' counts (``shard_actor_counts``, in shard order) as one table for
    ``finish_actor_frames``: the rows of every shard one after the other, so each sum over
    shards adds the same values in the same order as one job reading every shard."""
    frames = [p.astype(COUNT_DTYPES) for p in parts]
    if not frames:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in COUNT_DTYPES.items()})
    return pd.concat(frames, ignore_index=True)
