"""The topic chain's fast paths give the same numbers as the plain code: NPMI co-occurrence
counted only for the pairs of words that share a topic (bit sets per chunk of rows), and the
representatives' paragraphs read without decoding every paragraph's text."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import topics as tp
from newslens.runtime import NewslensError
from newslens.shards import PART_LIST_FORMAT, schema_to_text
from newslens.topics_files import paragraphs_of, snippets
from scipy import sparse


def counts_matrix(n=517, v=60, seed=3):
    """Counts with empty rows, explicit zeros and a few dense columns."""
    rng = np.random.default_rng(seed)
    dense = rng.poisson(0.15, size=(n, v)).astype(np.float32)
    dense[:, :4] += rng.poisson(1.0, size=(n, 4))
    dense[rng.choice(n, 40, replace=False)] = 0  # units without terms
    x = sparse.csr_matrix(dense)
    x.data[::17] = 0  # stored zeros are absent words
    return x


def random_tops(v, seed=5):
    rng = np.random.default_rng(seed)
    return [np.array([rng.permutation(v)[:n] for _ in range(k)]) for k, n in ((3, 10), (7, 6))]


@pytest.mark.parametrize("chunk", [1, 8, 100, 10_000])
def test_pair_cooccurrence_equals_full_cooccurrence_at_every_pair(chunk):
    x = counts_matrix()
    tops = random_tops(x.shape[1])
    words = np.unique(np.concatenate([t.ravel() for t in tops]))
    first, second = tp.topic_pairs(tops, words)
    full = tp.cooccurrence(x, words)
    fast = tp.pair_cooccurrence(x, words, first, second, chunk=chunk, block=7)
    assert np.array_equal(np.diag(fast), np.diag(full))
    for top in tops:
        for row in top:
            for a, b in itertools.combinations(np.searchsorted(words, row), 2):
                assert fast[a, b] == full[a, b] == fast[b, a]
    # the known answer of one pair: units holding both words
    a, b = int(words[first[0]]), int(words[second[0]])
    both = int(((x[:, a].toarray() > 0) & (x[:, b].toarray() > 0)).sum())
    assert fast[first[0], second[0]] == both


def test_topic_coherences_equal_npmi_from_the_full_matrix():
    x = counts_matrix(n=2000, v=80, seed=11)
    tops = random_tops(x.shape[1], seed=2)
    n_units = int((x.getnnz(axis=1) > 0).sum())
    got = tp.topic_coherences(x, n_units, tops)
    words = np.unique(np.concatenate([t.ravel() for t in tops]))
    co = tp.cooccurrence(x, words)
    want = [tp.npmi_from_cooccurrence(co, words, t, n_units) for t in tops]
    for g, w in zip(got, want, strict=True):
        assert g.tobytes() == w.tobytes()  # bit for bit


def test_topic_pairs_each_pair_once_and_single_word_topics():
    words = np.array([2, 5, 9])
    first, second = tp.topic_pairs([np.array([[9, 2], [2, 9]]), np.array([[5]])], words)
    assert first.tolist() == [0] and second.tolist() == [2]
    assert tp.topic_pairs([np.zeros((0, 10), dtype=int)], words)[0].size == 0
    co = tp.pair_cooccurrence(sparse.csr_matrix((4, 10)), words, *tp.topic_pairs([], words))
    assert co.shape == (3, 3) and not co.any()


def write_parts(folder, frames, row_group_size):
    """A part list of Parquet parts (several row groups each) as the pipeline writes them."""
    parts = []
    for i, df in enumerate(frames):
        path = folder / f"part-{i:08d}.parquet"
        table = pa.Table.from_pandas(df, preserve_index=False)
        pq.write_table(table, path, row_group_size=row_group_size)
        parts.append({"file": str(path), "rows": len(df), "sha256": ""})
    body = {
        "format": PART_LIST_FORMAT,
        "rows": sum(p["rows"] for p in parts),
        "parts": parts,
        "schema": schema_to_text(table.schema),
    }
    listing = folder / "list.json"
    listing.write_text(json.dumps(body))
    return listing


def paragraph_table(docs, per_doc=3):
    rows = [(d, p, f"text of {d} paragraph {p}", 1) for d in docs for p in range(per_doc)]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "text", "n_sentences"])


def test_paragraphs_of_reads_the_wanted_articles_in_table_order(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_parts(
        tmp_path / "a",
        [paragraph_table(["d1", "d2", "d3"]), paragraph_table(["d4", "d5"])],
        row_group_size=4,
    )
    second = tmp_path / "b" / "single.parquet"  # a plain Parquet file is read too
    paragraph_table(["d6", "d7"]).to_parquet(second, index=False, row_group_size=2)
    got = paragraphs_of([first, second], ["d7", "d2", "d4", "nowhere", "d2"])
    whole = pd.concat(
        [paragraph_table(["d1", "d2", "d3", "d4", "d5"]), paragraph_table(["d6", "d7"])],
        ignore_index=True,
    )
    want = whole[whole["doc_id"].isin({"d2", "d4", "d7"})][["doc_id", "para_id", "text"]]
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True))
    assert got.empty is False and len(got) == 9
    assert paragraphs_of([first], []).empty
    assert paragraphs_of([first], ["nowhere"]).empty


def test_snippets_of_paragraphs_and_articles(tmp_path):
    listing = write_parts(tmp_path, [paragraph_table(["d1", "d2"], per_doc=2)], row_group_size=3)
    reps = pd.DataFrame({"doc_id": ["d2", "d1"], "para_id": pd.array([1, pd.NA], dtype="Int64")})
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "title": ["First", ""]})
    assert snippets(reps, [listing], docs, 240) == [
        "text of d2 paragraph 1",
        "First — text of d1 paragraph 0",
    ]
    assert snippets(reps, [listing], docs, 12) == ["text of d2 …", "First — …"]
    assert snippets(reps.iloc[:0], [listing], docs, 240) == []


def test_paragraphs_of_names_a_corrupt_part(tmp_path):
    listing = write_parts(tmp_path, [paragraph_table(["d1"])], row_group_size=2)
    (tmp_path / "part-00000000.parquet").write_bytes(b"not parquet")
    with pytest.raises(NewslensError, match="part-00000000.parquet"):
        paragraphs_of([listing], ["d1"])


def test_write_csv_is_write_table_byte_for_byte(tmp_path):
    from newslens.runtime import write_table
    from newslens.topics_files import write_csv

    rng = np.random.default_rng(0)
    units = pd.DataFrame(
        {
            "unit": ["a#0", "a#1", 'b,"x"#0', "c#2", "d#0"],
            "unit_type": "paragraph",
            "doc_id": ["a", "a", 'b,"x"', "c", "d"],
            "para_id": pd.array([0, 1, 0, 2, 0], dtype="Int64"),
            "n_terms": [3, 0, 5, 1, 12],
        }
    )
    share = tp.mixture(rng.random((5, 4)) * (rng.random((5, 4)) > 0.3))
    share[1] = 0.0  # a unit without terms: dominant_topic <NA>
    share[3] = [1.0, 0.0, 0.0, 0.0]
    tables = {
        "documents": tp.documents_table(units, share),
        "articles": tp.articles_table(units, share),
        "articles_no_para": tp.documents_table(
            units.assign(para_id=pd.array([pd.NA] * 5, dtype="Int64"), unit_type="article"), share
        ),
        "labels": pd.DataFrame({"topic": [1, 2], "label": ["war, army", ""], "x": [0.5, 1e-9]}),
        "empty": pd.DataFrame(columns=["topic", "label"]),
    }
    for name, df in tables.items():
        write_table(df, tmp_path / f"{name}_pandas.csv")
        write_csv(df, tmp_path / f"{name}_fast.csv")
        want = (tmp_path / f"{name}_pandas.csv").read_bytes()
        assert (tmp_path / f"{name}_fast.csv").read_bytes() == want, name
    text = (tmp_path / "documents_fast.csv").read_text()
    assert '"b,""x""#0",paragraph,"b,""x""",0,5,' in text
    assert text.splitlines()[2].startswith("a#1,paragraph,a,1,0,0.0,0.0,0.0,0.0,,0.0")
