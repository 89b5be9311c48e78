"""The whole-corpus jobs split in two so both cores work (corpus_tables | corpus_ngrams,
sentiment_tables | sentiment_paragraphs; the frame paragraph dataset) and the actor
sentence dataset: the same bytes with 2 and 3 shards, and tables that agree with the
per-row datasets they summarise (known answers computed here from the datasets)."""

from __future__ import annotations

import pandas as pd
import pytest
from shard_runs import ARTICLES, TABLES, shared_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The gather outputs of the shared small corpus (48 articles, blocks of 5) with 2 and 3
    shards."""
    dirs = shared_runs(tmp_path_factory)
    return {shards: workdir / "results" / "tables" for shards, workdir in dirs.items()}


def test_gathered_tables_identical_with_2_and_3_shards(runs):
    for name in TABLES:
        assert (runs[2] / name).read_bytes() == (runs[3] / name).read_bytes(), name
    parts = {
        s: sorted((runs[s] / "sentiment_actor_sentences").glob("part-*.parquet")) for s in runs
    }
    assert [p.name for p in parts[2]] == [p.name for p in parts[3]]
    assert len(parts[2]) >= 5  # blocks of 5 of the 48 articles in doc_id order
    for a, b in zip(parts[2], parts[3], strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_paragraph_tables_follow_the_datasets_in_corpus_order(runs):
    tables = runs[3]
    docs = pd.read_csv(tables / "documents.csv", keep_default_na=False)
    paragraphs = pd.read_parquet(tables / "paragraphs")
    sentences = pd.read_parquet(tables / "sentiment_sentences", columns=["doc_id", "para_id"])
    want = paragraphs[["doc_id", "para_id"]].reset_index(drop=True)
    for name in ("sentiment_paragraphs", "frames_paragraphs"):
        got = pd.read_parquet(tables / name)  # the partitioned dataset, read as one table
        # one row per paragraph with a sentence, in corpus order (documents.csv, then para_id)
        have = sentences.drop_duplicates().reset_index(drop=True)
        assert got[["doc_id", "para_id"]].astype({"doc_id": str}).equals(have), name
        assert set(map(tuple, have.values)) <= set(map(tuple, want.values))
        assert got["doc_id"].drop_duplicates().tolist() == docs["doc_id"].tolist()
    sent = pd.read_parquet(tables / "sentiment_paragraphs")
    per_para = sentences.groupby(["doc_id", "para_id"], sort=False).size().to_numpy()
    assert sent["n_sentences"].tolist() == per_para.tolist()


def test_term_table_counts_the_token_dataset(runs):
    tables = runs[2]
    terms = pd.read_csv(tables / "term_frequencies.csv", keep_default_na=False)
    tokens = pd.read_parquet(tables / "tokens", columns=["doc_id", "term", "keep"])
    kept = tokens[tokens["keep"]]
    counts = kept["term"].value_counts()
    got = terms.set_index("term")["count"]
    assert got.sum() == len(kept) > 1000
    assert got.to_dict() == counts.to_dict()
    doc_freq = kept.drop_duplicates(["doc_id", "term"])["term"].value_counts()
    assert terms.set_index("term")["doc_freq"].to_dict() == doc_freq.to_dict()
    docs = pd.read_csv(tables / "documents.csv", keep_default_na=False)
    assert len(docs) == ARTICLES == 48 and docs["n_tokens"].sum() == len(tokens)


def test_actor_dataset_of_the_run(runs):
    table = pd.read_parquet(runs[2] / "sentiment_actor_sentences")
    both = table[table["actor"].isin(["NATO", "Russia"]) & (table["n_actors"] == 2)]
    alone = table[(table["actor"] == "Armenia") & table["alone"]]
    assert both["doc_id"].nunique() >= 10 and alone["doc_id"].nunique() >= 10
    assert table[["doc_id", "sent_id", "actor"]].equals(
        table[["doc_id", "sent_id", "actor"]].sort_values(["doc_id", "sent_id", "actor"])
    )
