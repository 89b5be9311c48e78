"""corpus_tables.write_ordered_audit prints the cleaning audit by newslens.csv_text (Arrow) when
its line numbers are integers (as the clean jobs and ingest write them: int64 with nulls): the
same bytes as the pandas path (``order_audit`` then ``write_table``), quoted fields, line
breaks, non-ASCII text, missing values and every batch size included."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newslens import corpus_tables
from newslens.runtime import write_table
from test_clean2_fastpaths import audit_frames


def int_line_tables(tmp_path, seed: int):
    paths = []
    for i, frame in enumerate(audit_frames(seed)):
        frame = frame.copy()
        frame["line_no"] = frame["line_no"].astype("Int64")  # int64 with nulls in Parquet
        frame.to_parquet(tmp_path / f"{seed}-{i}.parquet", index=False)
        paths.append(tmp_path / f"{seed}-{i}.parquet")
    return paths


@pytest.mark.parametrize(("seed", "batch_rows"), [(1, 1), (2, 7), (3, 100_000)])
def test_integer_line_numbers_print_the_pandas_bytes(tmp_path, seed, batch_rows):
    paths = int_line_tables(tmp_path, seed)
    tables = [pq.read_table(p) for p in paths]
    assert any(pa.types.is_integer(t.schema.field("line_no").type) for t in tables)
    dropped = pd.DataFrame(
        {"doc_id": ["d2", "x"], "kept_doc_id": ["d1", "d1"], "kind": ["exact", "near"]}
    ).assign(similarity=[1.0, 0.9])
    dups = corpus_tables.duplicates_as_audit(dropped, {"d2": "b"})
    tables.append(pa.Table.from_pandas(dups, preserve_index=False))
    old = pd.concat([pd.read_parquet(p) for p in paths] + [dups], ignore_index=True)
    write_table(corpus_tables.order_audit(old), tmp_path / "old.csv")
    n = corpus_tables.write_ordered_audit(tables, tmp_path / "new.csv", batch_rows)
    assert n == len(old) > 100
    new = (tmp_path / "new.csv").read_bytes()
    assert new == (tmp_path / "old.csv").read_bytes()
    assert b'"byline, ""quoted"""' in new and b'"a\nb"' in new  # quoted fields were met
    back = pd.read_csv(tmp_path / "new.csv", keep_default_na=False, dtype=str)
    assert sorted(x for x in back["line_no"] if x) == sorted(
        str(int(x)) for x in old["line_no"].dropna()
    )


def test_line_numbers_as_text():
    text = corpus_tables._line_number_text(pa.chunked_array([pa.array([3, None, 12])]))
    assert text.to_pylist() == ["3", None, "12"]
    nulls = corpus_tables._line_number_text(pa.chunked_array([pa.nulls(2)]))
    assert nulls.to_pylist() == [None, None] and nulls.type == pa.large_string()
    assert corpus_tables._line_number_text(pa.chunked_array([pa.array([1.0, None])])) is None


def test_all_missing_line_numbers(tmp_path):
    table = pa.table(
        {
            "doc_id": ["b", "a"],
            "source": ["s", "s"],
            "stage": ["clean", "clean"],
            "action": ["cut", "cut"],
            "reason": ["r", "r,"],
            "line_no": pa.array([None, None], pa.int64()),
            "content": ["", "x"],
            "related_doc_id": ["", ""],
        }
    )
    corpus_tables.write_ordered_audit([table], tmp_path / "new.csv")
    write_table(corpus_tables.order_audit(table.to_pandas()), tmp_path / "old.csv")
    assert (tmp_path / "new.csv").read_text() == (tmp_path / "old.csv").read_text()
    assert (tmp_path / "new.csv").read_text().splitlines()[1] == 'a,s,clean,cut,"r,",,x,'
