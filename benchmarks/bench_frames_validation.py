"""Frame validation of a human-coded set through the pipeline, by a config overlay only.

Writes a working directory (a copy of config/ with an overlay: the codebook, the coded file as
framing.validation.gold and — unless --no-labeled — as framing.supervised.labeled, a label
map), runs snakemake for the validation and cross-validation tables, and prints every method's
scores with 95 % bootstrap intervals beside the baselines, the paired difference to the
strongest baseline, and the verdict. Using the same file as labeled and gold data is the
leakage case: the supervised and TF-IDF rows must be out-of-fold scores (cross_fitted).

    PYTHONPATH=scripts python benchmarks/bench_frames_validation.py CODED.csv
        [--codebook config/codebooks/generic_frames.yaml] [--map CO=conflict ...]
        [--no-labeled] [--gold-only] [--folds 5] [--bootstrap 1000] [--keep DIR]

CODED.csv: columns id (optional), text, labels (delimiter ';').
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, run_snakemake, write_config  # noqa: E402


def overlay(work: Path, args) -> None:
    coded = str(Path(args.coded).resolve())
    framing = {
        "codebook": str(Path(args.codebook).resolve()),
        "label_map": dict(m.split("=", 1) for m in args.map),
        "validation": {
            "gold": coded,
            "columns": {"id": None, "text": "text", "labels": "labels", "coder": None},
            "bootstrap": args.bootstrap,
        },
    }
    if not args.no_labeled:
        framing["supervised"] = {"labeled": coded, "folds": args.folds}
    write_config(work, {"corpus": {"path": str(REPO / "seeds")}, "framing": framing})


def show(path: Path, title: str) -> None:
    t = pd.read_csv(path)
    cols = [
        "method",
        "evaluation",
        "micro_f1",
        "micro_f1_lo",
        "micro_f1_hi",
        "macro_f1",
        "macro_f1_lo",
        "macro_f1_hi",
        "subset_accuracy",
        "alpha",
        "diff",
        "diff_lo",
        "diff_hi",
        "beats_baselines",
    ]
    t = t[[c for c in cols if c in t.columns]]
    t = t[~t["method"].str.match(r"baseline_top\d+_frequent$") | t["method"].eq(best_k(t))]
    print(f"\n== {title} ({path.name})")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(t.round(3).to_string(index=False))


def best_k(t: pd.DataFrame) -> str:
    tk = t[t["method"].str.match(r"baseline_(most_frequent|top\d+_frequent)$")]
    return tk.loc[tk["micro_f1"].idxmax(), "method"] if len(tk) else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("coded")
    ap.add_argument("--codebook", default=str(REPO / "config/codebooks/generic_frames.yaml"))
    ap.add_argument("--map", nargs="*", default=[], help="CODE=frame_key entries of label_map")
    ap.add_argument("--no-labeled", action="store_true", help="gold only, no supervised")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--keep", help="working directory to keep (default: a temporary one)")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_fv_"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    overlay(work, args)
    targets = ["results/tables/frames_validation.csv"]
    if not args.no_labeled:
        targets.append("results/tables/frames_supervised_cv.csv")
    took = run_snakemake(work, *targets, cores=2, tail=5000)
    res = work / "results"
    print(f"coded set: {args.coded}; codebook {Path(args.codebook).name}; {took:.0f} s")
    if not args.no_labeled:
        show(res / "tables/frames_supervised_cv.csv", "cross-validation on the labeled data")
    show(res / "tables/frames_validation.csv", "validation against the gold data")
    print("\n" + (res / "tables/frames_validation_verdict.md").read_text())
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
