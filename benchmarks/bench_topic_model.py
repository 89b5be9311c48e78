"""Where the topic_model job's time goes, on the document-term matrix of a finished run.

    PYTHONPATH=scripts python benchmarks/bench_topic_model.py WORKDIR [--threads 2]
        [--set grid_sample=2000 --set grid_max_iter=30 ...] [--repeat 1]

WORKDIR is the working directory of a pipeline run (e.g. one kept by
`bench_pipeline.py --keep DIR`, on a real or news-like corpus): its
results/interim/topics/dtm.npz, units.parquet and results/tables/topic_vocabulary.csv are read.
The job's steps run with the project's config (config/config.yaml of WORKDIR, section
`topics`), each `--set key=value` overriding one key, and print: seconds of the K grid (fits
and coherence), of the final fit and of the transform, the chosen K and its reason. With
several --set variants separated by `--vs`, every variant runs on the same matrix, one after
the other, and a table puts them side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import topic_model_options  # noqa: E402


def params_from_config(cfg: dict, overrides: dict) -> SimpleNamespace:
    values = topic_model_options(cfg)
    values.update(overrides)
    return SimpleNamespace(**values)


def parse_sets(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key] = yaml.safe_load(value)
    return out


def run_variant(workdir: Path, overrides: dict, threads: int) -> dict:
    from newslens import topics_select as ts
    from newslens.runtime import read_parquet
    from newslens.topics_grid import usable_ks

    cfg = yaml.safe_load((workdir / "config" / "config.yaml").read_text())
    p = params_from_config(cfg, overrides)
    counts = ts.load_npz(workdir / "results" / "interim" / "topics" / "dtm.npz")
    vocab = pd.read_csv(
        workdir / "results" / "tables" / "topic_vocabulary.csv", keep_default_na=False
    )
    units = read_parquet(workdir / "results" / "interim" / "topics" / "units.parquet")
    ks = [p.k] if isinstance(p.k, int) else list(p.k)
    nonempty = np.flatnonzero(counts.getnnz(axis=1) > 0)
    frac = p.stability_subsample if len(ks) > 1 else 1.0
    usable, _ = usable_ks(ks, len(nonempty), len(vocab), frac, p.min_units_per_topic)
    df = vocab["df"].to_numpy()
    t0 = time.perf_counter()
    choice = ts.choose_k(counts, df, len(units), nonempty, usable, p, threads)
    grid_s = time.perf_counter() - t0
    final = ts.final_fit(counts, df, len(units), nonempty, choice, p)
    return {
        "units": len(units),
        "terms": counts.shape[1],
        "nnz": counts.nnz,
        "grid_s": grid_s,
        "fit_s": final["fit_seconds"],
        "transform_s": final["transform_seconds"],
        "K": choice.k,
        "reason": choice.reason,
        "grid_cpu_s": sum(f.cpu_seconds for f in choice.fits),
        "fit_cpu_s_per_K": {
            int(k): round(sum(f.cpu_seconds for f in choice.fits if f.k == k), 1)
            for k in sorted({f.k for f in choice.fits})
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    argv = sys.argv[1:]
    groups, cur = [], []
    for a in argv:
        if a == "--vs":
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    groups.append(cur)
    args = parser.parse_args(groups[0])
    variants = [parse_sets(args.sets)]
    for extra in groups[1:]:
        sets = parser.parse_args([str(args.workdir), *extra]).sets
        variants.append(parse_sets(sets))
    rows = []
    for overrides in variants:
        r = run_variant(args.workdir, overrides, args.threads)
        label = " ".join(f"{k}={v}" for k, v in overrides.items()) or "config"
        print(
            f"{label}: {r['units']} units, {r['terms']} terms, {r['nnz']} nonzeros; grid "
            f"{r['grid_s']:.1f} s ({r['grid_cpu_s']:.1f} CPU-s of fits), final fit "
            f"{r['fit_s']:.1f} s, transform {r['transform_s']:.1f} s; {r['reason']}\n"
            f"  fit CPU-seconds per K (summed over its fits): {r['fit_cpu_s_per_K']}"
        )
        rows.append(
            {
                "variant": label,
                **{k: r[k] for k in ("grid_s", "grid_cpu_s", "fit_s", "transform_s", "K")},
            }
        )
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
