import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# This workflow's own folder (workflow/). Not workflow.basedir: that is the folder of the main
# Snakefile, which is the deploying one when this workflow runs as a module (snakedeploy).
WORKFLOW_DIR = Path(
    workflow.current_basedir.get_path_or_uri(secret_free=False)
).parent.resolve()
# The analysis package (scripts/newslens) of this workflow, wherever it is deployed: first on
# the path here (the config checks below) and in every job (the rule scripts run in child
# processes, which Snakemake's script: directive would give it only after an installed copy).
PACKAGE_DIR = str(WORKFLOW_DIR.parent / "scripts")
sys.path.insert(0, PACKAGE_DIR)
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        dict.fromkeys(
            [
                PACKAGE_DIR,
                *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)),
            ]
        )
    )
)

# Config is validated (and its defaults filled in) before any rule reads it. A violation is
# reported in a few lines (key, value, what is allowed), not with the whole schema.
try:
    validate(config, schema="../schemas/config.schema.yaml")
except WorkflowError:
    try:
        import yaml
        from newslens.preflight import schema_error_summary

        schema_file = WORKFLOW_DIR / "schemas" / "config.schema.yaml"
        short = schema_error_summary(
            config, yaml.safe_load(schema_file.read_text(encoding="utf-8")), "config"
        )
    except ImportError:
        short = None
    if not short:
        raise
    raise WorkflowError(short) from None


def check_config_before_jobs():
    """Everything about the config that can be checked before a job runs (regexes, actors'
    aliases, the codebook, corpus.encoding, files the config names): newslens.preflight.
    """
    try:
        from newslens.preflight import check_config
        from newslens.runtime import NewslensError
    except ImportError as err:
        # e.g. a Snakemake without the analysis packages (conda mode): the jobs check
        print(
            f"newslens: pre-job config checks skipped ({err}); jobs check again",
            file=sys.stderr,
        )
        return
    try:
        check_config(config, WORKFLOW_DIR / "schemas" / "codebook.schema.yaml")
    except NewslensError as err:
        raise WorkflowError(f"config error (before any job ran): {err}") from None
    except Exception as err:  # a check that cannot run here (e.g. missing NLTK data)
        print(
            f"newslens: a pre-job config check could not run ({type(err).__name__}: "
            f"{err}); the jobs check again",
            file=sys.stderr,
        )


check_config_before_jobs()

# The package's own checks of config values, before any job (scripts/ put first above).
from newslens.corpus import check_encoding, list_folder
from newslens.runtime import NewslensError

# Each rule's `priority:` (newslens.schedule): the longest chain of job seconds from its jobs to
# the end of the run, so a free core takes the work that most of the remaining work waits for.
from newslens.schedule import PRIORITY

try:
    check_encoding(config["corpus"]["encoding"])
except NewslensError as err:
    raise WorkflowError(str(err)) from None


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

CORPUS_SUFFIXES_FOLDER = (".txt", ".md", ".html", ".htm")
CORPUS_SUFFIXES_TABLE = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq")


def get_final_outputs():
    """What `rule all` builds, every stage in one list, from the config in use (optional stages
    only when configured). Plain paths: a report()-flagged output as an input of the target
    rule would make `snakemake --report` look for its caption beside the Snakefile instead of
    beside the rule file that declared it. Call it after all stages are included."""
    sent, framing = config["sentiment"], config["framing"]
    out = [f"{TABLES}/input_accounting.csv"]
    # tokenize: corpus tables and the top-terms figure
    out += [
        *corpus_table_outputs().values(),
        *corpus_ngram_outputs().values(),
        f"{FIGURES}/top_terms.png",
        f"{FIGURES}/top_terms.svg",
    ]
    # sentiment
    out += [
        dataset_manifest("sentiment_sentences"),
        f"{TABLES}/sentiment_documents.csv",
        dataset_manifest("sentiment_paragraphs"),
        f"{TABLES}/sentiment_actors.csv",
        f"{TABLES}/sentiment_groups.csv",
        *(f"{FIGURES}/sentiment_{name}.png" for name in SENT_FIGS),
    ]
    if sent["supervised"]["file"]:
        out += [
            f"{TABLES}/sentiment_supervised_metrics.csv",
            f"{TABLES}/sentiment_supervised_agreement.csv",
        ]
    if sent["validation"]["file"]:
        out.append(f"{TABLES}/sentiment_validation_correlations.csv")
    out.append(f"{TABLES}/sentiment_actor_articles.csv")
    if sent["actor_supervised"]["file"]:
        out.append(f"{TABLES}/sentiment_actor_supervised.csv")
    if sent["actor_validation"]["file"]:
        out.append(f"{TABLES}/sentiment_actor_validation_metrics.csv")
    # framing
    out += [
        f"{TABLES}/frames_codebook_terms.csv",
        f"{TABLES}/frames_codebook_diagnostics.csv",
        f"{TABLES}/frames_codebook_suggestions.csv",
        dataset_manifest("frames_sentences"),
        dataset_manifest("frames_paragraphs"),
        f"{TABLES}/frames_documents.csv",
        f"{FIGURES}/frames_distribution.png",
        f"{FIGURES}/frames_position.png",
    ]
    if any(r.name == "actor_mentions" for r in workflow.rules):
        out.append(f"{TABLES}/frames_actors.csv")
    if framing["supervised"]["labeled"]:
        out.append(f"{TABLES}/frames_supervised_cv.csv")
    if framing["validation"]["gold"]:
        out.append(f"{TABLES}/frames_validation.csv")
    # topics
    out += [rules.topic_model.output.selection, *rules.topic_outputs.output]
    # compare
    out += [
        *rules.compare_keyness.output,
        *rules.compare_evidence.output,
        *rules.compare_groups.output,
    ]
    # report
    out += [f"{RESULTS}/report_tables/{name}.html" for name in REPORT_TABLES]
    out += [f"{RESULTS}/summary.md", f"{RESULTS}/provenance.json"]
    return [str(f) for f in out]


def shard_files(pattern):
    """All shards of a per-shard output; the pattern holds {scatteritem}."""
    return scatter.shard(pattern)


def corpus_files():
    """The corpus files as rule input, so that adding or editing an article reruns ingest.

    A folder corpus lists every file below it as newslens.corpus.list_folder does (hidden
    files and symlinked folders as corpus.hidden / corpus.symlinked_folders say; unsupported
    ones are still listed so that ingest records them as skipped). A table corpus is its one file.
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
    corpus = config["corpus"]
    listing = list_folder(path, corpus["hidden"], corpus["symlinked_folders"])
    files = [str(p) for p in listing.files]
    if not files:
        raise WorkflowError(
            f"config key corpus.path: the folder '{path}' holds no files to read"
            + (
                f" ({len(listing.skipped)} skipped: {listing.skipped[0].reason})"
                if listing.skipped
                else ""
            )
            + ". Put one article per .txt/.md/.html file there, or point corpus.path at a "
            "table file."
        )
    return files


def carried_metadata():
    """The document columns carried from the corpus table through ingest, cleaning and
    tokenizing: corpus.metadata plus the per-article actor target column
    (corpus.columns.target), which is carried but not grouped by."""
    metadata = list(config["corpus"]["metadata"])
    target = config["corpus"]["columns"].get("target")
    if target and target not in metadata:
        metadata.append(target)
    return metadata


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
    }
    # the partitioned datasets are written by the tokenize jobs; this rule writes each one's
    # manifest (and removes part files of earlier runs): dataset_manifest(name)
    for name in PARTITIONED_CORPUS_TABLES:
        outputs[name] = dataset_manifest(name)
    if config["tokenize"]["csv_tables"]:
        for name in PARTITIONED_CORPUS_TABLES:
            outputs[f"{name}_csv"] = f"{TABLES}/{name}.csv"
    return outputs


def corpus_ngram_outputs():
    """Term and n-gram frequencies and collocations: rule corpus_ngrams, which sums the
    shards' n-gram counts beside corpus_tables (the two run on two cores)."""
    return {
        "terms": f"{TABLES}/term_frequencies.csv",
        "ngrams": f"{TABLES}/ngram_frequencies.csv",
        "collocations": f"{TABLES}/collocations.csv",
    }


# The big per-row tables of the corpus stage: partitioned Parquet datasets
# results/tables/<name>/part-*.parquet (newslens.shards, docs/outputs.md).
PARTITIONED_CORPUS_TABLES = ("sentences", "paragraphs", "tokens")


def dataset_manifest(name):
    """The manifest of a partitioned table: the input a rule names to read the whole table."""
    return f"{TABLES}/{name}/_manifest.json"


def reported_outputs():
    """Every file under results/ (not interim/, logs/, benchmarks/) that this run builds: the
    final outputs and every output of every rule they depend on, so that provenance.json
    checksums all of them. Found by walking from get_final_outputs() through the rules' inputs, with
    the config in use (optional stages count only when they are configured). Call it after
    all stages are included (report.smk)."""
    from snakemake.iocontainers import Wildcards

    skip = (f"{INTERIM}/", f"{LOGS}/", f"{BENCH}/")
    candidates = [r for r in workflow.rules if r.name not in ("provenance", "all")]
    queue = [f for f in get_final_outputs() if not f.endswith("provenance.json")]
    seen, expanded, found = set(), set(), set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for r in candidates:
            if not r.is_producer(path):
                continue
            wc = r.get_wildcards(path) if r.has_wildcards() else {}
            key = (r.name, tuple(sorted(wc.items())))
            if key in expanded:
                break
            expanded.add(key)
            if not r.has_wildcards():
                found.update(str(o) for o in r.output)
            for item in r.input:
                if callable(item):
                    value = item(Wildcards(fromdict=wc))
                    values = value.values() if isinstance(value, dict) else value
                    values = [values] if isinstance(values, str) else list(values)
                else:
                    values = [str(item).format(**wc) if wc else str(item)]
                queue.extend(str(v) for v in values)
            break
    found.update(
        queue_item for queue_item in seen if queue_item.startswith(f"{RESULTS}/")
    )
    return sorted(
        f
        for f in found
        if f.startswith(f"{RESULTS}/")
        and not f.startswith(skip)
        and f != f"{RESULTS}/provenance.json"
    )


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

    repo = str(WORKFLOW_DIR.parent)

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


# ---- compare stage: the named outputs of compare_groups ----
COMPARE_KINDS = ("frames", "actors", "topics")
COMPARE_LABELS = {
    "frames": "Frames by group",
    "actors": "Actor sentiment by group",
    "topics": "Topics by group",
}
COMPARE_TIME_LABELS = {
    "frames": "Frames over time",
    "actors": "Actor sentiment over time",
    "topics": "Topics over time",
}


def compare_group_outputs():
    """The named outputs of compare_groups: per kind the by-group table and forest plot, the
    over-time table, the period-adjusted effects and the over-time figure. (Paths are written
    as ``compare_{{kind}}...".format(kind=kind)``, so that tests reading report() paths from
    the rule files see the pattern compare_{kind}.)"""
    out = {}
    for kind in COMPARE_KINDS:
        label, time_label = COMPARE_LABELS[kind], COMPARE_TIME_LABELS[kind]
        out[f"{kind}_table"] = report(
            f"{TABLES}/compare_{{kind}}.csv".format(kind=kind),
            caption="../report/compare_groups_table.rst",
            category="Comparison",
            subcategory=label,
            labels={"item": f"{label} (table)"},
        )
        out[f"{kind}_png"] = report(
            f"{FIGURES}/compare_{{kind}}.png".format(kind=kind),
            caption="../report/compare_groups.rst",
            category="Comparison",
            subcategory=label,
            labels={"item": label},
        )
        out[f"{kind}_svg"] = f"{FIGURES}/compare_{kind}.svg"
        out[f"{kind}_time"] = report(
            f"{TABLES}/compare_{{kind}}_time.csv".format(kind=kind),
            caption="../report/compare_time_table.rst",
            category="Comparison",
            subcategory=time_label,
            labels={"item": f"{time_label} (table)"},
        )
        out[f"{kind}_effects"] = report(
            f"{TABLES}/compare_{{kind}}_effects.csv".format(kind=kind),
            caption="../report/compare_effects_table.rst",
            category="Comparison",
            subcategory=time_label,
            labels={"item": f"{time_label}: group effects adjusted for period"},
        )
        out[f"{kind}_time_png"] = report(
            f"{FIGURES}/compare_{{kind}}_time.png".format(kind=kind),
            caption="../report/compare_time.rst",
            category="Comparison",
            subcategory=time_label,
            labels={"item": time_label},
        )
        out[f"{kind}_time_svg"] = f"{FIGURES}/compare_{kind}_time.svg"
    return out

# one job for frames, actors and topics, by group and over time: each kind's work is small,
# the job's start-up (Python, pandas, SciPy, Matplotlib) is not
