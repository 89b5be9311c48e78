"""Gathering the sentiment shards in corpus order (rule sentiment_tables: articles, groups);
the sentence and paragraph tables are partitioned datasets the sentiment_score jobs write.
Also the units of one shard (rule sentiment_score): its articles and paragraphs from the
scored batches, :func:`shard_units`."""

import numpy as np
import pandas as pd
import pyarrow as pa

from newslens.arrays import run_starts
from newslens.csv_text import write_csv_rows
from newslens.runtime import NewslensError
from newslens.sentiment import (
    PARAGRAPH_TABLE_SCHEMA,
    STATS,
    document_label,
    first_run_index,
    shard_order,
    within_unit_ci,
)
from newslens.shards_gather import TableWriter, whole_groups

UNITS = {"documents": ["doc_id"], "paragraphs": ["doc_id", "para_id"]}
BLOCK = "_block"  # the part (block) of a scored sentence, beside its scores


class CsvRowsWriter(TableWriter):
    """A CSV-only :class:`TableWriter` that writes the rows of each batch with
    :func:`newslens.csv_text.write_csv_rows` (the same bytes as pandas, several times
    faster): the CSV twin of the paragraph table."""

    def write(self, df: pd.DataFrame) -> None:
        if self._csv is None or self._parquet is not None or len(df) == 0:
            return super().write(df)
        if not self._header:  # the header line, as pandas writes it
            df.iloc[:0].to_csv(self._csv, index=False, lineterminator="\n")
            self._header = True
        self._csv.flush()
        self.n_rows += write_csv_rows(df, self._csv.buffer)


RENAME = {s: ("mean_compound" if s == "compound" else s) for s in STATS} | {
    f"compound{sfx}": f"mean_compound{sfx}" for sfx in ("_ci_low", "_ci_high")
}


def corpus_key(doc_ids: pd.Series):
    """Row keys of corpus order: the position of the row's article in ``doc_ids`` (the
    articles of documents.csv; the last position of a repeated id), unknown articles last."""
    last = ~doc_ids.duplicated(keep="last").to_numpy()
    index = pd.Index(doc_ids[last].astype(str))
    position = np.flatnonzero(last)

    def key(df: pd.DataFrame) -> np.ndarray:
        i = index.get_indexer(df["doc_id"].astype(str))
        return np.where(i >= 0, position[i], len(index)).astype(float)

    return key


def corpus_order(df: pd.DataFrame, key) -> pd.DataFrame:
    """Rows sorted by the articles' corpus order (``key``, from corpus_key), keeping the row
    order within an article."""
    return df.iloc[np.argsort(key(df), kind="stable")]


def read_metadata(path, group_by) -> pd.DataFrame:
    """doc_id, title, date and the ``group_by`` columns of documents.csv (as strings); a
    group_by column missing from it is a NewslensError naming the config key."""
    columns = pd.read_csv(path, dtype=str, nrows=0).columns
    missing = [c for c in group_by if c not in columns]
    if missing:
        raise NewslensError(
            f"config key sentiment.group_by: column(s) {missing} are not in "
            f"{path} (columns: {list(columns)}). List them under "
            "corpus.metadata or remove them from sentiment.group_by."
        )
    keep = [c for c in ["doc_id", "title", "date", *group_by] if c in columns]
    return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=keep)[keep]


def unit_table(scored: pd.DataFrame, keys, bootstrap: dict, thresholds: dict) -> pd.DataFrame:
    """The units (``keys``: an article, or an article's paragraph) of ``scored`` sentences:
    n_sentences, mean compound and label shares with their bootstrap intervals
    (``bootstrap``: resamples, seed, confidence) and the label of the mean compound
    (``thresholds``: negative, positive), in the sentences' article order."""
    b, th = bootstrap, thresholds
    table = within_unit_ci(scored, keys, b["resamples"], b["seed"], b["confidence"])
    table["label"] = document_label(table["compound"], th["negative"], th["positive"])
    return shard_order(table, scored["doc_id"])


def paragraph_rows(table: pd.DataFrame) -> pa.Table:
    """Rows of results/tables/sentiment_paragraphs/: the columns renamed and rounded as the
    table has them (PARAGRAPH_TABLE_SCHEMA)."""
    out = table.rename(columns=RENAME).round(4)
    return pa.Table.from_pandas(out, schema=PARAGRAPH_TABLE_SCHEMA, preserve_index=False)


def recut(frames, rows: int):
    """The rows of a stream of DataFrames in DataFrames of ``rows`` rows (the last one
    shorter), as a Parquet file of those rows is read in batches of ``rows``."""
    held, n = [], 0
    for df in frames:
        while len(df):
            take = min(rows - n, len(df))
            held.append(df.iloc[:take])
            n, df = n + take, df.iloc[take:]
            if n == rows:
                yield pd.concat(held, ignore_index=True)
                held, n = [], 0
    if n:
        yield pd.concat(held, ignore_index=True)


def shard_units(scored_batches, batch_rows: int, bootstrap: dict, thresholds: dict):
    """The article and paragraph units of a shard from its stream of scored sentence batches
    (SENTENCE_COLUMNS and the part each sentence belongs to in column ``BLOCK``; an article's
    sentences together, in the shard's order). Yields, per batch of whole articles,
    ``(documents, blocks, paragraphs)``: the articles' unit table (:func:`unit_table`), and
    the paragraph rows of the table (:func:`paragraph_rows`) with the part of each (that of
    its article's sentences).

    The batches are re-cut into ``batch_rows`` rows, then into whole articles: the groups a
    job reading the scores file back in batches of ``batch_rows`` would get, so the bootstrap
    products and the intervals are the same bits. An article whose sentences are not
    together raises :class:`newslens.shards_gather.OrderError`."""
    for whole in whole_groups(recut(scored_batches, batch_rows)):
        documents = unit_table(whole, UNITS["documents"], bootstrap, thresholds)
        table = unit_table(whole, UNITS["paragraphs"], bootstrap, thresholds)
        yield documents, article_blocks(whole, table), paragraph_rows(table)


def article_blocks(whole: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """The part (``BLOCK``) of each row of ``table`` (one per article or paragraph): that of
    its article's first sentence in ``whole``."""
    code = first_run_index(whole["doc_id"], table["doc_id"])
    if code is None:  # the general path
        block = whole.drop_duplicates("doc_id").set_index("doc_id")[BLOCK]
        return table["doc_id"].map(block).to_numpy()
    heads = run_starts(whole["doc_id"].to_numpy(dtype=object))
    return whole[BLOCK].to_numpy()[heads][code]
