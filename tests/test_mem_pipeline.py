"""The memory-bounded jobs in the pipeline (tokens_tokenize's n-gram table, actor_articles,
frames_gather with the shards' paragraph-position sums): the same bytes with 2 and 3 shards, and
tables equal to known answers computed here in one pass over the whole corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from shard_runs import ARTICLES, shared_runs

TABLES = [
    "frames_paragraphs/_manifest.json",
    "frames_positions.csv",
    "frames_codebook_diagnostics.csv",
    "sentiment_actor_articles.csv",
    "ngram_frequencies.csv",
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The shared small corpus (48 articles, blocks of 5) run with 2 and 3 shards."""
    return shared_runs(tmp_path_factory)


def test_same_bytes_with_2_and_3_shards(runs):
    for name in TABLES:
        a = (runs[2] / "results" / "tables" / name).read_bytes()
        assert a == (runs[3] / "results" / "tables" / name).read_bytes(), name
    # the paragraph dataset's part files too (written by the frames_sentences jobs)
    parts = {s: sorted((runs[s] / "results/tables/frames_paragraphs").glob("part-*")) for s in runs}
    assert [p.name for p in parts[2]] == [p.name for p in parts[3]] and len(parts[2]) >= 5
    for a, b in zip(parts[2], parts[3], strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_positions_are_the_paragraph_table_by_position(runs):
    tables = runs[3] / "results" / "tables"
    paras = pd.read_parquet(tables / "frames_paragraphs")
    positions = pd.read_csv(tables / "frames_positions.csv")
    cfg = yaml.safe_load((runs[3] / "config" / "config.yaml").read_text())
    max_pos = cfg["framing"]["figures"]["max_paragraphs"]
    pos = paras["para_id"].clip(upper=max_pos - 1)
    shares = [c for c in paras.columns if c.startswith("share_")]
    want = paras[shares].groupby(pos).mean()
    assert positions["n_paragraphs"].tolist() == pos.value_counts().sort_index().tolist()
    assert (positions["n_documents"] == paras["doc_id"].nunique()).all()
    assert len(paras) > 100 and paras["doc_id"].nunique() == ARTICLES == 48
    np.testing.assert_allclose(positions[shares].to_numpy(), want.to_numpy(), atol=1e-12)


def test_actor_pairs_are_one_pass_over_the_corpus(runs):
    from newslens.actor_sentiment import actor_article_scores, add_unnamed_targets

    interim = runs[2] / "results" / "interim"

    def whole(folder, columns=None):
        return pd.concat(
            [
                pd.read_parquet(p, columns=columns)
                for p in sorted((interim / folder).glob("*.parquet"))
            ],
            ignore_index=True,
        )

    cfg = yaml.safe_load((runs[2] / "config" / "config.yaml").read_text())
    sc = cfg["sentiment"]["actor_scores"]
    neg, pos = sc["thresholds"]["negative"], sc["thresholds"]["positive"]
    scores = whole("sentiment", ["doc_id", "sent_id", "compound"])
    pairs = actor_article_scores(
        scores,
        whole("actors", ["doc_id", "sent_id", "actor", "start", "end"]),
        method=sc["method"],
        window=sc["window"],
        decay=sc["decay"],
        prior_weight=sc["prior_weight"],
        negative=neg,
        positive=pos,
        variants=sc["variants"],
    )
    pairs = add_unnamed_targets(pairs, whole("actor_targets"), scores, neg, pos)
    want = pairs.sort_values(["doc_id", "actor"], kind="stable").reset_index(drop=True).round(4)
    got = pd.read_csv(runs[2] / "results" / "tables" / "sentiment_actor_articles.csv")
    assert len(got) >= 16 and set(got["actor"]) >= {"NATO", "Russia", "Armenia"}
    assert got[["doc_id", "actor", "label"]].equals(want[["doc_id", "actor", "label"]])
    np.testing.assert_allclose(got["score"], want["score"], atol=1e-9)


def test_ngram_table_counts_the_token_dataset(runs):
    tables = runs[3] / "results" / "tables"
    ngrams = pd.read_csv(tables / "ngram_frequencies.csv", keep_default_na=False)
    tokens = pd.read_parquet(tables / "tokens", columns=["doc_id", "sent_id", "term", "keep"])
    kept = tokens[tokens["keep"]].reset_index(drop=True)
    # bigrams of consecutive kept terms within a sentence, counted here in one pass
    same = (kept["doc_id"].shift(-1) == kept["doc_id"]) & (
        kept["sent_id"].shift(-1) == kept["sent_id"]
    )
    bigrams = (kept["term"] + " " + kept["term"].shift(-1))[same]
    got = ngrams[ngrams["n"] == 2].set_index("ngram")["count"]
    top = bigrams.value_counts()
    top = top[top >= got.min()]
    assert len(top) > 20
    assert got.reindex(top.index).tolist() == top.tolist()
