"""Reading corpus tables as the ingest job does (iter_table_chunks + table_columns), per format.

    python benchmarks/bench_ingest_tables.py [N_ARTICLES] [cp1251]   (default 20000)

Writes N synthetic articles (benchmarks/synthetic_corpus.py) as CSV, TSV, JSONL and Parquet in a
temporary folder (with `cp1251`: the text tables in cp1251, one Russian sentence per article)
and prints rows/s and MB/s for each. Run it with PYTHONPATH pointing at another checkout's
scripts/ to compare two versions of the reader.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newslens.corpus import iter_table_chunks, table_columns  # noqa: E402
from synthetic_corpus import build_corpus  # noqa: E402

COLUMNS = {"text": "text", "id": "id", "title": None, "date": None, "author": None}
RUSSIAN = " Пашинян заявил, что напряжённость на границе сохраняется."


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    encoding = sys.argv[2] if len(sys.argv) > 2 else "utf-8"
    corpus = build_corpus(n)
    table = corpus[["id", "outlet", "text"]].copy()
    if encoding != "utf-8":
        table["text"] = table["text"] + RUSSIAN
    with tempfile.TemporaryDirectory() as tmp:
        paths = {
            "csv": Path(tmp) / "c.csv",
            "tsv": Path(tmp) / "c.tsv",
            "jsonl": Path(tmp) / "c.jsonl",
            "parquet": Path(tmp) / "c.parquet",
        }
        table.to_csv(paths["csv"], index=False, encoding=encoding)
        tsv = table.assign(text=table["text"].str.replace(r"[\t\n]+", " ", regex=True))
        tsv.to_csv(paths["tsv"], index=False, sep="\t", encoding=encoding, quoting=3)
        table.to_json(paths["jsonl"], orient="records", lines=True, force_ascii=False)
        if encoding != "utf-8":
            data = paths["jsonl"].read_text(encoding="utf-8")
            paths["jsonl"].write_bytes(data.encode(encoding))
        table.to_parquet(paths["parquet"], index=False)
        print(f"{n} articles, text tables in {encoding}")
        for fmt, path in paths.items():
            t0 = time.perf_counter()
            seen, first, kept = set(), 0, 0
            for chunk in iter_table_chunks(path, fmt, "auto", 10_000):
                cols, _ = table_columns(chunk, first, path, COLUMNS, [], seen)
                first += len(chunk)
                kept += len(cols["raw"])
            dt = time.perf_counter() - t0
            size = path.stat().st_size / 1e6
            print(
                f"{fmt:8s} {kept:7d}/{first} rows kept  {dt:6.2f} s  {first / dt:9.0f} rows/s  "
                f"{size / dt:6.1f} MB/s"
            )


if __name__ == "__main__":
    main()
