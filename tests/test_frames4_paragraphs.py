"""The frame paragraph table as a partitioned dataset (results/tables/frames_paragraphs/, written
by the frames_sentences jobs): read back as one table it is the CSV twin (csv_tables) and the
paragraph aggregation of the frame sentences in one pass, in corpus order; its part files and
the position table are the same with 2 and 3 shards."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest
import yaml
from newslens.codebook import Codebook
from newslens.framing import aggregate
from shard_runs import ARTICLES, shared_runs

FIXED = ["doc_id", "para_id", "n_sentences", "n_words", "n_framed_sentences"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The shared small corpus (48 articles, blocks of 5) with 2 and 3 shards."""
    return shared_runs(tmp_path_factory)


def one_pass(workdir) -> pd.DataFrame:
    """The paragraph table as one aggregation of the whole frame sentence dataset (the old
    per-shard aggregation, merged in corpus order, was this table)."""
    tables = workdir / "results" / "tables"
    cb_path = workdir / "results" / "interim" / "frames" / "codebook.json"
    cb = Codebook.from_dict(json.loads(cb_path.read_text(encoding="utf-8")))
    cfg = yaml.safe_load((workdir / "config" / "config.yaml").read_text())["framing"]
    sentences = pd.read_parquet(tables / "frames_sentences")
    return aggregate(
        sentences, ["doc_id", "para_id"], cb, cfg["doc_min_share"], cfg["doc_max_labels"]
    )


def test_seed_dataset_reads_back_as_the_csv(seed_tables):
    dataset = pd.read_parquet(seed_tables / "frames_paragraphs")
    csv = pd.read_csv(seed_tables / "frames_paragraphs.csv", dtype={"doc_id": str})
    assert len(dataset) == len(csv) > 5
    assert list(dataset.columns) == list(csv.columns)
    assert dataset["para_id"].tolist() == list(range(len(dataset)))  # one article, text order
    pd.testing.assert_frame_equal(
        dataset.astype({c: object for c in ("doc_id", "primary_frame", "labels")}),
        csv.astype({c: object for c in ("doc_id", "primary_frame", "labels")}),
        check_dtype=False,
        check_exact=True,
    )
    # the CSV twin prints the dataset as pandas prints it
    want = dataset.to_csv(index=False, lineterminator="\n")
    assert (seed_tables / "frames_paragraphs.csv").read_text(encoding="utf-8") == want
    manifest = json.loads((seed_tables / "frames_paragraphs" / "_manifest.json").read_text())
    assert manifest["rows"] == len(dataset)


def test_dataset_is_one_pass_in_corpus_order(runs):
    for shards, workdir in runs.items():
        tables = workdir / "results" / "tables"
        got = pd.read_parquet(tables / "frames_paragraphs")
        want = one_pass(workdir)
        assert len(got) > 100 and got["doc_id"].nunique() == ARTICLES, shards
        assert (
            got[FIXED]
            .astype({"doc_id": str})
            .equals(
                want[FIXED]
                .astype({"doc_id": str, "para_id": "int64"})
                .astype({c: "int64" for c in FIXED[1:]})
            )
        ), shards
        shares = [c for c in want.columns if c.startswith("share_")]
        np.testing.assert_array_equal(got[shares].to_numpy(), want[shares].to_numpy())
        for c in ("primary_frame", "labels"):
            assert got[c].astype(str).tolist() == want[c].astype(str).tolist(), (shards, c)
        # corpus order: the articles as documents.csv lists them
        docs = pd.read_csv(tables / "documents.csv", keep_default_na=False)
        assert got["doc_id"].drop_duplicates().tolist() == docs["doc_id"].astype(str).tolist()
        # pyarrow reads the folder the same (its part files in name order)
        arrow = ds.dataset(tables / "frames_paragraphs", format="parquet").to_table()
        assert arrow.to_pandas().equals(got)


def test_fixed_types_and_no_csv_by_default(runs):
    tables = runs[2] / "results" / "tables"
    schema = ds.dataset(tables / "frames_paragraphs", format="parquet").schema
    types = {f.name: str(f.type) for f in schema}
    assert types["doc_id"] == types["labels"] == "large_string"
    assert types["para_id"] == types["n_words"] == "int64"
    assert types["share_none"] == "double"
    assert not (tables / "frames_paragraphs.csv").exists()
    positions = pd.read_csv(tables / "frames_positions.csv")
    paragraphs = pd.read_parquet(tables / "frames_paragraphs")
    assert positions["n_paragraphs"].sum() == len(paragraphs)
    # frames_positions.csv is still a small CSV of its own
    assert len(pd.read_csv(io.StringIO((tables / "frames_positions.csv").read_text()))) >= 2
