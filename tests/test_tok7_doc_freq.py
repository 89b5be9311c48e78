"""The document frequencies of the n-gram counting deduplicated in pieces (tok6's cut, taken by
tok7): equal to a plain count of distinct (n-gram, document) pairs, sorted or not, and
batch_ngrams' output with small, default and no pieces."""

import numpy as np
import pandas as pd
from newslens import tokenize
from newslens.tokenize import _doc_freq, batch_ngrams


def plain_doc_freq(inverse, docs, size):
    out = np.zeros(size, dtype=np.int64)
    for g, _d in set(zip(inverse.tolist(), docs.tolist(), strict=True)):
        out[g] += 1
    return out


def test_doc_freq_pieces_equal_plain_count():
    rng = np.random.default_rng(6)
    for n_rows, n_ids, n_docs in ((50_000, 3_000, 400), (40_000, 40, 7), (9_000, 9_000, 1)):
        inverse = rng.integers(0, n_ids, n_rows).astype(np.int64)
        docs = np.sort(rng.integers(0, n_docs, n_rows)).astype(np.int64)
        expected = plain_doc_freq(inverse, docs, n_ids)
        assert (_doc_freq(inverse, docs, n_ids) == expected).all()
        shuffled = rng.permutation(n_rows)  # documents out of order: one hash table
        got = _doc_freq(inverse[shuffled], docs[shuffled], n_ids)
        assert (got == expected).all()
        assert int(expected.sum()) == len(set(zip(inverse.tolist(), docs.tolist(), strict=True)))


def test_batch_ngrams_doc_freq_with_small_pieces(monkeypatch):
    rng = np.random.default_rng(16)
    n_tok = 30_000
    local = pd.factorize(rng.zipf(1.3, n_tok) % 5_000)[0].astype(np.int64)
    sent = np.cumsum(rng.random(n_tok) < 0.08)
    doc = np.cumsum(rng.random(n_tok) < 0.01)
    for n in (1, 2, 3):
        big = batch_ngrams(local, sent, doc, n)
        monkeypatch.setattr(tokenize, "DOC_FREQ_ROWS", 97)
        small = batch_ngrams(local, sent, doc, n)
        monkeypatch.setattr(tokenize, "DOC_FREQ_ROWS", 1 << 40)
        whole = batch_ngrams(local, sent, doc, n)
        monkeypatch.undo()
        for a, b, c in zip(big, small, whole, strict=True):
            assert np.array_equal(a, b) and np.array_equal(a, c)
        # doc_freq by a plain count over the n-grams' rows
        m = n_tok - n + 1
        same = sent[:m] == sent[n - 1 :]
        grams = np.stack([local[j : j + m] for j in range(n)], axis=1)[same]
        docs = doc[:m][same]
        row_of = {tuple(g): i for i, g in enumerate(big[0].tolist())}
        expected = np.zeros(len(big[0]), dtype=np.int64)
        for g, _d in set(zip(map(tuple, grams.tolist()), docs.tolist(), strict=True)):
            expected[row_of[g]] += 1
        assert np.array_equal(big[2], expected)
        assert int(big[1].sum()) == len(grams)
