"""remove_stale_tmp lists an output folder once per process (lead session 13): the same files
removed as the per-output glob did, the files being written and other outputs' kept, and a
dataset folder of many parts not listed again for every part."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from newslens import runtime
from newslens.runtime import atomic_path


@pytest.fixture(autouse=True)
def fresh_listing(monkeypatch):
    monkeypatch.setattr(runtime, "_STALE_NAMES", {})


def glob_reference(path: Path) -> set[str]:
    """What the former code removed: the two glob patterns beside ``path``."""
    found = set()
    for pattern in (f".{path.name}.*.tmp", f".{path.name}.*.tmp.part"):
        found |= {p.name for p in path.parent.glob(pattern) if p.is_file()}
    return found


def test_the_same_files_as_the_glob_patterns(tmp_path):
    rng = random.Random(13)
    outputs = ["part-1.parquet", "part-10.parquet", "part-1.parquet.x", "a.csv", "a.csv.tmp"]
    names = set()
    for _ in range(300):
        out = rng.choice(outputs)
        middle = rng.choice(["", "k1ll3d", "a.b", ".", "tmp"])
        tail = rng.choice([".tmp", ".tmp.part", ".part", ".tmpx", ""])
        names.add(f".{out}.{middle}{tail}")
    names |= {".a.csv.tmp", ".a.csv..tmp", "a.csv.x.tmp", ".part-1.parquet.tmp.part"}
    for name in names:
        (tmp_path / name).write_text("stale")
    (tmp_path / ".a.csv.dir.tmp").mkdir()  # not a file: kept
    gone = set()
    for out in outputs:  # one output's pattern can match another's files: in turn, as before
        expected = glob_reference(tmp_path / out)
        removed = runtime.remove_stale_tmp(tmp_path / out)
        assert {p.name for p in removed} == expected, out
        gone |= expected
    assert len(gone) >= 40
    assert {p.name for p in tmp_path.iterdir()} == (names - gone) | {".a.csv.dir.tmp"}


def test_files_being_written_and_other_outputs_are_kept(tmp_path):
    (tmp_path / ".t.csv.k1ll3d.tmp").write_text("stale")
    (tmp_path / ".t.csv.k1ll3d.tmp.part").write_text("stale")
    (tmp_path / ".u.csv.k1ll3d.tmp").write_text("another output's")
    with atomic_path(tmp_path / "t.csv") as tmp:
        tmp.write_text("new")
        assert runtime.remove_stale_tmp(tmp_path / "t.csv") == []
        assert tmp.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".u.csv.k1ll3d.tmp", "t.csv"]
    assert (tmp_path / "t.csv").read_text() == "new"


def test_a_folder_of_many_parts_is_listed_once(tmp_path, monkeypatch):
    folder = tmp_path / "tokens"
    folder.mkdir()
    for k in (3, 7):
        (folder / f".part-{k:05d}.parquet.k1ll3d.tmp").write_text("stale")
    listings = []
    real_scandir = os.scandir

    def counting_scandir(path):
        listings.append(Path(path))
        return real_scandir(path)

    monkeypatch.setattr(runtime.os, "scandir", counting_scandir)
    for k in range(60):
        with atomic_path(folder / f"part-{k:05d}.parquet") as tmp:
            tmp.write_text(str(k))
    assert listings == [folder]
    assert sorted(p.name for p in folder.iterdir()) == [f"part-{k:05d}.parquet" for k in range(60)]
    assert (folder / "part-00007.parquet").read_text() == "7"
