"""Example sentences by integer codes: the same seeded samples, in the same order, as the pandas
groupby of strings and the string sort they replace (written out below as the reference), with
several variables, empty groups, missing cell values, repeated rows and cells smaller and
larger than the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_evidence as ce


def sampled_cells(rows, groups, cell, n, seed):
    """``compare_evidence._sampled_blocks`` cell by cell: (variable, group, cell value, rows)."""
    for var, taken, cells in ce._sampled_blocks(rows, groups, cell, n, seed):
        start = 0
        for g, value, size in cells:
            yield var, g, value, taken.iloc[start : start + size]
            start += size


def _reference_cells(rows, groups, cell, n, seed):
    """The pandas version: map doc_id to the group, groupby (group, cell), sample, sort."""
    for var in [c for c in groups.columns if c != "doc_id"]:
        lab = dict(zip(groups["doc_id"].astype(str), groups[var].astype(str), strict=True))
        tab = rows.assign(group=rows["doc_id"].map(lab).fillna(""))
        tab = tab[tab["group"] != ""]
        for (g, value), one in tab.groupby(["group", cell], sort=True):
            pick = one if len(one) <= n else one.sample(n, random_state=seed)
            yield var, g, value, pick.sort_values(["doc_id", "sent_id"])


def _reference_actor_rows(actor_sentences):
    rows = actor_sentences[["doc_id", "sent_id", "actor", "compound"]].assign(
        doc_id=lambda t: t["doc_id"].astype(str),
        sent_id=lambda t: t["sent_id"].astype(np.int64),
        actor=lambda t: t["actor"].astype(str),
    )
    return rows.sort_values(["actor", "doc_id", "sent_id"], kind="stable").drop_duplicates(
        ["doc_id", "sent_id", "actor"]
    )


def _data(seed=3, n_docs=150, n_rows=1500):
    rng = np.random.default_rng(seed)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in rng.permutation(n_docs)]})
    docs["outlet"] = rng.choice(["B", "A", "C", "outlet_10", "outlet_2", ""], n_docs)
    docs["country"] = rng.choice(["x", "y"], n_docs)
    groups = cp.group_labels(docs, ["outlet", "country"])
    rows = pd.DataFrame(
        {
            "doc_id": rng.choice(docs["doc_id"].tolist() + ["unknown"], n_rows),
            "sent_id": rng.integers(0, 30, n_rows),
            "actor": rng.choice(["Russia", "Armenia", "EU", "Azerbaijan"], n_rows),
            "compound": rng.uniform(-1, 1, n_rows).round(4),
            "primary_frame": rng.choice(
                ["war", "aid", "economy", None], n_rows, p=[0.6, 0.3, 0.05, 0.05]
            ),
        }
    )
    return rows, groups


@pytest.mark.parametrize("n", [1, 3, 40])
def test_sampled_cells_equal_the_pandas_groupby(n):
    rows, groups = _data()
    rows = rows.drop_duplicates(["doc_id", "sent_id"])
    got = list(sampled_cells(rows, groups, "primary_frame", n, 12345))
    expect = list(_reference_cells(rows, groups, "primary_frame", n, 12345))
    assert [(v, g, c) for v, g, c, _ in got] == [(v, g, c) for v, g, c, _ in expect]
    for (_v, _g, _c, one), (_rv, _rg, _rc, ref) in zip(got, expect, strict=True):
        pd.testing.assert_frame_equal(one, ref.drop(columns="group"))
    assert any(len(one) == n for *_k, one in got) and len(got) > 10


def test_actor_rows_and_examples_equal_the_string_sort():
    rows, groups = _data(seed=5)
    actor = rows[["doc_id", "sent_id", "actor", "compound"]]
    actor = pd.concat([actor, actor.iloc[:50]])  # repeated (doc_id, sent_id, actor) rows
    pd.testing.assert_frame_equal(ce.actor_sentence_rows(actor), _reference_actor_rows(actor))
    got = ce.actor_examples(actor, groups, 3, 7)
    ref_rows = _reference_actor_rows(actor)
    parts = [
        pick.assign(variable=var, group=g)
        for var, g, _a, pick in _reference_cells(ref_rows, groups, "actor", 3, 7)
    ]
    expect = pd.concat(parts, ignore_index=True).assign(primary_frame="", text="")
    pd.testing.assert_frame_equal(got, expect[ce.ACTOR_EXAMPLE_COLUMNS])
    sizes = got.groupby(["variable", "group", "actor"]).size()
    assert (sizes <= 3).all() and (sizes == 3).any() and len(sizes) > 20


def test_frame_examples_leave_out_none_and_missing_frames():
    rows, groups = _data(seed=8)
    sentences = rows.drop_duplicates(["doc_id", "sent_id"])
    sentences.loc[sentences.index[:20], "primary_frame"] = "none"
    got = ce.frame_examples(sentences, groups, 2, 1)
    assert not got["frame"].isin(["none", "", "nan"]).any() and got["frame"].notna().all()
    assert set(got["variable"]) == {"outlet", "country"}
    assert (got.groupby(["variable", "group", "frame"]).size() <= 2).all()
