"""compare_groups' actor x frame shares read from the frame dataset in two streamed passes
(``compare_actors.actor_frame_shares_from_dataset``) equal the DataFrame version and the pandas
merge of tests/reference_actor_frames.py exactly, with the group means taken a few columns at a
time (``COLUMNS_PER_STEP``), several Parquet batches, articles in no sorted order, NaN shares,
repeated actor rows, sentences without a frame row, and actor tables sorted by article and
actor (pandas then sums another way: all columns in one step)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import compare_actors as ca
from reference_actor_frames import reference_actor_frame_shares as _old


def _tables(seed=11, n_docs=240, per=7):
    rng = np.random.default_rng(seed)
    docs = [f"doc{d}" for d in rng.permutation(n_docs)]  # not in sorted order
    frames = pd.DataFrame(
        {
            "doc_id": np.repeat(docs, per),
            "sent_id": np.tile(np.arange(per), n_docs),
            "primary_frame": "war",
            "share_war": rng.random(n_docs * per),
            "share_aid": rng.random(n_docs * per) / 3,
            "share_law": rng.random(n_docs * per) ** 3,
            "share_none": 0.0,
        }
    )
    frames.loc[rng.integers(0, len(frames), 60), "share_aid"] = np.nan
    picks = rng.integers(0, len(frames), 3000)
    actors = pd.DataFrame(
        {
            "doc_id": frames["doc_id"].to_numpy()[picks],
            "sent_id": frames["sent_id"].to_numpy()[picks],
            "actor": rng.choice(["A", "B", "C", "D"], len(picks)),
        }
    )
    extra = pd.DataFrame({"doc_id": ["doc3", "zzz"], "sent_id": [99, 0], "actor": ["A", "B"]})
    return frames, pd.concat([actors, extra], ignore_index=True)  # no frame row for these


@pytest.mark.parametrize("sort", [False, True])
@pytest.mark.parametrize("nan", [True, False])
@pytest.mark.parametrize("step", [1, 2, 4])
def test_streamed_equals_the_dataframe_version_and_the_merge(
    tmp_path, monkeypatch, step, nan, sort
):
    frames, actors = _tables()
    if not nan:
        frames["share_aid"] = frames["share_aid"].fillna(0.125)
    if sort:  # group keys (article code x actor) in sorted order: pandas' reduceat path
        actors = actors.sort_values(["doc_id", "actor", "sent_id"], ignore_index=True)
    path = tmp_path / "frames.parquet"
    pq.write_table(pa.Table.from_pandas(frames, preserve_index=False), path, row_group_size=300)
    monkeypatch.setattr(ca, "COLUMNS_PER_STEP", step)
    listed = ["C", "A", "B"]
    share_cols = ["share_war", "share_aid", "share_law"]
    got = ca.actor_frame_shares_from_dataset(actors, path, share_cols, listed, batch_rows=250)
    frame = ca.actor_frame_shares(actors, frames.drop(columns="share_none"), listed)
    old = _old(actors, frames, listed)
    for new in (got, frame):
        pd.testing.assert_frame_equal(new[0], old[0], check_exact=True)
        pd.testing.assert_frame_equal(new[1], old[1], check_exact=True)
        assert new[2] == old[2] == ["war", "aid", "law"]
        assert new[3] == old[3]
    # known answer for one cell: the mean of the article's distinct sentences naming the actor
    doc, actor = actors.iloc[0]["doc_id"], actors.iloc[0]["actor"]
    if actor in listed:
        sents = actors[(actors["doc_id"] == doc) & (actors["actor"] == actor)]["sent_id"]
        rows = frames[(frames["doc_id"] == doc) & frames["sent_id"].isin(sents)]
        assert got[0].loc[doc, (actor, "war")] == pytest.approx(rows["share_war"].mean())
        assert got[1].loc[doc, actor] == sents.nunique()


def test_streamed_reads_a_part_list_and_reports_repeated_rows(tmp_path):
    frames, actors = _tables(seed=3, n_docs=40)
    path = tmp_path / "frames.parquet"
    pq.write_table(pa.Table.from_pandas(frames, preserve_index=False), path)
    got = ca.actor_frame_shares_from_dataset(actors, path, ["share_war"], ["A"], batch_rows=64)
    old = _old(actors, frames[["doc_id", "sent_id", "primary_frame", "share_war"]], ["A"])
    pd.testing.assert_frame_equal(got[0], old[0], check_exact=True)
    repeated = pd.concat([frames, frames.iloc[[5]]], ignore_index=True)
    pq.write_table(pa.Table.from_pandas(repeated, preserve_index=False), path)
    with pytest.raises(ValueError, match="more than one row"):
        ca.actor_frame_shares_from_dataset(actors, path, ["share_war"], ["A"])
    nobody = actors.assign(doc_id="nowhere")
    values, sentences, names, n_rows = ca.actor_frame_shares_from_dataset(
        nobody, tmp_path / "frames.parquet", ["share_war"], ["A"]
    )
    assert values.empty and sentences.empty and names == ["war"] and n_rows == 0
