"""Benchmark of the topic stage: fit time, peak memory and quality of the four models.

No labelled news corpus can be downloaded here, so the data are synthetic news-like corpora
with planted categories (``newslens.topics_synthetic.planted_counts``): every document draws
40 % of its words from a shared Zipf-distributed background vocabulary of 5,000 words, most of
the rest from its category's own 300-word Zipf vocabulary and 15 % from a second random
category; ~180 terms per document (a news article after stopwords), 20 categories. Quality is
the mean NPMI of the topics' top-10 words (document co-occurrence, as in the pipeline) and the
NMI of each document's dominant topic against its planted category.

Each case runs in a fresh Python process so that its peak memory (ru_maxrss) is its own.

    PYTHONPATH=scripts python benchmarks/bench_topics.py            # all cases (~5 min on 2 cores)
    PYTHONPATH=scripts python benchmarks/bench_topics.py --quick    # models at 2,225 docs only
    PYTHONPATH=scripts python benchmarks/bench_topics.py --global 10000 [--workdir DIR]
        # the global steps (corpus_tables, topic_counts, topic_dtm, topic_model, topic_outputs)
        # through Snakemake: job seconds, articles/s, tokens/s and peak memory per rule
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def corpus(n_docs: int, seed: int = 0):
    from newslens.topics_synthetic import planted_counts

    return planted_counts(
        n_docs,
        n_topics=20,
        words_per_topic=300,
        background_words=5000,
        doc_length=180,
        background_share=0.4,
        second_share=0.15,
        seed=seed,
    )


def vocabulary(x, min_df=2, max_df=0.5):
    import numpy as np

    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = (df >= min_df) & (df <= max_df * x.shape[0])
    return x[:, keep].tocsr(), df[keep]


def case_model(n_docs: int, model: str, k: int, fit_sample: int, incremental: bool) -> dict:
    """Fit ``model`` on a sample (or all) of a planted corpus, transform all documents."""
    import numpy as np
    from newslens import topics as tp

    x, labels, _ = corpus(n_docs)
    x, df = vocabulary(x)
    t0 = time.perf_counter()
    xi = tp.model_input(model, x, df, n_docs)
    rows = np.arange(n_docs)
    if fit_sample and n_docs > fit_sample:
        rows = np.sort(np.random.default_rng(0).choice(n_docs, fit_sample, replace=False))
    t1 = time.perf_counter()
    est, h = tp.fit_model(model, xi[rows], k, 0, incremental=incremental)
    t2 = time.perf_counter()
    w = tp.transform(est, xi)
    t3 = time.perf_counter()
    coh = float(tp.npmi_coherence(x, tp.top_terms(h, 10)).mean())
    dom = tp.dominant_topic(tp.mixture(w))
    return {
        "weighting_s": t1 - t0,
        "fit_s": t2 - t1,
        "transform_s": t3 - t2,
        "total_s": t3 - t0,
        "npmi": coh,
        "nmi": tp.nmi(labels, dom),
        "diversity": tp.topic_diversity(h, 25),
        "n_fit": len(rows),
        "n_terms": x.shape[1],
    }


def case_grid(n_docs: int, ks: list[int], seeds: list[int], grid_sample: int, n_jobs: int) -> dict:
    """The default K grid (as topic_model runs it): K x seeds fits on 80 % subsamples, grid_tol."""
    import numpy as np
    from joblib import Parallel, delayed
    from newslens import topics as tp

    x, labels, _ = corpus(n_docs)
    x, df = vocabulary(x)
    xi = tp.model_input("nmf-frobenius", x, df, n_docs)
    rows = np.arange(n_docs)
    if grid_sample and n_docs > grid_sample:
        rows = np.sort(np.random.default_rng(0).choice(n_docs, grid_sample, replace=False))
    t0 = time.perf_counter()
    jobs = [(k, s) for k in ks for s in seeds]
    fits = Parallel(n_jobs=n_jobs, backend="loky")(
        delayed(tp.fit_one)("nmf-frobenius", xi[rows], x, k, s, 0.8, 10, 25, 10, tol=1e-3)
        for k, s in jobs
    )
    secs = time.perf_counter() - t0
    table = tp.grid_table(fits)
    k, rule = tp.select_k(table, 0.6)
    per_k = table.groupby("K")[["coherence", "diversity", "stability"]].mean().round(3)
    return {
        "grid_s": secs,
        "fits": len(fits),
        "sum_fit_s": sum(f.seconds for f in fits),
        "chosen_k": k,
        "rule": rule,
        "per_k": per_k.reset_index().to_dict("records"),
    }


def case_dtm(n_docs: int, n_shards: int = 2) -> dict:
    """Building the unit x term matrix from a token table: as topic_dtm did before (one shot,
    string tables in pandas) and streamed (topic_counts per shard from Arrow batches, then
    topic_dtm's join), on the same tokens; checks that the matrices are equal."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from newslens import topics as tp

    x, _, vocab = corpus(n_docs)
    coo = x.tocoo()
    rows = np.repeat(coo.row, coo.data.astype(int))
    cols = np.repeat(coo.col, coo.data.astype(int))
    vocab = np.array(vocab, dtype=object)
    doc_ids = pd.Series([f"d{r:07d}" for r in rows], dtype="str")  # Arrow strings, as read
    tokens = pd.DataFrame(
        {
            "doc_id": doc_ids,
            "para_id": 0,
            "sent_id": np.arange(len(rows)) // 15,
            "tok_id": np.arange(len(rows)),
            "term": pd.Series(vocab[cols], dtype="str"),
            "keep": True,
        }
    )
    docs = sorted(tokens["doc_id"].unique())
    units = pd.DataFrame({"unit": docs})
    t0 = time.perf_counter()
    counts = tp.unit_terms(tokens, "article", ngram_max=1)
    stats = tp.merge_term_stats(None, counts)
    voc = tp.select_vocabulary(stats, len(units), 2, 0.5, 20000)
    old = tp.shard_matrix(counts, units, voc)
    old_s = time.perf_counter() - t0
    del counts, stats

    t0 = time.perf_counter()
    doc_codes = pd.factorize(tokens["doc_id"], sort=True)[0]
    mats, terms, targets = [], [], []
    for s in range(n_shards):  # articles dealt round-robin, as the pipeline's shards
        part = pa.Table.from_pandas(tokens[doc_codes % n_shards == s], preserve_index=False)
        shard_units = pd.DataFrame({"unit": docs[s::n_shards]})
        counter = tp.ShardCounter(shard_units, "article")
        for start in range(0, part.num_rows, 1_000_000):
            counter.add(part.slice(start, 1_000_000))
        mats.append(counter.matrix())
        terms.append(tp.shard_term_table(mats[-1], counter.terms))
        targets.append(np.arange(s, len(docs), n_shards))
    counts_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    voc2 = tp.select_vocabulary(tp.sum_term_stats(terms), len(units), 2, 0.5, 20000)
    column = pd.Index(voc2["term"])
    parts = [
        (m, column.get_indexer(t["term"]), g) for m, t, g in zip(mats, terms, targets, strict=True)
    ]
    lengths = np.zeros(len(units), dtype=np.int64)
    for m, colmap, g in parts:
        lengths[g] = tp.kept_lengths(m, colmap)
    new = tp.place_rows(parts, lengths, len(voc2))
    join_s = time.perf_counter() - t0
    same = all(
        np.array_equal(getattr(old, a), getattr(new, a)) for a in ("indptr", "indices", "data")
    )
    return {
        "dtm_s": old_s,
        "counts_s": counts_s,
        "join_s": join_s,
        "tokens": len(tokens),
        "tokens_per_s": len(tokens) / old_s,
        "stream_tokens_per_s": len(tokens) / counts_s,
        "nnz": new.nnz,
        "same": same,
    }


def case_global(n: int, workdir: str, shards: int) -> dict:
    """The global steps of the pipeline (corpus_tables, topic_counts, topic_dtm, topic_model,
    topic_outputs) through Snakemake on a synthetic corpus of ``n`` articles: the pipeline is
    run once up to the token shards (kept in ``workdir``), then the global steps are forced
    again and their Snakemake benchmark files read (seconds and max RSS per job)."""
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import (
        ID_TEXT_COLUMNS,
        job_table,
        rule_table,
        run_snakemake,
        write_config,
        write_corpus,
    )
    from synthetic_corpus import build_corpus

    wd = Path(workdir)
    wd.mkdir(parents=True, exist_ok=True)
    corpus_path = wd / "corpus.parquet"
    if not corpus_path.exists():
        write_corpus(build_corpus(n), corpus_path)
        corpus = {"path": str(corpus_path), "columns": ID_TEXT_COLUMNS, "metadata": ["outlet"]}
        write_config(wd, {"corpus": corpus, "tokenize": {"csv_tables": False}})
    rules = ["corpus_tables", "topic_counts", "topic_dtm", "topic_model", "topic_outputs"]
    targets = ["results/tables/documents.csv", "results/tables/topic_summary.csv"]
    run_snakemake(wd, *targets, shards=shards, quiet=[], extra=["--forcerun", *rules])
    per_rule = rule_table(job_table(wd))
    out = {"rules": {}}
    for rule in rules:
        out["rules"][rule] = {
            "jobs": int(per_rule.loc[rule, "jobs"]),
            "seconds": float(per_rule.loc[rule, "seconds"]),
            "max_rss_mb": float(per_rule.loc[rule, "max_rss_mb"]),
        }
    docs = pd.read_parquet(wd / "results" / "tables" / "documents.parquet", columns=["n_tokens"])
    out["tokens"] = int(docs["n_tokens"].sum())
    return out


CASES = {"model": case_model, "grid": case_grid, "dtm": case_dtm, "global": case_global}


def run_case(name: str, **kw) -> dict:
    """Run one case in a fresh interpreter; add its peak resident memory in MB."""
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(SCRIPTS)!r}); "
        f"sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_topics as b; "
        f"r = b.CASES[{name!r}](**json.loads({json.dumps(json.dumps(kw))})); "
        "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the model comparison at 2,225 docs")
    ap.add_argument(
        "--global",
        dest="global_n",
        type=int,
        default=0,
        metavar="N",
        help="instead: the global steps (corpus tables, topics) through Snakemake on N articles",
    )
    ap.add_argument("--workdir", default=None, help="with --global: reuse/keep this directory")
    ap.add_argument("--shards", type=int, default=2, help="with --global: number of shards")
    args = ap.parse_args()
    if args.global_n:
        global_steps(args.global_n, args.workdir, args.shards)
        return
    print(
        f"# topic benchmark (synthetic planted corpus, 20 categories); peak RSS per process; "
        f"ru_maxrss unit check: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} kB"
    )

    print("\n## models at K=20 (fit on all documents, then transform all)")
    print("| docs | model | fit s | transform s | NPMI | NMI | diversity | peak MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    sizes = [2225] if args.quick else [2225, 10_000]
    for n in sizes:
        for model in ("nmf-frobenius", "nmf-kl", "lda-batch", "lda-online"):
            r = run_case("model", n_docs=n, model=model, k=20, fit_sample=0, incremental=False)
            print(
                f"| {n:,} | {model} | {r['fit_s']:.2f} | {r['transform_s']:.2f} | {r['npmi']:.3f} "
                f"| {r['nmi']:.3f} | {r['diversity']:.2f} | {r['peak_mb']:.0f} |",
                flush=True,
            )
    if args.quick:
        return

    print("\n## default model (nmf-frobenius, K=20): fit on a 50k sample, transform all")
    print("| docs | variant | weighting s | fit s | transform s | total s | NPMI | NMI | peak MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in (10_000, 100_000):
        for incremental in (False, True):
            r = run_case(
                "model",
                n_docs=n,
                model="nmf-frobenius",
                k=20,
                fit_sample=50_000,
                incremental=incremental,
            )
            name = "MiniBatchNMF" if incremental else "NMF (cd)"
            print(
                f"| {n:,} | {name} | {r['weighting_s']:.2f} | {r['fit_s']:.2f} | "
                f"{r['transform_s']:.2f} | {r['total_s']:.2f} | {r['npmi']:.3f} | {r['nmi']:.3f} "
                f"| {r['peak_mb']:.0f} |",
                flush=True,
            )
    r = run_case(
        "model", n_docs=100_000, model="lda-online", k=20, fit_sample=50_000, incremental=True
    )
    print(
        f"| 100,000 | online LDA | {r['weighting_s']:.2f} | {r['fit_s']:.2f} | "
        f"{r['transform_s']:.2f} | {r['total_s']:.2f} | {r['npmi']:.3f} | {r['nmi']:.3f} "
        f"| {r['peak_mb']:.0f} |",
        flush=True,
    )

    print("\n## the default K grid [5..30] x 3 seeds, nmf-frobenius, 2 worker processes")
    for n in (10_000, 100_000):
        r = run_case(
            "grid",
            n_docs=n,
            ks=[5, 10, 15, 20, 25, 30],
            seeds=[0, 1, 2],
            grid_sample=20_000,
            n_jobs=2,
        )
        print(
            f"- {n:,} docs (grid sample 20,000): {r['fits']} fits in {r['grid_s']:.1f} s wall "
            f"(sum of fit times {r['sum_fit_s']:.1f} s), peak {r['peak_mb']:.0f} MB per parent; "
            f"{r['rule']}"
        )
        for row in r["per_k"]:
            print(
                f"  - K={row['K']}: coherence {row['coherence']}, diversity {row['diversity']}, "
                f"stability {row['stability']}"
            )

    print("\n## document-term matrix from a token table (unigrams): one shot vs streamed")
    for n in (10_000, 100_000):
        r = run_case("dtm", n_docs=n)
        print(
            f"- {n:,} docs, {r['tokens']:,} terms: one shot {r['dtm_s']:.1f} s "
            f"({r['tokens_per_s'] / 1e6:.2f}M terms/s); streamed: per-shard counts "
            f"{r['counts_s']:.1f} s ({r['stream_tokens_per_s'] / 1e6:.2f}M terms/s), join "
            f"{r['join_s']:.1f} s; same matrix: {r['same']}; peak {r['peak_mb']:.0f} MB",
            flush=True,
        )


def global_steps(n: int, workdir: str | None, shards: int) -> None:
    """Print the global steps' job time, throughput and peak memory at ``n`` articles."""
    import tempfile

    wd = workdir or tempfile.mkdtemp(prefix=f"newslens-global-{n}-")
    r = run_case("global", n=n, workdir=wd, shards=shards)
    print(f"\n## global steps, {n:,} synthetic articles, {r['tokens']:,} tokens, {shards} shards")
    print("| rule | jobs | job seconds | articles/s | tokens/s | peak MB (one job) |")
    print("|---|---:|---:|---:|---:|---:|")
    for rule, row in r["rules"].items():
        secs = max(row["seconds"], 1e-9)
        print(
            f"| {rule} | {row['jobs']} | {row['seconds']:.1f} | {n / secs:,.0f} | "
            f"{r['tokens'] / secs / 1e6:.2f}M | {row['max_rss_mb']:.0f} |"
        )
    print(f"(working directory: {wd})")


if __name__ == "__main__":
    main()
