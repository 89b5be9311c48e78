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


def run_case(x, labels, grid, seeds, n_jobs):
    from newslens import topics as tp

    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = (df >= 2) & (df <= 0.5 * x.shape[0])
    x = x[:, keep].tocsr()
    xi = tp.model_input("nmf-frobenius", x, df[keep], x.shape[0])
    t0 = time.perf_counter()
    fits = tp.fit_grid("nmf-frobenius", xi, grid, seeds, 0.8, (10, 25, 20), n_jobs, tol=1e-3)
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
    args = ap.parse_args()
    from newslens import topics as tp

    seeds = list(range(args.seeds))
    print(f"grid K = {GRID}; {args.docs} documents; tau = {args.seeds}; beta = 0.8; t = 20")
    head = f"{'corpus':<16}{'planted':>8}" + "".join(f"{r:>11}" for r in tp.K_RULES)
    print(head + f"{'NMI@planted':>13}{'NMI@stab.':>11}{'stab@K':>8}{'best other':>12}{'s':>6}")
    hits = {r: 0 for r in tp.K_RULES}
    n = 0
    for name, k, spec in cases(args.quick):
        x, labels = corpus(k, args.docs, spec, seed=k)
        chosen, nmi, per_k, secs = run_case(x, labels, GRID, seeds, args.jobs)
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


if __name__ == "__main__":
    main()
