"""Paired CPU-seconds of two steps of the compare jobs at function level, base against new.

    python benchmarks/bench_compare_call_pairs.py keyness RUN_DIR BASE_SCRIPTS [--pairs 6]
    python benchmarks/bench_compare_call_pairs.py png PNG_DIR [--pairs 6]
    python benchmarks/bench_compare_call_pairs.py kwic RUN_DIR BASE_SCRIPTS [--pairs 6]

``keyness``: ``compare.keyness_table`` on a kept run's unit x term matrix and groups (as
compare_keyness calls it), in alternating fresh processes with BASE_SCRIPTS or this checkout's
scripts/ first on the path; the inputs are read and scipy imported before the clock; each
process prints the call's CPU-seconds and a sha256 of the table (pickled), which must agree.
``kwic``: the same for ``compare_evidence.kwic_table`` (the run's keyness table,
``kwic_targets`` and ``scan_hits`` before the clock; the table's CSV hashed).
``png``: every PNG of PNG_DIR (e.g. a compare job's outputs) decoded to its RGBA buffer and
written as matplotlib writes a figure (``matplotlib.image.imsave``, the figure's dpi and no
Software text) with Pillow's default deflate and with ``compare_panels.PNG_OPTIONS``, the two
alternating in one process; the decoded pixels of both must equal the buffer. Prints each
side's mean and the paired difference (new - base) with a percentile bootstrap 95 % interval
over pairs (``common.mean_interval``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, mean_interval, verdict  # noqa: E402

KEYNESS_CHILD = r"""
import hashlib, json, pickle, sys, time
from pathlib import Path
import yaml
import pandas as pd
from scipy import sparse, special  # imported before the clock
from newslens import compare as cp
from newslens.runtime import read_parquet
from newslens.topics_matrix import load_npz
run = Path(sys.argv[1])
cfg = yaml.safe_load((run / "config" / "config.yaml").read_text())["compare"]
res = run / "results"
groups = cp.read_groups(str(res / "tables" / "documents.csv"), cfg["by"])
dtm = load_npz(str(res / "interim" / "topics" / "dtm.npz"))
units = read_parquet(str(res / "interim" / "topics" / "units.parquet"), columns=["doc_id"])
terms = pd.read_csv(res / "tables" / "topic_vocabulary.csv", keep_default_na=False)["term"]
terms = terms.astype(str).tolist()
t0 = time.process_time()
tab = cp.keyness_table(dtm, units["doc_id"].astype(str).to_numpy(), groups, terms,
                       cfg["reference"], min_count=cfg["keyness"]["min_count"],
                       min_articles=cfg["min_articles"], top_n=cfg["keyness"]["table_terms"])
cpu = time.process_time() - t0
digest = hashlib.sha256(pickle.dumps(tab.to_dict("list"))).hexdigest()[:16]
print(json.dumps({"cpu": cpu, "rows": len(tab), "sha": digest}))
"""


KWIC_CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
import yaml
import pandas as pd
from newslens import compare as cp
from newslens import compare_evidence as ce
run = Path(sys.argv[1])
cfg = yaml.safe_load((run / "config" / "config.yaml").read_text())["compare"]
tab = run / "results" / "tables"
keyness = pd.read_csv(tab / "compare_keyness.csv", keep_default_na=False)
kw = cfg["kwic"]
targets = ce.kwic_targets(keyness, kw["terms"], kw["top_keyness"])
groups = cp.read_groups(str(tab / "documents.csv"), cfg["by"])
hits = ce.scan_hits(str(tab / "tokens" / "_manifest.json"), set(targets["term"].astype(str)))
t0 = time.process_time()
out = ce.kwic_table(hits, targets, groups, cfg["reference"], kw["max_rows"],
                    cfg["bootstrap"]["seed"], cfg["min_articles"])
cpu = time.process_time() - t0
digest = hashlib.sha256(out.to_csv().encode()).hexdigest()[:16]
print(json.dumps({"cpu": cpu, "rows": len(out), "sha": digest}))
"""


def keyness_pairs(run_dir: Path, base: Path, pairs: int, child: str = KEYNESS_CHILD) -> None:
    sides = {"base": base.resolve(), "new": REPO / "scripts"}
    got: dict[str, list[float]] = {"base": [], "new": []}
    shas = set()
    for pair in range(pairs):
        for side in ("base", "new") if pair % 2 == 0 else ("new", "base"):
            env = dict(os.environ, PYTHONPATH=str(sides[side]), OPENBLAS_NUM_THREADS="1")
            proc = subprocess.run(
                [sys.executable, "-c", child, str(run_dir)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            got[side].append(out["cpu"])
            shas.add(out["sha"])
            print(
                f"pair {pair + 1} {side:4s}: {out['cpu']:.3f} CPU-s, {out['rows']} rows, "
                f"table {out['sha']} (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    report(got, "keyness_table CPU-s" if child == KEYNESS_CHILD else "kwic_table CPU-s")
    print("tables equal" if len(shas) == 1 else f"TABLES DIFFER: {sorted(shas)}")


def png_pairs(png_dir: Path, pairs: int) -> None:
    from matplotlib import image
    from PIL import Image

    sys.path.insert(0, str(REPO / "scripts"))
    from newslens.compare_panels import PNG_OPTIONS

    files = sorted(png_dir.rglob("*.png"))
    buffers = []
    for f in files:
        with Image.open(f) as im:
            dpi = round(im.info.get("dpi", (200, 200))[0])
            buffers.append((np.asarray(im.convert("RGBA")), dpi))

    def write_all(options):
        outs = []
        t0 = time.process_time()
        for rgba, dpi in buffers:
            buf = io.BytesIO()
            image.imsave(
                buf,
                rgba,
                format="png",
                origin="upper",
                dpi=dpi,
                metadata={"Software": None},
                pil_kwargs=dict(options) if options else None,
            )
            outs.append(buf.getvalue())
        return time.process_time() - t0, outs

    got: dict[str, list[float]] = {"base": [], "new": []}
    size = {}
    for pair in range(pairs):
        for side in ("base", "new") if pair % 2 == 0 else ("new", "base"):
            cpu, outs = write_all(None if side == "base" else PNG_OPTIONS)
            got[side].append(cpu)
            size[side] = sum(len(o) for o in outs)
            for (rgba, _dpi), data in zip(buffers, outs, strict=True):
                with Image.open(io.BytesIO(data)) as back:
                    assert np.array_equal(np.asarray(back.convert("RGBA")), rgba)
            print(f"pair {pair + 1} {side:4s}: {cpu:.3f} CPU-s (load {os.getloadavg()[0]:.1f})")
    print(f"{len(files)} PNGs, pixels equal; bytes base {size['base']:,}, new {size['new']:,}")
    report(got, "PNG writes CPU-s")


def report(got: dict[str, list[float]], what: str) -> None:
    base, new = np.array(got["base"]), np.array(got["new"])
    lo, hi = mean_interval(new - base)
    print(
        f"{what}: base {base.mean():.3f}, new {new.mean():.3f}, new - base "
        f"{(new - base).mean():+.3f} [{lo:+.3f}, {hi:+.3f}] ({verdict(lo, hi)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["keyness", "png", "kwic"])
    ap.add_argument("path", type=Path, help="keyness, kwic: a kept run; png: a folder of PNGs")
    ap.add_argument("base", type=Path, nargs="?", help="keyness, kwic: the baseline's scripts/")
    ap.add_argument("--pairs", type=int, default=6)
    args = ap.parse_args()
    if args.step in ("keyness", "kwic"):
        if args.base is None:
            raise SystemExit(f"{args.step} needs BASE_SCRIPTS")
        child = KEYNESS_CHILD if args.step == "keyness" else KWIC_CHILD
        keyness_pairs(args.path, args.base, args.pairs, child)
    else:
        png_pairs(args.path, args.pairs)


if __name__ == "__main__":
    main()
