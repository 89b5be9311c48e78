"""Partitioned per-row tables (newslens.shards): part files written per block, read back as one
table in corpus order by pandas and pyarrow, stale parts removed, ingest deals blocks; and the
reading recipes of docs/outputs.md run on the seed run's results."""

from __future__ import annotations

import json
import os
import re
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from newslens import runtime
from newslens.corpus import RoundRobinShards
from newslens.runtime import NewslensError
from newslens.shards import MANIFEST, PartWriter, dataset_parts, part_block, part_name, read_dataset
from newslens.shards_gather import merge_part_lists, write_csv

REPO = Path(__file__).resolve().parents[1]
SCHEMA = pa.schema([("doc_id", pa.large_string()), ("sent_id", pa.int64()), ("x", pa.float64())])


def corpus(n_docs: int, seed: int = 0) -> pd.DataFrame:
    """Sentences of ``n_docs`` articles (1-4 each) in corpus order; doc_index = article number."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_docs):
        for s in range(int(rng.integers(1, 5))):
            rows.append((f"doc{d:03d}", s, float(rng.normal()), d))
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "x", "doc_index"])


def write_shards(table: pd.DataFrame, folder: Path, lists: Path, n_shards: int, per_part: int):
    """Write ``table`` as the shard jobs do: block b = doc_index // per_part to shard b % n, each
    shard's rows in corpus order, in batches that cut across blocks."""
    paths = []
    for shard in range(n_shards):
        rows = table[(table["doc_index"] // per_part) % n_shards == shard]
        path = lists / f"{shard + 1}-of-{n_shards}.json"
        with PartWriter(folder, path, SCHEMA, rows=7) as writer:
            for start in range(0, len(rows), 5):  # batches of 5 rows, across block boundaries
                batch = rows.iloc[start : start + 5]
                for block in sorted(set(batch["doc_index"] // per_part)):
                    part = batch[batch["doc_index"] // per_part == block]
                    writer.write(block, part.drop(columns="doc_index"))
        paths.append(path)
    return paths


@pytest.mark.parametrize("n_shards", [1, 2, 3])
def test_dataset_reads_back_as_the_table_in_corpus_order(tmp_path, n_shards):
    table = corpus(40)
    folder = tmp_path / "tables" / "sentences"
    lists = write_shards(table, folder, tmp_path / "interim", n_shards, per_part=6)
    n = merge_part_lists(lists, folder, folder / MANIFEST)
    expected = table.drop(columns="doc_index").reset_index(drop=True)
    assert n == len(expected)
    names = sorted(p.name for p in folder.glob("part-*.parquet"))
    assert names == [part_name(b) for b in range(7)]  # 40 articles, 6 per part
    for read in (
        lambda: pd.read_parquet(folder),
        lambda: ds.dataset(folder, format="parquet").to_table().to_pandas(),
        lambda: read_dataset(folder / MANIFEST),
        lambda: pd.concat([runtime.read_parquet(p) for p in lists]).sort_values(
            "doc_id", kind="stable"
        ),
    ):
        got = read().reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)
        assert list(got.dtypes.astype(str)) == ["str", "int64", "float64"]
    # a shard's part list reads as that shard's rows, batch by batch, in order
    shard0 = table[(table["doc_index"] // 6) % n_shards == 0].drop(columns="doc_index")
    batches = list(runtime.iter_parquet(lists[0], 4))
    assert all(len(b) <= 4 for b in batches)
    pd.testing.assert_frame_equal(
        pd.concat(batches, ignore_index=True), shard0.reset_index(drop=True)
    )
    assert runtime.parquet_num_rows(lists[0]) == len(shard0)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert [p["file"] for p in manifest["parts"]] == names
    assert sum(p["rows"] for p in manifest["parts"]) == len(expected)


def test_part_bytes_do_not_depend_on_the_shard_count(tmp_path):
    table = corpus(30, seed=4)
    parts = {}
    for n_shards in (1, 2, 3):
        folder = tmp_path / f"s{n_shards}"
        lists = write_shards(table, folder, tmp_path / f"i{n_shards}", n_shards, per_part=4)
        merge_part_lists(lists, folder, folder / MANIFEST)
        parts[n_shards] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    assert parts[1] == parts[2] == parts[3]
    assert len(parts[1]) == 8 + 1  # 8 parts and the manifest


def test_stale_parts_are_removed_and_empty_shards_keep_their_columns(tmp_path):
    folder = tmp_path / "tokens"
    table = corpus(10)
    lists = write_shards(table, folder, tmp_path / "old", 2, per_part=2)  # parts 0-4
    merge_part_lists(lists, folder, folder / MANIFEST)
    assert len(list(folder.glob("part-*.parquet"))) == 5
    smaller = table[table["doc_index"] < 3]  # a smaller corpus: parts 0-1, shard 2 of 3 empty
    lists = write_shards(smaller, folder, tmp_path / "new", 3, per_part=2)
    assert json.loads(lists[2].read_text())["parts"] == []
    empty = runtime.read_parquet(lists[2])
    assert list(empty.columns) == ["doc_id", "sent_id", "x"] and len(empty) == 0
    assert list(runtime.iter_parquet(lists[2], 10)) == []
    merge_part_lists(lists, folder, folder / MANIFEST)
    assert sorted(p.name for p in folder.glob("part-*.parquet")) == [part_name(0), part_name(1)]
    got = pd.read_parquet(folder)
    pd.testing.assert_frame_equal(got, smaller.drop(columns="doc_index").reset_index(drop=True))


def test_blocks_out_of_order_and_foreign_part_lists_are_refused(tmp_path):
    with pytest.raises(NewslensError, match="not in corpus order"):
        with PartWriter(tmp_path / "t", tmp_path / "l.json", SCHEMA) as writer:
            writer.write(3, pa.table({"doc_id": ["a"], "sent_id": [0], "x": [1.0]}))
            writer.write(2, pa.table({"doc_id": ["b"], "sent_id": [0], "x": [1.0]}))
    assert not (tmp_path / "l.json").exists()
    assert not list((tmp_path / "t").glob("*.tmp"))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(NewslensError, match="bad.json"):
        runtime.read_parquet(tmp_path / "bad.json")
    assert part_block(tmp_path / part_name(1234)) == 1234


def test_csv_twin_prints_as_pandas_prints_the_table(tmp_path):
    table = corpus(12)
    folder = tmp_path / "s"
    lists = write_shards(table, folder, tmp_path / "i", 2, per_part=5)
    merge_part_lists(lists, folder, folder / MANIFEST)
    write_csv(folder / MANIFEST, tmp_path / "s.csv")
    expected = table.drop(columns="doc_index").to_csv(index=False, lineterminator="\n")
    assert (tmp_path / "s.csv").read_text() == expected


@pytest.mark.parametrize("block", [1, 3, 1000])
def test_ingest_deals_blocks_of_consecutive_articles(block):
    class Sink:
        def __init__(self):
            self.frames = []

        def write(self, df):
            self.frames.append(df)

    for chunks in ([25], [1] * 25, [7, 11, 7]):
        sinks = [Sink(), Sink()]
        shards = RoundRobinShards(sinks, ["doc_index", "raw"], batch_rows=4, block=block)
        start = 0
        for n in chunks:
            shards.add({"raw": [f"a{i}" for i in range(start, start + n)]})
            start += n
        shards.flush()
        for shard, sink in enumerate(sinks):
            got = pd.concat(sink.frames)["doc_index"].tolist() if sink.frames else []
            want = [i for i in range(25) if (i // block) % 2 == shard]
            assert got == want


# --- the recipes of docs/outputs.md, on the seed run ----------------------------------------
def recipes() -> list[str]:
    text = (REPO / "docs" / "outputs.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_outputs_doc_has_recipes():
    assert len(recipes()) >= 3


@pytest.mark.parametrize("index", range(3))
def test_outputs_doc_python_recipes_run_on_the_seed(seed_run, index, tmp_path, capsys):
    code = recipes()[index]
    script = tmp_path / "recipe.py"
    script.write_text(code, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(seed_run)
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    assert printed.strip()
    if index == 0:  # the seed: one article, 805 tokens, 25 sentences
        assert printed.split()[:2] == ["805", "000_bddb6e4422a4ea30"]
        assert "(25, 3)" in printed


def test_every_dataset_of_the_seed_run_matches_its_manifest_and_csv(seed_tables):
    docs = pd.read_csv(seed_tables / "documents.csv", keep_default_na=False)
    for name in ("tokens", "sentences", "paragraphs", "sentiment_sentences", "frames_sentences"):
        folder = seed_tables / name
        manifest = json.loads((folder / MANIFEST).read_text())
        table = pd.read_parquet(folder)
        assert manifest["rows"] == len(table) > 0
        assert [p.name for p in dataset_parts(folder / MANIFEST)] == [
            p.name for p in sorted(folder.glob("part-*.parquet"))
        ]
        assert table["doc_id"].drop_duplicates().tolist() == docs["doc_id"].tolist()
        csv = pd.read_csv(seed_tables / f"{name}.csv", keep_default_na=False)
        assert csv.shape == table.shape
        assert csv["doc_id"].astype(str).tolist() == table["doc_id"].tolist()
    sents = pd.read_parquet(seed_tables / "sentences")
    sentiment = pd.read_parquet(seed_tables / "sentiment_sentences")
    assert sentiment["text"].tolist() == sents["text"].tolist()
    assert sents.groupby("doc_id")["sent_id"].apply(lambda s: s.is_monotonic_increasing).all()


def test_rebatch_cuts_fixed_windows_whatever_the_parts():
    from newslens.shards import rebatch

    values = np.arange(23.0)
    for sizes in ([23], [1] * 23, [5, 11, 7], [10, 0, 13]):
        tables, start = [], 0
        for n in sizes:
            tables.append(pa.table({"v": values[start : start + n]}))
            start += n
        batches = list(rebatch(tables, 10))
        assert [b.num_rows for b in batches] == [10, 10, 3]
        assert np.concatenate([b.column("v").to_numpy() for b in batches]).tolist() == list(values)
