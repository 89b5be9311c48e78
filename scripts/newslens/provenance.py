"""Provenance of a run: resolved config, input checksums, package versions, commit, timings."""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_files(paths, threads: int = 1) -> dict[str, str]:
    """SHA-256 of each file of ``paths`` (path -> hex digest, sorted by path), hashed in
    ``threads`` threads (hashlib releases the GIL while it hashes, so threads use cores)."""
    paths = sorted({str(p) for p in paths})
    if threads > 1 and len(paths) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            return dict(zip(paths, pool.map(sha256_file, paths), strict=True))
    return {path: sha256_file(path) for path in paths}


def dataset_checksums(manifest: str | Path) -> tuple[dict[str, str], list[str]]:
    """The SHA-256 of a partitioned dataset's part files as its writers recorded them in the
    dataset's manifest (each computed from the part file right after it was written,
    newslens.shards.PartWriter), for the parts not modified since the manifest was written
    (mtime not after the manifest's); and the paths of the other parts, to be hashed again."""
    from newslens.shards import dataset_parts, read_part_list

    manifest = Path(manifest)
    written = manifest.stat().st_mtime
    base = manifest.parent
    recorded = {
        (base / part["file"]).as_posix(): part.get("sha256")
        for part in read_part_list(manifest)["parts"]
    }
    known, again = {}, []
    for part in dataset_parts(manifest):
        path = part.as_posix()
        if recorded.get(path) and part.stat().st_mtime <= written:
            known[path] = recorded[path]
        else:
            again.append(path)
    return known, again


def package_versions(distribution: str = "newslens") -> dict[str, str]:
    """Installed versions of the project's declared dependencies (and Python itself)."""
    versions = {"python": platform.python_version()}
    try:
        requires = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    names = sorted(
        {re.split(r"[ ;<>=!\[~]", r, maxsplit=1)[0] for r in requires if "extra ==" not in r}
    )
    for name in names + ["snakemake"]:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return dict(sorted(versions.items()))


def rule_timings(benchmark_files: list[str | Path], bench_root: str | Path) -> list[dict]:
    """Per job: rule (and shard), wall seconds, peak memory, start and end time (end = when
    Snakemake wrote the benchmark file, start = end - wall seconds)."""
    rows = []
    root = Path(bench_root)
    for path in sorted(Path(p) for p in benchmark_files):
        table = pd.read_csv(path, sep="\t")
        if table.empty:
            continue
        rec = table.iloc[-1]
        end = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        seconds = float(rec["s"])
        job = str(path.relative_to(root).with_suffix(""))
        rows.append(
            {
                "job": job,
                "rule": job.split("/")[0],
                "seconds": round(seconds, 3),
                "max_rss_mb": float(rec["max_rss"])
                if "max_rss" in rec and pd.notna(rec["max_rss"])
                else None,
                "start": datetime.fromtimestamp(end.timestamp() - seconds, tz=UTC).isoformat(
                    timespec="seconds"
                ),
                "end": end.isoformat(timespec="seconds"),
            }
        )
    return rows
