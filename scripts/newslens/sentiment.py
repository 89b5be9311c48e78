"""Sentence sentiment (VADER), its aggregation to paragraphs, articles, groups and actors, and
percentile-bootstrap confidence intervals.

Statistics (all computed by :func:`ratio_ci`): for a set of resampling units ``u`` with
per-unit sums ``S_u`` (of compound scores and of negative/neutral/positive indicators) and
sentence counts ``n_u``, the estimate is ``sum(S_u) / sum(n_u)`` -- the mean compound and the
share of sentences with each label. Its CI is the percentile bootstrap: units are drawn with
replacement (multinomial weights, ``numpy.random.default_rng(seed)``, vectorised as one matrix
product per block of resamples). Units are sentences within an article or paragraph; for actors
and groups they are articles when there are enough of them (sentences of one article are not
independent), else sentences. Above ``max_units`` units the normal approximation of the same
ratio estimator is used (the bootstrap converges to it, and it costs nothing at 1M articles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from newslens.arrays import run_starts
from newslens.runtime import NewslensError
from newslens.vader import make_analyzer

LABELS = ("negative", "neutral", "positive")
SCORE_COLUMNS = ["neg", "neu", "pos", "compound"]
SENTENCE_COLUMNS = ["doc_id", "para_id", "sent_id", *SCORE_COLUMNS, "label"]
STATS = ("compound", "share_negative", "share_neutral", "share_positive")


# The table results/tables/sentiment_sentences/ (partitioned, newslens.shards): scores and text.
SENTENCE_TABLE_COLUMNS = [
    "doc_id",
    "para_id",
    "sent_id",
    "neg",
    "neu",
    "pos",
    "compound",
    "label",
    "text",
]
SENTENCE_TABLE_SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("para_id", pa.int64()), ("sent_id", pa.int64())]
    + [(c, pa.float64()) for c in ("neg", "neu", "pos", "compound")]
    + [("label", pa.string()), ("text", pa.string())]
)

# The table results/tables/sentiment_paragraphs/ (partitioned): per paragraph, its sentence
# count, mean compound and label shares with their bootstrap CIs (rounded to 4 decimals), label.
PARAGRAPH_TABLE_SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("para_id", pa.int64()), ("n_sentences", pa.int64())]
    + [
        (f"{'mean_compound' if s == 'compound' else s}{sfx}", pa.float64())
        for s in STATS
        for sfx in ("", "_ci_low", "_ci_high")
    ]
    + [("label", pa.string())]
)


# --------------------------------------------------------------------------- scoring

# the dtype pandas gives a column of Python strings (its Arrow-backed ``str`` in pandas 3)
_STRING_DTYPE = pd.Series(np.array(["x"], dtype=object)).dtype


def label_compound(compound, negative: float = -0.05, positive: float = 0.05) -> np.ndarray:
    """negative if compound <= ``negative``, positive if >= ``positive``, else neutral
    (the VADER authors' convention with the default +-0.05)."""
    c = np.asarray(compound, dtype=float)
    out = np.full(c.shape, "neutral", dtype=object)
    out[c <= negative] = "negative"
    out[c >= positive] = "positive"
    return out


class _TextCache:
    """SentenceScorer's cache for analyzers that score lists: texts as one Arrow string array,
    their scores as an (n, 4) array; looked up for a whole batch at once."""

    def __init__(self) -> None:
        self.texts = None
        self.scores = np.empty((0, 4))

    def __len__(self) -> int:
        return 0 if self.texts is None else len(self.texts)

    def find(self, texts) -> np.ndarray:
        """The row of each text in the cache, -1 where it is not there."""
        if self.texts is None:
            return np.full(len(texts), -1, dtype=np.int64)
        import pyarrow.compute as pc

        rows = pc.fill_null(pc.index_in(texts, value_set=self.texts), -1)
        return rows.to_numpy(zero_copy_only=False).astype(np.int64)

    def add(self, texts, scores: np.ndarray) -> None:
        import pyarrow as pa

        if len(texts) == 0:
            return
        self.texts = texts if self.texts is None else pa.concat_arrays([self.texts, texts])
        self.scores = np.concatenate([self.scores, scores])


class SentenceScorer:
    """Scores sentence tables, batch after batch (``scorer(sentences)``: see
    :func:`score_sentences`).

    A sentence that occurs several times in a batch is scored once; the scores of up to
    ``cache_size`` sentences repeated within a batch (boilerplate, quotes) are also kept for
    the batches that follow. The cache never changes a score, and it is bounded so that a
    shard of any size fits in memory.
    """

    def __init__(
        self,
        implementation: str = "vadersentiment",
        negative: float = -0.05,
        positive: float = 0.05,
        analyzer=None,
        cache_size: int = 200_000,
    ) -> None:
        self.analyzer = analyzer or make_analyzer(implementation)
        self.negative = negative
        self.positive = positive
        self.cache_size = cache_size
        # texts -> scores; a _TextCache (Arrow) when the analyzer scores lists at once
        self.cache = {} if not hasattr(self.analyzer, "score_many") else _TextCache()

    def _scores(self, texts: pd.Series) -> np.ndarray:
        """(n, 4) array of neg, neu, pos, compound; each distinct text scored once."""
        if isinstance(self.cache, _TextCache):
            return self._scores_arrow(texts)
        codes, uniques = pd.factorize(texts)
        distinct = list(uniques)
        cache, score = self.cache, self.analyzer.score
        results = [cache.get(t) or score(t) for t in distinct]
        room = self.cache_size - len(cache)
        if room > 0:
            repeated = np.flatnonzero(np.bincount(codes, minlength=len(distinct)) > 1)
            for k in repeated[:room].tolist():
                cache[distinct[k]] = results[k]
        return np.array(results, dtype=float).reshape(-1, 4)[codes]

    def _scores_arrow(self, texts: pd.Series) -> np.ndarray:
        """``_scores`` for an analyzer with ``score_many`` (FastVader): the texts stay Arrow
        strings (dictionary-encoded: each distinct text once), no Python string per row."""
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(texts, type=pa.large_string())
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        enc = pc.dictionary_encode(arr)
        codes = enc.indices.to_numpy(zero_copy_only=False)
        distinct = enc.dictionary
        table = np.empty((len(distinct), 4))
        found = self.cache.find(distinct)
        have = found >= 0
        table[have] = self.cache.scores[found[have]]
        todo = np.flatnonzero(~have)
        if len(todo):
            table[todo] = self.analyzer.score_many(
                distinct if len(todo) == len(distinct) else distinct.take(pa.array(todo))
            )
        room = self.cache_size - len(self.cache)
        if room > 0:
            repeated = np.bincount(codes, minlength=len(distinct)) > 1
            keep = np.flatnonzero(repeated & ~have)[:room]
            self.cache.add(distinct.take(pa.array(keep)), table[keep])
        return table[codes]

    def __call__(self, sentences: pd.DataFrame) -> pd.DataFrame:
        """The scored rows (SENTENCE_COLUMNS) of a table of sentences (doc_id, para_id,
        sent_id, text): doc_id as Python strings (``object``), para_id and sent_id int64, the
        four scores float64 and the label in the dtype pandas gives a column of strings (its
        Arrow-backed ``str`` in pandas 3), taken by code from an Arrow array of the three
        labels (``label_compound``'s order of tests; no Python string per row). An empty table
        gives an ``object`` label column, as its Parquet schema (null type) always had."""
        scores = self._scores(sentences["text"].fillna("").astype(str))
        compound = scores[:, 3]
        codes = np.ones(len(compound), dtype=np.int64)  # label_compound's order of tests
        codes[compound <= self.negative] = 0
        codes[compound >= self.positive] = 2
        doc = sentences["doc_id"].astype(str).to_numpy(dtype=object)
        columns = {
            "doc_id": pd.Series(doc, dtype=object, copy=False),
            "para_id": sentences["para_id"].to_numpy(dtype=np.int64),
            "sent_id": sentences["sent_id"].to_numpy(dtype=np.int64),
        }
        columns.update({c: scores[:, j].copy() for j, c in enumerate(SCORE_COLUMNS)})
        columns["label"] = _labels(codes)
        return pd.DataFrame(columns)


def _labels(codes: np.ndarray):
    """LABELS[codes] as the label column: Arrow strings in pandas' string dtype, or Python
    strings (``object``) where that dtype is ``object`` (pandas < 3) or there are no rows."""
    if len(codes) == 0 or pd.api.types.is_object_dtype(_STRING_DTYPE):
        return np.array(LABELS, dtype=object)[codes]
    labels = pa.array(LABELS, type=pa.large_string()).take(pa.array(codes))
    return pd.array(labels, dtype=_STRING_DTYPE)


def score_sentences(
    sentences: pd.DataFrame,
    implementation: str = "vadersentiment",
    negative: float = -0.05,
    positive: float = 0.05,
    analyzer=None,
) -> pd.DataFrame:
    """VADER scores for each sentence: doc_id, para_id, sent_id, neg, neu, pos, compound, label.

    Empty sentences and sentences without words (numbers, punctuation) score 0 and are
    labelled neutral; they stay in the table so that nothing is silently lost. Repeated
    sentences are scored once. For a stream of batches use :class:`SentenceScorer`.
    """
    return SentenceScorer(implementation, negative, positive, analyzer)(sentences)


def indicator_matrix(scored: pd.DataFrame) -> np.ndarray:
    """(n, 4) array: compound, is_negative, is_neutral, is_positive per sentence. A label
    column of pandas' string dtype is compared in Arrow (each label's index in LABELS, no Python
    string per row); a missing label or one not in LABELS is none of the three."""
    label = scored["label"]
    if isinstance(label.dtype, pd.StringDtype):
        import pyarrow.compute as pc

        found = pc.index_in(pa.array(label.array), value_set=pa.array(LABELS))
        codes = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
        flags = [codes == k for k in range(len(LABELS))]
    else:
        lab = label.to_numpy()
        flags = [lab == name for name in LABELS]
    return np.column_stack([scored["compound"].to_numpy(dtype=float), *flags]).astype(float)


# --------------------------------------------------------------------------- bootstrap


def _z(confidence: float) -> float:
    """``scipy.stats.norm.ppf(0.5 + confidence / 2)``: scipy.stats computes it as
    ``ndtri(q) * 1 + 0``, the same bits as the public ``scipy.special.ndtri`` (whose import
    costs ~0.1 CPU-s, scipy.stats' ~0.6)."""
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2))


def ratio_ci(
    sums: np.ndarray,
    counts: np.ndarray,
    resamples: int = 1000,
    seed: int | np.random.Generator = 0,
    confidence: float = 0.95,
    max_units: int = 20000,
    block: int = 100,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Estimate and CI of ``sum(sums) / sum(counts)`` over resampling units.

    ``sums`` is (U, k) (one column per statistic), ``counts`` (U,) (> 0). Returns
    (estimate, low, high, method) with arrays of length k; method is "bootstrap",
    "normal" (more than ``max_units`` units) or "none" (fewer than 2 units: CI is NaN).
    """
    sums = np.asarray(sums, dtype=float)
    if sums.ndim == 1:
        sums = sums[:, None]
    counts = np.asarray(counts, dtype=float)
    n_units, k = sums.shape
    nan = np.full(k, np.nan)
    if n_units == 0 or counts.sum() == 0:
        return nan, nan.copy(), nan.copy(), "none"
    est = sums.sum(axis=0) / counts.sum()
    if n_units < 2 or resamples <= 0:
        return est, nan, nan.copy(), "none"
    alpha = (1 - confidence) / 2
    if n_units > max_units:
        resid = sums - counts[:, None] * est[None, :]
        var = n_units / (n_units - 1) * (resid**2).sum(axis=0) / counts.sum() ** 2
        half = _z(confidence) * np.sqrt(var)
        return est, est - half, est + half, "normal"
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    p = np.full(n_units, 1.0 / n_units)
    stats = np.empty((resamples, k))
    for b0 in range(0, resamples, block):
        b = min(block, resamples - b0)
        w = rng.multinomial(n_units, p, size=b).astype(float)
        stats[b0 : b0 + b] = (w @ sums) / (w @ counts)[:, None]
    low, high = np.quantile(stats, [alpha, 1 - alpha], axis=0)
    return est, low, high, "bootstrap"


def _two_sentence_quantiles(v: np.ndarray, w: np.ndarray, quantiles: list[float]):
    """``np.quantile(v @ w.T, quantiles, axis=1)`` for units of two sentences (``v``: (G, 2)
    compound scores; ``w``: (B, 2) resample weights, each row (1, 0), (0.5, 0.5) or (0, 1)),
    without the (G, B) matrix: each unit's B bootstrap means take only the values v0, v1 and
    0.5 v0 + 0.5 v1 (each product exact, so any summation gives these), as often as the
    weights have each row. numpy's linear interpolation between the two order statistics
    around each quantile returns their value exactly when they are equal; the units where
    they differ, and those with a score of -0.0, are returned as ``unsettled`` (their values
    in the result are not to be used). Returns (array (len(quantiles), G), unsettled (G,)
    bool)."""
    n_boot = len(w)
    counts = [int(np.sum(w[:, 0] == x)) for x in (1.0, 0.5, 0.0)]  # v0, the mean, v1
    v0, v1 = v[:, 0], v[:, 1]
    mid = 0.5 * v0 + 0.5 * v1
    first = np.where(v0 <= v1, counts[0], counts[2])  # how many of the smaller value
    lo, hi = np.minimum(v0, v1), np.maximum(v0, v1)

    def order_statistic(k: int) -> np.ndarray:
        return np.where(k < first, lo, np.where(k < first + counts[1], mid, hi))

    out = np.empty((len(quantiles), len(v)))
    # a -0.0 score: whether a product with it comes out as -0.0 or 0.0 depends on the BLAS
    # kernel's order of operations, so such units take the matrix below
    unsettled = ((v == 0) & np.signbit(v)).any(axis=1)
    for j, q in enumerate(quantiles):
        virtual = (n_boot - 1) * np.asarray(q, dtype=float)  # numpy's "linear" method
        below = int(np.floor(virtual))
        above = min(below + 1, n_boot - 1)
        a, b = order_statistic(below), order_statistic(above)
        gamma = virtual - below
        diff = b - a  # 0 where settled; numpy's _lerp, so that signed zeros come out alike
        out[j] = a + diff * gamma if gamma < 0.5 else b - diff * (1 - gamma)
        unsettled |= a != b
    return out, unsettled


def binom_ppf(q: float, n: int, p: np.ndarray) -> np.ndarray:
    """``scipy.stats.binom.ppf(q, n, p)`` for a scalar ``q``: where every argument is valid
    (0 < q < 1, n a whole number >= 0, each p in [0, 1]) scipy.stats returns its ufunc
    ``_binom_ppf`` elementwise, so that ufunc is called directly (importing scipy.special's
    ufuncs costs ~0.1 CPU-s, scipy.stats ~0.6); any other case goes to scipy.stats."""
    p = np.asarray(p, dtype=float)
    valid = 0 < q < 1 and n >= 0 and float(n).is_integer() and bool(np.all((p >= 0) & (p <= 1)))
    if valid:
        try:
            from scipy.special._ufuncs import _binom_ppf
        except ImportError:  # a scipy without it: the public path below
            pass
        else:
            return _binom_ppf(q, n, p) + 0  # + loc, as rv_discrete.ppf adds it
    from scipy.stats import binom

    return binom.ppf(q, n, p)


def within_unit_ci(
    scored: pd.DataFrame,
    keys: list[str],
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    max_cells: int = 20_000_000,
) -> pd.DataFrame:
    """Per group of ``keys`` (an article, or an article's paragraph): n_sentences and, for
    each statistic in STATS, the estimate with a percentile-bootstrap CI over its sentences.

    Vectorised: groups with the same number of sentences n share one draw of multinomial
    weights (B, n), seeded by (seed, n), so a group's CI depends only on its own sentences and
    the seed -- never on which shard or which other articles it comes with. The shares'
    intervals are the exact percentiles of their bootstrap distribution, Binomial(n, share)/n.
    Groups of one sentence get no CI (NaN).
    """
    cols = [*keys, "n_sentences"] + [
        f"{s}{suffix}" for s in STATS for suffix in ("", "_ci_low", "_ci_high")
    ]
    if len(scored) == 0:
        empty = {c: pd.Series([], dtype=float) for c in cols}
        empty.update({k: pd.Series([], dtype="int64") for k in keys if k != "doc_id"})
        empty["doc_id"] = pd.Series([], dtype=object)
        empty["n_sentences"] = pd.Series([], dtype="int64")
        return pd.DataFrame(empty)[cols]
    df = scored.sort_values([*keys, "sent_id"], kind="stable")
    x = indicator_matrix(df)
    grouping = df.groupby(keys, sort=False)
    sizes = grouping.size()
    group_index = grouping.ngroup().to_numpy()
    n_groups = len(sizes)
    size_arr = sizes.to_numpy()
    est = np.full((n_groups, 4), np.nan)
    low = np.full((n_groups, 4), np.nan)
    high = np.full((n_groups, 4), np.nan)
    starts = np.concatenate([[0], np.cumsum(size_arr)[:-1]])
    # rows of group g are starts[g] .. starts[g] + size[g] (df is sorted by keys)
    order = np.argsort(group_index, kind="stable")
    x = x[order]
    alpha = (1 - confidence) / 2
    for n in np.unique(size_arr):
        gs = np.flatnonzero(size_arr == n)
        rows = starts[gs][:, None] + np.arange(n)[None, :]
        vals = x[rows]  # (G, n, 4)
        est[gs] = vals.mean(axis=1)
        if n < 2 or resamples <= 0:
            continue
        # Shares: the bootstrap distribution of a share of n resampled sentences is exactly
        # Binomial(n, share) / n, so its percentiles need no sampling.
        low[gs, 1:] = binom_ppf(alpha, n, est[gs, 1:]) / n
        high[gs, 1:] = binom_ppf(1 - alpha, n, est[gs, 1:]) / n
        # Mean compound: multinomial resampling weights, one matrix product per chunk.
        rng = np.random.default_rng([seed, int(n)])
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float) / n
        chunk = max(1, max_cells // (resamples * n))
        if n == 2:  # exact order statistics; the rows they cannot settle below
            q, unsettled = _two_sentence_quantiles(vals[:, :, 0], w, [alpha, 1 - alpha])
            low[gs, 0], high[gs, 0] = q
            gs, vals = gs[unsettled], vals[unsettled]
        for c0 in range(0, len(gs), chunk):
            boot = vals[c0 : c0 + chunk, :, 0] @ w.T  # (G, B)
            q = np.quantile(boot, [alpha, 1 - alpha], axis=1)
            low[gs[c0 : c0 + chunk], 0] = q[0]
            high[gs[c0 : c0 + chunk], 0] = q[1]
    out = sizes.reset_index(name="n_sentences")
    out = out[[*keys, "n_sentences"]].copy()
    out["n_sentences"] = out["n_sentences"].astype("int64")
    for j, s in enumerate(STATS):
        out[s] = est[:, j]
        out[f"{s}_ci_low"] = low[:, j]
        out[f"{s}_ci_high"] = high[:, j]
    return out[cols]


def shard_order(table: pd.DataFrame, doc_ids: pd.Series) -> pd.DataFrame:
    """The rows of a per-article or per-paragraph table in the order in which their articles
    first appear in ``doc_ids`` (the sentence order of a shard); a stable sort, so an
    article's paragraphs stay in para_id order."""
    key = first_run_index(doc_ids, table["doc_id"])
    if key is None:  # the general path
        _, uniques = pd.factorize(doc_ids)
        rank = pd.Series(np.arange(len(uniques)), index=pd.Index(uniques))
        key = table["doc_id"].map(rank).to_numpy(dtype=float)
    return table.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def first_run_index(ids: pd.Series, of: pd.Series) -> np.ndarray | None:
    """For each value of ``of``, the number of its value among the distinct values of
    ``ids`` in order of first appearance (``pd.factorize(ids)``'s code) -- when the rows of
    each value of ``ids`` are together (a shard's sentences, an article's together) and every
    value of ``of`` is in ``ids``: only the first row of each run of equal values is hashed,
    not every row. None when that does not hold (the caller's general path)."""
    a = ids.to_numpy(dtype=object)
    b = of.to_numpy(dtype=object)
    heads = pd.Index(a[run_starts(a)])
    if not heads.is_unique:
        return None
    starts = run_starts(b)
    code = heads.get_indexer(b[starts])
    if (code < 0).any():
        return None
    return np.repeat(code, np.diff(np.r_[starts, len(b)]))


# --------------------------------------------------------------------------- documents


def document_label(compound, negative: float = -0.05, positive: float = 0.05) -> np.ndarray:
    """The label of an article or paragraph from its mean compound (same thresholds)."""
    c = np.asarray(compound, dtype=float)
    out = label_compound(c, negative, positive)
    out[np.isnan(c)] = ""
    return out


# --------------------------------------------------------------------------- actors


def actor_sentence_table(scored: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """One row per (actor, sentence that mentions it): doc_id, sent_id, actor, n_mentions,
    n_actors (distinct actors named in that sentence), alone (n_actors == 1), compound and
    the label indicators. Sentences whose score is missing are dropped with the join."""
    if len(mentions) == 0 or len(scored) == 0:
        return pd.DataFrame(
            columns=["doc_id", "sent_id", "actor", "n_mentions", "n_actors", "alone", "compound"]
            + ["is_negative", "is_neutral", "is_positive"]
        )
    per = mentions.groupby(["doc_id", "sent_id", "actor"], sort=True).size()
    per = per.rename("n_mentions").reset_index()
    per["n_actors"] = per.groupby(["doc_id", "sent_id"])["actor"].transform("size")
    per["alone"] = per["n_actors"] == 1
    s = scored[["doc_id", "sent_id", "compound", "label"]]
    out = per.merge(s, on=["doc_id", "sent_id"], how="inner")
    for lab in LABELS:
        out[f"is_{lab}"] = (out["label"] == lab).astype(float)
    return out.drop(columns="label")


SUM_COLUMNS = ["sum_compound", "sum_negative", "sum_neutral", "sum_positive"]


def actor_units(unit_sums: pd.DataFrame | None) -> dict:
    """{(actor, scope): (sums, n_sentences, n_mentions)} from per-article unit sums (columns
    actor, scope, doc_id, n_sentences, n_mentions and SUM_COLUMNS): per article, the (U, 4)
    sums of SUM_COLUMNS and the counts, articles sorted by doc_id (unit order fixes which
    resampling weight meets which unit, so the interval does not depend on sharding)."""
    if unit_sums is None or len(unit_sums) == 0:
        return {}
    out = {}
    for (actor, scope), u in unit_sums.groupby(["actor", "scope"], sort=False):
        u = u.sort_values("doc_id", kind="stable")
        out[(actor, scope)] = (
            u[SUM_COLUMNS].to_numpy(),
            u["n_sentences"].to_numpy(),
            u["n_mentions"].to_numpy(),
        )
    return out


class ActorUnitSums:
    """Per (actor, scope), the per-article sums of the actor's sentences (the pandas group-by
    of tests/reference_sentiment.py, without the ids), collected from tables that arrive in
    doc_id order, hold whole articles and carry doc_rank; grouped by integer codes, with the
    same sums."""

    VALUES = ["n_mentions", "compound", "is_negative", "is_neutral", "is_positive"]
    COLUMNS = ["compound", "is_negative", "is_neutral", "is_positive", "size", "n_mentions"]

    def __init__(self, actor_index: pd.Index, ranks: bool = False):
        self.actor_index = actor_index
        self.ranks = ranks  # also keep each sum's doc_rank (ranked_units)
        self.parts: dict = {}  # (actor, scope) -> list of per-table column arrays

    def add(self, t: pd.DataFrame) -> None:
        actor = self.actor_index.get_indexer(t["actor"])
        rank = t["doc_rank"].to_numpy()
        span = int(rank.max()) + 1 if len(rank) else 1
        values = t[self.VALUES]
        for scope in ("all", "alone"):
            keep = slice(None) if scope == "all" else t["alone"].to_numpy(dtype=bool)
            grouped = values[keep].groupby(actor[keep] * span + rank[keep], sort=True)
            sums = grouped.sum()
            sums["size"] = grouped.size()
            code = sums.index.to_numpy() // span  # sorted: each actor's rows together
            if len(code) == 0:  # e.g. no sentence names an actor alone
                continue
            starts = run_starts(code)
            columns = [sums[c].to_numpy() for c in self.COLUMNS]  # once, not once per actor
            if self.ranks:
                columns.append(sums.index.to_numpy() % span)
            for i, j in zip(starts, [*starts[1:], len(code)], strict=True):
                key = (self.actor_index[code[i]], scope)
                self.parts.setdefault(key, []).append(
                    [col[i:j].copy() for col in columns]  # own memory
                )

    def units(self) -> dict:
        """{(actor, scope): (sums, n_sentences, n_mentions)} as ``actor_units`` gives them
        (sums in the Fortran order of ``DataFrame.to_numpy``); consumes the parts."""
        out = {}
        for key in list(self.parts):
            parts = self.parts.pop(key)
            cols = [np.concatenate([p[c] for p in parts]) for c in range(len(self.COLUMNS))]
            sums = np.empty((len(cols[0]), 4), order="F")
            for c in range(4):
                sums[:, c] = cols[c]
            out[key] = (sums, cols[4].astype(np.int64), cols[5].astype(np.int64))
        return out

    def ranked_units(self) -> dict:
        """{(actor, scope): (columns, doc_ranks)}: the COLUMNS' per-article sums as arrays and
        the articles' doc_rank (made with ``ranks=True``); consumes the parts."""
        out = {}
        for key in list(self.parts):
            parts = self.parts.pop(key)
            cols = [np.concatenate([p[c] for p in parts]) for c in range(len(self.COLUMNS) + 1)]
            out[key] = (cols[:-1], cols[-1].astype(np.int64))
        return out


def actor_summary(
    actor_sentences: pd.DataFrame,
    actors: list[str],
    unit_sums: pd.DataFrame | None = None,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    min_articles: int = 30,
    max_units: int = 20000,
    units: dict | None = None,
) -> pd.DataFrame:
    """sentiment_actors.csv: per actor (in config order) and scope ("all", "alone"):
    n_sentences, n_articles, n_mentions, mean compound with CI, share negative/neutral/positive
    with CIs, and ci_unit (sentence or article) and ci_method.

    Resampling unit: articles when the actor's sentences come from at least
    ``min_articles`` articles (sentences of one article are not independent), else
    sentences (given in ``actor_sentences``; with many articles only the per-article sums
    are needed: ``unit_sums``, or ``units`` as :func:`actor_units` makes them).
    An actor without mentions gets a row with n_sentences 0 and empty statistics.
    """
    if units is None:
        units = actor_units(unit_sums)
    # each actor's sentences as arrays, sorted once by actor, doc_id, sent_id (stable: the
    # order a stable sort of each actor's own rows by doc_id, sent_id gives), not one scan
    # and sort of the table per actor
    stat_cols = ["compound", "is_negative", "is_neutral", "is_positive"]
    by_actor: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if len(actor_sentences):
        ordered = actor_sentences.sort_values(["actor", "doc_id", "sent_id"], kind="stable")
        names = ordered["actor"].astype(str).to_numpy()
        x_all = ordered[stat_cols].to_numpy(float)
        alone_all = ordered["alone"].astype(bool).to_numpy()
        cuts = np.flatnonzero(np.r_[True, names[1:] != names[:-1], True])
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            by_actor[names[lo]] = (x_all[lo:hi], alone_all[lo:hi])
    no_rows = (np.empty((0, 4)), np.empty(0, dtype=bool))
    rows = []
    for scope in ("all", "alone"):
        for k, actor in enumerate(actors):
            row = {"actor": actor, "scope": scope}
            sums, n_sentences, n_mentions = units.get((actor, scope), (None, (), ()))
            n_articles = len(n_sentences)
            n_sent = int(n_sentences.sum()) if n_articles else 0
            n_ment = int(n_mentions.sum()) if n_articles else 0
            row.update(n_sentences=n_sent, n_articles=n_articles, n_mentions=n_ment)
            rng = np.random.default_rng([seed, k, 0 if scope == "all" else 1])
            if n_sent == 0:
                est = low = high = np.full(4, np.nan)
                unit, method = "", "none"
            elif n_articles >= min_articles:
                est, low, high, method = ratio_ci(
                    sums, n_sentences, resamples, rng, confidence, max_units
                )
                unit = "article"
            else:
                x, alone = by_actor.get(actor, no_rows)
                if scope == "alone":
                    x = x[alone]
                est, low, high, method = ratio_ci(
                    x, np.ones(len(x)), resamples, rng, confidence, max_units
                )
                unit = "sentence"
            row.update(estimate_columns(est, low, high))
            row["ci_unit"] = unit
            row["ci_method"] = method
            rows.append(row)
    if not rows:  # no actors: the header only
        nan = np.full(4, np.nan)
        header = ["actor", "scope", "n_sentences", "n_articles", "n_mentions"]
        header += [*estimate_columns(nan, nan, nan), "ci_unit", "ci_method"]
        return pd.DataFrame(columns=header)
    return pd.DataFrame(rows)


class ScoreLookup:
    """The compound score and label of every sentence of a shard, found by (doc_id, sent_id):
    what joining a shard's actor mentions to its scores needs, at ~17 bytes a sentence (the
    score and mention files need not be in the same order).

    ``batches``: the shard's scores (doc_id, sent_id, compound, label) in batches. ``exact``
    is False when a (doc_id, sent_id) repeats or a sent_id is out of range; then the lookup
    must not be used (``rows`` would differ from a join).
    """

    SENT_BITS = 24

    def __init__(self, batches) -> None:
        # per batch: the rows' codes into the batch's distinct doc_ids, and those doc_ids;
        # numbered across batches at the end by one factorize of all batches' distinct ids
        # (first appearance, as a dict filled batch by batch numbers them)
        batch_codes, batch_uniques, sents, compound, label = [], [], [], [], []
        self.exact = True
        for b in batches:
            codes, uniques = pd.factorize(b["doc_id"].astype(str))
            batch_codes.append(codes.astype(np.int64))
            batch_uniques.append(np.asarray(uniques, dtype=object))
            sent = b["sent_id"].to_numpy(dtype=np.int64)
            if len(sent) and (sent.min() < 0 or sent.max() >= 1 << self.SENT_BITS):
                self.exact = False
            sents.append(sent)
            compound.append(b["compound"].to_numpy(dtype=float))
            lab = np.full(len(b), len(LABELS), dtype=np.int8)
            for i, name in enumerate(LABELS):
                lab[(b["label"] == name).to_numpy(dtype=bool, na_value=False)] = i
            label.append(lab)
        if batch_uniques:
            ids, names = pd.factorize(np.concatenate(batch_uniques))
            ids = ids.astype(np.int64)
        else:
            ids, names = np.empty(0, dtype=np.int64), []
        self.index = pd.Index(np.asarray(names, dtype=object), dtype=object)
        keys, offset = [], 0
        for codes, uniques, sent in zip(batch_codes, batch_uniques, sents, strict=True):
            keys.append((ids[offset + codes] << self.SENT_BITS) | sent)
            offset += len(uniques)
        del batch_codes, sents
        key = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
        order = np.argsort(key, kind="stable")
        self.keys = key[order]
        self.compound = np.concatenate(compound)[order] if compound else np.empty(0)
        self.label = np.concatenate(label)[order] if label else np.empty(0, dtype=np.int8)
        if np.any(self.keys[1:] == self.keys[:-1]):
            self.exact = False

    def find(self, doc: np.ndarray, sent: np.ndarray):
        """For each (doc, sent_id), with ``doc`` the position of doc_id in ``index`` (-1: not
        there): whether the shard scored it, its compound score and its label code (index
        into LABELS; len(LABELS) for any other label)."""
        doc, sent = np.asarray(doc, dtype=np.int64), np.asarray(sent, dtype=np.int64)
        ok = (doc >= 0) & (sent >= 0) & (sent < 1 << self.SENT_BITS)
        if len(self.keys) == 0:
            return (
                np.zeros(len(sent), dtype=bool),
                np.zeros(len(sent)),
                np.zeros(len(sent), np.int8),
            )
        key = (doc << self.SENT_BITS) | np.where(ok, sent, 0)
        pos = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        found = ok & (self.keys[pos] == key)
        return found, self.compound[pos], self.label[pos]


def _positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """The position of each value in ``index`` (-1 if absent), looking up each distinct
    value once."""
    codes, uniques = pd.factorize(values)
    return index.get_indexer(pd.Index(uniques).astype(str)).astype(np.int64)[codes]


def actor_sentence_batch(
    mentions: pd.DataFrame, lookup: ScoreLookup, doc_index: pd.Index, actor_index: pd.Index
) -> pd.DataFrame:
    """``actor_sentence_table`` for a batch of whole articles of one shard, joined to the
    shard's scores through ``lookup``, with integer keys instead of string ones: the same
    rows in the same order, plus the column doc_rank (position of doc_id in ``doc_index``,
    all doc ids sorted). ``actor_index``: the actor names, sorted."""
    cols = [
        "doc_id",
        "sent_id",
        "actor",
        "n_mentions",
        "n_actors",
        "alone",
        "compound",
        "is_negative",
        "is_neutral",
        "is_positive",
        "doc_rank",
    ]
    codes, uniques = pd.factorize(mentions["doc_id"])
    uniques = pd.Index(uniques).astype(str)
    sent = mentions["sent_id"].to_numpy(dtype=np.int64)
    found, compound, label = lookup.find(lookup.index.get_indexer(uniques)[codes], sent)
    rows = np.flatnonzero(found)
    rank = doc_index.get_indexer(uniques).astype(np.int64)[codes[rows]]
    sent = sent[rows]
    actor = _positions(mentions["actor"], actor_index)[rows]
    if np.any(actor < 0):
        unknown = sorted(set(mentions["actor"].iloc[rows[actor < 0]]))
        raise NewslensError(
            f"actor mentions of {unknown}, which are not actors in the config key actors: "
            "the mention files are out of date; rerun snakemake (rule actor_mentions)."
        )
    order = np.lexsort((actor, sent, rank))
    rank, sent, actor, rows = rank[order], sent[order], actor[order], rows[order]
    n = len(rows)
    new_triple = np.ones(n, dtype=bool)
    new_sentence = np.ones(n, dtype=bool)
    if n:
        new_sentence[1:] = (rank[1:] != rank[:-1]) | (sent[1:] != sent[:-1])
        new_triple[1:] = new_sentence[1:] | (actor[1:] != actor[:-1])
    first = np.flatnonzero(new_triple)  # one output row per (doc, sentence, actor)
    n_mentions = np.diff(np.append(first, n))
    sentence_of = np.cumsum(new_sentence[first]) - 1
    n_actors = np.bincount(sentence_of)[sentence_of] if len(first) else np.zeros(0, np.int64)
    src = rows[first]
    lab = label[src]
    out = pd.DataFrame(
        {
            "doc_id": mentions["doc_id"].iloc[src].astype(str).reset_index(drop=True),
            "sent_id": sent[first],
            "actor": mentions["actor"].iloc[src].astype(str).reset_index(drop=True),
            "n_mentions": n_mentions.astype(np.int64),
            "n_actors": n_actors.astype(np.int64),
            "alone": n_actors == 1,
            "compound": compound[src],
        }
    )
    for i, name in enumerate(LABELS):
        out[f"is_{name}"] = (lab == i).astype(float)
    out["doc_rank"] = rank[first]
    return out[cols]


# --------------------------------------------------------------------------- groups


def estimate_columns(est, low, high) -> dict:
    """One summary row's statistics with their CI bounds (mean_compound, share_*)."""
    row = {}
    for j, stat in enumerate(STATS):
        name = "mean_compound" if stat == "compound" else stat
        row[name] = est[j]
        row[f"{name}_ci_low"] = low[j]
        row[f"{name}_ci_high"] = high[j]
    return row


def period_of(dates: pd.Series, unit: str) -> pd.Series:
    """ISO dates -> period labels: week "2022-W47" (ISO week) or month "2022-11"; "" when the
    date is missing or unparsable."""
    d = pd.to_datetime(dates.fillna("").astype(str), errors="coerce", format="%Y-%m-%d")
    if unit == "week":
        iso = d.dt.isocalendar()
        lab = (
            iso["year"].astype("Int64").astype(str)
            + "-W"
            + iso["week"].astype("Int64").astype(str).str.zfill(2)
        )
    elif unit == "month":
        lab = d.dt.strftime("%Y-%m")
    else:
        raise ValueError(f"unknown period unit {unit!r}")
    return lab.where(d.notna(), "").astype(str)


def group_summary(
    documents: pd.DataFrame,
    by: str,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    max_units: int = 20000,
) -> pd.DataFrame:
    """Sentiment per value of column ``by`` of the per-article table (outlet, period...).

    Each article counts once (the mean of its sentences' compound scores; the share of its
    sentences per label); the CI resamples articles. Articles with an empty ``by`` value
    are left out (and counted nowhere). Columns: group_by, group, n_articles,
    n_sentences, then each statistic with _ci_low/_ci_high.
    """
    d = documents[documents[by].fillna("").astype(str) != ""]
    rows = []
    for k, (value, g) in enumerate(d.groupby(d[by].astype(str), sort=True)):
        x = g[list(STATS)].to_numpy(float)
        ok = ~np.isnan(x).any(axis=1)
        x = x[ok]
        est, low, high, method = ratio_ci(
            x,
            np.ones(len(x)),
            resamples,
            np.random.default_rng([seed, k]),
            confidence,
            max_units,
        )
        row = {
            "group_by": by,
            "group": value,
            "n_articles": int(ok.sum()),
            "n_sentences": int(g["n_sentences"].sum()),
        }
        row.update(estimate_columns(est, low, high))
        row["ci_method"] = method
        rows.append(row)
    return pd.DataFrame(rows)
