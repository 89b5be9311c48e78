# Stage 1: read the corpus, clean each article, drop duplicates.


rule ingest:
    input:
        files=corpus_files(),
    output:
        shards=shard_files(f"{INTERIM}/raw/{{scatteritem}}.parquet"),
        audit=f"{INTERIM}/audit/ingest.parquet",
    log:
        f"{LOGS}/ingest.log",
    benchmark:
        f"{BENCH}/ingest.tsv"
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        corpus=config["corpus"],
    script:
        "../../scripts/corpus_ingest.py"


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
    conda:
        ENV
    resources:
        mem_mb=6000,
        runtime=60,
    params:
        cleaning=config["cleaning"],
        metadata=config["corpus"]["metadata"],
    script:
        "../../scripts/corpus_clean.py"


rule deduplicate:
    input:
        clean=shard_files(f"{INTERIM}/clean/{{scatteritem}}.parquet"),
    output:
        dropped=f"{INTERIM}/duplicates.parquet",
    log:
        f"{LOGS}/deduplicate.log",
    benchmark:
        f"{BENCH}/deduplicate.tsv"
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        dedup=config["cleaning"]["dedup"],
    script:
        "../../scripts/corpus_deduplicate.py"
