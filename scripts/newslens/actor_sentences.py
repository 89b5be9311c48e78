"""The actor-sentence rows of sentiment toward each actor, joined per shard and merged cheaply.

Each shard's actor_articles job joins its actor mentions to its sentence scores (one row per
actor and sentence that names it, :func:`shard_tables`), writes those rows into the partitioned
dataset results/tables/sentiment_actor_sentences/ (docs/outputs.md) and reduces them to
per-article sums (all the article-level bootstrap of sentiment_actors needs,
:func:`unit_table`). The dataset has one part per block of ``tokenize.part_articles`` articles
in doc_id order (``doc_rank``: an article's position among all scored articles, sorted), so a
part may hold the articles of several shards. A shard writes the parts whose articles are all
its own straight into the dataset and the others (*shared* parts) into an interim folder; the
sentiment_actors job then only merges the shared parts (:func:`merge_shared_parts`) and the
per-article sums (:func:`merged_units`). The parts and sums are the rows and sums a single
job merging every shard gives (a part's bytes depend only on its rows).

An article in more than one shard (a repeated doc_id) would have its rows and sums split over
shards; sentiment_actors then takes the single-job path (:func:`repeated_articles`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newslens.arrays import run_starts
from newslens.runtime import NewslensError, iter_parquet, log, read_parquet
from newslens.sentiment import ActorUnitSums, actor_sentence_batch, actor_sentence_table
from newslens.shards import PartWriter, part_block, read_part_list, write_part_list
from newslens.shards_gather import OrderError, whole_groups

SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("sent_id", pa.int64()), ("actor", pa.string())]
    + [("n_mentions", pa.int64()), ("n_actors", pa.int64()), ("alone", pa.bool_())]
    + [(c, pa.float64()) for c in ("compound", "is_negative", "is_neutral", "is_positive")]
)
SCORE_COLUMNS = ["doc_id", "sent_id", "compound", "label"]
MENTION_COLUMNS = ["doc_id", "sent_id", "actor"]
ORDER = ["doc_id", "sent_id", "actor"]
CONTRACT = {"n_mentions": np.dtype("int64"), "n_actors": np.dtype("int64"), "alone": np.dtype(bool)}
# the per-article sums of one shard (ActorUnitSums' columns, keyed by actor, scope, doc_rank)
UNIT_SCHEMA = pa.schema(
    [("actor", pa.string()), ("scope", pa.string()), ("doc_rank", pa.int64())]
    + [(c, pa.float64()) for c in ("compound", "is_negative", "is_neutral", "is_positive")]
    + [("size", pa.int64()), ("n_mentions", pa.int64())]
)


def contract(t: pd.DataFrame) -> pd.DataFrame:
    """The count columns as int64 and ``alone`` as bool (a copy only where a dtype differs)."""
    if all(t[c].dtype == d for c, d in CONTRACT.items()):
        return t
    return t.astype(CONTRACT)


def shard_tables(lookup, mention_path, score_path, batch_rows, doc_index, actor_index):
    """One shard's actor-sentence rows (with doc_rank, the merge key), in batches of whole
    articles, sorted by doc_id, sent_id, actor (the mention file is sorted by doc_id)."""
    mentions = iter_parquet(mention_path, batch_rows, MENTION_COLUMNS)
    if lookup.exact:
        try:
            for batch in whole_groups(mentions):
                t = actor_sentence_batch(batch, lookup, doc_index, actor_index)
                if len(t):
                    yield contract(t)
            return
        except OrderError as err:
            log.warning("%s: %s; joining the shard in memory", mention_path, err)
    else:
        log.warning("%s: repeated (doc_id, sent_id); joining in memory", score_path)
    scores = read_parquet(score_path, columns=SCORE_COLUMNS)
    t = actor_sentence_table(scores, read_parquet(mention_path, columns=MENTION_COLUMNS))
    if len(t):
        unknown = sorted(set(t["actor"]) - set(actor_index))
        if unknown:
            raise NewslensError(
                f"{mention_path}: mentions of {unknown}, which are not actors in the config key "
                "actors: the file is out of date; rerun snakemake (rule actor_mentions)."
            )
        t = t.sort_values(ORDER, kind="stable")
        t["doc_rank"] = doc_index.get_indexer(t["doc_id"].astype(str))
        yield contract(t)


def actor_index_of(actors: list[str], targets: pd.DataFrame | None = None) -> list[str]:
    """The actors of the summary, in its order: the config's, then the per-article targets of
    articles in the corpus (sorted)."""
    out = list(actors)
    if targets is not None and len(targets):
        in_corpus = targets["status"] != "article_not_in_corpus"
        out += sorted(set(targets.loc[in_corpus, "actor"]) - set(out))
    return out


def scored_ids(path) -> pa.ChunkedArray:
    """A shard's scored articles (sentiment_score scores every sentence): the distinct doc_ids
    with at least one sentence of tokenize's per-shard document table
    (results/interim/docs/<shard>.parquet, column n_sentences), or every doc_id of a table
    without that column."""
    if "n_sentences" not in pq.read_schema(path).names:
        column = pq.read_table(path, columns=["doc_id"]).column("doc_id")
        return pa.chunked_array([pc.unique(column)])
    t = pq.read_table(path, columns=["doc_id", "n_sentences"])
    scored = t.column("doc_id").filter(pc.greater(t.column("n_sentences"), 0))
    return pa.chunked_array([pc.unique(scored)])


def doc_owners(paths) -> tuple[pd.Index, np.ndarray]:
    """All scored articles sorted (the ``doc_index`` whose positions are doc_rank) and, per
    position, the shard (0-based, in the order of ``paths``) that scored it, from the shards'
    document tables (:func:`scored_ids`). An article scored by two shards appears twice.
    (Arrow's stable sort of UTF-8 strings is the order of Python's, code point by code
    point.)"""
    ids, owner = [], []
    for k, path in enumerate(paths):
        column = scored_ids(path)
        ids.extend(column.cast(pa.large_string()).chunks)
        owner.append(np.full(len(column), k, dtype=np.int64))
    if not owner:
        return pd.Index([], dtype=object), np.empty(0, dtype=np.int64)
    all_ids = pa.chunked_array(ids, type=pa.large_string())
    order = pc.sort_indices(all_ids).to_numpy()
    index = all_ids.take(order).to_numpy(zero_copy_only=False)
    return pd.Index(np.asarray(index, dtype=object), dtype=object), np.concatenate(owner)[order]


def repeated_articles(doc_index: pd.Index) -> list[str]:
    """The doc_ids scored by more than one shard (the first few)."""
    ids = doc_index.to_numpy()
    same = np.flatnonzero(ids[1:] == ids[:-1])
    return sorted(set(ids[same[:5]].tolist()))


def own_blocks(owner: np.ndarray, shard: int, part_articles: int) -> set[int]:
    """The blocks (parts) whose articles all belong to shard ``shard``."""
    blocks = np.arange(len(owner)) // int(part_articles)
    mixed = np.zeros(blocks[-1] + 1 if len(blocks) else 0, dtype=bool)
    np.logical_or.at(mixed, blocks, owner != shard)
    return set(np.flatnonzero(~mixed).tolist())


def unit_table(sums: ActorUnitSums) -> pa.Table:
    """The per-article sums an :class:`ActorUnitSums` (made with ``ranks=True``) collected, as
    one table (UNIT_SCHEMA), consuming them."""
    cols: dict[str, list] = {name: [] for name in UNIT_SCHEMA.names}
    for (actor, scope), (values, ranks) in sums.ranked_units().items():
        cols["actor"].append(np.full(len(ranks), actor, dtype=object))
        cols["scope"].append(np.full(len(ranks), scope, dtype=object))
        cols["doc_rank"].append(ranks)
        for j, name in enumerate(ActorUnitSums.COLUMNS):
            cols[name].append(values[j])
    if not cols["actor"]:
        return UNIT_SCHEMA.empty_table()
    return pa.table(
        {
            name: pa.array(np.concatenate(v), UNIT_SCHEMA.field(name).type)
            for name, v in cols.items()
        }
    )


def merged_units(paths) -> dict:
    """{(actor, scope): (sums, n_sentences, n_mentions)}, as ``ActorUnitSums.units`` gives them
    for every shard's rows merged in doc_id order, from the shards' unit tables (each article
    in one shard: :func:`repeated_articles` is empty). Groups in the order they first appear,
    each group's rows by doc_rank (ties in file order); column by column from Arrow, with no
    DataFrame of every row (at 1M articles the tables hold ~7M rows)."""
    tables = [pq.read_table(p).cast(UNIT_SCHEMA) for p in paths]
    t = pa.concat_tables(tables) if tables else UNIT_SCHEMA.empty_table()
    del tables
    if t.num_rows == 0:
        return {}
    codes, names = [], []
    for name in ("actor", "scope"):
        encoded = pc.dictionary_encode(t.column(name).combine_chunks())
        codes.append(encoded.indices.to_numpy().astype(np.int64))
        names.append(encoded.dictionary.to_pylist())
    group = codes[0] * len(names[1]) + codes[1]
    del codes
    seen, first = np.unique(group, return_index=True)
    in_file_order = seen[np.argsort(first, kind="stable")].tolist()
    order = np.lexsort((t.column("doc_rank").to_numpy(), group))  # stable: ties in file order
    group = group[order]
    starts = run_starts(group)
    ends = np.r_[starts[1:], len(group)]
    bounds = dict(zip(group[starts].tolist(), zip(starts, ends, strict=True), strict=True))
    del group
    columns = {}
    for name in (*ActorUnitSums.COLUMNS[:4], "size", "n_mentions"):
        columns[name] = t.column(name).to_numpy()[order]
        t = t.drop_columns([name])
    del t, order
    out = {}
    for g in in_file_order:
        lo, hi = bounds[g]
        sums = np.empty((hi - lo, 4), order="F")
        for c, name in enumerate(ActorUnitSums.COLUMNS[:4]):
            sums[:, c] = columns[name][lo:hi]
        key = (names[0][g // len(names[1])], names[1][g % len(names[1])])
        out[key] = (sums, columns["size"][lo:hi], columns["n_mentions"][lo:hi])
    return out


def write_shard(
    streams, actor_index, part_articles, blocks_own, folder, part_list, shared_folder, shared_list
):
    """Write one shard's actor-sentence tables (``streams``: sorted, with doc_rank; actors in
    the sorted ``actor_index``): the rows of blocks in ``blocks_own`` to the dataset ``folder``
    (part list ``part_list``), the others to ``shared_folder`` (part list ``shared_list``);
    return the per-article sums (an ActorUnitSums with ranks)."""
    shared_folder = Path(shared_folder)
    shutil.rmtree(shared_folder, ignore_errors=True)  # parts of an earlier run
    shared_folder.mkdir(parents=True)
    sums = ActorUnitSums(actor_index, ranks=True)
    with (
        PartWriter(folder, part_list, SCHEMA) as own,
        PartWriter(shared_folder, shared_list, SCHEMA) as shared,
    ):
        for t in streams:
            arrow = pa.Table.from_pandas(t[SCHEMA.names], schema=SCHEMA, preserve_index=False)
            blocks = t["doc_rank"].to_numpy() // int(part_articles)
            cuts = np.flatnonzero(blocks[1:] != blocks[:-1]) + 1
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(blocks)], strict=True):
                if hi > lo:
                    out = own if int(blocks[lo]) in blocks_own else shared
                    out.write(blocks[lo], arrow.slice(lo, hi - lo))
            sums.add(t)
    return sums


def merge_shared_parts(shared_lists, doc_index: pd.Index, folder, part_list) -> int:
    """Merge the shards' shared parts (:func:`write_shard`) block by block into the dataset
    ``folder``: each block's rows of every shard in (doc_id, sent_id, actor) order, as one job
    merging all shards writes them; the part list ``part_list`` names the parts written.
    Returns the number of parts."""
    by_block: dict[str, list[str]] = {}
    for path in shared_lists:
        for part in read_part_list(path)["parts"]:
            by_block.setdefault(Path(part["file"]).name, []).append(part["file"])
    with PartWriter(folder, part_list, SCHEMA) as out:
        for name in sorted(by_block):
            t = pa.concat_tables([pq.read_table(f).cast(SCHEMA) for f in by_block[name]])
            rank = doc_index.get_indexer(t.column("doc_id").to_numpy(zero_copy_only=False))
            t = t.take(pa.array(np.argsort(rank, kind="stable")))
            out.write(part_block(name), t)
    return len(by_block)


def empty_part_list(path) -> None:
    """A part list naming no part (the dataset's schema)."""
    write_part_list(path, [], SCHEMA)
