"""The news-like corpus generator (benchmarks/news_corpus.py) has the shape of real news: Zipf
slope about -1, news-length sentences, a stopword share near half the running words, and a
vocabulary that grows with the corpus by Heaps' law; a real corpus read from a file is grown to
N articles by reshuffled copies."""

import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from news_corpus import (  # noqa: E402
    SENT_RE,
    build_news_corpus,
    describe,
    read_corpus,
    resample_real,
)


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return build_news_corpus(2000, seed=0)


def test_columns_ids_and_determinism(corpus):
    assert list(corpus.columns) == ["id", "text", "outlet"]
    assert corpus["id"].is_unique and len(corpus) == 2000
    assert corpus["outlet"].nunique() == 7
    again = build_news_corpus(50, seed=0)
    pd.testing.assert_frame_equal(again, build_news_corpus(50, seed=0))
    assert not again["text"].equals(build_news_corpus(50, seed=1)["text"])


def test_shape_like_news(corpus):
    # Real English news (BBC set, 2,225 articles): ~380 tokens and ~19 sentences per article,
    # ~20 words per sentence, ~45 % stopwords, Zipf slope ~ -0.9 over ranks 10-1,000,
    # ~32,000 word types.
    stats = describe(corpus["text"])
    assert 300 <= stats["tokens_per_article"] <= 450
    assert 15 <= stats["sentences_per_article"] <= 22
    assert 17 <= stats["words_per_sentence"] <= 24
    assert 0.38 <= stats["stopword_share"] <= 0.55
    assert -1.15 <= stats["zipf_slope"] <= -0.8
    assert 22_000 <= stats["vocabulary"] <= 40_000


def test_vocabulary_grows_like_heaps_law(corpus):
    small = describe(corpus["text"].iloc[:500])["vocabulary"]
    large = describe(corpus["text"])["vocabulary"]
    beta = np.log(large / small) / np.log(4)  # four times the tokens
    assert 0.4 <= beta <= 0.75  # English text: Heaps' exponent ~0.4-0.7


def test_real_words_and_topical_structure(corpus):
    from wordfreq import zipf_frequency

    words = Counter(w for t in corpus["text"].iloc[:200] for w in t.lower().split())
    common = [w.strip(".,") for w, _ in words.most_common(300)]
    known = [w for w in common if w.isalpha() and zipf_frequency(w, "en") > 2.0]
    assert len(known) >= 0.9 * len([w for w in common if w.isalpha()])
    # articles share topics: the words of one article recur in some others far more than
    # in random pairs would under independent draws from the whole vocabulary
    sets = [set(t.lower().split()) for t in corpus["text"].iloc[:200]]
    overlaps = sorted(len(sets[0] & s) / len(sets[0]) for s in sets[1:])
    assert overlaps[-1] > 1.3 * overlaps[len(overlaps) // 2]


def test_read_corpus_and_resample(tmp_path):
    src = pd.DataFrame(
        {
            "body": ["One sentence here. Two sentences here. Three here.", "Alpha. Beta. Gamma."],
            "category": ["tech", "sport"],
        }
    )
    path = tmp_path / "c.csv"
    src.to_csv(path, index=False)
    real = read_corpus(path, text_column="body")
    assert real["outlet"].tolist() == ["tech", "sport"]
    grown = resample_real(real, 7, seed=0)
    assert len(grown) == 7 and grown["id"].is_unique
    assert grown["text"].iloc[:2].tolist() == src["body"].tolist()
    for i in range(2, 7):
        original = src["body"].iloc[i % 2]
        assert sorted(SENT_RE.split(grown["text"].iloc[i])) == sorted(SENT_RE.split(original))
        assert grown["outlet"].iloc[i] == src["category"].iloc[i % 2]
    with pytest.raises(SystemExit, match="no column 'text'"):
        read_corpus(path)
