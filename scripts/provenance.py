"""Write results/provenance.json: what produced the results, for a reviewer to audit."""

import json
import os
import platform
from pathlib import Path

from newslens.provenance import package_versions, rule_timings, sha256_file
from newslens.runtime import atomic_path, log, run
from newslens.shards import MANIFEST, dataset_parts


def main(smk):
    inputs = sorted(set(smk.input.corpus) | set(smk.input.config_files))
    checksums = {path: sha256_file(path) for path in inputs}
    outputs = {path: sha256_file(path) for path in sorted(smk.input.results)}
    # a partitioned dataset (newslens.shards): its manifest and every part file it lists
    for manifest in [p for p in outputs if Path(p).name == MANIFEST]:
        for part in dataset_parts(manifest):
            outputs[part.as_posix()] = sha256_file(part)
    outputs = dict(sorted(outputs.items()))
    benchmarks = [str(p) for p in Path(smk.params.bench_root).rglob("*.tsv")]
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
        "provenance: %d input files, %d outputs, %d timed jobs",
        len(checksums),
        len(outputs),
        len(provenance["jobs"]),
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
