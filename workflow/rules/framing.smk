# framing stage: codebook (or supervised) frame classification, validation, actors x frames.
# See the README section "Framing" and config/README.md.
include: "framing_common.smk"


rule frames_codebook:
    input:
        codebook=FRAMING["codebook"],
        schema=CODEBOOK_SCHEMA,
    output:
        compiled=f"{FRAMES_INTERIM}/codebook.json",
        terms=f"{TABLES}/frames_codebook_terms.csv",
        overlaps=f"{TABLES}/frames_codebook_overlaps.csv",
    log:
        f"{LOGS}/frames_codebook.log",
    benchmark:
        f"{BENCH}/frames_codebook.tsv"
    priority: PRIORITY["frames_codebook"]
    conda:
        ENV
    params:
        normalize=framing_normalize(),
        language=config["tokenize"]["language"],
    script:
        "../../scripts/frames_codebook.py"


rule frames_sentences:
    input:
        sentences=f"{INTERIM}/sentences/{{scatteritem}}.json",
        codebook=f"{FRAMES_INTERIM}/codebook.json",
        # actors x frames are counted here, as the sentences are classified
        actors=f"{INTERIM}/actors/{{scatteritem}}.parquet",
        actor_targets=f"{INTERIM}/actor_targets/{{scatteritem}}.parquet",
    output:
        # part list of the parts this shard writes into results/tables/frames_sentences/
        sentences=f"{FRAMES_INTERIM}/sentences/{{scatteritem}}.json",
        hits=f"{FRAMES_INTERIM}/hits/{{scatteritem}}.parquet",
        # part list of the parts this shard writes into results/tables/frames_paragraphs/
        paragraphs=f"{FRAMES_INTERIM}/paragraphs/{{scatteritem}}.json",
        # the shard's paragraph-position sums (exact), added up by frames_gather
        positions=f"{FRAMES_INTERIM}/positions/{{scatteritem}}.json",
        documents=f"{FRAMES_INTERIM}/documents/{{scatteritem}}.parquet",
        counts=f"{FRAMES_INTERIM}/counts/{{scatteritem}}.parquet",
        examples=f"{FRAMES_INTERIM}/examples/{{scatteritem}}.parquet",
        # actors x frames of the shard (summed by frames_actors) and the actors its
        # per-article targets list (rows of zeros when never named)
        actor_counts=f"{FRAMES_INTERIM}/actor_counts/{{scatteritem}}.parquet",
        actor_targets=f"{FRAMES_INTERIM}/actor_targets/{{scatteritem}}.json",
    log:
        f"{LOGS}/frames_sentences/{{scatteritem}}.log",
    benchmark:
        f"{BENCH}/frames_sentences/{{scatteritem}}.tsv"
    priority: PRIORITY["frames_sentences"]
    conda:
        ENV
    resources:
        mem_mb=6000,
        runtime=60,
    params:
        options=framing_codebook_options(),
        # sentences read and matched at once (whole articles; bounds the job's memory)
        batch_rows=100_000,
        table=f"{TABLES}/frames_sentences",
        paragraphs_table=f"{TABLES}/frames_paragraphs",
        max_paragraphs=FRAMING["figures"]["max_paragraphs"],
        # actor mention rows read at once (bounds the job's memory)
        actor_batch_rows=200_000,
    script:
        "../../scripts/frames_sentences.py"


rule frames_gather:
    input:
        codebook=f"{FRAMES_INTERIM}/codebook.json",
        sentences=shard_files(f"{FRAMES_INTERIM}/sentences/{{scatteritem}}.json"),
        paragraphs=shard_files(f"{FRAMES_INTERIM}/paragraphs/{{scatteritem}}.json"),
        # the shards' paragraph-position sums
        positions=shard_files(f"{FRAMES_INTERIM}/positions/{{scatteritem}}.json"),
        documents=shard_files(f"{FRAMES_INTERIM}/documents/{{scatteritem}}.parquet"),
        counts=shard_files(f"{FRAMES_INTERIM}/counts/{{scatteritem}}.parquet"),
        examples=shard_files(f"{FRAMES_INTERIM}/examples/{{scatteritem}}.parquet"),
    output:
        **framing_gather_outputs(),
    log:
        f"{LOGS}/frames_gather.log",
    benchmark:
        f"{BENCH}/frames_gather.tsv"
    priority: PRIORITY["frames_gather"]
    conda:
        ENV
    resources:
        mem_mb=12000,
        runtime=60,
    params:
        max_paragraphs=FRAMING["figures"]["max_paragraphs"],
        top_terms=FRAMING["diagnostics"]["top_terms"],
        n_examples=FRAMING["diagnostics"]["examples"],
    script:
        "../../scripts/frames_gather.py"


rule frames_codebook_suggestions:
    input:
        codebook=f"{FRAMES_INTERIM}/codebook.json",
        stopwords=config["tokenize"]["stopwords_file"],
        sentences=shard_files(f"{INTERIM}/sentences/{{scatteritem}}.json"),
        frames=shard_files(f"{FRAMES_INTERIM}/sentences/{{scatteritem}}.json"),
    output:
        suggestions=report(
            f"{TABLES}/frames_codebook_suggestions.csv",
            caption="../report/frames_codebook_suggestions.rst",
            category="Framing",
            subcategory="Tables",
            labels={"item": "Codebook: suggested indicator terms"},
        ),
    log:
        f"{LOGS}/frames_codebook_suggestions.log",
    benchmark:
        f"{BENCH}/frames_codebook_suggestions.tsv"
    priority: PRIORITY["frames_codebook_suggestions"]
    conda:
        ENV
    params:
        options=FRAMING["suggestions"],
    script:
        "../../scripts/frames_codebook_suggestions.py"


rule frames_documents:
    input:
        frames=framing_documents_input,
        codebook=f"{FRAMES_INTERIM}/codebook.json",
        documents=f"{TABLES}/documents.csv",
        positions=f"{TABLES}/frames_positions.csv",
    output:
        documents=report(
            f"{TABLES}/frames_documents.csv",
            caption="../report/frames_documents.rst",
            category="Framing",
            subcategory="Tables",
            labels={"item": "Article x frame shares"},
        ),
        distribution=f"{TABLES}/frames_distribution.csv",
        fig_distribution=report(
            f"{FIGURES}/frames_distribution.png",
            caption="../report/frames_distribution.rst",
            category="Framing",
            subcategory="Figures",
            labels={"item": "Frame distribution"},
        ),
        fig_distribution_svg=f"{FIGURES}/frames_distribution.svg",
        fig_position=report(
            f"{FIGURES}/frames_position.png",
            caption="../report/frames_position.rst",
            category="Framing",
            subcategory="Figures",
            labels={"item": "Frames through the article"},
        ),
        fig_position_svg=f"{FIGURES}/frames_position.svg",
    log:
        f"{LOGS}/frames_documents.log",
    benchmark:
        f"{BENCH}/frames_documents.tsv"
    priority: PRIORITY["frames_documents"]
    conda:
        ENV
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        classifier=FRAMING["classifier"],
        metadata=config["corpus"]["metadata"],
        max_frames=FRAMING["figures"]["max_frames"],
    script:
        "../../scripts/frames_documents.py"


rule frames_supervised:
    input:
        labeled=FRAMING["supervised"]["labeled"] or [],
        codebook=f"{FRAMES_INTERIM}/codebook.json",
        paragraphs=shard_files(f"{INTERIM}/paragraphs/{{scatteritem}}.json"),
    output:
        summary=f"{TABLES}/frames_supervised_cv.csv",
        per_frame=f"{TABLES}/frames_supervised_per_frame.csv",
        unknown=f"{TABLES}/frames_supervised_unknown_labels.csv",
        per_item=f"{TABLES}/frames_supervised_items.csv",
        oof=f"{FRAMES_INTERIM}/supervised_oof.parquet",
        model=f"{FRAMES_INTERIM}/supervised_model.joblib",
        documents=f"{FRAMES_INTERIM}/documents_supervised.parquet",
        fig=report(
            f"{FIGURES}/frames_supervised_cv.png",
            caption="../report/frames_supervised_cv.rst",
            category="Framing",
            subcategory="Validation",
            labels={"item": "Supervised classifier (cross-validation)"},
        ),
        fig_svg=f"{FIGURES}/frames_supervised_cv.svg",
    log:
        f"{LOGS}/frames_supervised.log",
    benchmark:
        f"{BENCH}/frames_supervised.tsv"
    conda:
        ENV
    threads: 2
    resources:
        mem_mb=12000,
        runtime=120,
    params:
        options=FRAMING["supervised"],
        codebook_options=framing_codebook_options(),
        unknown_labels=FRAMING["unknown_labels"],
        label_map=FRAMING["label_map"],
        bootstrap=FRAMING["validation"]["bootstrap"],
    script:
        "../../scripts/frames_supervised.py"


rule frames_validation:
    input:
        unpack(framing_validation_input),
    output:
        summary=report(
            f"{TABLES}/frames_validation.csv",
            caption="../report/frames_validation_table.rst",
            category="Framing",
            subcategory="Validation",
            labels={"item": "Validation scores"},
        ),
        per_frame=f"{TABLES}/frames_validation_per_frame.csv",
        unknown=f"{TABLES}/frames_validation_unknown_labels.csv",
        per_item=f"{TABLES}/frames_validation_items.csv",
        verdict=report(
            f"{TABLES}/frames_validation_verdict.md",
            caption="../report/frames_validation_verdict.rst",
            category="Framing",
            subcategory="Validation",
            labels={"item": "Validation verdict"},
        ),
        fig=report(
            f"{FIGURES}/frames_validation.png",
            caption="../report/frames_validation.rst",
            category="Framing",
            subcategory="Validation",
            labels={"item": "Validation against human codes"},
        ),
        fig_svg=f"{FIGURES}/frames_validation.svg",
    log:
        f"{LOGS}/frames_validation.log",
    benchmark:
        f"{BENCH}/frames_validation.tsv"
    conda:
        ENV
    params:
        options=FRAMING["validation"],
        codebook_options=framing_codebook_options(),
        classifier=FRAMING["classifier"],
        unknown_labels=FRAMING["unknown_labels"],
        label_map=FRAMING["label_map"],
    script:
        "../../scripts/frames_validation.py"


# actors x frames: the frames_sentences jobs' counts, summed
rule frames_actors:
    input:
        codebook=f"{FRAMES_INTERIM}/codebook.json",
        counts=shard_files(f"{FRAMES_INTERIM}/actor_counts/{{scatteritem}}.parquet"),
        targets=shard_files(f"{FRAMES_INTERIM}/actor_targets/{{scatteritem}}.json"),
    output:
        table=report(
            f"{TABLES}/frames_actors.csv",
            caption="../report/frames_actors_table.rst",
            category="Framing",
            subcategory="Tables",
            labels={"item": "Actors x frames (table)"},
        ),
        fig=report(
            f"{FIGURES}/frames_actors.png",
            caption="../report/frames_actors.rst",
            category="Framing",
            subcategory="Figures",
            labels={"item": "Actors x frames"},
        ),
        fig_svg=f"{FIGURES}/frames_actors.svg",
    log:
        f"{LOGS}/frames_actors.log",
    benchmark:
        f"{BENCH}/frames_actors.tsv"
    priority: PRIORITY["frames_actors"]
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        actors=sorted(config["actors"]),
        max_actors=config["figures"]["max_actors"],
        min_cell_n=config["figures"]["min_cell_n"],
    script:
        "../../scripts/frames_actors.py"
