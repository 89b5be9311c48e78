"""benchmarks/shard_runner.py, the one paired job runner of the benchmarks: a job's entry script
runs in a fresh process with a checkout's package and the job's threads, two checkouts alternate,
the difference gets common's interval, and --compare finds outputs that differ."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import common  # noqa: E402
import shard_runner  # noqa: E402

# a tiny rule script: writes its param, the threads it got and a JSON naming its output folder
TINY_JOB = """
import json, os
from pathlib import Path
out = Path(snakemake.output.text)
out.write_text(snakemake.params.word + " " + os.environ["OMP_NUM_THREADS"] + "\\n")
Path(snakemake.output.manifest).write_text(json.dumps({"parts": [str(out)]}))
Path(snakemake.log[0]).write_text("a log differs every run " + str(os.getpid()))
Path(snakemake.output.png).write_bytes(os.urandom(8))
"""

# a benchmark that pairs the tiny job, as bench_*_jobs.py do
TINY_BENCH = """
import sys
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
from shard_runner import Named, pair_main


def job_smk(job, cfg, out, args):
    return Named(
        input=Named(),
        output=Named(text=str(out / "text.txt"), manifest=str(out / "parts.json"),
                     png=str(out / "fig.png")),
        params=Named(word=cfg["word"] + args.shard),
        log=[str(out / "log.txt")],
    )


pair_main(__doc__ or "tiny", ["tiny"], job_smk, threads=lambda job: 3)
"""


def checkout(root: Path, job_text: str) -> Path:
    """A checkout's scripts/ folder with a package ``newslens`` and the rule script tiny.py."""
    scripts = root / "scripts"
    (scripts / "newslens").mkdir(parents=True)
    (scripts / "newslens" / "__init__.py").write_text("")
    (scripts / "tiny.py").write_text(job_text)
    return scripts


def kept_run(root: Path) -> Path:
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "config.yaml").write_text("word: hello\n")
    return root


def run_bench(tmp_path: Path, base: Path, new: Path, *extra: str) -> str:
    bench = tmp_path / "bench_tiny.py"
    bench.write_text(TINY_BENCH.format(benchmarks=str(REPO / "benchmarks")))
    run = kept_run(tmp_path / "run")
    cmd = [sys.executable, str(bench), str(run), "--base", str(base), "--new", str(new), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_job_env_sets_the_thread_variables_and_only_the_checkout(tmp_path):
    env = shard_runner.job_env(tmp_path, 4, {"PYTHONPATH": "/elsewhere", "KEEP": "1"})
    assert env["PYTHONPATH"] == str(tmp_path)
    assert env["KEEP"] == "1"
    assert [env[n] for n in shard_runner.THREAD_VARIABLES] == ["4"] * 6


def test_run_process_measures_the_childs_own_cpu_and_peak_memory(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import numpy as np, time\n"
        "a = np.ones(60 * 2**20 // 8)  # 60 MiB, touched\n"
        "t = time.process_time()\n"
        "while time.process_time() - t < 0.3: pass\n"
        "print('done')\n"
    )
    cpu, out = shard_runner.run_process([probe], tmp_path)
    assert out == "done\n"
    assert cpu["process"] >= 0.3
    # Linux keeps the spawning process's high-water mark in the child's maxrss (recorded at
    # exec), so the reading is floored at this process's own peak (a full pytest run: ~460 MB)
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert 60 <= cpu["peak_mb"] < max(400, parent_mb + 100)


def test_a_tiny_job_runs_twice_per_pair_in_alternating_order_and_is_reported(tmp_path):
    base = checkout(tmp_path / "base", TINY_JOB)
    new = checkout(tmp_path / "new", TINY_JOB)
    out = run_bench(tmp_path, base, new, "--pairs", "3", "--shard", "2-of-2")
    pairs = re.findall(
        r"^  tiny pair (\d): base ([\d.]+) \(process ([\d.]+), peak_mb (\d+)", out, re.M
    )
    assert [p[0] for p in pairs] == ["1", "2", "3"]
    assert all(0 <= float(w) <= float(p) and int(m) > 5 for _, w, p, m in pairs)
    for measure in ("work CPU-s", "process CPU-s", "peak_mb MiB"):
        assert re.search(rf"^tiny \({measure}, 3 pairs, load .*new - base [-+]\d", out, re.M), out
    assert "outputs:" not in out  # no --compare, no digests
    # the child's job wrote its params and the threads it was given
    keep = tmp_path / "kept"
    env = shard_runner.job_env(base, 3)
    bench = tmp_path / "bench_tiny.py"
    child = [bench, tmp_path / "run", "--shard", "1-of-2", "--child", "tiny", "--out", keep]
    proc = subprocess.run([sys.executable, *map(str, child)], env=env, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert (keep / "text.txt").read_text() == "hello1-of-2 3\n"
    assert set(json.loads(proc.stdout.splitlines()[-1])) == {"work", "process", "peak_mb"}


def test_bench_pairs_alternates_and_digests_only_the_first_pair(capsys):
    calls = []

    def measure(job, scripts, digests):
        calls.append((scripts, digests))
        return {"work": 1.0 if scripts == "B" else 0.5, "files": {"a": scripts} if digests else {}}

    runs = shard_runner.bench_pairs(
        ["j"], {"base": "B", "new": "N"}, 4, measure, measures=("work",), compare=True
    )
    assert calls == [
        ("B", True),
        ("N", True),
        ("N", False),
        ("B", False),
        ("B", False),
        ("N", False),
        ("N", False),
        ("B", False),
    ]
    assert [x["work"] for x in runs["j"]["new"]] == [0.5] * 4
    out = capsys.readouterr().out
    assert "  j outputs: 1 files, DIFFER: ['a']" in out
    assert re.search(r"^j \(work CPU-s, 4 pairs.*new - base -0\.50 \[-0\.50, -0\.50\]", out, re.M)
    assert "(-50%; costs less)" in out


def test_report_uses_commons_interval():
    diffs = [0.2, -0.1, 0.4, 0.3, 0.1]
    runs = {"base": [{"x": 1.0}] * 5, "new": [{"x": 1.0 + d} for d in diffs]}
    (line,) = shard_runner.report("job", runs, [1.0, 2.0], ["x"])
    low, high = common.mean_interval(np.array(diffs), 10_000, seed=0)
    assert f"new - base +0.18 [{low:+.2f}, {high:+.2f}]" in line
    word = "n.s." if low <= 0 <= high else "costs more" if low > 0 else "costs less"
    assert "load 1.0-2.0" in line and line.endswith(f"(+18%; {word})")


def test_compare_finds_a_planted_difference_and_passes_identical_outputs(tmp_path):
    base = checkout(tmp_path / "base", TINY_JOB)
    same = checkout(tmp_path / "same", TINY_JOB)
    out = run_bench(tmp_path, base, same, "--pairs", "2", "--compare")
    # text.txt and parts.json (its folder path masked); the figure and the log are not compared
    assert "  tiny outputs: 2 files, all byte-identical" in out
    planted = checkout(tmp_path / "planted", TINY_JOB.replace('"\\n"', '"\\r\\n"'))
    out = run_bench(tmp_path, base, planted, "--pairs", "2", "--compare")
    assert "  tiny outputs: 2 files, DIFFER: ['text.txt']" in out


def test_file_digests_mask_the_folder_in_json_and_name_extra_files(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / "m.json").write_text(json.dumps({"part": str(folder / "p.parquet")}))
        (folder / "log.txt").write_text(str(folder))
    (tmp_path / "manifest.json").write_text("{}")
    a = shard_runner.file_digests(one, [tmp_path / "manifest.json"], tmp_path)
    b = shard_runner.file_digests(two)
    assert sorted(a) == ["m.json", "manifest.json"]
    assert shard_runner.differing(a, b) == ["manifest.json"]


def test_snakemake_job_script_is_reused_when_kept(tmp_path):
    scripts = tmp_path / ".snakemake" / "scripts"
    scripts.mkdir(parents=True)
    for name in ("tmpb.tokens_tokenize.py", "tmpa.tokens_tokenize.py", "tmpc.clean.py"):
        (scripts / name).write_text("")
    assert shard_runner.snakemake_job_script(tmp_path, "tokens_tokenize").name == (
        "tmpa.tokens_tokenize.py"
    )


def test_the_area_benchmarks_are_thin_wrappers_of_the_runner():
    for name in ("actor", "frames", "corpus"):
        text = (REPO / "benchmarks" / f"bench_{name}_jobs.py").read_text(encoding="utf-8")
        assert "from shard_runner import" in text and "pair_main(" in text
        assert "subprocess" not in text and "bootstrap_indices" not in text
    assert os.path.exists(REPO / "benchmarks" / "bench_sentiment_shard.py")


def test_bench_job_startup_pairs_the_imports_through_the_runner():
    bench = REPO / "benchmarks" / "bench_job_startup.py"
    scripts = str(REPO / "scripts")
    args = ["imports", "--pairs", "2", "--scripts", "ingest", "--base", scripts, "--new", scripts]
    proc = subprocess.run([sys.executable, str(bench), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = re.search(r"^ingest \(process CPU-s, 2 pairs.*", proc.stdout, re.M).group(0)
    base, new = map(float, re.search(r"base ([\d.]+), new ([\d.]+)", line).groups())
    assert 0.05 < base < 20 and 0.05 < new < 20  # an interpreter start and its imports
    assert re.search(r"^ingest \(peak_mb MiB, 2 pairs.*base (\d+)", proc.stdout, re.M)
    assert "heavy base:" in proc.stdout
