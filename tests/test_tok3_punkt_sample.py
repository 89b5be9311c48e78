"""The Punkt training sample read in Arrow equals the plain pandas reading it replaced."""

import pandas as pd
import pytest
from newslens.runtime import iter_parquet
from newslens.tokenize import punkt_training_text


def reference_training_text(clean_paths, dropped_ids: set, budget: int) -> str:
    """The sample as the pipeline took it with pandas (every text a Python string)."""
    total = 0
    for path in clean_paths:
        for batch in iter_parquet(path, 5000, ["doc_id", "text"]):
            total += int(batch.loc[~batch["doc_id"].isin(dropped_ids), "text"].str.len().sum())
    if budget <= 0 or total == 0:
        return ""
    step = max(1, round(total / budget))
    picked = []
    for path in clean_paths:
        for batch in iter_parquet(path, 5000, ["doc_index", "doc_id", "text"]):
            batch = batch.loc[(batch["doc_index"] % step == 0) & ~batch["doc_id"].isin(dropped_ids)]
            picked.extend(zip(batch["doc_index"].tolist(), batch["text"].tolist(), strict=True))
    parts, used = [], 0
    for _, text in sorted(picked):
        if used >= budget:
            break
        parts.append(text)
        used += len(text)
    return "\n\n".join(parts)


TEXTS = [
    "Mr. Sargsyan met Pres. Aliyev in St. Petersburg on 3 Jan. 2021.",
    "Армения и Азербайджан — переговоры продолжаются... «Мир» близок?",
    'Ереван. Նիկոլ Փաշինյան said: "We won\'t" (1,000.5 km).',
    "",
    "emoji 😀 outside the BMP, and \u00e9\u0301 combining marks.",
    "U.S. and E.U. officials said 50% of the 12,000 refugees returned.",
]


def corpus(n: int, shards: int, tmp_path, start: int = 0):
    docs = pd.DataFrame(
        {
            "doc_index": range(start, start + n),
            "doc_id": [f"d{i}" for i in range(n)],
            "text": [TEXTS[i % len(TEXTS)] + f" Item {i}." * (i % 7) for i in range(n)],
        }
    )
    paths = []
    for k in range(shards):
        path = tmp_path / f"{k + 1}-of-{shards}.parquet"
        docs.iloc[k::shards].to_parquet(path, index=False)
        paths.append(str(path))
    return paths


@pytest.mark.parametrize(
    "n, shards, dropped, budget",
    [
        (200, 1, set(), 2_000),
        (200, 3, {"d0", "d5", "d77"}, 1_000),
        (12_001, 2, {f"d{i}" for i in range(0, 12_001, 13)}, 50_000),  # batches of 5,000 rows
        (50, 2, set(), 10**9),  # step 1: every article
        (50, 2, {f"d{i}" for i in range(50)}, 100),  # all dropped: no text
        (50, 1, set(), 0),  # no budget
        (3, 1, set(), 5),
    ],
)
def test_sample_equals_the_pandas_reference(tmp_path, n, shards, dropped, budget):
    paths = corpus(n, shards, tmp_path)
    got = punkt_training_text(paths, dropped, budget)
    assert got == reference_training_text(paths, dropped, budget)
    if budget and len(dropped) < n:
        assert got  # something was picked
        assert "Item" in got or n <= 6


def test_sample_counts_code_points_not_bytes(tmp_path):
    """The step comes from character counts: 100 Armenian articles of 40 characters (80 UTF-8
    bytes each) and a budget of 1,000 characters give step 4 (bytes would give 8)."""
    path = tmp_path / "1-of-1.parquet"
    pd.DataFrame(
        {
            "doc_index": range(100),
            "doc_id": [f"d{i}" for i in range(100)],
            "text": ["Փաշինյան" * 5] * 100,
        }
    ).to_parquet(path, index=False)
    got = punkt_training_text([str(path)], set(), 1_000)
    assert got == reference_training_text([str(path)], set(), 1_000)
    assert len(got.split("\n\n")) == 25  # every 4th article, 25 x 40 = 1,000 characters
