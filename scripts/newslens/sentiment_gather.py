"""Gathering the sentiment shards in corpus order (rule sentiment_tables: articles, groups);
the sentence and paragraph tables are partitioned datasets the sentiment_score jobs write."""

import numpy as np
import pandas as pd

from newslens.csv_text import write_csv_rows
from newslens.runtime import NewslensError
from newslens.sentiment import STATS
from newslens.shards_gather import TableWriter


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
