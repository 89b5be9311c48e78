"""How often keyness significance and the log-ratio interval disagree, on a real grouping.

    python benchmarks/bench_compare_keyness_agreement.py /tmp/dev/protobench/bbc.csv
        [--sample 1.0 0.1] [--min-count 5]

Reads a CSV with ``text`` and ``category`` (e.g. the 2,225 BBC news articles with their 5
categories; development data, not committed), counts words (scikit-learn CountVectorizer,
lower case, words of 2+ letters, in at least 2 articles) and runs ``newslens.compare.keyness``
for each category against the rest on all terms with ``--min-count`` occurrences. For each
``--sample`` fraction of the articles (seeded) it prints, over all terms of the 5 comparisons,
how often the G2 p-value (and the BH q-value) and the 95 % log-ratio interval disagree:

* old: the Wald interval of the smoothed log ratio (0.5 added to both counts), the previous
  method, recomputed here;
* new: the profile-likelihood interval that inverts G2 (``compare_small.lr_interval``).

"p < 0.05 but the interval crosses 0" and "p >= 0.05 but the interval excludes 0" are
disagreements; with q the second kind is expected (q is BH-adjusted over thousands of terms,
the interval is per term), the first is not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from newslens import compare as cp  # noqa: E402


def wald(a, b, ta, tb, z=1.959964):
    a, b = a + 0.5, b + 0.5
    lr = np.log2((a / ta) / (b / tb))
    se = np.sqrt(1 / a + 1 / b) / np.log(2)
    return lr - z * se, lr + z * se


def measure(docs: pd.DataFrame, min_count: int) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(lowercase=True, token_pattern=r"(?u)\b[^\W\d_]{2,}\b", min_df=2)
    dtm = vec.fit_transform(docs["text"]).tocsr()
    terms = vec.get_feature_names_out()
    cats = sorted(docs["category"].unique())
    per = cp.group_term_counts(dtm, pd.Index(cats).get_indexer(docs["category"]), len(cats))
    total = per.sum(axis=0)
    out = {
        k: 0
        for k in (
            "terms",
            "p",
            "q",
            "old_p_cross",
            "old_p0_excl",
            "old_q_cross",
            "new_p_cross",
            "new_p0_excl",
            "new_q_cross",
        )
    }
    for i, _cat in enumerate(cats):
        ci, cj = per[i], total - per[i]
        tab = cp.keyness(ci, cj, terms, min_count=min_count)
        a, b = tab["count_group"].to_numpy(float), tab["count_reference"].to_numpy(float)
        ta, tb = float(tab["total_group"].iloc[0]), float(tab["total_reference"].iloc[0])
        sig, qsig = tab["g2_p"].to_numpy() < 0.05, tab["q_value"].to_numpy() < 0.05
        for name, (lo, hi) in (
            ("old", wald(a, b, ta, tb)),
            ("new", (tab["log_ratio_low"].to_numpy(), tab["log_ratio_high"].to_numpy())),
        ):
            excl = (lo > 0) | (hi < 0)
            out[f"{name}_p_cross"] += int((sig & ~excl).sum())
            out[f"{name}_p0_excl"] += int((~sig & excl).sum())
            out[f"{name}_q_cross"] += int((qsig & ~excl).sum())
        out["terms"] += len(tab)
        out["p"] += int(sig.sum())
        out["q"] += int(qsig.sum())
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", type=Path)
    ap.add_argument("--sample", type=float, nargs="+", default=[1.0, 0.1])
    ap.add_argument("--min-count", type=int, default=5)
    args = ap.parse_args(argv)
    docs = pd.read_csv(args.csv, usecols=["text", "category"]).dropna()
    print(f"{len(docs)} articles, {docs['category'].nunique()} categories, each vs the rest")
    print(
        "| articles | terms tested | p < 0.05 | q < 0.05 | method | p < 0.05, interval "
        "crosses 0 | p >= 0.05, interval excludes 0 | q < 0.05, interval crosses 0 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for frac in args.sample:
        part = docs.sample(frac=frac, random_state=1) if frac < 1 else docs
        m = measure(part, args.min_count)
        for name in ("old", "new"):
            print(
                f"| {len(part)} | {m['terms']} | {m['p']} | {m['q']} | {name} "
                f"| {m[f'{name}_p_cross']} | {m[f'{name}_p0_excl']} | {m[f'{name}_q_cross']} |"
            )


if __name__ == "__main__":
    main()
