"""CPU of the per-shard jobs' own work on one shard of a finished run.

    PYTHONPATH=scripts python benchmarks/bench_shard_jobs.py WORKDIR [--shard 1-of-2] [--repeat 2]
        [--scripts DIR] [--jobs clean tokens_tokenize ...]

WORKDIR is the working directory of a pipeline run (e.g. one kept by
`bench_pipeline.py --keep DIR`, on a real corpus such as the BBC set). On the inputs of one
shard it runs, with the run's config, the calls each job makes: clean (`clean_frame` over the
raw shard), tokens_tokenize (`ShardTokenizer` over the clean shard, n-gram tables included,
no writing), frames_sentences (`shard_tables` over the sentence parts) and sentiment_score
(`SentenceScorer` over the sentence parts), and prints each one's process CPU-seconds (the
fastest of --repeat runs; robust to a loaded machine, unlike wall time or Snakemake's
benchmark files). Each job runs in a fresh process of the package in --scripts (default: the
first PYTHONPATH entry, else this checkout's scripts/) with the BLAS/OpenMP threads Snakemake
gives the job (benchmarks/shard_runner.py). Run it for two checkouts one after the other
(--scripts) to compare code on the same inputs; bench_sentiment_shard.py pairs them itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shard_runner import REPO, rule_threads, run_job  # noqa: E402


def clean_job(cfg: dict, shard: str):
    from newslens.clean import CleaningRules, clean_frame
    from newslens.dedup import Signer
    from newslens.runtime import iter_parquet

    rules = CleaningRules.from_config(cfg["cleaning"])
    dedup = cfg["cleaning"]["dedup"]
    signer = Signer(dedup["num_perm"], dedup["shingle_words"])
    metadata = list(cfg["corpus"].get("metadata") or [])
    batches = list(iter_parquet(f"results/interim/raw/{shard}.parquet", batch_rows=2000))
    return lambda: [clean_frame(raw, rules, signer, metadata) for raw in batches]


def tokenize_job(cfg: dict, shard: str):
    from newslens.runtime import iter_parquet_arrow
    from newslens.tokenize import ShardTokenizer, load_stopwords, punkt_from_json

    settings = cfg["tokenize"]
    stopwords = load_stopwords(settings["stopwords_file"])
    params = punkt_from_json(Path("results/interim/punkt_params.json").read_text("utf-8"))
    path = f"results/interim/clean/{shard}.parquet"
    batches = list(iter_parquet_arrow(path, 1000, ["doc_id", "text"]))

    def run():
        tokenizer = ShardTokenizer(params, settings, stopwords)
        for b in batches:
            tokenizer.tokenize(b.column("doc_id").to_pylist(), b.column("text").to_pylist())
        for _ in tokenizer.iter_ngram_tables(1 << 20):
            pass

    return run


def sentence_batches(shard: str, rows: int):
    from newslens.framing import document_batches
    from newslens.runtime import iter_parquet
    from newslens.shards import dataset_parts

    columns = ["doc_id", "para_id", "sent_id", "text"]
    out = []
    for part in dataset_parts(f"results/interim/sentences/{shard}.json"):
        out += list(document_batches(iter_parquet(part, rows, columns), part))
    return out


def frames_job(cfg: dict, shard: str):
    from newslens.codebook import Codebook, Matcher, get_normalizer
    from newslens.framing import shard_tables

    text = Path("results/interim/frames/codebook.json").read_text("utf-8")
    cb = Codebook.from_dict(json.loads(text))
    f = cfg["framing"]
    options = {k: f[k] for k in ("min_weight", "relative_threshold", "negation_window")}
    options.update(
        negation_cues=list(f["negation_cues"]),
        doc_min_share=f["doc_min_share"],
        doc_max_labels=f["doc_max_labels"],
        n_examples=f["diagnostics"]["examples"],
    )
    matcher, normalizer = Matcher(cb), get_normalizer(cb.normalize, cb.language)
    batches = sentence_batches(shard, 100_000)
    return lambda: [shard_tables(s, cb, matcher, normalizer, options) for s in batches]


def sentiment_job(cfg: dict, shard: str):
    from newslens.sentiment import SentenceScorer

    s = cfg["sentiment"]
    batches = sentence_batches(shard, 100_000)

    def run():
        th = s["thresholds"]
        scorer = SentenceScorer(s["implementation"], th["negative"], th["positive"])
        for b in batches:
            scorer(b)

    return run


JOBS = {
    "clean": clean_job,
    "tokens_tokenize": tokenize_job,
    "frames_sentences": frames_job,
    "sentiment_score": sentiment_job,
}


def child(name: str, workdir: Path, shard: str, repeat: int) -> None:
    """Time job ``name`` in this process (the package on PYTHONPATH) and print the fastest
    of ``repeat`` runs' CPU-seconds as JSON."""
    os.chdir(workdir)
    cfg = yaml.safe_load(Path("config/config.yaml").read_text())
    run = JOBS[name](cfg, shard)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    print(json.dumps({"best": best}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=list(JOBS))
    default = os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or REPO / "scripts"
    parser.add_argument("--scripts", type=Path, default=default, help="the package measured")
    parser.add_argument("--child", choices=list(JOBS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    if args.child:
        child(args.child, workdir, args.shard, args.repeat)
        return
    scripts = Path(args.scripts).resolve()
    print(f"{'job':20s} CPU-s (fastest of {args.repeat})  load {os.getloadavg()[0]:.1f}")
    for name in args.jobs:
        cmd = [__file__, "--child", name, workdir, "--shard", args.shard]
        best = run_job([*cmd, "--repeat", args.repeat], scripts, rule_threads(name), what=name)
        print(f"{name:20s} {best['best']:8.2f}")


if __name__ == "__main__":
    main()
