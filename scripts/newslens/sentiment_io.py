"""Writing gathered sentiment tables: sorted (deterministic, whatever the sharding) when they
fit in memory, streamed shard by shard when they do not."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newslens.runtime import atomic_path

# Up to this many rows a gathered table is sorted in memory (as the corpus tables are).
IN_MEMORY_ROWS = 5_000_000


def gather_parquet(
    tables: Iterable[pd.DataFrame],
    path,
    schema: pa.Schema,
    sort_by: list[str],
    limit: int = IN_MEMORY_ROWS,
) -> int:
    """Write the tables to one Parquet file, sorted by ``sort_by`` if their rows add up to at
    most ``limit``; past that, rows are streamed in arrival (shard) order. Returns the count."""

    def arrow(df: pd.DataFrame) -> pa.Table:
        return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)

    parts: list[pd.DataFrame] = []
    n = 0
    with atomic_path(path) as tmp:
        writer = None
        for t in tables:
            n += len(t)
            if writer is None and n <= limit:
                parts.append(t)
                continue
            if writer is None:
                writer = pq.ParquetWriter(tmp, schema)
                for p in parts:
                    writer.write_table(arrow(p))
                parts = []
            writer.write_table(arrow(t))
        if writer is not None:
            writer.close()
        else:
            parts = [p for p in parts if len(p)]
            if parts:
                df = pd.concat(parts, ignore_index=True).sort_values(sort_by, kind="stable")
                pq.write_table(arrow(df), tmp)
            else:
                pq.write_table(schema.empty_table(), tmp)
    return n
