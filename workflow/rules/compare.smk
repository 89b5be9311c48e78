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
    script:
        "../../scripts/compare_keyness.py"


COMPARE_VALUES = {
    "frames": f"{TABLES}/frames_documents.csv",
    "actors": dataset_manifest("sentiment_actor_sentences"),
    "topics": f"{TABLES}/topic_articles.csv",
}
COMPARE_LABELS = {
    "frames": "Frames by group",
    "actors": "Actor sentiment by group",
    "topics": "Topics by group",
}


rule compare_groups:
    input:
        values=lambda wc: COMPARE_VALUES[wc.kind],
        documents=f"{TABLES}/documents.csv",
        labels=lambda wc: (
            [f"{TABLES}/topic_summary.csv"] if wc.kind == "topics" else []
        ),
    output:
        table=report(
            f"{TABLES}/compare_{{kind}}.csv",
            caption="../report/compare_groups_table.rst",
            category="Comparison",
            subcategory=lambda wc: COMPARE_LABELS[wc.kind],
            labels=lambda wc: {"item": f"{COMPARE_LABELS[wc.kind]} (table)"},
        ),
        png=report(
            f"{FIGURES}/compare_{{kind}}.png",
            caption="../report/compare_groups.rst",
            category="Comparison",
            subcategory=lambda wc: COMPARE_LABELS[wc.kind],
            labels=lambda wc: {"item": COMPARE_LABELS[wc.kind]},
        ),
        svg=f"{FIGURES}/compare_{{kind}}.svg",
    log:
        f"{LOGS}/compare_{{kind}}.log",
    benchmark:
        f"{BENCH}/compare_{{kind}}.tsv"
    wildcard_constraints:
        kind="frames|actors|topics",
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **COMPARE_COMMON,
        kind=lambda wc: wc.kind,
        bootstrap=COMPARE["bootstrap"],
    script:
        "../../scripts/compare_groups.py"


COMPARE_TIME_LABELS = {
    "frames": "Frames over time",
    "actors": "Actor sentiment over time",
    "topics": "Topics over time",
}


rule compare_time:
    input:
        values=lambda wc: COMPARE_VALUES[wc.kind],
        documents=f"{TABLES}/documents.csv",
        labels=lambda wc: (
            [f"{TABLES}/topic_summary.csv"] if wc.kind == "topics" else []
        ),
    output:
        table=report(
            f"{TABLES}/compare_{{kind}}_time.csv",
            caption="../report/compare_time_table.rst",
            category="Comparison",
            subcategory=lambda wc: COMPARE_TIME_LABELS[wc.kind],
            labels=lambda wc: {"item": f"{COMPARE_TIME_LABELS[wc.kind]} (table)"},
        ),
        effects=report(
            f"{TABLES}/compare_{{kind}}_effects.csv",
            caption="../report/compare_effects_table.rst",
            category="Comparison",
            subcategory=lambda wc: COMPARE_TIME_LABELS[wc.kind],
            labels=lambda wc: {
                "item": f"{COMPARE_TIME_LABELS[wc.kind]}: group effects adjusted for period"
            },
        ),
        png=report(
            f"{FIGURES}/compare_{{kind}}_time.png",
            caption="../report/compare_time.rst",
            category="Comparison",
            subcategory=lambda wc: COMPARE_TIME_LABELS[wc.kind],
            labels=lambda wc: {"item": COMPARE_TIME_LABELS[wc.kind]},
        ),
        svg=f"{FIGURES}/compare_{{kind}}_time.svg",
    log:
        f"{LOGS}/compare_time/{{kind}}.log",
    benchmark:
        f"{BENCH}/compare_time/{{kind}}.tsv"
    wildcard_constraints:
        kind="frames|actors|topics",
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **COMPARE_COMMON,
        kind=lambda wc: wc.kind,
        bootstrap=COMPARE["bootstrap"],
        period=COMPARE["time"]["period"],
        max_items=COMPARE["time"]["figure_items"],
        min_cell_n=config["figures"]["min_cell_n"],
    script:
        "../../scripts/compare_time.py"


rule compare_actor_frames:
    input:
        actors=dataset_manifest("sentiment_actor_sentences"),
        frames=dataset_manifest("frames_sentences"),
        documents=f"{TABLES}/documents.csv",
    output:
        table=report(
            f"{TABLES}/compare_actor_frames.csv",
            caption="../report/compare_actor_frames_table.rst",
            category="Comparison",
            subcategory="Actors x frames by group",
            labels={"item": "Actors x frames by group (table)"},
        ),
        png=report(
            f"{FIGURES}/compare_actor_frames.png",
            caption="../report/compare_actor_frames.rst",
            category="Comparison",
            subcategory="Actors x frames by group",
            labels={"item": "Actors x frames by group"},
        ),
        svg=f"{FIGURES}/compare_actor_frames.svg",
    log:
        f"{LOGS}/compare_actor_frames.log",
    benchmark:
        f"{BENCH}/compare_actor_frames.tsv"
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **COMPARE_COMMON,
        bootstrap=COMPARE["bootstrap"],
        max_actors=COMPARE["max_actors"],
        figure_actors=config["figures"]["max_actors"],
    script:
        "../../scripts/compare_actor_frames.py"


rule compare_kwic:
    input:
        tokens=dataset_manifest("tokens"),
        keyness=rules.compare_keyness.output.table,
        documents=f"{TABLES}/documents.csv",
    output:
        table=report(
            f"{TABLES}/compare_kwic.csv",
            caption="../report/compare_kwic.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Keyword in context"},
        ),
    log:
        f"{LOGS}/compare_kwic.log",
    benchmark:
        f"{BENCH}/compare_kwic.tsv"
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
    script:
        "../../scripts/compare_kwic.py"


rule compare_examples:
    input:
        frames=dataset_manifest("frames_sentences"),
        actors=dataset_manifest("sentiment_actor_sentences"),
        sentences=dataset_manifest("sentences"),
        documents=f"{TABLES}/documents.csv",
    output:
        table=report(
            f"{TABLES}/compare_frame_examples.csv",
            caption="../report/compare_frame_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Example sentences per frame and group"},
        ),
        actors=report(
            f"{TABLES}/compare_actor_examples.csv",
            caption="../report/compare_actor_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Example sentences per actor and group"},
        ),
    log:
        f"{LOGS}/compare_examples.log",
    benchmark:
        f"{BENCH}/compare_examples.tsv"
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **COMPARE_COMMON,
        examples=COMPARE["examples"],
        seed=COMPARE["bootstrap"]["seed"],
    script:
        "../../scripts/compare_examples.py"


rule compare_report_tables:
    input:
        kwic=rules.compare_kwic.output.table,
        frame_examples=rules.compare_examples.output.table,
        actor_examples=rules.compare_examples.output.actors,
    output:
        kwic=report(
            f"{RESULTS}/report_tables/compare_kwic.html",
            caption="../report/compare_kwic.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Table: keyword in context"},
        ),
        frame_examples=report(
            f"{RESULTS}/report_tables/compare_frame_examples.html",
            caption="../report/compare_frame_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Table: example sentences per frame and group"},
        ),
        actor_examples=report(
            f"{RESULTS}/report_tables/compare_actor_examples.html",
            caption="../report/compare_actor_examples.rst",
            category="Comparison",
            subcategory="Evidence",
            labels={"item": "Table: example sentences per actor and group"},
        ),
    log:
        f"{LOGS}/compare_report_tables.log",
    conda:
        ENV
    params:
        max_rows=config["report"]["max_table_rows"],
    script:
        "../../scripts/compare_report_tables.py"
