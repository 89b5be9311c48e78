"""The framing jobs' fast paths equal the paths they replaced, on tricky input.

* ``csv_text`` / ``csv_text.write_csv_rows`` (the paragraph table's CSV by Arrow kernels) print
  the bytes pandas' ``to_csv`` prints: shares rounded to 6 places, any double (tiny, huge,
  -0.0, NaN, inf, random bit patterns), integers with and without nulls, strings that need
  quoting or not, Unicode;
* ``aggregate`` over runs of rows (numpy's reduceat, as pandas sums sorted groups) equals the
  pandas groupby, bit for bit, on the sentence tables of tricky sentences (overlapping and
  multi-word terms, case, Unicode, punctuation, negation windows, empty sentences, several
  frames in a sentence) and on hand-made tables (groups of >128 rows, all-empty groups,
  groups that are not runs, NaN shares, other dtypes);
* ``hit_counts`` on integer codes equals the groupby;
* the whole ``shard_tables`` equals its output with every replaced step put back;
* ``ExactSums`` by sorted groups equals the former per-group masks;
* frames_actors' Arrow batches (doc_id and actor dictionary-encoded, aliases, repeated
  mentions, unknown articles) give the counts of the pandas batches and of the merge.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import frames_merge, frames_score
from newslens.codebook import Matcher, build_codebook, load_codebook
from newslens.csv_text import csv_text, float_text, write_csv_rows
from newslens.frames_actors import (
    MentionIndex,
    _actor_frame_counts_merge,
    actor_share_counts,
    mentioned_shares,
)
from newslens.framing import aggregate, classify_sentences, hit_counts, shard_tables
from newslens.runtime import ExactSums
from newslens.shards_gather import csv_frame

REPO = Path(__file__).resolve().parents[1]
CUES = ["not", "no", "never", "without", "nor", "neither", "none", "nothing"]
OPTS = {
    "min_weight": 1.0,
    "relative_threshold": 0.5,
    "negation_window": 3,
    "negation_cues": CUES,
    "doc_min_share": 0.15,
    "doc_max_labels": 3,
    "n_examples": 3,
}
TRICKY = [
    "",
    "   ",
    None,
    "War.",
    "They didn't negotiate, they wouldn’t talk and can't agree; n't war.",
    "No war, no military, never the armed forces without troops.",
    "We ate at the food court near the basketball court; the court ruled.",
    "The world war and the world order; a price of war.",
    "İNTERNATIONAL İnternational ınternational relations; the Supreme Court's ruling.",
    "ΣΟΦΟΣ ΟΔΟΣ. Ὀδυσσεύς war Σ, Straße budget, ﬁnance and taxes.",
    "Emoji 🎉 war 🎉war🎉 and 𠀀 characters; the economy, jobs and the budget deficit.",
    "Cost: $5, € 10, £3bn; A-war, anti-terrorist, co-operation; 'quoted war' and \"war\".",
    "Police arrested the suspect; the court, the army, taxes, health care and polls.",
    "The armed forces, the military budget, public opinion polls and the election campaign.",
    "Not the economy, hardly the army; no taxes but the crime and the police.",
    "Military " * 30,
]


def stem():
    from newslens.tokenize import make_normalizer

    return make_normalizer("stem", "english")


@functools.cache
def codebook():
    return load_codebook(REPO / "config/codebooks/policy_frames.yaml", "stem")


def tricky_sentences(n_docs: int, seed: int) -> pd.DataFrame:
    """Articles of 1-4 paragraphs of 1-6 tricky sentences (some articles of 150 sentences in
    one paragraph), in corpus order; Unicode and comma-free ids."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        doc = f"dé{d:04d}-{rng.integers(0, 99)}"
        sent = 0
        long = rng.random() < 0.1
        for para in range(1 if long else int(rng.integers(1, 5))):
            for _ in range(150 if long else int(rng.integers(1, 7))):
                rows.append((doc, para, sent, TRICKY[int(rng.integers(0, len(TRICKY)))]))
                sent += 1
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])


def pandas_csv(table: pa.Table) -> bytes:
    return csv_frame(table).to_csv(header=False, index=False, lineterminator="\n").encode()


def csv_rows(table: pa.Table) -> bytes:
    """The rows as ``write_csv_rows`` writes them to a file, 7 rows at a time."""
    fh = io.BytesIO()
    assert write_csv_rows(table, fh, 7) == table.num_rows
    return fh.getvalue()


# ---- CSV text --------------------------------------------------------------------------------
def test_float_text_is_numpys_shortest_repr():
    rng = np.random.default_rng(0)
    rounded = np.round(rng.random(20_000) * rng.choice([1e-6, 1e-4, 1, 3, 1e5, 1e9], 20_000), 6)
    special = [0.0, -0.0, 1.0, -1.0, 1e-4, 9.9e-5, 1e-5, 5e-324, 1e9, 999999999.999999, 1e16]
    special += [0.1 + 0.2, 1 / 3, np.nan, np.inf, -np.inf, -1e-6, 123456.7890125, 2.5e-7]
    bits = rng.integers(0, 2**63, 5_000, dtype=np.int64).view(np.float64)  # any double
    values = np.concatenate([rounded, -rounded[:500], special, bits])
    expected = ["" if np.isnan(v) else s for v, s in zip(values, values.astype(str), strict=True)]
    assert float_text(values).to_pylist() == expected


def test_csv_text_equals_pandas_to_csv():
    rng = np.random.default_rng(1)
    n = 3_000
    shares = np.round(rng.dirichlet(np.ones(5), n) * (rng.random((n, 1)) < 0.7), 6)
    table = pa.table(
        {
            "doc_id": pa.array([f"é{i % 97}-文{i}" for i in range(n)], pa.large_string()),
            "para_id": np.arange(n) % 7,
            "n_words": pa.array(rng.integers(-5, 10**12, n)),
            "maybe": pa.array([None if i % 11 == 0 else i for i in range(n)], pa.int64()),
            **{f"share_{k}": shares[:, k] for k in range(5)},
            "odd": rng.standard_normal(n) * 10.0 ** rng.integers(-8, 20, n),
            "labels": pa.array([";".join("ab"[: i % 3]) for i in range(n)], pa.string()),
        }
    )
    fast = csv_text(table)
    assert fast == pandas_csv(table) == csv_rows(table)
    assert fast.count(b"\n") == n and b",0.0," in fast
    # an integer column with nulls prints as floats in every row, as pandas prints it
    assert b",1.0,0." in fast and b",,0." in fast


@pytest.mark.parametrize(
    "value",
    ["a,b", 'say "x"', "line\nbreak", "cr\rreturn", "tab\there", " ", "", "ü\u2028\x85\x1c"],
)
def test_csv_rows_quote_and_special_strings_as_pandas(value):
    table = pa.table({"doc_id": [value, "plain", value], "x": [0.5, -0.0, np.nan], "n": [1, 2, 3]})
    assert csv_rows(table) == csv_text(table) == pandas_csv(table)
    if any(c in value for c in ',"\n'):  # a lone CR pandas leaves unquoted
        assert csv_text(table).startswith(b'"')  # printed (quoted) by pandas


def test_csv_text_of_other_tables_is_pandas():
    for table in (
        pa.table({"a": [True], "b": [1]}),  # bool
        pa.table({"a": [1.5, np.nan, -0.0]}),  # one column: "" quoted alone on its line
        pa.table({"a": ["x", "", None]}),
        pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.int64())}),
        pa.table({"a": ["x", None], "b": [1, 2]}),  # a null string: an empty field
        pa.table({"a": pa.array([1.5], pa.float32()), "b": [1]}),
    ):
        assert csv_text(table) == csv_rows(table) == pandas_csv(table)
    assert csv_text(pa.table({"a": ["x", "", None]})) == b'x\n""\n""\n'


# ---- aggregate over runs ---------------------------------------------------------------------
def pandas_aggregate(table, by, cb, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(frames_score, "group_runs", lambda *a: None)
        return aggregate(table, by, cb, 0.15, 3)


def assert_identical(fast: pd.DataFrame, ref: pd.DataFrame):
    pd.testing.assert_frame_equal(fast, ref, check_exact=True)
    assert pa.Table.from_pandas(fast).equals(pa.Table.from_pandas(ref))
    for c in ref.columns:
        if ref[c].dtype == float:  # bit for bit (-0.0, the last place)
            assert np.array_equal(
                fast[c].to_numpy().view(np.int64), ref[c].to_numpy().view(np.int64)
            )


@pytest.mark.parametrize("seed", [0, 1])
def test_aggregate_runs_equal_the_groupby_on_tricky_sentences(seed, monkeypatch):
    cb = codebook()
    sents = tricky_sentences(300, seed)
    table, hits = classify_sentences(sents, cb, Matcher(cb), stem(), OPTS)
    assert len(hits) > 500 and (table["n_frames_hit"] > 1).any()  # several frames a sentence
    assert (table["n_words"] == 0).any() and hits["negated"].any()
    for by in (["doc_id", "para_id"], ["doc_id"]):
        assert frames_score.group_runs(table, by) is not None  # the fast path is taken
        ref = pandas_aggregate(table, by, cb, monkeypatch)
        fast = aggregate(table, by, cb, 0.15, 3)
        assert len(fast) == table[by].drop_duplicates().shape[0]
        assert fast["n_sentences"].max() == 150  # runs longer than numpy's pairwise block
        assert_identical(fast, ref)


def hand_table(rng, doc_ids, para_ids, words=None):
    n = len(doc_ids)
    shares = rng.dirichlet(np.ones(4), n) * (rng.random((n, 1)) < 0.8)
    none = np.where(shares.sum(axis=1) == 0, 1.0, 0.0)
    frame = pd.DataFrame({"doc_id": doc_ids, "para_id": para_ids, "sent_id": np.arange(n)})
    frame["n_words"] = rng.integers(0, 40, n) if words is None else words
    for j, k in enumerate(["economic", "morality", "legality", "political"]):
        frame[f"share_{k}"] = shares[:, j]
    frame["share_none"] = none
    return frame


def small_codebook():
    data = {
        "name": "t",
        "frames": [
            {"key": k, "name": k.title(), "terms": [k]}
            for k in ["economic", "morality", "legality", "political"]
        ],
    }
    return build_codebook(data, stem())


@pytest.mark.parametrize(
    "case",
    ["runs", "words_zero", "not_runs_doc", "not_runs_para", "nan", "object_ids", "int_ids", "one"],
)
def test_aggregate_hand_made_tables(case, monkeypatch):
    rng = np.random.default_rng(7)
    cb = small_codebook()
    docs = np.repeat([f"α{i}" for i in range(40)], rng.integers(1, 300, 40))
    paras = np.concatenate(
        [np.sort(rng.integers(0, 5, (docs == d).sum())) for d in pd.unique(docs)]
    )
    table = hand_table(rng, docs, paras)
    if case == "words_zero":  # a group whose sentences have no words: weighted by count
        table.loc[table["doc_id"].isin(["α3", "α7"]), "n_words"] = 0
    if case == "not_runs_doc":  # an article in two runs
        table = pd.concat([table, table.iloc[:3]], ignore_index=True)
    if case == "not_runs_para":  # a paragraph in two runs of one article
        table.loc[table.index[table["doc_id"] == "α0"][-1], "para_id"] = 0
        table.loc[table.index[table["doc_id"] == "α0"][0], "para_id"] = 9
    if case == "nan":
        table.loc[5, "share_morality"] = np.nan
    if case == "object_ids":
        table["doc_id"] = table["doc_id"].astype(object)
    if case == "int_ids":
        table["doc_id"] = pd.factorize(table["doc_id"])[0] * 3
    if case == "one":
        table = table.iloc[:1]
    for by in (["doc_id", "para_id"], ["doc_id"]):
        runs = frames_score.group_runs(table, by)
        if case.startswith("not_runs") and (by == ["doc_id", "para_id"] or case == "not_runs_doc"):
            assert runs is None
        assert_identical(
            aggregate(table, by, cb, 0.15, 3), pandas_aggregate(table, by, cb, monkeypatch)
        )


# ---- hit counts and the whole shard ------------------------------------------------------------
def test_hit_counts_equal_the_groupby():
    cb = codebook()
    _, hits = classify_sentences(tricky_sentences(200, 3), cb, Matcher(cb), stem(), OPTS)
    hits = hits.astype({"para_id": "int64", "sent_id": "int64"})
    ref = frames_merge._hit_counts_groupby(hits)
    assert ref["n_negated"].sum() > 0 and len(ref) > 20
    pd.testing.assert_frame_equal(hit_counts(hits), ref, check_exact=True)
    # Unicode and case in frame and indicator names sort as the groupby sorts them
    odd = pd.DataFrame(
        {
            "frame": pd.array(["b", "a", "Z", "é", "a", "b"], dtype="str"),
            "indicator": pd.array(["x", "ÿ", "X", "x", "ÿ", "W"], dtype="str"),
            "negated": [True, False, False, True, True, False],
        }
    )
    pd.testing.assert_frame_equal(hit_counts(odd), frames_merge._hit_counts_groupby(odd))
    plain = odd.astype({"frame": object})  # other dtypes: the groupby itself
    pd.testing.assert_frame_equal(hit_counts(plain), frames_merge._hit_counts_groupby(plain))


def test_shard_tables_equal_the_former_steps(monkeypatch):
    cb = codebook()
    sents = tricky_sentences(250, 4)
    fast = shard_tables(sents, cb, Matcher(cb), stem(), OPTS)
    with monkeypatch.context() as m:
        m.setattr(frames_score, "group_runs", lambda *a: None)
        m.setattr(frames_merge, "hit_counts", frames_merge._hit_counts_groupby)
        ref = shard_tables(sents, cb, Matcher(cb), stem(), OPTS)
    assert len(fast[1]) > 500 and len(fast[2]) > 250
    for got, want in zip(fast, ref, strict=True):
        assert_identical(got, want)


# ---- exact position sums ---------------------------------------------------------------------
def old_exact_add(groups, values, scale=2.0**30):
    """ExactSums.add as it was: one boolean mask per group."""
    values = np.where(np.isnan(values), 0.0, values)
    hi = np.floor(values * scale)
    lo = np.rint((values * scale - hi) * scale)
    out = {}
    for g in np.unique(groups):
        rows = groups == g
        out[int(g)] = (hi[rows].astype(np.int64).sum(axis=0), lo[rows].astype(np.int64).sum(axis=0))
    return out


def test_exact_sums_by_sorted_groups():
    rng = np.random.default_rng(2)
    groups = rng.integers(0, 15, 10_000)
    values = rng.random((10_000, 4)) * rng.choice([1e-9, 1, 1e6], (10_000, 1))
    values[::97, 1] = np.nan
    sums = ExactSums(4)
    sums.add(groups[:6000], values[:6000])
    sums.add(groups[6000:], values[6000:])
    sums.add(groups[:0], values[:0])
    old = old_exact_add(groups, values)
    assert sorted(sums._hi) == sorted(old)
    for g, (h, low) in old.items():
        assert list(sums._hi[g]) == list(h) and list(sums._lo[g]) == list(low)
    shuffled = ExactSums(4)
    order = rng.permutation(10_000)
    shuffled.add(groups[order], values[order])
    pd.testing.assert_frame_equal(shuffled.frame(list("abcd")), sums.frame(list("abcd")))


# ---- actors x frames from Arrow batches ---------------------------------------------------------
def write_parquet(frame: pd.DataFrame, path: Path, row_group: int) -> Path:
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=row_group
    )
    return path


def test_actor_counts_from_dictionary_batches(tmp_path):
    from newslens.shards import iter_parquet_arrow

    cb = codebook()
    table, _ = classify_sentences(tricky_sentences(300, 5), cb, Matcher(cb), stem(), OPTS)
    rng = np.random.default_rng(9)
    picks = rng.integers(0, len(table), 4000)
    mentions = pd.DataFrame(
        {
            "doc_id": table["doc_id"].to_numpy()[picks],
            "sent_id": table["sent_id"].to_numpy()[picks],
            # an actor named by several aliases is one actor; some never in the table
            "actor": rng.choice(["Russia", "Armenia", "NATO", "Ünion"], len(picks)),
            "alias": rng.choice(["Moscow", "Kremlin", "Yerevan"], len(picks)),
        }
    )
    unknown = pd.DataFrame({"doc_id": ["nope"], "sent_id": [0], "actor": ["NATO"], "alias": ["x"]})
    mentions = pd.concat([mentions, unknown, mentions.head(300)], ignore_index=True)
    frames = [*cb.scored_keys, "none"]
    share_cols = [f"share_{k}" for k in frames]
    act = write_parquet(mentions, tmp_path / "actors.parquet", 700)
    sent = write_parquet(table, tmp_path / "frames.parquet", 600)

    def counts(arrow: bool):
        index = MentionIndex()
        if arrow:
            for b in iter_parquet_arrow(
                act, 500, ["doc_id", "sent_id", "actor"], ["doc_id", "actor"]
            ):
                assert pa.types.is_dictionary(b.column("doc_id").type)
                index.add(b.column("doc_id"), b.column("sent_id"), b.column("actor"))
            batches = iter_parquet_arrow(sent, 450, ["doc_id", "sent_id", *share_cols], ["doc_id"])
        else:
            for i in range(0, len(mentions), 500):
                part = mentions.iloc[i : i + 500]
                index.add(part["doc_id"], part["sent_id"], part["actor"])
            batches = (table.iloc[i : i + 450] for i in range(0, len(table), 450))
        keys, shares = mentioned_shares(index, batches, share_cols)
        return actor_share_counts(index, keys, shares, frames)

    m = mentions[["doc_id", "sent_id", "actor"]].drop_duplicates()
    expected = _actor_frame_counts_merge(m, table, cb)
    pandas_counts, arrow_counts = counts(False), counts(True)
    assert len(expected) == 4 * len(frames) and expected["n_sentences"].sum() > 0
    pd.testing.assert_frame_equal(pandas_counts, expected, check_exact=True)
    pd.testing.assert_frame_equal(arrow_counts, expected, check_exact=True)
