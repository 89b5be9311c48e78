"""The token parts written from the tokenizer's dictionary arrays (tok7): with
``dictionary_strings=True`` the token, lower and term columns are dictionary arrays holding the
same strings; ``DictionaryPartWriter`` writes them without Parquet hashing them again, and the
part files read back exactly as ``PartWriter``'s of the plain table (pyarrow schema and its
metadata, values, pandas dtypes, row order, row groups, ``filters=``), the part list too."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.shards import PartWriter, block_of, read_dataset, read_dataset_arrow
from newslens.tokenize import (
    TOKEN_DICT_SCHEMA,
    TOKEN_SCHEMA,
    TOKEN_STRINGS,
    DictionaryPartWriter,
    ShardTokenizer,
    part_writer_options,
    write_by_block,
)
from test_tok5_part_writer import assert_same_read_back
from test_tok_fastpath import docs, punkt  # noqa: F401 (fixtures)
from test_tokenize_fast import SETTINGS, STOPWORDS


def batches(docs, punkt, dictionary_strings: bool, n_batches: int = 4):  # noqa: F811
    """The token tables of ``docs`` tokenized in ``n_batches`` batches by one tokenizer."""
    tokenizer = ShardTokenizer(punkt, SETTINGS, STOPWORDS, dictionary_strings=dictionary_strings)
    bounds = np.linspace(0, len(docs), n_batches + 1).astype(int)
    out = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        part = docs.iloc[a:b]
        got = tokenizer.tokenize(part["doc_id"].tolist(), part["text"].tolist())
        out.append((got, pa.array(part["doc_id"]), np.arange(a, b)))
    return out


def write_tokens(tables, folder, writer_class, rows=700):
    """The batches' token tables written as one shard's parts (blocks of 50 articles)."""
    with writer_class(
        folder / "tokens",
        folder / "tokens.json",
        TOKEN_SCHEMA,
        rows=rows,
        options=part_writer_options(TOKEN_SCHEMA),
    ) as writer:
        for out, doc_ids, index in tables:
            blocks = block_of(index, 50)
            write_by_block(writer, out.tokens, doc_ids, blocks, out.doc_counts["n_tokens"])
    return sorted((folder / "tokens").iterdir())


def test_dictionary_columns_hold_the_plain_strings(docs, punkt):  # noqa: F811
    plain = batches(docs, punkt, False)
    coded = batches(docs, punkt, True)
    for (p, _, _), (c, _, _) in zip(plain, coded, strict=True):
        assert c.tokens.schema.equals(TOKEN_DICT_SCHEMA.remove_metadata())
        for name in TOKEN_STRINGS:
            column = c.tokens.column(name)
            assert pa.types.is_dictionary(column.type)
            dictionary = column.chunk(0).dictionary
            assert len(pd.unique(dictionary.to_numpy(zero_copy_only=False))) == len(dictionary)
        assert c.tokens.cast(TOKEN_SCHEMA.remove_metadata()).equals(p.tokens)
        assert c.sentences.equals(p.sentences) and c.paragraphs.equals(p.paragraphs)
        assert all(np.array_equal(c.doc_counts[k], p.doc_counts[k]) for k in p.doc_counts)
    assert sum(out.tokens.num_rows for out, _, _ in coded) > 5000


def test_dictionary_parts_read_back_as_the_plain_parts(docs, punkt, tmp_path):  # noqa: F811
    plain = write_tokens(batches(docs, punkt, False), tmp_path / "plain", PartWriter)
    coded = write_tokens(batches(docs, punkt, True), tmp_path / "dict", DictionaryPartWriter)
    assert [p.name for p in plain] == [p.name for p in coded] and len(coded) >= 8
    assert any(p.read_bytes() != c.read_bytes() for p, c in zip(plain, coded, strict=True))
    several_groups = 0
    for p, c in zip(plain, coded, strict=True):
        assert_same_read_back(p, c)  # schema + metadata, values, pandas dtypes, row groups
        fp, fc = pq.ParquetFile(p), pq.ParquetFile(c)
        assert fc.metadata.metadata == fp.metadata.metadata  # the plain ARROW:schema
        assert fc.schema_arrow.field("token").type == pa.large_string()
        several_groups += fc.num_row_groups > 1
        meta = fc.metadata.row_group(0)
        for i, name in enumerate(TOKEN_SCHEMA.names):
            col = meta.column(i)
            if name in TOKEN_STRINGS:  # the dictionary written as given: no fallback to PLAIN
                assert col.has_dictionary_page and "RLE_DICTIONARY" in col.encodings, name
            assert col.is_stats_set == (name in ("doc_id", "para_id", "sent_id"))
        token = pq.read_table(p, columns=["token"]).column("token")[3].as_py()
        for filters in ([("token", "==", token)], [("lower", "==", token.lower())]):
            got = pq.read_table(c, filters=filters)
            assert got.equals(pq.read_table(p, filters=filters)) and got.num_rows > 0
    assert several_groups
    lists = [
        json.loads((tmp_path / d / "tokens.json").read_text("utf-8")) for d in ("plain", "dict")
    ]
    for listed in lists:
        for part in listed["parts"]:
            part.pop("sha256")
            part["file"] = part["file"].split("/tokens/")[1]
    assert lists[0] == lists[1]
    pd.testing.assert_frame_equal(
        read_dataset(tmp_path / "dict/tokens.json"),
        read_dataset(tmp_path / "plain/tokens.json"),
        check_exact=True,
    )
    assert read_dataset_arrow(tmp_path / "dict/tokens.json").equals(
        read_dataset_arrow(tmp_path / "plain/tokens.json")
    )


def test_plain_tables_through_the_dictionary_writer(docs, punkt, tmp_path):  # noqa: F811
    """A plain table handed to DictionaryPartWriter is encoded on the way: same read-back."""
    plain = batches(docs, punkt, False, n_batches=2)
    a = write_tokens(plain, tmp_path / "a", PartWriter, rows=10_000)
    b = write_tokens(plain, tmp_path / "b", DictionaryPartWriter, rows=10_000)
    for p, c in zip(a, b, strict=True):
        assert_same_read_back(p, c)
