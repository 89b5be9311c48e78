# Compare stage (issue 13): how groups of articles (outlets, countries, weeks/months) differ in
# words (keyness), frames, actor sentiment and topics, each group against a reference, with
# effect sizes and uncertainty. Reads the tables the other stages wrote; never re-reads texts.

COMPARE = config["compare"]
COMPARE_COMMON = dict(
    by=COMPARE["by"],
    reference=COMPARE["reference"],
    min_articles=COMPARE["min_articles"],
)


rule compare_keyness:
    input:
        dtm=f"{INTERIM}/topics/dtm.npz",
        units=f"{INTERIM}/topics/units.parquet",
        vocabulary=f"{TABLES}/topic_vocabulary.csv",
        documents=f"{TABLES}/documents.csv",
    output:
        table=report(
            f"{TABLES}/compare_keyness.csv",
            caption="../report/compare_keyness_table.rst",
            category="Comparison",
            subcategory="Keyness",
            labels={"item": "Keyness table"},
        ),
        png=report(
            f"{FIGURES}/compare_keyness.png",
            caption="../report/compare_keyness.rst",
            category="Comparison",
            subcategory="Keyness",
            labels={"item": "Keyness"},
        ),
        svg=f"{FIGURES}/compare_keyness.svg",
    log:
        f"{LOGS}/compare_keyness.log",
    benchmark:
        f"{BENCH}/compare_keyness.tsv"
    priority: PRIORITY["compare_keyness"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **COMPARE_COMMON,
        min_count=COMPARE["keyness"]["min_count"],
        table_terms=COMPARE["keyness"]["table_terms"],
        figure_terms=COMPARE["keyness"]["figure_terms"],
        figure_groups=COMPARE["figure_groups"],
    script:
        "../../scripts/compare_keyness.py"


# frames, actor sentiment and topics by group and over time, and actors x frames by group: one
# job (they read the same groups and actor table and share the bootstrap weights)
rule compare_groups:
    input:
        frames=f"{TABLES}/frames_documents.csv",
        actors=dataset_manifest("sentiment_actor_sentences"),
        topics=f"{TABLES}/topic_articles.csv",
        topic_summary=f"{TABLES}/topic_summary.csv",
        frame_names=f"{TABLES}/frames_distribution.csv",
        documents=f"{TABLES}/documents.csv",
        frames_sentences=dataset_manifest("frames_sentences"),
    output:
        **compare_group_outputs(),
        actor_frames_table=report(
            f"{TABLES}/compare_actor_frames.csv",
            caption="../report/compare_actor_frames_table.rst",
            category="Comparison",
            subcategory="Actors x frames by group",
            labels={"item": "Actors x frames by group (table)"},
        ),
        actor_frames_png=report(
            f"{FIGURES}/compare_actor_frames.png",
            caption="../report/compare_actor_frames.rst",
            category="Comparison",
            subcategory="Actors x frames by group",
            labels={"item": "Actors x frames by group"},
        ),
        actor_frames_svg=f"{FIGURES}/compare_actor_frames.svg",
    log:
        f"{LOGS}/compare_groups.log",
    benchmark:
        f"{BENCH}/compare_groups.tsv"
    priority: PRIORITY["compare_groups"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        **COMPARE_COMMON,
        bootstrap=COMPARE["bootstrap"],
        period=COMPARE["time"]["period"],
        time_model=COMPARE["time"]["model"],
        spline_df=COMPARE["time"]["spline_df"],
        max_items=COMPARE["time"]["figure_items"],
        min_cell_n=config["figures"]["min_cell_n"],
        max_actors=COMPARE["max_actors"],
        figure_actors=config["figures"]["max_actors"],
        figure_groups=COMPARE["figure_groups"],
    script:
        "../../scripts/compare_groups.py"


# one job for the evidence (keyword in context, example sentences, their report pages): small
# steps that would each pay a job's start-up
rule compare_evidence:
    input:
        tokens=dataset_manifest("tokens"),
        keyness=rules.compare_keyness.output.table,
        frames=dataset_manifest("frames_sentences"),
        actors=dataset_manifest("sentiment_actor_sentences"),
        sentences=dataset_manifest("sentences"),
        documents=f"{TABLES}/documents.csv",
    output:
        kwic=report(
            f"{TABLES}/compare_kwic.csv",
            caption="../report/compare_kwic.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Keyword in context"},
        ),
        frame_examples=report(
            f"{TABLES}/compare_frame_examples.csv",
            caption="../report/compare_frame_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Example sentences per frame and group"},
        ),
        actor_examples=report(
            f"{TABLES}/compare_actor_examples.csv",
            caption="../report/compare_actor_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Example sentences per actor and group"},
        ),
        kwic_page=report(
            f"{RESULTS}/report_tables/compare_kwic.html",
            caption="../report/compare_kwic.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Table: keyword in context"},
        ),
        frame_examples_page=report(
            f"{RESULTS}/report_tables/compare_frame_examples.html",
            caption="../report/compare_frame_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Table: example sentences per frame and group"},
        ),
        actor_examples_page=report(
            f"{RESULTS}/report_tables/compare_actor_examples.html",
            caption="../report/compare_actor_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Table: example sentences per actor and group"},
        ),
    log:
        f"{LOGS}/compare_evidence.log",
    benchmark:
        f"{BENCH}/compare_evidence.tsv"
    priority: PRIORITY["compare_evidence"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        **COMPARE_COMMON,
        terms=COMPARE["kwic"]["terms"],
        top_keyness=COMPARE["kwic"]["top_keyness"],
        window=COMPARE["kwic"]["window"],
        max_rows=COMPARE["kwic"]["max_rows"],
        seed=COMPARE["bootstrap"]["seed"],
        examples=COMPARE["examples"],
        report_rows=config["report"]["max_table_rows"],
    script:
        "../../scripts/compare_evidence.py"
