# sentiment stage: actor mentions (shared with framing), VADER scores, aggregation, figures.
# See the README section "Sentiment".


rule actor_mentions:
    input:
        sentences=f"{INTERIM}/sentences/{{scatteritem}}.parquet",
    output:
        mentions=f"{INTERIM}/actors/{{scatteritem}}.parquet",
    params:
        actors=config["actors"],
    log:
        f"{LOGS}/actor_mentions/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/actor_mentions/{{scatteritem}}.tsv"
    script:
        "../../scripts/sentiment_actor_mentions.py"
