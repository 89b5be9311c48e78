"""benchmarks/bench_tokenize_jobs.py pairs the two tokenize jobs through the shared runner and
compares their outputs byte for byte."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
from newslens.tokenize import punkt_to_json, train_punkt

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks" / "bench_tokenize_jobs.py"

TEXT = (
    "Mr. Sargsyan met Pres. Aliyev in St. Petersburg on 3 Jan. 2021. Talks resumed!\n\n"
    "\u201cWe won't,\u201d said N. Pashinyan. The U.S. said 50% of 12,000 people... returned."
)


def kept_run(root: Path) -> Path:
    """A run folder with what the two jobs read: config, 2 clean shards, duplicates, Punkt."""
    shutil.copytree(REPO / "config", root / "config")
    interim = root / "results" / "interim"
    (interim / "clean").mkdir(parents=True)
    for k, rows in enumerate((range(0, 30), range(30, 50))):
        pd.DataFrame(
            {
                "doc_index": list(rows),
                "doc_id": [f"d{i}" for i in rows],
                **{c: ["x"] * len(rows) for c in ("title", "date", "date_precision")},
                **{c: [None] * len(rows) for c in ("author", "role")},
                "lede": ["x"] * len(rows),
                "source": ["test"] * len(rows),
                "text": [TEXT + f" Item {i}." for i in rows],
            }
        ).to_parquet(interim / "clean" / f"{k + 1}-of-2.parquet", index=False)
    pd.DataFrame({"doc_id": ["d3"]}).to_parquet(interim / "duplicates.parquet", index=False)
    params = train_punkt(TEXT * 5, ["mr", "pres", "st", "jan"])
    (interim / "punkt_params.json").write_text(punkt_to_json(params), encoding="utf-8")
    return root


def test_both_jobs_run_paired_and_their_outputs_match(tmp_path):
    run = kept_run(tmp_path / "run")
    scripts = str(REPO / "scripts")
    args = ["--pairs", "2", "--base", scripts, "--new", scripts, "--copies", "3"]
    proc = subprocess.run(
        [sys.executable, str(BENCH), str(run), *args], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "tokens_train_punkt outputs: 1 files, all byte-identical" in out
    # part lists and part files of 3 tables, documents and n-grams (shard 1-of-2: one block)
    found = re.search(r"tokens_tokenize outputs: (\d+) files, all byte-identical", out)
    assert found and int(found.group(1)) >= 5
    for job in ("tokens_train_punkt", "tokens_tokenize"):
        line = re.search(rf"^{job} \(process CPU-s, 2 pairs.*", out, re.M).group(0)
        base, new = map(float, re.search(r"base ([\d.]+), new ([\d.]+)", line).groups())
        assert 0.05 < base < 60 and 0.05 < new < 60
    assert len(re.findall(r"^  tokens_tokenize pair \d", out, re.M)) == 2
