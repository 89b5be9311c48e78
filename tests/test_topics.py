"""Unit tests of the topic stage's pure functions (small synthetic data)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from newslens import topics as tp
from newslens.runtime import NewslensError
from newslens.topics_synthetic import planted_counts, planted_tokens
from scipy import sparse


def tok(rows):
    """Token rows (doc_id, para_id, sent_id, tok_id, term, keep) as a token table."""
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "tok_id", "term", "keep"])


# ---- units and terms --------------------------------------------------------------------


def test_choose_unit_auto_switches_on_article_count():
    assert tp.choose_unit("auto", 1, 100) == "paragraph"
    assert tp.choose_unit("auto", 100, 100) == "article"
    assert tp.choose_unit("paragraph", 5000, 100) == "paragraph"


def test_unit_terms_counts_and_ngrams_break_at_stopwords_and_sentences():
    t = tok(
        [
            ("a", 0, 0, 0, "prime", True),
            ("a", 0, 0, 1, "minister", True),
            ("a", 0, 0, 2, "", False),  # "of": a stopword breaks the n-gram
            ("a", 0, 0, 3, "armenia", True),
            ("a", 1, 1, 4, "armenia", True),  # new sentence and paragraph
            ("a", 1, 1, 5, "border", True),
        ]
    )
    para = tp.unit_terms(t, "paragraph", ngram_max=2).set_index(["unit", "term"])["count"]
    assert para[("a#0", "prime minister")] == 1
    assert ("a#0", "minister armenia") not in para.index
    assert ("a#0", "armenia armenia") not in para.index  # across the sentence boundary
    assert para[("a#1", "armenia border")] == 1
    art = tp.unit_terms(t, "article", ngram_max=1).set_index("term")["count"]
    assert art["armenia"] == 2 and art.sum() == 5
    assert tp.unit_terms(t.iloc[:0], "article").empty


def test_vocabulary_filters_and_names_the_filter_that_emptied_it():
    stats = pd.DataFrame(
        {"df": [1, 3, 10, 5], "cf": [1, 9, 30, 6]},
        index=pd.Index(["rare", "mid", "everywhere", "other"], name="term"),
    )
    v = tp.select_vocabulary(stats, n_units=10, min_df=2, max_df=0.9)
    assert v["term"].tolist() == ["mid", "other"]
    assert tp.select_vocabulary(stats, 10, 2, 1.0, max_features=1)["term"].tolist() == [
        "everywhere"
    ]
    with pytest.raises(NewslensError, match="topics.min_df"):
        tp.select_vocabulary(stats, 10, min_df=11)
    with pytest.raises(NewslensError, match="topics.max_df"):
        tp.select_vocabulary(stats, 10, min_df=3, max_df=0.2)


def test_dtm_keeps_a_unit_without_tokens_as_a_zero_row():
    t = tok([("a", 0, 0, 0, "x", True), ("a", 0, 0, 1, "y", True), ("b", 0, 0, 0, "x", True)])
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"]})
    units = tp.unit_index(
        pd.DataFrame({"doc_id": ["a", "b", "c"], "para_id": [0, 0, 0]}), docs, "article"
    )
    counts = tp.unit_terms(t, "article")
    vocab = tp.select_vocabulary(tp.merge_term_stats(None, counts), 3, 1, 1.0)
    x = tp.shard_matrix(counts, units, vocab).toarray()
    assert units["unit"].tolist() == ["a", "b", "c"]
    assert x.tolist() == [[1, 1], [1, 0], [0, 0]]


def one_shot_dtm(tokens, units, unit, ngram_max, min_df=2, max_df=0.9, max_features=None):
    """The matrix as topic_dtm built it before streaming: all tokens at once."""
    counts = tp.unit_terms(tokens, unit, ngram_max)
    vocab = tp.select_vocabulary(
        tp.merge_term_stats(None, counts), len(units), min_df, max_df, max_features
    )
    return tp.shard_matrix(counts, units, vocab), vocab


def streamed_dtm(tokens, docs, unit, ngram_max, n_shards, batch_rows, **vocab_kw):
    """topic_counts per shard (tokens dealt round-robin by article, read in small batches),
    then topic_dtm's join: vocabulary from the summed term tables, rows in corpus order."""
    import pyarrow as pa

    order = {d: i for i, d in enumerate(docs)}
    shard_units, mats, terms = [], [], []
    for s in range(n_shards):
        mine = [d for d in docs if order[d] % n_shards == s]
        part = tokens[tokens["doc_id"].isin(mine)].reset_index(drop=True)
        paragraphs = part[["doc_id", "para_id"]].drop_duplicates()
        units = tp.unit_index(paragraphs, pd.DataFrame({"doc_id": mine}), unit)
        units["doc_index"] = units["doc_id"].map(order)
        counter = tp.ShardCounter(units, unit, ngram_max)
        batches = [part.iloc[i : i + batch_rows] for i in range(0, len(part), batch_rows)]
        if ngram_max > 1:
            for batch in tp.whole_articles(batches):
                counter.add(batch)
        else:
            for batch in batches:
                counter.add(pa.Table.from_pandas(batch, preserve_index=False))
        mat = counter.matrix()
        shard_units.append(units)
        mats.append(mat)
        terms.append(tp.shard_term_table(mat, counter.terms))
    units = pd.concat(shard_units, ignore_index=True)
    pos = np.empty(len(units), dtype=np.int64)
    pos[np.argsort(units["doc_index"].to_numpy(), kind="stable")] = np.arange(len(units))
    targets = np.split(pos, np.cumsum([len(u) for u in shard_units])[:-1])
    stats = tp.sum_term_stats(terms)
    vocab = tp.select_vocabulary(stats, len(units), **vocab_kw)
    column = pd.Index(vocab["term"])
    parts = [
        (m, column.get_indexer(t["term"]), target)
        for m, t, target in zip(mats, terms, targets, strict=True)
    ]
    lengths = np.zeros(len(units), dtype=np.int64)
    for m, colmap, target in parts:
        lengths[target] = tp.kept_lengths(m, colmap, chunk=5)
    restricted = tp.restrict_columns(mats[0], parts[0][1], len(vocab))
    assert np.array_equal(np.diff(restricted.indptr), lengths[targets[0]])
    return tp.place_rows(parts, lengths, len(vocab), chunk=7), vocab


@pytest.mark.parametrize(
    ("unit", "ngram_max", "n_shards", "batch_rows"),
    [
        ("article", 1, 1, 10**6),
        ("article", 1, 3, 37),
        ("paragraph", 1, 2, 50),
        ("article", 2, 3, 41),
        ("paragraph", 3, 2, 29),
    ],
)
def test_streamed_dtm_equals_the_one_shot_matrix(unit, ngram_max, n_shards, batch_rows):
    tokens, labels = planted_tokens(60, n_topics=3, paragraphs=3, seed=4)
    tokens.loc[tokens.index % 17 == 0, "keep"] = False  # breaks some n-grams
    docs = list(labels.index)
    everything = tokens[["doc_id", "para_id"]].drop_duplicates()
    units = tp.unit_index(everything, pd.DataFrame({"doc_id": docs}), unit)
    kw = {"min_df": 2, "max_df": 0.9, "max_features": 150}
    expected, vocab = one_shot_dtm(tokens, units, unit, ngram_max, **kw)
    got, vocab2 = streamed_dtm(tokens, docs, unit, ngram_max, n_shards, batch_rows, **kw)
    pd.testing.assert_frame_equal(vocab2, vocab)
    assert got.shape == expected.shape
    for attr in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(got, attr), getattr(expected, attr)), attr
    assert got.has_sorted_indices


def test_whole_articles_never_splits_an_article():
    t = tok([(d, 0, 0, i, "x", True) for d in "aabbbcdd" for i in range(1)])
    batches = [t.iloc[i : i + 3] for i in range(0, len(t), 3)]
    out = list(tp.whole_articles(batches))
    assert pd.concat(out)["doc_id"].tolist() == list("aabbbcdd")
    seen = [set(b["doc_id"]) for b in out]
    for i, a in enumerate(seen):
        for b in seen[i + 1 :]:
            assert not a & b


def test_model_input_of_a_sample_equals_rows_of_the_whole():
    x, _, _ = planted_counts(300, n_topics=4, seed=5)
    x = x.tocsr().astype(np.float32)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    rows = np.sort(np.random.default_rng(0).choice(300, 120, replace=False))
    whole = tp.model_input("nmf-frobenius", x, df, 300)[rows]
    part = tp.model_input("nmf-frobenius", x[rows], df, 300)
    assert np.array_equal(whole.toarray(), part.toarray())  # bit for bit


def test_coherence_in_one_chunked_pass_equals_npmi_coherence():
    x, _, _ = planted_counts(250, n_topics=4, seed=6)
    x = sparse.vstack([x, sparse.csr_matrix((5, x.shape[1]))]).tocsr()  # rows without terms
    rng = np.random.default_rng(1)
    tops = [rng.choice(x.shape[1], size=(k, 6), replace=False) for k in (3, 5)]
    nonempty = np.flatnonzero(x.getnnz(axis=1) > 0)
    binary = (x[nonempty].toarray() > 0).astype(float)  # the reference: dense, all at once
    n = binary.shape[0]
    ref = []
    for top in tops:
        vals = []
        for row in top:
            pairs = [
                tp.npmi(
                    binary[:, a].sum() / n,
                    binary[:, b].sum() / n,
                    (binary[:, a] * binary[:, b]).sum() / n,
                )
                for i, a in enumerate(row)
                for b in row[i + 1 :]
            ]
            vals.append(np.mean(pairs))
        ref.append(np.array(vals))
    got = tp.topic_coherences(x, len(nonempty), tops)
    for a, b, top in zip(ref, got, tops, strict=True):
        assert np.allclose(a, b, rtol=0, atol=1e-12)
        assert np.array_equal(b, tp.npmi_coherence(x[nonempty], top))
    words = np.unique(np.concatenate([t.ravel() for t in tops]))
    assert np.array_equal(tp.cooccurrence(x, words, chunk=7), tp.cooccurrence(x, words))


# ---- measures ---------------------------------------------------------------------------


def test_npmi_against_a_hand_worked_example():
    # 4 units; w0 in units {0,1}, w1 in {0,1,2}, w2 in {3}.
    b = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]]))
    # (w0,w1): P0=.5, P1=.75, P01=.5 -> log(.5/.375)/-log(.5) = 0.2876821/0.6931472 = 0.4150375
    # (w0,w2): never together -> -1; (w1,w2): never together -> -1
    assert tp.npmi(0.5, 0.75, 0.5) == pytest.approx(0.4150375, abs=1e-6)
    coh = tp.npmi_coherence(b, np.array([[0, 1], [0, 2], [0, 1]]))
    assert coh == pytest.approx([0.4150375, -1.0, 0.4150375], abs=1e-6)
    three = tp.npmi_coherence(b, np.array([[0, 1, 2]]))[0]
    assert three == pytest.approx((0.4150375 - 1 - 1) / 3, abs=1e-6)
    assert tp.npmi(0.3, 0.3, 0.3) == pytest.approx(1.0)  # always together
    assert tp.npmi(1.0, 1.0, 1.0) == 1.0


def test_diversity_and_stability():
    h = np.array([[3, 2, 1, 0], [0, 1, 2, 3]], dtype=float)
    assert tp.topic_diversity(h, 2) == 1.0
    assert tp.topic_diversity(h, 3) == pytest.approx(4 / 6)
    a = np.array([[0, 1], [2, 3]])
    assert tp.match_overlap(a, a[::-1]) == 1.0  # order of topics does not matter
    assert tp.match_overlap(a, np.array([[0, 5], [2, 3]])) == pytest.approx((1 / 3 + 1) / 2)
    s = tp.stability([a, a[::-1], np.array([[6, 7], [8, 9]])])
    assert s == pytest.approx([0.5, 0.5, 0.0])
    assert np.isnan(tp.stability([a])).all()


def test_select_k_rule_prefers_stable_then_coherent_then_small():
    t = pd.DataFrame(
        {
            "K": [5, 5, 10, 10, 15, 15],
            "seed": [0, 1] * 3,
            "diversity": 1.0,
            "coherence": [0.30, 0.30, 0.45, 0.45, 0.50, 0.50],
            "stability": [0.9, 0.9, 0.8, 0.8, 0.4, 0.4],
        }
    )
    assert tp.select_k(t, 0.6, rule="coherence")[0] == 10  # K=15 more coherent but unstable
    t2 = t.assign(coherence=[0.45, 0.45, 0.45, 0.45, 0.2, 0.2])
    assert tp.select_k(t2, 0.6, rule="coherence")[0] == 5  # tie goes to the smaller K
    assert tp.select_k(t, 0.95, rule="coherence")[0] == 15  # none stable: coherence alone
    # topic quality = coherence x diversity: K=10 (0.45 x 0.6) loses to K=5 (0.30 x 1.0)
    t3 = t.assign(diversity=[1.0, 1.0, 0.6, 0.6, 0.5, 0.5])
    assert tp.select_k(t3, 0.6, rule="quality") == (
        5,
        "K=5: highest mean topic quality (NPMI x diversity) (0.300) among K with mean "
        "stability >= 0.6; ties to the smaller K",
    )


def test_usable_ks_caps_to_the_corpus():
    keep, notes = tp.usable_ks([2, 3, 5, 20], n_units=13, n_terms=100, subsample=0.8)
    assert keep == [2, 3, 5]  # 10 units per fit, 2 per topic
    assert notes == [
        "K=20 skipped: 13 units with terms (10 per fit, at least 2 per topic) and "
        "100 vocabulary terms allow K <= 5"
    ]
    assert tp.usable_ks([20], n_units=13, n_terms=100, subsample=0.8, min_units_per_topic=1)[0] == [
        10
    ]
    keep, notes = tp.usable_ks([20], n_units=9, n_terms=100, subsample=1.0)
    assert keep == [4] and notes[-1].startswith("K capped at 4")
    assert tp.usable_ks([5], n_units=3, n_terms=100, subsample=1.0)[0] == []
    assert tp.usable_ks([5], n_units=100, n_terms=3, subsample=1.0)[0] == [3]


# ---- models -----------------------------------------------------------------------------


def test_planted_disjoint_topics_are_recovered():
    x, labels, _ = planted_counts(400, n_topics=5, background_words=0, second_share=0.0, seed=3)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    xi = tp.model_input("nmf-frobenius", x, df, x.shape[0])
    est, h = tp.fit_model("nmf-frobenius", xi, 5, 0)
    dom = tp.dominant_topic(tp.mixture(tp.transform(est, xi)))
    assert tp.nmi(labels, dom) >= 0.9
    assert tp.npmi_coherence(x, tp.top_terms(h, 10)).mean() > 0.3


def test_planted_topics_recovered_from_token_tables():
    tokens, labels = planted_tokens(120, n_topics=4, seed=1)
    units = tp.unit_index(
        tokens[["doc_id", "para_id"]].drop_duplicates(),
        pd.DataFrame({"doc_id": labels.index}),
        "article",
    )
    counts = tp.unit_terms(tokens, "article")
    vocab = tp.select_vocabulary(tp.merge_term_stats(None, counts), len(units), 2, 0.9)
    assert "the" not in set(vocab["term"])
    x = tp.shard_matrix(counts, units, vocab)
    for model in ("nmf-frobenius", "lda-batch"):
        xi = tp.model_input(model, x, vocab["df"].to_numpy(), len(units))
        est, _ = tp.fit_model(model, xi, 4, 0)
        dom = tp.dominant_topic(tp.mixture(tp.transform(est, xi)))
        assert tp.nmi(labels.loc[units["unit"]].to_numpy(), dom) >= 0.9, model


def test_fits_are_deterministic_and_zero_rows_get_zero_weights():
    x, _, _ = planted_counts(150, n_topics=3, seed=2)
    x = sparse.vstack([x, sparse.csr_matrix((1, x.shape[1]))]).tocsr()
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    for model in tp.MODELS:
        xi = tp.model_input(model, x, df, x.shape[0])
        w1 = tp.transform(tp.fit_model(model, xi, 3, 7, max_iter=20)[0], xi)
        w2 = tp.transform(tp.fit_model(model, xi, 3, 7, max_iter=20)[0], xi)
        assert np.array_equal(w1, w2), model
        assert (w1[-1] == 0).all() and tp.dominant_topic(tp.mixture(w1))[-1] == -1


def test_incremental_variants_recover_planted_topics():
    x, labels, _ = planted_counts(600, n_topics=4, background_words=200, seed=5)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    for model in ("nmf-frobenius", "lda-batch"):
        xi = tp.model_input(model, x, df, x.shape[0])
        est, _ = tp.fit_model(model, xi, 4, 0, incremental=True, batch_size=128)
        assert type(est).__name__ in ("MiniBatchNMF", "LatentDirichletAllocation")
        assert (
            est.__class__.__name__ != "LatentDirichletAllocation" or est.learning_method == "online"
        )
        dom = tp.dominant_topic(tp.mixture(tp.transform(est, xi, chunk=100)))
        assert tp.nmi(labels, dom) >= 0.8, model


def test_grid_table_and_fit_one():
    x, _, _ = planted_counts(200, n_topics=3, seed=4)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    xi = tp.model_input("nmf-frobenius", x, df, x.shape[0])
    fits = [
        tp.fit_one("nmf-frobenius", xi, x, k, s, 0.8, 10, 25, 10) for k in (2, 3) for s in (0, 1)
    ]
    table = tp.grid_table(fits)
    assert table[["K", "seed"]].values.tolist() == [[2, 0], [2, 1], [3, 0], [3, 1]]
    assert table["stability"].between(0, 1).all()
    assert table["coherence"].between(-1, 1).all()


# ---- tables -----------------------------------------------------------------------------


def test_labels_summary_documents_and_representatives():
    terms = ["prime minister", "minister", "border", "ceasefire", "summit"]
    h = np.array([[5, 4, 0, 0, 1], [0, 0, 3, 2, 0]], dtype=float)
    labels = tp.topic_labels(h, terms, 2)
    assert labels == ["prime minister, summit", "border, ceasefire"]
    share = tp.mixture(np.array([[1, 0], [0.5, 0.5], [0, 0], [0, 2]], dtype=float))
    units = pd.DataFrame(
        {
            "unit": ["a#0", "a#1", "a#2", "b#0"],
            "unit_type": "paragraph",
            "doc_id": ["a", "a", "a", "b"],
            "para_id": pd.array([0, 1, 2, 0], dtype="Int64"),
            "n_terms": [3, 4, 0, 2],
        }
    )
    docs = tp.documents_table(units, share)
    assert docs["dominant_topic"].tolist()[:2] == [1, 1]  # tie 0.5/0.5 -> first topic
    assert pd.isna(docs["dominant_topic"].iloc[2])
    assert docs.loc[2, ["topic_1", "topic_2"]].tolist() == [0, 0]
    summ = tp.summary_table(h, share, terms, np.array([0.1, 0.2]), labels)
    assert summ["prevalence"].tolist() == pytest.approx([0.5, 0.5])  # empty unit left out
    assert summ["n_dominant"].tolist() == [2, 1]
    arts = tp.articles_table(units, share).set_index("doc_id")
    # article a: (3 * [1, 0] + 4 * [.5, .5] + 0 * [0, 0]) / 7
    assert arts.loc["a", ["topic_1", "topic_2"]].tolist() == pytest.approx([5 / 7, 2 / 7], abs=1e-6)
    assert arts.loc["a", "n_units"] == 3 and arts.loc["a", "n_terms"] == 7
    assert arts.loc["b", "dominant_topic"] == 2
    reps = tp.representatives(share, units, 2)
    assert reps[reps.topic == 1]["unit"].tolist() == ["a#0", "a#1"]
    assert reps[reps.topic == 2]["unit"].tolist() == ["b#0", "a#1"]
    assert tp.snippet("one two three four", 9) == "one two …"


def test_prevalence_by_metadata_and_month():
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["X", "Y", "X"],
            "date": ["2022-11-23", "2022-12-01", ""],
        }
    )
    meta = tp.metadata_columns(documents, ["outlet", "missing"])
    assert list(meta.columns) == ["doc_id", "outlet", "month"]
    units = pd.DataFrame({"doc_id": ["a", "b", "c"]})
    share = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    out = tp.prevalence_by(share, units, meta, ["t1", "t2"])
    x = out[(out.variable == "outlet") & (out.value == "X")]
    assert x["prevalence"].tolist() == [0.75, 0.25] and x["n_units"].tolist() == [2, 2]
    months = out[out.variable == "month"]
    assert sorted(months["value"].unique()) == ["2022-11", "2022-12"]  # undated c left out
    assert tp.prevalence_by(share, units, meta[["doc_id"]], ["t1", "t2"]).empty


def test_topic_network_edges_and_communities():
    rng = np.random.default_rng(0)
    base = rng.random((200, 2))
    # topics 1&2 rise together, 3&4 rise together
    w = np.column_stack(
        [
            base[:, 0],
            base[:, 0] + 0.1 * rng.random(200),
            base[:, 1],
            base[:, 1] + 0.1 * rng.random(200),
        ]
    )
    nodes, edges = tp.topic_network(tp.mixture(w), list("abcd"), [0.25] * 4, 0.1)
    pairs = set(map(tuple, edges[["source", "target"]].values.tolist()))
    assert (1, 2) in pairs and (3, 4) in pairs
    assert (edges["correlation"] > 0.1).all()
    comm = nodes.set_index("topic")["community"]
    assert comm[1] == comm[2] and comm[3] == comm[4] and comm[1] != comm[3]


def test_tfidf_matches_sklearn():
    from sklearn.feature_extraction.text import TfidfTransformer

    x = sparse.csr_matrix(np.array([[1, 2, 0], [0, 1, 3], [4, 0, 0]], dtype=float))
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    ours = tp.tfidf(x, df, 3).toarray()
    ref = TfidfTransformer().fit_transform(x).toarray()
    assert np.allclose(ours, ref, atol=1e-6)
    assert math.isclose(np.linalg.norm(ours[0]), 1.0, rel_tol=1e-6)


# ---- entry scripts on a corpus too small to model -------------------------------------


class _Named(list):
    def __init__(self, **kw):
        super().__init__(kw.values())
        self.__dict__.update(kw)


def _run_script(name, tmp_path, inputs, outputs, params):
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    smk = SimpleNamespace(
        input=_Named(**inputs),
        output=_Named(**outputs),
        params=SimpleNamespace(**params),
        log=[str(tmp_path / f"{name}.log")],
        threads=1,
        rule=name,
    )
    script = Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    runpy.run_path(str(script), init_globals={"snakemake": smk})


def test_tiny_corpus_is_a_recorded_no_model_result(tmp_path):
    """Three paragraphs: not even K=2 fits; empty tables and figures that say why."""
    import json

    units = pd.DataFrame(
        {
            "unit": ["a#0", "a#1", "a#2"],
            "doc_id": "a",
            "para_id": pd.array([0, 1, 2], dtype="Int64"),
            "unit_type": "paragraph",
            "n_terms": [2, 1, 1],
        }
    )
    units.to_parquet(tmp_path / "units.parquet")
    pd.DataFrame({"term": ["x", "y"], "df": [2, 2], "cf": [2, 2]}).to_csv(
        tmp_path / "v.csv", index=False
    )
    sparse.save_npz(
        tmp_path / "dtm.npz",
        sparse.csr_matrix(np.array([[1, 1], [1, 0], [0, 1]], dtype=np.float32)),
    )
    pd.DataFrame({"doc_id": ["a"], "para_id": [0], "text": ["x y"]}).to_parquet(
        tmp_path / "p.parquet"
    )
    pd.DataFrame({"doc_id": ["a"], "title": ["T"], "date": [""]}).to_csv(
        tmp_path / "d.csv", index=False
    )
    fit = {
        "selection": str(tmp_path / "sel.csv"),
        "fit": str(tmp_path / "fit.npz"),
        "info": str(tmp_path / "fit.json"),
        "validation": str(tmp_path / "val_k.csv"),
    }
    _run_script(
        "topic_model",
        tmp_path,
        {
            "dtm": str(tmp_path / "dtm.npz"),
            "units": str(tmp_path / "units.parquet"),
            "vocabulary": str(tmp_path / "v.csv"),
            "documents": str(tmp_path / "d.csv"),
        },
        fit,
        {
            "model": "nmf-frobenius",
            "k": [5, 10],
            "seeds": [0, 1],
            "max_iter": None,
            "tol": 1e-4,
            "grid_tol": 1e-3,
            "grid_max_iter": 50,
            "incremental": False,
            "batch_size": 64,
            "fit_sample": 0,
            "grid_sample": 0,
            "stability_subsample": 0.8,
            "stability_min": 0.6,
            "stability_tie_se": 1.0,
            "k_rule": "stability",
            "stability_init": "random",
            "validation_column": None,
            "min_units_per_topic": 2,
            "coherence_top_n": 10,
            "diversity_top_n": 25,
            "stability_top_n": 10,
        },
    )
    info = json.loads((tmp_path / "fit.json").read_text())
    assert info["K"] == 0 and "too few for even K=2" in info["rule"]
    assert pd.read_csv(tmp_path / "sel.csv").empty
    names = [
        "terms",
        "documents",
        "articles",
        "summary",
        "representatives",
        "by_metadata",
        "nodes",
        "edges",
        "validation_topics",
        "validation_categories",
    ]
    outs = {n: str(tmp_path / f"{n}.csv") for n in names}
    for f in ["terms", "prevalence", "k", "metadata", "network", "validation"]:
        outs[f"fig_{f}"] = str(tmp_path / f"{f}.png")
        outs[f"svg_{f}"] = str(tmp_path / f"{f}.svg")
    _run_script(
        "topic_outputs",
        tmp_path,
        {
            **fit,
            "units": str(tmp_path / "units.parquet"),
            "vocabulary": str(tmp_path / "v.csv"),
            "paragraphs": [str(tmp_path / "p.parquet")],
            "documents": str(tmp_path / "d.csv"),
        },
        outs,
        {
            "top_terms": 5,
            "label_terms": 3,
            "representatives": 2,
            "snippet_chars": 50,
            "network_min_correlation": 0.0,
            "metadata": [],
            "validation_column": None,
        },
    )
    docs = pd.read_csv(tmp_path / "documents.csv", keep_default_na=False)
    assert docs["unit"].tolist() == ["a#0", "a#1", "a#2"] and (docs["dominant_topic"] == "").all()
    assert pd.read_csv(tmp_path / "summary.csv").empty and pd.read_csv(tmp_path / "terms.csv").empty
    assert "too few for even K=2" in (tmp_path / "network.svg").read_text()


def test_shard_counter_accepts_articles_out_of_unit_order():
    tokens, labels = planted_tokens(20, n_topics=2, seed=7)
    docs = list(labels.index)
    units = tp.unit_index(tokens[["doc_id", "para_id"]], pd.DataFrame({"doc_id": docs}), "article")
    vocab = tp.select_vocabulary(
        tp.merge_term_stats(None, tp.unit_terms(tokens, "article")), len(units), 1, 1.0
    )
    expected = tp.shard_matrix(tp.unit_terms(tokens, "article"), units, vocab).toarray()
    backwards = pd.concat([tokens[tokens["doc_id"] == d] for d in reversed(docs)])
    counter = tp.ShardCounter(units, "article")
    for start in range(0, len(backwards), 13):
        counter.add(backwards.iloc[start : start + 13])
    mat = counter.matrix()
    colmap = pd.Index(vocab["term"]).get_indexer(counter.terms)
    got = tp.restrict_columns(mat, colmap, len(vocab)).toarray()
    assert np.array_equal(got, expected)
