"""One small synthetic corpus run through the pipeline with 2 and with 3 shards (the tests of
the whole-corpus jobs compare the two runs' bytes and check known answers on them).

``shared_runs`` runs it once per test session to the tables both test modules read
(tests/test_mem_pipeline.py, tests/test_scale_gathers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import REPO, make_workdir, run_snakemake

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_corpus import build_corpus  # noqa: E402

# two actors named in one sentence and one named alone in another
ACTOR_SENTENCES = "\n\nNATO and Russia met again. Armenia said the talks were a failure."
# the shared corpus: articles, generator seed, ACTOR_SENTENCES every n-th, tokenize block size
ARTICLES, SEED, EVERY, PART_ARTICLES = 48, 5, 3, 5
# the tables the whole-corpus job tests compare and check (results/tables/)
TABLES = [
    "documents.csv",
    "documents.parquet",
    "cleaning_audit.csv",
    "term_frequencies.csv",
    "ngram_frequencies.csv",
    "collocations.csv",
    "sentiment_documents.csv",
    "sentiment_groups.csv",
    "sentiment_paragraphs/_manifest.json",
    "sentiment_actors.csv",
    "sentiment_actor_sentences/_manifest.json",
    "sentiment_actor_articles.csv",
    "frames_paragraphs/_manifest.json",
    "frames_positions.csv",
    "frames_codebook_diagnostics.csv",
]
_RUNS: dict[int, Path] = {}


def run_with_2_and_3_shards(
    base: Path, articles: int, seed: int, every: int, part_articles: int, targets: list[str]
) -> dict[int, Path]:
    """Work dirs of the corpus (``articles`` synthetic articles, ``ACTOR_SENTENCES`` added to
    every ``every``-th) run to ``targets`` with 2 and with 3 shards, keyed by shard count."""
    corpus = base / "corpus.csv"
    frame = build_corpus(articles, seed=seed)
    frame["text"] = [
        t + (ACTOR_SENTENCES if i % every == 0 else "") for i, t in enumerate(frame["text"])
    ]
    frame.to_csv(corpus, index=False)
    out = {}
    for shards in (2, 3):
        workdir = make_workdir(
            base / f"s{shards}",
            corpus,
            corpus__columns={"text": "text", "id": "id", "title": None, "date": None},
            corpus__metadata=["outlet"],
            tokenize__part_articles=part_articles,
        )
        run_snakemake(workdir, *targets, "--set-scatter", f"shard={shards}")
        out[shards] = workdir
    return out


def shared_runs(tmp_path_factory) -> dict[int, Path]:
    """Work dirs of the shared corpus run to ``TABLES`` with 2 and 3 shards, made once per test
    session (the first module to ask runs them), keyed by shard count."""
    if not _RUNS:
        base = tmp_path_factory.mktemp("shard_runs")
        targets = [f"results/tables/{name}" for name in TABLES]
        _RUNS.update(
            run_with_2_and_3_shards(base, ARTICLES, SEED, EVERY, PART_ARTICLES, targets=targets)
        )
    return _RUNS
