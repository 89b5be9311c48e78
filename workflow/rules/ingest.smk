# Stage 1: read the corpus, clean each article, drop duplicates.


rule ingest:
    input:
        files=corpus_files(),
    output:
        shards=shard_files(f"{INTERIM}/raw/{{scatteritem}}.parquet"),
        audit=f"{INTERIM}/audit/ingest.parquet",
        inputs=f"{INTERIM}/audit/ingest_inputs.parquet",
    log:
        log=f"{LOGS}/ingest.log",
        audit=f"{LOGS}/ingest_audit.csv",
    benchmark:
        f"{BENCH}/ingest.tsv"
    priority: PRIORITY["ingest"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        corpus=dict(config["corpus"], metadata=carried_metadata()),
        part_articles=config["tokenize"]["part_articles"],
    script:
        "../../scripts/ingest.py"


rule clean:
    input:
        raw=f"{INTERIM}/raw/{{scatteritem}}.parquet",
    output:
        clean=f"{INTERIM}/clean/{{scatteritem}}.parquet",
        audit=f"{INTERIM}/audit/clean/{{scatteritem}}.parquet",
    log:
        f"{LOGS}/clean/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/clean/{{scatteritem}}.tsv"
    priority: PRIORITY["clean"]
    conda:
        ENV
    resources:
        mem_mb=6000,
        runtime=60,
    params:
        cleaning=config["cleaning"],
        metadata=carried_metadata(),
    script:
        "../../scripts/clean.py"


rule deduplicate:
    input:
        clean=shard_files(f"{INTERIM}/clean/{{scatteritem}}.parquet"),
        clean_audit=shard_files(f"{INTERIM}/audit/clean/{{scatteritem}}.parquet"),
        ingest_audit=f"{INTERIM}/audit/ingest.parquet",
    output:
        dropped=f"{INTERIM}/duplicates.parquet",
    log:
        log=f"{LOGS}/deduplicate.log",
        audit=f"{LOGS}/cleaning_audit.csv",
    benchmark:
        f"{BENCH}/deduplicate.tsv"
    priority: PRIORITY["deduplicate"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        dedup=config["cleaning"]["dedup"],
    script:
        "../../scripts/deduplicate.py"


rule input_accounting:
    input:
        inputs=f"{INTERIM}/audit/ingest_inputs.parquet",
        clean=shard_files(f"{INTERIM}/clean/{{scatteritem}}.parquet"),
        clean_audit=shard_files(f"{INTERIM}/audit/clean/{{scatteritem}}.parquet"),
        dropped=f"{INTERIM}/duplicates.parquet",
    output:
        accounting=report(
            f"{TABLES}/input_accounting.csv",
            caption="../report/input_accounting.rst",
            category="Corpus",
            subcategory="Tables",
            labels={"item": "Input accounting"},
        ),
    log:
        f"{LOGS}/input_accounting.log",
    benchmark:
        f"{BENCH}/input_accounting.tsv"
    priority: PRIORITY["input_accounting"]
    conda:
        ENV
    script:
        "../../scripts/input_accounting.py"
