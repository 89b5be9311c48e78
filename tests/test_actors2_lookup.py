"""actors2: the vectorised ScoreLookup numbering and sentiment_actors' contract() give what
the former per-article dict did (tests/test_actors2_*.py)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from newslens.sentiment import LABELS, ScoreLookup


def reference_lookup(batches):
    """The former ScoreLookup.__init__: doc ids numbered by a dict, batch by batch."""
    ids: dict[str, int] = {}
    keys, compound, label = [], [], []
    exact = True
    for b in batches:
        codes, uniques = pd.factorize(b["doc_id"].astype(str))
        doc = np.fromiter(
            (ids.setdefault(d, len(ids)) for d in uniques), dtype=np.int64, count=len(uniques)
        )
        sent = b["sent_id"].to_numpy(dtype=np.int64)
        if len(sent) and (sent.min() < 0 or sent.max() >= 1 << ScoreLookup.SENT_BITS):
            exact = False
        keys.append((doc[codes] << ScoreLookup.SENT_BITS) | sent)
        compound.append(b["compound"].to_numpy(dtype=float))
        lab = np.full(len(b), len(LABELS), dtype=np.int8)
        for i, name in enumerate(LABELS):
            lab[(b["label"] == name).to_numpy(dtype=bool, na_value=False)] = i
        label.append(lab)
    key = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    if np.any(key[1:] == key[:-1]):
        exact = False
    comp = np.concatenate(compound)[order] if compound else np.empty(0)
    lab = np.concatenate(label)[order] if label else np.empty(0, dtype=np.int8)
    return pd.Index(list(ids), dtype=object), key, comp, lab, exact


def frame(doc, sent, compound, label):
    return pd.DataFrame({"doc_id": doc, "sent_id": sent, "compound": compound, "label": label})


def random_batches(rng, n_batches, n_docs):
    docs = [f"d{i:03d}" for i in rng.permutation(n_docs)]
    out = []
    for _ in range(n_batches):
        n = int(rng.integers(0, 40))
        doc = [docs[j] for j in rng.integers(0, n_docs, n)]
        sent = rng.integers(0, 12, n)
        comp = rng.choice([np.nan, -0.0, 0.0, 0.5, -0.25, 1.0], n)
        lab = rng.choice(["negative", "neutral", "positive", None, "other"], n)
        out.append(frame(doc, sent, comp, lab))
    return out


CASES = {
    "none": [],
    "one empty batch": [frame([], [], [], [])],
    "an article over two batches, ids repeated": [
        frame(["b", "b", "a"], [0, 1, 0], [0.1, -0.2, 0.0], ["positive", "negative", "neutral"]),
        frame(["a", "c", "b"], [1, 0, 2], [np.nan, 0.3, -0.0], ["neutral", None, "negative"]),
        frame([], [], [], []),
        frame(["c", "d"], [1, 0], [0.5, 0.5], ["positive", "positive"]),
    ],
    "a repeated key (not exact)": [frame(["a", "a"], [0, 0], [0.1, 0.2], ["neutral"] * 2)],
    "a sent_id out of range (not exact)": [frame(["a"], [1 << 24], [0.1], ["neutral"])],
    "numeric doc ids": [frame([3, 1, 3], [0, 0, 1], [0.1, 0.2, 0.3], ["neutral"] * 3)],
}


@pytest.mark.parametrize("name", [*CASES, "random 0", "random 1", "random 2"])
def test_lookup_equals_the_dict_numbering(name):
    if name.startswith("random"):
        batches = random_batches(np.random.default_rng(int(name[-1])), 7, 25)
    else:
        batches = CASES[name]
    index, key, comp, lab, exact = reference_lookup(batches)
    got = ScoreLookup(iter(batches))
    assert list(got.index) == list(index)
    assert got.index.dtype == object
    np.testing.assert_array_equal(got.keys, key)
    assert got.keys.dtype == key.dtype
    np.testing.assert_array_equal(got.compound, comp)  # NaN equal, and -0.0 kept:
    np.testing.assert_array_equal(np.signbit(got.compound), np.signbit(comp))
    np.testing.assert_array_equal(got.label, lab)
    assert got.exact == exact
    # find() answers every scored (doc, sent) with its own score, and an unknown doc with no
    doc, sent = key >> ScoreLookup.SENT_BITS, key & ((1 << ScoreLookup.SENT_BITS) - 1)
    found, c, lb = got.find(np.r_[doc, -1], np.r_[sent, 0])
    assert not found[-1]
    if exact:
        assert found[:-1].all()
        np.testing.assert_array_equal(c[:-1], comp)
        np.testing.assert_array_equal(lb[:-1], lab)


def load_script(name):
    path = Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    source = path.read_text().replace("run(main, snakemake)", "")
    module = type(sys)(name)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def test_contract_keeps_or_converts_the_dtypes():
    assert importlib.util.find_spec("newslens.sentiment") is not None
    contract = load_script("sentiment_actors").contract
    typed = pd.DataFrame(
        {"n_mentions": np.array([1, 2]), "n_actors": np.array([1, 3]), "alone": [True, False]}
    )
    assert contract(typed) is typed  # already the contract: no copy
    loose = pd.DataFrame(
        {"n_mentions": [1.0, 2.0], "n_actors": np.array([1, 3], dtype=np.int32), "alone": [1, 0]}
    )
    out = contract(loose)
    assert list(out.dtypes.astype(str)) == ["int64", "int64", "bool"]
    assert out["n_mentions"].tolist() == [1, 2] and out["alone"].tolist() == [True, False]
