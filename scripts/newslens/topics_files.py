"""Topic modelling, the files of topic_outputs: the text of the representative units, read from
the paragraph tables without decoding the text of every paragraph, and the CSV tables written by
the project's CSV writer (``newslens.csv_text``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from newslens.csv_text import write_csv_rows
from newslens.runtime import atomic_path
from newslens.shards import corrupt_parquet, dataset_parts
from newslens.topics_tables import snippet

PARAGRAPH_COLUMNS = ["doc_id", "para_id", "text"]


def paragraphs_of(paragraph_files: Sequence, doc_ids: Iterable[str]) -> pd.DataFrame:
    """doc_id, para_id and text of every paragraph of the articles ``doc_ids``, in the order of
    the paragraph tables (``paragraph_files``: part lists, dataset folders or Parquet files).
    Per row group only the doc_id column is read first; doc_id, para_id and text are read only
    for the row groups that hold one of the articles (a handful of the corpus's)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = pa.array(sorted(set(doc_ids)), type=pa.string())
    found = []
    if len(wanted):
        for f in paragraph_files:
            for part in dataset_parts(f):
                try:
                    pf = pq.ParquetFile(part, pre_buffer=False)
                    for group in range(pf.metadata.num_row_groups):
                        ids = pf.read_row_group(group, columns=["doc_id"]).column("doc_id")
                        hit = pc.is_in(ids.cast(pa.string()), value_set=wanted)
                        if not pc.any(hit).as_py():
                            continue
                        rows = pf.read_row_group(group, columns=PARAGRAPH_COLUMNS).filter(hit)
                        found.append(rows.to_pandas())
                except (OSError, ValueError) as err:
                    raise corrupt_parquet(part, err) from err
    if not found:
        found = [pd.DataFrame({"doc_id": [], "para_id": [], "text": []})]
    paras = pd.concat(found, ignore_index=True)
    paras["doc_id"] = paras["doc_id"].astype(str)
    return paras


def snippets(
    reps: pd.DataFrame, paragraph_files: Sequence, documents: pd.DataFrame, n_chars: int
) -> list[str]:
    """Text snippet of each representative unit (``reps``: doc_id, para_id): its paragraph, or
    for an article (para_id missing) its title and first paragraph; ``n_chars`` characters at
    most (``snippet``)."""
    if reps.empty:
        return []
    paras = paragraphs_of(paragraph_files, reps["doc_id"].astype(str))
    text = {
        (d, int(p)): t for d, p, t in paras[["doc_id", "para_id", "text"]].itertuples(index=False)
    }
    titles = dict(zip(documents["doc_id"].astype(str), documents.get("title", ""), strict=False))
    out = []
    for d, p in reps[["doc_id", "para_id"]].itertuples(index=False):
        if pd.isna(p):
            first = paras[paras["doc_id"] == d].sort_values("para_id")["text"]
            body = first.iloc[0] if len(first) else ""
            title = str(titles.get(d, "") or "")
            out.append(snippet(f"{title} — {body}" if title else body, n_chars))
        else:
            out.append(snippet(text.get((d, int(p)), ""), n_chars))
    return out


def write_csv(df: pd.DataFrame, path) -> None:
    """``runtime.write_table`` of a CSV, byte for byte (pandas' header and rows), atomically,
    with the rows printed by ``csv_text.write_csv_rows`` (Arrow's kernels, not a Python object
    per value). Nullable integer columns (Int64: para_id, dominant_topic) become text first,
    their values in decimal and <NA> empty, as pandas prints them."""
    rows = df.copy(deep=False)
    for name, col in rows.items():
        if isinstance(
            col.dtype, pd.api.extensions.ExtensionDtype
        ) and pd.api.types.is_integer_dtype(col.dtype):
            rows[name] = col.astype("string")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(df.iloc[:0].to_csv(index=False, lineterminator="\n").encode("utf-8"))
            write_csv_rows(rows, fh)
