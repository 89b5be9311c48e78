"""Malformed config, codebook, labeled and gold files: each gives a named error that names the
key (and the file), before any job runs.

Most cases call the pre-job checks (newslens.preflight) directly on a full, schema-valid config
(fast); a few run ``snakemake -n`` to show that the Snakefile stops before any job with a short
message."""

from __future__ import annotations

import copy
import shutil

import pytest
import yaml
from conftest import REPO, make_workdir, run_snakemake
from newslens.preflight import check_config, schema_error_summary
from newslens.runtime import NewslensError

SCHEMA = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
CODEBOOK_SCHEMA = REPO / "workflow" / "schemas" / "codebook.schema.yaml"
BASE = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory with a copy of config/ (relative paths resolve in it)."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def config_with(**changes):
    cfg = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = cfg
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return cfg


def preflight_error(cfg) -> str:
    with pytest.raises(NewslensError) as info:
        check_config(cfg, CODEBOOK_SCHEMA)
    return str(info.value)


def write_codebook(workdir, frames) -> str:
    path = workdir / "config" / "codebooks" / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "frames": frames}, sort_keys=False))
    return "config/codebooks/bad.yaml"


def test_the_shipped_config_passes(workdir):
    assert schema_error_summary(BASE, SCHEMA) is None
    check_config(copy.deepcopy(BASE), CODEBOOK_SCHEMA)  # no error


# --- config regexes -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "key, value, shown",
    [
        (
            "cleaning__boilerplate_lines",
            ["advertisement", "(unclosed"],
            "cleaning.boilerplate_lines",
        ),
        ("cleaning__cut_after", ["read more[:"], "cleaning.cut_after"),
        ("cleaning__date_line", "published(?P<date>.+", "cleaning.date_line"),
        ("cleaning__byline", "(?P<author>[A-Z]+", "cleaning.byline"),
    ],
)
def test_invalid_cleaning_regex_names_key_and_pattern(workdir, key, value, shown):
    message = preflight_error(config_with(**{key: value}))
    assert shown in message
    assert "not a valid regular expression" in message
    bad = value[-1] if isinstance(value, list) else value
    assert bad in message


# --- actors -------------------------------------------------------------------------------
def test_alias_shared_by_two_actors_names_both(workdir):
    actors = {"Armenia": ["Armenia", "Yerevan"], "Capital": ["yerevan"]}
    message = preflight_error(config_with(actors=actors))
    assert "actors.Capital" in message and "actors.Armenia" in message
    assert "yerevan" in message.lower()


def test_actor_without_aliases_is_named(workdir):
    message = preflight_error(config_with(actors={"Armenia": []}))
    assert "actors.Armenia" in message and "no aliases" in message


def test_alias_without_letters_is_named(workdir):
    message = preflight_error(config_with(actors={"Armenia": ["Armenia", "--"]}))
    assert "actors.Armenia" in message and "'--'" in message


# --- corpus.encoding ----------------------------------------------------------------------
def test_unknown_corpus_encoding_is_named(workdir):
    message = preflight_error(config_with(corpus__encoding="klingon-8"))
    assert "corpus.encoding" in message and "klingon-8" in message


def test_known_corpus_encoding_passes(workdir):
    check_config(config_with(corpus__encoding="cp1251"), CODEBOOK_SCHEMA)


# --- codebooks ----------------------------------------------------------------------------
def test_codebook_regex_with_global_inline_flag_is_named(workdir):
    path = write_codebook(
        workdir,
        [
            {"key": "security", "name": "Security", "terms": ["war"], "regex": ["(?i)cease-?fire"]},
            {"key": "other", "name": "Other", "residual": True},
        ],
    )
    message = preflight_error(config_with(framing__codebook=path))
    assert path in message and "security" in message and "(?i)cease-?fire" in message
    assert "global flag" in message


def test_codebook_malformed_regex_is_named(workdir):
    path = write_codebook(
        workdir,
        [{"key": "security", "name": "Security", "terms": ["war"], "regex": ["troop[s"]}],
    )
    message = preflight_error(config_with(framing__codebook=path))
    assert path in message and "troop[s" in message and "malformed" in message


def test_codebook_against_its_schema(workdir):
    path = write_codebook(workdir, [{"name": "No key at all", "terms": ["war"]}])
    message = preflight_error(config_with(framing__codebook=path))
    assert path in message


def test_codebook_that_is_not_yaml_is_named(workdir):
    path = workdir / "config" / "codebooks" / "broken.yaml"
    path.write_text("name: broken\nframes: [\n  - key: a\n")
    message = preflight_error(config_with(framing__codebook="config/codebooks/broken.yaml"))
    assert "broken.yaml" in message


def test_missing_codebook_file_is_named(workdir):
    message = preflight_error(config_with(framing__codebook="config/codebooks/nope.yaml"))
    assert "framing.codebook" in message and "nope.yaml" in message and "does not exist" in message


# --- labeled, gold and other files the config names ----------------------------------------
@pytest.mark.parametrize(
    "key, dotted",
    [
        ("framing__supervised__labeled", "framing.supervised.labeled"),
        ("framing__validation__gold", "framing.validation.gold"),
        ("sentiment__supervised__file", "sentiment.supervised.file"),
        ("sentiment__validation__file", "sentiment.validation.file"),
        ("tokenize__stopwords_file", "tokenize.stopwords_file"),
    ],
)
def test_missing_named_file_is_named(workdir, key, dotted):
    message = preflight_error(config_with(**{key: "data/missing.csv"}))
    assert dotted in message and "data/missing.csv" in message and "does not exist" in message


def test_gold_file_that_is_a_folder_is_named(workdir):
    (workdir / "gold").mkdir()
    message = preflight_error(config_with(framing__validation__gold="gold"))
    assert "framing.validation.gold" in message and "not a file" in message


def test_empty_labeled_file_is_named(workdir):
    (workdir / "labeled.csv").write_text("")
    message = preflight_error(config_with(framing__supervised__labeled="labeled.csv"))
    assert "framing.supervised.labeled" in message and "empty" in message


# --- schema errors: short ----------------------------------------------------------------
@pytest.mark.parametrize(
    "changes, key, value, allowed",
    [
        ({"framing__classifier": "svm"}, "framing.classifier", "'svm'", "'codebook'"),
        ({"topics__model": "lsa"}, "topics.model", "'lsa'", "'nmf-frobenius'"),
        ({"cleaning__min_words": "twenty"}, "cleaning.min_words", "'twenty'", "integer"),
        ({"sentiment__period": "year"}, "sentiment.period", "'year'", "'month'"),
    ],
)
def test_schema_error_is_short_and_names_key_value_allowed(changes, key, value, allowed):
    message = schema_error_summary(config_with(**changes), SCHEMA, "config")
    assert key in message and value in message and allowed in message
    assert len(message.splitlines()) <= 5


def test_unknown_config_key_lists_allowed_keys():
    cfg = config_with(corpus__encodng="utf-8")
    message = schema_error_summary(cfg, SCHEMA, "config")
    assert "corpus.encodng" in message and "encoding" in message
    assert len(message.splitlines()) <= 5


# --- through Snakemake: stopped before any job, short message -------------------------------
def test_snakemake_stops_before_any_job_on_bad_regex_and_bad_schema(tmp_path):
    workdir = make_workdir(tmp_path, cleaning__cut_after=["read more[:"])
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0
    err = proc.stderr + proc.stdout
    assert "before any job" in err and "cleaning.cut_after" in err
    assert not (workdir / "results").exists()

    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["cleaning"]["cut_after"] = ["read more"]
    cfg["framing"]["classifier"] = "svm"
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    proc = run_snakemake(workdir, "-n", check=False)
    err = proc.stderr + proc.stdout
    assert proc.returncode != 0
    assert "framing.classifier" in err and "'svm'" in err and "'supervised'" in err
    assert len(err.splitlines()) < 30  # not the whole schema
    assert "additionalProperties" not in err
