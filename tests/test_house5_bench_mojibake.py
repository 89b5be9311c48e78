"""benchmarks/bench_mojibake.py on a tiny shard: it counts the repaired texts, times both
methods and finds their repaired texts identical."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import bench_mojibake  # noqa: E402


def test_bench_mojibake_on_a_small_shard(tmp_path, monkeypatch, capsys):
    russian = "Привет, мир! Цена £5 и €10 — «кавычки»."
    texts = [
        "Plain ASCII text about the budget.",
        "The budget rose by Â£5bn, the minister said.",
        russian.encode("utf-8").decode("cp1251", "replace"),
        "Café owners were not convinced.",
        "",
        "Menendezâ€™s office said no.",
    ]
    raw = tmp_path / "results" / "interim" / "raw"
    raw.mkdir(parents=True)
    pq.write_table(pa.table({"raw": texts}), raw / "1-of-2.parquet")
    argv = ["bench_mojibake.py", str(tmp_path), "--batches", "3", "--repeat", "1"]
    monkeypatch.setattr(sys, "argv", argv)
    bench_mojibake.main()
    out = capsys.readouterr().out
    # the £ and the apostrophe; UTF-8 read as cp1251 is not what the repair looks for
    assert "6 texts, 2 repaired, 3 batches" in out
    assert "saved by the swap" in out and "identical repaired texts: yes" in out
    assert bench_mojibake.ftfy_as_is(texts[1]) == (texts[1].replace("Â£", "£"), 1)
