"""sentiment_actor_sentences as a partitioned dataset: it reads back as the single Parquet file
it replaced (rows, order, dtypes), and the seed run's dataset agrees with sentiment_actors.csv."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens.runtime import read_parquet
from newslens.shards import MANIFEST, PartWriter, dataset_parts
from newslens.shards_gather import TableWriter, merge_part_lists

SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("sent_id", pa.int64()), ("actor", pa.string())]
    + [("n_mentions", pa.int64()), ("n_actors", pa.int64()), ("alone", pa.bool_())]
    + [(c, pa.float64()) for c in ("compound", "is_negative", "is_neutral", "is_positive")]
)


def actor_rows(n_docs: int, seed: int) -> pd.DataFrame:
    """Actor-sentence rows in (doc_id, sent_id, actor) order with doc_rank, as the merge in
    scripts/sentiment_actors.py hands them over."""
    rng = np.random.default_rng(seed)
    rows = []
    for rank, doc in enumerate(f"d{i:04d}" for i in range(n_docs)):
        for sent in sorted(rng.choice(20, size=rng.integers(0, 4), replace=False)):
            actors = sorted(rng.choice(["NATO", "Russia", "Ukraine"], rng.integers(1, 3), False))
            for actor in actors:
                c = float(rng.uniform(-1, 1))
                rows.append(
                    (doc, int(sent), actor, int(rng.integers(1, 3)), len(actors), len(actors) == 1)
                    + (c, float(c < -0.05), float(abs(c) <= 0.05), float(c > 0.05), rank)
                )
    return pd.DataFrame(rows, columns=[*SCHEMA.names, "doc_rank"])


@pytest.mark.parametrize("batch", [1, 7, 10_000])
def test_dataset_reads_back_as_the_single_file(tmp_path, batch):
    rows = actor_rows(57, seed=batch)
    # the old layout: one file written by TableWriter with pandas metadata
    single = tmp_path / "sentiment_actor_sentences.parquet"
    with TableWriter(single, schema=SCHEMA, pandas_metadata=True) as out:
        for lo in range(0, len(rows), batch):
            out.write(rows.iloc[lo : lo + batch])
    # the new layout: parts by blocks of 10 articles in doc_id order, then the manifest
    folder = tmp_path / "sentiment_actor_sentences"
    manifest = folder / MANIFEST
    folder.mkdir()
    (folder / "part-00000099.parquet").write_bytes(b"stale part of an earlier run")
    with PartWriter(folder, manifest, SCHEMA) as out:
        for lo in range(0, len(rows), batch):
            t = rows.iloc[lo : lo + batch]
            out.write_blocks(t["doc_rank"].to_numpy() // 10, t)
    n = merge_part_lists([manifest], folder, manifest)
    assert n == len(rows) > 100
    assert [p.name for p in dataset_parts(manifest)] == [f"part-{b:08d}.parquet" for b in range(6)]
    assert not (folder / "part-00000099.parquet").exists()
    body = json.loads(manifest.read_text())
    assert [p["file"] for p in body["parts"]] == [p.name for p in dataset_parts(manifest)]
    old = pd.read_parquet(single)
    for new in (pd.read_parquet(folder), read_parquet(manifest), read_parquet(folder)):
        pd.testing.assert_frame_equal(new, old)  # rows, order, dtypes
    assert all(pd.api.types.is_string_dtype(old[c]) for c in ("doc_id", "actor"))
    assert old.dtypes[["sent_id", "n_mentions", "n_actors"]].tolist() == [np.dtype("int64")] * 3
    assert old["alone"].dtype == bool and old["compound"].dtype == np.dtype("float64")


def test_empty_dataset_reads_back_with_its_columns(tmp_path):
    folder = tmp_path / "sentiment_actor_sentences"
    manifest = folder / MANIFEST
    folder.mkdir()
    with PartWriter(folder, manifest, SCHEMA):
        pass
    assert merge_part_lists([manifest], folder, manifest) == 0
    got = read_parquet(manifest)
    assert got.columns.tolist() == SCHEMA.names and len(got) == 0


def test_seed_run_actor_dataset_matches_the_actor_table(seed_tables):
    folder = seed_tables / "sentiment_actor_sentences"
    assert not (seed_tables / "sentiment_actor_sentences.parquet").exists()
    table = pd.read_parquet(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["rows"] == len(table) > 0
    key = table[["doc_id", "sent_id", "actor"]]
    assert not key.duplicated().any()
    ordered = key.sort_values(["doc_id", "sent_id", "actor"], kind="stable")
    assert ordered.index.tolist() == list(range(len(table)))  # (doc_id, sent_id, actor) order
    summary = pd.read_csv(seed_tables / "sentiment_actors.csv", keep_default_na=False)
    summary = summary[summary["n_sentences"] > 0].set_index(["actor", "scope"])
    for (actor, scope), row in summary.iterrows():
        rows = table[(table["actor"] == actor) & (table["alone"] | (scope == "all"))]
        assert row["n_sentences"] == len(rows), (actor, scope)
        assert row["n_articles"] == rows["doc_id"].nunique(), (actor, scope)
        assert float(row["mean_compound"]) == pytest.approx(rows["compound"].mean(), abs=1e-4)
