"""The ingest step's dealing by runs of consecutive rows and its bulk list of input units give
exactly what the value-by-value code gave (every shard's rows, values and batch boundaries)."""

import random
import runpy

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from newslens.accounting import INPUT_COLUMNS
from newslens.corpus import RoundRobinShards


class Sink:
    def __init__(self):
        self.frames = []

    def write(self, df):
        self.frames.append(df)


def value_by_value(writers, columns, batch_rows, block, chunks):
    """RoundRobinShards.add as it was: each shard's rows copied one value at a time."""
    buffers = [{c: [] for c in columns} for _ in writers]
    n_docs = 0

    def write(shard, rows):
        buffer = buffers[shard]
        writers[shard].write(pd.DataFrame({c: buffer[c][:rows] for c in columns}, columns=columns))
        for values in buffer.values():
            del values[:rows]

    for cols in chunks:
        n = len(cols["raw"])
        index = np.arange(n_docs, n_docs + n)
        shard_of = (index // block) % len(writers)
        for shard in range(len(writers)):
            rows = np.flatnonzero(shard_of == shard)
            if not len(rows):
                continue
            buffer = buffers[shard]
            buffer["doc_index"].extend(index[rows].tolist())
            for name, values in cols.items():
                buffer[name].extend(values[i] for i in rows.tolist())
            while len(buffer["doc_index"]) >= batch_rows:
                write(shard, batch_rows)
        n_docs += n
    for shard, buffer in enumerate(buffers):
        if buffer["doc_index"]:
            write(shard, len(buffer["doc_index"]))


@pytest.mark.parametrize("n_shards", [1, 2, 4])
@pytest.mark.parametrize("block", [1, 3, 7, 1000])
def test_dealing_by_runs_equals_value_by_value(n_shards, block):
    rng = random.Random(n_shards * 1000 + block)
    columns = ["doc_index", "doc_id", "raw", "outlet"]
    sizes = [rng.choice([1, 2, 5, 13, 999, 2500]) for _ in range(12)]
    chunks, start = [], 0
    for size in sizes:
        chunks.append(
            {
                "doc_id": [f"d{i}" for i in range(start, start + size)],
                "raw": [rng.choice(["text", "", None, "é\u2019"]) for _ in range(size)],
                "outlet": [rng.choice(["A", None, 3.5]) for _ in range(size)],
            }
        )
        start += size
    new, old = [Sink() for _ in range(n_shards)], [Sink() for _ in range(n_shards)]
    shards = RoundRobinShards(new, columns, batch_rows=700, block=block)
    for cols in chunks:
        shards.add(cols)
    shards.flush()
    value_by_value(old, columns, 700, block, chunks)
    assert shards.n_docs == sum(sizes)
    seen = []
    for a, b in zip(new, old, strict=True):
        assert len(a.frames) == len(b.frames)
        for x, y in zip(a.frames, b.frames, strict=True):
            pd.testing.assert_frame_equal(x, y)
            seen += x["doc_index"].tolist()
    assert sorted(seen) == list(range(sum(sizes)))


def test_inputs_extend_rows_in_order(monkeypatch):
    # ingest.py ends with run(main, snakemake): give it a stand-in that does nothing
    import newslens.runtime

    monkeypatch.setattr(newslens.runtime, "run", lambda main, smk: None)
    module = runpy.run_path(str(REPO / "scripts" / "ingest.py"), init_globals={"snakemake": None})
    one, bulk = module["Inputs"](), module["Inputs"]()
    sources, ids = [f"t.csv:row {i}" for i in range(1, 6)], ["a", "b", "c", "d", "e"]
    one.append("x", "row", "z", "skipped", "why")
    bulk.append("x", "row", "z", "skipped", "why")
    for source, doc_id in zip(sources, ids, strict=True):
        one.append(source, "row", doc_id, "read")
    bulk.extend(sources, "row", ids, "read")
    pd.testing.assert_frame_equal(one.frame(), bulk.frame())
    assert bulk.frame().columns.tolist() == INPUT_COLUMNS
    assert bulk.frame()["outcome"].tolist() == ["skipped"] + ["read"] * 5
