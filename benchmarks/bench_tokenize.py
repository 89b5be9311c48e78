"""Throughput and peak memory of one `tokenize` shard job (scripts/tokens_tokenize.py), run
in a subprocess as Snakemake would run it, Parquet reading and writing included.

    python benchmarks/bench_tokenize.py [N_ARTICLES] [--long]   (default 5000 synthetic articles)
    python benchmarks/bench_tokenize.py --clean SHARD.parquet --punkt punkt_params.json \\
        [--dropped duplicates.parquet]                            (a real clean shard)
    ... --reference /path/to/other/checkout/scripts               (also time that version and
                                                                   check the outputs are equal)

Prints, per version: seconds for imports and a 50-article warm-up (the fixed cost of a job),
then wall and CPU seconds, articles/s and tokens/s per core for the shard itself, and the job's
peak RSS. With --reference, the two versions' five output tables are compared (Arrow table
equality and byte equality of the Parquet files).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_corpus import LONG_SHAPE, REPO, TYPICAL_SHAPE, build_corpus  # noqa: E402

OUTPUTS = ["paragraphs", "sentences", "tokens", "docs", "ngrams"]
PARTITIONED = ("paragraphs", "sentences", "tokens")  # PARTITIONED_CORPUS_TABLES in common.smk
TOKENIZE_KEYS = ["language", "lowercase", "normalize", "min_token_length", "keep_numbers"]


def fake_snakemake(inputs: dict, outdir: Path, cfg: dict) -> SimpleNamespace:
    outdir.mkdir(parents=True, exist_ok=True)
    return SimpleNamespace(
        input=SimpleNamespace(**inputs, stopwords=str(REPO / cfg["tokenize"]["stopwords_file"])),
        # the partitioned tables' outputs are part lists (JSON); their parts go to tables/<name>/
        output=SimpleNamespace(
            **{
                k: str(outdir / (f"{k}.json" if k in PARTITIONED else f"{k}.parquet"))
                for k in OUTPUTS
            }
        ),
        params=SimpleNamespace(
            settings={k: cfg["tokenize"][k] for k in TOKENIZE_KEYS + ["ngram_max"]},
            metadata=list(cfg["corpus"]["metadata"]),
            tables={k: str(outdir / "tables" / k) for k in PARTITIONED},
            part_articles=cfg["tokenize"]["part_articles"],
        ),
        log=[],
        rule="tokens_tokenize",
    )


def job(scripts: str, inputs: dict, outdir: Path) -> None:
    """Child process: warm up on 50 articles, then tokenize the shard; print JSON timings."""
    import logging

    t0 = time.perf_counter()
    sys.path.insert(0, scripts)
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    outdir.mkdir(parents=True, exist_ok=True)
    warm = outdir / "warmup.parquet"
    pq.write_table(pq.read_table(inputs["clean"]).slice(0, 50), warm)
    script = str(Path(scripts) / "tokens_tokenize.py")
    runpy.run_path(
        script, {"snakemake": fake_snakemake({**inputs, "clean": str(warm)}, outdir / "warm", cfg)}
    )
    logging.getLogger().setLevel(logging.WARNING)
    fixed = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    runpy.run_path(script, {"snakemake": fake_snakemake(inputs, outdir, cfg)})
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fixed": fixed, "wall": wall, "cpu": cpu, "rss_mb": rss}))


def synthetic_shard(n: int, long: bool, workdir: Path) -> dict:
    """A clean shard, Punkt parameters and an empty duplicates table for N synthetic articles."""
    from newslens.clean import CleaningRules, clean_article, date_precision
    from newslens.tokenize import punkt_to_json, train_punkt

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    corpus = build_corpus(n, **(LONG_SHAPE if long else TYPICAL_SHAPE))
    rules = CleaningRules.from_config(cfg["cleaning"])
    rows = []
    for i, (doc_id, raw, outlet) in enumerate(
        zip(corpus["id"], corpus["text"], corpus["outlet"], strict=True)
    ):
        a = clean_article(raw, rules)
        rows.append(
            (i, doc_id, "synthetic", a.title, a.date, date_precision(a.date), a.author, a.role)
            + (a.lede, a.text, outlet)
        )
    columns = [
        "doc_index",
        "doc_id",
        "source",
        "title",
        "date",
        "date_precision",
        "author",
        "role",
        "lede",
        "text",
        "outlet",
    ]
    clean = pd.DataFrame(rows, columns=columns)
    clean.to_parquet(workdir / "clean.parquet", index=False)
    sample = "\n\n".join(clean["text"])[: cfg["tokenize"]["punkt_training_chars"]]
    params = train_punkt(sample, cfg["tokenize"]["abbreviations"])
    (workdir / "punkt.json").write_text(punkt_to_json(params), encoding="utf-8")
    pd.DataFrame({"doc_id": pd.Series([], dtype=object)}).to_parquet(workdir / "dropped.parquet")
    return {
        "clean": str(workdir / "clean.parquet"),
        "punkt": str(workdir / "punkt.json"),
        "dropped": str(workdir / "dropped.parquet"),
    }


def run_job(scripts: str, inputs: dict, outdir: Path) -> dict:
    cmd = [sys.executable, __file__, "--job", scripts, json.dumps(inputs), str(outdir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"tokenize job failed ({scripts}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table_files(outdir: Path, name: str) -> list[Path]:
    """The Parquet file(s) of one output: the part files of a partitioned table, else one file."""
    if name in PARTITIONED:
        return sorted((outdir / "tables" / name).glob("*.parquet"))
    return [outdir / f"{name}.parquet"]


def table_rows(outdir: Path, name: str) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in table_files(outdir, name))


def same_outputs(a: Path, b: Path) -> list[str]:
    rows = []
    for name in OUTPUTS:
        fa, fb = table_files(a, name), table_files(b, name)
        equal = [f.name for f in fa] == [f.name for f in fb] and all(
            pq.read_table(x).equals(pq.read_table(y), check_metadata=True)
            for x, y in zip(fa, fb, strict=True)
        )
        same_bytes = equal and all(
            hashlib.sha256(x.read_bytes()).digest() == hashlib.sha256(y.read_bytes()).digest()
            for x, y in zip(fa, fb, strict=True)
        )
        rows.append(f"{name}: tables equal {equal}, files byte-identical {same_bytes}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=5000)
    parser.add_argument("--long", action="store_true", help="articles twice the typical length")
    parser.add_argument("--clean", help="a clean shard (results/interim/clean/*.parquet)")
    parser.add_argument("--punkt", help="Punkt parameters (results/interim/punkt_params.json)")
    parser.add_argument("--dropped", help="results/interim/duplicates.parquet (default: none)")
    parser.add_argument("--reference", help="scripts/ folder of another version to compare")
    parser.add_argument("--repeat", type=int, default=1, help="runs per version (median)")
    parser.add_argument("--job", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        job(args.job[0], json.loads(args.job[1]), Path(args.job[2]))
        return
    sys.path.insert(0, str(REPO / "scripts"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.clean:
            dropped = tmp / "dropped.parquet"
            if args.dropped:
                dropped = Path(args.dropped)
            else:
                pd.DataFrame({"doc_id": pd.Series([], dtype=object)}).to_parquet(dropped)
            inputs = {"clean": args.clean, "punkt": args.punkt, "dropped": str(dropped)}
        else:
            inputs = synthetic_shard(args.n, args.long, tmp)
        versions = {"this": str(REPO / "scripts")}
        if args.reference:
            versions["reference"] = args.reference
        results = {name: [] for name in versions}
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            for name, scripts in versions.items():
                results[name].append(run_job(scripts, inputs, tmp / name))
        n_docs = table_rows(tmp / "this", "docs")
        n_tokens = table_rows(tmp / "this", "tokens")
        print(
            f"shard: {n_docs} articles, {n_tokens} tokens ({n_tokens / max(n_docs, 1):.0f} per article)"
        )
        print(
            f"{'version':<10}{'fixed s':>9}{'wall s':>9}{'CPU s':>8}{'art/s/core':>12}{'tok/s/core':>12}{'peak MB':>9}"
        )
        for name, runs in results.items():
            med = {k: float(pd.Series([r[k] for r in runs]).median()) for k in runs[0]}
            print(
                f"{name:<10}{med['fixed']:>9.1f}{med['wall']:>9.2f}{med['cpu']:>8.2f}"
                f"{n_docs / med['cpu']:>12.0f}{n_tokens / med['cpu']:>12.0f}{med['rss_mb']:>9.0f}"
            )
        if args.reference:
            ratio = (
                pd.Series([r["cpu"] for r in results["reference"]]).median()
                / pd.Series([r["cpu"] for r in results["this"]]).median()
            )
            print(f"speed-up (CPU seconds, reference / this): {ratio:.2f}x")
            for row in same_outputs(tmp / "this", tmp / "reference"):
                print(row)


if __name__ == "__main__":
    main()
