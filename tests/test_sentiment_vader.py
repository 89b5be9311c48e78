"""VADER scoring: known answers, the fast port equals vaderSentiment, NLTK on the same lexicon."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from newslens.sentiment import label_compound, score_sentences
from newslens.vader import FastVader, make_analyzer, nltk_analyzer, score_texts
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as PackageVader

# (neg, neu, pos, compound) from vaderSentiment 3.3.2 with its own lexicon.
KNOWN = {
    "VADER is smart, handsome, and funny.": (0.0, 0.254, 0.746, 0.8316),
    "The attack killed 12 civilians and wounded dozens.": (0.559, 0.441, 0.0, -0.8225),
    "Armenia and Azerbaijan signed a peace agreement.": (0.0, 0.427, 0.573, 0.7717),
    "The talks were not successful.": (0.434, 0.566, 0.0, -0.4717),
    "It was a good meeting but the outcome was TERRIBLE!!": (0.37, 0.507, 0.124, -0.7081),
    "without doubt a failure": (0.445, 0.27, 0.285, -0.2937),
    "Pashinyan called it a strange situation.": (0.265, 0.735, 0.0, -0.2023),
    "": (0.0, 0.0, 0.0, 0.0),
    "123 ... 456": (0.0, 1.0, 0.0, 0.0),
    "!!!": (0.0, 1.0, 0.0, 0.0),
}


@pytest.fixture(scope="module")
def fast():
    return FastVader()


@pytest.mark.parametrize("text", list(KNOWN))
def test_known_answers(fast, text):
    assert fast.score(text) == KNOWN[text]


def test_fast_port_equals_vadersentiment_on_random_sentences(fast):
    """Random sentences full of the rules' trigger words (negations, boosters, 'but', 'no',
    'least', idioms, capitals, ! and ?, emoji) score exactly as in the package."""
    package = PackageVader()
    seed_words = (
        "Armenia Azerbaijan CSTO summit meeting conflict peace war threat tense security "
        "difficult decisions successful clear political assessment escalation aggression"
    ).split()
    triggers = [
        "but",
        "BUT",
        "no",
        "No",
        "kind",
        "of",
        "least",
        "at",
        "very",
        "never",
        "so",
        "this",
        "without",
        "doubt",
        "GOOD",
        "BAD",
        "!",
        "?",
        "!!",
        "???",
        ":)",
        "🙂",
    ]
    lexicon = random.Random(0).sample(sorted(package.lexicon), 800)
    words = (
        seed_words * 5
        + triggers * 10
        + list(BOOSTER_DICT)
        + NEGATE
        + lexicon
        + [w for k in SPECIAL_CASES for w in k.split()] * 3
    )
    rng = random.Random(1)
    for _ in range(4000):
        s = " ".join(rng.choice(words) for _ in range(rng.randint(0, 22)))
        assert fast.polarity_scores(s) == package.polarity_scores(s), s


def test_nltk_analyzer_uses_package_lexicon_and_differs_where_documented():
    nltk = nltk_analyzer()
    assert len(nltk.lexicon) == len(FastVader().lexicon) == 7506
    assert nltk.score("The talks were not successful.")[3] == -0.4717
    # NLTK's port lacks the "without doubt" rule: it calls this sentence positive
    assert nltk.score("without doubt a failure")[3] == 0.5875


def test_labels_from_thresholds():
    assert list(label_compound([-0.5, -0.05, -0.0499, 0, 0.0499, 0.05, 0.9])) == [
        "negative",
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
        "positive",
    ]
    assert list(label_compound([-0.3, 0.3], negative=-0.5, positive=0.5)) == ["neutral"] * 2


def test_score_sentences_table_and_edge_cases():
    sentences = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b"],
            "para_id": [0, 0, 1, 0],
            "sent_id": [0, 1, 2, 0],
            "text": ["The talks were not successful.", "", "123 ... 456", None],
        }
    )
    out = score_sentences(sentences)
    assert list(out.columns) == [
        "doc_id",
        "para_id",
        "sent_id",
        "neg",
        "neu",
        "pos",
        "compound",
        "label",
    ]
    assert out["compound"].tolist() == [-0.4717, 0.0, 0.0, 0.0]
    assert out["label"].tolist() == ["negative", "neutral", "neutral", "neutral"]
    empty = score_sentences(sentences.iloc[0:0])
    assert len(empty) == 0 and list(empty.columns) == list(out.columns)
    nltk = score_sentences(sentences, implementation="nltk")
    assert nltk["compound"].tolist() == out["compound"].tolist()


def test_repeated_texts_scored_once():
    class Counting:
        calls = 0

        def score(self, t):
            Counting.calls += 1
            return (0.0, 1.0, 0.0, 0.0)

    assert len(score_texts(["a", "b", "a", "a"], Counting())) == 4
    assert Counting.calls == 2


def test_unknown_implementation():
    with pytest.raises(ValueError, match="unknown VADER implementation"):
        make_analyzer("textblob")


def news_like_sentences(n: int, seed: int = 0) -> list[str]:
    """Sentences of the seed article's words, with VADER's trigger words, lexicon words in
    any case, punctuation, contractions, emoji and non-ASCII tokens spliced in."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "seeds" / "000_bddb6e4422a4ea30.txt").read_text()
    seed_words = re.findall(r"\S+", text)
    rng = random.Random(seed)
    lexicon = sorted(PackageVader().lexicon)
    extra = [
        *BOOSTER_DICT,
        *NEGATE,
        *[w for k in SPECIAL_CASES for w in k.split()],
        "but",
        "But,",
        "BUT",
        "no",
        "No!",
        "least",
        "at",
        "very",
        "kind",
        "of",
        "never",
        "so",
        "this",
        "without",
        "doubt",
        "isn't",
        "wouldn't,",
        "!!",
        "?",
        "???",
        ":)",
        ":-(",
        "🙂",
        "x😡",
        "İstanbul",
        "Straße",
        "ǅemal",
        "...",
        "--",
        "NATO's",
        "GOOD",
        "Terrible.",
    ]
    out = []
    for _ in range(n):
        start = rng.randrange(len(seed_words))
        words = seed_words[start : start + rng.randint(0, 40)]
        for _ in range(rng.randint(0, 6)):
            pool = extra if rng.random() < 0.5 else lexicon
            w = rng.choice(pool)
            w = w.upper() if rng.random() < 0.1 else w.capitalize() if rng.random() < 0.2 else w
            words.insert(rng.randint(0, len(words)), w)
        out.append(rng.choice([" ", "  ", "\n", " \t"]).join(words))
    return out


def test_fast_port_equals_vadersentiment_on_news_like_sentences(monkeypatch):
    """The fast paths (token cache, lexicon words only, rules skipped where no context word
    is near, ASCII without emoji scan) give the package's four scores, bit for bit -- also
    when the token cache starts afresh every few sentences."""
    import newslens.vader as vader

    monkeypatch.setattr(vader, "TOKEN_CACHE_SIZE", 300)
    package, fast = PackageVader(), vader.FastVader()
    for s in news_like_sentences(6000):
        got, want = fast.polarity_scores(s), package.polarity_scores(s)
        assert got == want and repr(got) == repr(want), s


def test_sentence_scorer_batches_and_cache_give_the_same_table():
    """Scoring in batches, with repeated sentences remembered across batches (and a full
    cache), gives the table that scoring all sentences at once gives."""
    from newslens.sentiment import SentenceScorer

    texts = news_like_sentences(400, seed=3)
    texts = [texts[i % 150] if i % 3 == 0 else texts[i] for i in range(len(texts))]
    table = pd.DataFrame(
        {
            "doc_id": [f"d{i // 10:03d}" for i in range(len(texts))],
            "para_id": [i % 10 // 3 for i in range(len(texts))],
            "sent_id": [i % 10 for i in range(len(texts))],
            "text": texts,
        }
    )
    whole = score_sentences(table)
    for cache_size in (0, 20, 10_000):
        scorer = SentenceScorer(cache_size=cache_size)
        parts = [scorer(table.iloc[i : i + 70]) for i in range(0, len(table), 70)]
        pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
        assert len(scorer.cache) <= cache_size
    assert whole["compound"].tolist() == [
        PackageVader().polarity_scores(t)["compound"] for t in texts
    ]
