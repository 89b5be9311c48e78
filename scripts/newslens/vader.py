"""VADER sentence scoring: a fast, exact port of ``vaderSentiment`` 3.3.2 and NLTK's analyzer
loaded with the same lexicon.

Two implementations of VADER (Hutto & Gilbert 2014) exist in the environment:

* ``vaderSentiment`` (the authors' package, 3.3.2) and
* NLTK's ``SentimentIntensityAnalyzer``, an older port. It gives different scores on some
  sentences (e.g. "without doubt a failure", "no war", negation three words back), and NLTK's
  own lexicon cannot be downloaded here, so :class:`NltkVader` loads the lexicon text from
  the ``vaderSentiment`` package.

:class:`FastVader` re-implements the ``vaderSentiment`` rules with the package's own lexicon
and constants, but lower-cases each distinct token once, runs the rules only for lexicon
words (and skips those that cannot change a word's valence when no booster, negation or
idiom is near it) and skips the per-character emoji loop for ASCII sentences (see the class
docstring). Its four scores are identical to ``vaderSentiment``'s, bit for bit
(tests/test_sentiment_vader.py compares them on thousands of sentences, including the
package's quirks such as the ``but`` rule matching scores by value). It is about 6x faster
than the package; benchmarks/bench_sentiment.py measures all three.
"""

from __future__ import annotations

import importlib.resources
import math
import string
from collections.abc import Iterable
from itertools import compress

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


def _normalize(score: float, alpha: float = 15) -> float:
    """vaderSentiment's ``normalize``, verbatim (inlined for speed)."""
    norm_score = score / math.sqrt((score * score) + alpha)
    if norm_score < -1.0:
        return -1.0
    elif norm_score > 1.0:
        return 1.0
    return norm_score


def _score_valence(
    sentiments: list[float], hits: list[int], text: str
) -> tuple[float, float, float, float]:
    """vaderSentiment's ``score_valence``. Only the positions in ``hits`` can be non-zero
    (``_but_check`` only rescales values), so the sums run over them, in the same order."""
    if not sentiments:
        return 0.0, 0.0, 0.0, 0.0
    sum_s = float(sum(sentiments))
    amp = _punctuation_emphasis(text) if "!" in text or "?" in text else 0.0
    if sum_s > 0:
        sum_s += amp
    elif sum_s < 0:
        sum_s -= amp
    compound = _normalize(sum_s)
    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = len(sentiments)
    for i in hits:
        s = sentiments[i]
        if s > 0:
            pos_sum += float(s) + 1
            neu_count -= 1
        elif s < 0:
            neg_sum += float(s) - 1
            neu_count -= 1
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


# A bound on the token cache of FastVader: past it the cache starts afresh, so memory stays
# bounded on corpora with millions of distinct tokens (results never depend on the cache).
TOKEN_CACHE_SIZE = 500_000

# Words that can change the valence of a lexicon word one to three words after them:
# boosters and dampeners, negations (also any word with "n't", added as they are seen),
# "no", "never so/this", "without doubt", "least", and the "so"/"this" of the negation rule.
_CONTEXT = (
    frozenset(_BOOSTER) | _NEGATE | {"no", "never", "so", "this", "without", "doubt", "least"}
)


def _key_pairs(*tables: dict) -> frozenset[tuple[str, str]]:
    """The first two words of every multiword key: a sequence of words can only equal a key
    if its first two words are such a pair (keys are compared with single spaces)."""
    return frozenset(tuple(k.split(" ")[:2]) for t in tables for k in t if " " in k)


_IDIOM_PAIRS = _key_pairs(_SPECIAL, _BOOSTER)
_IDIOM_SECOND = frozenset(b for _, b in _IDIOM_PAIRS)


def _near_idiom(lw: list[str], i: int, n: int) -> bool:
    """Whether the idiom rule of the word at ``i`` can apply: a pair of neighbouring words
    from i - 3 to i + 1 starts an idiom or a multiword booster key."""
    if _IDIOM_SECOND.isdisjoint(lw[max(i - 2, 0) : i + 2]):
        return False
    return (
        (i >= 3 and (lw[i - 3], lw[i - 2]) in _IDIOM_PAIRS)
        or (i >= 2 and (lw[i - 2], lw[i - 1]) in _IDIOM_PAIRS)
        or (i >= 1 and (lw[i - 1], lw[i]) in _IDIOM_PAIRS)
        or (i < n - 1 and (lw[i], lw[i + 1]) in _IDIOM_PAIRS)
    )


class FastVader:
    """VADER with the exact rules, lexicon and output of ``vaderSentiment`` 3.3.2, faster.

    ``score(text)`` returns (neg, neu, pos, compound); ``polarity_scores(text)`` the dict
    that ``vaderSentiment`` returns.

    Where the time goes, and what this port does about it (each step keeps every score
    identical; tests/test_sentiment_vader.py compares with the package):

    * Tokens: each distinct whitespace token is stripped of punctuation and lower-cased once
      and remembered (``_lower``), so a sentence costs one dict lookup per token.
    * Only lexicon words can carry a valence; the rules run for those words alone (the
      others score 0), and a sentence without any is neutral at once.
    * Most lexicon words have no booster, negation, "no", "least" or idiom within three
      words before them (``_CONTEXT``, ``_near_idiom``): their valence is the lexicon's,
      adjusted for capitals, without running the rules that could not change it.
    * ASCII sentences skip the emoji scan (every emoji of the lexicon is non-ASCII).
    """

    def __init__(self) -> None:
        self.lexicon = _lexicon()
        self.emojis = _emojis()
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        self._lower: dict[str, str] = {}
        # a lexicon word that is no booster: the only words that can carry a valence
        self._valenced = frozenset(w for w in self.lexicon if w not in _BOOSTER)
        self._context = set(_CONTEXT)

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

    def _lower_words(self, tokens: list[str]) -> list[str]:
        """The stripped, lower-cased form of each token (vaderSentiment's ``words_and_emoticons``
        lower-cased), through the token cache."""
        cache = self._lower
        try:
            return list(map(cache.__getitem__, tokens))
        except KeyError:
            pass
        if len(cache) > TOKEN_CACHE_SIZE:
            cache.clear()
        lw = []
        for t in tokens:
            w = cache.get(t)
            if w is None:
                w = cache[t] = _strip_punc_if_word(t).lower()
                if "n't" in w:
                    self._context.add(w)
            lw.append(w)
        return lw

    def score(self, text: str) -> tuple[float, float, float, float]:
        if not text.isascii() and not self._emoji_chars.isdisjoint(text):
            text = self._replace_emojis(text)
        text = text.strip()
        tokens = text.split()
        lw = self._lower_words(tokens)
        n = len(lw)
        valenced = self._valenced
        hits = list(compress(range(n), map(valenced.__contains__, lw)))
        if not hits:
            # every word scores 0: no valence, no "but" effect, compound 0
            return (0.0, 1.0, 0.0, 0.0) if n else (0.0, 0.0, 0.0, 0.0)
        # A stripped word is upper case exactly when its token is (punctuation has no case).
        n_upper = sum(map(str.isupper, tokens))
        is_cap_diff = 0 < n - n_upper < n
        lex = self.lexicon
        context = self._context
        sentiments: list[float] = [0] * n
        for i in hits:
            item_l = lw[i]
            if i < n - 1 and item_l == "kind" and lw[i + 1] == "of":
                continue
            valence = lex[item_l]
            if (
                item_l != "no"
                and context.isdisjoint(lw[max(i - 3, 0) : i])
                and (
                    _IDIOM_SECOND.isdisjoint(lw[max(i - 2, 0) : i + 2]) or not _near_idiom(lw, i, n)
                )
            ):
                # No rule below can change this valence (it is never 0, so the rules'
                # "+ 0.0" steps leave it as it is): only the capitals rule applies.
                if is_cap_diff and tokens[i].isupper():
                    if valence > 0:
                        valence += _C_INCR
                    else:
                        valence -= _C_INCR
                sentiments[i] = valence
                continue
            if item_l == "no" and i != n - 1 and lw[i + 1] in lex:
                valence = 0.0
            if (
                (i > 0 and lw[i - 1] == "no")
                or (i > 1 and lw[i - 2] == "no")
                or (i > 2 and lw[i - 3] == "no" and lw[i - 1] in ("or", "nor"))
            ):
                valence = lex[item_l] * _N_SCALAR
            if is_cap_diff and tokens[i].isupper():
                if valence > 0:
                    valence += _C_INCR
                else:
                    valence -= _C_INCR
            for start_i in range(3):
                j = i - (start_i + 1)
                if j >= 0 and lw[j] not in lex:
                    s = _scalar_inc_dec(tokens[j], lw[j], valence, is_cap_diff)
                    if start_i == 1 and s != 0:
                        s = s * 0.95
                    if start_i == 2 and s != 0:
                        s = s * 0.9
                    valence = valence + s
                    valence = _negation_check(valence, lw, start_i, i)
                    if start_i == 2 and _near_idiom(lw, i, n):
                        valence = _special_idioms_check(valence, lw, i)
            # "least" check
            if i > 1 and lw[i - 1] not in lex and lw[i - 1] == "least":
                if lw[i - 2] != "at" and lw[i - 2] != "very":
                    valence = valence * _N_SCALAR
            elif i > 0 and lw[i - 1] not in lex and lw[i - 1] == "least":
                valence = valence * _N_SCALAR
            sentiments[i] = valence
        sentiments = _but_check(lw, sentiments)
        return _score_valence(sentiments, hits, text)

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
