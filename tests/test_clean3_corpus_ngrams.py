"""corpus_ngrams' tables do not depend on how the corpus's n-gram counts are split into shards:
the same counts dealt to 1, 2 or 4 shard files (documents disjoint: counts and document
frequencies add up), summed in memory or spilled to hash partitions, give the same bytes of
term_frequencies.csv, ngram_frequencies.csv and collocations.csv, with known totals."""

import random
import runpy

import pandas as pd
import pytest
from conftest import REPO
from newslens import corpus_tables

COLLOCATIONS = {"measure": "likelihood_ratio", "min_freq": 2, "top_n": 15}


class Smk:
    def __init__(self, **parts):
        self.__dict__.update(parts)


class Files(dict):
    __getattr__ = dict.__getitem__


def corpus_counts(n_docs: int = 60, seed: int = 7) -> list[pd.DataFrame]:
    """Per-document n-gram counts (ngram, n, count, doc_freq = 1) of a small random corpus, with
    commas and quotes in some words (CSV quoting) and non-ASCII words."""
    rng = random.Random(seed)
    words = ["war", "peace", "talks", "é-mail", 'say"s', "a,b", "kyiv", "moscow", "the", "of"]
    docs = []
    for _ in range(n_docs):
        tokens = [rng.choice(words) for _ in range(rng.randint(5, 40))]
        counts = {}
        for n in (1, 2, 3):
            for i in range(len(tokens) - n + 1):
                key = (" ".join(tokens[i : i + n]), n)
                counts[key] = counts.get(key, 0) + 1
        docs.append(
            pd.DataFrame(
                [(g, n, c, 1) for (g, n), c in counts.items()],
                columns=["ngram", "n", "count", "doc_freq"],
            )
        )
    return docs


def shard_files(tmp, docs: list[pd.DataFrame], n_shards: int) -> tuple[list, list]:
    """The documents dealt round robin to ``n_shards`` shards: each shard's summed n-gram counts
    (as the tokenize jobs write them) and a documents file with one row per document."""
    ngrams, doc_files = [], []
    for s in range(n_shards):
        mine = docs[s::n_shards]
        summed = (
            pd.concat(mine)
            .groupby(["ngram", "n"], sort=False, as_index=False)[["count", "doc_freq"]]
            .sum()[["ngram", "n", "count", "doc_freq"]]
        )
        path = tmp / f"ngrams-{s + 1}-of-{n_shards}.parquet"
        summed.sample(frac=1, random_state=s).to_parquet(path, index=False)  # any row order
        docs_path = tmp / f"docs-{s + 1}-of-{n_shards}.parquet"
        pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(mine))]}).to_parquet(docs_path)
        ngrams.append(str(path))
        doc_files.append(str(docs_path))
    return ngrams, doc_files


def run_corpus_ngrams(tmp, monkeypatch, ngrams, docs, partition_rows) -> dict[str, bytes]:
    import newslens.runtime

    monkeypatch.setattr(newslens.runtime, "run", lambda main, smk: main(smk))
    defaults = corpus_tables.summed_ngrams.__defaults__
    monkeypatch.setattr(
        corpus_tables.summed_ngrams, "__defaults__", (partition_rows, *defaults[1:])
    )
    out = tmp / f"out-{len(ngrams)}-{partition_rows}"
    smk = Smk(
        input=Files(ngrams=ngrams, docs=docs),
        output=Files(
            terms=str(out / "term_frequencies.csv"),
            ngrams=str(out / "ngram_frequencies.csv"),
            collocations=str(out / "collocations.csv"),
        ),
        params=Smk(collocations=COLLOCATIONS, ngram_min_count=2),
        log=[],
    )
    runpy.run_path(str(REPO / "scripts" / "corpus_ngrams.py"), init_globals={"snakemake": smk})
    return {name: (out / name).read_bytes() for name in sorted(p.name for p in out.glob("*.csv"))}


@pytest.mark.parametrize("partition_rows", [10**9, 50])  # in memory; spilled to partitions
def test_tables_equal_for_one_two_four_shards(tmp_path, monkeypatch, partition_rows):
    docs = corpus_counts()
    results = {}
    for n_shards in (1, 2, 4):
        folder = tmp_path / f"s{n_shards}-{partition_rows}"
        folder.mkdir()
        ngrams, doc_files = shard_files(folder, docs, n_shards)
        results[n_shards] = run_corpus_ngrams(
            folder, monkeypatch, ngrams, doc_files, partition_rows
        )
    assert results[1] == results[2] == results[4]
    assert set(results[1]) == {"collocations.csv", "ngram_frequencies.csv", "term_frequencies.csv"}
    # known totals: every word occurrence and every document with the word
    every = pd.concat(docs)
    terms = pd.read_csv(
        tmp_path / f"s4-{partition_rows}" / f"out-4-{partition_rows}" / "term_frequencies.csv"
    )
    unigrams = every[every["n"] == 1].groupby("ngram")[["count", "doc_freq"]].sum()
    assert terms["count"].sum() == every.loc[every["n"] == 1, "count"].sum()
    assert (
        dict(zip(terms["term"], terms["doc_freq"], strict=True)) == unigrams["doc_freq"].to_dict()
    )
    assert terms["count"].is_monotonic_decreasing
    grams = pd.read_csv(
        tmp_path / f"s4-{partition_rows}" / f"out-4-{partition_rows}" / "ngram_frequencies.csv"
    )
    multi = every[every["n"] >= 2].groupby(["ngram", "n"])["count"].sum()
    assert len(grams) == int((multi >= 2).sum()) > 50
    assert grams["n"].is_monotonic_increasing
    colloc = pd.read_csv(
        tmp_path / f"s4-{partition_rows}" / f"out-4-{partition_rows}" / "collocations.csv"
    )
    assert len(colloc) == COLLOCATIONS["top_n"]
