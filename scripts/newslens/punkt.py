"""NLTK Punkt sentence boundaries: training on a corpus sample, the learned parameters as JSON,
and ``SentenceSplitter``, which gives exactly ``PunktSentenceTokenizer``'s spans while deciding
plain boundaries without NLTK (tests compare every decision and span with NLTK)."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable

import numpy as np

from newslens.arrays import run_starts
from newslens.nltk_punkt import (  # NLTK's Punkt without NLTK's package import
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktTrainer,
)
from newslens.runtime import iter_parquet_arrow


def train_punkt(text: str, abbreviations: Iterable[str]) -> PunktParameters:
    """Punkt parameters learned unsupervised from ``text``, plus the given abbreviations."""
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    if text:
        trainer.train(text, finalize=True)
    params = trainer.get_params()
    for abbrev in abbreviations:
        params.abbrev_types.add(abbrev.lower().rstrip("."))
    return params


def punkt_training_text(clean_paths, dropped_ids: set, budget: int) -> str:
    """Up to ``budget`` characters of article text taken evenly across the corpus: every
    step-th article by corpus position (``doc_index``), joined in corpus order, so the sample
    and hence the sentence boundaries do not depend on how the corpus was sharded.

    Both passes stay in Arrow: the lengths (code points, as ``len``) are summed by
    ``utf8_length`` and only the picked articles' texts become Python strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dropped = pa.array(sorted(map(str, dropped_ids)), type=pa.large_string())

    def kept(batch):
        return pc.invert(pc.is_in(batch.column("doc_id").cast(pa.large_string()), dropped))

    total = 0
    for path in clean_paths:
        for batch in iter_parquet_arrow(path, 5000, ["doc_id", "text"]):
            lengths = pc.utf8_length(batch.column("text").filter(kept(batch)))
            total += int(pc.sum(lengths).as_py() or 0)
    if budget <= 0 or total == 0:
        return ""
    step = max(1, round(total / budget))
    picked = []
    for path in clean_paths:
        for batch in iter_parquet_arrow(path, 5000, ["doc_index", "doc_id", "text"]):
            index = batch.column("doc_index")
            on_step = pc.equal(pc.subtract(index, pc.multiply(pc.divide(index, step), step)), 0)
            batch = batch.filter(pc.and_(on_step, kept(batch)))
            picked.extend(
                zip(
                    batch.column("doc_index").to_pylist(),
                    batch.column("text").to_pylist(),
                    strict=True,
                )
            )
    parts, used = [], 0
    for _, text in sorted(picked):
        if used >= budget:
            break
        parts.append(text)
        used += len(text)
    return "\n\n".join(parts)


def punkt_to_json(params: PunktParameters) -> str:
    """Punkt parameters as stable JSON (sorted), so the file is reproducible and diffable."""
    return json.dumps(
        {
            "abbrev_types": sorted(params.abbrev_types),
            "collocations": sorted([list(pair) for pair in params.collocations]),
            "sent_starters": sorted(params.sent_starters),
            "ortho_context": dict(sorted(params.ortho_context.items())),
        },
        indent=1,
        ensure_ascii=False,
    )


def punkt_from_json(text: str) -> PunktParameters:
    data = json.loads(text)
    params = PunktParameters()
    params.abbrev_types = set(data["abbrev_types"])
    params.collocations = {tuple(pair) for pair in data["collocations"]}
    params.sent_starters = set(data["sent_starters"])
    for key, value in data["ortho_context"].items():
        params.ortho_context[key] = value
    return params


# ---------------------------------------------------------------- sentences (fast Punkt)

# Whitespace as NLTK's `regex` engine sees it (Unicode White_Space). Python's `re` also counts
# \x1c-\x1f as space, so Punkt's candidate pattern spells the class out (tests compare both).
PUNKT_SPACE = r"[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
PUNKT_NON_SPACE = "[^" + PUNKT_SPACE[1:]
# The first character of any match of Punkt's boundary realignment pattern (a closing quote or
# bracket); a sentence that starts with none of them is never realigned.
REALIGN_FIRST = frozenset("\"')]}\u2018\u2019\u201c\u201d\xab\xbb")
ASCII_SPACE = tuple(string.whitespace)
# First characters of a next word that Punkt's word tokenizer always makes a token of their own
# (not word-start characters, and no multi-character punctuation begins with them).
_OPENING_TOKENS = frozenset('"(')


class SentenceSplitter:
    """Sentence spans of a paragraph, identical to NLTK's ``PunktSentenceTokenizer.span_tokenize``
    with the same parameters, several times faster.

    It follows NLTK's own steps (candidate boundaries from Punkt's period-context pattern, the
    word before each, the sentence-break decision on that context, realignment of closing
    quotes) with three shortcuts that do not change the result: a paragraph whose only '.', '?'
    or '!' is its last character has no candidate and is not searched; the candidate pattern
    runs on ``re`` instead of NLTK's time-guarded ``regex`` wrapper; and the decision, a pure
    function of the context string, is cached per distinct context.
    """

    def __init__(self, punkt: PunktSentenceTokenizer | PunktParameters, cache_size=500_000):
        if isinstance(punkt, PunktParameters):
            punkt = PunktSentenceTokenizer(punkt)
        self.punkt = punkt
        lang = punkt._lang_vars
        pattern = lang._period_context_fmt % {
            "NonWord": lang._re_non_word_chars,
            "SentEndChars": lang._re_sent_end_chars,
        }
        pattern = pattern.replace(r"\s", PUNKT_SPACE).replace(r"\S", PUNKT_NON_SPACE)
        self._finditer = re.compile(pattern, re.VERBOSE).finditer
        realign = lang.re_boundary_realignment
        self._realign = getattr(realign, "_rx", realign).match  # the pattern under NLTK's guard
        self._end_chars = tuple(lang.sent_end_chars)
        self._decisions: dict[str, bool] = {}
        self._cache_size = cache_size
        # Words whose period-final form Punkt may read as no break: abbreviations, and first
        # words of learned collocations (then only the collocation's pair is). Any other plain
        # word is decided by ``_plain_break``.
        params = punkt._params
        self._abbrevs = frozenset(params.abbrev_types)
        self._collocations = frozenset(params.collocations)
        self._colloc_first = frozenset(a for a, _ in params.collocations)
        self._plain = type(punkt) is PunktSentenceTokenizer and type(lang) is PunktLanguageVars

    def _breaks(self, context: str) -> bool:
        decision = self._decisions.get(context)
        if decision is None:
            if len(self._decisions) >= self._cache_size:
                self._decisions.clear()
            decision = self.punkt.text_contains_sentbreak(context)
            self._decisions[context] = decision
        return decision

    def _plain_break(self, word: str, match) -> bool:
        """Whether Punkt certainly breaks after ``word`` + ``match`` without asking it: the
        word is two or more ASCII letters and not an abbreviation, a period follows, then
        either one punctuation mark (as in 'said."') or spaces and a next word that starts with
        an ASCII letter, '"' or '(' , and the word and Punkt's next token are not a learned
        collocation (a first word of one needs a known next token to tell). Punkt's first pass
        then marks the word a sentence break (not an initial, number, ellipsis or
        abbreviation) and its second pass keeps it (no collocation; only abbreviations,
        ellipses, initials and numbers are reconsidered), so ``text_contains_sentbreak`` of
        the context is True. Most boundaries of real text are such plain ones and each
        context is new, so the cache does not help them."""
        if not self._plain or match.group() != "." or len(word) < 2:
            return False
        if not (word.isascii() and word.isalpha()):
            return False
        low = word.lower()
        if low in self._abbrevs:
            return False
        nxt, after = match.group("next_tok"), match.group("after_tok")
        if nxt is None:  # one punctuation mark after the period: Punkt's next token
            second = after
        else:
            gap = len(after) - len(nxt)
            if after.count(" ", 0, gap) != gap:
                return False
            first = nxt[0]
            if first in _OPENING_TOKENS:  # a token of its own in Punkt's word tokenizer
                second = first
            elif first.isascii() and first.isalpha():
                second = nxt.lower() if nxt.isascii() and nxt.isalpha() else None
            else:
                return False
        return low not in self._colloc_first or (
            second is not None and (low, second) not in self._collocations
        )

    def _context_breaks(self, text: str, start: int, stop: int, match) -> bool:
        """Punkt's decision on the candidate ``match`` after the word text[start:stop]."""
        if self._plain_break(text[start:stop], match):
            return True
        return self._breaks(text[start:stop] + match.group() + match.group("after_tok"))

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each sentence of ``text``, as NLTK's ``span_tokenize`` gives them."""
        last = len(text) - 1
        end = len(text.rstrip())
        if all(text.find(c, 0, last) < 0 for c in self._end_chars):
            return [(0, end)] if end > 0 else []
        return self._spans(text, 0, len(text), end, list(self._finditer(text)))

    def batch_spans(
        self, text: str, para_start: np.ndarray, para_end: np.ndarray, content_end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sentences of many paragraphs of one text: (start, end, paragraph index) arrays, in
        text order; a paragraph without any sentence is one sentence as a whole (as the
        pipeline always had it). ``content_end`` is where each paragraph's text ends without
        trailing whitespace.

        The candidate pattern runs once over the whole text; a match counts for a paragraph
        when its lookahead (the next token) ends inside it, which is exactly when the pattern
        would match in the paragraph alone. Paragraphs without a candidate are one sentence
        and need no Python work."""
        matches = list(self._finditer(text))
        at = np.fromiter((m.start() for m in matches), dtype=np.int64, count=len(matches))
        ahead = np.fromiter((m.end(1) for m in matches), dtype=np.int64, count=len(matches))
        para = np.searchsorted(para_start, at, side="right") - 1
        valid = np.flatnonzero(ahead <= para_end[para]) if len(matches) else at
        starts, ends, paras = [], [], []
        whole = np.ones(len(para_start), dtype=bool)
        if len(valid):
            valid_para = para[valid]
            group_head = run_starts(valid_para)
            group_end = np.r_[group_head[1:], len(valid)]
            whole[valid_para[group_head]] = False
            for p, g0, g1 in zip(
                valid_para[group_head].tolist(),
                group_head.tolist(),
                group_end.tolist(),
                strict=True,
            ):
                a, b = int(para_start[p]), int(para_end[p])
                spans = self._spans(
                    text, a, b, int(content_end[p]), [matches[i] for i in valid[g0:g1].tolist()]
                ) or [(a, b)]
                starts += [s for s, _ in spans]
                ends += [e for _, e in spans]
                paras += [p] * len(spans)
        # paragraphs without a candidate: one sentence up to the trailing whitespace
        one = np.flatnonzero(whole)
        one_end = np.where(content_end[one] > para_start[one], content_end[one], para_end[one])
        start = np.concatenate([np.asarray(starts, dtype=np.int64), para_start[one]])
        end = np.concatenate([np.asarray(ends, dtype=np.int64), one_end])
        para = np.concatenate([np.asarray(paras, dtype=np.int64), one])
        order = np.argsort(start, kind="stable")
        return start[order], end[order], para[order]

    def _spans(self, text: str, a: int, b: int, content_end: int, matches) -> list:
        """Sentences of the paragraph text[a:b] from its candidate matches (NLTK's
        _match_potential_end_contexts, _slices_from_text and _realign_boundaries, fused)."""
        bounds = []
        last_break = prev_start = prev_stop = a
        prev = None
        rfind = text.rfind
        for match in matches:
            at = match.start()
            # the word before the candidate: after the last ASCII space since the previous one
            space = max([rfind(c, prev_stop, at) for c in ASCII_SPACE])
            word_start = space + 1 if space > prev_stop else prev_start
            if prev is not None and prev_stop <= word_start:
                if self._context_breaks(text, prev_start, prev_stop, prev):
                    bounds.append((last_break, prev.end()))
                    last_break = prev.start("next_tok") if prev.group("next_tok") else prev.end()
            prev, prev_start, prev_stop = match, word_start, at
        if prev is not None:
            if self._context_breaks(text, prev_start, prev_stop, prev):
                bounds.append((last_break, prev.end()))
                last_break = prev.start("next_tok") if prev.group("next_tok") else prev.end()
        bounds.append((last_break, content_end))
        spans, shift = [], 0
        for i in range(len(bounds) - 1):
            start, end = bounds[i]
            start += shift
            nxt, nxt_end = bounds[i + 1]
            found = None
            if nxt < b and text[nxt] in REALIGN_FIRST:
                found = self._realign(text[nxt:nxt_end])
            if found:
                spans.append((start, nxt + len(found.group(0).rstrip())))
                shift = found.end()
            else:
                shift = 0
                if start < min(end, b):
                    spans.append((start, end))
        start, end = bounds[-1]
        start += shift
        if start < min(end, b):
            spans.append((start, end))
        return spans


def text_splitter(texts: Iterable[str], abbreviations: Iterable[str] = ()) -> SentenceSplitter:
    """The sentence splitter for texts outside the corpus (labeled, gold and coded rows): Punkt
    trained unsupervised on those texts themselves (their first 5M characters) plus the
    configured abbreviations, as the tokenize stage trains it on the corpus."""
    sample = "\n\n".join(map(str, texts))[:5_000_000]
    return SentenceSplitter(train_punkt(sample, [str(a) for a in abbreviations]))
