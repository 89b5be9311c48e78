"""cmp10: compare_evidence's example sentences from tables read dictionary-encoded
(``compare_codes.read_coded``: doc_id, actor and primary_frame as categoricals) are the same
tables, row for row, as from the tables read as strings; and keyness' chi-square p-values,
taken for the kept rows only, equal those of every term (bit for bit) and scipy's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import compare as cp
from newslens import compare_evidence as ce
from newslens.compare_codes import read_coded
from newslens.runtime import read_parquet
from scipy import stats
from test_cmpjobs_examples import _data


def _tables(tmp_path, seed: int, nulls: bool):
    rows, groups = _data(seed=seed)
    if not nulls:
        rows["primary_frame"] = rows["primary_frame"].fillna("none")
    frames = rows.drop_duplicates(["doc_id", "sent_id"])[["doc_id", "sent_id", "primary_frame"]]
    actors = rows[["doc_id", "sent_id", "actor", "compound"]]
    actors = pd.concat([actors, actors.iloc[:40]])  # repeated (doc_id, sent_id, actor) rows
    paths = {}
    for name, tab in (("frames", frames), ("actors", actors)):
        paths[name] = tmp_path / f"{name}.parquet"
        # small row groups: several dictionaries, unified when read
        pq.write_table(pa.Table.from_pandas(tab, preserve_index=False), paths[name], 300)
    return paths, groups


@pytest.mark.parametrize("seed", [2, 9])
def test_examples_from_coded_tables_equal_the_string_tables(tmp_path, seed):
    paths, groups = _tables(tmp_path, seed, nulls=False)
    f_cols, a_cols = (
        ["doc_id", "sent_id", "primary_frame"],
        ["doc_id", "sent_id", "actor", "compound"],
    )
    frames = read_coded(paths["frames"], f_cols, ["doc_id", "primary_frame"])
    actors = read_coded(paths["actors"], a_cols, ["doc_id", "actor"])
    assert isinstance(frames["primary_frame"].dtype, pd.CategoricalDtype)
    assert isinstance(actors["actor"].dtype, pd.CategoricalDtype)
    s_frames = read_parquet(paths["frames"], columns=f_cols)
    s_actors = read_parquet(paths["actors"], columns=a_cols)
    assert not isinstance(s_frames["doc_id"].dtype, pd.CategoricalDtype)

    got = ce.frame_examples(frames, groups, 2, 11)
    expect = ce.frame_examples(s_frames, groups, 2, 11)
    pd.testing.assert_frame_equal(got, expect)
    assert len(got) > 40 and not got["frame"].isin(["none", ""]).any()
    assert (got.groupby(["variable", "group", "frame"]).size() <= 2).all()

    got = ce.actor_examples(actors, groups, 3, 5, primary=frames)
    expect = ce.actor_examples(s_actors, groups, 3, 5, primary=s_frames)
    pd.testing.assert_frame_equal(got, expect)
    assert len(got) > 40 and set(got["primary_frame"]) <= {"war", "aid", "economy", "none"}
    assert (got.groupby(["variable", "group", "actor"]).size() == 3).any()


def test_coded_read_with_nulls_reads_strings_and_gives_the_same_examples(tmp_path):
    paths, groups = _tables(tmp_path, 4, nulls=True)
    cols = ["doc_id", "sent_id", "primary_frame"]
    frames = read_coded(paths["frames"], cols, ["doc_id", "primary_frame"])
    assert not isinstance(frames["primary_frame"].dtype, pd.CategoricalDtype)
    expect = ce.frame_examples(read_parquet(paths["frames"], columns=cols), groups, 2, 3)
    pd.testing.assert_frame_equal(ce.frame_examples(frames, groups, 2, 3), expect)


def test_keyness_chi2_p_of_kept_rows_equal_every_terms():
    rng = np.random.default_rng(0)
    ci = rng.poisson(rng.gamma(0.5, 20, 3000)).astype(float)
    cj = rng.poisson(rng.gamma(0.5, 60, 3000)).astype(float)
    terms = [f"t{i}" for i in range(3000)]
    tab = cp.keyness(ci, cj, terms, min_count=2, top_n=50)
    assert len(tab) == 100
    keep = (ci + cj) >= 2
    _g2, _g2p, chi2, chi2_p = cp.g2_chi2(
        ci[keep], cj[keep], ci.sum() - ci[keep], cj.sum() - cj[keep]
    )
    at = pd.Index(np.asarray(terms)[keep]).get_indexer(tab["term"])
    np.testing.assert_array_equal(tab["chi2_p"].to_numpy(), chi2_p[at])
    np.testing.assert_allclose(tab["chi2_p"], stats.chi2.sf(tab["chi2"], 1), rtol=1e-10)
    assert cp.g2_chi2(ci[keep], cj[keep], 10**6, 10**6, chi2_p=False)[3] is None
