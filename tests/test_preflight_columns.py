"""A coded or side table whose configured column is not in the file stops the run before any
job, naming the config key, the file and the columns the file has."""

from __future__ import annotations

import pytest
from coded_tables import CODED_COLUMNS, write_coded
from coded_tables import with_keys as _with_keys
from newslens.preflight import check_config, check_table_columns, table_header
from newslens.runtime import NewslensError


def with_key(dotted: str, value, config=None) -> dict:
    return _with_keys({dotted: value}, config)


@pytest.fixture
def coded(tmp_path):
    return {suffix: write_coded(tmp_path, suffix) for suffix in ("csv", "tsv", "jsonl", "parquet")}


@pytest.mark.parametrize("suffix", ["csv", "tsv", "jsonl", "parquet"])
def test_header_of_every_format(coded, suffix):
    assert table_header(coded[suffix]) == CODED_COLUMNS


def test_header_free_files_give_positions(tmp_path):
    path = tmp_path / "vader.tsv"
    path.write_text("id1\t1.5\tGood text\nid2\t-2\tBad text\n")
    assert table_header(str(path), header=False) == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("file_key", "column_key", "suffix"),
    [
        ("framing.supervised.labeled", "framing.supervised.columns.text", "csv"),
        ("framing.validation.gold", "framing.validation.columns.labels", "jsonl"),
        ("framing.validation.gold", "framing.validation.columns.coder", "csv"),
        ("sentiment.supervised.file", "sentiment.supervised.label_column", "tsv"),
        ("sentiment.validation.file", "sentiment.validation.rating_column", "parquet"),
        ("sentiment.actor_supervised.file", "sentiment.actor_supervised.actor_column", "csv"),
        ("sentiment.actor_validation.file", "sentiment.actor_validation.doc_id_column", "csv"),
        ("actor_targets.file", "actor_targets.columns.doc_id", "csv"),
    ],
)
def test_a_missing_column_names_key_file_and_columns(coded, file_key, column_key, suffix):
    config = with_key(column_key, "no_such_column", with_key(file_key, coded[suffix]))
    with pytest.raises(NewslensError) as err:
        check_table_columns(config)
    message = str(err.value)
    assert f"config key {column_key}: column 'no_such_column'" in message
    assert coded[suffix] in message and "'doc_id', 'actor', 'label'" in message


def test_configured_columns_that_exist_pass(coded):
    config = with_key("sentiment.actor_validation.file", coded["csv"])
    config = with_key("sentiment.supervised.file", coded["tsv"], config)
    config = with_key("framing.validation.gold", coded["parquet"], config)
    check_table_columns(config)  # actor/doc_id/label, text/label, text/labels all present
    # without a header line the columns are positions: 2 of 5 fields exists, 7 does not
    config = with_key("sentiment.supervised.header", False, config)
    config = with_key("sentiment.supervised.text_column", 3, config)
    check_table_columns(with_key("sentiment.supervised.label_column", 2, config))
    with pytest.raises(NewslensError, match="column '7' is not in"):
        check_table_columns(with_key("sentiment.supervised.label_column", 7, config))


def test_missing_coded_file_is_named_before_any_job(tmp_path):
    missing = str(tmp_path / "gone.csv")
    with pytest.raises(NewslensError, match="sentiment.actor_validation.file.*does not exist"):
        check_config(with_key("sentiment.actor_validation.file", missing))


def test_items_matched_by_id_need_no_text_column(tmp_path):
    gold = tmp_path / "gold.tsv"
    gold.write_text("article\tcoder\tcodes\nseed\tA\tEconomic\n")
    config = with_key("framing.validation.gold", str(gold))
    config = with_key("framing.validation.columns.id", "article", config)
    config = with_key("framing.validation.columns.labels", "codes", config)
    check_table_columns(config)  # columns.text ('text') is not needed: items are corpus articles
    with pytest.raises(NewslensError, match="columns.coder: column 'rater'"):
        check_table_columns(with_key("framing.validation.columns.coder", "rater", config))
