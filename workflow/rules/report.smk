# Stage 6: what a reviewer audits — provenance of every number (and the summary).


rule provenance:
    input:
        corpus=corpus_files(),
        config_files=config_input_files(),
        results=list(FINAL_OUTPUTS),
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
