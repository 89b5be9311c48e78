"""VADER sentence scoring: a fast, exact port of ``vaderSentiment`` 3.3.2 and NLTK's analyzer
loaded with the same lexicon.

Two implementations of VADER (Hutto & Gilbert 2014) exist in the environment:

* ``vaderSentiment`` (the authors' package, 3.3.2) and
* NLTK's ``SentimentIntensityAnalyzer``, an older port. It gives different scores on some
  sentences (e.g. "without doubt a failure", "no war", negation three words back), and NLTK's
  own lexicon cannot be downloaded here, so :class:`NltkVader` loads the lexicon text from
  the ``vaderSentiment`` package.

:class:`FastVader` re-implements the ``vaderSentiment`` rules with the package's own lexicon
and constants, but lower-cases each sentence once instead of once per rule and skips the
per-character emoji loop when a sentence has no emoji. Its four scores are identical to
``vaderSentiment``'s (tests/test_sentiment_vader.py compares them on hundreds of sentences,
including the package's quirks such as the ``but`` rule matching scores by value). It is
about 2-3x faster; benchmarks/bench_sentiment.py measures all three.
"""

from __future__ import annotations

import importlib.resources
import math
import string
from collections.abc import Iterable

from vaderSentiment import vaderSentiment as _vs

IMPLEMENTATIONS = ("vadersentiment", "nltk")

_BOOSTER = _vs.BOOSTER_DICT
_SPECIAL = _vs.SPECIAL_CASES
_NEGATE = frozenset(_vs.NEGATE)
_N_SCALAR = _vs.N_SCALAR
_C_INCR = _vs.C_INCR
_PUNCT = string.punctuation


def lexicon_text(name: str = "vader_lexicon.txt") -> str:
    """The text of a lexicon file shipped in the ``vaderSentiment`` package."""
    return (importlib.resources.files("vaderSentiment") / name).read_text(encoding="utf-8")


def _lexicon() -> dict[str, float]:
    lex: dict[str, float] = {}
    for line in lexicon_text().rstrip("\n").split("\n"):
        if line:
            word, measure = line.strip().split("\t")[0:2]
            lex[word] = float(measure)
    return lex


def _emojis() -> dict[str, str]:
    out = {}
    for line in lexicon_text("emoji_utf8_lexicon.txt").rstrip("\n").split("\n"):
        emoji, description = line.strip().split("\t")[0:2]
        out[emoji] = description
    return out


def _negated(word: str) -> bool:
    return word in _NEGATE or "n't" in word


def _strip_punc_if_word(token: str) -> str:
    stripped = token.strip(_PUNCT)
    return token if len(stripped) <= 2 else stripped


def _scalar_inc_dec(word: str, lower: str, valence: float, is_cap_diff: bool) -> float:
    scalar = 0.0
    if lower in _BOOSTER:
        scalar = _BOOSTER[lower]
        if valence < 0:
            scalar *= -1
        if word.isupper() and is_cap_diff:
            if valence > 0:
                scalar += _C_INCR
            else:
                scalar -= _C_INCR
    return scalar


def _negation_check(valence: float, lw: list[str], start_i: int, i: int) -> float:
    if start_i == 0:
        if _negated(lw[i - 1]):
            valence = valence * _N_SCALAR
    elif start_i == 1:
        if lw[i - 2] == "never" and (lw[i - 1] == "so" or lw[i - 1] == "this"):
            valence = valence * 1.25
        elif lw[i - 2] == "without" and lw[i - 1] == "doubt":
            pass
        elif _negated(lw[i - 2]):
            valence = valence * _N_SCALAR
    else:
        if (
            lw[i - 3] == "never"
            and (lw[i - 2] == "so" or lw[i - 2] == "this")
            or (lw[i - 1] == "so" or lw[i - 1] == "this")
        ):
            valence = valence * 1.25
        elif lw[i - 3] == "without" and (lw[i - 2] == "doubt" or lw[i - 1] == "doubt"):
            pass
        elif _negated(lw[i - 3]):
            valence = valence * _N_SCALAR
    return valence


def _special_idioms_check(valence: float, lw: list[str], i: int) -> float:
    onezero = f"{lw[i - 1]} {lw[i]}"
    twoonezero = f"{lw[i - 2]} {lw[i - 1]} {lw[i]}"
    twoone = f"{lw[i - 2]} {lw[i - 1]}"
    threetwoone = f"{lw[i - 3]} {lw[i - 2]} {lw[i - 1]}"
    threetwo = f"{lw[i - 3]} {lw[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _SPECIAL:
            valence = _SPECIAL[seq]
            break
    n = len(lw)
    if n - 1 > i:
        zeroone = f"{lw[i]} {lw[i + 1]}"
        if zeroone in _SPECIAL:
            valence = _SPECIAL[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{lw[i]} {lw[i + 1]} {lw[i + 2]}"
        if zeroonetwo in _SPECIAL:
            valence = _SPECIAL[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _BOOSTER:
            valence = valence + _BOOSTER[n_gram]
    return valence


def _but_check(lw: list[str], sentiments: list[float]) -> list[float]:
    # Verbatim from vaderSentiment, including its matching of scores by value.
    if "but" in lw:
        bi = lw.index("but")
        for sentiment in sentiments:
            si = sentiments.index(sentiment)
            if si < bi:
                sentiments.pop(si)
                sentiments.insert(si, sentiment * 0.5)
            elif si > bi:
                sentiments.pop(si)
                sentiments.insert(si, sentiment * 1.5)
    return sentiments


def _punctuation_emphasis(text: str) -> float:
    ep_count = min(text.count("!"), 4)
    ep = ep_count * 0.292
    qm_count = text.count("?")
    qm = 0
    if qm_count > 1:
        qm = qm_count * 0.18 if qm_count <= 3 else 0.96
    return ep + qm


def _score_valence(sentiments: list[float], text: str) -> tuple[float, float, float, float]:
    if not sentiments:
        return 0.0, 0.0, 0.0, 0.0
    sum_s = float(sum(sentiments))
    amp = _punctuation_emphasis(text)
    if sum_s > 0:
        sum_s += amp
    elif sum_s < 0:
        sum_s -= amp
    compound = _vs.normalize(sum_s)
    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = 0
    for s in sentiments:
        if s > 0:
            pos_sum += float(s) + 1
        if s < 0:
            neg_sum += float(s) - 1
        if s == 0:
            neu_count += 1
    if pos_sum > math.fabs(neg_sum):
        pos_sum += amp
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= amp
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (
        round(math.fabs(neg_sum / total), 3),
        round(math.fabs(neu_count / total), 3),
        round(math.fabs(pos_sum / total), 3),
        round(compound, 4),
    )


class FastVader:
    """VADER with the exact rules, lexicon and output of ``vaderSentiment`` 3.3.2, faster.

    ``score(text)`` returns (neg, neu, pos, compound); ``polarity_scores(text)`` the dict
    that ``vaderSentiment`` returns.
    """

    def __init__(self) -> None:
        self.lexicon = _lexicon()
        self.emojis = _emojis()
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)

    def _replace_emojis(self, text: str) -> str:
        parts = []
        prev_space = True
        for ch in text:
            if ch in self.emojis:
                if not prev_space:
                    parts.append(" ")
                parts.append(self.emojis[ch])
                prev_space = False
            else:
                parts.append(ch)
                prev_space = ch == " "
        return "".join(parts)

    def score(self, text: str) -> tuple[float, float, float, float]:
        if not self._emoji_chars.isdisjoint(text):
            text = self._replace_emojis(text)
        text = text.strip()
        words = [_strip_punc_if_word(w) for w in text.split()]
        lw = [w.lower() for w in words]
        n = len(words)
        n_upper = sum(1 for w in words if w.isupper())
        is_cap_diff = 0 < n - n_upper < n
        lex = self.lexicon
        sentiments: list[float] = []
        for i, item_l in enumerate(lw):
            if item_l in _BOOSTER or (i < n - 1 and item_l == "kind" and lw[i + 1] == "of"):
                sentiments.append(0)
                continue
            if item_l not in lex:
                sentiments.append(0)
                continue
            valence = lex[item_l]
            if item_l == "no" and i != n - 1 and lw[i + 1] in lex:
                valence = 0.0
            if (
                (i > 0 and lw[i - 1] == "no")
                or (i > 1 and lw[i - 2] == "no")
                or (i > 2 and lw[i - 3] == "no" and lw[i - 1] in ("or", "nor"))
            ):
                valence = lex[item_l] * _N_SCALAR
            if is_cap_diff and words[i].isupper():
                if valence > 0:
                    valence += _C_INCR
                else:
                    valence -= _C_INCR
            for start_i in range(3):
                j = i - (start_i + 1)
                if j >= 0 and lw[j] not in lex:
                    s = _scalar_inc_dec(words[j], lw[j], valence, is_cap_diff)
                    if start_i == 1 and s != 0:
                        s = s * 0.95
                    if start_i == 2 and s != 0:
                        s = s * 0.9
                    valence = valence + s
                    valence = _negation_check(valence, lw, start_i, i)
                    if start_i == 2:
                        valence = _special_idioms_check(valence, lw, i)
            # "least" check
            if i > 1 and lw[i - 1] not in lex and lw[i - 1] == "least":
                if lw[i - 2] != "at" and lw[i - 2] != "very":
                    valence = valence * _N_SCALAR
            elif i > 0 and lw[i - 1] not in lex and lw[i - 1] == "least":
                valence = valence * _N_SCALAR
            sentiments.append(valence)
        sentiments = _but_check(lw, sentiments)
        return _score_valence(sentiments, text)

    def polarity_scores(self, text: str) -> dict[str, float]:
        neg, neu, pos, compound = self.score(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}


def nltk_analyzer():
    """NLTK's ``SentimentIntensityAnalyzer`` with the lexicon of the ``vaderSentiment``
    package (NLTK's own data cannot be downloaded, and NLTK 3.10 refuses a ``lexicon_file``
    outside ``nltk.data.path``, so the lexicon text is handed over directly)."""
    from nltk.sentiment.vader import SentimentIntensityAnalyzer, VaderConstants

    class NltkVader(SentimentIntensityAnalyzer):
        def __init__(self) -> None:  # noqa: D401 - same attributes as the parent sets
            self.lexicon_file = lexicon_text().rstrip("\n")
            self.lexicon = self.make_lex_dict()
            self.constants = VaderConstants()

        def score(self, text: str) -> tuple[float, float, float, float]:
            d = self.polarity_scores(text)
            return d["neg"], d["neu"], d["pos"], d["compound"]

    return NltkVader()


def make_analyzer(implementation: str = "vadersentiment"):
    """An object with ``score(text) -> (neg, neu, pos, compound)`` for ``implementation``."""
    if implementation == "vadersentiment":
        return FastVader()
    if implementation == "nltk":
        return nltk_analyzer()
    raise ValueError(
        f"unknown VADER implementation {implementation!r}; use one of {IMPLEMENTATIONS}"
    )


def score_texts(texts: Iterable[str], analyzer) -> list[tuple[float, float, float, float]]:
    """Score many texts; identical texts (repeated boilerplate, quotes) are scored once."""
    cache: dict[str, tuple[float, float, float, float]] = {}
    out = []
    for t in texts:
        r = cache.get(t)
        if r is None:
            r = cache[t] = analyzer.score(t)
        out.append(r)
    return out
