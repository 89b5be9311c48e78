# Stage 6: what a reviewer audits — provenance of every number (and the summary).


# Key tables as interactive pages inside the report (sort, search; offline).
REPORT_TABLES = [
    "documents",
    "frames_documents",
    "sentiment_actors",
    "frames_actors",
    "topic_summary",
]


rule report_tables:
    input:
        **{name: f"{TABLES}/{name}.csv" for name in REPORT_TABLES},
    output:
        documents=report(
            f"{RESULTS}/report_tables/documents.html",
            caption="../report/interactive_table.rst",
            category="Corpus",
            subcategory="Interactive tables",
            labels={"item": "Table: documents"},
        ),
        frames_documents=report(
            f"{RESULTS}/report_tables/frames_documents.html",
            caption="../report/interactive_table.rst",
            category="Framing",
            subcategory="Interactive tables",
            labels={"item": "Table: frames per article"},
        ),
        sentiment_actors=report(
            f"{RESULTS}/report_tables/sentiment_actors.html",
            caption="../report/interactive_table.rst",
            category="Sentiment",
            subcategory="Interactive tables",
            labels={"item": "Table: actors"},
        ),
        frames_actors=report(
            f"{RESULTS}/report_tables/frames_actors.html",
            caption="../report/interactive_table.rst",
            category="Framing",
            subcategory="Interactive tables",
            labels={"item": "Table: actors x frames"},
        ),
        topic_summary=report(
            f"{RESULTS}/report_tables/topic_summary.html",
            caption="../report/interactive_table.rst",
            category="Topics",
            subcategory="Interactive tables",
            labels={"item": "Table: topics"},
        ),
    log:
        f"{LOGS}/report_tables.log",
    benchmark:
        f"{BENCH}/report_tables.tsv"
    priority: PRIORITY["report_tables"]
    conda:
        ENV
    params:
        max_rows=config["report"]["max_table_rows"],
    script:
        "../../scripts/report_tables.py"


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
        compare_keyness=f"{TABLES}/compare_keyness.csv",
        compare_frames=f"{TABLES}/compare_frames.csv",
        compare_actors=f"{TABLES}/compare_actors.csv",
        compare_topics=f"{TABLES}/compare_topics.csv",
        frames_verdict=(
            f"{TABLES}/frames_validation_verdict.md"
            if config["framing"]["validation"]["gold"]
            else []
        ),
    output:
        summary=f"{RESULTS}/summary.md",
        html=report(
            f"{RESULTS}/summary.html",
            caption="../report/summary.rst",
            category="Summary",
            subcategory="Read first",
            labels={"item": "Summary of the run"},
        ),
    log:
        f"{LOGS}/summary.log",
    benchmark:
        f"{BENCH}/summary.tsv"
    priority: PRIORITY["summary"]
    conda:
        ENV
    params:
        corpus_path=config["corpus"]["path"],
        confidence=config["sentiment"]["bootstrap"]["confidence"],
        k_rule=config["topics"]["k_rule"],
        compare_by=config["compare"]["by"],
        min_articles=config["compare"]["min_articles"],
        compare_confidence=config["compare"]["bootstrap"]["confidence"],
        min_cell_n=config["figures"]["min_cell_n"],
        max_compare_rows=config["summary"]["max_compare_rows"],
        max_comparisons=config["summary"]["max_comparisons"],
    script:
        "../../scripts/summary.py"


rule provenance:
    input:
        corpus=corpus_files(),
        config_files=config_input_files(),
        results=reported_outputs(),
    output:
        provenance=f"{RESULTS}/provenance.json",
    log:
        f"{LOGS}/provenance.log",
    benchmark:
        f"{BENCH}/provenance.tsv"
    priority: PRIORITY["provenance"]
    conda:
        ENV
    # the last job (it needs every other one): its files are hashed in parallel threads
    threads: max(1, min(workflow.cores, 4))
    params:
        config=config,
        workflow_version=workflow_version(),
        bench_root=BENCH,
    script:
        "../../scripts/provenance.py"
