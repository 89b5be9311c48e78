"""Run safety: the same outputs whatever the number of shards and the time zone, a killed run
resumes to the same bytes and leaves no temporary files, provenance.json checksums every
output, a moved checkout has nothing to redo, and an error nobody foresaw names the rule, the
shard and the articles.

Two pipeline runs on a small corpus the test writes (36 articles, with a date line each) in a
copied checkout: a reference run (2 shards, TZ=UTC) and a run with 3 shards under
TZ=Pacific/Auckland that is killed with SIGKILL mid-run and resumed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import BIN, REPO
from newslens import runtime
from newslens.runtime import ExactSums, RowGroupWriter, atomic_path, write_table

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_corpus import build_corpus  # noqa: E402

N_ARTICLES = 36
SKIP = ("results/interim/", "results/logs/", "results/benchmarks/")


def make_checkout(dest: Path) -> Path:
    """A copy of the workflow, the package and config/, with a corpus folder inside it and a
    config overlay that keeps the runs short."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("workflow", "scripts", "config"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    corpus = dest / "corpus"
    corpus.mkdir()
    for i, row in build_corpus(N_ARTICLES, seed=3).iterrows():
        text = row["text"] + "\n\nArmenia said the talks would continue next week.\n"
        (corpus / f"story_{i:03d}.txt").write_text(text, encoding="utf-8")
    cfg_path = dest / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["corpus"]["path"] = "corpus"
    cfg["topics"]["k"] = [3, 4]
    cfg["topics"]["seeds"] = [0]
    cfg["sentiment"]["bootstrap"]["resamples"] = 200
    cfg["tokenize"]["part_articles"] = 5  # 8 part files per per-row table, dealt to all shards
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    return dest


def command(checkout: Path, *args: str) -> list[str]:
    return [
        str(BIN / "snakemake"),
        "--snakefile",
        str(checkout / "workflow" / "Snakefile"),
        "--directory",
        str(checkout),
        "--cores",
        "2",
        *args,
    ]


def environment(checkout: Path, tz: str) -> dict:
    return {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "TZ": tz,
        "PYTHONPATH": str(checkout / "scripts"),
    }


def snakemake(checkout: Path, *args: str, tz: str = "UTC") -> subprocess.CompletedProcess:
    proc = subprocess.run(
        command(checkout, *args),
        capture_output=True,
        text=True,
        env=environment(checkout, tz),
        cwd=checkout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return proc


def result_files(checkout: Path) -> dict[str, Path]:
    """Every output under results/ but the interim files, logs, benchmarks and provenance."""
    out = {}
    for path in sorted((checkout / "results").rglob("*")):
        rel = path.relative_to(checkout).as_posix()
        if path.is_file() and not rel.startswith(SKIP) and rel != "results/provenance.json":
            out[rel] = path
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted run: default 2 shards, TZ=UTC."""
    checkout = make_checkout(tmp_path_factory.mktemp("reference") / "checkout")
    snakemake(checkout, tz="UTC")
    return checkout


STALE = ("results/tables/.topic_summary.csv.stale0001.tmp", "results/.summary.md.stale0002.tmp")


@pytest.fixture(scope="module")
def resumed(tmp_path_factory) -> SimpleNamespace:
    """3 shards under TZ=Pacific/Auckland, SIGKILLed once the corpus tables exist (stale
    temporary files of two unfinished outputs planted), unlocked and run again."""
    tmp = tmp_path_factory.mktemp("resumed")
    checkout = make_checkout(tmp / "checkout")
    tz = "Pacific/Auckland"
    with open(tmp / "run.log", "w") as run_log:
        proc = subprocess.Popen(
            command(checkout, "--set-scatter", "shard=3"),
            stdout=run_log,
            stderr=subprocess.STDOUT,
            env=environment(checkout, tz),
            cwd=checkout,
            start_new_session=True,
        )
        marker = checkout / "results" / "tables" / "documents.csv"
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None and not marker.exists():
            time.sleep(0.05)
        interrupted = proc.poll() is None
        if interrupted:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for rel in STALE:
        (checkout / rel).write_text("half-written by a killed job")
    snakemake(checkout, "--unlock", tz=tz)  # a SIGKILL leaves Snakemake's lock behind
    snakemake(checkout, "--set-scatter", "shard=3", tz=tz)
    return SimpleNamespace(checkout=checkout, interrupted=interrupted)


def test_three_shards_in_another_time_zone_after_a_kill_give_identical_bytes(reference, resumed):
    assert resumed.interrupted, "the run finished before it could be killed"
    ref, other = result_files(reference), result_files(resumed.checkout)
    assert len(ref) >= 60
    assert sorted(ref) == sorted(other)
    differ = [rel for rel in ref if ref[rel].read_bytes() != other[rel].read_bytes()]
    assert differ == []
    shards = sorted(p.name for p in (resumed.checkout / "results/interim/sentences").glob("*"))
    assert shards == ["1-of-3.json", "2-of-3.json", "3-of-3.json"]
    docs = pd.read_csv(reference / "results/tables/documents.csv")
    assert len(docs) == N_ARTICLES
    # the partitioned tables: 8 parts of 5 articles each, read back as one table in corpus order
    for name in ("tokens", "sentences", "paragraphs"):
        folder = reference / "results/tables" / name
        assert len(list(folder.glob("part-*.parquet"))) == 8
        table = pd.read_parquet(folder)
        pd.testing.assert_frame_equal(
            table, pd.read_parquet(resumed.checkout / folder.relative_to(reference))
        )
        order = table["doc_id"].drop_duplicates().tolist()
        assert order == docs["doc_id"].astype(str).tolist()


def test_resumed_run_leaves_no_temporary_files(resumed):
    left = [
        p.relative_to(resumed.checkout).as_posix()
        for p in (resumed.checkout / "results").rglob("*")
        if p.name.endswith((".tmp", ".part")) or p.name.startswith(".corpus_tables.")
    ]
    assert left == []
    for rel in STALE:
        assert not (resumed.checkout / rel).exists()


def test_provenance_checksums_every_output(reference, resumed):
    prov = json.loads((reference / "results/provenance.json").read_text())
    checksums = prov["output_files"]["sha256"]
    files = result_files(reference)
    assert sorted(checksums) == sorted(files)
    assert prov["output_files"]["count"] == len(files)
    for rel, path in files.items():
        assert checksums[rel] == sha256(path), rel
    for rel in (
        "results/tables/frames_distribution.csv",
        "results/tables/sentiment_paragraphs/_manifest.json",
    ):
        assert rel in checksums
    other = json.loads((resumed.checkout / "results/provenance.json").read_text())
    assert other["output_files"] == prov["output_files"]


def test_moved_checkout_has_nothing_to_do(reference, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(reference, moved, symlinks=True)
    out = snakemake(moved, "-n", tz="UTC").stdout
    assert "Nothing to be done" in out, out[-3000:]


# --- unit level: fast ----------------------------------------------------------------------
def test_unforeseen_error_names_rule_shard_input_and_articles(tmp_path, capsys):
    shard = tmp_path / "1-of-2.parquet"
    pd.DataFrame({"doc_id": ["a07", "a07", "a08"], "x": [1, 2, 3]}).to_parquet(shard)
    log_file = tmp_path / "job.log"
    smk = SimpleNamespace(
        rule="sentiment_actors",
        log=[str(log_file)],
        wildcards=SimpleNamespace(scatteritem="1-of-2"),
    )

    def main(smk):
        for batch in runtime.iter_parquet(shard, 2):
            if "a08" in set(batch["doc_id"]):
                raise ValueError("zip() argument 2 is longer than argument 1")

    with pytest.raises(SystemExit) as info:
        runtime.run(main, smk)
    logging.shutdown()
    assert info.value.code == 1
    text = log_file.read_text()
    first = text.splitlines()[0]
    for needed in ("rule sentiment_actors", "shard 1-of-2", str(shard), "article a08", "rows 3-3"):
        assert needed in first, first
    assert "ValueError: zip() argument 2" in first
    assert "Traceback" in text and "unexpected error" not in text


def test_stale_temporary_files_are_removed_but_not_ones_being_written(tmp_path):
    out = tmp_path / "table.csv"
    stale = tmp_path / ".table.csv.k1ll3d.tmp"
    stale.write_text("half")
    other = tmp_path / ".other.csv.k1ll3d.tmp"  # another output's: not this job's to remove
    other.write_text("half")
    with atomic_path(out) as tmp:
        assert not stale.exists()
        tmp.write_text("x")
        assert runtime.remove_stale_tmp(out) == []  # the one being written stays
        assert tmp.exists()
    assert out.read_text() == "x" and other.exists()
    write_table(pd.DataFrame({"a": [1]}), out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.csv.k1ll3d.tmp", "table.csv"]


def test_row_groups_do_not_depend_on_batches(tmp_path):
    table = pa.table({"doc_id": [f"d{i:04d}" for i in range(1000)], "v": np.arange(1000.0)})
    paths = []
    for sizes in ([1000], [1, 998, 1], [333, 333, 334], [10] * 100):
        path = tmp_path / f"t{len(paths)}.parquet"
        with RowGroupWriter(path, table.schema, rows=256) as writer:
            start = 0
            for n in sizes:
                writer.write_table(table.slice(start, n))
                start += n
        paths.append(path)
    first = paths[0].read_bytes()
    assert all(p.read_bytes() == first for p in paths[1:])
    meta = pq.ParquetFile(paths[0]).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [256] * 3 + [232]


def test_exact_sums_do_not_depend_on_order_or_split():
    rng = np.random.default_rng(1)
    values = rng.random((500, 3)) / 7
    groups = rng.integers(0, 4, 500)
    one = ExactSums(3)
    one.add(groups, values)
    order = rng.permutation(500)
    split = ExactSums(3)
    for part in np.array_split(order, 7):
        split.add(groups[part], values[part])
    a, b = one.frame(["x", "y", "z"]), split.frame(["x", "y", "z"])
    assert a.equals(b)
    exact = pd.DataFrame(values).groupby(groups).agg(lambda s: float(np.sum(np.sort(s))))
    assert np.allclose(a.to_numpy(), exact.to_numpy(), rtol=1e-15, atol=0)


def test_gather_ignores_placeholder_types_of_an_empty_shard(tmp_path):
    from newslens.shards_gather import gather

    full = tmp_path / "1-of-2.parquet"
    empty = tmp_path / "2-of-2.parquet"
    pd.DataFrame({"doc_id": ["a", "b"], "labels": ["x;y", None]}).to_parquet(full)
    pd.DataFrame(
        {"doc_id": pd.Series([], dtype=object), "labels": pd.Series([], dtype=float)}
    ).to_parquet(empty)
    n = gather(
        [full, empty],
        lambda t: np.arange(t.num_rows),
        tmp_path / "out.parquet",
        tmp_path / "out.csv",
    )
    assert n == 2
    assert (tmp_path / "out.csv").read_text() == "doc_id,labels\na,x;y\nb,\n"
    assert pq.read_table(tmp_path / "out.parquet").column("labels").to_pylist() == ["x;y", None]
