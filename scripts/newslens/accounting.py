"""Input accounting: what became of every input file and table row.

Ingest lists every unit it saw (a file or folder of a folder corpus, a row of a table) with
its outcome there (``read`` as a doc_id, or ``skipped`` with the reason). After cleaning and
de-duplication each read article is either kept, skipped by cleaning (too few words) or
dropped as a duplicate of another. ``account`` joins these into one table and checks that the
counts add up: a unit that is counted twice or not at all stops the run, naming it.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.csv_text import write_csv_rows
from newslens.runtime import NewslensError, atomic_path

INPUT_COLUMNS = ["input", "unit", "doc_id", "outcome", "reason"]
"""Columns of ingest's list of input units (results/interim/audit/ingest_inputs.parquet)."""
ACCOUNT_COLUMNS = ["input", "unit", "outcome", "doc_id", "stage", "reason", "related_doc_id"]
"""Columns of results/tables/input_accounting.csv."""
OUTCOMES = ("kept", "skipped", "dropped_duplicate")


def _names(values, limit: int = 10) -> str:
    values = [str(v) for v in values]
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def check_ingest_counts(n_seen: int, inputs: pd.DataFrame, what: str, expected=None) -> None:
    """Stop when the units ingest saw (``n_seen`` files or rows) are not exactly the units it
    read plus those it skipped (``inputs``); ``expected`` (the units' names) names the ones
    counted twice or not at all."""
    n_read = int((inputs["outcome"] == "read").sum())
    n_skipped = int((inputs["outcome"] == "skipped").sum())
    duplicated = inputs.loc[inputs["input"].duplicated(), "input"].tolist()
    if n_seen == n_read + n_skipped and not duplicated:
        return
    missing = sorted(set(expected or []) - set(inputs["input"])) if expected is not None else []
    raise NewslensError(
        f"input accounting does not add up: {n_seen} {what} seen, {n_read} read + {n_skipped} "
        f"skipped. Not accounted for: {_names(missing) or 'unknown'}; counted twice: "
        f"{_names(duplicated) or 'none'}. This is a bug in newslens: please report it with "
        "the corpus."
    )


def _string_array(values: pd.Series) -> pa.Array | None:
    """The values as one Arrow large_string array, or None when they are not all strings
    (or missing)."""
    try:
        arr = pa.array(values.array if isinstance(values.dtype, pd.StringDtype) else values)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr.cast(pa.large_string())


def _counts_add_up(read_ids: pd.Series, after: pd.Series) -> bool:
    """Whether every article read at ingest (``read_ids``) is found exactly once after
    cleaning (``after``: the cleaned and skipped doc_ids) and nothing else is: the set tests of
    ``_stop_on_lost_articles`` by Arrow's hash tables over whole columns (``is_in``,
    ``count_distinct``), without a Python object per id. False (the set tests then judge) for
    a missing id or ids that are not all strings."""
    read, done = _string_array(read_ids), _string_array(after)
    if read is None or done is None or read.null_count or done.null_count:
        return False
    return (
        pc.all(pc.is_in(read, value_set=done), min_count=0).as_py()
        and pc.all(pc.is_in(done, value_set=read), min_count=0).as_py()
        and pc.count_distinct(done).as_py() == len(done)
    )


def _stop_on_lost_articles(read: pd.DataFrame, after: pd.Series) -> None:
    """Raise NewslensError naming the articles read at ingest but neither cleaned nor skipped,
    counted twice, or not read at ingest (``after``: the cleaned and skipped doc_ids)."""
    read_ids = set(read["doc_id"])
    lost = sorted(read_ids - set(after))
    twice = sorted(set(after[after.duplicated()]))
    invented = sorted(set(after) - read_ids)
    if lost or twice or invented:
        raise NewslensError(
            "input accounting does not add up after cleaning: "
            f"{len(lost)} article(s) read but neither cleaned nor skipped ({_names(lost)}); "
            f"{len(twice)} counted twice ({_names(twice)}); {len(invented)} not read at ingest "
            f"({_names(invented)}). Delete results/interim and run again; if it persists, "
            "this is a bug in newslens: please report it."
        )


def account(
    inputs: pd.DataFrame, clean_ids: pd.Series, clean_skipped: pd.DataFrame, dropped: pd.DataFrame
) -> pd.DataFrame:
    """The accounting table (``ACCOUNT_COLUMNS``, in input order): one row per input unit with
    its final outcome: ``kept`` (in documents.csv as doc_id), ``skipped`` (stage and reason)
    or ``dropped_duplicate`` (related_doc_id: the article kept instead).

    ``inputs``: ingest's units (``INPUT_COLUMNS``); ``clean_ids``: doc_ids of the cleaned
    articles; ``clean_skipped``: doc_id and reason of the articles cleaning skipped;
    ``dropped``: doc_id and kept_doc_id of the duplicates. Raises NewslensError when an article
    read at ingest is not found after cleaning, or found twice.
    """
    read = inputs[inputs["outcome"] == "read"]
    after = pd.concat([clean_ids.astype(str), clean_skipped["doc_id"].astype(str)])
    if not _counts_add_up(read["doc_id"], after):
        _stop_on_lost_articles(read, after)
    skipped_reason = dict(
        zip(clean_skipped["doc_id"].astype(str), clean_skipped["reason"], strict=True)
    )
    kept_instead = dict(
        zip(dropped["doc_id"].astype(str), dropped["kept_doc_id"].astype(str), strict=True)
    )
    out = inputs.copy()
    out["stage"] = "ingest"
    out["related_doc_id"] = ""
    out["outcome"] = out["outcome"].map({"read": "kept", "skipped": "skipped"})
    is_read = inputs["outcome"].to_numpy() == "read"
    ids = out["doc_id"].astype(str)
    skipped = is_read & ids.isin(skipped_reason).to_numpy()
    dup = is_read & ids.isin(kept_instead).to_numpy()
    out.loc[skipped, "outcome"] = "skipped"
    out.loc[skipped, "stage"] = "clean"
    out.loc[skipped, "reason"] = ids[skipped].map(skipped_reason)
    out.loc[dup, "outcome"] = "dropped_duplicate"
    out.loc[dup, "stage"] = "dedup"
    out.loc[dup, "related_doc_id"] = ids[dup].map(kept_instead)
    out.loc[dup, "reason"] = [
        f"duplicate of {k}; the earlier article is kept" for k in ids[dup].map(kept_instead)
    ]
    out.loc[is_read & ~skipped & ~dup, "stage"] = ""
    return out[ACCOUNT_COLUMNS].reset_index(drop=True)


def write_accounting(table: pd.DataFrame, path) -> None:
    """``runtime.write_table`` of the accounting table as CSV, byte for byte (pandas' header
    and rows), atomically, with the rows printed by ``csv_text.write_csv_rows`` (Arrow's string
    kernels; rows the csv module quotes still by pandas) instead of a Python object per value:
    a million input rows at 1M articles."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(table.iloc[:0].to_csv(index=False, lineterminator="\n").encode("utf-8"))
        write_csv_rows(table, fh)


def no_article_left(audit: pd.DataFrame, written_to: str) -> NewslensError:
    """The error when ingest or cleaning left no article: how many were skipped, and why (most
    common reasons first); the audit is in ``written_to`` (a log file: outputs of a failed job
    are removed)."""
    skipped = audit[audit["action"].astype(str).str.startswith("skipped")]
    reasons = (
        skipped["reason"].astype(str).str.replace(r"only \d+ words", "only N words", regex=True)
    )
    top = reasons.value_counts().head(3)
    why = "; ".join(f"{n} x {r}" for r, n in top.items())
    return NewslensError(
        f"no article left: {len(skipped)} skipped, see cleaning_audit.csv (as the run stops "
        f"here, it is written to {written_to}). Most common reasons: {why}. "
        "Lower cleaning.min_words or check corpus.path / corpus.columns.text."
    )
