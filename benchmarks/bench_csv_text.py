"""CPU of newslens.csv_text's float paths and of its CSV rows beside pandas' to_csv.

    python benchmarks/bench_csv_text.py [--rows 1000000] [--repeats 5]

Inputs (numpy seed 0): a float64 column of 4-decimal values in [-1, 1] with every 10th value
NaN (sentiment_paragraphs' scores) and one of 6-decimal values in [0, 1] (the framing shares).
Each column's text is made by float_text (the table of the 4-decimal values or the
millionths, whichever it picks), by the millionths alone and by the table alone (the others
formatted one by one); a table of both columns, an n-gram string and two int64 columns is
printed by csv_text and by pandas. The methods run interleaved, ``--repeats`` times; printed:
each method's mean CPU-s and, against its baseline, the CPU saved (baseline - method, paired)
with its 95 % bootstrap interval and verdict from benchmarks/common ("wins": faster). The
texts are checked equal first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap_indices, format_difference  # noqa: E402
from newslens import csv_text as ct  # noqa: E402


def table_only(values: np.ndarray) -> pa.Array:
    """The 4-decimal table for table values and NaN, numpy's str one by one for the rest."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        k = np.rint(x * ct._STEPS)
    inside = np.abs(k) <= ct._STEPS
    codes = np.where(inside, k, 0).astype(np.int64) + ct._STEPS
    hit = inside & (ct._TABLE_VALUES[codes].view(np.int64) == x.view(np.int64))
    missing = np.isnan(x)
    codes[missing] = ct._NAN_CODE
    rest = np.flatnonzero(~hit & ~missing)
    codes[rest] = len(ct._table_text()) + np.arange(len(rest))
    spelled = pa.array(x[rest].astype(str).tolist(), pa.string())
    return pa.concat_arrays([ct._table_text(), spelled]).take(pa.array(codes))


def cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def report(name: str, times: dict, baseline: str) -> None:
    base = np.array(times[baseline])
    idx = bootstrap_indices(len(base), 10_000)
    for method, t in times.items():
        t = np.array(t)
        line = f"  {name:8s} {method:14s} {t.mean():.3f} CPU-s"
        if method != baseline:
            d = base - t  # CPU saved: "wins" when the method is faster
            line += f"; saved vs {baseline}: {format_difference(d[idx].mean(axis=1))}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.rows
    four = np.round(rng.uniform(-1, 1, n), 4)
    four[::10] = np.nan
    six = np.round(rng.uniform(0, 1, n), 6)
    floats = {
        "float_text": ct.float_text,
        "millionths": lambda v: ct._millionths_text(np.ascontiguousarray(v)),
        "table": table_only,
    }
    for name, values in (("4-dec", four), ("6-dec", six)):
        texts = {m: f(values).to_pylist() for m, f in floats.items()}
        assert all(t == texts["float_text"] for t in texts.values()), name
        times = {m: [] for m in floats}
        for r in range(args.repeats):
            for m in list(floats)[:: 1 if r % 2 == 0 else -1]:  # the order alternates
                times[m].append(cpu(lambda f=floats[m], v=values: f(v)))
        report(name, times, "millionths")
    words = np.array([f"w{i}é" for i in range(5000)])
    table = pa.table(
        {
            "ngram": [
                a + " " + b for a, b in zip(rng.choice(words, n), rng.choice(words, n), strict=True)
            ],
            "count": rng.integers(1, 1000, n),
            "score": four,
            "share": six,
            "n": np.full(n, 2),
        }
    )
    df = table.to_pandas()
    printers = {
        "csv_text": lambda: ct.csv_text(table),
        "pandas": lambda: df.to_csv(header=False, index=False, lineterminator="\n").encode(),
    }
    assert printers["csv_text"]() == printers["pandas"]()
    times = {m: [] for m in printers}
    for r in range(args.repeats):
        for m in list(printers)[:: 1 if r % 2 == 0 else -1]:
            times[m].append(cpu(printers[m]))
    report("table", times, "pandas")


if __name__ == "__main__":
    main()
