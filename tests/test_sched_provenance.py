"""Provenance at the end of a run: files hashed in parallel threads give the same SHA-256; a
partitioned dataset's part files take the SHA-256 their writer recorded in the manifest, unless
the part was modified after the manifest was written (then it is hashed again)."""

from __future__ import annotations

import hashlib
import json
import os

import pyarrow as pa
from newslens.provenance import dataset_checksums, sha256_files
from newslens.shards import PartWriter


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sha256_files_in_threads_equal_one_thread(tmp_path):
    paths = []
    for i, size in enumerate([0, 10, 3 << 20, 12345]):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(bytes((i * 7 + j) % 251 for j in range(size)))
        paths.append(path)
    one = sha256_files(paths, 1)
    assert one == sha256_files(reversed(paths), 3)
    assert list(one) == sorted(str(p) for p in paths)
    assert one[str(paths[2])] == digest(paths[2])
    assert one[str(paths[0])] == hashlib.sha256(b"").hexdigest()


def made_up_dataset(tmp_path):
    folder = tmp_path / "results" / "tables" / "tokens"
    schema = pa.schema([("doc", pa.int64()), ("token", pa.string())])
    with PartWriter(folder, tmp_path / "parts.json", schema, rows=2) as writer:
        writer.write(0, pa.table({"doc": [0, 0, 1], "token": ["a", "b", "c"]}))
        writer.write(1, pa.table({"doc": [2], "token": ["d"]}))
    listed = json.loads((tmp_path / "parts.json").read_text())
    parts = [
        {**p, "file": os.path.relpath(p["file"], folder)} for p in listed["parts"]
    ]  # a manifest names its parts relative to its folder
    manifest = folder / "_manifest.json"
    manifest.write_text(json.dumps({**listed, "parts": parts}), encoding="utf-8")
    return manifest, sorted(folder.glob("part-*.parquet"))


def test_dataset_checksums_are_the_recorded_ones(tmp_path):
    manifest, parts = made_up_dataset(tmp_path)
    assert len(parts) == 2
    known, again = dataset_checksums(manifest)
    assert again == []
    assert known == {p.as_posix(): digest(p) for p in parts}


def test_a_part_modified_after_its_manifest_is_hashed_again(tmp_path):
    manifest, parts = made_up_dataset(tmp_path)
    later = manifest.stat().st_mtime + 5
    os.utime(parts[1], (later, later))
    known, again = dataset_checksums(manifest)
    assert list(known) == [parts[0].as_posix()]
    assert again == [parts[1].as_posix()]
