"""tok8: the token parts' row groups are re-encoded by first appearance (``first_appearance``,
``DictionaryPartWriter.prepare_group``), so their bytes depend on the rows only: a row group cut
from batches with different dictionaries is written exactly as the same rows' plain strings
(Parquet's own dictionary is in order of first appearance too), and the token parts of the same
articles tokenized in 2, 3 or 4 batches (as 2, 3 or 4 shards cut them) are byte-identical."""

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.tokenize import DictionaryPartWriter, dictionary_schema, first_appearance
from test_tok8_dictionary_parts import batches, write_tokens
from test_tok_fastpath import docs, punkt  # noqa: F401 (fixtures)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def column_chunk(data: bytes) -> bytes:
    meta = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).column(0)
    start = meta.dictionary_page_offset
    return data[start : start + meta.total_compressed_size]


def test_values_order_and_nulls():
    array = pa.DictionaryArray.from_arrays(
        pa.array([3, 1, None, 3, 0, 1, None, 0], type=pa.int32()),
        pa.array(["a", "b", "c", "d", "e"]),  # "c" and "e" unused
    )
    got = first_appearance(array)
    assert got.dictionary.to_pylist() == ["d", "b", "a"]
    assert got.indices.to_pylist() == [0, 1, None, 0, 2, 1, None, 2]
    assert got.to_pylist() == array.to_pylist()
    assert got.null_count == 2 and got.indices.type == pa.int32()


def test_empty_group():
    empty = pa.DictionaryArray.from_arrays(pa.array([], type=pa.int32()), pa.array(["x", "y"]))
    got = first_appearance(empty)
    assert len(got) == 0 and len(got.dictionary) == 0 and got.type == empty.type
    all_null = pa.DictionaryArray.from_arrays(pa.array([None, None], pa.int32()), pa.array(["x"]))
    got = first_appearance(all_null)
    assert got.to_pylist() == [None, None] and len(got.dictionary) == 0


def test_group_from_two_batches_written_as_the_plain_strings():
    rng = np.random.default_rng(8)
    words = np.array([f"w{i}" for i in range(300)], dtype=object)
    rows = words[rng.integers(0, 300, 5000)]
    rows[rng.integers(0, 5000, 50)] = None
    first, second = rows[:2100], rows[2100:]
    # each batch with its own dictionary, in an order that is not first appearance
    chunks = []
    for part in (first, second):
        values = sorted({w for w in part if w is not None} | {"unused"}, reverse=True)
        code = {w: i for i, w in enumerate(values)}
        indices = pa.array([None if w is None else code[w] for w in part], pa.int32())
        chunks.append(pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.large_string())))
    # one row group cut from the middle of the two batches
    group = pa.chunked_array(chunks).slice(1000, 3000).combine_chunks()
    rows = rows[1000:4000]
    assert len(group.dictionary) > len(set(rows) - {None})  # unused values: before the fix
    plain = pa.array(rows.tolist(), pa.large_string())
    fixed = first_appearance(group)
    assert fixed.dictionary.equals(plain.dictionary_encode().dictionary)
    assert fixed.indices.equals(plain.dictionary_encode().indices)
    # written with the job's writer schema: the column chunk (dictionary page and data pages)
    # is byte for byte Parquet's own encoding of the plain strings, and reads back as them
    schema = pa.schema([("s", pa.large_string())])
    plain_file = parquet_bytes(pa.Table.from_arrays([plain], schema=schema))
    fixed_file = parquet_bytes(pa.Table.from_arrays([fixed], schema=dictionary_schema(schema, "s")))
    assert column_chunk(fixed_file) == column_chunk(plain_file)
    assert pq.read_table(io.BytesIO(fixed_file)).equals(pq.read_table(io.BytesIO(plain_file)))
    unfixed_file = parquet_bytes(
        pa.Table.from_arrays([group], schema=dictionary_schema(schema, "s"))
    )
    assert column_chunk(unfixed_file) != column_chunk(plain_file)  # what the fix is for


def test_token_parts_bytes_do_not_depend_on_the_batches(docs, punkt, tmp_path):  # noqa: F811
    written = {}
    for n in (2, 3, 4):
        files = write_tokens(
            batches(docs, punkt, True, n_batches=n), tmp_path / str(n), DictionaryPartWriter
        )
        written[n] = {f.name: f.read_bytes() for f in files}
    assert len(written[2]) >= 8
    assert written[2] == written[3] == written[4]
    groups = [
        pq.ParquetFile(tmp_path / "2" / "tokens" / name).num_row_groups for name in written[2]
    ]
    assert max(groups) > 1  # row groups cut across batches
    for name in written[2]:  # the dictionaries hold only the group's values
        f = pq.ParquetFile(tmp_path / "4" / "tokens" / name)
        table = f.read_row_group(0, columns=["token"])
        assert table.num_rows > 0
