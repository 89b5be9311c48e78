"""KWIC in two passes (find every hit, sample, then build the context of the sampled hits
only) gives exactly the lines of building every context first and sampling after."""

from __future__ import annotations

import numpy as np
import pandas as pd
from newslens import compare as cp
from newslens import compare_evidence as ce


def _tokens(n_docs=60, per_doc=40, seed=0):
    rng = np.random.default_rng(seed)
    words = np.array(["Ceasefire", "talks", "border", "said", "Army", "the", "refugees", "aid"])
    rows = []
    for d in range(n_docs):
        drawn = words[rng.integers(0, len(words), per_doc)]
        for i, w in enumerate(drawn):
            rows.append((f"d{d:03d}", i // 10, i, w, w.lower(), w.lower().rstrip("s")))
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "tok_id", "token", "lower", "term"])


def test_two_pass_kwic_equals_one_pass():
    tokens = _tokens()
    docs = pd.DataFrame({"doc_id": [f"d{d:03d}" for d in range(60)]})
    docs["outlet"] = np.where(
        np.arange(60) % 3 == 0, "A", np.where(np.arange(60) % 3 == 1, "B", "C")
    )
    groups = cp.group_labels(docs, ["outlet"])
    targets = ce.kwic_targets(
        pd.DataFrame(columns=cp.KEYNESS_COLUMNS), ["ceasefire", "refugees"], 0
    )
    wanted = set(targets["term"])
    one = ce.kwic_table(ce.kwic(tokens, wanted, 3), targets, groups, "rest", 4, seed=7)
    hits = ce.kwic(tokens, wanted, 3, context=False).assign(batch=0)
    two = ce.kwic_table(hits, targets, groups, "rest", 4, seed=7)
    assert list(two.columns) == [*ce.KWIC_COLUMNS, "batch", "row"]
    lines = ce.kwic_context(tokens, two["row"].to_numpy(), 3)
    two[["left", "keyword", "right"]] = np.array(lines, dtype=object).reshape(-1, 3)
    two = two[ce.KWIC_COLUMNS]
    assert len(one) == 3 * 2 * 4  # 3 outlets x 2 terms x max_rows
    pd.testing.assert_frame_equal(one, two)
    assert set(one["keyword"].str.lower()) == {"ceasefire", "refugees"}
    assert (one["left"].str.split().str.len() <= 3).all()
