"""Actors x frames by group: per article and actor the frame shares of the sentences that
name the actor, compared between groups (bootstrap intervals over articles, BH q)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from newslens.compare import REST, SHARE_COLUMNS, group_differences
from newslens.compare_codes import plain_values, read_coded, sorted_codes

# ----------------------------------------------------------------------------------------------
# Actors x frames by group
# ----------------------------------------------------------------------------------------------

ACTOR_FRAME_COLUMNS = [
    *SHARE_COLUMNS[:3],  # variable, group, reference
    "actor",
    "frame",
    "n_group",
    "n_reference",
    "sentences_group",
    "sentences_reference",
    *SHARE_COLUMNS[6:],  # mean_group ... q_value, as every by-group table
]


def top_actors(actor_sentences: pd.DataFrame, max_actors: int | None) -> list[str]:
    """The ``max_actors`` actors named in the most articles (ties by name); None: all."""
    if actor_sentences.empty:
        return []
    docs, actors = sorted_codes(actor_sentences["doc_id"]), sorted_codes(actor_sentences["actor"])
    if docs is not None and actors is not None:  # integer codes: no string per row
        pairs = np.unique(docs[0] * len(actors[1]) + actors[0])
        counts = np.bincount(pairs % len(actors[1]), minlength=len(actors[1]))
        per = pd.Series(counts, index=actors[1])
        per = per[per > 0]
    else:
        plain = actor_sentences.assign(actor=plain_values(actor_sentences["actor"]))
        per = plain.groupby("actor")["doc_id"].nunique()
    order = sorted(per.index.astype(str), key=lambda a: (-int(per[a]), a))
    return order if max_actors is None else order[:max_actors]


COLUMNS_PER_STEP = 4  # frame share columns per group-mean step


def actor_frame_shares(
    actor_sentences: pd.DataFrame, frame_sentences: pd.DataFrame, actors: Sequence[str]
):
    """Per article and actor, the mean share of each frame over the article's sentences that
    name the actor, for the listed actors. The actors' sentences are matched to the frame
    table's rows by integer keys (sorted article codes x sentence number, one hash look-up),
    repeated (article, sentence, actor) rows count once, sentences without a frame row are
    left out, and the means are taken per (article, actor) by an integer group key. Needs only
    doc_id, sent_id and the ``share_*`` columns of the frame table (``share_none`` left out).
    Raises ValueError when the frame table has more than one row for a (doc_id, sent_id).
    tests/reference_actor_frames.py is the same computation by a pandas merge; the two agree
    exactly. ``actor_frame_shares_from_dataset`` is the same from the frame dataset on disk,
    without holding its rows.

    Returns (values, sentences, frames, n_rows): ``values`` has a doc_id index (sorted) and
    (actor, frame) columns, NaN where the article does not name the actor; ``sentences`` the
    number of the actor's matched sentences per article (doc_id index, actor columns, 0 = not
    named); ``frames`` the frame names (the share columns without their prefix, in table
    order); ``n_rows`` the number of distinct (article, sentence, actor) rows matched. Only
    articles and actors with a matched sentence get a row or column."""
    share_cols = [
        c for c in frame_sentences.columns if c.startswith("share_") and c != "share_none"
    ]
    keys = _actor_keys(actor_sentences, actors)
    f_codes = pd.Index(keys["docs"]).get_indexer(frame_sentences["doc_id"].astype(str))
    f_sent = frame_sentences["sent_id"].to_numpy().astype(np.int64)
    rows, group = _match(keys, f_codes, f_sent)

    def columns(cols):  # the matched rows' shares, in the actor table's order
        return frame_sentences[list(cols)].to_numpy()[rows]

    frames = [c.removeprefix("share_") for c in share_cols]
    return _frame_means(columns, share_cols, group, keys, frames)


def actor_frame_shares_from_dataset(
    actor_sentences: pd.DataFrame,
    path,
    share_cols: Sequence[str],
    actors: Sequence[str],
    batch_rows: int = 262_144,
):
    """``actor_frame_shares`` of the frame table stored at ``path`` (a Parquet file, part list
    or dataset), the same result, read in two streamed passes instead of as one DataFrame: its
    doc_id (dictionary-encoded: one look-up per distinct article of a batch, no string per row)
    and sent_id, to match the actors' sentences; then the ``share_cols`` of the matched rows
    only. The frame table's rows are never held as a whole (at 100k articles, 1.4M sentence
    rows, the DataFrame and its per-row doc_id strings were ~0.6 GB of compare_groups' peak)."""
    from newslens.shards import dataset_schema, iter_parquet_arrow

    keys = _actor_keys(actor_sentences, actors)
    index = pd.Index(keys["docs"])
    codes, sents = [], []
    for batch in iter_parquet_arrow(path, batch_rows, ["doc_id", "sent_id"], ["doc_id"]):
        for chunk in batch.column("doc_id").chunks:
            if not pa.types.is_dictionary(chunk.type):
                chunk = chunk.dictionary_encode()
            known = index.get_indexer(chunk.dictionary.cast(pa.string()).to_pandas())
            at = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            codes.append(np.where(at >= 0, known[at], -1))
        sents.append(batch.column("sent_id").to_numpy().astype(np.int64))
    f_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    f_sent = np.concatenate(sents) if sents else np.zeros(0, dtype=np.int64)
    rows, group = _match(keys, f_codes, f_sent)
    # the share values of the matched rows only (rows: read in frame-table order, once each)
    wanted, back = np.unique(rows, return_inverse=True)
    schema = dataset_schema(path)

    def columns(cols):  # a pass over the dataset for these columns; rows in actor order
        dtype = np.result_type(*(schema.field(c).type.to_pandas_dtype() for c in cols))
        shares = np.empty((len(wanted), len(cols)), dtype=dtype)
        offset = 0
        for batch in iter_parquet_arrow(path, batch_rows, list(cols)):
            lo, hi = np.searchsorted(wanted, [offset, offset + batch.num_rows])
            if hi > lo:
                taken = batch.take(pa.array(wanted[lo:hi] - offset))
                for j, col in enumerate(cols):
                    shares[lo:hi, j] = taken.column(col).to_numpy()
            offset += batch.num_rows
        return shares[back.reshape(-1)]

    frames = [c.removeprefix("share_") for c in share_cols]
    return _frame_means(columns, list(share_cols), group, keys, frames)


def _actor_keys(actor_sentences: pd.DataFrame, actors: Sequence[str]) -> dict:
    """The listed actors' sentences as integer codes: article codes in sorted doc_id order (the
    order of groupby's sorted index), sentence numbers and actor codes."""
    listed = sorted(set(map(str, actors)))
    coded = sorted_codes(actor_sentences["doc_id"]), sorted_codes(actor_sentences["actor"])
    if coded[0] is not None and coded[1] is not None:  # integer codes: no string per row
        (doc_all, doc_names), (act_all, act_names) = coded
        act_codes = pd.Index(listed).get_indexer(act_names)[act_all]
        keep = act_codes >= 0
        doc_codes, used = pd.factorize(doc_all[keep], sort=True)
        docs, actor_codes = pd.Index(doc_names[used]), act_codes[keep]
    else:
        actor = actor_sentences["actor"].astype(str)
        keep = actor.isin(listed).to_numpy()
        doc_codes, docs = pd.factorize(actor_sentences["doc_id"].astype(str)[keep], sort=True)
        actor_codes = pd.Index(listed).get_indexer(actor[keep])
    return {
        "listed": listed,
        "docs": docs,
        "doc_codes": doc_codes,
        "sent": actor_sentences["sent_id"].to_numpy()[keep].astype(np.int64),
        "actor": actor_codes,
    }


def read_actor_rows(path, columns: Sequence[str]) -> pd.DataFrame:
    """The actor sentence table's ``columns`` (a Parquet file, part list or dataset) with doc_id
    and actor as categoricals (read dictionary-encoded: a code per row, no string per row);
    with a null in either, or no rows, as ``runtime.read_parquet`` reads it (strings)."""
    return read_coded(path, columns, ("doc_id", "actor"))


def _match(keys: dict, f_codes: np.ndarray, f_sent: np.ndarray):
    """The frame-table row (index) of each distinct matched (article, sentence, actor) row and
    its (article, actor) group key, in the actor table's order."""
    doc_codes, a_sent, n_listed = keys["doc_codes"], keys["sent"], len(keys["listed"])
    inside = f_codes >= 0
    lo = min(a_sent.min(initial=0), f_sent[inside].min(initial=0))
    stride = max(a_sent.max(initial=0), f_sent[inside].max(initial=0)) - lo + 1
    f_keys = pd.Index(f_codes[inside] * stride + (f_sent[inside] - lo))
    if not f_keys.is_unique:
        raise ValueError("the frame table has more than one row for a (doc_id, sent_id)")
    hit = f_keys.get_indexer(doc_codes * stride + (a_sent - lo))  # -1: no frame row
    # the first of repeated (article, sentence, actor) rows, as drop_duplicates keeps
    key = (doc_codes * stride + (a_sent - lo)) * n_listed + keys["actor"]
    use = (hit >= 0) & ~pd.Index(key).duplicated(keep="first")
    rows = np.flatnonzero(inside)[hit[use]]
    group = doc_codes[use].astype(np.int64) * n_listed + keys["actor"][use]
    return rows, group


def _group_means(columns, share_cols: list[str], group: np.ndarray):
    """pandas' ``groupby(group).mean()`` of the matched rows' shares (``columns(cols)``: the
    matched rows of those columns, in the actor table's order): its sorted keys and means, the
    same numbers, a few columns at a time (``COLUMNS_PER_STEP``), so the matched rows of every
    frame are never held at once. pandas takes each column's group means on its own (its
    compensated sums over the rows in order) unless the group keys are sorted (then
    ``reduceat``, for NaN-free values only): with sorted keys all columns go in one step, as
    before, so the numbers stay exactly the unsplit ones."""
    step = len(share_cols)
    if len(group) > 1 and not bool(np.all(group[1:] >= group[:-1])):
        step = COLUMNS_PER_STEP
    keys, means = None, []
    for start in range(0, len(share_cols), step):
        part = pd.DataFrame(columns(share_cols[start : start + step]), index=group)
        mean = part.groupby(level=0, sort=True).mean()
        keys = mean.index.to_numpy()
        means.append(mean.to_numpy())
    return keys, np.concatenate(means, axis=1)


def _frame_means(columns, share_cols, group, keys: dict, frames: list[str]):
    """``actor_frame_shares``' result from the matched rows' group keys and shares."""
    listed, docs = keys["listed"], keys["docs"]
    if not len(group):
        empty = pd.DataFrame(index=pd.Index([], name="doc_id"))
        return empty, empty, frames, 0
    group_keys, mean = _group_means(columns, share_cols, group)
    counts = np.bincount(group, minlength=len(docs) * len(listed)).reshape(len(docs), -1)
    present_docs = np.flatnonzero(counts.sum(axis=1) > 0)
    present = [k for k in range(len(listed)) if counts[:, k].any()]
    names = [listed[k] for k in present]
    index = pd.Index(np.asarray(docs)[present_docs], name="doc_id")
    # one row per article, one column per (actor, frame); NaN where the article does not
    # name the actor (as the unstacked group means)
    column = np.full(len(listed), -1)
    column[present] = np.arange(len(present))
    table = np.full((len(index), len(present) * len(frames)), np.nan, dtype=mean.dtype)
    cols = column[group_keys % len(listed)][:, None] * len(frames) + np.arange(len(frames))
    table[np.searchsorted(present_docs, group_keys // len(listed))[:, None], cols] = mean
    values = pd.DataFrame(table, index=index, columns=pd.MultiIndex.from_product([names, frames]))
    sentences = pd.DataFrame(counts[np.ix_(present_docs, present)], index=index, columns=names)
    sentences.columns.name = "actor"
    return values, sentences, frames, len(group)


def actor_frame_differences(
    values: pd.DataFrame,
    sentences: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    *bootstrap_args,
    **bootstrap,
) -> pd.DataFrame:
    """Actor x frame by group: for each actor, the mean (over the articles that name it) share
    of each frame in the sentences naming the actor, per group, with bootstrap intervals over
    articles, the difference to the reference with interval and BH q (over every actor, frame
    and comparison of a variable), and the articles (``n_*``) and sentences (``sentences_*``)
    behind each number. The further arguments are ``group_differences``'s
    (resamples, confidence, seed, min_articles: ``compare_bootstrap.bootstrap_args``)."""
    if values.empty:
        return pd.DataFrame(columns=ACTOR_FRAME_COLUMNS)
    flat = values.copy()
    keys = list(flat.columns)
    flat.columns = [f"{i}" for i in range(len(keys))]
    tab = group_differences(flat, groups, reference, *bootstrap_args, **bootstrap)
    if tab.empty:
        return pd.DataFrame(columns=ACTOR_FRAME_COLUMNS)
    pos = tab["item"].astype(int).to_numpy()
    tab["actor"] = [keys[i][0] for i in pos]
    tab["frame"] = [keys[i][1] for i in pos]
    # sentence counts per variable x group x actor, and over the whole variable (for `rest`)
    sent = sentences.copy()
    sent.index = sent.index.astype(str)
    lab = groups.set_index(groups["doc_id"].astype(str))
    counts = {}
    for var in [c for c in groups.columns if c != "doc_id"]:
        g = lab[var].reindex(sent.index).fillna("").astype(str)
        per = sent.groupby(g.to_numpy()).sum()
        per = per.drop(index="", errors="ignore")
        counts[var] = (per, per.sum(axis=0))
    sg, sr = [], []
    for var, g, ref, actor in tab[["variable", "group", "reference", "actor"]].itertuples(
        index=False
    ):
        per, total = counts[var]
        own = int(per.at[g, actor]) if g in per.index else 0
        sg.append(own)
        if ref == REST:
            sr.append(int(total[actor]) - own)
        else:
            sr.append(int(per.at[ref, actor]) if ref in per.index else 0)
    tab["sentences_group"] = sg
    tab["sentences_reference"] = sr
    return tab[ACTOR_FRAME_COLUMNS]
