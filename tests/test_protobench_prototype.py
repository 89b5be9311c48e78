"""The single-script prototype (benchmarks/prototype.py) runs every stage on a tiny corpus and
writes its tables with consistent contents: duplicates dropped, tokens summing to the article
counts, the seed's actors and frames found, one topic assignment per article."""

import sys

import pandas as pd
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from news_corpus import build_news_corpus  # noqa: E402
from prototype import SENT_RE, TOKEN_RE, clean, run  # noqa: E402


@pytest.fixture(scope="module")
def proto(tmp_path_factory):
    corpus = build_news_corpus(40, seed=3)
    seed = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")
    extra = pd.DataFrame(
        [
            {"id": "seed", "text": seed, "outlet": "seed"},
            {"id": "dup", "text": corpus["text"].iloc[0], "outlet": "x"},  # exact duplicate
        ]
    )
    corpus = pd.concat([corpus, extra], ignore_index=True)
    out = tmp_path_factory.mktemp("proto")
    path = out / "corpus.parquet"
    corpus.to_parquet(path, index=False)
    result = run(path, out / "tables", workers=1, k=5, supervised=True)
    return corpus, out / "tables", result


def test_documents_and_dedup(proto):
    corpus, out, result = proto
    docs = pd.read_csv(out / "documents.csv")
    assert result["articles"] == len(corpus) - 1 == len(docs)
    assert "dup" not in set(docs["doc_id"]) and "seed" in set(docs["doc_id"])
    assert docs["topic"].between(0, result["k"] - 1).all()
    assert docs["sentiment"].between(-1, 1).all()


def test_tokens_and_sentences_add_up(proto):
    _, out, result = proto
    docs = pd.read_csv(out / "documents.csv").set_index("doc_id")
    tokens = pd.read_parquet(out / "tokens.parquet")
    sents = pd.read_parquet(out / "sentences.parquet")
    assert len(tokens) == docs["n_tokens"].sum() == result["tokens"]
    assert (
        tokens.groupby("doc_id")
        .size()
        .sort_index()
        .equals(docs["n_tokens"].sort_index().rename(None))
    )
    assert sents.groupby("doc_id").size().sort_index().tolist() == (
        docs["n_sentences"].sort_index().tolist()
    )
    assert (tokens["token"] == tokens["token"].str.lower()).all()


def test_actors_frames_topics(proto):
    _, out, result = proto
    mentions = pd.read_parquet(out / "mentions.parquet")
    seed_actors = set(mentions.loc[mentions["doc_id"] == "seed", "actor"])
    assert {"Armenia", "Azerbaijan"} <= seed_actors
    frames = pd.read_csv(out / "frames_documents.csv")
    assert len(frames) > 0 and (frames["sentences"] > 0).all()
    topics = pd.read_csv(out / "topic_terms.csv")
    assert len(topics) == result["k"] * 20
    assert pd.read_parquet(out / "frames_supervised.parquet")["frame"].notna().all()


def test_clean_and_split():
    paras = clean("A title line\n\nDate of publication: 1 May 2022\n\nFirst one. Second one!\n\n")
    assert paras == ["First one. Second one!"]
    assert SENT_RE.split(paras[0]) == ["First one.", "Second one!"]
    assert TOKEN_RE.findall("don't stop-gap 42") == ["don't", "stop-gap", "42"]
