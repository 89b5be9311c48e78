"""A synthetic multi-outlet corpus with planted differences, for testing the compare stage.

Tables only (no texts): what the compare stage reads from the pipeline's outputs:

- ``documents``: doc_id, outlet, date;
- ``counts``: an article x term count matrix with its ``terms``;
- ``frames``: per-article frame shares (rows sum to 1);
- ``actors``: per-article sentiment toward each actor (NaN: actor not mentioned).

Planted (all else is drawn from the same distributions in every outlet and month):

- ``frame_outlet`` uses the ``frame`` vocabulary ``term_lift`` times as often (before
  renormalising, see ``expected_term_ratio``) and its articles mix ``frame_lift`` of the frame
  into their frame shares, so its mean share of the frame is higher by
  ``frame_lift * (1 - 1/len(FRAMES))`` (``expected_frame_difference``);
- in ``negative_month`` sentiment toward ``negative_actor`` is ``actor_shift`` lower.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

FRAMES = ["security", "economy", "humanitarian", "legal"]
ACTORS = ["Veloria", "Kastan", "Alliance"]


@dataclass
class Planted:
    outlets: int = 3
    articles_per_outlet: int = 200
    vocabulary: int = 300
    words_per_article: int = 150
    frame: str = "security"
    frame_outlet: str = "outlet_1"
    term_lift: float = 3.0
    frame_terms: int = 10
    frame_lift: float = 0.15
    negative_actor: str = "Kastan"
    negative_month: str = "2024-02"
    actor_shift: float = -0.3
    months: list[str] = field(default_factory=lambda: ["2024-01", "2024-02", "2024-03"])
    seed: int = 0


def frame_vocabulary(p: Planted) -> list[str]:
    """The planted frame's terms: the first ``frame_terms`` words of the vocabulary."""
    return [f"{p.frame}_{i}" for i in range(p.frame_terms)]


def expected_frame_difference(p: Planted) -> float:
    """Planted difference of the frame's mean share, frame_outlet minus any other outlet."""
    return p.frame_lift * (1 - 1 / len(FRAMES))


def expected_term_ratio(p: Planted, base: np.ndarray) -> float:
    """Planted rate ratio of each frame term, frame_outlet vs the others."""
    lifted_mass = base[: p.frame_terms].sum() * p.term_lift
    return p.term_lift / (lifted_mass + 1 - base[: p.frame_terms].sum())


def make(p: Planted | None = None) -> dict:
    """Draw the synthetic corpus; returns a dict of documents, counts, terms, frames, actors."""
    p = p or Planted()
    rng = np.random.default_rng(p.seed)
    terms = frame_vocabulary(p) + [f"w{i}" for i in range(p.vocabulary - p.frame_terms)]
    base = rng.dirichlet(np.full(len(terms), 0.5))
    base[: p.frame_terms] = np.maximum(base[: p.frame_terms], 1.0 / len(terms))
    base /= base.sum()
    outlets = [f"outlet_{i}" for i in range(p.outlets)]
    n = p.outlets * p.articles_per_outlet
    outlet = np.repeat(outlets, p.articles_per_outlet)
    month = np.array(p.months)[rng.integers(0, len(p.months), n)]
    day = rng.integers(1, 28, n)
    dates = [f"{m}-{d:02d}" for m, d in zip(month, day, strict=True)]
    doc_id = [f"d{i:06d}" for i in range(n)]

    lifted = base.copy()
    lifted[: p.frame_terms] *= p.term_lift
    lifted /= lifted.sum()
    rows = []
    for o in outlet:
        probs = lifted if o == p.frame_outlet else base
        rows.append(rng.multinomial(p.words_per_article, probs))
    counts = sparse.csr_matrix(np.vstack(rows))

    shares = rng.dirichlet(np.full(len(FRAMES), 2.0), size=n)
    fi = FRAMES.index(p.frame)
    lift = np.where(outlet == p.frame_outlet, p.frame_lift, 0.0)[:, None]
    onehot = np.zeros(len(FRAMES))
    onehot[fi] = 1.0
    shares = (1 - lift) * shares + lift * onehot  # rows still sum to 1
    frames = pd.DataFrame(shares, columns=FRAMES, index=doc_id)

    actors = pd.DataFrame(
        np.clip(rng.normal(0.0, 0.25, size=(n, len(ACTORS))), -1, 1), columns=ACTORS, index=doc_id
    )
    ai = ACTORS.index(p.negative_actor)
    shifted = month == p.negative_month
    actors.iloc[shifted, ai] = np.clip(actors.iloc[shifted, ai] + p.actor_shift, -1, 1)
    mentioned = rng.random((n, len(ACTORS))) < 0.7
    actors = actors.where(mentioned)

    documents = pd.DataFrame({"doc_id": doc_id, "outlet": outlet, "date": dates})
    return {
        "documents": documents,
        "counts": counts,
        "terms": terms,
        "frames": frames,
        "actors": actors,
        "planted": p,
        "term_ratio": expected_term_ratio(p, base),
    }


@dataclass
class PlantedSentences:
    """Sentence-level tables for actor x frame and actor-sentiment-over-time checks.

    Every article has ``sentences`` sentences; each names each actor with probability
    ``mention``; each sentence has one frame (share 1), drawn uniformly from FRAMES. Planted:
    in ``outlet``'s articles, sentences naming ``actor`` have the frame ``frame`` with an extra
    probability ``frame_lift`` (so its share there rises by ``frame_lift * (1 - 1/len(FRAMES))``,
    see ``expected_actor_frame_difference``); in ``outlet``'s articles of ``month``, sentences
    naming ``negative_actor`` are ``shift`` more negative."""

    outlets: int = 3
    articles_per_outlet: int = 200
    sentences: int = 8
    mention: float = 0.35
    outlet: str = "outlet_1"
    actor: str = "Veloria"
    frame: str = "humanitarian"
    frame_lift: float = 0.3
    negative_actor: str = "Kastan"
    month: str = "2024-02"
    shift: float = -0.4
    months: list[str] = field(default_factory=lambda: ["2024-01", "2024-02", "2024-03"])
    seed: int = 0


def expected_actor_frame_difference(p: PlantedSentences) -> float:
    """Planted difference of the actor's frame share, the outlet minus any other outlet."""
    return p.frame_lift * (1 - 1 / len(FRAMES))


def make_sentences(p: PlantedSentences | None = None) -> dict:
    """Draw documents, a per-sentence frame table (doc_id, sent_id, primary_frame, share_*)
    and a per-sentence actor table (doc_id, sent_id, actor, compound)."""
    p = p or PlantedSentences()
    rng = np.random.default_rng(p.seed)
    outlets = [f"outlet_{i}" for i in range(p.outlets)]
    n = p.outlets * p.articles_per_outlet
    outlet = np.repeat(outlets, p.articles_per_outlet)
    month = np.array(p.months)[rng.integers(0, len(p.months), n)]
    day = rng.integers(1, 28, n)
    doc_id = np.array([f"d{i:06d}" for i in range(n)])
    documents = pd.DataFrame(
        {
            "doc_id": doc_id,
            "outlet": outlet,
            "date": [f"{m}-{d:02d}" for m, d in zip(month, day, strict=True)],
        }
    )
    s = p.sentences
    sd = np.repeat(np.arange(n), s)
    sid = np.tile(np.arange(s), n)
    frame = rng.integers(0, len(FRAMES), n * s)
    names = rng.random((n * s, len(ACTORS))) < p.mention
    lift = (outlet[sd] == p.outlet) & names[:, ACTORS.index(p.actor)]
    lift &= rng.random(n * s) < p.frame_lift
    frame = np.where(lift, FRAMES.index(p.frame), frame)
    shares = np.zeros((n * s, len(FRAMES)))
    shares[np.arange(n * s), frame] = 1.0
    frames = pd.DataFrame(
        {"doc_id": doc_id[sd], "sent_id": sid, "primary_frame": np.array(FRAMES)[frame]}
    )
    for j, f in enumerate(FRAMES):
        frames[f"share_{f}"] = shares[:, j]
    frames["share_none"] = 0.0
    rows, cols = np.nonzero(names)
    compound = np.clip(rng.normal(0.0, 0.4, len(rows)), -1, 1)
    neg = (
        (outlet[sd[rows]] == p.outlet)
        & (month[sd[rows]] == p.month)
        & (cols == ACTORS.index(p.negative_actor))
    )
    compound = np.where(neg, np.clip(compound + p.shift, -1, 1), compound)
    actors = pd.DataFrame(
        {
            "doc_id": doc_id[sd[rows]],
            "sent_id": sid[rows],
            "actor": np.array(ACTORS)[cols],
            "compound": compound,
        }
    )
    return {"documents": documents, "frames": frames, "actors": actors, "planted": p}


@dataclass
class PlantedTrend:
    """Article values with a smooth planted trend over time, for the over-time models.

    ``outlets`` outlets publish ``articles_per_period`` articles each in every one of
    ``periods`` consecutive months from 2023-01; an article's value is the outlet's true mean
    in its month plus normal noise (``noise``). The true mean is 0 for every outlet but
    ``outlet``, whose mean rises as ``amplitude`` * sin(pi * x / 2) over the months (x from 0
    to 1: a smooth rise that flattens; ``shape="rise"``) or jumps by ``amplitude`` in the
    middle month only (``shape="spike"``: an event, which a smooth term blurs)."""

    outlets: int = 3
    periods: int = 12
    articles_per_period: int = 15
    outlet: str = "outlet_1"
    amplitude: float = 0.3
    noise: float = 0.3
    shape: str = "rise"
    seed: int = 0


def trend_truth(p: PlantedTrend) -> pd.DataFrame:
    """The planted true mean per outlet x month (outlet, period, truth)."""
    months = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(p.periods)]
    x = np.linspace(0.0, 1.0, p.periods)
    rows = []
    for o in range(p.outlets):
        name = f"outlet_{o}"
        curve = np.zeros(p.periods)
        if name == p.outlet and p.shape == "spike":
            curve[p.periods // 2] = p.amplitude
        elif name == p.outlet:
            curve = p.amplitude * np.sin(np.pi * x / 2)
        rows += [(name, m, float(v)) for m, v in zip(months, curve, strict=True)]
    return pd.DataFrame(rows, columns=["outlet", "period", "truth"])


def make_trend(p: PlantedTrend | None = None) -> dict:
    """Draw the trend corpus: documents (doc_id, outlet, date), values (doc_id index x one
    item ``trend``), the truth table (``trend_truth``) and the parameters."""
    p = p or PlantedTrend()
    rng = np.random.default_rng(p.seed)
    truth = trend_truth(p)
    cells = truth.loc[truth.index.repeat(p.articles_per_period)].reset_index(drop=True)
    n = len(cells)
    doc_id = [f"t{i:06d}" for i in range(n)]
    day = rng.integers(1, 28, n)
    documents = pd.DataFrame(
        {
            "doc_id": doc_id,
            "outlet": cells["outlet"].to_numpy(),
            "date": [f"{m}-{d:02d}" for m, d in zip(cells["period"], day, strict=True)],
        }
    )
    values = pd.DataFrame(
        {"trend": cells["truth"].to_numpy() + rng.normal(0.0, p.noise, n)}, index=doc_id
    )
    return {"documents": documents, "values": values, "truth": truth, "planted": p}
