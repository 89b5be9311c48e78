"""FastVader.score_many (sentences scored a batch at a time) gives the scores of the plain port
(FastVader.score) and of vaderSentiment itself, bit for bit; SentenceScorer's table is the same
with and without it."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from newslens.sentiment import SentenceScorer
from newslens.vader import FastVader
from test_sentiment_vader import news_like_sentences
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as PackageVader

TRICKY = [
    # negation one, two, three words back and further away
    "The talks were not successful.",
    "The talks were not very successful.",
    "It isn't at all a good deal.",
    "Nobody said the ceasefire was never so good.",
    "Not once in the long and difficult history of the region was peace achieved.",
    "without doubt a failure",
    "This was without a doubt the worst attack.",
    "No agreement, no peace, no trust.",
    "There is no or nor good answer.",
    # but
    "It was a good meeting but the outcome was TERRIBLE!!",
    "Good, but bad, but good.",
    "But nothing good came of it.",
    "The deal was good BUT fragile.",
    # capitals
    "The attack was HORRIBLE.",
    "THE ATTACK WAS HORRIBLE.",
    "The GREAT and terrible WAR.",
    # boosters and dampeners
    "The situation is extremely dangerous.",
    "It was somewhat helpful and barely acceptable.",
    "Very very very good news.",
    "The outcome was kind of good.",
    "It was kind, of course.",
    "A kind gesture.",
    "kind of",
    "sort of great",
    # least
    "The least successful talks.",
    "At least the talks were successful.",
    "The very least honest answer.",
    # idioms and multiword keys
    "The new plan is the bomb.",
    "He said yeah right to the offer.",
    "The kiss of death for the talks.",
    "A deal to die for.",
    "The bus stop was hit.",
    "A badass move by the minister.",
    # punctuation emphasis
    "Great!!!",
    "Great!!!!!!",
    "Is this peace??",
    "Is this peace????",
    "War?! Again?!",
    "!!!",
    "?",
    # emoticons and emoji
    "The talks went well :)",
    "The talks failed :-(",
    "The talks went well 🙂",
    "x😡 angry crowds",
    "😀😀 good",
    # empty, whitespace-only, one word
    "",
    " ",
    "\t\n",
    "good",
    "GOOD",
    "war",
    "table",
    "123 ... 456",
    # Unicode and unusual whitespace
    "İstanbul talks were a success.",
    "Straße der Freiheit: a good road.",
    "Good\x1cnews and bad\x1dnews",
    "good\x0bnews\x0cbad\rnews",
    "good\u00a0news",
    "A  good\t\tday  ",
    "Terrible news, again.",
    "NATO's good offer wasn't accepted.",
    "They don't like it, they didn't like it, nor do they.",
]


@pytest.fixture(scope="module")
def package():
    return PackageVader()


def package_scores(package, texts):
    return np.array([list(package.polarity_scores(t).values()) for t in texts], dtype=float)


def test_tricky_sentences_equal_the_package_and_the_plain_port(package):
    fast = FastVader()
    got = fast.score_many(TRICKY)
    plain = np.array([FastVader().score(t) for t in TRICKY])
    assert got.shape == (len(TRICKY), 4)
    assert got.tobytes() == plain.tobytes()
    want = package_scores(package, TRICKY)
    for text, g, w in zip(TRICKY, got, want, strict=True):
        assert g.tolist() == w.tolist(), text
    # known answers of vaderSentiment 3.3.2
    row = {t: g.tolist() for t, g in zip(TRICKY, got, strict=True)}
    assert row["The talks were not successful."] == [0.434, 0.566, 0.0, -0.4717]
    assert row["without doubt a failure"] == [0.445, 0.27, 0.285, -0.2937]
    assert row[""] == [0.0, 0.0, 0.0, 0.0] and row[" "] == [0.0, 0.0, 0.0, 0.0]
    assert row["table"] == [0.0, 1.0, 0.0, 0.0]


def test_the_batch_path_takes_plain_sentences_and_leaves_the_rest(monkeypatch):
    """Sentences with capitals, boosters, negations, "least", "no", "but" and punctuation are
    scored without the per-sentence rules; those with emoji, non-ASCII white space, an idiom
    near a lexicon word, or a valence the "but" rule would mistake go to score()."""
    fast = FastVader()
    seen = []
    plain_score = fast.score
    monkeypatch.setattr(fast, "score", lambda t: seen.append(t) or plain_score(t))
    texts = [
        "The attack was HORRIBLE.",  # batch
        "Great!!! A good and happy day?",  # batch
        "The talks were not very successful.",  # batch: negation and booster
        "At least the talks were never so successful.",  # batch
        "table and chairs",  # no lexicon word: batch
        "but the table",  # no lexicon word: batch
        "Good, but bad.",  # batch: "but"
        "No good deal, no.",  # batch: "no"
        "İstanbul talks were a success, £5m.",  # batch: non-ASCII without emoji
        "apocalyptic talk and abandonments, but fine.",  # "but": -3.4 * 0.5 is -1.7 again
        "The outcome was kind of good.",  # kind of
        "The talks went well 🙂",  # emoji
        "Good\x1cnews",  # a separator Arrow does not split on
        "good\u00a0news",  # non-ASCII white space
        "The new plan is the bomb.",  # multiword key
    ]
    got = fast.score_many(texts)
    assert sorted(seen) == sorted(texts[9:])
    assert got.tolist() == [list(plain_score(t)) for t in texts]


def test_news_like_sentences_in_batches_with_a_small_type_table(monkeypatch, package):
    """6,000 sentences full of rule words, capitals, emoji and odd whitespace, in batches of 500
    with the per-type table starting afresh every few batches: the package's scores."""
    import newslens.vader as vader

    monkeypatch.setattr(vader, "TOKEN_CACHE_SIZE", 2000)
    texts = news_like_sentences(6000, seed=7)
    fast = vader.FastVader()
    got = np.concatenate([fast.score_many(texts[i : i + 500]) for i in range(0, 6000, 500)])
    assert got.tobytes() == package_scores(package, texts).tobytes()
    assert len(fast._ids) <= 2000


def test_random_word_salad_equals_the_package(package):
    """Random sequences of rule words, lexicon words in any case, punctuation and non-ASCII
    words (emoji among them)."""
    rng = random.Random(5)
    lexicon = sorted(FastVader().lexicon)
    words = [
        *rng.sample(lexicon, 600),
        *"but BUT no not never so this without doubt least at very kind of sort the".split(),
        *"extremely somewhat barely isn't don't shit bomb yeah right die for".split(),
        *"! ? !! ??? :) :( , . -- Good GOOD Bad BAD WAR war peace PEACE".split(),
        *"£5m “good” ‘bad’ café ÉNORME İYİ Straße ǅemal — … ½ 😀 x😡".split(),
    ]
    texts = []
    for _ in range(3000):
        k = rng.randint(0, 15)
        texts.append(" ".join(rng.choice(words) for _ in range(k)))
    got = FastVader().score_many(texts)
    assert got.tobytes() == package_scores(package, texts).tobytes()


class PlainOnly:
    """FastVader without score_many: SentenceScorer scores one text at a time."""

    def __init__(self):
        self.vader = FastVader()

    def score(self, text):
        return self.vader.score(text)


def test_sentence_scorer_table_is_the_same_with_the_batch_path():
    texts = news_like_sentences(900, seed=11)
    texts = [texts[i % 200] if i % 4 == 0 else texts[i] for i in range(len(texts))]
    texts[5] = None
    table = pd.DataFrame(
        {
            "doc_id": [f"d{i // 12:03d}" for i in range(len(texts))],
            "para_id": [i % 12 // 4 for i in range(len(texts))],
            "sent_id": [i % 12 for i in range(len(texts))],
            "text": texts,
        }
    )
    for cache_size in (0, 30, 10_000):
        fast = SentenceScorer(cache_size=cache_size)
        plain = SentenceScorer(cache_size=cache_size, analyzer=PlainOnly())
        a = pd.concat([fast(table.iloc[i : i + 250]) for i in range(0, 900, 250)])
        b = pd.concat([plain(table.iloc[i : i + 250]) for i in range(0, 900, 250)])
        pd.testing.assert_frame_equal(a, b)
        assert a["compound"].to_numpy().tobytes() == b["compound"].to_numpy().tobytes()
    assert (a["label"] == "neutral").sum() < len(a)


def test_texts_arrow_cannot_hold_are_scored_one_at_a_time():
    texts = ["good \ud800 news", "bad news", ""]
    fast = FastVader()
    assert fast.score_many(texts).tolist() == [list(fast.score(t)) for t in texts]


def test_but_rule_with_valences_that_match_rescaled_ones(package):
    """The package's "but" rule finds words by value: where a valence equals an earlier word's
    halved or 1.5-fold one it rescales the earlier word again. Sentences built from such words
    score as in the package."""
    fast = FastVader()
    by_value = {}
    for w in sorted(fast.lexicon):
        if w.isalpha() and w in fast._valenced:
            by_value.setdefault(fast.lexicon[w], []).append(w)
    words = ["but", "BUT", "not", "very", "the", "and"]
    for v, ws in sorted(by_value.items()):
        for f in (0.5, 1.5, 0.25, 2.25):
            if v * f in by_value:
                words += [ws[0], by_value[v * f][0]]
    assert len(words) > 40
    rng = random.Random(3)
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    got = fast.score_many(texts)
    assert got.tobytes() == package_scores(package, texts).tobytes()


def test_the_odd_white_space_is_all_that_str_split_splits_on_besides_ascii():
    from newslens.vader import _ODD_SPACE

    white = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert white == set(_ODD_SPACE) | set(" \t\n\r\x0b\x0c")


def test_arrow_strings_score_as_a_list():
    import pyarrow as pa

    texts = TRICKY + news_like_sentences(300, seed=2)
    fast = FastVader()
    want = fast.score_many(texts)
    for arr in (pa.array(texts), pa.array(texts, pa.large_string())):
        assert FastVader().score_many(arr).tobytes() == want.tobytes()
