"""Actors x frames counted by the frames_sentences jobs (``ShardActorCounter``, fed each batch as
it is classified): on the shared small corpus (2 and 3 shards, actors named every third article)
each shard's counts equal ``shard_actor_counts`` reading the written frame sentences back (what
rule frames_actors_shard did), and frames_actors.csv is the same with 2 and 3 shards."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import run_snakemake
from newslens.codebook import Codebook
from newslens.frames_actors import shard_actor_counts, target_actors
from newslens.runtime import write_table
from shard_runs import shared_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    dirs = shared_runs(tmp_path_factory)
    for shards, workdir in dirs.items():
        run_snakemake(
            workdir, "results/tables/frames_actors.csv", "--set-scatter", f"shard={shards}"
        )
    return dirs


def test_counts_of_the_batches_equal_the_table_read_back(runs, tmp_path, monkeypatch):
    for shards, workdir in runs.items():
        monkeypatch.chdir(workdir)  # part lists name their parts relative to the run
        interim = workdir / "results" / "interim"
        cb_json = (interim / "frames" / "codebook.json").read_text(encoding="utf-8")
        cb = Codebook.from_dict(json.loads(cb_json))
        names = sorted(p.stem for p in (interim / "frames" / "actor_counts").glob("*.parquet"))
        assert len(names) == shards
        n_rows = 0
        for shard in names:
            counts_path = interim / "frames" / "actor_counts" / f"{shard}.parquet"
            got = pd.read_parquet(counts_path)
            want = shard_actor_counts(
                interim / "actors" / f"{shard}.parquet",
                interim / "frames" / "sentences" / f"{shard}.json",
                cb,
                200_000,
            )
            # the file frames_actors_shard wrote from these counts, byte for byte
            path = tmp_path / f"{shards}-{shard}.parquet"
            write_table(want, path)
            assert path.read_bytes() == counts_path.read_bytes(), (shards, shard)
            assert got["n_actor_sentences"].tolist() == want["n_actor_sentences"].tolist()
            n_rows += len(got)
            named = json.loads((interim / "frames" / "actor_targets" / f"{shard}.json").read_text())
            assert named == target_actors(interim / "actor_targets" / f"{shard}.parquet")
        assert n_rows > 0


def test_actor_table_same_with_2_and_3_shards(runs):
    tables = {s: runs[s] / "results" / "tables" / "frames_actors.csv" for s in runs}
    assert tables[2].read_bytes() == tables[3].read_bytes()
    table = pd.read_csv(tables[2])
    # NATO, Russia and Armenia are named (every third article)
    named = table.groupby("actor")["n_actor_sentences"].first()
    assert {"NATO", "Russia", "Armenia"} <= set(named[named > 0].index)
