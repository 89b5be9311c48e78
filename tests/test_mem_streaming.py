"""The memory-bounded versions of the shard and gather jobs give exactly what one pass gives,
and hold no more than their batch in memory (tested on the function level, tiny batches)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens import actor_sentiment
from newslens.actor_sentiment import (
    actor_article_scores,
    actor_pairs_batched,
    add_unnamed_targets,
)


def actor_tables(n_docs=37, seed=3):
    """Sentence scores, actor mentions and per-article targets of ``n_docs`` articles, in an
    order that is not sorted by doc_id (as a shard lists its articles in corpus order)."""
    rng = np.random.default_rng(seed)
    scores, mentions, targets = [], [], []
    for d in rng.permutation(n_docs):
        doc = f"d{d:03d}"
        n_sent = int(rng.integers(1, 9))
        for s in range(n_sent):
            scores.append((doc, s, round(float(rng.uniform(-1, 1)), 4)))
            for actor in ("army", "police", "rebels"):
                if rng.random() < 0.25:
                    mentions.append((doc, s, actor))
        for actor in ("government", "army"):
            if rng.random() < 0.4:
                targets.append((doc, actor, 0))
    scores = pd.DataFrame(scores, columns=["doc_id", "sent_id", "compound"])
    mentions = pd.DataFrame(mentions, columns=["doc_id", "sent_id", "actor"])
    targets = pd.DataFrame(targets, columns=["doc_id", "actor", "n_mentions"])
    return scores, mentions, targets


def one_pass(scores, mentions, targets, **kw):
    pairs = actor_article_scores(scores, mentions, negative=-0.05, positive=0.05, **kw)
    return add_unnamed_targets(pairs, targets, scores, -0.05, 0.05)


@pytest.mark.parametrize("batch", [1, 2, 5, 1000])
@pytest.mark.parametrize("method", ["sentences", "distance", "prior"])
def test_actor_pairs_batched_equal_one_pass(batch, method):
    scores, mentions, targets = actor_tables()
    expected = one_pass(scores, mentions, targets, method=method)
    got = actor_pairs_batched(
        pa.table(scores),
        pa.table(mentions),
        pa.table(targets),
        batch,
        negative=-0.05,
        positive=0.05,
        method=method,
    )
    assert len(expected) > 40 and (expected["n_mentions"] == 0).any()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_actor_pairs_batched_holds_one_batch(monkeypatch):
    scores, mentions, targets = actor_tables()
    seen = []
    real = actor_sentiment.actor_article_scores

    def spy(s, m, **kw):
        seen.append((s["doc_id"].nunique(), len(s)))
        return real(s, m, **kw)

    monkeypatch.setattr(actor_sentiment, "actor_article_scores", spy)
    actor_pairs_batched(pa.table(scores), pa.table(mentions), pa.table(targets), 4)
    assert len(seen) == int(np.ceil(37 / 4))
    assert max(n for n, _ in seen) <= 4
    assert sum(rows for _, rows in seen) == len(scores)


def test_actor_pairs_batched_empty_and_bad_batch():
    scores, mentions, targets = actor_tables()
    empty = actor_pairs_batched(
        pa.table(scores.iloc[:0]), pa.table(mentions.iloc[:0]), pa.table(targets.iloc[:0]), 3
    )
    assert len(empty) == 0 and list(empty.columns) == actor_sentiment.PAIR_COLUMNS
    with pytest.raises(actor_sentiment.NewslensError, match="batch_articles"):
        actor_pairs_batched(pa.table(scores), pa.table(mentions), pa.table(targets), 0)


def paragraph_shards(tmp_path, n_shards=3, n_docs=40, seed=7):
    """Paragraph tables (doc_id, para_id, share_*) of ``n_docs`` articles dealt to shards."""
    rng = np.random.default_rng(seed)
    rows = [[] for _ in range(n_shards)]
    for d in range(n_docs):
        for p in range(int(rng.integers(1, 14))):
            share = rng.dirichlet(np.ones(3))
            rows[d % n_shards].append((f"d{d:03d}", p, *np.round(share, 3), 0.0))
    cols = ["doc_id", "para_id", "share_a", "share_b", "share_c", "n_words"]
    paths = []
    for i, r in enumerate(rows):
        path = tmp_path / f"{i + 1}-of-{n_shards}.parquet"
        pd.DataFrame(r, columns=cols).to_parquet(path, index=False, row_group_size=7)
        paths.append(path)
    return paths


def counted(fold_rows, monkeypatch, ngram_max=3, n_batches=12, seed=11):
    """An NgramCounter fed ``n_batches`` random batches (a small Zipf-like vocabulary, so that
    n-grams repeat across batches), folding once pending rows pass ``fold_rows``."""
    from newslens.tokenize import NgramCounter

    monkeypatch.setattr(NgramCounter, "FOLD_ROWS", fold_rows)
    rng = np.random.default_rng(seed)
    counter = NgramCounter(ngram_max)
    for _ in range(n_batches):
        n = int(rng.integers(50, 400))
        terms = np.minimum(rng.zipf(1.3, n) - 1, 299).astype(np.int64)
        docs = np.sort(rng.integers(0, 6, n)).astype(np.int64)
        sents = docs * 100 + np.sort(rng.integers(0, 4, n))
        counter.add(terms, sents, docs)
    return counter


def vocabulary():
    return pa.array([f"w{i}" for i in range(300)], type=pa.large_string())


def test_ngram_counter_same_table_whatever_the_folds(monkeypatch):
    tables = [counted(f, monkeypatch).table(vocabulary()) for f in (1, 40, 10**9)]
    assert tables[0].num_rows > 500
    assert tables[0].column("count").type == pa.int64()
    for other in tables[1:]:
        assert other.equals(tables[0])


def test_ngram_counter_fold_bound(monkeypatch):
    """Pending rows never pass half the totals (or FOLD_ROWS) by more than one batch."""
    from newslens.tokenize import NgramCounter

    worst = []
    real_add = NgramCounter.add

    def add(self, *args):
        before = dict(self._pending_rows)
        real_add(self, *args)
        for n in self._wide:
            if self._pending_rows[n]:  # not folded: the rows before this batch were in bound
                worst.append(before[n] - max(self._acc_rows[n] // 2, self.FOLD_ROWS))
            acc = self._acc[n]
            if acc is not None:  # totals are narrow integers
                assert acc[1].dtype == np.int32 and acc[3].dtype == np.int32

    monkeypatch.setattr(NgramCounter, "add", add)
    counted(30, monkeypatch)
    assert worst and max(worst) <= 0


@pytest.mark.parametrize("rows", [1, 97, 10**6])
def test_ngram_counter_iter_table_is_table_in_pieces(monkeypatch, rows, tmp_path):
    import pyarrow.parquet as pq

    whole = counted(40, monkeypatch).table(vocabulary())
    pieces = list(counted(40, monkeypatch).iter_table(vocabulary(), rows))
    assert max(p.num_rows for p in pieces) <= rows
    assert len(pieces) == -(-whole.num_rows // rows)
    assert pa.concat_tables(pieces).equals(whole)
    # written piece by piece, the file has the bytes of the whole table cut into row groups
    pq.write_table(whole, tmp_path / "whole.parquet", row_group_size=rows)
    with pq.ParquetWriter(tmp_path / "pieces.parquet", pieces[0].schema) as writer:
        for piece in pieces:
            writer.write_table(piece)
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "pieces.parquet").read_bytes()


@pytest.mark.parametrize("batch", [3, 10_000])
def test_shard_position_sums_merge_to_one_pass(tmp_path, batch):
    """Position sums of each shard (batch by batch, as frames_sentences adds them), merged
    through their JSON in any order = one pass over all paragraphs, to the bit."""
    import json

    from newslens.frames_merge import PositionSums

    paths = paragraph_shards(tmp_path)
    parts = []
    for path in paths:
        part = PositionSums(6)
        table = pd.read_parquet(path)
        ids = table["doc_id"].unique()
        for lo in range(0, len(ids), batch):  # batches of whole articles
            part(table[table["doc_id"].isin(ids[lo : lo + batch])])
        parts.append(json.loads(json.dumps(part.to_json())))
    one = PositionSums(6)
    one(pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True))
    for order in (parts, parts[::-1]):
        merged = PositionSums(6)
        for part in order:
            merged.merge_json(part)
        pd.testing.assert_frame_equal(merged.table(), one.table(), check_exact=True)
    assert one.table()["n_documents"].iloc[0] == 40
    assert one.table()["n_paragraphs"].sum() == sum(len(pd.read_parquet(p)) for p in paths)
