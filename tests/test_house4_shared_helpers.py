"""Helpers that replaced repeated code (duplicates review): the coordinate ascent shared by the
frame weights and the per-frame thresholds, the coded-table join of the two actor-sentiment
rules, and the Parquet writers' close-or-abort context."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from newslens.actor_sentiment import join_coded_to_corpus
from newslens.frames_calibrate import coordinate_ascent
from newslens.runtime import NewslensError


def test_coordinate_ascent_known_answer_and_ties():
    target = np.array([2.0, 3.0, 0.0])
    x = np.zeros(3)
    out = coordinate_ascent(x, [1.0, 0.0, 2.0, 3.0, 4.0], lambda v: -((v - target) ** 2).sum())
    assert out is x and out.tolist() == [2.0, 3.0, 0.0]
    # equal scores: the first candidate in the given order wins
    flat = coordinate_ascent(np.full(2, 9.0), [0.5, 0.2], lambda v: 1.0)
    assert flat.tolist() == [0.5, 0.5]
    # a gain of no more than 1e-12 does not count
    tiny = coordinate_ascent(np.zeros(1), [0.0, 1.0], lambda v: 1e-13 * v[0], passes=1)
    assert tiny.tolist() == [0.0]


def _coded_tables():
    coded = pd.DataFrame(
        {"doc_id": ["a", "a", "zz"], "actor": ["X", "Y", "X"], "label": ["positive"] * 3}
    ).assign(line=[2, 3, 4])
    pairs = pd.DataFrame(
        {
            "doc_id": ["a"],
            "actor": ["X"],
            "n_mentions": [2],
            "n_sentences": [2],
            "doc_sentences": [5],
            "article_compound": [0.3],
            "sentences_compound": [0.5],
            "window_compound": [0.4],
            "distance_compound": [0.45],
        }
    )
    docs = pd.DataFrame({"doc_id": ["a"], "compound": [0.3], "n_sentences": [5]})
    return coded, pairs, docs


def test_join_coded_to_corpus_warns_with_lines_and_keeps_the_rest(caplog):
    coded, pairs, docs = _coded_tables()
    with caplog.at_level(logging.WARNING, logger="newslens"):
        items, status = join_coded_to_corpus(
            coded, pairs, docs, "gold.csv", "sentiment.actor_validation", "gold", "left out here"
        )
    assert status["status"].tolist() == ["named", "never_named", "article_not_in_corpus"]
    assert items["actor"].tolist() == ["X", "Y"] and items["n_mentions"].tolist() == [2, 0]
    assert (
        "gold.csv: 1 gold row(s) name an article that is not in the corpus (file lines 4); "
        "left out here" in caplog.text
    )


def test_join_coded_to_corpus_stops_when_no_article_is_in_the_corpus():
    coded, pairs, docs = _coded_tables()
    with pytest.raises(NewslensError) as err:
        join_coded_to_corpus(coded.iloc[2:], pairs, docs, "coded.csv", "sentiment.actor_supervised")
    assert str(err.value) == (
        "coded.csv: none of the coded doc_ids is an article of the corpus; check config key "
        "sentiment.actor_supervised.doc_id_column and the corpus ids (tables/documents.csv)."
    )


def test_row_group_writer_closes_or_aborts_as_a_context(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from newslens.shards import RowGroupWriter

    schema = pa.schema([("x", pa.int64())])
    with RowGroupWriter(tmp_path / "ok.parquet", schema, rows=2) as w:
        w.write_table(pa.table({"x": [1, 2, 3]}, schema=schema))
    got = pq.ParquetFile(tmp_path / "ok.parquet")
    assert got.read().column("x").to_pylist() == [1, 2, 3] and got.num_row_groups == 2
    # on an error the file is closed with the full row groups only (the pending row is dropped)
    with pytest.raises(ValueError), RowGroupWriter(tmp_path / "bad.parquet", schema, 2) as w:
        w.write_table(pa.table({"x": [1, 2, 3]}, schema=schema))
        raise ValueError("stop")
    assert pq.read_table(tmp_path / "bad.parquet").column("x").to_pylist() == [1, 2]
