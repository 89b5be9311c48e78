"""sent8: one path in ``SentenceScorer`` and the units' label flags compared in Arrow.

* ``SentenceScorer.__call__`` is the former pandas-3 ``_table`` path for every table, the empty
  one included: its frame, dtypes and Arrow table (schema, pandas metadata, Parquet bytes)
  equal those of the former general path, kept here as the reference, for the FastVader and
  the NLTK analyzers and for an empty table (whose label column stays ``object``: null type in
  the empty scores file).
* ``indicator_matrix`` on a label column of pandas' string dtype compares in Arrow: the same
  matrix as the element-wise string comparison, missing and unknown labels included.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import sentiment
from newslens.sentiment import SCORE_COLUMNS, SENTENCE_COLUMNS, SentenceScorer, indicator_matrix
from test_sent7_scorer_units import sentences

COLUMNS = ["doc_id", "para_id", "sent_id", "text"]


def reference(scorer: SentenceScorer, sentences: pd.DataFrame) -> pd.DataFrame:
    """The general path of ``SentenceScorer.__call__`` before sent8 (8c9bf63), verbatim."""
    n = len(sentences)
    texts = sentences["text"].fillna("").astype(str) if n else pd.Series([], dtype=object)
    scores = scorer._scores(texts) if n else np.empty((0, 4))
    out = pd.DataFrame(
        {
            "doc_id": sentences["doc_id"].astype(str).to_numpy(dtype=object) if n else [],
            "para_id": sentences["para_id"].to_numpy(dtype=np.int64),
            "sent_id": sentences["sent_id"].to_numpy(dtype=np.int64),
        }
    )
    for j, col in enumerate(SCORE_COLUMNS):
        out[col] = scores[:, j]
    out["label"] = sentiment.label_compound(out["compound"], scorer.negative, scorer.positive)
    out["doc_id"] = out["doc_id"].astype(object)
    return out[SENTENCE_COLUMNS]


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf)
    return buf.getvalue()


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns) == SENTENCE_COLUMNS
    assert got.dtypes.astype(str).tolist() == want.dtypes.astype(str).tolist()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    a = pa.Table.from_pandas(got, preserve_index=False)
    b = pa.Table.from_pandas(want, preserve_index=False)
    assert a.equals(b, check_metadata=True)
    assert parquet_bytes(got) == parquet_bytes(want)


@pytest.mark.parametrize("implementation", ["vadersentiment", "nltk"])
@pytest.mark.parametrize("thresholds", [(-0.05, 0.05), (0.2, 0.1)])
def test_scorer_equals_the_former_general_path(implementation, thresholds):
    df = sentences(120, seed=5)
    got = SentenceScorer(implementation, *thresholds)(df)
    want = reference(SentenceScorer(implementation, *thresholds), df)
    assert_same(got, want)
    assert got["label"].dtype == sentiment._STRING_DTYPE
    counts = got["label"].value_counts().to_dict()
    assert sum(counts.values()) == 120 and set(counts) <= set(sentiment.LABELS)


@pytest.mark.parametrize("implementation", ["vadersentiment", "nltk"])
def test_empty_table_keeps_its_former_frame_and_schema(implementation):
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS})
    got = SentenceScorer(implementation)(empty)
    assert_same(got, reference(SentenceScorer(implementation), empty))
    assert got["label"].dtype == object and got["doc_id"].dtype == object
    schema = pa.Table.from_pandas(got, preserve_index=False).schema
    assert [str(t) for t in schema.types] == ["null", "int64", "int64"] + ["double"] * 4 + ["null"]


def test_the_cache_across_batches_keeps_the_frame():
    df = sentences(300, seed=8)
    scorer, ref = SentenceScorer(cache_size=5), SentenceScorer(cache_size=5)
    for lo in range(0, 300, 70):
        part = df.iloc[lo : lo + 70].reset_index(drop=True)
        assert_same(scorer(part), reference(ref, part))
    assert len(scorer.cache) == len(ref.cache) == 5


def flags_by_strings(df: pd.DataFrame) -> np.ndarray:
    lab = df["label"].to_numpy()
    return np.column_stack(
        [df["compound"].to_numpy(dtype=float)] + [lab == name for name in sentiment.LABELS]
    ).astype(float)


@pytest.mark.parametrize("dtype", ["str", object])
def test_indicator_matrix_equals_the_string_comparison(dtype):
    rng = np.random.default_rng(1)
    values = rng.choice(["negative", "neutral", "positive", "Neutral", "", None], 500)
    df = pd.DataFrame(
        {"compound": rng.uniform(-1, 1, 500), "label": pd.Series(values, dtype=dtype)}
    )
    got = indicator_matrix(df)
    want = np.column_stack(
        [
            df["compound"].to_numpy(),
            values == "negative",
            values == "neutral",
            values == "positive",
        ]
    ).astype(float)
    assert got.dtype == np.float64 and got.shape == (500, 4)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, flags_by_strings(df))
    assert got[:, 1:].sum() == np.isin(values, sentiment.LABELS).sum()


def test_indicator_matrix_of_scored_rows_and_the_units():
    df = sentences(200, seed=2)
    scored = SentenceScorer()(df)
    assert isinstance(scored["label"].dtype, pd.StringDtype)
    np.testing.assert_array_equal(indicator_matrix(scored), flags_by_strings(scored))
    units = sentiment.within_unit_ci(scored, ["doc_id"], 200, 0, 0.95)
    as_objects = scored.assign(label=scored["label"].astype(object))
    pd.testing.assert_frame_equal(
        units, sentiment.within_unit_ci(as_objects, ["doc_id"], 200, 0, 0.95), check_exact=True
    )
    sizes = scored.groupby("doc_id").size()
    assert units["n_sentences"].tolist() == sizes.tolist()
