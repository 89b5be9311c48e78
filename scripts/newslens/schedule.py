"""The schedule of a run: Snakemake's ``priority:`` of each rule's jobs (workflow/rules/*.smk).

Snakemake starts jobs greedily: whenever cores are free it solves a small integer program over
the jobs that are ready, maximising first the sum of the chosen jobs' priorities, then the cores
they use (then temp-file removal); it never looks further down the DAG and never keeps a core
free for a job that is not ready. With every priority equal, any ready job may go first, so a
long chain that ends the run (the topic chain, frames_actors) can start last while the other
core idles. The classic fix for list scheduling is the *bottom level*: give each job the
length of the longest chain of job seconds from its start to the end of the run, so the
scheduler always prefers the work that the most remaining work waits for. Priorities then
fall along every edge of the DAG (a job outranks everything that needs it).

:data:`PRIORITY` holds those bottom levels in whole seconds, computed by :func:`bottom_levels`
from :data:`JOB_SECONDS` (seconds of one job of each rule on the 1M synthetic benchmark, 4
shards, 2 cores) and the rule graph (``snakemake --rulegraph``). They only order jobs; they do
not change any result. Rules missing here (optional stages) keep Snakemake's default, 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Seconds of one job of each rule (wall, one core) on 1M synthetic articles with 4 shards on 2
# cores (docs/scale.md); the rules without a benchmark file (figures, report, provenance) from a
# 200k run scaled to 1M; frames_actors, actor_articles and sentiment_actors (split per shard
# since) and frames_sentences (it counts actors x frames too) estimated from their paired 20k-100k runs.
JOB_SECONDS = {
    "ingest": 19.2,
    "clean": 35.8,
    "deduplicate": 4.4,
    "input_accounting": 5.8,
    "tokens_train_punkt": 10.5,
    "tokens_tokenize": 92.2,
    "corpus_tables": 19.1,
    "corpus_ngrams": 58.8,
    "plot_top_terms": 3.0,
    "actor_mentions": 17.5,
    "sentiment_score": 40.5,
    "sentiment_tables": 15.8,
    "sentiment_actors": 16.0,
    "sentiment_figures": 5.0,
    "actor_articles": 16.0,
    "sentiment_actor_articles": 3.0,
    "frames_codebook": 2.2,
    "frames_sentences": 55.0,
    "frames_gather": 3.7,
    "frames_codebook_suggestions": 25.9,
    "frames_documents": 14.6,
    "frames_actors": 3.0,
    "topic_counts": 18.0,
    "topic_dtm": 13.9,
    "topic_model": 38.1,
    "topic_outputs": 27.5,
    "compare_keyness": 1.1,
    "compare_groups": 1.6,
    "compare_evidence": 0.7,
    "report_tables": 4.0,
    "summary": 4.0,
    "provenance": 12.0,
}


def bottom_levels(
    job_seconds: Mapping[str, float], edges: Iterable[tuple[str, str]]
) -> dict[str, float]:
    """Per rule of ``job_seconds``: its job's seconds plus the longest chain of job seconds
    after it along ``edges`` ((upstream, downstream) rule pairs; rules missing from
    ``job_seconds``, e.g. the target rule ``all``, count 0 s). The graph must be acyclic."""
    after: dict[str, set[str]] = {}
    for up, down in edges:
        after.setdefault(up, set()).add(down)
    levels: dict[str, float] = {}

    def level(rule: str) -> float:
        if rule not in levels:
            tail = max((level(down) for down in after.get(rule, ())), default=0.0)
            levels[rule] = job_seconds.get(rule, 0.0) + tail
        return levels[rule]

    for rule in job_seconds:
        level(rule)
    return {rule: levels[rule] for rule in job_seconds}


# The rule graph of the default workflow (snakemake --rulegraph without rule all; a test checks
# it against the workflow's).
RULE_EDGES = (
    ("ingest", "clean"),
    ("ingest", "corpus_tables"),
    ("ingest", "deduplicate"),
    ("ingest", "input_accounting"),
    ("clean", "corpus_tables"),
    ("clean", "deduplicate"),
    ("clean", "input_accounting"),
    ("clean", "tokens_tokenize"),
    ("clean", "tokens_train_punkt"),
    ("deduplicate", "corpus_tables"),
    ("deduplicate", "input_accounting"),
    ("deduplicate", "tokens_tokenize"),
    ("deduplicate", "tokens_train_punkt"),
    ("tokens_train_punkt", "tokens_tokenize"),
    ("tokens_tokenize", "actor_articles"),
    ("tokens_tokenize", "actor_mentions"),
    ("tokens_tokenize", "sentiment_actors"),
    ("tokens_tokenize", "corpus_ngrams"),
    ("tokens_tokenize", "corpus_tables"),
    ("tokens_tokenize", "frames_codebook_suggestions"),
    ("tokens_tokenize", "frames_sentences"),
    ("tokens_tokenize", "sentiment_score"),
    ("tokens_tokenize", "topic_counts"),
    ("tokens_tokenize", "topic_outputs"),
    ("corpus_tables", "compare_evidence"),
    ("corpus_tables", "compare_groups"),
    ("corpus_tables", "compare_keyness"),
    ("corpus_tables", "frames_documents"),
    ("corpus_tables", "plot_top_terms"),
    ("corpus_tables", "provenance"),
    ("corpus_tables", "report_tables"),
    ("corpus_tables", "sentiment_tables"),
    ("corpus_tables", "summary"),
    ("corpus_tables", "topic_model"),
    ("corpus_tables", "topic_outputs"),
    ("corpus_ngrams", "plot_top_terms"),
    ("corpus_ngrams", "provenance"),
    ("plot_top_terms", "provenance"),
    ("input_accounting", "provenance"),
    ("actor_mentions", "actor_articles"),
    ("actor_mentions", "sentiment_actors"),
    ("sentiment_score", "actor_articles"),
    ("sentiment_score", "sentiment_actors"),
    ("sentiment_score", "sentiment_tables"),
    ("sentiment_tables", "provenance"),
    ("sentiment_tables", "sentiment_figures"),
    ("sentiment_tables", "summary"),
    ("sentiment_figures", "provenance"),
    ("sentiment_actors", "compare_evidence"),
    ("sentiment_actors", "compare_groups"),
    ("sentiment_actors", "provenance"),
    ("sentiment_actors", "report_tables"),
    ("sentiment_actors", "summary"),
    ("actor_articles", "sentiment_actor_articles"),
    ("sentiment_actor_articles", "provenance"),
    ("frames_codebook", "frames_actors"),
    ("frames_codebook", "frames_codebook_suggestions"),
    ("frames_codebook", "frames_documents"),
    ("frames_codebook", "frames_gather"),
    ("frames_codebook", "frames_sentences"),
    ("frames_codebook", "provenance"),
    ("frames_sentences", "frames_codebook_suggestions"),
    ("frames_sentences", "frames_gather"),
    ("frames_gather", "compare_evidence"),
    ("frames_gather", "compare_groups"),
    ("frames_gather", "frames_documents"),
    ("frames_gather", "provenance"),
    ("frames_codebook_suggestions", "provenance"),
    ("frames_documents", "compare_groups"),
    ("frames_documents", "provenance"),
    ("frames_documents", "report_tables"),
    ("frames_documents", "summary"),
    ("frames_actors", "provenance"),
    ("frames_actors", "report_tables"),
    ("frames_actors", "summary"),
    ("topic_counts", "topic_dtm"),
    ("topic_dtm", "compare_keyness"),
    ("topic_dtm", "provenance"),
    ("topic_dtm", "topic_model"),
    ("topic_dtm", "topic_outputs"),
    ("topic_model", "provenance"),
    ("topic_model", "summary"),
    ("topic_model", "topic_outputs"),
    ("topic_outputs", "compare_groups"),
    ("topic_outputs", "provenance"),
    ("topic_outputs", "report_tables"),
    ("topic_outputs", "summary"),
    ("compare_keyness", "compare_evidence"),
    ("compare_keyness", "provenance"),
    ("compare_keyness", "summary"),
    ("compare_evidence", "provenance"),
    ("compare_groups", "provenance"),
    ("compare_groups", "summary"),
    ("report_tables", "provenance"),
    ("summary", "provenance"),
    ("actor_articles", "sentiment_actors"),
    ("actor_mentions", "frames_sentences"),
    ("frames_sentences", "frames_actors"),
)

# Snakemake's priority of each rule's jobs: its bottom level in whole seconds.
PRIORITY = {rule: round(level) for rule, level in bottom_levels(JOB_SECONDS, RULE_EDGES).items()}
