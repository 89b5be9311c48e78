"""Actor sentiment on coded news articles (PerSenT, Bastan et al. 2020), through the pipeline.

Converts PerSenT's ``dev.csv`` and ``fixed_test.csv`` (fetched outside the repository; never
commit them, never use ``random_test.csv``) into a corpus table with a per-article target
column, a coded file (the dev articles) and a gold file (the fixed_test articles) in a
temporary working directory, runs the pipeline there by a config overlay only (actor scores
with every variant column, the supervised classifier trained on dev, validation on
fixed_test), and prints each method beside the baselines (majority class, VADER on the whole
article, VADER on the sentences naming the entity with the VADER thresholds +-0.05):
macro-F1 and accuracy with percentile-bootstrap intervals, Pearson r of the score with the
coded class (-1, 0, 1), and the paired bootstrap interval of each method's macro-F1
difference to both VADER baselines. Unsupervised label thresholds are tuned on dev (the
coded file) and applied to fixed_test.

    PYTHONPATH=scripts python benchmarks/bench_actor_sentiment.py [--data /tmp/dev/actorsent]
        [--targets column|surname] [--workdir DIR] [--cores 2] [--resamples 1000]

``--targets column``: the target column holds the entity string as coded (what a researcher
gives through corpus.columns.target); ``surname``: a target table (actor_targets.file) adds
the last word of a multi-word name as an alias ("Schmidt" for "Howard A. Schmidt").
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from newslens.actor_sentiment import paired_difference_ci
from newslens.sentiment import label_compound
from scipy.stats import pearsonr
from sklearn.metrics import accuracy_score, f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    bootstrap_indices,
    percentile_interval,
    read_config,
    run_snakemake,
    write_config,
    write_corpus,
)

LABELS = {"Negative": "negative", "Neutral": "neutral", "Positive": "positive"}
VALUE = {"negative": -1, "neutral": 0, "positive": 1}
VARIANTS = {
    "sentences naming actor": "sentences_compound",
    "window +-1 sentence": "window_compound",
    "distance-weighted (decay 1)": "distance_compound",
    "article tone": "article_compound",
    "prior 0.5 sentences + 0.5 article": "prior",
}


def load(data: Path, name: str, prefix: str) -> pd.DataFrame:
    d = pd.read_csv(data / name)
    return pd.DataFrame(
        {
            "doc_id": [f"{prefix}{i}" for i in d["DOCUMENT_INDEX"]],
            # PerSenT separates paragraphs by single newlines; the pipeline by blank lines
            "text": d["DOCUMENT"].astype(str).str.replace(r"\s*\n\s*", "\n\n", regex=True),
            "masked": d["MASKED_DOCUMENT"].astype(str),
            "target": d["TARGET_ENTITY"].astype(str).str.strip(),
            "label": d["TRUE_SENTIMENT"].map(LABELS),
        }
    ).drop_duplicates("doc_id")


def surname(name: str) -> list[str]:
    parts = [p for p in name.split() if p.rstrip(".") not in ("Jr", "Sr", "II", "III")]
    out = [name]
    if len(parts) > 1 and re.match(r"^[A-Z][\w'-]+$", parts[-1]) and parts[-1] != name:
        out.append(parts[-1])
    return out


def write_workdir(work: Path, dev: pd.DataFrame, test: pd.DataFrame, targets: str) -> None:
    corpus = pd.concat([dev, test], ignore_index=True)
    write_corpus(corpus[["doc_id", "text", "target"]], work / "corpus.csv")
    dev[["doc_id", "target", "label"]].rename(columns={"target": "actor"}).to_csv(
        work / "coded.csv", index=False
    )
    test[["doc_id", "target", "label"]].rename(columns={"target": "actor"}).to_csv(
        work / "gold.csv", index=False
    )
    cfg = read_config()
    cfg["corpus"]["path"] = str(work / "corpus.csv")
    cfg["corpus"]["columns"]["id"] = "doc_id"
    cfg["actors"] = {}
    if targets == "column":
        cfg["corpus"]["columns"]["target"] = "target"
    else:
        rows = [
            (d, t, "; ".join(surname(t)))
            for d, t in zip(corpus["doc_id"], corpus["target"], strict=True)
        ]
        pd.DataFrame(rows, columns=["doc_id", "actor", "aliases"]).to_csv(
            work / "targets.csv", index=False
        )
        cfg["actor_targets"]["file"] = str(work / "targets.csv")
    sent = cfg["sentiment"]
    sent["actor_scores"]["variants"] = True
    sent["actor_supervised"]["file"] = str(work / "coded.csv")
    sent["actor_validation"]["file"] = str(work / "gold.csv")
    write_config(work, base=cfg)


def run_pipeline(work: Path, cores: int) -> float:
    targets = [
        "results/tables/sentiment_actor_validation_metrics.csv",
        "results/tables/sentiment_actor_supervised.csv",
    ]
    return run_snakemake(work, *targets, cores=cores, failure="pipeline failed", tail=5000)


def tune_thresholds(score: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """The (negative, positive) thresholds with the best macro-F1 on ``gold`` (grid of the
    scores' quantiles)."""
    qs = np.unique(np.round(np.quantile(score, np.linspace(0.02, 0.98, 49)), 3))
    best = (-1.0, -0.05, 0.05)
    for lo in qs:
        for hi in qs[qs > lo]:
            f = f1_score(gold, label_compound(score, lo, hi), average="macro")
            if f > best[0]:
                best = (f, float(lo), float(hi))
    return best[1], best[2]


def bootstrap_metric(gold, pred, resamples: int, seed: int = 0):
    gold, pred = np.asarray(gold, dtype=object), np.asarray(pred, dtype=object)
    f, acc = [], []
    for i in bootstrap_indices(len(gold), resamples, seed):
        f.append(f1_score(gold[i], pred[i], average="macro", zero_division=0))
        acc.append(accuracy_score(gold[i], pred[i]))
    return percentile_interval(f), percentile_interval(acc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/tmp/dev/actorsent"))
    ap.add_argument("--targets", choices=["column", "surname"], default="column")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args()
    dev = load(args.data, "dev.csv", "dev")
    test = load(args.data, "fixed_test.csv", "test")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_actor_"))
    work.mkdir(parents=True, exist_ok=True)
    write_workdir(work, dev, test, args.targets)
    seconds = run_pipeline(work, args.cores)
    tables = work / "results" / "tables"
    pairs = pd.read_csv(tables / "sentiment_actor_articles.csv", dtype={"doc_id": str})
    pairs["prior"] = 0.5 * pairs["sentences_compound"] + 0.5 * pairs["article_compound"]
    items = pd.read_csv(tables / "sentiment_actor_validation_items.csv", dtype={"doc_id": str})
    cv = pd.read_csv(tables / "sentiment_actor_supervised_cv.csv", dtype={"doc_id": str})
    named = pairs["n_mentions"] > 0
    print(
        f"PerSenT dev {len(dev)} (coded, train), fixed_test {len(test)} (gold); targets "
        f"{args.targets}: {int(named.sum())} of {len(pairs)} named; pipeline {seconds:.0f} s"
    )

    def joined(coded: pd.DataFrame) -> pd.DataFrame:
        t = coded[["doc_id", "target", "label"]].rename(columns={"target": "actor"})
        t = t.merge(pairs.drop(columns=["label"]), on=["doc_id", "actor"], how="left")
        miss = t["n_mentions"].isna() | (t["n_mentions"] == 0)
        for c in [*VARIANTS.values()]:
            t[c] = t[c].fillna(t["article_compound"])
        return t, miss

    tdev, _ = joined(dev)
    tdev = tdev.dropna(subset=["article_compound"])
    ttest, miss = joined(test)
    ttest = ttest.dropna(subset=["article_compound"])
    gold = ttest["label"].to_numpy(dtype=object)
    y = ttest["label"].map(VALUE).to_numpy(dtype=float)
    print(f"fixed_test items scored: {len(ttest)} ({int(miss.sum())} never named: article tone)")
    preds, scores = {}, {}
    preds["majority class (dev)"] = np.full(len(gold), dev["label"].value_counts().idxmax())
    preds["VADER whole article +-0.05"] = label_compound(ttest["article_compound"], -0.05, 0.05)
    preds["VADER sentences naming +-0.05"] = label_compound(
        ttest["sentences_compound"], -0.05, 0.05
    )
    scores["VADER whole article +-0.05"] = ttest["article_compound"]
    scores["VADER sentences naming +-0.05"] = ttest["sentences_compound"]
    for name, col in VARIANTS.items():
        lo, hi = tune_thresholds(tdev[col].to_numpy(float), tdev["label"].to_numpy(object))
        preds[f"{name}, tuned ({lo:+.3f}, {hi:+.3f})"] = label_compound(ttest[col], lo, hi)
        scores[f"{name}, tuned ({lo:+.3f}, {hi:+.3f})"] = ttest[col]
    item = items.set_index(["doc_id", "actor"])
    key = pd.MultiIndex.from_frame(ttest[["doc_id", "actor"]].rename(columns={"actor": "actor"}))
    preds["pipeline default (sentiment_actor_articles label)"] = (
        item["label_lexicon"].reindex(key).to_numpy(dtype=object)
    )
    sup = item["supervised_label"].reindex(key).to_numpy(dtype=object)
    preds["supervised (trained on dev, pipeline)"] = sup
    scores["supervised (trained on dev, pipeline)"] = (
        item["supervised_prob_positive"] - item["supervised_prob_negative"]
    ).reindex(key)
    # the supervised reference: TF-IDF + LR on the whole masked article
    from newslens.sentiment_eval import make_pipeline

    ref = make_pipeline(0).fit(dev["masked"], dev["label"])
    preds["reference: TF-IDF+LR masked article (dev)"] = ref.predict(
        test.set_index("doc_id").loc[ttest["doc_id"], "masked"]
    )
    base = ["VADER sentences naming +-0.05", "VADER whole article +-0.05"]
    print(
        f"\n{'method':60s} {'macro-F1':>8s} {'95% CI':>15s} {'acc':>6s} {'r':>6s}  "
        "diff vs sentences-VADER [CI] | diff vs article-VADER [CI]"
    )
    for name, pred in preds.items():
        (flo, fhi), _ = bootstrap_metric(gold, pred, args.resamples)
        f = f1_score(gold, pred, average="macro", zero_division=0)
        acc = accuracy_score(gold, pred)
        r = pearsonr(np.asarray(scores[name], float), y)[0] if name in scores else np.nan
        diffs = []
        for b in base:
            d, lo, hi = paired_difference_ci(gold, pred, preds[b], args.resamples, 0)
            diffs.append(f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]")
        print(
            f"{name:60s} {f:8.3f} [{flo:.3f}, {fhi:.3f}] {acc:6.3f} {r:6.3f}  " + " | ".join(diffs)
        )
    cvm = f1_score(cv["gold"], cv["cv_label"], average="macro")
    print(f"\nsupervised {len(cv)}-item k-fold cross-validated macro-F1 on dev: {cvm:.3f}")
    print(f"workdir: {work}")


if __name__ == "__main__":
    main()
