"""Actor examples take the primary frame of the sampled sentences only: the same table as
joining every actor sentence's primary frame before the sample (the reference below), with
sentences that have no frame row, repeated frame rows and several groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
from newslens import compare as cp
from newslens import compare_evidence as ce
from test_cmpjobs_examples import sampled_cells


def _reference(actor_sentences, groups, n, seed, primary):
    """The join first, then the same seeded sample per cell."""
    rows = ce.actor_sentence_rows(actor_sentences)
    prim = primary[["doc_id", "sent_id", "primary_frame"]].assign(
        doc_id=lambda t: t["doc_id"].astype(str), sent_id=lambda t: t["sent_id"].astype(np.int64)
    )
    rows = rows.merge(prim.drop_duplicates(["doc_id", "sent_id"]), how="left")
    rows["primary_frame"] = rows["primary_frame"].fillna("").astype(str)
    parts = [
        pick.assign(variable=var, group=g)
        for var, g, _a, pick in sampled_cells(rows, groups, "actor", n, seed)
    ]
    out = pd.concat(parts, ignore_index=True)
    out["text"] = ""
    return out[ce.ACTOR_EXAMPLE_COLUMNS]


def test_actor_examples_equal_the_join_before_the_sample():
    rng = np.random.default_rng(11)
    n_docs = 120
    docs = pd.DataFrame({"doc_id": [f"d{i:03d}" for i in range(n_docs)]})
    docs["outlet"] = rng.choice(["A", "B", "C"], n_docs)
    primary = pd.DataFrame(
        {
            "doc_id": np.repeat(docs["doc_id"], 5),
            "sent_id": np.tile(np.arange(5), n_docs),
            "primary_frame": rng.choice(["war", "aid", "none"], n_docs * 5),
        }
    )
    primary = pd.concat([primary, primary.iloc[:7].assign(primary_frame="aid")])  # repeats
    primary = primary[primary["sent_id"] != 4]  # sentence 4 of every article: no frame row
    actors = pd.DataFrame(
        {
            "doc_id": rng.choice(docs["doc_id"], 900),
            "sent_id": rng.integers(0, 5, 900),
            "actor": rng.choice(["X", "Y", "Z"], 900),
            "compound": rng.uniform(-1, 1, 900).round(3),
        }
    )
    groups = cp.group_labels(docs, ["outlet"])
    got = ce.actor_examples(actors, groups, 4, 12345, primary=primary)
    expected = _reference(actors, groups, 4, 12345, primary)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert len(got) == 3 * 3 * 4  # outlets x actors x n
    assert (got["primary_frame"] == "").any() and (got["primary_frame"] != "").any()
    # the sample does not depend on the row order of the input (one row per sentence and actor)
    once = actors.drop_duplicates(["doc_id", "sent_id", "actor"])
    got = ce.actor_examples(once, groups, 4, 12345, primary)
    shuffled = ce.actor_examples(once.sample(frac=1.0, random_state=2), groups, 4, 12345, primary)
    pd.testing.assert_frame_equal(shuffled, got)
