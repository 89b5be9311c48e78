"""Aggregation and bootstrap maths on small hand-made tables; actor and group summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens.sentiment import (
    actor_sentence_table,
    actor_summary,
    group_summary,
    label_compound,
    period_of,
    ratio_ci,
    within_unit_ci,
)
from reference_sentiment import actor_unit_sums


def scored(rows):
    df = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "compound"])
    df["label"] = label_compound(df["compound"])
    return df


def test_ratio_ci_estimate_and_percentile_bootstrap_bounds():
    x = np.array([0.5, -0.5, 0.0, 0.9])
    est, low, high, method = ratio_ci(x, np.ones(4), resamples=4000, seed=1)
    assert method == "bootstrap"
    assert est[0] == pytest.approx(0.225)
    # bootstrap means lie within [min, max] of the data and around the estimate
    assert -0.5 <= low[0] < est[0] < high[0] <= 0.9
    # exact bootstrap distribution of the mean of 4 values: P(mean <= -0.25) = 26/256 etc.
    assert low[0] == pytest.approx(-0.25, abs=0.03)
    assert high[0] == pytest.approx(0.7, abs=0.03)
    # seeded: same seed, same interval
    assert ratio_ci(x, np.ones(4), 4000, 1)[1] == low


def test_ratio_ci_is_ratio_of_sums_for_clusters():
    sums = np.array([[3.0], [0.0], [-1.0]])
    counts = np.array([3.0, 1.0, 4.0])
    est, low, high, _ = ratio_ci(sums, counts, 2000, 0)
    assert est[0] == pytest.approx(2 / 8)
    assert low[0] >= -0.25 and high[0] <= 1.0  # per-cluster means are 1, 0, -0.25


def test_ratio_ci_degenerate_and_normal_cases():
    est, low, high, method = ratio_ci(np.array([0.4]), np.ones(1), 1000, 0)
    assert est[0] == 0.4 and np.isnan(low[0]) and np.isnan(high[0]) and method == "none"
    est, low, high, method = ratio_ci(np.zeros((0, 2)), np.zeros(0), 1000, 0)
    assert np.isnan(est).all() and method == "none"
    # above max_units: normal approximation, half-width 1.96 * sd / sqrt(n)
    x = np.random.default_rng(0).normal(0.1, 0.5, 5000)
    est, low, high, method = ratio_ci(x, np.ones(5000), 1000, 0, max_units=1000)
    assert method == "normal"
    half = 1.959964 * x.std(ddof=1) / np.sqrt(5000)
    assert high[0] - est[0] == pytest.approx(half, rel=1e-4)
    # and the bootstrap agrees with it at that size
    _, blow, bhigh, m2 = ratio_ci(x, np.ones(5000), 2000, 0, max_units=10_000)
    assert m2 == "bootstrap" and blow[0] == pytest.approx(low[0], abs=0.004)


def test_within_unit_ci_documents_and_paragraphs():
    s = scored(
        [
            ("a", 0, 0, 0.5),
            ("a", 0, 1, -0.5),
            ("a", 1, 2, 0.0),
            ("a", 1, 3, 0.9),
            ("b", 0, 0, 0.3),
        ]
    )
    docs = within_unit_ci(s, ["doc_id"], resamples=2000, seed=3)
    assert docs["doc_id"].tolist() == ["a", "b"]
    assert docs["n_sentences"].tolist() == [4, 1]
    a = docs.iloc[0]
    assert a["compound"] == pytest.approx(0.225)
    assert (a["share_negative"], a["share_neutral"], a["share_positive"]) == (0.25, 0.25, 0.5)
    assert a["compound_ci_low"] < 0.225 < a["compound_ci_high"]
    # shares: exact percentiles of Binomial(4, share) / 4
    assert (a["share_positive_ci_low"], a["share_positive_ci_high"]) == (0.0, 1.0)
    assert (a["share_negative_ci_low"], a["share_negative_ci_high"]) == (0.0, 0.75)
    b = docs.iloc[1]  # one sentence: estimate, no interval
    assert b["compound"] == 0.3 and np.isnan(b["compound_ci_low"])
    paras = within_unit_ci(s, ["doc_id", "para_id"], resamples=500, seed=3)
    assert paras[["doc_id", "para_id", "n_sentences"]].values.tolist() == [
        ["a", 0, 2],
        ["a", 1, 2],
        ["b", 0, 1],
    ]
    assert paras["compound"].tolist() == pytest.approx([0.0, 0.45, 0.3])


def test_within_unit_ci_does_not_depend_on_other_articles():
    s = scored([("a", 0, i, c) for i, c in enumerate([0.5, -0.5, 0.0, 0.9])])
    other = scored([("z", 0, i, c) for i, c in enumerate([0.1, 0.2, -0.7, 0.4])])
    alone = within_unit_ci(s, ["doc_id"], 500, 7)
    together = within_unit_ci(pd.concat([other, s]), ["doc_id"], 500, 7)
    pd.testing.assert_series_equal(
        alone.iloc[0], together[together.doc_id == "a"].iloc[0], check_names=False
    )
    assert len(within_unit_ci(s.iloc[0:0], ["doc_id"])) == 0


def mentions(rows):
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "actor"])


def test_actor_sentences_all_and_alone():
    s = scored([("a", 0, 0, 0.5), ("a", 0, 1, -0.5), ("a", 0, 2, -0.9), ("a", 0, 3, 0.0)])
    m = mentions(
        [
            ("a", 0, "Armenia"),
            ("a", 0, "Armenia"),
            ("a", 1, "Armenia"),
            ("a", 1, "Azerbaijan"),
            ("a", 2, "Azerbaijan"),
        ]
    )
    t = actor_sentence_table(s, m)
    assert t[["sent_id", "actor", "n_mentions", "n_actors", "alone"]].values.tolist() == [
        [0, "Armenia", 2, 1, True],
        [1, "Armenia", 1, 2, False],
        [1, "Azerbaijan", 1, 2, False],
        [2, "Azerbaijan", 1, 1, True],
    ]
    summary = actor_summary(t, ["Armenia", "Azerbaijan", "NATO"], actor_unit_sums(t), 1000, 0)
    allr = summary[summary.scope == "all"].set_index("actor")
    alone = summary[summary.scope == "alone"].set_index("actor")
    assert allr.loc["Armenia", "n_sentences"] == 2 and allr.loc["Armenia", "n_mentions"] == 3
    assert allr.loc["Armenia", "mean_compound"] == pytest.approx(0.0)
    assert allr.loc["Azerbaijan", "mean_compound"] == pytest.approx(-0.7)
    assert allr.loc["Azerbaijan", "share_negative"] == 1.0
    assert alone.loc["Armenia", "mean_compound"] == 0.5 and alone.loc["Armenia", "n_sentences"] == 1
    assert allr.loc["Armenia", "ci_unit"] == "sentence"
    # an actor never mentioned: zero counts, empty statistics, no error
    assert allr.loc["NATO", "n_sentences"] == 0 and np.isnan(allr.loc["NATO", "mean_compound"])
    assert list(summary["actor"][:3]) == ["Armenia", "Azerbaijan", "NATO"]


def test_actor_ci_resamples_articles_when_there_are_enough():
    rng = np.random.default_rng(0)
    rows, ment = [], []
    for d in range(40):
        for i in range(3):
            rows.append((f"d{d:02d}", 0, i, float(rng.uniform(-1, 1))))
            ment.append((f"d{d:02d}", i, "Russia"))
    t = actor_sentence_table(scored(rows), mentions(ment))
    summary = actor_summary(t, ["Russia"], actor_unit_sums(t), 500, 0, min_articles=30)
    r = summary[summary.scope == "all"].iloc[0]
    assert r["ci_unit"] == "article" and r["n_articles"] == 40 and r["n_sentences"] == 120
    assert r["mean_compound"] == pytest.approx(np.mean([x[3] for x in rows]))


def test_empty_actor_inputs():
    t = actor_sentence_table(scored([]), mentions([]))
    summary = actor_summary(t, ["CSTO"], actor_unit_sums(t))
    assert summary["n_sentences"].tolist() == [0, 0]


def test_periods_and_groups():
    dates = pd.Series(["2022-11-23", "2022-11-28", "", "2023-01-02", "bad"])
    assert period_of(dates, "month").tolist() == ["2022-11", "2022-11", "", "2023-01", ""]
    assert period_of(dates, "week").tolist() == ["2022-W47", "2022-W48", "", "2023-W01", ""]
    docs = pd.DataFrame(
        {
            "outlet": ["A", "A", "B", ""],
            "n_sentences": [3, 5, 2, 4],
            "compound": [0.2, 0.4, -0.5, 0.9],
            "share_negative": [0.0, 0.2, 1.0, 0.0],
            "share_neutral": [0.5, 0.4, 0.0, 0.0],
            "share_positive": [0.5, 0.4, 0.0, 1.0],
        }
    )
    g = group_summary(docs, "outlet", 500, 0)
    assert g["group"].tolist() == ["A", "B"]  # the article without an outlet is left out
    assert g["n_articles"].tolist() == [2, 1]
    assert g["mean_compound"].tolist() == pytest.approx([0.3, -0.5])
    assert g["share_negative"].tolist() == pytest.approx([0.1, 1.0])


def test_gather_parquet_sorts_small_and_streams_large(tmp_path):
    import pyarrow as pa
    from newslens.shards_gather import gather_parquet

    schema = pa.schema([("doc_id", pa.string()), ("sent_id", pa.int64())])
    shards = [
        pd.DataFrame({"doc_id": ["b", "b"], "sent_id": [0, 1]}),
        pd.DataFrame({"doc_id": [], "sent_id": []}).astype({"sent_id": "int64"}),
        pd.DataFrame({"doc_id": ["a"], "sent_id": [0]}),
    ]
    path = tmp_path / "t.parquet"
    assert gather_parquet(iter(shards), path, schema, ["doc_id", "sent_id"]) == 3
    assert pd.read_parquet(path)["doc_id"].tolist() == ["a", "b", "b"]
    gather_parquet(iter(shards), path, schema, ["doc_id", "sent_id"], limit=2)
    assert pd.read_parquet(path)["doc_id"].tolist() == ["b", "b", "a"]  # shard order
    gather_parquet(iter([]), path, schema, ["doc_id"])
    assert len(pd.read_parquet(path)) == 0


# --------------------------------------------------------------------------- streaming


def test_merge_sorted_equals_a_stable_sort_of_all_shards():
    """Merging sorted shard streams batch by batch gives the rows of a stable sort of the
    shards concatenated (ties: earlier shard first), and refuses an unsorted stream."""
    from newslens.shards_gather import OrderError, merge_sorted

    rng = np.random.default_rng(0)
    shards = []
    for s in range(4):
        keys = np.sort(rng.integers(0, 60, size=int(rng.integers(0, 120))))
        shards.append(pd.DataFrame({"key": keys, "shard": s, "row": np.arange(len(keys))}))

    def stream(df, size):
        return (df.iloc[i : i + size] for i in range(0, len(df), size))

    want = pd.concat(shards, ignore_index=True).sort_values("key", kind="stable")
    for size in (1, 7, 50, 1000):
        got = pd.concat(
            list(merge_sorted([stream(d, size) for d in shards], lambda d: d["key"].to_numpy())),
            ignore_index=True,
        )
        pd.testing.assert_frame_equal(got, want.reset_index(drop=True))
    unsorted = pd.DataFrame({"key": [3, 1], "shard": 0, "row": [0, 1]})
    with pytest.raises(OrderError):
        list(merge_sorted([iter([unsorted])], lambda d: d["key"].to_numpy()))


def test_whole_groups_batches():
    from newslens.shards_gather import OrderError, whole_groups

    df = pd.DataFrame({"doc_id": list("aaabbcccccd"), "x": range(11)})
    batches = [df.iloc[i : i + 4] for i in range(0, 11, 4)]
    out = list(whole_groups(iter(batches)))
    assert [b["doc_id"].tolist() for b in out] == [
        ["a", "a", "a"],
        ["b", "b"],
        list("ccccc"),
        ["d"],
    ]
    pd.testing.assert_frame_equal(pd.concat(out, ignore_index=True), df)
    with pytest.raises(OrderError):
        list(whole_groups(iter([df.iloc[:4], pd.DataFrame({"doc_id": ["a"], "x": [0]})])))


def test_table_writer_file_does_not_depend_on_batches(tmp_path, monkeypatch):
    """Batches written through TableWriter give the bytes pq.write_table gives for the whole
    table (same row groups), and the CSV that one to_csv call gives; no rows, a header."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from newslens import shards_gather

    monkeypatch.setattr(shards_gather, "TABLE_ROW_GROUP_ROWS", 7)
    df = pd.DataFrame({"doc_id": [f"d{i}" for i in range(30)], "x": np.linspace(-1, 1, 30)})
    schema = pa.schema([("doc_id", pa.string()), ("x", pa.float64())])
    table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
    pq.write_table(table, tmp_path / "pandas.parquet", row_group_size=7)  # pandas metadata
    with pq.ParquetWriter(tmp_path / "plain.parquet", schema) as writer:  # the bare schema
        writer.write_table(table, row_group_size=7)
    df.to_csv(tmp_path / "whole.csv", index=False, lineterminator="\n")
    for sizes, meta in (([30], False), ([1, 2, 3, 24], True), ([13, 17], False)):
        with shards_gather.TableWriter(
            tmp_path / "b.parquet", tmp_path / "b.csv", schema, pandas_metadata=meta
        ) as out:
            start = 0
            for n in sizes:
                out.write(df.iloc[start : start + n])
                start += n
        whole = tmp_path / ("pandas.parquet" if meta else "plain.parquet")
        assert (tmp_path / "b.parquet").read_bytes() == whole.read_bytes()
        assert (tmp_path / "b.csv").read_text() == (tmp_path / "whole.csv").read_text()
    with shards_gather.TableWriter(tmp_path / "e.parquet", tmp_path / "e.csv", schema, df.iloc[:0]):
        pass
    assert len(pd.read_parquet(tmp_path / "e.parquet")) == 0
    assert (tmp_path / "e.csv").read_text() == "doc_id,x\n"


def random_shard(n_docs, seed=0, prefix="d"):
    rng = np.random.default_rng(seed)
    rows = []
    for d in rng.permutation(n_docs):
        for p in range(int(rng.integers(1, 4))):
            for _ in range(int(rng.integers(1, 4))):
                rows.append((f"{prefix}{d:04d}", p, len(rows), float(rng.uniform(-1, 1))))
    df = scored(rows)
    df["sent_id"] = df.groupby("doc_id").cumcount()
    return df


def test_units_in_batches_of_whole_articles_equal_the_whole_shard():
    """sentiment_units' streaming: articles' intervals from batches of whole articles, put
    in shard order, are those of the whole shard (to float rounding in the last bits)."""
    from newslens.sentiment import shard_order
    from newslens.shards_gather import whole_groups

    s = random_shard(300)
    for keys in (["doc_id"], ["doc_id", "para_id"]):
        whole = shard_order(within_unit_ci(s, keys, 200, 7), s["doc_id"])
        batches = whole_groups(s.iloc[i : i + 50] for i in range(0, len(s), 50))
        parts = [shard_order(within_unit_ci(b, keys, 200, 7), b["doc_id"]) for b in batches]
        got = pd.concat(parts, ignore_index=True)
        assert got[keys].values.tolist() == whole[keys].values.tolist()
        assert got["doc_id"].drop_duplicates().tolist() == s["doc_id"].drop_duplicates().tolist()
        pd.testing.assert_frame_equal(got, whole, check_exact=False, rtol=0, atol=1e-12)


def test_actor_rows_through_the_score_lookup_equal_the_join():
    """sentiment_actors' streaming path (a score lookup per shard, integer keys, per-article
    sums collected as arrays) gives the rows and sums of the plain join, exactly."""
    from newslens.sentiment import (
        ActorUnitSums,
        ScoreLookup,
        actor_sentence_batch,
        actor_units,
    )

    s = random_shard(200, seed=1)
    rng = np.random.default_rng(2)
    actors = ["Armenia", "Azerbaijan", "CSTO", "Russia"]
    picks = s.sample(frac=0.7, random_state=3)
    m = pd.DataFrame(
        {
            "doc_id": np.repeat(picks["doc_id"].to_numpy(), 2),
            "sent_id": np.repeat(picks["sent_id"].to_numpy(), 2),
            "actor": rng.choice(actors, size=2 * len(picks)),
        }
    )
    m.loc[len(m)] = ["nowhere", 0, "CSTO"]  # a mention of an unscored sentence is dropped
    m = m.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)
    want = actor_sentence_table(s, m)
    lookup = ScoreLookup(s.iloc[i : i + 64] for i in range(0, len(s), 64))
    assert lookup.exact
    doc_index = pd.Index(sorted(set(s["doc_id"])), dtype=object)
    got = actor_sentence_batch(m, lookup, doc_index, pd.Index(actors, dtype=object))
    pd.testing.assert_frame_equal(
        got.drop(columns="doc_rank"), want[got.columns[:-1]], check_dtype=False
    )
    sums = ActorUnitSums(pd.Index(actors, dtype=object))
    for doc_ids in np.array_split(got["doc_id"].unique(), 5):
        sums.add(got[got["doc_id"].isin(doc_ids)])
    units, reference = sums.units(), actor_units(actor_unit_sums(want))
    assert units.keys() == reference.keys()
    for key, (a, b, c) in units.items():
        ra, rb, rc = reference[key]
        assert a.flags.f_contiguous == ra.flags.f_contiguous
        assert a.tobytes() == ra.tobytes() and (b == rb).all() and (c == rc).all()
    assert not ScoreLookup([pd.concat([s.iloc[:3], s.iloc[:1]])]).exact
