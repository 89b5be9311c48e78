"""Checks of the config that can be made before any job runs (workflow/rules/common.smk calls
them right after the schema validation): a schema error in a few lines, regular expressions,
actors, the codebook, the corpus encoding and the files the config names.

Each check raises NewslensError naming the config key (and the file), so a bad setting stops the
run before the first job instead of in the middle of it.
"""

from __future__ import annotations

import codecs
import os

from newslens.runtime import NewslensError

# Config keys that name an input file (None or missing: not used).
FILE_KEYS = (
    "tokenize.stopwords_file",
    "framing.codebook",
    "framing.supervised.labeled",
    "framing.validation.gold",
    "sentiment.supervised.file",
    "sentiment.validation.file",
    "sentiment.actor_supervised.file",
    "sentiment.actor_validation.file",
    "actor_targets.file",
)

# Coded or side tables: (file key, header key or None, column keys). A column key's value names
# a column of the file (or, without a header line, its 0-based position); None = not used.
TABLE_COLUMN_KEYS = (
    ("framing.supervised.labeled", None, ("columns.id", "columns.text", "columns.labels")),
    (
        "framing.validation.gold",
        None,
        ("columns.id", "columns.text", "columns.labels", "columns.coder"),
    ),
    ("sentiment.supervised.file", "header", ("text_column", "label_column")),
    ("sentiment.validation.file", "header", ("text_column", "rating_column", "label_column")),
    (
        "sentiment.actor_supervised.file",
        None,
        ("doc_id_column", "actor_column", "label_column"),
    ),
    (
        "sentiment.actor_validation.file",
        None,
        ("doc_id_column", "actor_column", "label_column", "rating_column"),
    ),
    ("actor_targets.file", None, ("columns.doc_id", "columns.actor")),  # aliases: optional
)


def _short(value, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(sub: dict) -> str:
    """A schema alternative in words: its type and bounds."""
    if not isinstance(sub, dict):
        return str(sub)
    if "enum" in sub:
        return "one of " + ", ".join(_short(v, 40) for v in sub["enum"])
    words = [str(sub.get("type", "value"))]
    for bound in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems"):
        if bound in sub:
            words.append(f"{bound} {sub[bound]}")
    if isinstance(sub.get("items"), dict):
        words.append(f"of {_describe(sub['items'])}")
    return " ".join(words)


def schema_error_summary(config: dict, schema: dict, config_name: str = "the config") -> str | None:
    """The most relevant schema violation of ``config`` in a few lines (key, offending value,
    what is allowed), or None when the config follows the schema."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(schema)
    error = best_match(validator.iter_errors(config))
    if error is None:
        return None
    path = [str(p) for p in error.absolute_path]
    key = ".".join(path) or "(top level)"
    sub = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    if kind == "additionalProperties":
        allowed_keys = sorted((sub.get("properties") or {}).keys())
        extra = (
            sorted(set(error.instance) - set(allowed_keys))
            if isinstance(error.instance, dict)
            else []
        )
        where = f"{key}." if path else ""
        return (
            f"{config_name}: unknown config key(s) {', '.join(where + e for e in extra)}.\n"
            f"  allowed under {key}: {', '.join(allowed_keys)}\n"
            "  (a typo? see config/README.md for every key)"
        )
    if kind == "enum":
        allowed = "one of " + ", ".join(_short(v, 40) for v in error.validator_value)
    elif kind == "type":
        allowed = f"type {error.validator_value}"
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        allowed = f"{kind} {error.validator_value}"
    elif kind in ("anyOf", "oneOf"):
        allowed = " or ".join(_describe(alt) for alt in error.validator_value)
    elif kind in ("minItems", "maxItems", "minLength", "maxLength", "pattern", "required"):
        allowed = f"{kind}: {error.validator_value}"
    else:
        allowed = error.message.splitlines()[0][:200]
    lines = [
        f"{config_name}: config key {key} has an invalid value.",
        f"  value:   {_short(error.instance)}",
        f"  allowed: {allowed}",
    ]
    description = " ".join(str(sub.get("description", "")).split())
    if description:
        lines.append(f"  ({key}: {description[:200]})")
    return "\n".join(lines)


def _get(config: dict, dotted: str):
    node = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_encoding(config: dict) -> None:
    """corpus.encoding is auto or a codec Python knows."""
    encoding = _get(config, "corpus.encoding")
    if encoding in (None, "auto"):
        return
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        raise NewslensError(
            f"config key corpus.encoding: {encoding!r} is not a known text encoding. Use auto "
            "(detected per file) or a Python codec name such as utf-8, cp1251, latin-1, utf-16."
        ) from None


def check_files(config: dict) -> None:
    """Every input file the config names exists and is a readable, non-empty file."""
    for key in FILE_KEYS:
        path = _get(config, key)
        if path in (None, ""):
            continue
        what = f"config key {key}: '{path}' (working directory {os.getcwd()})"
        if not os.path.exists(path):
            raise NewslensError(f"{what} does not exist. Fix the path or set the key to null.")
        if not os.path.isfile(path):
            raise NewslensError(f"{what} is not a file (a folder?). Point the key at one file.")
        if not os.access(path, os.R_OK):
            raise NewslensError(f"{what} cannot be read (permissions).")
        if os.path.getsize(path) == 0:
            raise NewslensError(f"{what} is empty. Point the key at a file with content.")


def table_header(path: str, header: bool = True) -> list[str]:
    """The column names of a CSV/TSV/JSONL/Parquet file from its first line (or schema);
    without a header line, the positions "0", "1", ... of the first line's fields. Files of
    another suffix give [] (their job names what it reads)."""
    import csv
    import json

    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            return [str(name) for name in pq.read_schema(path).names]
        except Exception as err:  # not Parquet after all: the job's reader says so in detail
            raise NewslensError(f"{path} is not a readable Parquet file ({err}).") from None
    if suffix not in (".csv", ".tsv", ".tab", ".txt", ".jsonl", ".ndjson"):
        return []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = next((line for line in fh if line.strip()), "")
    if suffix in (".jsonl", ".ndjson"):
        try:
            record = json.loads(first)
        except ValueError:
            raise NewslensError(f"{path}, line 1: not a JSON object ({_short(first)}).") from None
        return [str(k) for k in record] if isinstance(record, dict) else []
    delimiter = "," if suffix == ".csv" else "\t"
    fields = next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter), [])
    return [f.strip() for f in fields] if header else [str(i) for i in range(len(fields))]


def check_table_columns(config: dict) -> None:
    """Every column a coded or side table's config names is in the file's header (or, without
    a header line, within its number of fields), before any job reads it: a typo in a column
    key stops the run at once, naming the key, the file and the columns it has."""
    for file_key, header_key, column_keys in TABLE_COLUMN_KEYS:
        path = _get(config, file_key)
        if path in (None, ""):
            continue
        section = file_key.rsplit(".", 1)[0]
        header = True if header_key is None else _get(config, f"{section}.{header_key}")
        columns = table_header(str(path), header is not False)
        if not columns:
            continue
        matched_by_id = _get(config, f"{section}.columns.id") is not None
        for column_key in column_keys:
            value = _get(config, f"{section}.{column_key}")
            if value is None or (column_key == "columns.text" and matched_by_id):
                continue  # items matched to corpus articles by id need no text of their own
            require_column(columns, f"{section}.{column_key}", value, path, file_key)


# Column keys that may be set to null (the column is optional).
NULLABLE_COLUMN_KEYS = (".id", ".coder", ".rating_column")


def missing_column_message(key: str, value, path, file_key: str, columns) -> str:
    """The one message for a configured column that a coded or side file lacks: the column
    key and its value, the file and its config key, the columns the file has (without a header
    line: the positions "0", "1", ...) and what to set. The pre-job check and the jobs that
    read the file raise it alike."""
    columns = [str(c) for c in columns]
    have = ", ".join(repr(c) for c in columns[:20])
    if len(columns) > 20:
        have += f", ... ({len(columns)} columns)"
    return (
        f"config key {key}: column {str(value)!r} is not in {path} (config key "
        f"{file_key}); its columns are {have or '(none)'}. Set {key} to one of them"
        + (" or null." if key.endswith(NULLABLE_COLUMN_KEYS) else ".")
    )


def require_column(columns, key: str, value, path, file_key: str) -> None:
    """Raise NewslensError (:func:`missing_column_message`) unless the column ``value`` that
    config key ``key`` names is one of ``columns`` (of the file ``path``, config key
    ``file_key``)."""
    if str(value) not in {str(c) for c in columns}:
        raise NewslensError(missing_column_message(key, value, path, file_key, columns))


def check_cleaning(config: dict) -> None:
    """The cleaning regular expressions compile (boilerplate_lines, cut_after, date_line,
    byline), with the flags the clean stage uses."""
    from newslens.clean import CleaningRules

    cleaning = config.get("cleaning") or {}
    if cleaning:
        CleaningRules.from_config(cleaning)


def check_actors(config: dict) -> None:
    """Every actor has aliases and no alias belongs to two actors."""
    from newslens.actors import validate_actors

    validate_actors(config.get("actors"))


def check_codebook(config: dict, schema_path) -> None:
    """The codebook file follows its schema, its regexes compile as the matcher combines them,
    and the compiled matcher can be built. Indicators are normalised by lowercasing only (the
    stemmer or lemmatiser would import NLTK into every Snakemake start); what depends on the
    real normaliser (an exclusion that stems to its own indicator) is checked by the
    frames_codebook job."""
    import yaml

    from newslens.codebook import Matcher, build_codebook, read_codebook_yaml

    framing = config.get("framing") or {}
    path = framing.get("codebook")
    if not path:
        return
    data = read_codebook_yaml(path)
    schema = None
    if schema_path is not None:
        with open(schema_path, encoding="utf-8") as fh:
            schema = yaml.safe_load(fh)
    cb = build_codebook(data, str.lower, "none", "english", str(path), schema)
    try:
        Matcher(cb)
    except Exception as err:  # a combination the per-indicator checks did not foresee
        raise NewslensError(
            f"codebook {path} (config key framing.codebook): its indicators cannot be compiled "
            f"together ({type(err).__name__}: {err}). Check its regex indicators."
        ) from None


def check_config(config: dict, codebook_schema=None) -> None:
    """All pre-job checks, in the order a run would meet the problems."""
    check_encoding(config)
    check_files(config)
    check_table_columns(config)
    check_cleaning(config)
    check_actors(config)
    check_codebook(config, codebook_schema)
