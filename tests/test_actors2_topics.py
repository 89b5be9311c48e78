"""actors2: topic_counts' ShardCounter numbers the shard's terms once at the end (Arrow) and
gives the terms and matrix of the former dict numbering, batch by batch."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens import topics_matrix as tp
from scipy import sparse


def reference(units, unit, ngram_max, batches):
    """The former numbering: a dict filled with each counted batch's term names in turn."""
    rows_index = pd.Index(units["unit"].astype(str))
    codes: dict[str, int] = {}
    r_all, c_all, d_all = [], [], []
    for b in batches:
        if isinstance(b, pa.Table):
            unit_names, term_names, u, c = tp.arrow_unit_term_codes(b, unit)
        else:
            unit_names, term_names, u, c = tp.unit_term_codes(b, unit, ngram_max)
        if not len(u):
            continue
        term_map = np.array([codes.setdefault(t, len(codes)) for t in term_names], np.int64)
        rows = rows_index.get_indexer(unit_names)[u]
        ok = rows >= 0
        r_all.append(rows[ok])
        c_all.append(term_map[c[ok]])
        d_all.append(np.ones(ok.sum(), np.float32))
    n, v = len(units), len(codes)
    if not r_all:
        return list(codes), sparse.csr_matrix((n, v), dtype=np.float32)
    mat = sparse.coo_matrix(
        (np.concatenate(d_all), (np.concatenate(r_all), np.concatenate(c_all))), shape=(n, v)
    ).tocsr()
    mat.sum_duplicates()
    return list(codes), mat


def token_batches(rng, docs, n_batches, vocabulary):
    out, tok = [], 0
    for _ in range(n_batches):
        n = int(rng.integers(0, 30))
        doc = sorted(rng.choice(docs, n)) if n else []
        out.append(
            pd.DataFrame(
                {
                    "doc_id": pd.Series(doc, dtype=object),
                    "para_id": rng.integers(0, 2, n),
                    "sent_id": np.zeros(n, dtype=np.int64),
                    "tok_id": np.arange(tok, tok + n),
                    "term": rng.choice(vocabulary, n),
                    "keep": rng.random(n) < 0.85,
                }
            )
        )
        tok += n
    return out


VOCABULARY = np.array(["war", "peace", "", "ärger", "talks", "a b", "war ", "Peace", "x"])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("unit", ["article", "paragraph"])
@pytest.mark.parametrize("arrow", [False, True])
def test_terms_and_matrix_equal_the_dict_numbering(seed, unit, arrow):
    rng = np.random.default_rng(seed)
    docs = [f"d{i}" for i in range(6)]
    batches = token_batches(rng, docs, 6, VOCABULARY)
    # units: all but one article (a dropped duplicate: its tokens are left out)
    paragraphs = pd.DataFrame({"doc_id": np.repeat(docs, 2), "para_id": np.tile([0, 1], 6)})
    documents = pd.DataFrame({"doc_id": docs[:-1]})
    units = tp.unit_index(paragraphs, documents, unit)
    if arrow:
        batches = [pa.Table.from_pandas(b, preserve_index=False) for b in batches]
    counter = tp.ShardCounter(units, unit, 1)
    for b in batches:
        counter.add(b)
    mat = counter.matrix()
    terms, ref = reference(units, unit, 1, batches)
    assert counter.terms == terms
    assert mat.shape == ref.shape
    np.testing.assert_array_equal(mat.indptr, ref.indptr)
    np.testing.assert_array_equal(mat.indices, ref.indices)
    np.testing.assert_array_equal(mat.data, ref.data)


@pytest.mark.parametrize("seed", range(3))
def test_ngrams_equal_the_dict_numbering(seed):
    rng = np.random.default_rng(10 + seed)
    docs = [f"d{i}" for i in range(4)]
    batches = list(tp.whole_articles(token_batches(rng, docs, 5, VOCABULARY)))
    units = tp.unit_index(pd.DataFrame(), pd.DataFrame({"doc_id": docs}), "article")
    counter = tp.ShardCounter(units, "article", 3)
    for b in batches:
        counter.add(b)
    mat = counter.matrix()
    terms, ref = reference(units, "article", 3, batches)
    assert counter.terms == terms
    assert any(" " in t for t in terms[1:])  # n-grams are counted
    assert (mat != ref).nnz == 0


def test_no_tokens_and_terms_before_matrix():
    units = tp.unit_index(pd.DataFrame(), pd.DataFrame({"doc_id": ["a", "b"]}), "article")
    counter = tp.ShardCounter(units, "article", 1)
    with pytest.raises(ValueError, match="after matrix"):
        counter.terms  # noqa: B018
    counter.add(pd.DataFrame({"doc_id": [], "term": [], "keep": []}))
    mat = counter.matrix()
    assert mat.shape == (2, 0) and counter.terms == []
