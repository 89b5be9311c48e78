"""CPU and peak memory of the clean, corpus_ngrams and corpus_tables jobs on a finished run,
two checkouts paired.

    python benchmarks/bench_corpus_jobs.py WORKDIR --base /work/main/scripts --new scripts \
        [--jobs clean corpus_ngrams corpus_tables] [--shard 1-of-2] [--rows N] [--pairs 4]

WORKDIR is the working directory of a pipeline run (e.g. one kept by `bench_pipeline.py --keep
DIR`; it is only read). Each job's own entry script (scripts/<job>.py of the checkout whose
package is measured) runs in a fresh Python process with the run's config and the rule's
params and one BLAS/OpenMP thread, in a scratch folder whose results/interim entries and
partitioned-table part files are links to WORKDIR's. clean cleans the raw shard --shard (its
first --rows rows with --rows); corpus_ngrams and corpus_tables read all shards. Per pair the
two checkouts run one after the other (the order alternates between pairs), so load drifts
hit both alike. Measured: the CPU of the script's work (`time.process_time` around it), the
process's CPU (user + system, imports included) and its peak resident memory (`ru_maxrss`,
the kernel's high-water mark, MiB). Printed: every run, the means, and the mean paired
difference (new - base) with its 95 % bootstrap interval (benchmarks/common.py; 10,000
resamples of the pairs, seed 0): a difference is a change only when its interval excludes 0.
The outputs of the two checkouts' first runs are compared byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap_indices, percentile_interval  # noqa: E402

JOBS = ("clean", "corpus_ngrams", "corpus_tables")
TABLES = ("sentences", "paragraphs", "tokens")  # PARTITIONED_CORPUS_TABLES (common.smk)
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


class Named(dict):
    """Enough of Snakemake's Namedlist: attributes, get(), and log[0]."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def shards(kind: str) -> list[str]:
    """The shard files of results/interim/<kind> in the current folder, in name order."""
    return sorted(str(p) for p in Path("results/interim", kind).glob("*-of-*.*"))


def job_smk(job: str, cfg: dict, shard: str, out: Path) -> Named:
    """The stand-in ``snakemake`` object of ``job`` (inputs in the current folder, outputs
    under ``out``), with the rule's params (workflow/rules/ingest.smk, tokenize.smk)."""
    log = [str(out / "log.txt")]
    if job == "clean":
        metadata = list(cfg["corpus"]["metadata"])
        target = cfg["corpus"]["columns"].get("target")
        if target and target not in metadata:
            metadata.append(target)
        return Named(
            input=Named(raw=f"results/interim/raw/{shard}.parquet"),
            output=Named(clean=str(out / "clean.parquet"), audit=str(out / "audit.parquet")),
            params=Named(cleaning=cfg["cleaning"], metadata=metadata),
            log=log,
        )
    if job == "corpus_ngrams":
        return Named(
            input=Named(docs=shards("docs"), ngrams=shards("ngrams")),
            output=Named(
                terms=str(out / "term_frequencies.csv"),
                ngrams=str(out / "ngram_frequencies.csv"),
                collocations=str(out / "collocations.csv"),
            ),
            params=Named(
                collocations=cfg["tokenize"]["collocations"],
                ngram_min_count=cfg["tokenize"]["collocations"]["min_freq"],
            ),
            log=log,
        )
    if job == "corpus_tables":
        output = Named(
            documents=str(out / "documents.csv"),
            documents_parquet=str(out / "documents.parquet"),
            audit=str(out / "cleaning_audit.csv"),
        )
        inputs = Named(
            docs=shards("docs"),
            clean=shards("clean"),
            clean_audit=shards("audit/clean"),
            ingest_audit="results/interim/audit/ingest.parquet",
            dropped="results/interim/duplicates.parquet",
        )
        for name in TABLES:
            output[name] = f"results/tables/{name}/_manifest.json"
            inputs[name] = shards(name)
            if cfg["tokenize"].get("csv_tables"):
                output[f"{name}_csv"] = str(out / f"{name}.csv")
        return Named(input=inputs, output=output, params=Named(), log=log)
    raise SystemExit(f"unknown job {job}")


def scratch_folder(workdir: Path, scratch: Path, shard: str, rows: int | None) -> None:
    """A folder that reads as ``workdir`` (config, interim files and table part files as links)
    but takes the jobs' outputs; with ``rows``, the raw shard cut to its first ``rows`` rows."""
    (scratch / "results" / "interim").mkdir(parents=True)
    (scratch / "config").symlink_to(workdir / "config")
    for entry in (workdir / "results" / "interim").iterdir():
        if entry.name != "raw" or not rows:
            (scratch / "results" / "interim" / entry.name).symlink_to(entry)
    if rows:
        raw = scratch / "results" / "interim" / "raw"
        raw.mkdir()
        table = pq.read_table(workdir / "results" / "interim" / "raw" / f"{shard}.parquet")
        pq.write_table(table.slice(0, rows), raw / f"{shard}.parquet")
    for name in TABLES:
        folder = scratch / "results" / "tables" / name
        folder.mkdir(parents=True)
        for part in (workdir / "results" / "tables" / name).glob("part-*.parquet"):
            (folder / part.name).symlink_to(part)


def child(job: str, scratch: Path, shard: str, out: Path) -> None:
    """Run one job's entry script (from the checkout on PYTHONPATH) in ``scratch`` and print
    its CPU and peak memory; its outputs go to ``out``."""
    os.chdir(scratch)
    cfg = yaml.safe_load(Path("config/config.yaml").read_text())
    import newslens

    script = Path(newslens.__file__).resolve().parents[1] / f"{job}.py"
    smk = job_smk(job, cfg, shard, out)
    code = compile(script.read_text(), str(script), "exec")
    t0 = time.process_time()
    exec(code, {"snakemake": smk, "__name__": "__main__", "__file__": str(script)})
    work = time.process_time() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    peak = ru.ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"work": work, "process": ru.ru_utime + ru.ru_stime, "peak_mib": peak}))


def output_digests(job: str, scratch: Path, out: Path) -> dict[str, str]:
    """sha256 of every output of a run (the job's folder and, for corpus_tables, the
    manifests)."""
    files = [p for p in out.iterdir() if p.is_file() and p.name != "log.txt"]
    if job == "corpus_tables":
        files += [scratch / "results" / "tables" / n / "_manifest.json" for n in TABLES]
    return {p.name if p.parent == out else str(p.relative_to(scratch)): sha256(p) for p in files}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def measure(job: str, scratch: Path, shard: str, scripts: str, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=scripts, PYTHONHASHSEED="0")
    env.update(dict.fromkeys(THREAD_VARIABLES, "1"))  # one thread, as Snakemake gives a job
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, str(scratch), "--child", job, "--shard", shard]
    cmd += ["--out", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{job} with {scripts} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def interval(diff: np.ndarray, resamples: int = 10_000) -> tuple[float, float]:
    """95 % percentile interval of the mean paired difference (common's bootstrap, seed 0)."""
    return percentile_interval(diff[bootstrap_indices(len(diff), resamples)].mean(axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--shard", default="1-of-2", help="the raw shard clean reads")
    parser.add_argument("--rows", type=int, default=None, help="clean only this many rows")
    parser.add_argument("--base", default="/work/main/scripts", help="PYTHONPATH of the baseline")
    parser.add_argument("--new", default="scripts", help="PYTHONPATH of the changed code")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=JOBS)
    parser.add_argument("--child", choices=JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workdir, args.shard, args.out)
        return
    workdir = args.workdir.resolve()
    paths = {"base": str(Path(args.base).resolve()), "new": str(Path(args.new).resolve())}
    print(f"{workdir}; base {paths['base']}; new {paths['new']}")
    with tempfile.TemporaryDirectory(prefix="bench_corpus_jobs.") as tmp:
        scratch = Path(tmp) / "work"
        scratch_folder(workdir, scratch, args.shard, args.rows)
        for job in args.jobs:
            runs, loads, digests = {"base": [], "new": []}, [], {}
            for r in range(args.pairs):
                for which in ("base", "new") if r % 2 == 0 else ("new", "base"):
                    out = Path(tmp) / f"{job}-{which}"
                    loads.append(os.getloadavg()[0])
                    runs[which].append(measure(job, scratch, args.shard, paths[which], out))
                    if which not in digests:
                        digests[which] = output_digests(job, scratch, out)
                    shutil.rmtree(out)
                b, n = runs["base"][-1], runs["new"][-1]
                print(
                    f"  {job} pair {r + 1}: base {b['work']:.2f} ({b['process']:.2f} process, "
                    f"{b['peak_mib']:.0f} MiB), new {n['work']:.2f} ({n['process']:.2f} process, "
                    f"{n['peak_mib']:.0f} MiB); load {loads[-1]:.1f}",
                    flush=True,
                )
            same = digests["base"] == digests["new"]
            print(
                f"{job}: outputs of base and new {'identical' if same else 'DIFFER'} "
                f"({len(digests['base'])} files)"
            )
            for name in ("work", "process", "peak_mib"):
                base = np.array([x[name] for x in runs["base"]])
                new = np.array([x[name] for x in runs["new"]])
                diff = new - base
                low, high = interval(diff)
                unit = "MiB" if name == "peak_mib" else "CPU-s"
                print(
                    f"{job} ({name}, {unit}, {args.pairs} pairs, load {min(loads):.1f}-"
                    f"{max(loads):.1f}): base {base.mean():.2f}, new {new.mean():.2f}, new - base "
                    f"{diff.mean():+.2f} [{low:+.2f}, {high:+.2f}] ({diff.mean() / base.mean():+.0%})"
                )


if __name__ == "__main__":
    main()
