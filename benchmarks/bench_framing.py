"""Throughput of the codebook frame classifier (rule frames_sentences), old against new.

Times, on one core and in one process, everything the frames_sentences rule computes for a
batch of sentences (indicator hits, sentence scores, paragraph and article aggregation, example
sentences, hit counts: ``newslens.framing.shard_tables``), and the same with the implementation
of a baseline git revision (default: the last one before the batch matcher), alternating the
two, several repetitions, medians; checks that both give identical tables.

Sentences: synthetic articles (``benchmarks/synthetic_corpus.py``; typical news shape, or
``--long``) cut into paragraphs and sentences, or a sentence shard of a pipeline run
(``--sentences results/tables/sentences``). Distinct words are normalised
(Snowball-stemmed) once per shard: both sides are timed with a warm stemmer cache, and that
one-off cost is reported on its own.

    PYTHONPATH=scripts python benchmarks/bench_framing.py [N_ARTICLES] [--long]
        [--sentences PATH] [--baseline REV] [--reps 3] [--codebook PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import pandas as pd
import yaml
from newslens.codebook import Matcher, load_codebook
from newslens.framing import shard_tables
from newslens.tokenize import make_normalizer, split_sentences, text_splitter

REPO = Path(__file__).resolve().parents[1]
BASELINE = "f2c0e94"  # main before the batch matcher (one sentence, one word at a time)


def synthetic_sentences(n: int, long: bool = False, seed: int = 0) -> pd.DataFrame:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_corpus import LONG_SHAPE, TYPICAL_SHAPE, build_corpus

    corpus = build_corpus(n, seed, **(LONG_SHAPE if long else TYPICAL_SHAPE))
    rows, splitter = [], text_splitter(corpus["text"])
    for doc_id, text in zip(corpus["id"], corpus["text"], strict=True):
        sent_id = 0
        for para_id, para in enumerate(p for p in text.split("\n\n") if p.strip()):
            for s in split_sentences(para, splitter):
                rows.append((doc_id, para_id, sent_id, s))
                sent_id += 1
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])


def baseline_module(rev: str) -> types.ModuleType | None:
    """newslens.framing as it was at git revision ``rev`` (None if git cannot show it)."""
    try:
        src = subprocess.run(
            ["git", "show", f"{rev}:scripts/newslens/framing.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("framing_baseline")
    exec(compile(src, f"{rev}:framing.py", "exec"), module.__dict__)  # noqa: S102
    return module


def baseline_tables(old, sentences, cb, matcher, normalizer, p):
    """What the frames_sentences script of the baseline computed for one shard."""
    table, hits = old.classify_sentences(sentences, cb, matcher, normalizer, p)
    if len(hits):
        hits = hits.astype({"para_id": "int64", "sent_id": "int64"})
    paras = old.aggregate(table, ["doc_id", "para_id"], cb, p["doc_min_share"], p["doc_max_labels"])
    docs = old.aggregate(table, ["doc_id"], cb, p["doc_min_share"], p["doc_max_labels"])
    examples = old.example_sentences(table, sentences, cb, int(p["n_examples"]))
    return table, hits, paras, docs, examples, old.hit_counts(hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=5000, help="synthetic articles")
    parser.add_argument("--long", action="store_true", help="articles twice the typical length")
    parser.add_argument("--sentences", type=Path, help="a sentence shard instead")
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--codebook", type=Path, default=REPO / "config/codebooks/policy_frames.yaml"
    )
    args = parser.parse_args()

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["framing"]
    p = {
        "min_weight": cfg["min_weight"],
        "relative_threshold": cfg["relative_threshold"],
        "negation_window": cfg["negation_window"],
        "negation_cues": cfg["negation_cues"],
        "doc_min_share": cfg["doc_min_share"],
        "doc_max_labels": cfg["doc_max_labels"],
        "n_examples": cfg["diagnostics"]["examples"],
    }
    cb = load_codebook(
        args.codebook, "stem", schema_path=REPO / "workflow/schemas/codebook.schema.yaml"
    )
    if args.sentences:
        df = pd.read_parquet(args.sentences, columns=["doc_id", "para_id", "sent_id", "text"])
    else:
        df = synthetic_sentences(args.n, args.long)
    n_docs = df["doc_id"].nunique()
    print(f"codebook: {cb.name}: {len(cb.indicators)} indicators, {len(cb.frames)} frames")
    print(f"sentences: {len(df):,} in {n_docs:,} articles")

    # the one-off cost: Snowball on each distinct word (both implementations share the cache)
    from newslens.codebook import WORD_RE

    words = set(WORD_RE.findall("\n".join(df["text"]).lower()))
    stem = make_normalizer("stem", "english")
    t0 = time.perf_counter()
    for w in words:
        stem(w)
    print(f"stemming {len(words):,} distinct words once: {time.perf_counter() - t0:.2f} s")

    old = baseline_module(args.baseline)
    norm = make_normalizer("stem", "english")
    new_times, old_times = [], []
    for rep in range(args.reps):
        matcher = Matcher(cb)  # a fresh matcher per run, as in one job
        t0 = time.perf_counter()
        new = shard_tables(df, cb, matcher, norm, p)
        new_times.append(time.perf_counter() - t0)
        if old is not None:
            t0 = time.perf_counter()
            ref = baseline_tables(old, df, cb, Matcher(cb), norm, p)
            old_times.append(time.perf_counter() - t0)
            if rep == 0:
                for a, b in zip(new, ref, strict=True):
                    pd.testing.assert_frame_equal(
                        a.reset_index(drop=True), b.reset_index(drop=True)
                    )
                print(f"tables identical to {args.baseline}: yes ({len(new[1]):,} hits)")
    t_new = statistics.median(new_times)
    print(
        f"new:      {len(df) / t_new:10,.0f} sentences/s {n_docs / t_new:8,.0f} articles/s "
        f"per core (median of {args.reps}: {t_new:.2f} s)"
    )
    if old_times:
        t_old = statistics.median(old_times)
        print(
            f"baseline: {len(df) / t_old:10,.0f} sentences/s {n_docs / t_old:8,.0f} articles/s "
            f"per core (median of {args.reps}: {t_old:.2f} s); new is {t_old / t_new:.1f}x"
        )
    else:
        print(f"baseline {args.baseline} not available from git: no comparison")


if __name__ == "__main__":
    main()
