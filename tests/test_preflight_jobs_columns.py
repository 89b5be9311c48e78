"""One message for a configured column that a coded or side file lacks: the pre-job check
(newslens.preflight.check_table_columns) and the jobs that read the file raise the same text,
naming the column key and its value, the file and its config key, and the columns present."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from coded_tables import PRESENT, REPO, write_coded
from coded_tables import with_keys as _with_keys
from newslens.actor_sentiment import coded_pairs
from newslens.actors import read_target_file
from newslens.preflight import check_table_columns, missing_column_message
from newslens.runtime import NewslensError
from newslens.sentiment_eval import read_coded_file, read_table_file


def with_keys(**dotted) -> dict:
    """The default config with keys set (``a__b__c=value`` sets a.b.c)."""
    return _with_keys({name.replace("__", "."): value for name, value in dotted.items()})


@pytest.fixture
def coded(tmp_path) -> str:
    return write_coded(tmp_path)


def preflight_message(config: dict) -> str:
    with pytest.raises(NewslensError) as err:
        check_table_columns(config)
    return str(err.value)


def job_message(call) -> str:
    with pytest.raises(NewslensError) as err:
        call()
    return str(err.value)


def rule_script(name: str) -> dict:
    """The functions of rule script scripts/<name>.py (without running its main)."""
    path = REPO / "scripts" / f"{name}.py"
    source = path.read_text(encoding="utf-8").replace("run(main, snakemake)", "")
    namespace: dict = {"__name__": f"rule_{name}"}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def test_the_message_names_key_value_file_and_columns():
    message = missing_column_message(
        "sentiment.validation.rating_column",
        "score",
        "gold.csv",
        "sentiment.validation.file",
        ["text", "rating"],
    )
    assert message == (
        "config key sentiment.validation.rating_column: column 'score' is not in gold.csv "
        "(config key sentiment.validation.file); its columns are 'text', 'rating'. Set "
        "sentiment.validation.rating_column to one of them or null."
    )
    # a required column is not offered null; many columns are cut at 20 and counted
    many = missing_column_message("a.columns.doc_id", 7, "t.csv", "a.file", map(str, range(25)))
    assert many.endswith("'19', ... (25 columns). Set a.columns.doc_id to one of them.")


def test_sentiment_validation_job_and_preflight_agree(coded):
    for role in ("text_column", "label_column", "rating_column"):
        values = {"text_column": "text", "label_column": "label", "rating_column": None}
        values[role] = "nope"
        config = with_keys(
            sentiment__validation__file=coded,
            **{f"sentiment__validation__{k}": v for k, v in values.items()},
        )
        before = preflight_message(config)
        during = job_message(
            lambda values=values: read_coded_file(coded, key="sentiment.validation", **values)
        )
        assert before == during
        assert f"config key sentiment.validation.{role}: column 'nope' is not in {coded}" in during
        assert "(config key sentiment.validation.file)" in during and PRESENT in during


def test_sentiment_supervised_without_header_agree(coded):
    """Without a header line the columns are the positions of the first line's fields."""
    config = with_keys(
        sentiment__supervised__file=coded,
        sentiment__supervised__header=False,
        sentiment__supervised__text_column=3,
        sentiment__supervised__label_column=9,
    )
    before = preflight_message(config)
    during = job_message(
        lambda: read_coded_file(coded, 3, label_column=9, key="sentiment.supervised", header=False)
    )
    assert before == during
    assert "column '9' is not in" in during and "'0', '1', '2', '3', '4'." in during


@pytest.mark.parametrize("section", ["actor_supervised", "actor_validation"])
def test_actor_coded_files_agree(coded, section):
    key = f"sentiment.{section}"
    config = with_keys(**{f"sentiment__{section}__file": coded})
    config["sentiment"][section]["actor_column"] = "who"
    before = preflight_message(config)
    cfg = config["sentiment"][section]
    during = job_message(
        lambda: coded_pairs(read_table_file(coded, f"{key}.file"), cfg, coded, key)
    )
    assert before == during
    assert f"config key {key}.actor_column: column 'who'" in during and PRESENT in during


def test_actor_target_file_agrees(coded):
    config = with_keys(actor_targets__file=coded, actor_targets__columns__doc_id="article")
    before = preflight_message(config)
    during = job_message(lambda: read_target_file(coded, config["actor_targets"]))
    assert before == during
    assert "config key actor_targets.columns.doc_id: column 'article'" in during
    assert during.endswith("to one of them.")  # doc_id is required: null is not offered


def test_framing_labeled_job_agrees(coded):
    config = with_keys(
        framing__supervised__labeled=coded, framing__supervised__columns__labels="frames"
    )
    before = preflight_message(config)
    load_labeled = rule_script("frames_supervised")["load_labeled"]
    cols = config["framing"]["supervised"]["columns"]
    during = job_message(
        lambda: load_labeled(coded, cols, ";", None, "error", "labeled data", "framing.supervised")
    )
    assert before == during
    assert "config key framing.supervised.columns.labels: column 'frames'" in during
    assert "(config key framing.supervised.labeled)" in during and PRESENT in during


def test_framing_gold_job_agrees(coded):
    config = with_keys(framing__validation__gold=coded, framing__validation__columns__coder="rater")
    before = preflight_message(config)
    read_gold = rule_script("frames_validation")["read_gold"]
    options = config["framing"]["validation"]
    smk = SimpleNamespace(
        params=SimpleNamespace(options=options, unknown_labels="error", label_map=None),
        input=SimpleNamespace(gold=coded),
    )
    during = job_message(lambda: read_gold(smk, None))
    assert before == during
    assert "config key framing.validation.columns.coder: column 'rater'" in during
    assert during.endswith("or null.") and PRESENT in during
