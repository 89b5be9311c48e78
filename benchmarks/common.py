"""Set-up shared by the benchmark scripts that run the pipeline: a corpus file, a config overlay
in a working directory, a snakemake run, the per-job benchmark files read into wall, CPU and
peak memory per rule, and paired bootstrap differences of a method to its baseline.

    import sys; sys.path.insert(0, "benchmarks")  # or run the script from benchmarks/
    from common import job_table, rule_table, run_snakemake, write_config

Nothing here prints; the scripts keep their own command lines and output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "workflow" / "Snakefile"
BIN = Path(sys.executable).parent
#: corpus.columns of a table written by write_corpus from benchmarks/synthetic_corpus.py
ID_TEXT_COLUMNS = {"text": "text", "id": "id", "title": None, "date": None, "author": None}


# ---- corpus and config ------------------------------------------------------------------------
def write_corpus(table: pd.DataFrame, path: Path) -> Path:
    """Write a corpus table as Parquet (.parquet) or CSV (any other suffix); return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, index=False)
    return path


def merge_config(config: dict, overrides: dict) -> dict:
    """``config`` with ``overrides`` merged in, nested dicts key by key (in place)."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict) and value:
            merge_config(config[key], value)
        else:
            config[key] = value
    return config


def write_config(workdir: Path, overrides: dict | None = None, base: dict | None = None) -> dict:
    """A config overlay in ``workdir``: the repository's config/ copied there (kept when it is
    there already), its config.yaml replaced by ``base`` (default: the repository's) with
    ``overrides`` merged in (:func:`merge_config`). Returns the written config."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "config", workdir / "config", dirs_exist_ok=True)
    config = base if base is not None else read_config()
    merge_config(config, overrides or {})
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return config


def read_config(path: Path | None = None) -> dict:
    """The repository's config/config.yaml (or ``path``) as a dict."""
    return yaml.safe_load(Path(path or REPO / "config" / "config.yaml").read_text())


# ---- running the pipeline ---------------------------------------------------------------------
def package_env(env: dict | None = None) -> dict:
    """The environment of a benchmark's snakemake: PYTHONHASHSEED=0 and this checkout's package
    first on PYTHONPATH (whatever the virtualenv's editable install points at)."""
    env = dict(os.environ if env is None else env)
    path = [str(REPO / "scripts"), *filter(None, [env.get("PYTHONPATH")])]
    env.update(PYTHONHASHSEED="0", PYTHONPATH=os.pathsep.join(path))
    return env


def codebook_options(cfg: dict) -> dict:
    """The options of the codebook classifier in a config, as the framing rules pass them
    (``framing_codebook_options()`` of workflow/rules/framing_common.smk)."""
    f = cfg["framing"]
    return {
        "min_weight": f["min_weight"],
        "relative_threshold": f["relative_threshold"],
        "negation_window": f["negation_window"],
        "negation_cues": list(f["negation_cues"]),
        "doc_min_share": f["doc_min_share"],
        "doc_max_labels": f["doc_max_labels"],
        "n_examples": f["diagnostics"]["examples"],
        "abbreviations": list(cfg["tokenize"]["abbreviations"]),
    }


TOPIC_MODEL_KEYS = (
    "model",
    "k",
    "seeds",
    "max_iter",
    "tol",
    "grid_tol",
    "grid_max_iter",
    "incremental",
    "batch_size",
    "fit_sample",
    "grid_sample",
    "stability_subsample",
    "stability_min",
    "k_rule",
    "stability_tie_se",
    "stability_init",
    "min_units_per_topic",
    "coherence_top_n",
    "diversity_top_n",
    "stability_top_n",
)


def topic_model_options(cfg: dict) -> dict:
    """The params of the topic_model rule in a config (workflow/rules/topics.smk)."""
    t = cfg["topics"]
    return {k: t[k] for k in TOPIC_MODEL_KEYS} | {"validation_column": t["validation"]["column"]}


def snakemake_command(
    workdir: Path,
    *targets: str,
    cores: int = 2,
    shards: int | None = None,
    quiet: Sequence[str] | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The snakemake command line of a run of this checkout's workflow in ``workdir``:
    ``--set-scatter shard=N`` with ``shards``, the ``extra`` options, ``--quiet`` with the
    levels in ``quiet`` (``[]``: plain ``--quiet``; None: not quiet), then the targets."""
    cmd = [str(BIN / "snakemake"), "--snakefile", str(SNAKEFILE), "--directory", str(workdir)]
    cmd += ["--cores", str(cores)]
    if shards is not None:
        cmd += ["--set-scatter", f"shard={shards}"]
    cmd += list(extra)
    if quiet is not None:
        cmd += ["--quiet", *quiet]
    return [*cmd, "--", *targets] if targets else cmd


def run_snakemake(
    workdir: Path,
    *targets: str,
    cores: int = 2,
    shards: int | None = None,
    quiet: Sequence[str] | None = None,
    extra: Sequence[str] = (),
    failure: str = "snakemake failed",
    tail: int = 3000,
) -> float:
    """Run the pipeline in ``workdir`` (targets: default all; options as
    :func:`snakemake_command`) with :func:`package_env`, and return its wall seconds. On
    failure exit with ``failure`` and the tails of snakemake's stdout and stderr."""
    cmd = snakemake_command(workdir, *targets, cores=cores, shards=shards, quiet=quiet, extra=extra)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir, env=package_env())
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{failure}:\n{proc.stdout[-tail:]}\n{proc.stderr[-tail:]}")
    return wall


# ---- the jobs' benchmark files ------------------------------------------------------------------
def job_table(workdir: Path) -> pd.DataFrame:
    """One row per benchmark file of results/benchmarks/ (one per job): rule (the file's or its
    folder's name), file, s (wall), cpu_s and max_rss_mb, of the file's last run, and end (the
    file's mtime, epoch seconds: Snakemake writes it when the job ends)."""
    root = Path(workdir) / "results" / "benchmarks"
    rows = []
    for path in sorted(root.rglob("*.tsv")):
        bench = pd.read_csv(path, sep="\t")
        rel = str(path.relative_to(root))
        rows.append(
            {
                "rule": rel.split("/")[0].removesuffix(".tsv"),
                "file": rel,
                "s": float(bench["s"].iloc[-1]),
                "cpu_s": float(bench["cpu_time"].iloc[-1]),
                "max_rss_mb": float(bench["max_rss"].iloc[-1]),
                "end": path.stat().st_mtime,
            }
        )
    return pd.DataFrame(rows, columns=["rule", "file", "s", "cpu_s", "max_rss_mb", "end"])


def rule_table(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule (the index): seconds and cpu_seconds summed over its jobs, jobs, and the largest
    max_rss_mb of any of its jobs."""
    return jobs.groupby("rule").agg(
        seconds=("s", "sum"),
        cpu_seconds=("cpu_s", "sum"),
        jobs=("s", "size"),
        max_rss_mb=("max_rss_mb", "max"),
    )


# ---- paired bootstrap -------------------------------------------------------------------------
def bootstrap_indices(n: int, resamples: int, seed: int = 0) -> np.ndarray:
    """``resamples`` x ``n`` item indices drawn with replacement (numpy's default_rng(seed))."""
    return np.random.default_rng(seed).integers(0, n, (resamples, n))


def percentile_interval(values, confidence: float = 0.95) -> tuple[float, float]:
    """The percentile interval of a bootstrap distribution. The tail is rounded to 12 digits, so
    0.95 gives exactly numpy's 2.5th and 97.5th percentiles (not 0.025000000000000022)."""
    a = round((1 - confidence) / 2, 12)
    lo, hi = np.quantile(np.asarray(values, dtype=float), [a, 1 - a])
    return float(lo), float(hi)


def mean_interval(
    diff, resamples: int = 2000, seed: int = 0, confidence: float = 0.95
) -> tuple[float, float]:
    """The percentile interval of the mean of paired differences ``diff`` (one per pair or
    replicate): the means of ``resamples`` resamples of the pairs (:func:`bootstrap_indices`
    with ``seed``), then :func:`percentile_interval`."""
    diff = np.asarray(diff, dtype=float)
    means = diff[bootstrap_indices(len(diff), resamples, seed)].mean(axis=1)
    return percentile_interval(means, confidence)


def paired_differences(metric: Callable, gold, method, baseline, idx: np.ndarray) -> np.ndarray:
    """The bootstrap distribution of metric(gold, method) - metric(gold, baseline), both scored
    on the same resampled items (each row of ``idx``: see :func:`bootstrap_indices`)."""
    gold, method, baseline = (np.asarray(x) for x in (gold, method, baseline))
    return np.array([metric(gold[i], method[i]) - metric(gold[i], baseline[i]) for i in idx])


def verdict(lo: float, hi: float) -> str:
    """'wins' when the paired interval lies above zero, 'loses' below, else 'n.s.'."""
    return "wins" if lo > 0 else ("loses" if hi < 0 else "n.s.")


def format_difference(d: np.ndarray) -> str:
    """'mean [lo, hi] verdict' of a paired bootstrap distribution (95 % percentile interval)."""
    lo, hi = np.percentile(d, [2.5, 97.5])
    return f"{d.mean():+.3f} [{lo:+.3f}, {hi:+.3f}] {verdict(lo, hi):5s}"
