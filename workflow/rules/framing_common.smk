# Helpers of the framing stage (rules in framing.smk).
FRAMING = config["framing"]
FRAMES_INTERIM = f"{INTERIM}/frames"


def workflow_file(*parts):
    """A file of the workflow, as an input path (relative when the workflow lies inside the
    working directory, so a moved checkout stays valid; else absolute, so a moved working
    directory elsewhere stays valid)."""
    path = Path(WORKFLOW_DIR, *parts).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


CODEBOOK_SCHEMA = workflow_file("schemas", "codebook.schema.yaml")


def framing_normalize():
    kind = FRAMING["normalize"]
    return config["tokenize"]["normalize"] if kind == "tokenize" else kind


def framing_codebook_options():
    return {
        "min_weight": FRAMING["min_weight"],
        "relative_threshold": FRAMING["relative_threshold"],
        "negation_window": FRAMING["negation_window"],
        "negation_cues": list(FRAMING["negation_cues"]),
        "doc_min_share": FRAMING["doc_min_share"],
        "doc_max_labels": FRAMING["doc_max_labels"],
        "n_examples": FRAMING["diagnostics"]["examples"],
        "abbreviations": list(config["tokenize"]["abbreviations"]),
    }


def framing_gather_outputs():
    outputs = {
        # partitioned (docs/outputs.md): written by the frames_sentences jobs
        "sentences_parquet": dataset_manifest("frames_sentences"),
        "paragraphs_parquet": dataset_manifest("frames_paragraphs"),
        "positions": f"{TABLES}/frames_positions.csv",
        "documents": f"{FRAMES_INTERIM}/documents_codebook.parquet",
        "diagnostics": report(
            f"{TABLES}/frames_codebook_diagnostics.csv",
            caption="../report/frames_codebook_diagnostics.rst",
            category="Framing",
            subcategory="Tables",
            labels={"item": "Codebook diagnostics"},
        ),
    }
    if config["tokenize"][
        "csv_tables"
    ]:  # the big sentence and paragraph tables as CSV too
        outputs["sentences_csv"] = f"{TABLES}/frames_sentences.csv"
        outputs["paragraphs_csv"] = f"{TABLES}/frames_paragraphs.csv"
    return outputs


if FRAMING["classifier"] == "supervised" and not FRAMING["supervised"]["labeled"]:
    raise WorkflowError(
        "config key framing.classifier is 'supervised' but framing.supervised.labeled is "
        "null: give a labeled data file or set framing.classifier to codebook"
    )


def framing_documents_input(wildcards):
    if FRAMING["classifier"] == "supervised":
        return f"{FRAMES_INTERIM}/documents_supervised.parquet"
    return f"{FRAMES_INTERIM}/documents_codebook.parquet"


def framing_validation_input(wildcards):
    inputs = {
        "gold": FRAMING["validation"]["gold"],
        "codebook": f"{FRAMES_INTERIM}/codebook.json",
    }
    if FRAMING["validation"]["columns"]["id"]:
        inputs["frames"] = f"{TABLES}/frames_documents.csv"
    if FRAMING["supervised"]["labeled"]:  # supervised and plain TF-IDF, cross-fitted
        inputs["model"] = f"{FRAMES_INTERIM}/supervised_model.joblib"
    return inputs
