"""ingest reads the next corpus chunk and writes the raw shards on threads: the same items in
the same order, errors raised in the job, and the same shard bytes as plain writers."""

from __future__ import annotations

import runpy
import threading
from pathlib import Path

import pandas as pd
import pytest
from newslens.runtime import ParquetShardWriter

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def ingest(monkeypatch) -> dict:
    import newslens.runtime

    monkeypatch.setattr(newslens.runtime, "run", lambda main, smk: None)
    return runpy.run_path(str(REPO / "scripts" / "ingest.py"), init_globals={"snakemake": None})


def test_prefetched_yields_every_item_in_order(ingest):
    items = [pd.DataFrame({"i": [k, k + 1]}) for k in range(0, 40, 2)]
    got = list(ingest["prefetched"](iter(items)))
    assert len(got) == 20
    assert pd.concat(got)["i"].tolist() == list(range(40))
    assert list(ingest["prefetched"](iter([]))) == []


def test_prefetched_raises_the_readers_error_after_the_items_before_it(ingest):
    def chunks():
        yield 1
        yield 2
        raise ValueError("bad chunk 3")

    seen = []
    with pytest.raises(ValueError, match="bad chunk 3"):
        for item in ingest["prefetched"](chunks()):
            seen.append(item)
    assert seen == [1, 2]


def test_prefetched_stops_its_thread_when_the_consumer_stops(ingest):
    before = threading.active_count()
    gen = ingest["prefetched"](iter(range(1000)))
    assert [next(gen) for _ in range(3)] == [0, 1, 2]
    gen.close()
    assert threading.active_count() == before


def frames(n: int = 9):
    return [
        pd.DataFrame({"doc_index": [3 * k, 3 * k + 1], "raw": [f"text {k} é", None]})
        for k in range(n)
    ]


def test_background_writer_writes_the_same_bytes(ingest, tmp_path):
    empty = pd.DataFrame({"doc_index": pd.Series([], dtype="int64"), "raw": []})
    plain = ParquetShardWriter(tmp_path / "plain.parquet", empty)
    threaded = ingest["BackgroundWriter"](ParquetShardWriter(tmp_path / "bg.parquet", empty))
    for frame in frames():
        plain.write(frame)
        threaded.write(frame)
    plain.close()
    threaded.close()
    assert (tmp_path / "bg.parquet").read_bytes() == (tmp_path / "plain.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "bg.parquet")
    assert back["doc_index"].tolist() == [x for k in range(9) for x in (3 * k, 3 * k + 1)]


def test_background_writer_raises_a_write_error(ingest, tmp_path):
    class Failing:
        closed = aborted = False

        def write(self, frame):
            raise OSError("disk full")

        def close(self):
            self.closed = True

        def abort(self, exc):
            self.aborted = True

    inner = Failing()
    writer = ingest["BackgroundWriter"](inner, depth=1)
    writer.write(frames()[0])
    with pytest.raises(OSError, match="disk full"):
        writer.write(frames()[1])  # the first write's error, raised by the next call
    writer.abort(OSError("disk full"))
    assert inner.aborted and not inner.closed
