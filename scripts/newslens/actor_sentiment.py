"""Sentiment toward an actor per (article, actor) pair: lexicon scores of the actor's context,
a supervised classifier trained on coded pairs, and validation against gold pairs.

* :func:`actor_article_scores` -- one row per (article, actor) mentioned in it: the VADER
  compound of the sentences naming the actor, of a window of sentences around its mentions,
  of the whole article weighted by distance to the nearest mention, of the article itself,
  and the configured score (``method``) with its label from the actor thresholds.
* :func:`actor_contexts` -- the text of the sentences naming the actor, every mention masked
  as ``[TGT]`` (what the supervised classifier reads).
* :func:`fit_actor_classifier` / :func:`cross_validated_predictions` -- TF-IDF of the masked
  context plus the lexicon features, logistic regression with C and class weights chosen by
  inner cross-validation; out-of-fold predictions for the k-fold report and for validation.
* :func:`agreement_with_ci` -- macro-F1, accuracy, Cohen's kappa and per-class P/R/F1 with
  seeded percentile-bootstrap intervals over the coded items.

All functions are pure over pandas tables; the rule scripts do the reading and writing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newslens.runtime import NewslensError, log
from newslens.sentiment import LABELS, label_compound

METHODS = ("sentences", "window", "distance", "article", "prior")
PAIR_COLUMNS = [
    "doc_id",
    "actor",
    "n_mentions",
    "n_sentences",
    "doc_sentences",
    "first_position",
    "sentences_compound",
    "window_compound",
    "distance_compound",
    "article_compound",
    "score",
    "label",
]
NUMERIC_FEATURES = [
    "sentences_compound",
    "window_compound",
    "distance_compound",
    "article_compound",
    "log_mentions",
    "share_sentences",
    "first_position",
]
MASK = "[TGT]"


def empty_pairs() -> pd.DataFrame:
    """A pair table with no rows and the columns of :func:`actor_article_scores`."""
    out = pd.DataFrame({c: pd.Series([], dtype=float) for c in PAIR_COLUMNS})
    for c in ("doc_id", "actor", "label"):
        out[c] = out[c].astype(object)
    for c in ("n_mentions", "n_sentences", "doc_sentences"):
        out[c] = out[c].astype("int64")
    return out


def _positions(scores: pd.DataFrame) -> pd.DataFrame:
    """doc_id, sent_id, pos (0-based rank of the sentence in its article), compound, and the
    article's sentence count and mean compound. Numeric work on factorized ids; a repeated
    (doc_id, sent_id) counts once."""
    doc = scores["doc_id"].astype(str).to_numpy(dtype=object)
    sent = scores["sent_id"].to_numpy(dtype=np.int64)
    comp = scores["compound"].to_numpy(dtype=float)
    codes, uniques = pd.factorize(doc)
    order = np.lexsort((sent, codes))
    codes, sent, comp = codes[order], sent[order], comp[order]
    keep = np.r_[True, (codes[1:] != codes[:-1]) | (sent[1:] != sent[:-1])]
    if not keep.all():
        codes, sent, comp = codes[keep], sent[keep], comp[keep]
    counts = np.bincount(codes, minlength=len(uniques))
    sums = np.bincount(codes, weights=comp, minlength=len(uniques))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return pd.DataFrame(
        {
            "doc_id": np.asarray(uniques, dtype=object)[codes],
            "sent_id": sent,
            "compound": comp,
            "pos": np.arange(len(codes)) - starts[codes],
            "doc_sentences": counts[codes],
            "article_compound": (sums / np.maximum(counts, 1))[codes],
        }
    )


def actor_article_scores(
    scores: pd.DataFrame,
    mentions: pd.DataFrame,
    method: str = "sentences",
    window: int = 1,
    decay: float = 1.0,
    prior_weight: float = 0.5,
    negative: float = -0.05,
    positive: float = 0.05,
    variants: bool = True,
) -> pd.DataFrame:
    """Per (article, actor) with at least one mention: the lexicon scores of its context.

    ``scores`` holds every sentence of the articles (doc_id, sent_id, compound); ``mentions``
    one row per mention (doc_id, sent_id, actor). Columns:

    - sentences_compound: mean compound of the sentences naming the actor;
    - window_compound: mean over the sentences within ``window`` sentences of a mention;
    - distance_compound: mean over all the article's sentences, weighted by
      ``exp(-d / decay)``, d = distance in sentences to the nearest mention;
    - article_compound: mean over all the article's sentences (its tone);
    - score: the column named by ``method``; "prior" is
      ``prior_weight * sentences + (1 - prior_weight) * article``;
    - label: negative if score <= ``negative``, positive if >= ``positive``, else neutral.

    With ``variants`` false, the window and distance columns (not needed by ``method``) are
    left NaN, which keeps the cost linear in the mentions.
    """
    if method not in METHODS:
        raise NewslensError(
            f"config key sentiment.actor_scores.method: unknown method {method!r}; "
            f"use one of {list(METHODS)}."
        )
    if len(mentions) == 0 or len(scores) == 0:
        return empty_pairs()
    m = mentions[["doc_id", "sent_id", "actor"]].copy()
    m["doc_id"] = m["doc_id"].astype(str)
    # only the articles that name an actor are needed (Arrow's is_in: pandas' isin of Arrow
    # strings turns every value into a Python object first)
    named = pc.is_in(
        pa.array(scores["doc_id"].astype(str)), value_set=pa.array(pd.unique(m["doc_id"]))
    )
    s = _positions(scores[named.to_numpy(zero_copy_only=False)])
    counts = m.groupby(["doc_id", "actor", "sent_id"], sort=True).size().rename("k").reset_index()
    counts = counts.merge(s, on=["doc_id", "sent_id"], how="inner")
    if len(counts) == 0:
        return empty_pairs()
    keys = ["doc_id", "actor"]
    g = counts.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "n_mentions": g["k"].sum(),
            "n_sentences": g.size(),
            "doc_sentences": g["doc_sentences"].first(),
            "first_position": g["pos"].min() / g["doc_sentences"].first().clip(lower=1),
            "sentences_compound": g["compound"].mean(),
            "article_compound": g["article_compound"].first(),
        }
    ).reset_index()
    out["window_compound"] = np.nan
    out["distance_compound"] = np.nan
    if variants or method == "window":
        out["window_compound"] = _window_means(counts[[*keys, "pos"]], s, window, keys, out)
    if variants or method == "distance":
        out["distance_compound"] = _distance_means(counts[[*keys, "pos"]], s, decay, keys, out)
    return _scored_pairs(out, method, prior_weight, negative, positive)


class ArticleBatches:
    """The rows of ``table`` whose article (``ids``, one per row) is among articles
    ``k * size`` to ``(k + 1) * size - 1`` of ``docs``, for batch ``k``, in table order: what
    ``table.filter(pc.is_in(ids, value_set=docs.slice(k * size, size)))`` gives, with each
    row's article numbered once (``pc.index_in`` against all of ``docs``) instead of a lookup
    of every row per batch (a cost of batches x rows: ~2.3 CPU-s on a 1M shard). A table in
    article order is sliced; another is taken in a stable order of batch numbers. Rows whose
    article is not in ``docs`` (or missing ids) keep the ``is_in`` filter."""

    def __init__(self, table, ids, docs, size: int):
        self.table, self.ids, self.docs, self.size = table, ids, docs, size
        index = pc.index_in(ids, value_set=docs)
        self.cuts = self.order = None
        if index.null_count:
            return
        batch = index.to_numpy() // size if len(index) else np.zeros(0, dtype=np.int64)
        edges = np.arange(-(-len(docs) // size) + 1)
        if np.all(batch[1:] >= batch[:-1]):
            self.cuts = np.searchsorted(batch, edges)
        else:
            self.order = np.argsort(batch, kind="stable")
            self.cuts = np.searchsorted(batch[self.order], edges)

    def batch(self, k: int):
        """Batch ``k``'s rows (an Arrow table)."""
        if self.cuts is None:
            chunk = self.docs.slice(k * self.size, self.size)
            return self.table.filter(pc.is_in(self.ids, value_set=chunk))
        lo, hi = int(self.cuts[k]), int(self.cuts[k + 1])
        if self.order is None:
            return self.table.slice(lo, hi - lo)
        return self.table.take(pa.array(self.order[lo:hi]))


def actor_pairs_batched(
    scores,
    mentions,
    targets,
    batch_articles: int,
    negative: float = -0.05,
    positive: float = 0.05,
    **kwargs,
) -> pd.DataFrame:
    """:func:`actor_article_scores` plus :func:`add_unnamed_targets` for a whole shard, computed
    ``batch_articles`` articles at a time: every score is per article, so the batches give the
    same rows and bits as one pass, and memory is bounded by the batch, not the shard.

    ``scores``, ``mentions`` and ``targets`` are Arrow tables (compact while waiting) with the
    columns the two functions read; ``kwargs`` go to :func:`actor_article_scores`. Rows are
    sorted by (doc_id, actor), as one pass sorts them."""
    if batch_articles < 1:
        raise NewslensError(f"batch_articles must be at least 1, got {batch_articles}")
    string = pa.large_string()

    def ids(table):
        return table.column("doc_id").cast(string)

    docs = pc.unique(
        pa.chunked_array(
            [*ids(scores).chunks, *ids(mentions).chunks, *ids(targets).chunks], type=string
        )
    )
    s_ids, m_ids, t_ids = ids(scores), ids(mentions), ids(targets)
    # the unnamed targets' tone over the whole shard (two columns, doc_ids shared as objects)
    tone = article_tone(scores.select(["doc_id", "compound"]).to_pandas()) if len(t_ids) else None
    batches = [
        ArticleBatches(table, column, docs, batch_articles)
        for table, column in ((scores, s_ids), (mentions, m_ids), (targets, t_ids))
    ]
    # the default scores on integer codes (named_pairs); the window and distance variants in pandas
    method, prior = kwargs.get("method", "sentences"), kwargs.get("prior_weight", 0.5)
    slow = kwargs.get("variants", True) or method in ("window", "distance")
    if method not in METHODS:
        slow = True  # actor_article_scores says why
    parts = []
    for k in range(-(-len(docs) // batch_articles)):
        s, m, t = (b.batch(k) for b in batches)
        pairs = None if slow else named_pairs(s, m, method, prior, negative, positive)
        s, t = s.to_pandas() if pairs is None or t.num_rows else s, t.to_pandas()
        if pairs is None:
            pairs = actor_article_scores(
                s, m.to_pandas(), negative=negative, positive=positive, **kwargs
            )
        pairs = add_unnamed_targets(pairs, t, s, negative, positive, tone)
        if len(pairs):
            parts.append(pairs)
        del s, m, t
    if not parts:
        return empty_pairs()
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out = out.astype({"n_mentions": "int64", "n_sentences": "int64", "doc_sentences": "int64"})
    out = out.sort_values(["doc_id", "actor"], kind="stable").reset_index(drop=True)
    return out[PAIR_COLUMNS]


# --------------------------------------------------------------------------- pairs on codes


def _sorted_codes(column) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of an Arrow string column sorted (code point order, as Python and
    pandas sort) and each row's position among them."""
    uniques = pc.unique(column)
    uniques = uniques.take(pc.sort_indices(uniques))
    return uniques, pc.index_in(column, value_set=uniques).to_numpy(zero_copy_only=False)


def _coded_rows(scores, mentions):
    """The codes :func:`named_pairs` works on, or None where it must hand over to pandas
    (missing keys or compounds, sent_ids outside 0..2**31)."""
    keys = [t.column(c) for t in (scores, mentions) for c in ("doc_id", "sent_id")]
    keys.append(mentions.column("actor"))
    types = [pa.types.is_string, pa.types.is_integer] * 2 + [pa.types.is_string]
    if not all(
        (is_type(k.type) or pa.types.is_large_string(k.type) and is_type is pa.types.is_string)
        and not k.null_count
        for k, is_type in zip(keys, types, strict=True)
    ):
        return None
    if scores.column("compound").null_count:
        return None
    string = pa.large_string()
    m_doc = mentions.column("doc_id").cast(string).combine_chunks()
    docs, m_code = _sorted_codes(m_doc)
    actors, a_code = _sorted_codes(mentions.column("actor").cast(string).combine_chunks())
    s_code = pc.index_in(scores.column("doc_id").cast(string), value_set=docs)
    named = pc.is_valid(s_code)
    s_code = s_code.filter(named).to_numpy().astype(np.int64)
    s_sent = scores.column("sent_id").filter(named).to_numpy().astype(np.int64)
    m_sent = mentions.column("sent_id").to_numpy().astype(np.int64)
    comp = scores.column("compound").filter(named).to_numpy().astype(float)
    for sent in (s_sent, m_sent):
        if len(sent) and (sent.min() < 0 or sent.max() >= 1 << 31):
            return None
    if np.isnan(comp).any():
        return None
    span = int(max(s_sent.max(initial=0), m_sent.max(initial=0))) + 1
    if len(docs) * len(actors) * span >= 1 << 62:  # the sort keys of named_pairs in int64
        return None
    m = (m_code.astype(np.int64), a_code.astype(np.int64), m_sent)
    return docs, actors, (s_code, s_sent, comp), m


def named_pairs(scores, mentions, method, prior_weight, negative, positive):
    """:func:`actor_article_scores` with ``variants`` false and ``method`` neither "window" nor
    "distance", on Arrow tables (doc_id, sent_id, compound; doc_id, sent_id, actor) and integer
    codes: the same rows, dtypes and bits (the article sums by ``np.bincount`` in sentence
    order as ``_positions``; the sentence means as pandas' grouped mean of sorted groups without
    NaN computes them, ``np.add.reduceat`` divided by the sizes), or None where the
    pandas path must run (see :func:`_coded_rows`)."""
    if mentions.num_rows == 0 or scores.num_rows == 0:
        return empty_pairs()
    coded = _coded_rows(scores, mentions)
    if coded is None:
        return None
    docs, actors, (s_code, s_sent, comp), (m_doc, m_actor, m_sent) = coded
    # the article positions (_positions): a repeated (doc_id, sent_id) counts once
    span = int(max(s_sent.max(initial=0), m_sent.max(initial=0))) + 1
    s_key = s_code * span + s_sent
    order = np.argsort(s_key, kind="stable")
    s_key, s_code, comp = s_key[order], s_code[order], comp[order]
    keep = np.r_[True, s_key[1:] != s_key[:-1]]
    if not keep.all():
        s_key, s_code, comp = s_key[keep], s_code[keep], comp[keep]
    counts = np.bincount(s_code, minlength=len(docs))
    tone = np.bincount(s_code, weights=comp, minlength=len(docs)) / np.maximum(counts, 1)
    # mentions per (doc_id, actor, sent_id), joined to the scored sentences (inner)
    m_key = (m_doc * len(actors) + m_actor) * span + m_sent
    m_key = m_key[np.argsort(m_key, kind="stable")]
    heads = np.flatnonzero(np.r_[True, m_key[1:] != m_key[:-1]])
    k = np.diff(np.r_[heads, len(m_key)])
    pair, sent = np.divmod(m_key[heads], span)
    g_doc, g_actor = np.divmod(pair, len(actors))
    at = np.searchsorted(s_key, g_doc * span + sent)
    found = at < len(s_key)
    found[found] = s_key[at[found]] == (g_doc * span + sent)[found]
    if not found.any():
        return empty_pairs()
    g_doc, g_actor, k, at = g_doc[found], g_actor[found], k[found], at[found]
    # per (doc_id, actor)
    pos = np.arange(len(s_code)) - (np.cumsum(counts) - counts)[s_code]
    lead = np.flatnonzero(np.r_[True, (g_doc[1:] != g_doc[:-1]) | (g_actor[1:] != g_actor[:-1])])
    sizes = np.diff(np.r_[lead, len(g_doc)])
    doc = g_doc[lead]
    doc_sentences = counts[doc]
    out = pd.DataFrame(
        {
            "doc_id": docs.take(pa.array(doc)).to_numpy(zero_copy_only=False),
            "actor": actors.take(pa.array(g_actor[lead])).to_numpy(zero_copy_only=False),
            "n_mentions": np.add.reduceat(k, lead) if len(lead) else k[:0],
            "n_sentences": sizes,
            "doc_sentences": doc_sentences,
            "first_position": np.minimum.reduceat(pos[at], lead) / np.maximum(doc_sentences, 1),
            "sentences_compound": np.add.reduceat(comp[at], lead) / sizes.astype(np.float64),
            "window_compound": np.nan,
            "distance_compound": np.nan,
            "article_compound": tone[doc],
        }
    )
    return _scored_pairs(out, method, prior_weight, negative, positive)


def _window_means(mpos, s, window, keys, out) -> np.ndarray:
    """Mean compound of the sentences within ``window`` of a mention, per pair of ``out``."""
    offsets = np.arange(-int(window), int(window) + 1)
    rep = mpos.loc[mpos.index.repeat(len(offsets))].reset_index(drop=True)
    rep["pos"] = rep["pos"].to_numpy() + np.tile(offsets, len(mpos))
    rep = rep.drop_duplicates()
    rep = rep.merge(s[["doc_id", "pos", "compound"]], on=["doc_id", "pos"], how="inner")
    means = rep.groupby(keys, sort=True)["compound"].mean()
    return means.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy(dtype=float)


def _distance_means(mpos, s, decay, keys, out) -> np.ndarray:
    """Mean compound of all sentences of the article weighted by exp(-d / decay), d the
    distance in sentences to the nearest mention of the actor, per pair of ``out``."""
    pairs = out[keys].reset_index(drop=True).copy()
    pairs["pair"] = np.arange(len(pairs))
    grid = pairs.merge(s[["doc_id", "pos", "compound"]], on="doc_id", how="inner")
    ment = mpos.merge(pairs, on=keys)[["pair", "pos"]].drop_duplicates()
    ment = ment.sort_values(["pair", "pos"], kind="stable").reset_index(drop=True)
    # nearest mention: per pair the mention positions are sorted; search each sentence's pos
    grid = grid.sort_values(["pair", "pos"], kind="stable").reset_index(drop=True)
    key_m = ment["pair"].to_numpy(np.int64) * (1 << 32) + ment["pos"].to_numpy(np.int64)
    key_g = grid["pair"].to_numpy(np.int64) * (1 << 32) + grid["pos"].to_numpy(np.int64)
    right = np.searchsorted(key_m, key_g, side="left")
    big = np.iinfo(np.int64).max // 4
    d = np.full(len(grid), big, dtype=np.int64)
    for cand in (right - 1, right):
        ok = (cand >= 0) & (cand < len(key_m))
        c = np.clip(cand, 0, max(len(key_m) - 1, 0))
        same = ok & (ment["pair"].to_numpy()[c] == grid["pair"].to_numpy())
        dist = np.abs(ment["pos"].to_numpy()[c] - grid["pos"].to_numpy())
        d = np.where(same, np.minimum(d, dist), d)
    w = np.exp(-d / max(float(decay), 1e-9))
    num = np.bincount(grid["pair"], weights=w * grid["compound"].to_numpy(), minlength=len(pairs))
    den = np.bincount(grid["pair"], weights=w, minlength=len(pairs))
    return num / np.where(den > 0, den, np.nan)


# --------------------------------------------------------------------------- context text


def actor_contexts(sentences: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Per (doc_id, actor): ``context``, the sentences naming the actor joined by a space,
    each mention of the actor replaced by ``[TGT]`` (so a model learns the portrayal, not the
    name). ``sentences`` needs doc_id, sent_id, start, text; ``mentions`` doc_id, sent_id,
    actor, start, end (character offsets into the article, as the mention table gives)."""
    if len(mentions) == 0 or len(sentences) == 0:
        return pd.DataFrame({"doc_id": [], "actor": [], "context": []}, dtype=object)
    sent = sentences[["doc_id", "sent_id", "start", "text"]].rename(columns={"start": "s0"})
    sent = sent.assign(doc_id=sent["doc_id"].astype(str))
    m = mentions[["doc_id", "sent_id", "actor", "start", "end"]].copy()
    m["doc_id"] = m["doc_id"].astype(str)
    m = m.merge(sent, on=["doc_id", "sent_id"], how="inner")
    m = m.sort_values(["doc_id", "actor", "sent_id", "start"], kind="stable")
    rows = []
    for (doc, actor, _), grp in m.groupby(["doc_id", "actor", "sent_id"], sort=False):
        text = str(grp["text"].iloc[0])
        s0 = int(grp["s0"].iloc[0])
        pieces, cursor = [], 0
        for a, b in zip(grp["start"].to_numpy() - s0, grp["end"].to_numpy() - s0, strict=True):
            a, b = max(int(a), cursor), max(int(b), cursor)
            pieces.append(text[cursor:a])
            pieces.append(MASK)
            cursor = b
        pieces.append(text[cursor:])
        rows.append((doc, actor, "".join(pieces)))
    t = pd.DataFrame(rows, columns=["doc_id", "actor", "context"])
    return t.groupby(["doc_id", "actor"], sort=True)["context"].agg(" ".join).reset_index()


def feature_table(pairs: pd.DataFrame, contexts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The classifier's input per pair: ``context`` plus the numeric features (lexicon scores,
    log mention count, share of the article's sentences naming the actor, first position).
    Pairs without a mention (an actor coded but not found) get the article's tone for every
    lexicon score, 0 mentions and an empty context."""
    f = pairs.copy()
    art = f["article_compound"].astype(float).fillna(0.0)
    for c in ("sentences_compound", "window_compound", "distance_compound"):
        f[c] = f[c].astype(float).fillna(art)
    f["article_compound"] = art
    n = f["n_mentions"].astype(float).fillna(0.0)
    f["log_mentions"] = np.log1p(n)
    docs = f["doc_sentences"].astype(float).fillna(0.0).clip(lower=1)
    f["share_sentences"] = f["n_sentences"].astype(float).fillna(0.0) / docs
    f["first_position"] = f["first_position"].astype(float).fillna(1.0)
    if contexts is not None:
        f = f.drop(columns=["context"], errors="ignore").merge(
            contexts, on=["doc_id", "actor"], how="left"
        )
    if "context" not in f:
        f["context"] = ""
    f["context"] = f["context"].fillna("").astype(str)
    return f


# --------------------------------------------------------------------------- supervised


def make_actor_model(seed: int = 0, c_grid=(0.1, 1.0, 10.0), inner_folds: int = 3):
    """TF-IDF (word 1-2-grams of the masked context) + standardised numeric features ->
    logistic regression; C and the class weights (balanced or none) chosen by inner
    stratified cross-validation on macro-F1."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    features = ColumnTransformer(
        [
            (
                "tfidf",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                "context",
            ),
            ("lexicon", StandardScaler(), NUMERIC_FEATURES),
        ]
    )
    clf = LogisticRegression(max_iter=3000, random_state=seed)
    pipe = Pipeline([("features", features), ("clf", clf)])
    grid = {"clf__C": list(c_grid), "clf__class_weight": [None, "balanced"]}
    inner = StratifiedKFold(inner_folds, shuffle=True, random_state=seed)
    return GridSearchCV(pipe, grid, scoring="f1_macro", cv=inner, n_jobs=1, refit=True)


def _inner_folds(y, inner_folds: int) -> int:
    smallest = int(pd.Series(y).value_counts().min())
    return max(2, min(inner_folds, smallest))


def fit_actor_classifier(features: pd.DataFrame, y, seed: int = 0, c_grid=(0.1, 1.0, 10.0)):
    """The fitted model (GridSearchCV refit on all rows) for a feature table and labels."""
    y = np.asarray(y, dtype=object)
    model = make_actor_model(seed, c_grid, _inner_folds(y, 3))
    model.fit(features[["context", *NUMERIC_FEATURES]], y)
    return model


def predict_actor(model, features: pd.DataFrame) -> pd.DataFrame:
    """label, prob_negative, prob_neutral, prob_positive and score = P(pos) - P(neg)."""
    x = features[["context", *NUMERIC_FEATURES]]
    prob = model.predict_proba(x) if len(x) else np.empty((0, len(model.classes_)))
    classes = list(model.classes_)
    out = pd.DataFrame(index=features.index)
    for lab in LABELS:
        out[f"prob_{lab}"] = prob[:, classes.index(lab)] if lab in classes else 0.0
    idx = np.argmax(prob, axis=1) if len(x) else np.empty(0, dtype=int)
    out["label"] = np.asarray(classes, dtype=object)[idx]
    out["score"] = out["prob_positive"] - out["prob_negative"]
    return out


def cross_validated_predictions(
    features: pd.DataFrame, y, folds: int = 5, seed: int = 0, c_grid=(0.1, 1.0, 10.0)
) -> pd.DataFrame:
    """Out-of-fold predictions (stratified k-fold, seeded): every row is predicted by a model
    that never saw it (nested: each fold's model tunes C and class weights on its own
    training rows). Returns the columns of :func:`predict_actor` plus ``fold``."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y, dtype=object)
    out = []
    for k, (tr, te) in enumerate(
        StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    ):
        model = fit_actor_classifier(features.iloc[tr], y[tr], seed, c_grid)
        pred = predict_actor(model, features.iloc[te])
        pred["fold"] = k
        out.append(pred)
    return pd.concat(out).reindex(features.index)


# --------------------------------------------------------------------------- validation


def cohen_kappa(y_true, y_pred, labels=LABELS) -> float:
    """Cohen's kappa of two label sequences (NaN when chance agreement is 1)."""
    yt, yp = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    n = len(yt)
    if n == 0:
        return float("nan")
    po = float(np.mean(yt == yp))
    pe = sum(float(np.mean(yt == lab)) * float(np.mean(yp == lab)) for lab in labels)
    return float("nan") if pe >= 1 else (po - pe) / (1 - pe)


def _scores(yt, yp, labels) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    present = [lab for lab in labels if lab in set(yt)]
    p, r, f, _ = precision_recall_fscore_support(yt, yp, labels=present, zero_division=0)
    out = {"macro_f1": float(np.mean(f)) if len(f) else float("nan")}
    out["accuracy"] = float(np.mean(yt == yp)) if len(yt) else float("nan")
    out["kappa"] = cohen_kappa(yt, yp, labels)
    for i, lab in enumerate(present):
        out[f"precision_{lab}"], out[f"recall_{lab}"], out[f"f1_{lab}"] = p[i], r[i], f[i]
    return out


def agreement_with_ci(
    y_true, y_pred, resamples: int = 1000, seed: int = 0, confidence: float = 0.95, labels=LABELS
) -> pd.DataFrame:
    """One row per statistic (macro_f1, accuracy, kappa, precision/recall/f1 per coded
    class): estimate and percentile-bootstrap interval over items (seeded)."""
    yt, yp = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    est = _scores(yt, yp, labels)
    rng = np.random.default_rng(seed)
    boots = {k: [] for k in est}
    for _ in range(resamples if len(yt) > 1 else 0):
        i = rng.integers(0, len(yt), len(yt))
        b = _scores(yt[i], yp[i], labels)
        for k in boots:
            boots[k].append(b.get(k, np.nan))
    alpha = (1 - confidence) / 2
    rows = []
    for k, v in est.items():
        arr = np.asarray(boots[k], dtype=float)
        arr = arr[np.isfinite(arr)]
        lo, hi = np.quantile(arr, [alpha, 1 - alpha]) if len(arr) else (np.nan, np.nan)
        rows.append({"statistic": k, "estimate": v, "ci_low": lo, "ci_high": hi})
    out = pd.DataFrame(rows)
    out["n_items"] = len(yt)
    return out


def paired_difference_ci(
    y_true, pred_a, pred_b, resamples: int = 1000, seed: int = 0, confidence: float = 0.95
) -> tuple[float, float, float]:
    """macro-F1(a) - macro-F1(b) on the same items with a paired percentile-bootstrap
    interval (items resampled together for both methods)."""
    from sklearn.metrics import f1_score

    yt = np.asarray(y_true, dtype=object)
    a, b = np.asarray(pred_a, dtype=object), np.asarray(pred_b, dtype=object)
    labs = [lab for lab in LABELS if lab in set(yt)]

    def diff(i):
        return f1_score(yt[i], a[i], labels=labs, average="macro", zero_division=0) - f1_score(
            yt[i], b[i], labels=labs, average="macro", zero_division=0
        )

    rng = np.random.default_rng(seed)
    d = [diff(rng.integers(0, len(yt), len(yt))) for _ in range(resamples)]
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(d, [alpha, 1 - alpha])
    return float(diff(np.arange(len(yt)))), float(lo), float(hi)


# --------------------------------------------------------------------------- pipeline helpers


def article_tone(scores: pd.DataFrame) -> pd.DataFrame:
    """Per article (index doc_id): article_compound, the mean compound of its sentences, and
    doc_sentences. Computed once over a whole shard: pandas' grouped mean can differ in the
    last bit between a table and a part of it, so batches share this one."""
    tone = scores.assign(doc_id=scores["doc_id"].astype(str)).groupby("doc_id")["compound"]
    return pd.DataFrame({"article_compound": tone.mean(), "doc_sentences": tone.size()})


def add_unnamed_targets(
    pairs: pd.DataFrame,
    targets: pd.DataFrame,
    scores: pd.DataFrame,
    negative,
    positive,
    tone: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add the per-article targets that the article never names (``targets``: doc_id, actor,
    n_mentions): 0 mentions, every lexicon score the article's tone (``tone``, else
    :func:`article_tone` of ``scores``), labelled with the actor thresholds. Targets of
    articles without scored sentences are left out."""
    if len(targets) == 0:
        return pairs
    t = targets[["doc_id", "actor"]].astype(str).drop_duplicates()
    have = pd.MultiIndex.from_frame(pairs[["doc_id", "actor"]].astype(str))
    t = t[~pd.MultiIndex.from_frame(t).isin(have)]
    if len(t) == 0 or len(scores) == 0:
        return pairs
    tone = article_tone(scores) if tone is None else tone
    t = t.merge(tone, left_on="doc_id", right_index=True, how="inner")
    if len(t) == 0:
        return pairs
    for c in ("sentences_compound", "window_compound", "distance_compound", "score"):
        t[c] = t["article_compound"]
    t["n_mentions"] = 0
    t["n_sentences"] = 0
    t["first_position"] = np.nan
    t["label"] = label_compound(t["score"], negative, positive)
    out = pd.concat([pairs, t[PAIR_COLUMNS]], ignore_index=True) if len(pairs) else t
    out = out.astype({"n_mentions": "int64", "n_sentences": "int64", "doc_sentences": "int64"})
    return out.sort_values(["doc_id", "actor"], kind="stable").reset_index(drop=True)[PAIR_COLUMNS]


def coded_pairs(
    table: pd.DataFrame,
    cfg: dict,
    path,
    key: str,
    labels_required: bool = True,
) -> pd.DataFrame:
    """A coded (or gold) file of (doc_id, actor, label and/or rating) rows as doc_id, actor,
    label, line (the 1-based file line). Labels are mapped through ``cfg['label_map']``;
    ratings become labels through ``cfg['rating_thresholds']`` ([negative_max,
    positive_min]) when there is no label column. Repeated (doc_id, actor) rows raise."""
    from newslens.sentiment_eval import _need_column, _rows, normalize_labels, rating_labels

    if len(table) == 0:
        raise NewslensError(f"{path}: the file has no rows (config key {key}.file).")
    for role in ("doc_id", "actor"):
        _need_column(table, str(cfg[f"{role}_column"]), path, f"{key}.{role}_column")
    out = pd.DataFrame(
        {
            "doc_id": table[str(cfg["doc_id_column"])].astype("string").str.strip(),
            "actor": table[str(cfg["actor_column"])].astype("string").str.strip(),
        }
    )
    out["line"] = np.arange(len(out)) + 2
    empty = (out["doc_id"].fillna("") == "") | (out["actor"].fillna("") == "")
    if empty.any():
        raise NewslensError(
            f"{path}: {int(empty.sum())} row(s) without a doc_id or actor (file lines "
            f"{_rows(empty.to_numpy())}). Fill them in or remove the rows."
        )
    label_col, rating_col = cfg.get("label_column"), cfg.get("rating_column")
    if label_col is not None:
        _need_column(table, str(label_col), path, f"{key}.label_column")
        out["label"] = normalize_labels(
            table[str(label_col)],
            path,
            str(label_col),
            f"{key}.label_map",
            LABELS,
            cfg.get("label_map") or {},
        ).to_numpy()
    elif rating_col is not None and cfg.get("rating_thresholds"):
        _need_column(table, str(rating_col), path, f"{key}.rating_column")
        rating = pd.to_numeric(table[str(rating_col)], errors="coerce")
        if rating.isna().any():
            raise NewslensError(
                f"{path}, column '{rating_col}': missing or non-numeric rating (file lines "
                f"{_rows(rating.isna().to_numpy())})."
            )
        lo = cfg["rating_thresholds"]["negative_max"]
        hi = cfg["rating_thresholds"]["positive_min"]
        out["label"] = rating_labels(rating.to_numpy(dtype=float), lo, hi)
        out["rating"] = rating.to_numpy(dtype=float)
    elif labels_required:
        raise NewslensError(
            f"config key {key}.label_column is null and no rating_column with "
            f"rating_thresholds is set: name the column of {path} that holds the label."
        )
    dup = out.duplicated(["doc_id", "actor"], keep="first")
    if dup.any():
        raise NewslensError(
            f"{path}: the same (doc_id, actor) is coded more than once (file lines "
            f"{_rows(dup.to_numpy())}). Keep one row per article and actor."
        )
    out["doc_id"] = out["doc_id"].astype(str).astype(object)
    out["actor"] = out["actor"].astype(str).astype(object)
    return out.reset_index(drop=True)


def join_coded(coded: pd.DataFrame, pairs: pd.DataFrame, documents: pd.DataFrame):
    """Coded rows joined to the corpus pair table. Returns (items, status): items have the
    pair columns (a coded actor that its article never names gets the article's tone, 0
    mentions); status per coded row is ``named``, ``never_named`` or
    ``article_not_in_corpus`` (those rows are left out of items)."""
    t = coded.merge(pairs, on=["doc_id", "actor"], how="left", suffixes=("", "_pair"))
    found = t["n_mentions"].notna().to_numpy()
    docs = documents.assign(doc_id=documents["doc_id"].astype(str)).set_index("doc_id")
    in_corpus = t["doc_id"].isin(docs.index).to_numpy() | found
    status = np.where(found, "named", np.where(in_corpus, "never_named", "article_not_in_corpus"))
    t["status"] = status
    miss = status == "never_named"
    if miss.any():
        tone = docs["compound"].reindex(t.loc[miss, "doc_id"]).to_numpy(dtype=float)
        for c in ("article_compound", "sentences_compound", "window_compound", "distance_compound"):
            t.loc[miss, c] = tone
        t.loc[miss, "n_mentions"] = 0
        t.loc[miss, "n_sentences"] = 0
        t.loc[miss, "doc_sentences"] = docs["n_sentences"].reindex(t.loc[miss, "doc_id"]).to_numpy()
    return t[status != "article_not_in_corpus"].reset_index(drop=True), t[
        ["doc_id", "actor", "line", "status"]
    ]


def join_coded_to_corpus(
    coded: pd.DataFrame,
    pairs: pd.DataFrame,
    documents: pd.DataFrame,
    source: str,
    key: str,
    what: str = "coded",
    left_out: str = "they are left out",
):
    """:func:`join_coded`, saying what it leaves out: a warning names the file lines of the
    ``what`` rows whose article is not in the corpus (``left_out`` says where they go); if no
    row's article is, a NewslensError names ``source`` and the config key ``key``.doc_id_column
    to check. Returns (items, status) as join_coded."""
    items, status = join_coded(coded, pairs, documents)
    lost = status[status["status"] == "article_not_in_corpus"]
    if len(lost):
        log.warning(
            "%s: %d %s row(s) name an article that is not in the corpus (file lines %s); %s",
            source,
            len(lost),
            what,
            ", ".join(map(str, lost["line"].head(10))),
            left_out,
        )
    if len(items) == 0:
        raise NewslensError(
            f"{source}: none of the {what} doc_ids is an article of the corpus; check "
            f"config key {key}.doc_id_column and the corpus ids (tables/documents.csv)."
        )
    return items, status


def _scored_pairs(
    out: pd.DataFrame, method: str, prior_weight: float, negative: float, positive: float
) -> pd.DataFrame:
    """The pair table ``out`` with its ``score`` (the ``method``'s compound; ``prior``: the
    sentences' mean weighted ``prior_weight`` against the article's tone) and ``label``, the
    counts as int64, in ``PAIR_COLUMNS`` order (shared by both pair scorers)."""
    if method == "prior":
        score = (
            prior_weight * out["sentences_compound"] + (1 - prior_weight) * out["article_compound"]
        )
    else:
        score = out[f"{method}_compound"]
    out["score"] = score.to_numpy(dtype=float)
    out["label"] = label_compound(out["score"], negative, positive)
    out = out.astype({"n_mentions": "int64", "n_sentences": "int64", "doc_sentences": "int64"})
    return out[PAIR_COLUMNS]
