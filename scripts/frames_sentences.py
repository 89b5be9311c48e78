"""Codebook frames for one corpus shard: sentences, hits, paragraphs, articles, examples
(rule frames_sentences). Streams the shard in batches of whole articles, so memory does not grow
with the shard. The frame sentences and paragraphs are partitioned tables (newslens.shards):
this job writes their parts; with the paragraphs, their exact paragraph-position sums (JSON),
which frames_gather adds up over the shards. Actors x frames are counted here too, from the
sentences of each batch as they are classified (the shard's actor mentions read first), and
summed over the shards by rule frames_actors."""

import json
import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
from newslens.codebook import Codebook, Matcher, get_normalizer
from newslens.frames_actors import ShardActorCounter, target_actors
from newslens.frames_merge import PandasArrow, PositionSums, arrow_table, part_batches, pieces
from newslens.framing import (
    merge_examples,
    merge_hit_counts,
    regex_hit_mask,
    shard_tables,
)
from newslens.runtime import ParquetShardWriter, atomic_path, run, write_table
from newslens.shards import PartWriter, dataset_schema

log = logging.getLogger("newslens")
COLUMNS = ["doc_id", "para_id", "sent_id", "text"]


def frame_sentence_schema(empty: pd.DataFrame) -> pa.Schema:
    """The fixed Arrow types of the frame sentence table (an all-missing column in one part
    must not change its type): ids and labels text, counts integers, scores and shares floats."""
    text, ints = {"doc_id", "labels", "primary_frame"}, {"para_id", "sent_id", "n_words"}
    ints.add("n_frames_hit")
    return pa.schema(
        [
            (c, pa.large_string() if c in text else pa.int64() if c in ints else pa.float64())
            for c in empty.columns
        ]
    )


def frame_paragraph_schema(empty: pd.DataFrame) -> pa.Schema:
    """The fixed Arrow types of the frame paragraph table: ids and labels text, counts
    integers, shares floats."""
    text = {"doc_id", "primary_frame", "labels"}
    ints = {"para_id", "n_sentences", "n_words", "n_framed_sentences"}
    return pa.schema(
        [
            (c, pa.large_string() if c in text else pa.int64() if c in ints else pa.float64())
            for c in empty.columns
        ]
    )


def write_actor_tables(actors: ShardActorCounter, smk) -> None:
    """Actors x frames of the shard (summed over the shards by frames_actors) and the actors its
    per-article targets list (rows of zeros when never named)."""
    counts = actors.counts(smk.output.sentences)
    write_table(counts, smk.output.actor_counts)
    named = target_actors(smk.input.actor_targets)
    with atomic_path(Path(smk.output.actor_targets)) as tmp:
        tmp.write_text(json.dumps(named, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("%d actor x frame rows, %d target actors", len(counts), len(named))


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    p = dict(smk.params.options)
    matcher = Matcher(cb)
    normalizer = get_normalizer(cb.normalize, cb.language)
    # the tables of an empty shard (written when no batch has rows), typed like the input
    schema = dataset_schema(smk.input.sentences)
    empty_input = schema.empty_table().select(COLUMNS).to_pandas()
    empty = shard_tables(empty_input, cb, matcher, normalizer, p)
    out = smk.output
    examples, counts, regex_hits = [], [], []
    positions = PositionSums(int(smk.params.max_paragraphs))
    actors = ShardActorCounter(smk.input.actors, cb, int(smk.params.actor_batch_rows))
    n_sent = n_docs = n_framed = n_hits = n_negated = 0
    sentence_schema = frame_sentence_schema(empty[0])
    paragraph_schema = frame_paragraph_schema(empty[2])
    # hits and articles: Arrow tables of the first one's schema (newslens.frames_merge)
    hits_arrow, documents_arrow = PandasArrow(), PandasArrow()
    with (
        # the frame sentences are a partitioned table (newslens.shards): one part per part
        # of the corpus sentences, same name, in results/tables/frames_sentences/
        PartWriter(smk.params.table, out.sentences, sentence_schema) as sentences_w,
        ParquetShardWriter(out.hits, empty[1]) as hits_w,
        # the frame paragraphs too, in results/tables/frames_paragraphs/
        PartWriter(smk.params.paragraphs_table, out.paragraphs, paragraph_schema) as paragraphs_w,
        ParquetShardWriter(out.documents, empty[3]) as documents_w,
    ):
        batches = part_batches(smk.input.sentences, int(smk.params.batch_rows), COLUMNS)
        for sentences, block, last in batches:
            table, hits, paras, docs, ex, cnt = shard_tables(sentences, cb, matcher, normalizer, p)
            sentences_w.write(block, arrow_table(table, sentence_schema))
            actors.add(table)
            regex = regex_hit_mask(hits, cb)
            for piece in pieces(hits[~regex], last):
                hits_w.write(hits_arrow(piece))
            if regex.any():
                regex_hits.append(hits[regex])
            paragraphs_w.write(block, arrow_table(paras, paragraph_schema))
            for piece in pieces(paras, last):
                if len(piece):  # whole articles: the piece starts its distinct doc_ids
                    positions(piece)
            for piece in pieces(docs, last):
                documents_w.write(documents_arrow(piece))
            examples.append(ex)
            counts.append(cnt)
            n_sent, n_docs = n_sent + len(table), n_docs + len(docs)
            n_framed += int((table["share_none"] < 1).sum())
            if len(hits):
                negated = hits["negated"].astype(bool)
                n_hits, n_negated = n_hits + int((~negated).sum()), n_negated + int(negated.sum())
        # regex hits after all term hits, frame by frame, as one pass over the shard orders them
        if regex_hits:
            regex_hits = pd.concat(regex_hits, ignore_index=True)
            rank = {f: k for k, f in enumerate(matcher.frame_regex)}
            order = regex_hits["frame"].map(rank).to_numpy().argsort(kind="stable")
            hits_w.write(hits_arrow(regex_hits.iloc[order]))
    log.info(
        "%d sentences, %d articles: %d indicator hits (%d negated), %.1f%% of sentences framed",
        n_sent,
        n_docs,
        n_hits,
        n_negated,
        100 * n_framed / n_sent if n_sent else 0.0,
    )
    write_table(merge_hit_counts(counts) if counts else empty[5], out.counts)
    write_table(merge_examples(examples, cb, int(p["n_examples"])), out.examples)
    with atomic_path(Path(out.positions)) as tmp:
        tmp.write_text(json.dumps(positions.to_json()), encoding="utf-8")
    write_actor_tables(actors, smk)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
