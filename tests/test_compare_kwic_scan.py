"""KWIC from the token dataset in one scan of four columns (compare_evidence.scan_hits) and
the context of the sampled hits read from their row groups only (scan_contexts): the same lines
as building every context in memory (compare_evidence.kwic), across part files and row-group
boundaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens import compare as cp
from newslens import compare_evidence as ce
from newslens.shards import PART_PREFIX
from test_compare_kwic_sample import _tokens as sample_tokens


def _tokens(n_docs=40):
    """The sample test's token table (test_compare_kwic_sample), 37 tokens a document."""
    return sample_tokens(n_docs=n_docs, per_doc=37, seed=3)


def _write_parts(tokens: pd.DataFrame, folder, docs_per_part=15, row_group=11):
    """Whole articles per part (as the pipeline writes them), small row groups so that windows
    cross row-group boundaries."""
    folder.mkdir()
    doc_no = tokens["doc_id"].str[1:].astype(int)
    for b, part in tokens.groupby(doc_no // docs_per_part):
        pq.write_table(
            pa.Table.from_pandas(part.reset_index(drop=True), preserve_index=False),
            folder / f"{PART_PREFIX}{b:08d}.parquet",
            row_group_size=row_group,
        )
    return folder


def test_scan_equals_in_memory_kwic(tmp_path):
    tokens = _tokens()
    folder = _write_parts(tokens, tmp_path / "tokens")
    docs = pd.DataFrame({"doc_id": sorted(tokens["doc_id"].unique())})
    docs["outlet"] = ["A", "B", "C", "D"] * 10
    groups = cp.group_labels(docs, ["outlet"])
    targets = ce.kwic_targets(
        pd.DataFrame(columns=cp.KEYNESS_COLUMNS), ["ceasefire", "refugees", "aid"], 0
    )
    wanted = set(targets["term"])
    expected = ce.kwic_table(ce.kwic(tokens, wanted, 4), targets, groups, "rest", 5, seed=11)
    hits = ce.scan_hits(folder, wanted)
    # every hit found, once, with its matched form
    assert len(hits) == len(ce.kwic(tokens, wanted, 4, context=False))
    assert set(hits["term"]) == {"ceasefire", "refugees", "aid"}  # refugees: by its lower form
    assert sorted(hits["part"].unique()) == [0, 1, 2]
    got = ce.kwic_table(hits, targets, groups, "rest", 5, seed=11)
    lines = ce.scan_contexts(folder, got, 4)
    got[["left", "keyword", "right"]] = np.array(lines, dtype=object).reshape(-1, 3)
    got = got[ce.KWIC_COLUMNS]
    assert len(got) == 4 * 3 * 5  # 4 outlets x 3 terms x max_rows
    pd.testing.assert_frame_equal(got, expected)
    # contexts stay inside the article: the first token of an article has no left context
    first = tokens.groupby("doc_id").head(1)
    firsts = set(zip(first["doc_id"], first["token"], strict=True))
    for d, left, kw in zip(got["doc_id"], got["left"], got["keyword"], strict=True):
        assert len(left.split()) <= 4
        if left == "":
            assert (d, kw) in firsts


def test_scan_with_nothing_wanted_or_found(tmp_path):
    folder = _write_parts(_tokens(n_docs=6), tmp_path / "tokens")
    assert ce.scan_hits(folder, set()).empty
    none = ce.scan_hits(folder, {"zzz"})
    assert none.empty and list(none.columns) == ce.HIT_COLUMNS
