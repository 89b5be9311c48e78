"""Plumbing shared by the entry scripts: logging, user-facing errors, atomic writes."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

log = logging.getLogger("newslens")


class NewslensError(Exception):
    """A problem with the user's input or config. Its message names the file, row or key
    and says what to do; entry scripts print it without a traceback."""


def run(main: Callable[..., None], smk) -> None:
    """Run an entry script's ``main(snakemake)`` with its log file set up.

    A NewslensError ends the job with its message (in the log and on stderr) and no
    traceback; any other exception keeps its traceback, since it is a bug of ours.
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
    try:
        main(smk)
    except NewslensError as err:
        log.error("%s", err)
        sys.exit(1)
    except Exception:
        log.exception("unexpected error in rule %s", getattr(smk, "rule", "?"))
        raise


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
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


def corrupt_parquet(path, err: Exception) -> NewslensError:
    """The error for a Parquet file that cannot be read: names it and says what to do."""
    return NewslensError(
        f"cannot read Parquet file {path}: {err}. It is corrupt or half-written; delete it "
        "and run snakemake again to rebuild it."
    )


def read_parquet(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one Parquet shard; a corrupt or truncated file is reported by name."""
    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


class ParquetShardWriter:
    """Write a Parquet file batch by batch (bounded memory), atomically on close.

    ``empty`` gives the columns (and dtypes) written when no batch arrives, so that an empty
    shard is still a valid table with the right columns.
    """

    def __init__(self, path: str | os.PathLike, empty: pd.DataFrame):
        self.path = Path(path)
        self.empty = empty
        self._ctx = atomic_path(self.path)
        self._tmp = self._ctx.__enter__()
        self._writer = None
        self._schema = None

    def write(self, df) -> None:
        """Append a DataFrame or an Arrow table (same columns as the first one written)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(df, pa.Table):
            table = df
        elif df.empty:
            return
        else:
            table = pa.Table.from_pandas(df, preserve_index=False)
        if table.num_rows == 0:
            return
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self._tmp, self._schema)
        else:
            try:
                table = table.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                if not self._widen(table.schema):
                    raise
                table = table.cast(self._schema)
        self._writer.write_table(table)

    def _widen(self, schema) -> bool:
        """Columns that were all missing so far (null type) take their type from ``schema``;
        what was written already is rewritten with it, one row group at a time. False when
        there is no such column."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        fields = [
            new if pa.types.is_null(old.type) and old.name == new.name else old
            for old, new in zip(self._schema, schema, strict=False)
        ]
        widened = pa.schema(fields, metadata=self._schema.metadata)
        if widened.equals(self._schema):
            return False
        self._writer.close()
        part = self._tmp.with_name(self._tmp.name + ".part")
        os.replace(self._tmp, part)
        try:
            self._schema = widened
            self._writer = pq.ParquetWriter(self._tmp, widened)
            written = pq.ParquetFile(part)
            for i in range(written.num_row_groups):
                self._writer.write_table(written.read_row_group(i).cast(widened))
        finally:
            part.unlink()
        return True

    def close(self) -> None:
        if self._writer is None:
            self.empty.to_parquet(self._tmp, index=False)
        else:
            self._writer.close()
        self._ctx.__exit__(None, None, None)

    def abort(self, exc) -> None:
        if self._writer is not None:
            self._writer.close()
        self._ctx.__exit__(type(exc), exc, None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.close()
        else:
            self.abort(exc)
        return False


def parquet_num_rows(path: str | os.PathLike) -> int:
    """Row count from a Parquet file's footer; a corrupt file is reported by name."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


def iter_parquet_arrow(
    path: str | os.PathLike, batch_rows: int = 5000, columns: list[str] | None = None
):
    """Yield a Parquet file as Arrow tables of at most ``batch_rows`` rows (no conversion to
    pandas); a corrupt file is reported by name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)
        missing = [c for c in columns or [] if c not in parquet.schema_arrow.names]
        if missing:
            raise NewslensError(
                f"{path} has no column(s) {', '.join(missing)}; rebuild it with the current "
                "config (delete it and run snakemake again)."
            )
        batches = parquet.iter_batches(batch_size=batch_rows, columns=columns)
        total = parquet.metadata.num_rows
        desc = f"reading {Path(path).parent.name}/{Path(path).name}"
        for batch in progress(batches, total, desc, batch_size=batch_rows):
            yield pa.Table.from_batches([batch])
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err


def iter_parquet(path: str | os.PathLike, batch_rows: int = 5000, columns: list[str] | None = None):
    """Yield a Parquet file as DataFrames of at most ``batch_rows`` rows; a corrupt file is
    reported by name. Memory stays flat: pyarrow's default pre-buffering keeps every row
    group read so far (~57 MB per million sentence rows), so it is switched off."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)
        batches = parquet.iter_batches(batch_size=batch_rows, columns=columns)
        total = parquet.metadata.num_rows
        desc = f"reading {Path(path).parent.name}/{Path(path).name}"
        for batch in progress(batches, total, desc, batch_size=batch_rows):
            yield batch.to_pandas()
    except (OSError, ValueError) as err:
        raise corrupt_parquet(path, err) from err
