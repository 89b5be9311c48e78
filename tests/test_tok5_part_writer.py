"""The tokenize job's part files are written with ``part_writer_options`` (min/max statistics
only for the key columns, tok_id/start/end delta-encoded, no dictionary for the texts): the
tables read back (pyarrow and pandas: values, dtypes, row order, row-group sizes) equal those
of the default writer, the bytes depend only on the rows (not on how they were batched), and the
job's own parts carry the options and hold the tokenizer's tables."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from newslens.shards import PartWriter, block_of, read_dataset, read_dataset_arrow
from newslens.tokenize import (
    PARAGRAPH_SCHEMA,
    PART_STATISTICS,
    SENTENCE_SCHEMA,
    TOKEN_SCHEMA,
    ShardTokenizer,
    part_writer_options,
    punkt_from_json,
    write_by_block,
)
from test_tok3_bench_jobs import BENCH, kept_run
from test_tok_fastpath import docs, punkt  # noqa: F401 (fixtures)
from test_tokenize_fast import SETTINGS, STOPWORDS

SCHEMAS = {"paragraphs": PARAGRAPH_SCHEMA, "sentences": SENTENCE_SCHEMA, "tokens": TOKEN_SCHEMA}


def write_parts(out, folder: Path, doc_ids, blocks, options: bool, rows: int = 1000) -> dict:
    """Part files of the three tables of ``out`` (a TokenizedBatch); returns name -> bytes."""
    files = {}
    for name, schema in SCHEMAS.items():
        table = getattr(out, name)
        opts = part_writer_options(schema) if options else None
        sub = folder / name
        with PartWriter(sub, folder / f"{name}.json", schema, rows=rows, options=opts) as w:
            write_by_block(w, table, doc_ids, blocks)
        files.update({f"{name}/{p.name}": p.read_bytes() for p in sorted(sub.iterdir())})
    return files


def assert_same_read_back(a: Path, b: Path) -> None:
    """The Parquet files ``a`` and ``b`` hold the same table: pyarrow (schema included), pandas
    (dtypes included), row order and row-group sizes."""
    fa, fb = pq.ParquetFile(a), pq.ParquetFile(b)
    sizes = [fa.metadata.row_group(i).num_rows for i in range(fa.num_row_groups)]
    assert sizes == [fb.metadata.row_group(i).num_rows for i in range(fb.num_row_groups)]
    ta, tb = pq.read_table(a), pq.read_table(b)
    assert ta.schema.equals(tb.schema, check_metadata=True) and ta.equals(tb)
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True)


def tokenized(docs, punkt):  # noqa: F811
    tokenizer = ShardTokenizer(punkt, SETTINGS, STOPWORDS)
    out = tokenizer.tokenize(docs["doc_id"].tolist(), docs["text"].tolist())
    blocks = block_of(pd.RangeIndex(len(docs)).to_numpy() * 3 + 5, 100)  # several blocks
    return out, pa.array(docs["doc_id"]), blocks


def test_parts_read_back_equal_to_the_default_writer(docs, punkt, tmp_path):  # noqa: F811
    out, doc_ids, blocks = tokenized(docs, punkt)
    plain = write_parts(out, tmp_path / "plain", doc_ids, blocks, options=False)
    tuned = write_parts(out, tmp_path / "tuned", doc_ids, blocks, options=True)
    assert sorted(plain) == sorted(tuned) and len(tuned) > 15
    assert sum(plain[k] != tuned[k] for k in plain) == len(plain)  # the options took effect
    for name in plain:
        assert_same_read_back(tmp_path / "plain" / name, tmp_path / "tuned" / name)
    # several row groups in the token parts: the group sizes were compared above
    biggest = max((k for k in tuned if k.startswith("tokens/")), key=lambda k: len(tuned[k]))
    assert pq.ParquetFile(tmp_path / "tuned" / biggest).num_row_groups > 1
    for name in SCHEMAS:  # the datasets read back as one table, as before
        a, b = (read_dataset(tmp_path / d / f"{name}.json") for d in ("plain", "tuned"))
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert len(a) == getattr(out, name).num_rows
        assert read_dataset_arrow(tmp_path / "tuned" / f"{name}.json").equals(
            getattr(out, name).cast(SCHEMAS[name].remove_metadata())
        )


def test_statistics_and_encodings_of_the_parts(docs, punkt, tmp_path):  # noqa: F811
    out, doc_ids, blocks = tokenized(docs, punkt)
    write_parts(out, tmp_path, doc_ids, blocks, options=True)
    for name, schema in SCHEMAS.items():
        part = sorted((tmp_path / name).iterdir())[0]
        meta = pq.ParquetFile(part).metadata.row_group(0)
        for i, field in enumerate(schema.names):
            col = meta.column(i)
            assert col.is_stats_set == (field in PART_STATISTICS), (name, field)
            if field in PART_STATISTICS:
                assert col.statistics.has_min_max
            if field in ("tok_id", "start", "end"):
                assert "DELTA_BINARY_PACKED" in col.encodings and not col.has_dictionary_page
            elif field == "text":
                assert not col.has_dictionary_page
            elif col.physical_type != "BOOLEAN":  # Parquet has no dictionary for booleans
                assert col.has_dictionary_page, (name, field)
    # a reader's filter on doc_id (whose statistics are kept) gets that article's rows
    first = sorted((tmp_path / "tokens").iterdir())[0]
    doc = pq.read_table(first, columns=["doc_id"]).column("doc_id")[0].as_py()
    got = pq.read_table(first, filters=[("doc_id", "==", doc)])
    assert got.num_rows == pc_count(out.tokens, doc) > 0


def pc_count(table: pa.Table, doc: str) -> int:
    return int(pc.sum(pc.equal(table.column("doc_id"), doc)).as_py())


def test_part_bytes_depend_only_on_the_rows(docs, punkt, tmp_path):  # noqa: F811
    """Written whole, or batch by batch in slices of other sizes, twice: the same bytes."""
    out, doc_ids, blocks = tokenized(docs, punkt)
    once = write_parts(out, tmp_path / "a", doc_ids, blocks, options=True)
    again = write_parts(out, tmp_path / "b", doc_ids, blocks, options=True)
    assert once == again
    sliced = {}
    for name, schema in SCHEMAS.items():
        table, sub = getattr(out, name), tmp_path / "c" / name
        rows_of_block = pd.Series(blocks).repeat(pd.Series(out.doc_counts[f"n_{name}"]).to_numpy())
        opts = part_writer_options(schema)
        with PartWriter(sub, tmp_path / "c" / f"{name}.json", schema, 1000, opts) as w:
            at = 0
            for size in (7, 1, 500, 1234, 99) * 1000:
                if at >= table.num_rows:
                    break
                piece = rows_of_block.to_numpy()[at : at + size]
                w.write_blocks(piece, table.slice(at, size))
                at += size
        sliced.update({f"{name}/{p.name}": p.read_bytes() for p in sorted(sub.iterdir())})
    assert sliced == once


def test_the_job_writes_its_parts_with_the_options(tmp_path):
    """tokens_tokenize (run as the benchmark runs it) writes parts with the options whose
    tables equal the tokenizer's own, and its part lists name every part."""
    run = kept_run(tmp_path / "run")
    out = tmp_path / "out"
    cmd = [sys.executable, str(BENCH), str(run), "--child", "tokens_tokenize", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=run)
    assert proc.returncode == 0, proc.stderr[-3000:]
    clean = pd.read_parquet(run / "results/interim/clean/1-of-2.parquet")
    clean = clean[clean["doc_id"] != "d3"]  # the dropped duplicate
    params = punkt_from_json((run / "results/interim/punkt_params.json").read_text("utf-8"))
    stop = set((run / "config/stopwords_en.txt").read_text("utf-8").split())
    cfg = __import__("yaml").safe_load((run / "config/config.yaml").read_text("utf-8"))["tokenize"]
    keys = ("language", "lowercase", "normalize", "min_token_length", "keep_numbers", "ngram_max")
    want = ShardTokenizer(params, {k: cfg[k] for k in keys}, stop).tokenize(
        clean["doc_id"].tolist(), clean["text"].tolist()
    )
    for name, schema in SCHEMAS.items():
        listed = json.loads((out / f"{name}.json").read_text("utf-8"))
        parts = [Path(p["file"]) for p in listed["parts"]]
        assert parts and all(p.is_file() for p in parts)
        got = read_dataset_arrow(out / f"{name}.json")
        assert got.equals(getattr(want, name).cast(schema.remove_metadata()))
        meta = pq.ParquetFile(parts[0]).metadata.row_group(0)
        stats = {schema.names[i] for i in range(meta.num_columns) if meta.column(i).is_stats_set}
        assert stats == set(PART_STATISTICS) & set(schema.names)
