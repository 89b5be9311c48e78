# Stage 2: paragraphs, sentences (Punkt trained on the corpus), tokens, terms, n-grams.


rule tokens_train_punkt:
    input:
        clean=shard_files(f"{INTERIM}/clean/{{scatteritem}}.parquet"),
        dropped=f"{INTERIM}/duplicates.parquet",
    output:
        params=f"{INTERIM}/punkt_params.json",
    log:
        f"{LOGS}/tokens_train_punkt.log",
    benchmark:
        f"{BENCH}/tokens_train_punkt.tsv"
    priority: PRIORITY["tokens_train_punkt"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        abbreviations=config["tokenize"]["abbreviations"],
        training_chars=config["tokenize"]["punkt_training_chars"],
    script:
        "../../scripts/tokens_train_punkt.py"


rule tokens_tokenize:
    input:
        clean=f"{INTERIM}/clean/{{scatteritem}}.parquet",
        dropped=f"{INTERIM}/duplicates.parquet",
        punkt=f"{INTERIM}/punkt_params.json",
        stopwords=config["tokenize"]["stopwords_file"],
    output:
        # part lists (JSON) of the part files this shard writes into results/tables/<name>/
        paragraphs=f"{INTERIM}/paragraphs/{{scatteritem}}.json",
        sentences=f"{INTERIM}/sentences/{{scatteritem}}.json",
        tokens=f"{INTERIM}/tokens/{{scatteritem}}.json",
        docs=f"{INTERIM}/docs/{{scatteritem}}.parquet",
        ngrams=f"{INTERIM}/ngrams/{{scatteritem}}.parquet",
    log:
        f"{LOGS}/tokens_tokenize/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/tokens_tokenize/{{scatteritem}}.tsv"
    priority: PRIORITY["tokens_tokenize"]
    conda:
        ENV
    resources:
        mem_mb=12000,
        runtime=120,
    params:
        settings=tokenize_settings(),
        metadata=carried_metadata(),
        tables={name: f"{TABLES}/{name}" for name in PARTITIONED_CORPUS_TABLES},
        part_articles=config["tokenize"]["part_articles"],
    script:
        "../../scripts/tokens_tokenize.py"


rule corpus_tables:
    input:
        docs=shard_files(f"{INTERIM}/docs/{{scatteritem}}.parquet"),
        clean=shard_files(f"{INTERIM}/clean/{{scatteritem}}.parquet"),
        clean_audit=shard_files(f"{INTERIM}/audit/clean/{{scatteritem}}.parquet"),
        ingest_audit=f"{INTERIM}/audit/ingest.parquet",
        dropped=f"{INTERIM}/duplicates.parquet",
        sentences=shard_files(f"{INTERIM}/sentences/{{scatteritem}}.json"),
        paragraphs=shard_files(f"{INTERIM}/paragraphs/{{scatteritem}}.json"),
        tokens=shard_files(f"{INTERIM}/tokens/{{scatteritem}}.json"),
    output:
        **corpus_table_outputs(),
    log:
        f"{LOGS}/corpus_tables.log",
    benchmark:
        f"{BENCH}/corpus_tables.tsv"
    priority: PRIORITY["corpus_tables"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=120,
    script:
        "../../scripts/corpus_tables.py"


rule corpus_ngrams:
    input:
        docs=shard_files(f"{INTERIM}/docs/{{scatteritem}}.parquet"),
        ngrams=shard_files(f"{INTERIM}/ngrams/{{scatteritem}}.parquet"),
    output:
        **corpus_ngram_outputs(),
    log:
        f"{LOGS}/corpus_ngrams.log",
    benchmark:
        f"{BENCH}/corpus_ngrams.tsv"
    priority: PRIORITY["corpus_ngrams"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        collocations=config["tokenize"]["collocations"],
        ngram_min_count=config["tokenize"]["collocations"]["min_freq"],
    script:
        "../../scripts/corpus_ngrams.py"


rule plot_top_terms:
    input:
        terms=f"{TABLES}/term_frequencies.csv",
        collocations=f"{TABLES}/collocations.csv",
        documents=f"{TABLES}/documents.csv",
    output:
        png=report(
            f"{FIGURES}/top_terms.png",
            caption="../report/top_terms.rst",
            category="Corpus",
            subcategory="Figures",
            labels={"item": "Top terms and collocations"},
        ),
        svg=f"{FIGURES}/top_terms.svg",
    log:
        f"{LOGS}/plot_top_terms.log",
    priority: PRIORITY["plot_top_terms"]
    conda:
        ENV
    params:
        top_n=config["tokenize"]["top_terms"],
        normalize=config["tokenize"]["normalize"],
    script:
        "../../scripts/plot_top_terms.py"
