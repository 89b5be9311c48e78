"""cmp11: ``compare_evidence.kwic_table`` on arrays (each hit's group and term, each target's
comparison; the rows of every cell taken at once) gives the same table, row for row and dtype
for dtype, as the former pandas filter, ``groupby`` and ``assign`` per comparison and term
(kept here as the reference): keyness and configured terms, two comparison variables, both
references, cells over ``max_rows`` (seeded samples), hits outside every group, repeated
doc_ids in the groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_evidence as ce


def _reference_kwic_table(hits, targets, groups, reference, max_rows, seed, min_articles=1):
    """The former kwic_table (a6d5c3a), verbatim."""
    if hits.empty or targets.empty:
        return pd.DataFrame(columns=ce.KWIC_COLUMNS)
    hits = hits.assign(doc_id=hits["doc_id"].astype(str))
    labels = groups.set_index(groups["doc_id"].astype(str))
    parts = []
    for var in [c for c in groups.columns if c != "doc_id"]:
        hit_group = ce._doc_labels(hits["doc_id"], groups, var) if labels.index.is_unique else None
        for g, ref, _gm, _rm in cp.comparisons(
            labels[var].reset_index(drop=True), reference, min_articles
        ):
            mine = targets[
                (targets["source"] == "config")
                | (
                    (targets["variable"] == var)
                    & (targets["group"] == g)
                    & (targets["reference"] == ref)
                )
            ]
            if hit_group is not None:
                sub = hits[hit_group == g]
            else:
                sub = hits[hits["doc_id"].isin(labels.index[labels[var] == g])]
            for (term, source), _ in mine.groupby(["term", "source"], sort=True):
                lines = sub[sub["term"] == term]
                if len(lines) > max_rows:
                    lines = lines.sample(max_rows, random_state=seed).sort_index()
                if len(lines):
                    parts.append(lines.assign(variable=var, group=g, reference=ref, source=source))
    extra = [c for c in ("batch", "part", "row") if c in hits.columns]
    if not parts:
        return pd.DataFrame(columns=ce.KWIC_COLUMNS + extra)
    return pd.concat(parts, ignore_index=True)[ce.KWIC_COLUMNS + extra]


def _case(seed: int, repeated: bool):
    rng = np.random.default_rng(seed)
    n_docs = 120
    docs = pd.DataFrame({"doc_id": [f"d{i:03d}" for i in rng.permutation(n_docs)]})
    docs["outlet"] = rng.choice(["A", "B", "outlet_10", "outlet_2", ""], n_docs)
    docs["country"] = rng.choice(["x", "y", "z"], n_docs)
    groups = cp.group_labels(docs, ["outlet", "country"])
    if repeated:  # a doc_id twice: the groups' index is not unique
        groups = pd.concat([groups, groups.iloc[:3]], ignore_index=True)
    vocab = ["war", "aid", "oil", "gas", "peace", "truce", "army"]
    n_hits = 900
    hits = pd.DataFrame(
        {
            "term": rng.choice(vocab, n_hits),
            "doc_id": rng.choice(docs["doc_id"].tolist() + ["unknown"], n_hits),
            "sent_id": rng.integers(0, 40, n_hits).astype(np.int64),
            "left": "",
            "keyword": "",
            "right": "",
            "part": rng.integers(0, 3, n_hits).astype(np.int64),
            "row": np.arange(n_hits, dtype=np.int64),
        }
    )
    keyness = []
    for var in ("outlet", "country"):
        labels = groups.drop_duplicates("doc_id")[var]
        for g, ref, _gm, _rm in cp.comparisons(labels.reset_index(drop=True), "rest", 1):
            for term in rng.choice(vocab, 3, replace=False):
                keyness.append((var, g, ref, term))
    targets = pd.DataFrame(keyness, columns=["variable", "group", "reference", "term"])
    targets = pd.concat(
        [
            targets.assign(source="keyness"),
            pd.DataFrame({"term": ["oil", "army"], "source": "config"}),
        ],
        ignore_index=True,
    ).reindex(columns=["variable", "group", "reference", "term", "source"])
    return hits, targets, groups


@pytest.mark.parametrize("seed,repeated", [(1, False), (6, False), (3, True)])
@pytest.mark.parametrize("reference,max_rows", [("rest", 4), ("rest", 1000), ("A", 3)])
def test_kwic_table_equals_the_pandas_filters(seed, repeated, reference, max_rows):
    hits, targets, groups = _case(seed, repeated)
    if reference != "rest":  # a named reference of the outlets: the outlets' comparisons only
        groups = groups.drop(columns="country")
        targets = targets[targets["variable"].fillna("outlet") == "outlet"].copy()
        targets.loc[targets["source"] == "keyness", "reference"] = "A"
    got = ce.kwic_table(hits, targets, groups, reference, max_rows, 12345)
    expect = _reference_kwic_table(hits, targets, groups, reference, max_rows, 12345)
    pd.testing.assert_frame_equal(got, expect)
    assert list(got.columns) == [*ce.KWIC_COLUMNS, "part", "row"]
    assert len(got) > 20
    cell = got.groupby(["variable", "group", "reference", "term", "source"]).size()
    assert cell.max() <= max_rows
    if max_rows < 10:
        assert (cell == max_rows).any()  # sampled cells
    assert set(got["source"]) == {"config", "keyness"}


def test_empty_inputs():
    hits, targets, groups = _case(2, False)
    for h, t in ((hits.iloc[:0], targets), (hits, targets.iloc[:0])):
        got = ce.kwic_table(h, t, groups, "rest", 5, 1)
        assert got.empty and list(got.columns) == ce.KWIC_COLUMNS
    none = targets.assign(term="absent")
    got = ce.kwic_table(hits, none, groups, "rest", 5, 1)
    assert got.empty and list(got.columns) == [*ce.KWIC_COLUMNS, "part", "row"]
