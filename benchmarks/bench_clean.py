"""Throughput of the clean step on one core (in process, no Snakemake): a raw shard of synthetic
articles through ``clean_frame`` in batches of 2,000 rows, as the clean job does (Unicode,
furniture lines, header fields, word counts, content hashes, MinHash signatures).

    python benchmarks/bench_clean.py [N_ARTICLES] [--long] [--repeat R] [--compare]

``--compare`` also times the article-by-article code it replaced (tests/clean_reference.py)
on the same input, alternating runs, and checks that both give the same rows and audit.
Prints medians of R runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from newslens.clean import CleaningRules, clean_frame  # noqa: E402
from newslens.dedup import Signer  # noqa: E402
from synthetic_corpus import LONG_SHAPE, REPO, build_corpus  # noqa: E402

BATCH_ROWS = 2000


def raw_shard(corpus: pd.DataFrame) -> pd.DataFrame:
    """The columns the ingest step writes, for a synthetic corpus."""
    n = len(corpus)
    return pd.DataFrame(
        {
            "doc_index": range(n),
            "doc_id": corpus["id"],
            "source": [f"synthetic:row {i + 1}" for i in range(n)],
            "kind": "text",
            "encoding": "",
            "raw": corpus["text"],
            "title": None,
            "date": None,
            "author": None,
            "outlet": corpus["outlet"],
        }
    )


def run_batches(clean, raw: pd.DataFrame, rules, signer) -> tuple[float, list, list]:
    t0 = time.perf_counter()
    rows, audit = [], []
    for start in range(0, len(raw), BATCH_ROWS):
        frame, batch_audit = clean(raw.iloc[start : start + BATCH_ROWS], rules, signer, ["outlet"])
        rows.append(frame)
        audit.extend(batch_audit)
    return time.perf_counter() - t0, rows, audit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=5000)
    parser.add_argument("--long", action="store_true", help="articles twice the typical length")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also time the reference code")
    args = parser.parse_args()
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["cleaning"]
    corpus = build_corpus(args.n, **(LONG_SHAPE if args.long else {}))
    raw = raw_shard(corpus)
    # read back through Parquet so that the columns have the dtypes a shard job sees
    path = Path("/tmp") / f"bench_clean_{args.n}_{int(args.long)}.parquet"
    raw.to_parquet(path, index=False)
    raw = pd.read_parquet(path)
    path.unlink()
    rules = CleaningRules.from_config(cfg)
    variants = {"clean_frame (batch)": (clean_frame, Signer)}
    if args.compare:
        sys.path.insert(0, str(REPO / "tests"))
        import clean_reference as ref

        variants["reference (per article)"] = (ref.clean_batch, ref.Signer)
    times: dict[str, list[float]] = {name: [] for name in variants}
    outputs = {}
    for _ in range(args.repeat):
        for name, (clean, signer_class) in variants.items():
            signer = signer_class(cfg["dedup"]["num_perm"], cfg["dedup"]["shingle_words"])
            seconds, rows, audit = run_batches(clean, raw, rules, signer)
            times[name].append(seconds)
            outputs[name] = (pd.concat(rows, ignore_index=True), audit)
    kept, _ = outputs["clean_frame (batch)"]
    n_tokens = int(kept["n_words"].sum())
    print(
        f"corpus: {args.n} synthetic {'long' if args.long else 'typical'} articles, "
        f"{n_tokens} words ({n_tokens / args.n:.0f}/article); medians of {args.repeat} runs"
    )
    print(f"{'variant':<26}{'seconds':>9}{'articles/s':>12}{'tokens/s':>12}")
    for name, secs in times.items():
        med = statistics.median(secs)
        print(f"{name:<26}{med:>9.2f}{args.n / med:>12.0f}{n_tokens / med:>12.0f}")
    if args.compare:
        new_rows, new_audit = outputs["clean_frame (batch)"]
        old_rows, old_audit = outputs["reference (per article)"]
        pd.testing.assert_frame_equal(new_rows, old_rows)
        assert new_audit == old_audit
        ratio = statistics.median(times["reference (per article)"]) / statistics.median(
            times["clean_frame (batch)"]
        )
        print(f"speed-up {ratio:.2f}x; rows and audit identical")


if __name__ == "__main__":
    main()
