# Stage 6: what a reviewer audits — provenance of every number (and the summary).


rule summary:
    input:
        documents=f"{TABLES}/documents.csv",
        audit=f"{TABLES}/cleaning_audit.csv",
        sentiment_groups=f"{TABLES}/sentiment_groups.csv",
        sentiment_documents=f"{TABLES}/sentiment_documents.csv",
        sentiment_actors=f"{TABLES}/sentiment_actors.csv",
        frames_distribution=f"{TABLES}/frames_distribution.csv",
        frames_actors=f"{TABLES}/frames_actors.csv",
        topic_summary=f"{TABLES}/topic_summary.csv",
        topic_selection=f"{TABLES}/topic_model_selection.csv",
    output:
        summary=f"{RESULTS}/summary.md",
    log:
        f"{LOGS}/summary.log",
    conda:
        ENV
    params:
        corpus_path=config["corpus"]["path"],
    script:
        "../../scripts/report_summary.py"


FINAL_OUTPUTS.append(f"{RESULTS}/summary.md")


def reported_outputs():
    """Every file under results/ (not interim/, logs/, benchmarks/) that this run builds: the
    final outputs and every output of every rule they depend on, so that provenance.json
    checksums all of them. Found by walking from FINAL_OUTPUTS through the rules' inputs, with
    the config in use (optional stages count only when they are configured)."""
    from snakemake.iocontainers import Wildcards

    skip = (f"{INTERIM}/", f"{LOGS}/", f"{BENCH}/")
    candidates = [r for r in workflow.rules if r.name not in ("provenance", "all")]
    queue = [str(f) for f in FINAL_OUTPUTS if not str(f).endswith("provenance.json")]
    seen, expanded, found = set(), set(), set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for r in candidates:
            if not r.is_producer(path):
                continue
            wc = r.get_wildcards(path) if r.has_wildcards() else {}
            key = (r.name, tuple(sorted(wc.items())))
            if key in expanded:
                break
            expanded.add(key)
            if not r.has_wildcards():
                found.update(str(o) for o in r.output)
            for item in r.input:
                if callable(item):
                    value = item(Wildcards(fromdict=wc))
                    values = value.values() if isinstance(value, dict) else value
                    values = [values] if isinstance(values, str) else list(values)
                else:
                    values = [str(item).format(**wc) if wc else str(item)]
                queue.extend(str(v) for v in values)
            break
    found.update(
        queue_item for queue_item in seen if queue_item.startswith(f"{RESULTS}/")
    )
    return sorted(
        f
        for f in found
        if f.startswith(f"{RESULTS}/")
        and not f.startswith(skip)
        and f != f"{RESULTS}/provenance.json"
    )


rule provenance:
    input:
        corpus=corpus_files(),
        config_files=config_input_files(),
        results=reported_outputs(),
    output:
        provenance=f"{RESULTS}/provenance.json",
    log:
        f"{LOGS}/provenance.log",
    conda:
        ENV
    params:
        config=config,
        workflow_version=workflow_version(),
        bench_root=BENCH,
    script:
        "../../scripts/report_provenance.py"


FINAL_OUTPUTS.append(f"{RESULTS}/provenance.json")
