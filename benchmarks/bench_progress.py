"""Cost of progress reporting in the Parquet batch readers (newslens.runtime.progress).

Reads one Parquet file of N rows in batches of B rows with pyarrow directly and through
newslens.runtime.iter_parquet_arrow (which counts every batch and logs every 10 s), and prints
the time of each and the overhead per batch.

    python benchmarks/bench_progress.py [N_ROWS] [BATCH_ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.runtime import iter_parquet_arrow


def main(n: int = 2_000_000, batch: int = 5_000, repeats: int = 3) -> None:
    rng = np.random.default_rng(0)
    table = pa.table({"doc_id": rng.integers(0, 10**6, n).astype(str), "x": rng.random(n)})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.parquet"
        pq.write_table(table, path)
        plain, with_progress = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            rows = sum(
                b.num_rows
                for b in pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=batch)
            )
            plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            rows2 = sum(b.num_rows for b in iter_parquet_arrow(path, batch))
            with_progress.append(time.perf_counter() - t)
            assert rows == rows2 == n
    batches = -(-n // batch)
    a, b = min(plain), min(with_progress)
    print(f"{n:,} rows in {batches:,} batches of {batch:,} (best of {repeats})")
    print(f"pyarrow iter_batches           {a:7.3f} s")
    print(f"iter_parquet_arrow (progress)  {b:7.3f} s")
    print(
        f"difference per batch           {(b - a) / batches * 1e6:7.1f} µs (includes Table wrapping)"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
