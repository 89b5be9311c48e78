# Topic stage (issue 5): document-term matrix from the token tables, NMF/LDA, K chosen by a
# measured rule, per-topic evidence, topics by metadata and the ANTMN topic network.
# topic_counts counts terms per unit in each token shard (streamed); topic_dtm joins the shards'
# counts on the corpus vocabulary; topic_model fits the K grid on a bounded sample (in parallel
# processes within the job) and the chosen model; topic_outputs writes the tables and figures.

TOPICS_CFG = config["topics"]


rule topic_counts:
    input:
        tokens=f"{INTERIM}/tokens/{{scatteritem}}.json",
        paragraphs=f"{INTERIM}/paragraphs/{{scatteritem}}.json",
        docs=f"{INTERIM}/docs/{{scatteritem}}.parquet",
        all_docs=shard_files(f"{INTERIM}/docs/{{scatteritem}}.parquet"),
    output:
        counts=f"{INTERIM}/topics/counts/{{scatteritem}}.npz",
        terms=f"{INTERIM}/topics/counts/{{scatteritem}}.terms.parquet",
        units=f"{INTERIM}/topics/counts/{{scatteritem}}.units.parquet",
    log:
        f"{LOGS}/topic_counts/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/topic_counts/{{scatteritem}}.tsv"
    priority: PRIORITY["topic_counts"]
    conda:
        ENV
    params:
        unit=TOPICS_CFG["unit"],
        auto_min_articles=TOPICS_CFG["auto_min_articles"],
        ngram_max=TOPICS_CFG["ngram_max"],
    script:
        "../../scripts/topic_counts.py"


rule topic_dtm:
    input:
        counts=shard_files(f"{INTERIM}/topics/counts/{{scatteritem}}.npz"),
        terms=shard_files(f"{INTERIM}/topics/counts/{{scatteritem}}.terms.parquet"),
        units=shard_files(f"{INTERIM}/topics/counts/{{scatteritem}}.units.parquet"),
    output:
        dtm=f"{INTERIM}/topics/dtm.npz",
        units=f"{INTERIM}/topics/units.parquet",
        vocabulary=f"{TABLES}/topic_vocabulary.csv",
    log:
        f"{LOGS}/topic_dtm.log",
    benchmark:
        f"{BENCH}/topic_dtm.tsv"
    priority: PRIORITY["topic_dtm"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        min_df=TOPICS_CFG["min_df"],
        max_df=TOPICS_CFG["max_df"],
        max_features=TOPICS_CFG["max_features"],
    script:
        "../../scripts/topic_dtm.py"


rule topic_model:
    input:
        dtm=rules.topic_dtm.output.dtm,
        units=rules.topic_dtm.output.units,
        vocabulary=rules.topic_dtm.output.vocabulary,
        documents=f"{TABLES}/documents.csv",
    output:
        selection=f"{TABLES}/topic_model_selection.csv",
        validation=f"{TABLES}/topic_validation_k.csv",
        fit=f"{INTERIM}/topics/fit.npz",
        info=f"{INTERIM}/topics/fit.json",
    log:
        f"{LOGS}/topic_model.log",
    benchmark:
        f"{BENCH}/topic_model.tsv"
    priority: PRIORITY["topic_model"]
    conda:
        ENV
    # The grid's fits in up to this many processes; the final fit has one BLAS thread, so
    # results do not depend on it. Half the cores, so the job runs beside another.
    threads: max(1, min(workflow.cores // 2, 8))
    resources:
        mem_mb=16000,
        runtime=240,
    params:
        model=TOPICS_CFG["model"],
        k=TOPICS_CFG["k"],
        seeds=TOPICS_CFG["seeds"],
        max_iter=TOPICS_CFG["max_iter"],
        tol=TOPICS_CFG["tol"],
        grid_tol=TOPICS_CFG["grid_tol"],
        grid_max_iter=TOPICS_CFG["grid_max_iter"],
        incremental=TOPICS_CFG["incremental"],
        batch_size=TOPICS_CFG["batch_size"],
        fit_sample=TOPICS_CFG["fit_sample"],
        grid_sample=TOPICS_CFG["grid_sample"],
        stability_subsample=TOPICS_CFG["stability_subsample"],
        stability_min=TOPICS_CFG["stability_min"],
        k_rule=TOPICS_CFG["k_rule"],
        stability_tie_se=TOPICS_CFG["stability_tie_se"],
        stability_init=TOPICS_CFG["stability_init"],
        validation_column=TOPICS_CFG["validation"]["column"],
        min_units_per_topic=TOPICS_CFG["min_units_per_topic"],
        coherence_top_n=TOPICS_CFG["coherence_top_n"],
        diversity_top_n=TOPICS_CFG["diversity_top_n"],
        stability_top_n=TOPICS_CFG["stability_top_n"],
    script:
        "../../scripts/topic_model.py"


rule topic_outputs:
    input:
        fit=rules.topic_model.output.fit,
        info=rules.topic_model.output.info,
        selection=rules.topic_model.output.selection,
        validation=rules.topic_model.output.validation,
        units=rules.topic_dtm.output.units,
        vocabulary=rules.topic_dtm.output.vocabulary,
        paragraphs=shard_files(f"{INTERIM}/paragraphs/{{scatteritem}}.json"),
        documents=f"{TABLES}/documents.csv",
    output:
        terms=f"{TABLES}/topic_terms.csv",
        documents=f"{TABLES}/topic_documents.csv",
        articles=f"{TABLES}/topic_articles.csv",
        summary=f"{TABLES}/topic_summary.csv",
        representatives=f"{TABLES}/topic_representatives.csv",
        by_metadata=f"{TABLES}/topic_by_metadata.csv",
        nodes=f"{TABLES}/topic_network_nodes.csv",
        edges=f"{TABLES}/topic_network_edges.csv",
        validation_topics=f"{TABLES}/topic_validation_topics.csv",
        validation_categories=f"{TABLES}/topic_validation_categories.csv",
        fig_terms=report(
            f"{FIGURES}/topic_terms.png",
            caption="../report/topic_terms.rst",
            category="Topics",
            subcategory="Figures",
            labels={"item": "Top words per topic"},
        ),
        svg_terms=f"{FIGURES}/topic_terms.svg",
        fig_prevalence=report(
            f"{FIGURES}/topic_prevalence.png",
            caption="../report/topic_prevalence.rst",
            category="Topics",
            subcategory="Figures",
            labels={"item": "Topic prevalence"},
        ),
        svg_prevalence=f"{FIGURES}/topic_prevalence.svg",
        fig_k=report(
            f"{FIGURES}/topic_k_selection.png",
            caption="../report/topic_k_selection.rst",
            category="Topics",
            subcategory="Model selection",
            labels={"item": "Choosing K"},
        ),
        svg_k=f"{FIGURES}/topic_k_selection.svg",
        fig_metadata=report(
            f"{FIGURES}/topic_by_metadata.png",
            caption="../report/topic_by_metadata.rst",
            category="Topics",
            subcategory="Figures",
            labels={"item": "Topics by metadata"},
        ),
        svg_metadata=f"{FIGURES}/topic_by_metadata.svg",
        fig_network=report(
            f"{FIGURES}/topic_network.png",
            caption="../report/topic_network.rst",
            category="Topics",
            subcategory="Figures",
            labels={"item": "Topic network"},
        ),
        svg_network=f"{FIGURES}/topic_network.svg",
        fig_validation=report(
            f"{FIGURES}/topic_validation.png",
            caption="../report/topic_validation.rst",
            category="Topics",
            subcategory="Validation",
            labels={"item": "Topics against known categories"},
        ),
        svg_validation=f"{FIGURES}/topic_validation.svg",
    log:
        f"{LOGS}/topic_outputs.log",
    benchmark:
        f"{BENCH}/topic_outputs.tsv"
    priority: PRIORITY["topic_outputs"]
    conda:
        ENV
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        top_terms=TOPICS_CFG["top_terms"],
        label_terms=TOPICS_CFG["label_terms"],
        representatives=TOPICS_CFG["representatives"],
        snippet_chars=TOPICS_CFG["snippet_chars"],
        network_min_correlation=TOPICS_CFG["network_min_correlation"],
        metadata=config["corpus"]["metadata"],
        validation_column=TOPICS_CFG["validation"]["column"],
    script:
        "../../scripts/topic_outputs.py"
