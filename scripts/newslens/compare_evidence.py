"""Evidence for the group comparisons: keyword-in-context lines (configured terms and each
comparison's key terms, in the group's articles) and seeded samples of example sentences per
group and frame or actor. Text is joined by the rule scripts; these functions pick the rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from newslens.compare import comparisons
from newslens.compare_codes import plain_values, sorted_codes

# ----------------------------------------------------------------------------------------------
# Evidence: keyword in context
# ----------------------------------------------------------------------------------------------

KWIC_COLUMNS = [
    "variable",
    "group",
    "reference",
    "source",
    "term",
    "doc_id",
    "sent_id",
    "left",
    "keyword",
    "right",
]


def kwic_targets(keyness: pd.DataFrame, terms: Sequence[str], top: int) -> pd.DataFrame:
    """What to show in context: every configured term for every group (source ``config``) and
    each comparison's ``top`` terms over-used by the group, by G2 (source ``keyness``)."""
    rows = []
    if top and not keyness.empty:
        over = keyness[keyness["direction"] == "group"].sort_values(
            ["g2", "term"], ascending=[False, True], kind="stable"
        )
        best = over.groupby(["variable", "group", "reference"], sort=False).head(top)
        rows.append(best[["variable", "group", "reference", "term"]].assign(source="keyness"))
    if terms:
        rows.append(pd.DataFrame({"term": [str(t).lower() for t in terms], "source": "config"}))
    if not rows:
        return pd.DataFrame(columns=["variable", "group", "reference", "term", "source"])
    out = pd.concat(rows, ignore_index=True)
    return out.reindex(columns=["variable", "group", "reference", "term", "source"])


KWIC_HIT_COLUMNS = ["term", "doc_id", "sent_id", "left", "keyword", "right"]


def kwic_positions(tokens: pd.DataFrame, wanted: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``tokens`` whose normalised ``term`` or lower-cased form is in ``wanted``, in
    reading order, and the wanted form each matched (the term first, else the lower form)."""
    if tokens.empty or not wanted:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    wanted = {str(w) for w in wanted}
    hit_term = tokens["term"].isin(wanted).to_numpy()  # hash look-ups, not sorted string arrays
    hit_lower = tokens["lower"].isin(wanted).to_numpy() & ~hit_term
    hits = np.flatnonzero(hit_term | hit_lower)
    term = tokens["term"].to_numpy()[hits].astype(str)
    lower = tokens["lower"].to_numpy()[hits].astype(str)
    return hits, np.where(hit_term[hits], term, lower).astype(object)


def kwic_context(tokens: pd.DataFrame, rows: np.ndarray, window: int) -> list[tuple[str, str, str]]:
    """(left, keyword, right) of each token row in ``rows``: ``window`` tokens each side,
    within the article (``tokens`` holds whole articles in reading order)."""
    doc = tokens["doc_id"].astype(str).to_numpy()
    words = tokens["token"].astype(str).to_numpy()
    out = []
    for i in rows:
        lo, hi = max(0, i - window), min(len(words), i + window + 1)
        left = [w for j, w in zip(range(lo, i), words[lo:i], strict=True) if doc[j] == doc[i]]
        right = [
            w for j, w in zip(range(i + 1, hi), words[i + 1 : hi], strict=True) if doc[j] == doc[i]
        ]
        out.append((" ".join(left), words[i], " ".join(right)))
    return out


def kwic(tokens: pd.DataFrame, wanted: set[str], window: int, context: bool = True) -> pd.DataFrame:
    """Keyword-in-context lines of one or more whole articles' tokens (in reading order) for
    every token whose normalised ``term`` or lower-cased form is in ``wanted``: ``window``
    tokens left and right, within the article. ``context=False`` leaves left/keyword/right
    empty and adds ``row`` (the token's row in ``tokens``), so that contexts can be built
    later for a sample of the hits only (``kwic_context``)."""
    rows, names = kwic_positions(tokens, wanted)
    if not len(rows):
        return pd.DataFrame(columns=KWIC_HIT_COLUMNS)
    out = pd.DataFrame(
        {
            "term": names,
            "doc_id": tokens["doc_id"].to_numpy()[rows].astype(str).astype(object),
            "sent_id": tokens["sent_id"].to_numpy()[rows].astype(np.int64),
        }
    )
    if context:
        lines = kwic_context(tokens, rows, window)
        out["left"] = [a for a, _k, _b in lines]
        out["keyword"] = [k for _a, k, _b in lines]
        out["right"] = [b for _a, _k, b in lines]
    else:
        out["left"] = out["keyword"] = out["right"] = ""
        out["row"] = rows
    return out


HIT_COLUMNS = ["term", "doc_id", "sent_id", "left", "keyword", "right", "part", "row"]


def scan_hits(path, wanted: set[str], batch_rows: int = 262_144) -> pd.DataFrame:
    """Every token of the token dataset (part list, folder or one Parquet file) whose ``term``
    or lower-cased form is in ``wanted``: term (the wanted form matched, the term first), doc_id,
    sent_id, empty left/keyword/right, and where it is (``part``: the part's number in part order, ``row``: its row in the
    part). Reads only the four columns it needs (the strings dictionary-encoded), tests each
    distinct term and lower-cased form once (``_in_dictionary``) and converts only the hits to
    pandas."""
    import pyarrow as pa

    from newslens.shards import dataset_parts, iter_parquet_arrow

    columns = ["term", "lower", "doc_id", "sent_id"]
    if not wanted:
        return pd.DataFrame(columns=[*HIT_COLUMNS])
    value_set = pa.array(sorted(str(w) for w in wanted), type=pa.string())
    found = []
    for part_no, part in enumerate(dataset_parts(path)):
        start = 0
        for batch in iter_parquet_arrow(part, batch_rows, columns, dictionary=columns[:3]):
            hit_term = _in_dictionary(batch.column("term"), value_set)
            mask = hit_term | _in_dictionary(batch.column("lower"), value_set)
            rows = np.flatnonzero(mask)
            if len(rows):
                idx = pa.array(rows)

                def strings(name, idx=idx, batch=batch):
                    values = batch.column(name).take(idx).cast(pa.string())
                    return np.asarray(values.to_pylist(), dtype=object)

                names = np.where(hit_term[rows], strings("term"), strings("lower"))
                found.append(
                    pd.DataFrame(
                        {
                            "term": names,
                            "doc_id": strings("doc_id"),
                            "sent_id": batch.column("sent_id")
                            .take(idx)
                            .to_numpy(zero_copy_only=False)
                            .astype(np.int64),
                            "part": part_no,
                            "row": rows + start,
                        }
                    )
                )
            start += batch.num_rows
    if not found:
        return pd.DataFrame(columns=[*HIT_COLUMNS])
    out = pd.concat(found, ignore_index=True)
    out["left"] = out["keyword"] = out["right"] = ""  # built later for the sampled hits only
    return out[HIT_COLUMNS]


def _in_dictionary(column, value_set) -> np.ndarray:
    """Which rows of a dictionary-encoded Arrow column hold one of ``value_set`` (null: no):
    the test runs once per distinct value, not once per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    masks = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        known = pc.fill_null(pc.is_in(chunk.dictionary, value_set=value_set), False)
        known = known.to_numpy(zero_copy_only=False)
        codes = pc.fill_null(chunk.indices, 0).to_numpy(zero_copy_only=False)
        hit = known[codes] if len(known) else np.zeros(len(chunk), dtype=bool)
        if chunk.null_count:
            hit &= chunk.is_valid().to_numpy(zero_copy_only=False)
        masks.append(hit)
    return np.concatenate(masks) if masks else np.zeros(0, dtype=bool)


def scan_contexts(path, hits: pd.DataFrame, window: int) -> list[tuple[str, str, str]]:
    """(left, keyword, right) of each hit (``part``, ``row`` as ``scan_hits`` gives them):
    ``window`` tokens each side within the article, reading only the doc_id and token columns
    of the row groups that hold the hits and their windows, dictionary-encoded (a string is
    built only for the tokens of the windows)."""
    import pyarrow.parquet as pq

    from newslens.shards import corrupt_parquet, dataset_parts

    out: list[tuple[str, str, str] | None] = [None] * len(hits)
    parts = dataset_parts(path)
    order = np.arange(len(hits))
    for part_no, where in pd.Series(order).groupby(hits["part"].to_numpy()):
        part = parts[int(part_no)]
        rows = hits["row"].to_numpy(dtype=np.int64)[where.to_numpy()]
        try:
            pf = pq.ParquetFile(part, pre_buffer=False, read_dictionary=["doc_id", "token"])
            sizes = [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)]
            starts = np.concatenate([[0], np.cumsum(sizes)])
            lo = np.maximum(rows - window, 0)
            hi = np.minimum(rows + window, starts[-1] - 1)
            first = np.searchsorted(starts, lo, side="right") - 1
            last = np.searchsorted(starts, hi, side="right") - 1
            need = sorted({g for a, b in zip(first, last, strict=True) for g in range(a, b + 1)})
            table = pf.read_row_groups(need, columns=["doc_id", "token"])
        except (OSError, ValueError) as err:
            raise corrupt_parquet(part, err) from err
        # row r of the part is row local[r] of the table read (its row groups, concatenated)
        offset = {g: int(starts[g]) for g in need}
        base = np.concatenate([[0], np.cumsum([sizes[g] for g in need])])
        pos = {g: int(base[k]) for k, g in enumerate(need)}
        doc = table.column("doc_id")
        tok = table.column("token")
        for k, r, a, b, ga in zip(where.to_numpy(), rows, lo, hi, first, strict=True):
            local_a = pos[int(ga)] + int(a) - offset[int(ga)]
            n = int(b - a + 1)
            docs = [str(d) for d in doc.slice(local_a, n).to_pylist()]
            words = [str(w) for w in tok.slice(local_a, n).to_pylist()]
            i = int(r - a)
            left = [w for d, w in zip(docs[:i], words[:i], strict=True) if d == docs[i]]
            right = [w for d, w in zip(docs[i + 1 :], words[i + 1 :], strict=True) if d == docs[i]]
            out[k] = (" ".join(left), words[i], " ".join(right))
    return out


def kwic_table(
    hits: pd.DataFrame,
    targets: pd.DataFrame,
    groups: pd.DataFrame,
    reference: str,
    max_rows: int,
    seed: int,
    min_articles: int = 1,
) -> pd.DataFrame:
    """Assign context lines to the comparisons they document: keyness terms to their own
    comparison, configured terms to every comparison; lines from the group's articles; at most
    ``max_rows`` per comparison and term (a seeded sample, in reading order: each cell's rows
    are ``sample(max_rows, random_state=seed)`` of its hits, then sorted). The cells are found
    on arrays (each hit's group and term, each target's comparison), and the rows of every
    cell taken from ``hits`` at once."""
    if hits.empty or targets.empty:
        return pd.DataFrame(columns=KWIC_COLUMNS)
    hits = hits.assign(doc_id=hits["doc_id"].astype(str)).reset_index(drop=True)
    labels = groups.set_index(groups["doc_id"].astype(str))
    hit_term = hits["term"].to_numpy(dtype=object)
    t_term, t_source, t_var, t_group, t_ref = (
        targets[c].to_numpy(dtype=object)
        for c in ("term", "source", "variable", "group", "reference")
    )
    config = t_source == "config"
    cells = []  # (hit rows, variable, group, reference, source)
    for var in [c for c in groups.columns if c != "doc_id"]:
        # the group of each hit's article (a hit is in a group's articles when its label is g)
        hit_group = _doc_labels(hits["doc_id"], groups, var) if labels.index.is_unique else None
        for g, ref, _gm, _rm in comparisons(
            labels[var].reset_index(drop=True), reference, min_articles
        ):
            mine = config | ((t_var == var) & (t_group == g) & (t_ref == ref))
            in_group = (
                hit_group == g
                if hit_group is not None
                else hits["doc_id"].isin(labels.index[labels[var] == g]).to_numpy()
            )
            for term, source in sorted(set(zip(t_term[mine], t_source[mine], strict=True))):
                rows = np.flatnonzero(in_group & (hit_term == term))
                if len(rows) > max_rows:
                    pick = pd.Series(rows, index=rows).sample(max_rows, random_state=seed)
                    rows = pick.sort_index().to_numpy()
                if len(rows):
                    cells.append((rows, var, g, ref, source))
    extra = [c for c in ("batch", "part", "row") if c in hits.columns]  # where to build the context
    if not cells:
        return pd.DataFrame(columns=KWIC_COLUMNS + extra)
    sizes = [len(c[0]) for c in cells]
    out = hits.take(np.concatenate([c[0] for c in cells])).reset_index(drop=True)
    for k, name in enumerate(("variable", "group", "reference", "source"), start=1):
        out[name] = np.repeat(np.array([c[k] for c in cells], dtype=object), sizes)
    return out[KWIC_COLUMNS + extra]


EXAMPLE_COLUMNS = ["variable", "group", "frame", "doc_id", "sent_id", "text"]


def _doc_labels(docs, groups: pd.DataFrame, var: str) -> np.ndarray:
    """The ``var`` label of each doc_id in ``docs`` from ``groups`` ("" for a doc_id it does not
    name; of repeated doc_ids the last row's, as a dict of them would give)."""
    index = pd.Index(groups["doc_id"].astype(str))
    labels = groups[var].astype(str).to_numpy(dtype=object)
    if not index.is_unique:
        lab = dict(zip(index, labels, strict=True))
        return pd.Series(np.asarray(docs, dtype=object)).map(lab).fillna("").to_numpy(object)
    pos = index.get_indexer(docs)
    return np.where(pos >= 0, labels[np.maximum(pos, 0)] if len(labels) else "", "")


def _sorted_factorize(column: pd.Series, as_text: bool = True):
    """(codes, distinct values in sorted order) of a column: a categorical column without
    nulls from its categories (``compare_codes.sorted_codes``: no string per row; its unused
    categories stay in the values, which only widens the codes' range), any other as
    ``pd.factorize(column, sort=True)`` (of its strings with ``as_text``; -1 for missing)."""
    coded = sorted_codes(column)
    if coded is not None:
        return coded
    return pd.factorize(column.astype(str) if as_text else column, sort=True)


def _sampled_blocks(rows: pd.DataFrame, groups: pd.DataFrame, cell: str, n: int, seed: int):
    """Per comparison variable: the sampled rows of all its cells, taken from ``rows`` at once
    and cell after cell, and the cells as (group, cell value, number of rows) in that order. Yields
    (variable, rows, cells).

    The sample of a cell is pandas' ``one.sample(n, random_state=seed)`` of the cell's rows in
    table order (the first ``n`` of ``RandomState(seed).permutation``) and its order that of a
    stable sort by (doc_id, sent_id); the cells are found by integer codes (articles and cell
    values factorised once, in sorted order; a categorical column by its categories) instead
    of a groupby of strings."""
    doc_codes, docs = _sorted_factorize(rows["doc_id"])
    cell_codes, cell_values = _sorted_factorize(rows[cell], as_text=False)  # -1: missing
    sent = rows["sent_id"].to_numpy()
    for var in [c for c in groups.columns if c != "doc_id"]:
        row_label = _doc_labels(docs, groups, var)[doc_codes]
        label_codes, labels = pd.factorize(row_label, sort=True)
        key = label_codes.astype(np.int64) * max(len(cell_values), 1) + cell_codes
        keep = np.flatnonzero((row_label != "") & (cell_codes >= 0))
        order = keep[np.argsort(key[keep], kind="stable")]
        cuts = np.flatnonzero(np.diff(key[order])) + 1
        picks, cells = [], []
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(order)], strict=True):
            if lo == hi:
                continue
            idx = order[lo:hi]
            if len(idx) > n:
                idx = idx[np.random.RandomState(seed).permutation(len(idx))[:n]]
            idx = idx[np.lexsort((sent[idx], doc_codes[idx]))]
            cells.append((labels[label_codes[idx[0]]], cell_values[cell_codes[idx[0]]], len(idx)))
            picks.append(idx)
        if picks:
            yield var, rows.take(np.concatenate(picks)), cells


def _labelled_blocks(rows, groups, cell: str, n: int, seed: int, cell_name: str | None):
    """The sampled rows of every variable in one table (``_sampled_blocks``' order) with their
    variable, group and (as ``cell_name``, unless None) cell value per row: what a concat of
    each cell's ``assign(variable=, group=, ...)`` gives, without a frame per cell. None when
    no cell has rows."""
    parts = []
    for var, taken, cells in _sampled_blocks(rows, groups, cell, n, seed):
        sizes = [size for _g, _v, size in cells]
        taken = taken.reset_index(drop=True)
        taken["variable"] = var
        taken["group"] = np.repeat(np.array([g for g, _v, _s in cells], dtype=object), sizes)
        if cell_name is not None:
            values = np.array([v for _g, v, _s in cells], dtype=object)
            taken[cell_name] = np.repeat(values, sizes)
        parts.append(taken)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    for col in ("doc_id", "actor"):  # the tables' keys as plain strings, as before
        if col in out.columns:
            out[col] = plain_values(out[col]).astype(str)
    return out


def frame_examples(
    sentences: pd.DataFrame, groups: pd.DataFrame, n: int, seed: int, none: str = "none"
) -> pd.DataFrame:
    """A seeded sample of up to ``n`` sentences per variable x group x frame, from the
    per-sentence frame table (doc_id, sent_id, primary_frame); sentences whose primary frame is
    ``none`` or empty are left out. Text is joined later."""
    frames = sentences[["doc_id", "sent_id", "primary_frame"]].copy()
    if sorted_codes(frames["doc_id"]) is None:  # categorical: compared by its categories
        frames["doc_id"] = frames["doc_id"].astype(str)
    primary = frames["primary_frame"]
    if sorted_codes(primary) is None:
        primary = primary.astype(str)
    frames = frames[~primary.isin(["", none, "nan"]).to_numpy()]
    out = _labelled_blocks(frames, groups, "primary_frame", n, seed, "frame")
    if out is None:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    out["text"] = ""
    return out[EXAMPLE_COLUMNS]


# ----------------------------------------------------------------------------------------------
# Example sentences naming an actor
# ----------------------------------------------------------------------------------------------

ACTOR_EXAMPLE_COLUMNS = [
    "variable",
    "group",
    "actor",
    "doc_id",
    "sent_id",
    "compound",
    "primary_frame",
    "text",
]


def actor_sentence_rows(actor_sentences: pd.DataFrame) -> pd.DataFrame:
    """doc_id, sent_id, actor, compound with string/int keys, one row per sentence and actor,
    in actor and article order (the rows actor_examples samples from)."""
    rows = actor_sentences[["doc_id", "sent_id", "actor", "compound"]].assign(
        sent_id=lambda t: t["sent_id"].astype(np.int64)
    )
    for col in ("doc_id", "actor"):  # a categorical column (no nulls) keeps its codes
        if sorted_codes(rows[col]) is None:
            rows[col] = rows[col].astype(str)
    # sorted by (actor, doc_id, sent_id), stable, the first of repeated rows kept: integer codes
    # in sorted order and one lexsort instead of a sort of strings
    actor = _sorted_factorize(rows["actor"])[0]
    doc = _sorted_factorize(rows["doc_id"])[0]
    sent = rows["sent_id"].to_numpy()
    order = np.lexsort((sent, doc, actor))
    a, d, s = actor[order], doc[order], sent[order]
    repeat = np.r_[False, (a[1:] == a[:-1]) & (d[1:] == d[:-1]) & (s[1:] == s[:-1])]
    return rows.take(order[~repeat])


def actor_examples(
    actor_sentences: pd.DataFrame,
    groups: pd.DataFrame,
    n: int,
    seed: int,
    primary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A seeded sample of up to ``n`` sentences naming each actor per variable x group (from
    the per-sentence actor table: doc_id, sent_id, actor, compound), in article order, with the
    sentence's sentiment and (from ``primary``: doc_id, sent_id, primary_frame) primary frame.
    The sample does not depend on the row order of the input. Text is joined later."""
    if actor_sentences.empty or n <= 0:
        return pd.DataFrame(columns=ACTOR_EXAMPLE_COLUMNS)
    rows = actor_sentence_rows(actor_sentences)
    out = _labelled_blocks(rows, groups, "actor", n, seed, None)
    if out is None:
        return pd.DataFrame(columns=ACTOR_EXAMPLE_COLUMNS)
    # the primary frame of the sampled sentences only (the sample does not depend on it)
    if primary is not None and len(primary):
        docs = primary["doc_id"]
        if sorted_codes(docs) is None:  # categorical: isin looks at its categories only
            docs = docs.astype(str)
        mine = docs.isin(set(out["doc_id"])).to_numpy()
        prim = primary.loc[mine, ["doc_id", "sent_id", "primary_frame"]].assign(
            doc_id=lambda t: plain_values(t["doc_id"]).astype(str),
            sent_id=lambda t: t["sent_id"].astype(np.int64),
            primary_frame=lambda t: plain_values(t["primary_frame"]),
        )
        out = out.merge(prim.drop_duplicates(["doc_id", "sent_id"]), how="left")
    else:
        out["primary_frame"] = ""
    out["primary_frame"] = out["primary_frame"].fillna("").astype(str)
    out["text"] = ""
    return out[ACTOR_EXAMPLE_COLUMNS]
