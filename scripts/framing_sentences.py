"""Codebook frames for one corpus shard: sentences, hits, paragraphs, articles, examples
(rule frames_sentences)."""

import json
import logging

from newslens.codebook import Codebook, Matcher, get_normalizer
from newslens.framing import aggregate, classify_sentences, example_sentences, hit_counts
from newslens.runtime import read_parquet, run, write_table

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    sentences = read_parquet(smk.input.sentences, columns=["doc_id", "para_id", "sent_id", "text"])
    p = dict(smk.params.options)
    matcher = Matcher(cb)
    normalizer = get_normalizer(cb.normalize, cb.language)
    table, hits = classify_sentences(sentences, cb, matcher, normalizer, p)
    paras = aggregate(table, ["doc_id", "para_id"], cb, p["doc_min_share"], p["doc_max_labels"])
    docs = aggregate(table, ["doc_id"], cb, p["doc_min_share"], p["doc_max_labels"])
    examples = example_sentences(table, sentences, cb, int(p["n_examples"]))
    counts = hit_counts(hits)
    log.info(
        "%d sentences, %d articles: %d indicator hits (%d negated), %.1f%% of sentences framed",
        len(table),
        len(docs),
        int((~hits["negated"].astype(bool)).sum()) if len(hits) else 0,
        int(hits["negated"].astype(bool).sum()) if len(hits) else 0,
        100 * float((table["share_none"] < 1).mean()) if len(table) else 0.0,
    )
    write_table(table, smk.output.sentences)
    write_table(
        hits.astype({"para_id": "int64", "sent_id": "int64"}) if len(hits) else hits,
        smk.output.hits,
    )
    write_table(paras, smk.output.paragraphs)
    write_table(docs, smk.output.documents)
    write_table(counts, smk.output.counts)
    write_table(examples, smk.output.examples)


run(main, snakemake)
