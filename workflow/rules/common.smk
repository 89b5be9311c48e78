import os
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# Config is validated (and its defaults filled in) before any rule reads it.
validate(config, schema="../schemas/config.schema.yaml")


scattergather:
    shard=2,


# Every rule's software (snakemake --software-deployment-method conda).
ENV = "../envs/newslens.yaml"

RESULTS = "results"
INTERIM = f"{RESULTS}/interim"
TABLES = f"{RESULTS}/tables"
FIGURES = f"{RESULTS}/figures"
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"

# Stage files add what `rule all` must build; see final_outputs().
FINAL_OUTPUTS = []

CORPUS_SUFFIXES_FOLDER = (".txt", ".md", ".html", ".htm")
CORPUS_SUFFIXES_TABLE = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq")


def final_outputs():
    return FINAL_OUTPUTS


def shard_files(pattern):
    """All shards of a per-shard output; the pattern holds {scatteritem}."""
    return scatter.shard(pattern)


def corpus_files():
    """The corpus files as rule input, so that adding or editing an article reruns ingest.

    A folder corpus lists every file below it (hidden files excluded; unsupported ones are
    still listed so that ingest records them as skipped). A table corpus is its one file.
    """
    path = Path(config["corpus"]["path"])
    if path.is_file():
        return [str(path)]
    if not path.is_dir():
        raise WorkflowError(
            f"config key corpus.path: '{path}' is neither a file nor a folder "
            f"(working directory: {os.getcwd()}). Point it at a folder of .txt/.md/.html "
            "articles or at one CSV/TSV/JSONL/Parquet table."
        )
    files = sorted(
        str(p)
        for p in path.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise WorkflowError(
            f"config key corpus.path: the folder '{path}' holds no files. Put one article "
            "per .txt/.md/.html file there, or point corpus.path at a table file."
        )
    return files


def tokenize_settings():
    """The tokenize settings that change tokens (not the reporting ones), so that editing
    e.g. top_terms does not re-tokenize the corpus."""
    keys = [
        "language",
        "lowercase",
        "normalize",
        "min_token_length",
        "keep_numbers",
        "ngram_max",
    ]
    return {k: config["tokenize"][k] for k in keys}


def corpus_table_outputs():
    outputs = {
        "documents": report(
            f"{TABLES}/documents.csv",
            caption="../report/documents.rst",
            category="Corpus",
            subcategory="Tables",
            labels={"item": "Articles"},
        ),
        "documents_parquet": f"{TABLES}/documents.parquet",
        "audit": report(
            f"{TABLES}/cleaning_audit.csv",
            caption="../report/cleaning_audit.rst",
            category="Corpus",
            subcategory="Tables",
            labels={"item": "Cleaning audit"},
        ),
        "terms": f"{TABLES}/term_frequencies.csv",
        "ngrams": f"{TABLES}/ngram_frequencies.csv",
        "collocations": f"{TABLES}/collocations.csv",
        "sentences": f"{TABLES}/sentences.parquet",
        "paragraphs": f"{TABLES}/paragraphs.parquet",
        "tokens": f"{TABLES}/tokens.parquet",
    }
    if config["tokenize"]["csv_tables"]:
        for name in ("sentences", "paragraphs", "tokens"):
            outputs[f"{name}_csv"] = f"{TABLES}/{name}.csv"
    return outputs


def config_input_files():
    """Files named anywhere in the config (stopword list, codebooks, labeled data, ...), for
    the provenance checksums."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and len(node) < 500 and os.path.isfile(node):
            found.append(node)

    walk({k: v for k, v in config.items() if k != "corpus"})
    return sorted(set(found))


def workflow_version():
    """The git commit the workflow code comes from (and whether it had local changes)."""
    import subprocess

    repo = str(Path(workflow.basedir).parent)

    def git(*args):
        try:
            out = subprocess.run(
                ["git", "-C", repo, *args], capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(status) if status is not None else None,
    }
