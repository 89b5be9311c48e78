"""sent4: the paragraph sentiment table is a partitioned dataset written by the sentiment_score
jobs (results/tables/sentiment_paragraphs/part-*.parquet), which also compute the article and
paragraph units (there is no sentiment_units or sentiment_paragraphs job any more).

Read back, the dataset is the former sentiment_paragraphs.csv: every paragraph with a sentence in
corpus order, its values the bootstrap units of its sentences (renamed, rounded to 4 decimals),
here recomputed from the sentence dataset; the CSV twin (tokenize.csv_tables) prints them as
pandas does. On the seed run and on a small corpus in 2 and 3 shards."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import yaml
from newslens.sentiment import document_label, within_unit_ci
from newslens.sentiment_gather import RENAME
from newslens.shards import dataset_parts
from shard_runs import shared_runs


def expected_paragraphs(workdir) -> pd.DataFrame:
    """The paragraph table as the former gather job wrote it, from the run's sentence dataset
    (corpus order) and config: one row per (doc_id, para_id) with a sentence, in order."""
    cfg = yaml.safe_load((workdir / "config" / "config.yaml").read_text(encoding="utf-8"))
    boot, th = cfg["sentiment"]["bootstrap"], cfg["sentiment"]["thresholds"]
    sentences = pd.read_parquet(workdir / "results" / "tables" / "sentiment_sentences")
    table = within_unit_ci(
        sentences, ["doc_id", "para_id"], boot["resamples"], boot["seed"], boot["confidence"]
    )
    table["label"] = document_label(table["compound"], th["negative"], th["positive"])
    # groupby(sort=False) keeps the order of first appearance: corpus order, then para_id
    return table.rename(columns=RENAME).round(4)


def read_dataset(workdir) -> pd.DataFrame:
    return pd.read_parquet(workdir / "results" / "tables" / "sentiment_paragraphs")


def test_seed_dataset_is_the_former_csv(seed_run):
    got = read_dataset(seed_run)
    want = expected_paragraphs(seed_run)
    assert len(got) == len(want) == 13
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_dtype=False)
    assert got["n_sentences"].sum() == 25
    assert str(got["para_id"].dtype) == "int64" and str(got["n_sentences"].dtype) == "int64"
    # the CSV twin: the rows pandas prints for that table
    csv = (seed_run / "results" / "tables" / "sentiment_paragraphs.csv").read_text()
    assert csv == want.to_csv(index=False, lineterminator="\n")
    assert pd.read_csv(io.StringIO(csv))["para_id"].tolist() == list(range(13))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return shared_runs(tmp_path_factory)


def test_sharded_dataset_is_the_former_table_with_2_and_3_shards(runs):
    tables = {s: w / "results" / "tables" for s, w in runs.items()}
    want = expected_paragraphs(runs[2]).reset_index(drop=True)
    assert len(want) > 48  # the 48 articles have several paragraphs each
    for shards, workdir in runs.items():
        got = read_dataset(workdir)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        docs = pd.read_csv(tables[shards] / "documents.csv", keep_default_na=False)
        assert got["doc_id"].drop_duplicates().tolist() == docs["doc_id"].tolist()
    # the same parts, byte for byte, and one per part of the sentence table
    parts = {s: dataset_parts(tables[s] / "sentiment_paragraphs/_manifest.json") for s in runs}
    sentence_parts = dataset_parts(tables[2] / "sentiment_sentences/_manifest.json")
    assert [p.name for p in parts[2]] == [p.name for p in parts[3]]
    assert [p.name for p in parts[2]] == [p.name for p in sentence_parts]
    assert len(parts[2]) >= 5  # blocks of 5 of the 48 articles
    for a, b in zip(parts[2], parts[3], strict=True):
        assert a.read_bytes() == b.read_bytes()
    manifest = json.loads((tables[3] / "sentiment_paragraphs/_manifest.json").read_text())
    assert manifest["rows"] == len(want)
    # each part holds the paragraphs of the articles of the sentence part of the same name
    for part, sentence_part in zip(parts[3], sentence_parts, strict=True):
        ids = pd.read_parquet(part)["doc_id"].drop_duplicates().tolist()
        assert ids == pd.read_parquet(sentence_part)["doc_id"].drop_duplicates().tolist()


def test_no_unit_or_paragraph_gather_jobs_remain(runs):
    workdir = runs[2]
    assert not (workdir / "results" / "benchmarks" / "sentiment_units").exists()
    assert not (workdir / "results" / "benchmarks" / "sentiment_paragraphs.tsv").exists()
    lists = sorted((workdir / "results" / "interim" / "sentiment_paragraphs").glob("*.json"))
    assert [p.name for p in lists] == ["1-of-2.json", "2-of-2.json"]
    assert sum(json.loads(p.read_text())["rows"] for p in lists) == len(read_dataset(workdir))
