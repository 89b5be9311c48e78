"""input_accounting's fast paths: the Arrow set tests of ``account`` and the CSV printing of
``write_accounting`` against the plain definitions (Python sets, pandas' ``to_csv``)."""

import pandas as pd
import pytest
from newslens.accounting import _counts_add_up, account, write_accounting
from newslens.runtime import NewslensError, write_table


def _inputs(ids, outcomes=None, dtype=None):
    n = len(ids)
    frame = pd.DataFrame(
        {
            "input": [f"corpus.parquet:row {i + 1}" for i in range(n)],
            "unit": "row",
            "doc_id": ids,
            "outcome": outcomes or ["read"] * n,
            "reason": "",
        }
    )
    return frame.astype(dtype) if dtype else frame


def _sets_add_up(read_ids, after) -> bool:
    """The plain definition: no id lost, none twice, none invented."""
    read_set, after_list = set(read_ids), list(after)
    return (
        not (read_set - set(after_list))
        and len(set(after_list)) == len(after_list)
        and not (set(after_list) - read_set)
    )


@pytest.mark.parametrize("dtype", [None, "string", "str", object])
@pytest.mark.parametrize(
    ("read", "after"),
    [
        (["a", "b", "c"], ["c", "a", "b"]),
        (["a", "b", "c"], ["a", "b"]),  # lost
        (["a", "b"], ["a", "b", "b"]),  # twice
        (["a", "b"], ["a", "b", "x"]),  # invented
        (["a", "a", "b"], ["a", "b"]),  # an id read twice is one set member, as before
        ([], []),
        (["é", "Ж", "a,b", 'q"'], ['q"', "a,b", "Ж", "é"]),
    ],
)
def test_counts_add_up_is_the_set_definition(read, after, dtype):
    read_ids = pd.Series(read, dtype=dtype or object)
    done = pd.Series(after, dtype=dtype or object)
    fast, sets = _counts_add_up(read_ids, done), _sets_add_up(read, after)
    # False only hands the question to the sets; an empty object column has no string type
    assert fast == sets if (read or after or dtype not in (None, object)) else fast <= sets


def test_counts_add_up_leaves_missing_and_non_string_ids_to_the_sets():
    assert not _counts_add_up(pd.Series(["a", None]), pd.Series(["a"]))
    assert not _counts_add_up(pd.Series([1, 2]), pd.Series(["1", "2"]))


def test_account_still_names_lost_twice_and_invented_articles():
    inputs = _inputs(["a", "b", "c"])
    none = pd.DataFrame({"doc_id": [], "reason": []})
    dups = pd.DataFrame({"doc_id": [], "kept_doc_id": []})
    with pytest.raises(NewslensError, match=r"1 article\(s\) read but neither.*\(c\).*0 counted"):
        account(inputs, pd.Series(["a", "b"]), none, dups)
    with pytest.raises(NewslensError, match=r"1 counted twice \(b\); 1 not read at ingest \(x\)"):
        account(inputs, pd.Series(["a", "b", "b", "c", "x"]), none, dups)


def test_account_rows_skipped_and_duplicates(tmp_path):
    inputs = _inputs(["a", "b", "c", "d", None], ["read"] * 4 + ["skipped"], dtype="str")
    inputs.loc[4, "reason"] = "empty text, row skipped"
    skipped = pd.DataFrame({"doc_id": ["b"], "reason": ["only 3 words left, too short"]})
    dups = pd.DataFrame({"doc_id": ["d"], "kept_doc_id": ["a"]})
    table = account(inputs, pd.Series(["a", "c", "d"], dtype="str"), skipped, dups)
    assert table["outcome"].tolist() == ["kept", "skipped", "kept", "dropped_duplicate", "skipped"]
    assert table["stage"].tolist() == ["", "clean", "", "dedup", "ingest"]
    assert table["related_doc_id"].tolist() == ["", "", "", "a", ""]
    assert table.loc[3, "reason"] == "duplicate of a; the earlier article is kept"
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    write_accounting(table, fast)
    write_table(table, slow)
    assert fast.read_bytes() == slow.read_bytes()
    assert fast.read_text().count("\n") == 6


@pytest.mark.parametrize("n", [0, 1, 3, 30_001])
def test_write_accounting_is_pandas_to_csv(tmp_path, n):
    ids = [f"id{i}" for i in range(n)]
    table = _inputs(ids, dtype="str")
    table["stage"] = ""
    table["related_doc_id"] = ""
    for i in range(0, n, 7):  # quoted fields (commas, quotes, line breaks), non-ASCII, missing
        table.loc[i, "reason"] = ['a, "b"', "line\nbreak", "Ж é", None][i % 4]
    for out, write in (("fast.csv", write_accounting), ("slow.csv", write_table)):
        write(table, tmp_path / out)
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "slow.csv").read_bytes()
