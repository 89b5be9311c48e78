"""Throughput of cleaning and tokenization on one core (in-process, no Snakemake overhead).

    python benchmarks/bench_corpus.py [N_ARTICLES]   (default 5000)

Prints articles/s and tokens/s for: cleaning (+ duplicate signatures), tokenization (Punkt
sentences, regexp tokens, per-type stopwords and lemmas, n-gram counts; without writing
Parquet, see bench_tokenize.py for the whole job), and both.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_clean import raw_shard  # noqa: E402
from newslens.clean import CleaningRules, clean_frame  # noqa: E402
from newslens.dedup import Signer  # noqa: E402
from newslens.tokenize import ShardTokenizer, load_stopwords, train_punkt  # noqa: E402
from synthetic_corpus import REPO, build_corpus  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    corpus = build_corpus(n)
    rules = CleaningRules.from_config(cfg["cleaning"])
    signer = Signer(cfg["cleaning"]["dedup"]["num_perm"], cfg["cleaning"]["dedup"]["shingle_words"])

    raw = raw_shard(corpus)
    t0 = time.perf_counter()
    cleaned = [  # as the clean job does it: batches of 2,000 articles (see bench_clean.py)
        clean_frame(raw.iloc[start : start + 2000], rules, signer, ["outlet"])[0]
        for start in range(0, len(raw), 2000)
    ]
    t_clean = time.perf_counter() - t0
    docs = pd.concat(cleaned, ignore_index=True)[["doc_id", "text"]]

    t0 = time.perf_counter()
    params = train_punkt("\n\n".join(docs["text"].head(2000)), cfg["tokenize"]["abbreviations"])
    t_train = time.perf_counter() - t0
    stopwords = load_stopwords(REPO / cfg["tokenize"]["stopwords_file"])
    t0 = time.perf_counter()
    n_tokens = n_sentences = 0
    tokenizer = ShardTokenizer(params, cfg["tokenize"], stopwords)
    for start in range(0, len(docs), 1000):
        batch = docs.iloc[start : start + 1000]
        out = tokenizer.tokenize(batch["doc_id"].tolist(), batch["text"].tolist())
        n_tokens += out.tokens.num_rows
        n_sentences += out.sentences.num_rows
    tokenizer.ngram_table()
    t_tok = time.perf_counter() - t0

    print(
        f"corpus: {n} synthetic articles, {n_sentences} sentences, {n_tokens} tokens "
        f"({n_tokens / n:.0f} tokens/article), {tokenizer.n_types} word types"
    )
    print(f"{'step':<28}{'seconds':>9}{'articles/s':>12}{'tokens/s':>12}")
    for name, secs in (
        ("clean + dedup signatures", t_clean),
        ("tokenize + n-grams", t_tok),
        ("clean + tokenize", t_clean + t_tok),
    ):
        print(f"{name:<28}{secs:>9.2f}{n / secs:>12.0f}{n_tokens / secs:>12.0f}")
    print(f"{'Punkt training (2000 art.)':<28}{t_train:>9.2f}")


if __name__ == "__main__":
    main()
