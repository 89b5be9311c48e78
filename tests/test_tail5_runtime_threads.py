"""newslens.runtime.BackgroundWriter and prefetched (moved from scripts/ingest.py): the values
in the order given, the work done on another thread, and an error of that thread raised in
the caller with its message."""

from __future__ import annotations

import threading

import pytest
from newslens.runtime import BackgroundWriter, prefetched


class Recording:
    """A writer that records what it is given, on which thread, and how it ended."""

    def __init__(self, fail_at: int | None = None):
        self.items, self.threads = [], set()
        self.fail_at = fail_at
        self.closed = self.aborted = None

    def write(self, item) -> None:
        self.threads.add(threading.get_ident())
        if self.fail_at is not None and len(self.items) == self.fail_at:
            raise OSError(f"no space left writing item {item}")
        self.items.append(item)

    def close(self) -> None:
        self.closed = list(self.items)

    def abort(self, exc) -> None:
        self.aborted = str(exc)


@pytest.mark.parametrize("depth", [1, 3])
def test_background_writer_writes_every_item_in_order_on_another_thread(depth):
    inner = Recording()
    writer = BackgroundWriter(inner, depth=depth)
    for i in range(50):
        writer.write(i * i)
    writer.close()
    assert inner.items == [i * i for i in range(50)]
    assert inner.closed == inner.items  # closed after the last write, not before
    assert inner.threads and threading.get_ident() not in inner.threads
    assert len(inner.threads) == 1  # one thread: the writes cannot overtake each other


def test_background_writer_raises_the_threads_error_in_the_caller():
    inner = Recording(fail_at=2)
    writer = BackgroundWriter(inner, depth=1)
    writer.write("a")
    writer.write("b")
    writer.write("c")  # fails on the thread
    with pytest.raises(OSError, match="no space left writing item c"):
        writer.write("d")
    writer.abort(OSError("given up"))
    assert inner.items == ["a", "b"]
    assert inner.aborted == "given up" and inner.closed is None


def test_background_writer_close_raises_a_pending_error():
    inner = Recording(fail_at=0)
    writer = BackgroundWriter(inner, depth=4)
    writer.write("x")
    with pytest.raises(OSError, match="no space left writing item x"):
        writer.close()
    assert inner.items == [] and inner.closed is None


def test_prefetched_yields_the_items_in_order_read_on_another_thread():
    readers = []

    def chunks():
        for k in range(30):
            readers.append(threading.get_ident())
            yield {"chunk": k, "rows": list(range(k, k + 3))}

    got = list(prefetched(chunks(), depth=2))
    assert [g["chunk"] for g in got] == list(range(30))
    assert got[7]["rows"] == [7, 8, 9]
    assert len(set(readers)) == 1 and threading.get_ident() not in readers
    assert list(prefetched(iter([]))) == []


def test_prefetched_raises_the_readers_error_in_the_caller_with_its_message():
    def chunks():
        yield "first"
        yield "second"
        raise ValueError("row 20,001: text column missing")

    seen = []
    before = threading.active_count()
    with pytest.raises(ValueError, match="row 20,001: text column missing"):
        for item in prefetched(chunks()):
            seen.append(item)
    assert seen == ["first", "second"]
    assert threading.active_count() == before  # the reader thread is joined


def test_prefetched_stops_the_reader_when_the_caller_stops_early():
    before = threading.active_count()
    read = []

    def chunks():
        for k in range(10_000):
            read.append(k)
            yield k

    for item in prefetched(chunks(), depth=1):
        if item == 4:
            break
    assert threading.active_count() == before
    assert len(read) < 10  # read ahead by a few items, not to the end
