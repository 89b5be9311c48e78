"""Clean one shard: page furniture, header fields, Unicode; hashes for de-duplication."""

import pandas as pd
from newslens.clean import CleaningRules, clean_article, html_to_text
from newslens.corpus import AUDIT_COLUMNS
from newslens.dedup import Signer, content_hash
from newslens.runtime import ParquetShardWriter, iter_parquet, log, run, write_table

BASE_COLUMNS = [
    "doc_index",
    "doc_id",
    "source",
    "title",
    "date",
    "author",
    "role",
    "lede",
    "text",
    "n_words",
    "content_hash",
    "minhash",
]


def clean_batch(raw: pd.DataFrame, rules: CleaningRules, signer: Signer, metadata: list[str]):
    rows, audit = [], []
    for rec in raw.to_dict("records"):
        doc_id, source = rec["doc_id"], rec["source"]
        text, known = rec["raw"], {k: rec.get(k) for k in ("title", "date", "author")}
        if rec["kind"] == "html":
            text, meta = html_to_text(text)
            known = {k: known[k] or meta.get(k) for k in known}
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action="html_extracted",
                    reason="HTML page: main text extracted with trafilatura (navigation, "
                    "ads, footers removed)",
                    line_no=None,
                    content="",
                    related_doc_id="",
                )
            )
        article = clean_article(text, rules, known["title"], known["date"], known["author"])
        for line_no, action, content, reason in article.removed:
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action=action,
                    reason=reason,
                    line_no=line_no,
                    content=content[:300],
                    related_doc_id="",
                )
            )
        if article.n_words < rules.min_words:
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action="skipped_article",
                    reason=f"only {article.n_words} words left after cleaning "
                    f"(cleaning.min_words = {rules.min_words}): empty or boilerplate only",
                    line_no=None,
                    content=article.text[:300],
                    related_doc_id="",
                )
            )
            continue
        if rec.get("date") and article.date is None:
            audit.append(
                dict(
                    doc_id=doc_id,
                    source=source,
                    stage="clean",
                    action="unparsed_date",
                    reason="date column value could not be parsed; date left empty",
                    line_no=None,
                    content=str(rec["date"])[:300],
                    related_doc_id="",
                )
            )
        row = {
            "doc_index": rec["doc_index"],
            "doc_id": doc_id,
            "source": source,
            "title": article.title,
            "date": article.date,
            "author": article.author,
            "role": article.role,
            "lede": article.lede,
            "text": article.text,
            "n_words": article.n_words,
            "content_hash": content_hash(article.text),
            "minhash": signer(article.text),
        }
        for name in metadata:
            row[name] = rec.get(name)
        rows.append(row)
    return pd.DataFrame(rows, columns=BASE_COLUMNS + metadata), audit


def main(smk):
    rules = CleaningRules.from_config(smk.params.cleaning)
    dedup = smk.params.cleaning["dedup"]
    signer = Signer(dedup["num_perm"], dedup["shingle_words"])
    metadata = list(smk.params.metadata)
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in BASE_COLUMNS + metadata})
    empty["doc_index"] = empty["doc_index"].astype("int64")
    empty["n_words"] = empty["n_words"].astype("int64")
    audit = []
    n_in = n_out = 0
    with ParquetShardWriter(smk.output.clean, empty) as writer:
        for raw in iter_parquet(smk.input.raw, batch_rows=2000):
            clean, batch_audit = clean_batch(raw, rules, signer, metadata)
            n_in, n_out = n_in + len(raw), n_out + len(clean)
            writer.write(clean)
            audit.extend(batch_audit)
    write_table(pd.DataFrame(audit, columns=AUDIT_COLUMNS), smk.output.audit)
    log.info("cleaned %d articles, kept %d", n_in, n_out)


run(main, snakemake)
