# sentiment stage: actor mentions (shared with framing), VADER sentence scores, aggregation
# with bootstrap CIs, figures, and the optional supervised and validation checks.
# See the README section "Sentiment".

SENT = config["sentiment"]
SENT_GROUP_BY = (
    SENT["group_by"] if SENT["group_by"] is not None else config["corpus"]["metadata"]
)
SENT_BOOT = dict(SENT["bootstrap"])
SENT_FIGS = ["arc", "actors", "distribution", "time", "groups"]
# Per-shard jobs read their sentences in batches of this many rows (bounded memory), and
# sentiment_score remembers the scores of up to SENT_CACHE_SIZE repeated sentences across
# batches. Neither changes any result.
SENT_BATCH_ROWS = 100_000
SENT_CACHE_SIZE = 200_000
ACTOR_BATCH_ARTICLES = 20_000


# The gathered tables; the large sentence and paragraph CSVs only with tokenize.csv_tables (as
# the corpus tables).
SENT_TABLE_OUTPUTS = {
    # partitioned (docs/outputs.md): written by the sentiment_score jobs
    "sentences_parquet": dataset_manifest("sentiment_sentences"),
    "paragraphs_parquet": dataset_manifest("sentiment_paragraphs"),
    "documents": f"{TABLES}/sentiment_documents.csv",
    "groups": f"{TABLES}/sentiment_groups.csv",
}
if config["tokenize"]["csv_tables"]:
    SENT_TABLE_OUTPUTS["sentences_csv"] = f"{TABLES}/sentiment_sentences.csv"
    SENT_TABLE_OUTPUTS["paragraphs_csv"] = f"{TABLES}/sentiment_paragraphs.csv"


if SENT["validation"]["classifier"] == "supervised" and not SENT["supervised"]["file"]:
    raise WorkflowError(
        "config key sentiment.validation.classifier is 'supervised' but "
        "sentiment.supervised.file is null: give a labeled file or use classifier: vader."
    )


# Per-article actor targets (docs/actors.md): a corpus column and/or a table file.
ACTOR_TARGET_COLUMN = config["corpus"]["columns"].get("target")
ACTOR_TARGETS = config["actor_targets"]
ACTOR_TARGET_FILE = {"targets": ACTOR_TARGETS["file"]} if ACTOR_TARGETS["file"] else {}
# target names are written as the cleaning writes the text
ACTOR_TARGET_CLEANING = {
    k: config["cleaning"][k] for k in ("repair_mojibake", "fold_quotes", "fold_dashes")
}
if ACTOR_TARGET_COLUMN and Path(config["corpus"]["path"]).is_dir():
    raise WorkflowError(
        "config key corpus.columns.target: a folder corpus has no columns; give the "
        "per-article targets in a table (actor_targets.file: doc_id, actor, aliases) or "
        "set corpus.columns.target to null."
    )


rule actor_mentions:
    input:
        **ACTOR_TARGET_FILE,
        sentences=f"{INTERIM}/sentences/{{scatteritem}}.json",
        docs=f"{INTERIM}/docs/{{scatteritem}}.parquet",
    output:
        mentions=f"{INTERIM}/actors/{{scatteritem}}.parquet",
        targets=f"{INTERIM}/actor_targets/{{scatteritem}}.parquet",
    log:
        f"{LOGS}/actor_mentions/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/actor_mentions/{{scatteritem}}.tsv"
    priority: PRIORITY["actor_mentions"]
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        actors=config["actors"],
        target_column=ACTOR_TARGET_COLUMN,
        targets={k: v for k, v in ACTOR_TARGETS.items() if k != "file"},
        cleaning=ACTOR_TARGET_CLEANING,
        batch_rows=SENT_BATCH_ROWS,
    script:
        "../../scripts/actor_mentions.py"


rule sentiment_score:
    input:
        sentences=f"{INTERIM}/sentences/{{scatteritem}}.json",
    output:
        scores=f"{INTERIM}/sentiment/{{scatteritem}}.parquet",
        # part list of the parts this shard writes into results/tables/sentiment_sentences/
        sentences=f"{INTERIM}/sentiment_sentences/{{scatteritem}}.json",
        # the shard's articles with their bootstrap CIs (from the scores in memory), gathered
        # by sentiment_tables
        documents=f"{INTERIM}/sentiment_documents/{{scatteritem}}.parquet",
        # part list of the parts this shard writes into results/tables/sentiment_paragraphs/
        paragraphs=f"{INTERIM}/sentiment_paragraphs/{{scatteritem}}.json",
    log:
        f"{LOGS}/sentiment_score/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/sentiment_score/{{scatteritem}}.tsv"
    priority: PRIORITY["sentiment_score"]
    conda:
        ENV
    resources:
        mem_mb=6000,
        runtime=120,
    params:
        implementation=SENT["implementation"],
        thresholds=SENT["thresholds"],
        bootstrap=SENT_BOOT,
        batch_rows=SENT_BATCH_ROWS,
        cache_size=SENT_CACHE_SIZE,
        table=f"{TABLES}/sentiment_sentences",
        paragraph_table=f"{TABLES}/sentiment_paragraphs",
    script:
        "../../scripts/sentiment_score.py"


rule sentiment_tables:
    input:
        sentences=shard_files(f"{INTERIM}/sentiment_sentences/{{scatteritem}}.json"),
        documents=shard_files(f"{INTERIM}/sentiment_documents/{{scatteritem}}.parquet"),
        paragraphs=shard_files(f"{INTERIM}/sentiment_paragraphs/{{scatteritem}}.json"),
        metadata=f"{TABLES}/documents.csv",
    output:
        **SENT_TABLE_OUTPUTS,
    log:
        f"{LOGS}/sentiment_tables.log",
    benchmark:
        f"{BENCH}/sentiment_tables.tsv"
    priority: PRIORITY["sentiment_tables"]
    conda:
        ENV
    resources:
        mem_mb=12000,
        runtime=60,
    params:
        bootstrap=SENT_BOOT,
        thresholds=SENT["thresholds"],
        period=SENT["period"],
        group_by=SENT_GROUP_BY,
        batch_rows=SENT_BATCH_ROWS,
    script:
        "../../scripts/sentiment_tables.py"


rule sentiment_actors:
    input:
        **{"target_file": v for v in ACTOR_TARGET_FILE.values()},
        scores=shard_files(f"{INTERIM}/sentiment/{{scatteritem}}.parquet"),
        mentions=shard_files(f"{INTERIM}/actors/{{scatteritem}}.parquet"),
        targets=shard_files(f"{INTERIM}/actor_targets/{{scatteritem}}.parquet"),
        # every shard's articles (tokenize's document tables): the doc_rank numbering
        doc_lists=shard_files(f"{INTERIM}/docs/{{scatteritem}}.parquet"),
        # written by the actor_articles jobs (newslens.actor_sentences)
        actor_sentences=shard_files(f"{INTERIM}/actor_sentences/{{scatteritem}}.json"),
        shared=shard_files(f"{INTERIM}/actor_sentences_shared/{{scatteritem}}.json"),
        units=shard_files(f"{INTERIM}/actor_units/{{scatteritem}}.parquet"),
    output:
        actors=f"{TABLES}/sentiment_actors.csv",
        targets=f"{TABLES}/actor_targets.csv",
        # partitioned (docs/outputs.md): the manifest of sentiment_actor_sentences/part-*
        actor_sentences=dataset_manifest("sentiment_actor_sentences"),
        png=report(
            f"{FIGURES}/sentiment_actors.png",
            caption="../report/sentiment_actors.rst",
            category="Sentiment",
            subcategory="Figures",
            labels={"item": "Sentiment toward each actor"},
        ),
        svg=f"{FIGURES}/sentiment_actors.svg",
    log:
        f"{LOGS}/sentiment_actors.log",
    benchmark:
        f"{BENCH}/sentiment_actors.tsv"
    priority: PRIORITY["sentiment_actors"]
    conda:
        ENV
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        actors=list(config["actors"]),
        targets={k: v for k, v in ACTOR_TARGETS.items() if k != "file"},
        cleaning=ACTOR_TARGET_CLEANING,
        max_actors=config["figures"]["max_actors"],
        bootstrap=SENT_BOOT,
        thresholds=SENT["thresholds"],
        batch_rows=SENT_BATCH_ROWS,
        part_articles=config["tokenize"]["part_articles"],
    script:
        "../../scripts/sentiment_actors.py"


rule sentiment_figures:
    input:
        sentences=dataset_manifest("sentiment_sentences"),
        paragraphs=dataset_manifest("sentiment_paragraphs"),
        documents=f"{TABLES}/sentiment_documents.csv",
        groups=f"{TABLES}/sentiment_groups.csv",
    output:
        arc=report(
            f"{FIGURES}/sentiment_arc.png",
            caption="../report/sentiment_arc.rst",
            category="Sentiment",
            subcategory="Figures",
            labels={"item": "Sentiment arc through the article"},
        ),
        arc_svg=f"{FIGURES}/sentiment_arc.svg",
        distribution=report(
            f"{FIGURES}/sentiment_distribution.png",
            caption="../report/sentiment_distribution.rst",
            category="Sentiment",
            subcategory="Figures",
            labels={"item": "Sentiment distribution"},
        ),
        distribution_svg=f"{FIGURES}/sentiment_distribution.svg",
        time=report(
            f"{FIGURES}/sentiment_time.png",
            caption="../report/sentiment_time.rst",
            category="Sentiment",
            subcategory="Figures",
            labels={"item": "Sentiment over time"},
        ),
        time_svg=f"{FIGURES}/sentiment_time.svg",
        groups=report(
            f"{FIGURES}/sentiment_groups.png",
            caption="../report/sentiment_groups.rst",
            category="Sentiment",
            subcategory="Figures",
            labels={"item": "Sentiment by group"},
        ),
        groups_svg=f"{FIGURES}/sentiment_groups.svg",
    log:
        f"{LOGS}/sentiment_figures.log",
    priority: PRIORITY["sentiment_figures"]
    conda:
        ENV
    params:
        thresholds=SENT["thresholds"],
        confidence=SENT_BOOT["confidence"],
        period=SENT["period"],
        group_by=SENT_GROUP_BY,
        arc_articles=SENT["arc_articles"],
        arc_bandwidth=SENT["arc_bandwidth"],
    script:
        "../../scripts/sentiment_figures.py"


if SENT["supervised"]["file"]:

    rule sentiment_supervised_train:
        input:
            labeled=SENT["supervised"]["file"],
        output:
            metrics=f"{TABLES}/sentiment_supervised_metrics.csv",
            confusion=f"{TABLES}/sentiment_supervised_confusion.csv",
            model=f"{INTERIM}/sentiment_supervised/model.pkl",
        log:
            f"{LOGS}/sentiment_supervised_train.log",
        benchmark:
            f"{BENCH}/sentiment_supervised_train.tsv"
        conda:
            ENV
        params:
            supervised=SENT["supervised"],
        script:
            "../../scripts/sentiment_supervised_train.py"

    rule sentiment_supervised_label:
        input:
            model=f"{INTERIM}/sentiment_supervised/model.pkl",
            scores=f"{INTERIM}/sentiment/{{scatteritem}}.parquet",
            sentences=f"{INTERIM}/sentences/{{scatteritem}}.json",
        output:
            labels=f"{INTERIM}/sentiment_supervised/{{scatteritem}}.parquet",
        log:
            f"{LOGS}/sentiment_supervised_label/{{scatteritem}}.log",
        benchmark:
            f"{BENCH}/sentiment_supervised_label/{{scatteritem}}.tsv"
        conda:
            ENV
        script:
            "../../scripts/sentiment_supervised_label.py"

    rule sentiment_supervised_compare:
        input:
            labels=shard_files(
                f"{INTERIM}/sentiment_supervised/{{scatteritem}}.parquet"
            ),
            confusion=f"{TABLES}/sentiment_supervised_confusion.csv",
        output:
            agreement=f"{TABLES}/sentiment_supervised_agreement.csv",
            crosstab=f"{TABLES}/sentiment_supervised_crosstab.csv",
            sentences=f"{TABLES}/sentiment_supervised_sentences.parquet",
            png=report(
                f"{FIGURES}/sentiment_supervised.png",
                caption="../report/sentiment_supervised.rst",
                category="Sentiment",
                subcategory="Validation",
                labels={"item": "Supervised classifier"},
            ),
            svg=f"{FIGURES}/sentiment_supervised.svg",
        log:
            f"{LOGS}/sentiment_supervised_compare.log",
        conda:
            ENV
        params:
            folds=SENT["supervised"]["folds"],
        script:
            "../../scripts/sentiment_supervised_compare.py"


if SENT["validation"]["file"]:

    rule sentiment_validation:
        input:
            gold=SENT["validation"]["file"],
            model=(
                f"{INTERIM}/sentiment_supervised/model.pkl"
                if SENT["validation"]["classifier"] == "supervised"
                else []
            ),
            # validation texts that are labeled texts are scored out of fold
            labeled=(
                SENT["supervised"]["file"]
                if SENT["validation"]["classifier"] == "supervised"
                else []
            ),
        output:
            scores=f"{TABLES}/sentiment_validation_scores.csv",
            correlations=f"{TABLES}/sentiment_validation_correlations.csv",
            metrics=f"{TABLES}/sentiment_validation_metrics.csv",
            confusion=f"{TABLES}/sentiment_validation_confusion.csv",
            png=report(
                f"{FIGURES}/sentiment_validation.png",
                caption="../report/sentiment_validation.rst",
                category="Sentiment",
                subcategory="Validation",
                labels={"item": "Validation against human ratings"},
            ),
            svg=f"{FIGURES}/sentiment_validation.svg",
        log:
            f"{LOGS}/sentiment_validation.log",
        conda:
            ENV
        params:
            validation=SENT["validation"],
            implementation=SENT["implementation"],
            thresholds=SENT["thresholds"],
            confidence=SENT["bootstrap"]["confidence"],
            abbreviations=config["tokenize"]["abbreviations"],
            supervised=SENT["supervised"],
        script:
            "../../scripts/sentiment_validation.py"


# Sentiment toward each actor per article (docs/actor-sentiment.md): lexicon scores of the
# actor's context, the optional supervised classifier and validation against gold pairs.
ACTOR_SUP = SENT["actor_supervised"]
ACTOR_VAL = SENT["actor_validation"]
# the masked context text of each pair is needed only by the supervised classifier
ACTOR_CONTEXTS = (
    {"contexts": f"{INTERIM}/actor_contexts/{{scatteritem}}.parquet"}
    if ACTOR_SUP["file"]
    else {}
)


rule actor_articles:
    input:
        scores=f"{INTERIM}/sentiment/{{scatteritem}}.parquet",
        mentions=f"{INTERIM}/actors/{{scatteritem}}.parquet",
        targets=f"{INTERIM}/actor_targets/{{scatteritem}}.parquet",
        sentences=f"{INTERIM}/sentences/{{scatteritem}}.json",
        # every shard's scored articles (those with a sentence in tokenize's document tables,
        # ready before any sentiment_score job ends): the doc_rank numbering of the
        # actor-sentence table
        doc_list=f"{INTERIM}/docs/{{scatteritem}}.parquet",
        doc_lists=shard_files(f"{INTERIM}/docs/{{scatteritem}}.parquet"),
    output:
        **ACTOR_CONTEXTS,
        pairs=f"{INTERIM}/actor_articles/{{scatteritem}}.parquet",
        # the shard's rows of results/tables/sentiment_actor_sentences/ (part lists: the parts
        # holding only its articles, written there; those shared with other shards, written
        # beside actor_shared) and their per-article sums, merged by sentiment_actors
        actor_sentences=f"{INTERIM}/actor_sentences/{{scatteritem}}.json",
        actor_shared=f"{INTERIM}/actor_sentences_shared/{{scatteritem}}.json",
        actor_units=f"{INTERIM}/actor_units/{{scatteritem}}.parquet",
    log:
        f"{LOGS}/actor_articles/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/actor_articles/{{scatteritem}}.tsv"
    priority: PRIORITY["actor_articles"]
    conda:
        ENV
    params:
        scores=SENT["actor_scores"],
        batch_rows=SENT_BATCH_ROWS,
        actors=list(config["actors"]),
        actor_table=f"{TABLES}/sentiment_actor_sentences",
        part_articles=config["tokenize"]["part_articles"],
        # articles scored at once (bounds the job's memory; the scores do not depend on it)
        batch_articles=ACTOR_BATCH_ARTICLES,
    script:
        "../../scripts/actor_articles.py"


rule sentiment_actor_articles:
    input:
        pairs=shard_files(f"{INTERIM}/actor_articles/{{scatteritem}}.parquet"),
    output:
        pairs=f"{TABLES}/sentiment_actor_articles.csv",
    log:
        f"{LOGS}/sentiment_actor_articles.log",
    priority: PRIORITY["sentiment_actor_articles"]
    conda:
        ENV
    script:
        "../../scripts/sentiment_actor_articles.py"


if ACTOR_SUP["file"]:

    rule sentiment_actor_supervised:
        input:
            coded=ACTOR_SUP["file"],
            pairs=f"{TABLES}/sentiment_actor_articles.csv",
            documents=f"{TABLES}/sentiment_documents.csv",
            contexts=shard_files(f"{INTERIM}/actor_contexts/{{scatteritem}}.parquet"),
        output:
            metrics=f"{TABLES}/sentiment_actor_supervised_metrics.csv",
            confusion=f"{TABLES}/sentiment_actor_supervised_confusion.csv",
            cv=f"{TABLES}/sentiment_actor_supervised_cv.csv",
            labels=f"{TABLES}/sentiment_actor_supervised.csv",
            model=f"{INTERIM}/sentiment_actor_supervised/model.pkl",
        log:
            f"{LOGS}/sentiment_actor_supervised.log",
        benchmark:
            f"{BENCH}/sentiment_actor_supervised.tsv"
        conda:
            ENV
        params:
            supervised=ACTOR_SUP,
        script:
            "../../scripts/sentiment_actor_supervised.py"


if ACTOR_VAL["file"]:

    rule sentiment_actor_validation:
        input:
            **(
                {
                    "model": f"{INTERIM}/sentiment_actor_supervised/model.pkl",
                    "cv": f"{TABLES}/sentiment_actor_supervised_cv.csv",
                    "contexts": shard_files(
                        f"{INTERIM}/actor_contexts/{{scatteritem}}.parquet"
                    ),
                }
                if ACTOR_SUP["file"]
                else {}
            ),
            gold=ACTOR_VAL["file"],
            pairs=f"{TABLES}/sentiment_actor_articles.csv",
            documents=f"{TABLES}/sentiment_documents.csv",
        output:
            metrics=f"{TABLES}/sentiment_actor_validation_metrics.csv",
            per_item=f"{TABLES}/sentiment_actor_validation_items.csv",
        log:
            f"{LOGS}/sentiment_actor_validation.log",
        conda:
            ENV
        params:
            validation=ACTOR_VAL,
            scores=SENT["actor_scores"],
            bootstrap=SENT_BOOT,
        script:
            "../../scripts/sentiment_actor_validation.py"
