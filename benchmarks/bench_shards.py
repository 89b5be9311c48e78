"""The cost of writing a per-row table the old way (per-shard files, then one job merging them
into one file in corpus order) and the new way (per-shard jobs writing part files of a
partitioned dataset, one manifest), on the same rows, in one process, old and new alternating.

    python benchmarks/bench_shards.py RESULTS_TABLE [--parts 20] [--shards 2] [--repeat 2]

RESULTS_TABLE is a partitioned table of a pipeline run (e.g. results/tables/tokens); its first
``--parts`` part files (blocks of ``tokenize.part_articles`` articles) are read as the rows.
Prints wall and CPU seconds of each way: "old" = write the shards (article round robin) +
newslens.shards.gather into one Parquet file; "new" = PartWriter per shard (blocks round
robin) + merge_part_lists. Both write the same rows; the new dataset is checked equal to the old
file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from newslens.shards import MANIFEST, ParquetShardWriter, PartWriter, dataset_parts, part_block
from newslens.shards_gather import doc_keys, gather, merge_part_lists


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", type=Path)
    parser.add_argument("--parts", type=int, default=20)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    parts = dataset_parts(args.table)[: args.parts]
    tables = [pq.read_table(p) for p in parts]
    blocks = [part_block(p) for p in parts]
    full = pa.concat_tables(tables)
    doc_id = full.column("doc_id").combine_chunks()
    ids = pc.unique(doc_id)
    index = np.arange(len(ids))
    doc_index = pc.index_in(doc_id, value_set=ids).to_numpy()
    print(
        f"{full.num_rows:,} rows of {len(ids):,} articles in {len(parts)} parts, {args.shards} shards"
    )
    results = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="bench_shards.") as tmp:
        tmp = Path(tmp)
        for r in range(args.repeat):
            old = tmp / f"old{r}"

            def run_old(old=old):
                paths = []
                for s in range(args.shards):
                    path = old / f"{s}.parquet"
                    rows = np.flatnonzero(doc_index % args.shards == s)
                    with ParquetShardWriter(path, full.schema.empty_table().to_pandas()) as w:
                        for start in range(0, len(rows), 500_000):
                            w.write(full.take(pa.array(rows[start : start + 500_000])))
                    paths.append(path)
                gather(
                    paths,
                    lambda t: doc_keys(t.column("doc_id"), ids, index),
                    old / "table.parquet",
                )

            new = tmp / f"new{r}"

            def run_new(new=new):
                lists = []
                for s in range(args.shards):
                    path = new / f"{s}.json"
                    with PartWriter(new / "table", path, full.schema) as w:
                        for b, t in zip(blocks, tables, strict=True):
                            if b % args.shards == s:
                                w.write(b, t)
                    lists.append(path)
                merge_part_lists(lists, new / "table", new / "table" / MANIFEST)

            results["old"].append(timed(run_old))
            results["new"].append(timed(run_new))
            got = pq.read_table(new / "table").replace_schema_metadata(None)
            want = pq.read_table(old / "table.parquet").replace_schema_metadata(None)
            assert got.cast(want.schema).equals(want), "new dataset differs from the old file"
    for way, runs in results.items():
        wall = min(w for w, _ in runs)
        cpu = min(c for _, c in runs)
        print(f"{way}: best of {len(runs)}: wall {wall:.1f} s, CPU {cpu:.1f} s")


if __name__ == "__main__":
    main()
