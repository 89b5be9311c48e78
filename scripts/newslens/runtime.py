"""Plumbing shared by the entry scripts: logging, user-facing errors, atomic writes."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

log = logging.getLogger("newslens")


class NewslensError(Exception):
    """A problem with the user's input or config. Its message names the file, row or key
    and says what to do; entry scripts print it without a traceback."""


# What the running job is working on (input file, articles, rows), for the message of an error
# nobody foresaw. The Parquet readers below keep it up to date; scripts may add to it.
_CONTEXT: dict = {}


def processing(**what) -> None:
    """Record what the job is processing now (e.g. ``input=path``, ``doc_id=...``,
    ``docs=(first, last)``, ``rows=(start, end)``); named in the message if the job fails with
    an error nobody foresaw. ``None`` values remove an entry."""
    for key, value in what.items():
        if value is None:
            _CONTEXT.pop(key, None)
        else:
            _CONTEXT[key] = value


def _batch_context(path, batch, start: int) -> None:
    """Record a batch of ``path``: its rows and the articles (doc_id) it spans."""
    n = batch.num_rows
    docs = None
    if n and "doc_id" in batch.schema.names:
        col = batch.column(batch.schema.get_field_index("doc_id"))
        first, last = col[0].as_py(), col[n - 1].as_py()
        docs = (first, last)
    processing(input=str(path), rows=(start + 1, start + n), docs=docs)


def failure_message(smk, err: BaseException, log_path=None) -> str:
    """One paragraph for a job that failed with an error nobody foresaw: the rule, the shard,
    the input file, the articles and rows being processed, the error, where the traceback is."""
    rule = getattr(smk, "rule", None) or "?"
    parts = [f"rule {rule}"]
    wildcards = getattr(smk, "wildcards", None)
    shard = getattr(wildcards, "scatteritem", None) if wildcards is not None else None
    if shard:
        parts.append(f"shard {shard}")
    where = []
    if "input" in _CONTEXT:
        where.append(f"input {_CONTEXT['input']}")
    if "doc_id" in _CONTEXT:
        where.append(f"article {_CONTEXT['doc_id']}")
    elif "docs" in _CONTEXT:
        first, last = _CONTEXT["docs"]
        where.append(f"article {first}" if first == last else f"articles {first} to {last}")
    if "rows" in _CONTEXT:
        where.append("rows {}-{}".format(*_CONTEXT["rows"]))
    text = f"{' '.join(parts)} failed"
    if where:
        text += " while processing " + ", ".join(where)
    text += f": {type(err).__name__}: {err}. "
    text += (
        "This is a fault in newslens, not a problem the input checks know of; "
        + (f"the traceback is in {log_path}. " if log_path else "")
        + "Please report it with that log (and, if you can, the article named)."
    )
    return text


def run(main: Callable[..., None], smk) -> None:
    """Run an entry script's ``main(snakemake)`` with its log file set up.

    A NewslensError ends the job with its message (in the log and on stderr) and no
    traceback; any other exception is reported naming the rule, the shard, the input file and
    the articles being processed (see ``processing``), with its traceback in the log.
    """
    log_path = smk.log[0] if len(smk.log) else None
    terminal = logging.StreamHandler(sys.stderr)
    if _interactive():  # the terminal has tqdm bars: progress lines go to the log file only
        terminal.addFilter(lambda record: not getattr(record, "progress", False))
    handlers: list[logging.Handler] = [terminal]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )
    _CONTEXT.clear()
    try:
        main(smk)
    except NewslensError as err:
        log.error("%s", err)
        sys.exit(1)
    except Exception as err:
        log.error("%s", failure_message(smk, err, log_path), exc_info=True)
        sys.exit(1)


# Temporary files this process is writing now (never removed as stale).
_OWN_TMP: set[Path] = set()
# Per output folder, the hidden temporary files (``.*.tmp``, ``.*.tmp.part``) it held when this
# process first looked: listed once, so a job writing its N-th part file into a dataset folder
# does not list the folder again (N listings of up to N files each grew with the square of
# the parts: ~2.5 ms a part at 1,000 parts).
_STALE_NAMES: dict[Path, set[str]] = {}


def _temporary_names(folder: Path) -> set[str]:
    """The names of the hidden temporary files in ``folder`` when this process first asked (the
    set shrinks as :func:`remove_stale_tmp` removes them). Files a killed job left are there
    before the job that rewrites the same output starts, so one listing per process finds them
    all; files created later are this process's own or other outputs'."""
    names = _STALE_NAMES.get(folder)
    if names is None:
        with os.scandir(folder) as entries:
            names = {
                e.name
                for e in entries
                if e.name.startswith(".") and e.name.endswith((".tmp", ".tmp.part"))
            }
        _STALE_NAMES[folder] = names
    return names


def _is_stale_name(name: str, output: str) -> bool:
    """Whether ``name`` is one of the temporary names of ``output`` (what the glob patterns
    ``.OUTPUT.*.tmp`` and ``.OUTPUT.*.tmp.part`` match)."""
    head = f".{output}."
    return any(
        name.startswith(head) and name.endswith(tail) and len(name) >= len(head) + len(tail)
        for tail in (".tmp", ".tmp.part")
    )


def remove_stale_tmp(path: str | os.PathLike) -> list[Path]:
    """Remove the hidden temporary files a killed job left beside ``path`` (``.NAME.*.tmp``
    and their ``.part`` files). Only the job that writes ``path`` calls this, right before it
    writes it, so the files are its own: Snakemake never runs two jobs with the same output at
    once, and the files this process is writing are skipped. The folder is listed once per
    process (:func:`_temporary_names`). Returns what was removed."""
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    names = _temporary_names(path.parent)
    for name in sorted(n for n in names if _is_stale_name(n, path.name)):
        stale = path.parent / name
        if stale in _OWN_TMP:
            continue
        names.discard(name)
        if not stale.is_file():
            continue
        try:
            stale.unlink()
        except FileNotFoundError:
            continue
        removed.append(stale)
        log.info("removed %s, left by a job that was killed", stale)
    return removed


def remove_stale_dirs(parent: str | os.PathLike, prefix: str) -> list[Path]:
    """Remove hidden scratch folders ``PREFIX*`` a killed job left in ``parent``; for a rule
    of which one job runs at a time (the job that owns them), called before it makes its own."""
    import shutil

    parent = Path(parent)
    removed = []
    if parent.is_dir():
        for stale in parent.glob(f"{prefix}*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
                removed.append(stale)
                log.info("removed %s, left by a job that was killed", stale)
    return removed


def _interactive() -> bool:
    """True when stderr is a terminal (a person watching): then progress shows as tqdm bars."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    """Progress of a long batch loop: rows and batches done of the total, rate and ETA.

    Written to the job's log (the ``newslens`` logger) every ``every`` seconds (default
    ``NEWSLENS_PROGRESS_SECONDS``, else 10), so a loop that ends sooner logs nothing; when stderr
    is a terminal, a tqdm bar is drawn there as well. Never written into a result table.
    """

    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str = "rows",
        batch_size: int | None = None,
        every: float | None = None,
    ):
        self.total, self.desc, self.unit = total, desc, unit
        self.batch_size = batch_size
        self.every = (
            float(os.environ.get("NEWSLENS_PROGRESS_SECONDS", 10)) if every is None else every
        )
        self.done = self.batches = 0
        self.start = self._last = time.monotonic()
        self.logged = 0
        self._bar = None
        if _interactive():
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=desc, unit=unit, unit_scale=True, leave=False, file=sys.stderr
            )

    def message(self, now: float | None = None) -> str:
        """E.g. "tokenize: batch 3 of 10 (15,000 of 50,000 rows, 30%), 2,500 rows/s, ETA 14s"."""
        elapsed = max((now or time.monotonic()) - self.start, 1e-9)
        rate = self.done / elapsed
        parts = [f"batch {self.batches:,}"]
        if self.total is not None:
            if self.batch_size:
                parts[0] += f" of {max(-(-self.total // self.batch_size), self.batches):,}"
            pct = 100 * self.done / self.total if self.total else 100.0
            parts.append(f"({self.done:,} of {self.total:,} {self.unit}, {pct:.0f}%)")
        else:
            parts.append(f"({self.done:,} {self.unit})")
        text = f"{self.desc}: {' '.join(parts)}, {rate:,.0f} {self.unit}/s"
        if self.total is not None and rate > 0:
            text += f", ETA {_duration(max(self.total - self.done, 0) / rate)}"
        return text

    def update(self, n: int = 1) -> None:
        """Count one batch of ``n`` rows."""
        self.done += int(n)
        self.batches += 1
        if self._bar is not None:
            self._bar.update(n)
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self.logged += 1
            log.info("%s", self.message(now), extra={"progress": True})

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self.logged:
            elapsed = time.monotonic() - self.start
            log.info(
                "%s: done, %s %s in %s",
                self.desc,
                f"{self.done:,}",
                self.unit,
                _duration(elapsed),
                extra={"progress": True},
            )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def progress(
    batches: Iterable,
    total: int | None,
    desc: str,
    unit: str = "rows",
    size: Callable[[object], int] = len,
    batch_size: int | None = None,
) -> Iterator:
    """Yield ``batches`` unchanged while a ``Progress`` counts ``size(batch)`` rows of each."""
    with Progress(total, desc, unit, batch_size) as bar:
        for batch in batches:
            yield batch
            bar.update(size(batch))


def _read_umask() -> int:
    """The process umask (os.umask can only be read by setting it; it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_mode() -> int:
    """The mode a new output file gets: 0666 less the umask (0644 with the usual 022), as
    ``open()`` would give; ``mkstemp`` alone would leave every output private (0600)."""
    return 0o666 & ~_read_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step,
    so a killed job never leaves a half-written output behind."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NewslensError(f"cannot create output folder {path.parent}: {err.strerror}") from err
    remove_stale_tmp(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    _OWN_TMP.add(tmp_path)
    try:
        yield tmp_path
        if tmp_path.exists():
            os.chmod(tmp_path, output_mode())
        os.replace(tmp_path, path)
    except OSError as err:
        raise NewslensError(
            f"cannot write {path}: {err.strerror or err} (check free disk space and permissions)"
        ) from err
    finally:
        _OWN_TMP.discard(tmp_path)
        if tmp_path.exists():
            tmp_path.unlink()


def write_table(df, path: str | os.PathLike) -> None:
    """Write a table (a DataFrame, or an Arrow table for Parquet) atomically; the suffix chooses
    the format (.parquet or .csv)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix == ".parquet" and not isinstance(df, pd.DataFrame):
            import pyarrow.parquet as pq

            pq.write_table(df, tmp)
        elif path.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        elif path.suffix == ".csv":
            df.to_csv(tmp, index=False, lineterminator="\n")
        else:
            raise ValueError(f"unsupported table format: {path}")


class ExactSums:
    """Per-group column sums that do not depend on the order of the rows: each value is split
    into two integer multiples of 2**-30 and 2**-60 (exact for |value| < 2**32 down to 2**-60)
    and the integers are summed, so any split of the rows into batches or shards gives the
    same bits. ``add(groups, values)`` takes integer group labels and an (n, k) float array;
    NaN counts as 0, as in pandas' sums."""

    SCALE = 2.0**30

    def __init__(self, n_columns: int):
        self.n_columns = n_columns
        self._hi: dict = {}
        self._lo: dict = {}

    def add(self, groups, values) -> None:
        import numpy as np

        from newslens.arrays import run_starts

        values = np.asarray(values, dtype=np.float64).reshape(len(groups), self.n_columns)
        values = np.where(np.isnan(values), 0.0, values)  # missing adds nothing (as pandas)
        scaled = values * self.SCALE
        hi = np.floor(scaled)
        lo = np.rint((scaled - hi) * self.SCALE)
        groups = np.asarray(groups)
        if len(groups) == 0:
            return
        # integer sums per group (exact, so in any order): rows sorted by group, then summed
        # stretch by stretch
        order = np.argsort(groups, kind="stable")
        ordered = groups[order]
        starts = run_starts(ordered)
        his = np.add.reduceat(hi[order].astype(np.int64), starts, axis=0)
        los = np.add.reduceat(lo[order].astype(np.int64), starts, axis=0)
        for g, h, low in zip(ordered[starts].tolist(), his, los, strict=True):
            key = int(g)
            self._hi[key] = self._hi.get(key, 0) + h.astype(object)
            self._lo[key] = self._lo.get(key, 0) + low.astype(object)

    def frame(self, columns) -> pd.DataFrame:
        """The sums as floats (correctly rounded), one row per group (sorted), one column per
        name in ``columns``."""
        from fractions import Fraction

        scale = 2**30
        rows = {}
        for key in sorted(self._hi):
            rows[key] = [
                float(Fraction(int(h) * scale + int(low), scale * scale))
                for h, low in zip(self._hi[key], self._lo[key], strict=True)
            ]
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))


# --------------------------------------------------------------------------------------------
# Threads: a writer and a reader that overlap Arrow's GIL-free work with the caller's
# --------------------------------------------------------------------------------------------


class BackgroundWriter:
    """A writer (any object with ``write``, ``close`` and ``abort(exc)``, e.g. a
    ``ParquetShardWriter``) whose ``write`` runs on a thread of its own, in order of the calls:
    Arrow's Parquet encoding and compression release the GIL, so they overlap with the caller's
    next work (ingest reads and checks the next rows meanwhile). At most ``depth`` writes wait;
    an error of a write is raised, with its message, by the next ``write``, ``wait`` or
    ``close``. ``abort(exc)`` cancels what waits and aborts the writer."""

    def __init__(self, writer, depth: int = 1):
        self.writer, self.depth, self.pending = writer, depth, []
        self.pool = ThreadPoolExecutor(max_workers=1)

    def write(self, frame) -> None:
        while len(self.pending) >= self.depth:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(self.writer.write, frame))

    def wait(self) -> None:
        while self.pending:
            self.pending.pop(0).result()

    def close(self) -> None:
        self.wait()
        self.pool.shutdown()
        self.writer.close()

    def abort(self, exc) -> None:
        for future in self.pending:
            future.cancel()
        self.pool.shutdown(wait=True)
        self.writer.abort(exc)


def prefetched(chunks, depth: int = 1):
    """The items of the iterable ``chunks``, in order, while the next ``depth`` are read ahead
    on a thread (Parquet decoding releases the GIL, so it overlaps with the consumer's work).
    An error of the reader is raised in the consumer after the items before it; a consumer that
    stops early (``close``, ``break``) stops and joins the thread."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def read():
        try:
            for chunk in chunks:
                box.put((chunk, None))
                if stop.is_set():
                    return
            box.put((done, None))
        except BaseException as exc:  # handed to the consumer
            box.put((done, exc))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        while True:
            item, exc = box.get()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting to put
            try:
                box.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


# The Parquet shard I/O lives in newslens.shards; these names stay importable from here.
_MOVED_TO_SHARDS = frozenset(
    {
        "ROW_GROUP_ROWS",
        "RowGroupWriter",
        "ParquetShardWriter",
        "corrupt_parquet",
        "read_parquet",
        "parquet_num_rows",
        "iter_parquet",
        "iter_parquet_arrow",
    }
)


def __getattr__(name: str):
    if name in _MOVED_TO_SHARDS:
        from newslens import shards

        return getattr(shards, name)
    raise AttributeError(f"module 'newslens.runtime' has no attribute {name!r}")
