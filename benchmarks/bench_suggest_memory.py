"""Peak memory and time of the codebook suggestions' term matrix
(newslens.frames_suggest._term_matrix) on N synthetic sentences, beside the baseline of the
sentences alone. Each measurement runs in a fresh process and reads its peak RSS (VmHWM).

    nice python benchmarks/bench_suggest_memory.py [--sentences 500000] [--seed 0]

Compare two versions of the package by PYTHONPATH (e.g. main's scripts/ and a branch's).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np
n, seed, what = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(seed)
letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
vocab = ["".join(rng.choice(letters, size=k)) for k in rng.integers(3, 11, size=50_000)]
ranks = np.minimum(rng.zipf(1.2, size=n * 20), len(vocab)) - 1
lengths = rng.integers(8, 33, size=n)
texts, at = [], 0
for k in lengths:
    texts.append(" ".join(vocab[i] for i in ranks[at % len(ranks) : at % len(ranks) + k]) + ".")
    at += k
del ranks
start = time.process_time()
nnz = 0
from newslens.frames_suggest import _term_matrix
if what == "matrix":
    X, terms, surface = _term_matrix(texts, set(), lambda w: w[:6], {"the"}, 3)
    nnz = int(X.nnz)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"peak_mb": int(hwm) / 1024, "cpu_s": time.process_time() - start, "nnz": nnz}))
"""


def measure(n: int, seed: int, what: str) -> dict:
    env = {**os.environ}
    env.setdefault("PYTHONPATH", str(REPO / "scripts"))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(seed), what],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"package: {os.environ.get('PYTHONPATH', REPO / 'scripts')}")
    print(f"{'what':<28}{'peak MB':>10}{'CPU s':>8}{'nnz':>12}")
    for what, label in [("texts", "sentences + imports (base)"), ("matrix", "_term_matrix")]:
        r = measure(args.sentences, args.seed, what)
        print(f"{label:<28}{r['peak_mb']:>10.0f}{r['cpu_s']:>8.1f}{r['nnz']:>12,}")


if __name__ == "__main__":
    main()
