"""A news-like corpus of N articles in real English vocabulary, or a real corpus read from a file.

`benchmarks/synthetic_corpus.py` resamples the seed's ~400 word types and swaps in pseudo-words;
its text is cheap to model (topic models converge fast on it). This generator writes text whose
vocabulary behaves like news: real English words drawn with their measured frequencies
(the `wordfreq` package, English "large" list: news, books, web and subtitles), a Zipf slope of
about -1, a vocabulary that grows with the corpus like a real one (Heaps' law), news-length
sentences (gamma-distributed, mean ~22 words), and topical structure: every article mixes one to
three of 60 latent topics, each a few hundred content words (some of them capitalised, as
names), so that words co-occur the way they do in news and a topic model has real work to do.
One sentence in ten is a real sentence from the seed article, so the actor and frame stages
still find their terms. Fixed seed: the same N and seed give the same corpus.

Licences: wordfreq's code is Apache-2.0 and its data CC BY-SA 4.0; the generated text is built
at run time and never shipped with the project.

    python benchmarks/news_corpus.py N out.parquet [--seed 0]
    python benchmarks/news_corpus.py --describe corpus.parquet [--text-column text]

`--describe` prints the shape statistics (tokens and sentences per article, vocabulary size,
Zipf slope, sentence length) of any CSV/Parquet corpus, e.g. to put a generated corpus beside a
real one. `read_corpus()` reads any CSV/Parquet corpus and `resample_real()` grows a real corpus
to N articles by copying its articles with their sentences reshuffled.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_corpus import REPO, seed_sentences  # noqa: E402

# ~18 sentences and ~370 tokens per article, the shape of the BBC news set and of the reference
# corpus (~18 sentences, ~390 tokens)
NEWS_SHAPE = {"paragraphs": (6, 18), "sentences_per_paragraph": (1, 2)}

N_TOPICS = 60
TOPIC_WORDS = 400
SENTENCE_GAMMA = (3.2, 5.3)  # shape, scale: mean 17 + 3 = ~20 words, sd ~10 (news: ~20 +- 11)
FUNCTION_SHARE = 0.48  # share of running words that are stopwords (news: ~45-50 %)
TOPIC_SHARE = 0.45  # share of the content words drawn from the article's topics
SEED_SENTENCE_SHARE = 0.1
COMMA_RATE = 0.06

WORD_RE = re.compile(r"[a-z]+(?:['-][a-z]+)?")
SENT_RE = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")


def english_vocabulary(n_words: int = 150_000) -> tuple[np.ndarray, np.ndarray]:
    """The n most frequent alphabetic English words of wordfreq's large list and their
    frequencies (summing to 1 over the returned words)."""
    from wordfreq import get_frequency_dict

    freqs = get_frequency_dict("en", wordlist="large")
    words, values = [], []
    for word, f in freqs.items():  # in descending frequency order
        if WORD_RE.fullmatch(word):
            words.append(word)
            values.append(f)
            if len(words) == n_words:
                break
    p = np.asarray(values, dtype=float)
    return np.asarray(words, dtype=object), p / p.sum()


def stopwords() -> set[str]:
    text = (REPO / "config" / "stopwords_en.txt").read_text(encoding="utf-8")
    return {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}


def build_news_corpus(
    n_articles: int,
    seed: int = 0,
    paragraphs: tuple[int, int] = NEWS_SHAPE["paragraphs"],
    sentences_per_paragraph: tuple[int, int] = NEWS_SHAPE["sentences_per_paragraph"],
) -> pd.DataFrame:
    """N news-like articles (columns id, text, outlet); see the module docstring."""
    rng = np.random.default_rng(seed)
    words, p = english_vocabulary()
    stop = stopwords()
    is_stop = np.fromiter((w in stop for w in words), bool, len(words))
    func_words, func_p = words[is_stop], p[is_stop] / p[is_stop].sum()
    content, content_p = words[~is_stop], p[~is_stop] / p[~is_stop].sum()
    # topics: words of middle frequency (not the 300 commonest content words), drawn without
    # replacement by frequency; within a topic a Zipf law over its words; 15 % are names
    pool = np.arange(300, len(content))
    pool_p = content_p[pool] / content_p[pool].sum()
    topic_words = np.empty((N_TOPICS, TOPIC_WORDS), dtype=object)
    for t in range(N_TOPICS):
        chosen = content[rng.choice(pool, size=TOPIC_WORDS, replace=False, p=pool_p)]
        names = rng.random(TOPIC_WORDS) < 0.15
        chosen[names] = [w.capitalize() for w in chosen[names]]
        topic_words[t] = chosen
    topic_rank_p = 1.0 / np.arange(1, TOPIC_WORDS + 1)
    topic_rank_p /= topic_rank_p.sum()
    seed_sents = seed_sentences()

    n_paras = rng.integers(paragraphs[0], paragraphs[1] + 1, size=n_articles)
    para_sents = rng.integers(
        sentences_per_paragraph[0], sentences_per_paragraph[1] + 1, size=int(n_paras.sum())
    )
    para_article = np.repeat(np.arange(n_articles), n_paras)
    sent_article = np.repeat(para_article, para_sents)
    n_sent = len(sent_article)
    lengths = 3 + rng.gamma(*SENTENCE_GAMMA, size=n_sent).astype(np.int64)
    from_seed = rng.random(n_sent) < SEED_SENTENCE_SHARE
    lengths[from_seed] = 0
    # each article: 1-3 topics with Dirichlet weights
    art_topics = rng.integers(0, N_TOPICS, size=(n_articles, 3))
    art_k = rng.integers(1, 4, size=n_articles)
    weights = rng.dirichlet(np.ones(3), size=n_articles)
    weights[np.arange(3)[None, :] >= art_k[:, None]] = 0
    weights /= weights.sum(axis=1, keepdims=True)
    cum = np.cumsum(weights, axis=1)

    word_article = np.repeat(sent_article, lengths)
    n_words = len(word_article)
    kind = rng.random(n_words)
    out = np.empty(n_words, dtype=object)
    is_func = kind < FUNCTION_SHARE
    is_topic = (~is_func) & (rng.random(n_words) < TOPIC_SHARE)
    is_general = ~(is_func | is_topic)
    out[is_func] = func_words[rng.choice(len(func_words), size=int(is_func.sum()), p=func_p)]
    out[is_general] = content[rng.choice(len(content), size=int(is_general.sum()), p=content_p)]
    ta = word_article[is_topic]
    slot = (rng.random(len(ta))[:, None] > cum[ta]).sum(axis=1)
    slot = np.minimum(slot, 2)
    rank = rng.choice(TOPIC_WORDS, size=len(ta), p=topic_rank_p)
    out[is_topic] = topic_words[art_topics[ta, slot], rank]
    commas = rng.random(n_words) < COMMA_RATE
    out[commas] = [w + "," for w in out[commas]]
    seed_pick = iter(rng.integers(0, len(seed_sents), size=int(from_seed.sum())).tolist())

    ends = np.cumsum(lengths)
    starts = ends - lengths
    out_list = out.tolist()
    sentences = []
    for s in range(n_sent):
        if from_seed[s]:
            sentences.append(seed_sents[next(seed_pick)])
            continue
        toks = out_list[starts[s] : ends[s]]
        toks[-1] = toks[-1].rstrip(",")
        first = toks[0]
        toks[0] = first[:1].upper() + first[1:]
        sentences.append(" ".join(toks) + ".")
    para_ends = np.cumsum(para_sents)
    paras = [
        " ".join(sentences[a:b]) for a, b in zip(para_ends - para_sents, para_ends, strict=True)
    ]
    art_ends = np.cumsum(n_paras)
    rows = []
    for i, (a, b) in enumerate(zip(art_ends - n_paras, art_ends, strict=True)):
        title = " ".join(topic_words[art_topics[i, 0], :4]).capitalize()
        day = 1 + i % 28
        rows.append(
            {
                "id": f"n{i:07d}",
                "text": f"{title}\n\nDate of publication: {day} November 2022\n\n"
                + "\n\n".join(paras[a:b]),
                "outlet": f"outlet{i % 7}",
            }
        )
    return pd.DataFrame(rows)


def read_corpus(
    path: Path, text_column: str = "text", id_column: str | None = None
) -> pd.DataFrame:
    """A CSV or Parquet corpus as columns id, text, outlet (ids made up from row numbers when
    id_column is None; outlet from a column named 'outlet', else 'category', else one value)."""
    path = Path(path)
    if path.suffix == ".parquet":
        table = pd.read_parquet(path)
    elif path.suffix in (".csv", ".tsv"):
        table = pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",", dtype=str)
    else:
        raise SystemExit(f"{path}: corpus must be .csv, .tsv or .parquet")
    for col in (text_column, id_column):
        if col is not None and col not in table.columns:
            raise SystemExit(
                f"{path}: no column '{col}' (columns: {', '.join(map(str, table.columns))}); "
                "name the text column with --text-column and the id column with --id-column"
            )
    text = table[text_column].fillna("").astype(str)
    ids = (
        table[id_column].astype(str)
        if id_column
        else pd.Series([f"r{i:07d}" for i in range(len(table))], dtype=str)
    )
    group = next((c for c in ("outlet", "category") if c in table.columns), None)
    outlet = table[group].astype(str) if group else pd.Series(["all"] * len(table), dtype=str)
    return pd.DataFrame(
        {"id": ids.to_numpy(), "text": text.to_numpy(), "outlet": outlet.to_numpy()}
    )


def resample_real(corpus: pd.DataFrame, n_articles: int, seed: int = 0) -> pd.DataFrame:
    """A real corpus grown (or cut) to n articles: the originals first, then copies of them in
    turn with their sentences reshuffled (so no copy is a duplicate the pipeline would drop)."""
    rng = np.random.default_rng(seed)
    texts = corpus["text"].tolist()
    outlets = corpus["outlet"].tolist()
    split = [SENT_RE.split(t.replace("\n\n", " ")) for t in texts]
    rows = []
    for i in range(n_articles):
        j = i % len(texts)
        if i < len(texts):
            text = texts[j]
        else:
            sents = list(split[j])
            rng.shuffle(sents)
            text = " ".join(sents)
        rows.append({"id": f"c{i:07d}", "text": text, "outlet": outlets[j]})
    return pd.DataFrame(rows)


def describe(texts: pd.Series) -> dict:
    """Shape statistics of a corpus: articles, tokens and sentences per article, sentence length,
    vocabulary size (lowercase word types), share of stopwords and the Zipf slope (least squares
    of log frequency on log rank over ranks 10-1,000)."""
    stop = stopwords()
    counts: dict[str, int] = {}
    n_tokens, n_sent, n_stop = 0, 0, 0
    for text in texts:
        toks = WORD_RE.findall(text.lower())
        n_tokens += len(toks)
        n_sent += max(1, len(SENT_RE.split(text.replace("\n\n", " "))))
        for w in toks:
            counts[w] = counts.get(w, 0) + 1
    n_stop = sum(c for w, c in counts.items() if w in stop)
    freq = np.sort(np.fromiter(counts.values(), float))[::-1]
    hi = min(1000, len(freq))
    ranks = np.arange(10, hi + 1)
    slope = float(np.polyfit(np.log(ranks), np.log(freq[ranks - 1]), 1)[0]) if hi > 20 else np.nan
    return {
        "articles": len(texts),
        "tokens_per_article": n_tokens / max(1, len(texts)),
        "sentences_per_article": n_sent / max(1, len(texts)),
        "words_per_sentence": n_tokens / max(1, n_sent),
        "vocabulary": len(counts),
        "stopword_share": n_stop / max(1, n_tokens),
        "zipf_slope": slope,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?")
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--describe", type=Path, nargs="+", default=None)
    parser.add_argument("--text-column", default="text")
    args = parser.parse_args()
    if args.describe:
        for path in args.describe:
            stats = describe(read_corpus(path, args.text_column)["text"])
            print(path, " ".join(f"{k}={v:.3g}" for k, v in stats.items()))
        return
    if args.n is None or args.out is None:
        parser.error("give N and out.parquet, or --describe PATH")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build_news_corpus(args.n, args.seed).to_parquet(args.out, index=False)
    print(f"wrote {args.n} news-like articles to {args.out}")


if __name__ == "__main__":
    main()
