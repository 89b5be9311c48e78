"""CPU of tokens_tokenize's n-gram counting (``NgramCounter``) at the size of a large shard,
for this checkout and another one, paired.

    python benchmarks/bench_ngram_counter.py N --reference OTHER/scripts [--pairs 3]

Tokenizes N synthetic articles (benchmarks/synthetic_corpus.py, batches of 1,000 as the job
reads them) once and keeps what the job hands to ``NgramCounter.add``; then, alternating
between the two checkouts (each in a fresh process), feeds that stream to the counter and writes
its table as the job does (Parquet, in memory). Prints per run the user + system CPU-seconds of
the counting and of the table, the peak RSS and a hash of the Parquet bytes (equal = same
output), then the mean paired difference (this - reference) with a 95 % bootstrap interval.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import mean_interval  # noqa: E402
from synthetic_corpus import REPO, TYPICAL_SHAPE, build_corpus  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def capture(n: int, path: Path) -> None:
    """Tokenize N synthetic articles and pickle the n-gram stream and the term strings."""
    sys.path.insert(0, str(REPO / "scripts"))
    from newslens.tokenize import ShardTokenizer, load_stopwords, train_punkt

    settings = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["tokenize"]
    corpus = build_corpus(n, **TYPICAL_SHAPE)
    texts, ids = corpus["text"].tolist(), corpus["id"].tolist()
    punkt = train_punkt("\n\n".join(texts)[:2_000_000], settings["abbreviations"])
    tokenizer = ShardTokenizer(punkt, settings, load_stopwords(REPO / settings["stopwords_file"]))
    stream = []
    tokenizer.ngrams.add = lambda *arrays: stream.append([a.astype(np.int32) for a in arrays])
    for i in range(0, n, 1000):
        tokenizer.tokenize(ids[i : i + 1000], texts[i : i + 1000])
    with open(path, "wb") as fh:
        pickle.dump((stream, tokenizer.terms), fh, protocol=5)


def replay(scripts: str, path: Path) -> dict:
    """Child process: count the stream with ``scripts``' NgramCounter, write the table."""
    sys.path.insert(0, scripts)
    import pyarrow as pa
    import pyarrow.parquet as pq
    from newslens.tokenize import NgramCounter

    with open(path, "rb") as fh:
        stream, terms = pickle.load(fh)
    c0 = cpu()
    counter = NgramCounter(3)
    for arrays in stream:
        counter.add(*(a.astype(np.int64) for a in arrays))
    c1 = cpu()
    sink, writer, rows = pa.BufferOutputStream(), None, 0
    for table in counter.iter_table(pa.array(terms, pa.large_string()), 1 << 20):
        writer = writer or pq.ParquetWriter(sink, table.schema)
        writer.write_table(table)
        rows += table.num_rows
    if writer is not None:
        writer.close()
    c2 = cpu()
    return {
        "add": c1 - c0,
        "table": c2 - c1,
        "rows": rows,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "sha": hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=50_000)
    parser.add_argument("--reference", required=True, help="scripts/ folder of the other checkout")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--replay", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        print(json.dumps(replay(args.replay[0], Path(args.replay[1]))))
        return
    versions = {"this": str(REPO / "scripts"), "reference": args.reference}
    with tempfile.TemporaryDirectory() as tmp:
        stream = Path(tmp) / "stream.pkl"
        t0 = time.perf_counter()
        capture(args.n, stream)
        print(f"stream of {args.n} articles captured in {time.perf_counter() - t0:.0f} s")
        runs = {name: [] for name in versions}
        for i in range(args.pairs):
            for name in ("reference", "this") if i % 2 == 0 else ("this", "reference"):
                cmd = [sys.executable, __file__, "--reference", "-", "--replay"]
                out = subprocess.run(
                    [*cmd, versions[name], str(stream)], capture_output=True, text=True, check=True
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                runs[name].append(r)
                print(
                    f"pair {i + 1} {name:<9} add {r['add']:6.2f}  table {r['table']:5.2f}  "
                    f"CPU-s {r['add'] + r['table']:6.2f}  rows {r['rows']}  "
                    f"peak {r['rss_mb']:.0f} MB  sha {r['sha']}"
                )
    total = {k: np.array([r["add"] + r["table"] for r in v]) for k, v in runs.items()}
    diff = total["this"] - total["reference"]
    low, high = mean_interval(diff, resamples=10_000, seed=0)
    same = {r["sha"] for v in runs.values() for r in v}
    print(
        f"reference {total['reference'].mean():.2f} CPU-s, this {total['this'].mean():.2f}: "
        f"difference {diff.mean():+.2f} [{low:+.2f}, {high:+.2f}] (95 % bootstrap, "
        f"{len(diff)} pairs); outputs {'identical' if len(same) == 1 else 'DIFFER'}"
    )


if __name__ == "__main__":
    main()
