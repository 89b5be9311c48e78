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
