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
than the package; benchmarks/bench_sentiment.py measures all three. ``FastVader.score_many``
scores a list of sentences at once, running the rules on NumPy arrays for every sentence where
they reduce to array operations (the same scores; tests/test_sent_batch.py).
"""

from __future__ import annotations

import importlib.resources
import math
import operator
import string
from collections.abc import Iterable
from itertools import compress, repeat

import numpy as np
from vaderSentiment import vaderSentiment as _vs

from newslens.arrays import run_starts

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
# the same pairs as integer codes for FastVader.score_many: first * _IDIOM_SECOND_N + second
_IDIOM_CODES = (
    {w: k for k, w in enumerate(sorted({a for a, _ in _IDIOM_PAIRS}))},
    {w: k for k, w in enumerate(sorted(_IDIOM_SECOND))},
)
_IDIOM_SECOND_N = len(_IDIOM_CODES[1])
_IDIOM_PAIR_CODES = np.array(
    sorted(_IDIOM_CODES[0][a] * _IDIOM_SECOND_N + _IDIOM_CODES[1][b] for a, b in _IDIOM_PAIRS),
    dtype=np.int64,
)
_SO_THIS = frozenset({"so", "this"})
_AT_VERY = frozenset({"at", "very"})
_OR_NOR = frozenset({"or", "nor"})
# What str.split() splits on besides ASCII whitespace (which Arrow's ASCII whitespace split
# splits on): the separators 0x1C-0x1F and the non-ASCII white space
_ODD_SPACE = "\x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_ODD_SPACE += "\u2028\u2029\u202f\u205f\u3000"


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


class _PyStrings:
    """``texts[i]`` of an Arrow string array as a Python string."""

    def __init__(self, arr):
        self.arr = arr

    def __getitem__(self, i: int) -> str:
        return self.arr[i].as_py()


# the per-type flags of FastVader.score_many, one bit each
_FLAGS = {
    name: 1 << k
    for k, name in enumerate(
        "hit inlex booster negated never sothis without doubt least atvery no ornor but upper "
        "isfirst issecond".split()
    )
}


def _word_bits(lexicon: dict, valenced: frozenset) -> dict[str, int]:
    """The flags of every word that has any (``_FLAGS``; "n't" and capitals are added per
    token)."""
    bits: dict[str, int] = {}

    def add(words, flag):
        for w in words:
            bits[w] = bits.get(w, 0) | _FLAGS[flag]

    add(valenced, "hit")
    add(lexicon, "inlex")
    add(_BOOSTER, "booster")
    add(_NEGATE, "negated")
    for flag, words in [
        ("never", ["never"]),
        ("sothis", _SO_THIS),
        ("without", ["without"]),
        ("doubt", ["doubt"]),
        ("least", ["least"]),
        ("atvery", _AT_VERY),
        ("no", ["no"]),
        ("ornor", _OR_NOR),
        ("but", ["but"]),
        ("isfirst", _IDIOM_CODES[0]),
        ("issecond", _IDIOM_CODES[1]),
    ]:
        add(words, flag)
    return bits


class _TokenAttributes:
    """The per-type attributes of every token of a batch (``tid``: each token's type row),
    gathered when first asked for: a flag of ``_FLAGS`` as a bool array, or ``val``,
    ``boost``, ``first``, ``second``."""

    def __init__(self, attr: dict[str, np.ndarray], tid: np.ndarray):
        self.attr, self.tid = attr, tid
        self.bits = attr["bits"][tid]
        self.done: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        got = self.done.get(name)
        if got is None:
            if name in _FLAGS:
                got = (self.bits & _FLAGS[name]) != 0
            else:
                got = self.attr[name][self.tid]
            self.done[name] = got
        return got


def _batch_valences(hp, hs, pos, n, cap_diff, a) -> np.ndarray:
    """The valence of each lexicon word at flat token positions ``hp`` (sentence ``hs`` of
    ``n[hs]`` words, word ``pos``) after FastVader.score's rules: "no", capitals, then for the
    words one, two and three back (within the sentence, not in the lexicon) booster/dampener
    and negation, then "least". No idiom is near these words (those sentences are left to
    FastVader.score), so "kind of" cannot occur either."""
    i = pos[hp]
    lexval = a.attr["val"][a.tid[hp]]
    # the flags of the word d back (d = -1: the next word), 0 where there is none
    near = {
        d: np.where(
            (i >= d) if d >= 0 else (i < n[hs] - 1), a.bits[np.clip(hp - d, 0, len(pos) - 1)], 0
        )
        for d in (-1, 0, 1, 2, 3)
    }

    def back(name, d):  # flag ``name`` of the word d back (False where there is none)
        return (near[d] & _FLAGS[name]) != 0

    valence = np.where(back("no", 0) & back("inlex", -1), 0.0, lexval)
    prev_no = back("no", 1) | back("no", 2) | (back("no", 3) & back("ornor", 1))
    valence = np.where(prev_no, lexval * _N_SCALAR, valence)
    cap = cap_diff[hs]
    valence = np.where(
        cap & back("upper", 0), np.where(valence > 0, valence + _C_INCR, valence - _C_INCR), valence
    )

    for start_i in range(3):
        d = start_i + 1
        applies = (i >= d) & ~back("inlex", d)
        booster = back("booster", d)
        scalar = a.attr["boost"][a.tid[np.maximum(hp - d, 0)]]
        scalar = np.where(valence < 0, scalar * -1, scalar)
        capped = booster & cap & back("upper", d)
        scalar = np.where(capped, np.where(valence > 0, scalar + _C_INCR, scalar - _C_INCR), scalar)
        scalar = np.where(booster, scalar, 0.0)
        if start_i == 1:
            scalar = np.where(scalar != 0, scalar * 0.95, scalar)
        elif start_i == 2:
            scalar = np.where(scalar != 0, scalar * 0.9, scalar)
        new = valence + scalar
        if start_i == 0:
            new = np.where(back("negated", 1), new * _N_SCALAR, new)
        elif start_i == 1:
            grow = back("never", 2) & back("sothis", 1)
            keep = back("without", 2) & back("doubt", 1)
            negate = ~grow & ~keep & back("negated", 2)
            new = np.where(grow, new * 1.25, np.where(negate, new * _N_SCALAR, new))
        else:
            grow = (back("never", 3) & back("sothis", 2)) | back("sothis", 1)
            keep = back("without", 3) & (back("doubt", 2) | back("doubt", 1))
            negate = ~grow & ~keep & back("negated", 3)
            new = np.where(grow, new * 1.25, np.where(negate, new * _N_SCALAR, new))
        valence = np.where(applies, new, valence)
    least = (i >= 1) & back("least", 1) & ~back("inlex", 1)
    least &= (i == 1) | ~back("atvery", 2)
    return np.where(least, valence * _N_SCALAR, valence)


def _but_rule(v, hp, hs, rank, sent, pos, a, ns):
    """``_but_check`` on arrays: in a sentence with "but", a lexicon word's valence is halved
    before the first "but" and multiplied by 1.5 after it. That is what the rule does unless
    it matches a valence to an earlier word's already rescaled one (it finds words by value):
    ``odd`` marks those sentences (a word's valence equals an earlier word's rescaled one),
    which must be scored by ``FastVader.score``."""
    odd = np.zeros(ns, dtype=bool)
    but = np.flatnonzero(a["but"])
    if len(but) == 0:
        return v, odd
    first_but = np.full(ns, -1)
    sentences, first = np.unique(sent[but], return_index=True)
    first_but[sentences] = pos[but[first]]
    hb = first_but[hs]
    with_but = hb >= 0
    i = pos[hp]
    scaled = np.where(i < hb, v * 0.5, np.where(i > hb, v * 1.5, v))
    scaled = np.where(with_but, scaled, v)
    if with_but.any():
        sid, r = hs[with_but], rank[with_but]
        uniq, inv = np.unique(sid, return_inverse=True)
        width = int(r.max()) + 1
        before = np.full((len(uniq), width), np.nan)
        after = np.full((len(uniq), width), np.nan)
        before[inv, r] = v[with_but]
        after[inv, r] = scaled[with_but]
        clash = np.zeros(len(uniq), dtype=bool)
        for k in range(1, width):
            clash |= (after[:, :k] == before[:, k : k + 1]).any(axis=1)
        odd[uniq[clash]] = True
    return scaled, odd


def _batch_scores(sub, ok, n, sent, pos, a) -> tuple[np.ndarray, np.ndarray]:
    """The four scores of the sentences ``ok`` of ``sub`` as ``_score_valence`` computes them
    (each sentence's valences summed in word order, one step per k-th lexicon word), and which
    of them the "but" rule leaves to ``FastVader.score`` (see ``_but_rule``)."""
    import pyarrow.compute as pc

    ns = len(n)
    upper = a["upper"]
    n_upper = np.bincount(sent[upper], minlength=ns)
    cap_diff = (n_upper > 0) & (n_upper < n)
    hp = np.flatnonzero(a["hit"])
    hp = hp[ok[sent[hp]]]
    hs = sent[hp]
    v = _batch_valences(hp, hs, pos, n, cap_diff, a)
    starts = run_starts(hs)
    rank = np.arange(len(hs)) - np.repeat(starts, np.diff(np.r_[starts, len(hs)]))
    v, odd = _but_rule(v, hp, hs, rank, sent, pos, a, ns)
    order = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[order], np.arange(rank.max() + 2))
    sum_s = np.zeros(ns)
    pos_sum = np.zeros(ns)
    neg_sum = np.zeros(ns)
    scored = np.zeros(ns, dtype=np.int64)
    for k in range(len(bounds) - 1):
        idx = order[bounds[k] : bounds[k + 1]]  # the k-th lexicon word of each sentence
        s, x = hs[idx], v[idx]
        sum_s[s] += x
        p, q = x > 0, x < 0
        pos_sum[s[p]] += x[p] + 1
        neg_sum[s[q]] += x[q] - 1
        scored[s] += p | q
    ex = pc.count_substring(sub, "!").to_numpy(zero_copy_only=False)
    qm = pc.count_substring(sub, "?").to_numpy(zero_copy_only=False)
    amp = np.minimum(ex, 4) * 0.292 + np.where(qm > 1, np.where(qm <= 3, qm * 0.18, 0.96), 0)
    sum_s = np.where(sum_s > 0, sum_s + amp, np.where(sum_s < 0, sum_s - amp, sum_s))
    compound = np.clip(sum_s / np.sqrt(sum_s * sum_s + 15), -1.0, 1.0)
    abs_neg = np.fabs(neg_sum)
    pos_amp = np.where(pos_sum > abs_neg, pos_sum + amp, pos_sum)
    neg_sum = np.where(pos_sum < abs_neg, neg_sum - amp, neg_sum)
    neu_count = n - scored
    total = pos_amp + np.fabs(neg_sum) + neu_count
    with np.errstate(divide="ignore", invalid="ignore"):  # sentences not taken: 0 / 0
        cols = [np.fabs(neg_sum / total), np.fabs(neu_count / total), np.fabs(pos_amp / total)]
    res = np.empty((int(ok.sum()), 4))
    for j, col in enumerate(cols):
        res[:, j] = list(map(round, col[ok].tolist(), repeat(3)))
    res[:, 3] = list(map(round, compound[ok].tolist(), repeat(4)))
    return res, odd[ok]


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
    * ``score_many`` takes a whole batch: tokens split and looked up per token type with Arrow
      and NumPy, the rules applied to arrays of all lexicon words at once (see there).
    """

    def __init__(self) -> None:
        self.lexicon = _lexicon()
        self.emojis = _emojis()
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        self._lower: dict[str, str] = {}
        # a lexicon word that is no booster: the only words that can carry a valence
        self._valenced = frozenset(w for w in self.lexicon if w not in _BOOSTER)
        self._context = set(_CONTEXT)
        # score_many's per-token-type attributes (rows numbered by _ids)
        self._ids: dict[str, int] = {}
        self._attr: dict[str, np.ndarray] | None = None
        self._odd: str | None = None
        self._valences = {w: self.lexicon[w] for w in self._valenced}
        self._word_bits = _word_bits(self.lexicon, self._valenced)

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

    # ------------------------------------------------------------------ many texts at once

    def _type_ids(self, types: list[str]) -> np.ndarray:
        """The row of each token type in the per-type attribute arrays (``_attr``), new types
        added as they are seen; past TOKEN_CACHE_SIZE types the table starts afresh."""
        ids = self._ids
        new = [t for t in types if t not in ids]
        if new:
            if len(ids) + len(new) > TOKEN_CACHE_SIZE:
                ids.clear()
                self._attr = None
                new = list(dict.fromkeys(types))
            start = len(ids)
            for k, t in enumerate(new):
                ids[t] = start + k
            rows = self._type_attributes(new)
            self._attr = (
                rows
                if self._attr is None
                else {c: np.concatenate([self._attr[c], rows[c]]) for c in rows}
            )
        return np.fromiter(map(ids.__getitem__, types), dtype=np.int64, count=len(types))

    def _type_attributes(self, tokens: list[str]) -> dict[str, np.ndarray]:
        """What the rules need to know of each token and its stripped, lower-cased word ``w``:
        ``bits``, one bit per flag of ``_FLAGS`` (``hit``: w carries a valence; ``inlex``: w is
        in the lexicon; ``booster``; ``negated``; the words of the "never so/this", "without
        doubt", "least", "no" and "but" rules; ``upper``: the token is upper case), ``val``
        (w's valence), ``boost`` (w's booster value), ``first``/``second`` (w's number among the
        first/second words of the multiword keys, -1: none)."""
        count = len(tokens)
        lw = [_strip_punc_if_word(t).lower() for t in tokens]
        first, second = _IDIOM_CODES

        def values(table, default, dtype) -> np.ndarray:
            return np.fromiter(map(table.get, lw, repeat(default)), dtype=dtype, count=count)

        bits = values(self._word_bits, 0, np.int64)
        bits |= (
            np.fromiter(map(operator.contains, lw, repeat("n't")), bool, count)
            * (_FLAGS["negated"])
        )
        bits |= np.fromiter(map(str.isupper, tokens), bool, count) * _FLAGS["upper"]
        return {
            "bits": bits,
            "val": values(self._valences, 0.0, float),
            "boost": values(_BOOSTER, 0.0, float),
            "first": values(first, -1, np.int64),
            "second": values(second, -1, np.int64),
        }

    def _odd_pattern(self) -> str:
        """A regular expression (RE2) for the characters that send a sentence to :meth:`score`:
        whitespace that Arrow's ASCII split does not split on, and emoji (replaced by their
        description before scoring)."""
        if self._odd is None:
            chars = sorted(set(_ODD_SPACE) | self._emoji_chars)
            self._odd = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"
        return self._odd

    def score_many(self, texts) -> np.ndarray:
        """``[score(t) for t in texts]`` as an (n, 4) array of neg, neu, pos, compound: the same
        values, bit for bit, with VADER's rules applied to whole batches of sentences.
        ``texts``: a list of strings or an Arrow string array.

        Sentences without emoji and without white space other than ASCII's (nor the
        separators 0x1C-0x1F) are tokenised at once (Arrow's ASCII whitespace split, which then
        splits where ``str.split`` does), each token type is looked up once, and the rules run
        on arrays of all lexicon words of the batch: "no", capitals, boosters and dampeners one
        to three words back, negations (also "never so", "without doubt"), "least", "but", then
        the sums, punctuation emphasis, normalisation and shares, every value computed with the
        same floating-point operations in the same order as :meth:`score`. Left to
        :meth:`score`, one sentence at a time: sentences with emoji or other white space, with
        a multiword key (idioms, "kind of") around a lexicon word, and those where the "but"
        rule, which finds words by their value, would meet a valence equal to an earlier
        word's rescaled one. Rounding stays Python's ``round``.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        m = len(texts)
        out = np.zeros((m, 4))
        if m == 0:
            return out
        if isinstance(texts, pa.Array):  # Arrow strings: Python strings only where needed
            arr = texts.cast(pa.large_string())
            texts = _PyStrings(arr)
        else:
            try:
                arr = pa.array(texts, type=pa.large_string())
            except (pa.ArrowException, UnicodeError):  # e.g. lone surrogates: one at a time
                return np.array([self.score(t) for t in texts], dtype=float).reshape(-1, 4)
        plain = pc.invert(pc.match_substring_regex(arr, self._odd_pattern()))
        plain = plain.to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(plain)  # sentences taken here; the others by score()
        slow = np.flatnonzero(~plain).tolist()
        if len(rows):
            sub = arr.take(pa.array(rows)) if len(rows) < m else arr
            lists = pc.ascii_split_whitespace(sub)
            offsets = lists.offsets.to_numpy()
            flat = lists.flatten()
            # Arrow keeps an empty token for leading and trailing whitespace; str.split not
            empty = pc.equal(pc.binary_length(flat), 0).to_numpy(zero_copy_only=False)
            if empty.any():
                of = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
                counts = np.bincount(of[~empty], minlength=len(offsets) - 1)
                offsets = np.r_[0, np.cumsum(counts)]
                flat = flat.filter(pa.array(~empty))
            else:
                offsets = offsets - offsets[0]
            if len(flat) == 0:  # no tokens at all: every such sentence scores 0
                rows = rows[:0]
        if len(rows):
            enc = pc.dictionary_encode(flat)
            codes = enc.indices.to_numpy(zero_copy_only=False)
            tid = self._type_ids(enc.dictionary.to_pylist())[codes]
            a = _TokenAttributes(self._attr, tid)
            n = np.diff(offsets)
            ns = len(n)
            sent = np.repeat(np.arange(ns), n)
            pos = np.arange(len(tid)) - offsets[:-1][sent]
            hit = a["hit"]
            has_hit = np.zeros(ns, dtype=bool)
            has_hit[sent[hit]] = True
            # a multiword key starting one to three words before a lexicon word or at it
            # (within the sentence): the idiom rule may apply (_near_idiom)
            pair = np.zeros(len(tid), dtype=bool)
            if len(tid) > 1:
                cand = a["isfirst"][:-1] & a["issecond"][1:] & (sent[:-1] == sent[1:])
                cand = np.flatnonzero(cand)
                code = self._attr["first"][tid[cand]] * _IDIOM_SECOND_N
                code += self._attr["second"][tid[cand + 1]]
                pair[cand] = np.isin(code, _IDIOM_PAIR_CODES)
            near = pair.copy()
            for d in (1, 2, 3):
                if len(tid) > d:
                    near[d:] |= pair[:-d] & (pos[d:] >= d)
            fallback = np.zeros(ns, dtype=bool)
            fallback[sent[hit & near]] = True
            fallback &= has_hit
            slow += rows[fallback].tolist()
            # no lexicon word: neutral, or all zeros without tokens
            out[rows[~has_hit & (n > 0)], 1] = 1.0
            ok = has_hit & ~fallback
            if ok.any():
                out[rows[ok]], odd = _batch_scores(sub, ok, n, sent, pos, a)
                slow += rows[ok][odd].tolist()
        for i in slow:
            out[i] = self.score(texts[i])
        return out

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
