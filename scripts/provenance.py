"""Write results/provenance.json: what produced the results, for a reviewer to audit."""

import json
import os
import platform
from pathlib import Path

from newslens.provenance import (
    dataset_checksums,
    package_versions,
    rule_timings,
    sha256_files,
)
from newslens.runtime import atomic_path, log, run
from newslens.shards import MANIFEST


def main(smk):
    threads = max(1, int(smk.threads))
    inputs = set(smk.input.corpus) | set(smk.input.config_files)
    # a partitioned dataset (newslens.shards): its manifest and every part file it lists; the
    # parts' SHA-256 as recorded in the manifest when they were written (unless modified since)
    results = sorted(smk.input.results)
    recorded, again = {}, []
    for manifest in [p for p in results if Path(p).name == MANIFEST]:
        known, stale = dataset_checksums(manifest)
        recorded.update(known)
        again += stale
        if stale:
            log.info(
                "%s: %d part files newer than the manifest, hashed again", manifest, len(stale)
            )
    hashed = sha256_files([*inputs, *results, *again], threads)
    checksums = {path: hashed[path] for path in sorted(inputs)}
    outputs = {path: hashed[path] for path in [*results, *again]} | recorded
    outputs = dict(sorted(outputs.items()))
    # the jobs' benchmark files, not this job's own (of an earlier run)
    own = Path(smk.params.bench_root) / "provenance.tsv"
    benchmarks = [str(p) for p in Path(smk.params.bench_root).rglob("*.tsv") if p != own]
    provenance = {
        "config": smk.params.config,
        "workflow": smk.params.workflow_version,
        "packages": package_versions(),
        "platform": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "input_files": {"count": len(checksums), "sha256": checksums},
        "output_files": {"count": len(outputs), "sha256": outputs},
        "jobs": rule_timings(benchmarks, smk.params.bench_root),
    }
    with atomic_path(smk.output.provenance) as tmp:
        tmp.write_text(
            json.dumps(provenance, indent=1, ensure_ascii=False, default=str), encoding="utf-8"
        )
    log.info(
        "provenance: %d input files, %d outputs (%d part files' SHA-256 from their datasets' "
        "manifests), %d timed jobs, %d threads",
        len(checksums),
        len(outputs),
        len(recorded),
        len(provenance["jobs"]),
        threads,
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
