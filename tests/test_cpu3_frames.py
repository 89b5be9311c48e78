"""frames_sentences' example sentences (newslens.frames_merge.example_sentences, ranked on
tuples) equal the former pandas ranking over the whole sentence table, on ties, Unicode, empty
and missing sentences, string-typed ids and any n."""

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from newslens.codebook import Matcher, load_codebook
from newslens.framing import classify_sentences, example_sentences

REPO = Path(__file__).resolve().parents[1]
OPTS = {"min_weight": 1.0, "relative_threshold": 0.5, "negation_window": 3}
OPTS["negation_cues"] = ["not", "no", "never"]
PIECES = [
    "The war and the military forces.",
    "Troops, the army and war.",
    "The court ruled on the constitution.",
    "Taxes, the budget and the economy; jobs.",
    "Ὀδυσσεύς war ΣΟΦΟΣ and the army.",
    "",
    "   ",
    None,
    "Cost: £5bn and € 10 for the army's war, " + "x" * 5000 + " troops.",
    "Not war, never the army.",
    "Military " * 40,
    "İNTERNATIONAL relations and diplomacy; the treaty.",
]


def reference_examples(sent_table, sentences, cb, n=3):
    """The former implementation: the whole table's candidate rows sorted by pandas."""
    rows, tops = [], {}
    for k in cb.scored_keys:
        col = f"score_{k}"
        idx = np.flatnonzero(sent_table[f"share_{k}"].to_numpy() > 0)
        if len(idx) > n > 0:
            score = sent_table[col].to_numpy()[idx]
            idx = idx[score >= np.partition(score, len(idx) - n)[len(idx) - n]]
        if len(idx):
            sub = sent_table.iloc[idx]
            tops[k] = sub.sort_values(
                [col, "doc_id", "sent_id"], ascending=[False, True, True]
            ).head(n)
    cols = ["frame", "doc_id", "sent_id", "text", "score"]
    if not tops:
        return pd.DataFrame(rows, columns=cols)
    docs = pd.concat([t["doc_id"] for t in tops.values()]).unique()
    near = sentences[sentences["doc_id"].isin(docs)]
    text = near.set_index(["doc_id", "sent_id"])["text"]
    for k, top in tops.items():
        col = f"score_{k}"
        for r in top.itertuples():
            rows.append(
                {
                    "frame": k,
                    "doc_id": r.doc_id,
                    "sent_id": int(r.sent_id),
                    "text": text.get((r.doc_id, r.sent_id), ""),
                    "score": float(getattr(r, col)),
                }
            )
    return pd.DataFrame(rows, columns=cols)


@functools.cache
def codebook():
    return load_codebook(REPO / "config/codebooks/policy_frames.yaml", "stem")


def sentences(n_docs: int, seed: int, arrow: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        doc = f"d{rng.integers(0, 10 * n_docs):05d}-{d}"  # ids out of corpus order
        for s in range(int(rng.integers(1, 8))):
            rows.append((doc, 0, s, PIECES[int(rng.integers(0, len(PIECES)))]))
    frame = pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])
    if arrow:
        frame["doc_id"] = frame["doc_id"].astype("string[pyarrow]")
        frame["text"] = frame["text"].astype("string[pyarrow]")
    return frame


@pytest.mark.parametrize("arrow", [False, True])
@pytest.mark.parametrize("n", [0, 1, 3, 5])
def test_examples_equal_the_former_ranking(arrow, n):
    from newslens.tokenize import make_normalizer

    cb = codebook()
    sents = sentences(300, seed=n, arrow=arrow)
    table, _ = classify_sentences(sents, cb, Matcher(cb), make_normalizer("stem"), OPTS)
    fast = example_sentences(table, sents, cb, n)
    ref = reference_examples(table, sents, cb, n)
    pd.testing.assert_frame_equal(fast, ref, check_exact=True)
    if n:
        # the repeated pieces tie on score: the ties are broken by doc_id, then sent_id
        assert len(fast) > n and fast.groupby("frame").size().max() == n


def test_examples_of_no_frames():
    from newslens.tokenize import make_normalizer

    cb = codebook()
    sents = pd.DataFrame(
        {"doc_id": ["a", "a"], "para_id": [0, 0], "sent_id": [0, 1], "text": ["", "Hello."]}
    )
    table, _ = classify_sentences(sents, cb, Matcher(cb), make_normalizer("stem"), OPTS)
    fast = example_sentences(table, sents, cb, 3)
    assert fast.empty and list(fast.columns) == ["frame", "doc_id", "sent_id", "text", "score"]
    pd.testing.assert_frame_equal(fast, reference_examples(table, sents, cb, 3))
