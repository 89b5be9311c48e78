"""Benchmark: does each K rule recover the planted number of topics?

Synthetic corpora with a known K (``newslens.topics_synthetic``): ``planted`` = each document
mostly from its category's own Zipf vocabulary plus a shared background (``planted_counts``);
``news`` = news-like text (``news_like_counts``): one Zipf vocabulary from which sections
borrow their words, a share ``overlap`` of a section's words shared with other sections,
stories (subtopics) within sections, log-normal lengths. For every case the K grid is fitted
once (reference + subsample fits, as the topic_model job does) and every rule of
``topics.k_rule`` chooses from the same fits; printed: the recovered K per rule, and the NMI
of the dominant topics (reference fit) with the planted categories at the planted K and at
each rule's K.

    PYTHONPATH=scripts python benchmarks/bench_topics_k.py            # all cases
    PYTHONPATH=scripts python benchmarks/bench_topics_k.py --quick    # K = 5 and 12 only
"""

from __future__ import annotations

import argparse
import time

import numpy as np

GRID = [3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30]


def cases(quick: bool):
    ks = [5, 12] if quick else [3, 5, 8, 12, 20]
    for k in ks:
        yield "planted bg=0.4", k, {"kind": "planted", "background_share": 0.4}
        yield "news ov=0.2", k, {"kind": "news", "overlap": 0.2}
        yield "news ov=0.5", k, {"kind": "news", "overlap": 0.5}


def corpus(k: int, n_docs: int, spec: dict, seed: int):
    from newslens.topics_synthetic import news_like_counts, planted_counts

    spec = dict(spec)
    kind = spec.pop("kind")
    if kind == "planted":
        return planted_counts(n_docs, n_topics=k, seed=seed, **spec)[:2]
    return news_like_counts(
        n_docs,
        n_topics=k,
        background_share=0.6,
        subtopic_share=0.5,
        second_share=0.15,
        seed=seed,
        **spec,
    )[:2]


def run_case(x, labels, grid, seeds, n_jobs, max_iter=50):
    from newslens import topics as tp

    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = (df >= 2) & (df <= 0.5 * x.shape[0])
    x = x[:, keep].tocsr()
    xi = tp.model_input("nmf-frobenius", x, df[keep], x.shape[0])
    t0 = time.perf_counter()
    fits = tp.fit_grid(
        "nmf-frobenius", xi, grid, seeds, 0.8, (10, 25, 20), n_jobs, tol=1e-3, max_iter=max_iter
    )
    cohs = tp.topic_coherences(x, x.shape[0], [f.top_coherence for f in fits])
    for f, c in zip(fits, cohs, strict=True):
        f.coherence = c
    secs = time.perf_counter() - t0
    table = tp.grid_table(fits)
    chosen = {rule: tp.select_k(table, 0.6, rule=rule)[0] for rule in tp.K_RULES}
    nmi = {
        f.k: tp.validation_scores(f.dominant, labels)["nmi"] for f in fits if f.stage == "reference"
    }
    return chosen, nmi, tp.k_table(table), secs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--docs", type=int, default=1500)
    ap.add_argument("--seeds", type=int, default=3, help="subsample fits per K (tau)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-iter", type=int, default=50, help="topics.grid_max_iter (0 = 200)")
    ap.add_argument("--cost", action="store_true", help="measure the grid's CPU cost instead")
    args = ap.parse_args()
    if args.cost:
        cost()
        return
    from newslens import topics as tp

    seeds = list(range(args.seeds))
    print(
        f"grid K = {GRID}; {args.docs} documents; tau = {args.seeds}; beta = 0.8; t = 20; "
        f"grid_max_iter = {args.max_iter or 200}"
    )
    head = f"{'corpus':<16}{'planted':>8}" + "".join(f"{r:>11}" for r in tp.K_RULES)
    print(head + f"{'NMI@planted':>13}{'NMI@stab.':>11}{'stab@K':>8}{'best other':>12}{'s':>6}")
    hits = {r: 0 for r in tp.K_RULES}
    n = 0
    for name, k, spec in cases(args.quick):
        x, labels = corpus(k, args.docs, spec, seed=k)
        chosen, nmi, per_k, secs = run_case(
            x, labels, GRID, seeds, args.jobs, args.max_iter or None
        )
        n += 1
        for r in tp.K_RULES:
            hits[r] += chosen[r] == k
        other = per_k.drop(index=k)["stability"]
        print(
            f"{name:<16}{k:>8}"
            + "".join(f"{chosen[r]:>11}" for r in tp.K_RULES)
            + f"{nmi[k]:>13.3f}{nmi[chosen['stability']]:>11.3f}"
            + f"{per_k.loc[k, 'stability']:>8.3f}{f'{other.max():.3f}@{other.idxmax()}':>12}"
            + f"{secs:>6.0f}",
            flush=True,
        )
    print("recovered: " + ", ".join(f"{r} {hits[r]}/{n}" for r in tp.K_RULES))


def cost(n: int = 20_000):
    """CPU seconds (one BLAS thread) of the topic_model steps with the default settings on
    news-like counts (~200 distinct terms per article, 20,000 vocabulary terms), and of the
    former default grid (K = 5..30 step 5, 3 seeds on 20,000 units, no iteration cap)."""
    from newslens import topics as tp
    from newslens.topics_synthetic import news_like_counts
    from threadpoolctl import threadpool_limits

    x, _, _ = news_like_counts(
        n,
        n_topics=5,
        vocab_size=40_000,
        words_per_topic=3000,
        overlap=0.4,
        background_share=0.6,
        subtopic_share=0.5,
        second_share=0.15,
        doc_length=320,
        seed=5,
    )
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = (df >= 2) & (df <= 0.5 * n)
    cf = np.asarray(x.sum(axis=0)).ravel()
    keep &= cf >= np.sort(cf[keep])[-20_000]  # topics.max_features
    x, df = x[:, keep].tocsr(), df[keep]
    print(f"matrix {x.shape}, {x.nnz / n:.0f} distinct terms per article")
    rng = np.random.default_rng(0)
    with threadpool_limits(1):
        c0 = time.process_time()
        rows = np.sort(rng.choice(n, size=5000, replace=False))
        xi = tp.model_input("nmf-frobenius", x[rows], df, n)
        fits = tp.fit_grid(
            "nmf-frobenius", xi, GRID, [0, 1, 2], 0.8, (10, 25, 20), 1, tol=1e-3, max_iter=50
        )
        c_grid = time.process_time() - c0
        c0 = time.process_time()
        cohs = tp.topic_coherences(x, n, [f.top_coherence for f in fits])
        for f, c in zip(fits, cohs, strict=True):
            f.coherence = c
        k = tp.select_k(tp.grid_table(fits), 0.6)[0]
        c_coh = time.process_time() - c0
        c0 = time.process_time()
        prep = lambda r: tp.model_input("nmf-frobenius", r, df, n)  # noqa: E731
        est, _ = tp.fit_model("nmf-frobenius", prep(x), k, 0, tol=1e-4)
        c_fit = time.process_time() - c0
        c0 = time.process_time()
        tp.transform(est, x, prepare=prep)
        c_tr = time.process_time() - c0
        print(
            f"default: grid {len(fits)} fits on 5000 units {c_grid:.1f} CPU s; coherence "
            f"{c_coh:.1f}; final fit K={k} on {n} {c_fit:.1f}; transform {c_tr:.1f}",
            flush=True,
        )
        c0 = time.process_time()
        xi = tp.model_input("nmf-frobenius", x, df, n)
        for k in (5, 10, 15, 20, 25, 30):
            for s in (0, 1, 2):
                tp.fit_one("nmf-frobenius", xi, None, k, s, 0.8, 10, 25, 10, tol=1e-3)
        print(f"former default grid: 18 fits on {n} units {time.process_time() - c0:.1f} CPU s")


if __name__ == "__main__":
    main()
