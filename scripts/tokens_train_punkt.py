"""Train NLTK Punkt on the corpus itself (unsupervised), plus the configured abbreviations."""

from newslens.runtime import atomic_path, iter_parquet, log, read_parquet, run
from newslens.tokenize import punkt_to_json, train_punkt


def training_text(clean_paths, dropped_ids: set, budget: int) -> str:
    """Up to ``budget`` characters of article text taken evenly across all shards."""
    total = 0
    for path in clean_paths:
        for batch in iter_parquet(path, 5000, ["doc_id", "text"]):
            total += int(batch.loc[~batch["doc_id"].isin(dropped_ids), "text"].str.len().sum())
    if budget <= 0 or total == 0:
        return ""
    step = max(1, round(total / budget))
    parts, used, i = [], 0, 0
    for path in clean_paths:
        for batch in iter_parquet(path, 5000, ["doc_id", "text"]):
            for doc_id, text in zip(batch["doc_id"], batch["text"], strict=True):
                if doc_id in dropped_ids:
                    continue
                if i % step == 0 and used < budget:
                    parts.append(text)
                    used += len(text)
                i += 1
    return "\n\n".join(parts)


def main(smk):
    dropped = set(read_parquet(smk.input.dropped)["doc_id"])
    text = training_text(smk.input.clean, dropped, smk.params.training_chars)
    params = train_punkt(text, smk.params.abbreviations)
    with atomic_path(smk.output.params) as tmp:
        tmp.write_text(punkt_to_json(params), encoding="utf-8")
    log.info(
        "Punkt trained on %d characters: %d abbreviations, %d collocations, %d sentence starters",
        len(text),
        len(params.abbrev_types),
        len(params.collocations),
        len(params.sent_starters),
    )


run(main, snakemake)
