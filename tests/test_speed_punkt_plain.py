"""The sentence splitter's plain-boundary shortcut (``SentenceSplitter._plain_break``) decides
exactly as NLTK's Punkt: on every candidate it takes, Punkt breaks; spans stay NLTK's own,
also with learned collocations and abbreviations whose first word is a plain word."""

from __future__ import annotations

import random

from newslens.tokenize import SentenceSplitter, train_punkt
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from reference_tokenize import sentence_splitter

WORDS = (
    "the minister said talks in Yerevan and Baku would resume after a pause of weeks "
    "Armenia Azerbaijan peace border troops vote gen st inc co no jan Mr Dr U.S e.g "
    "café Ünïcödé O'Neill co-op 2022 3.5 J A x"
).split()
NEXT = WORDS + ['"The', "(He", "...", "1999", "'s", "Éric", "_a", "--", "?", "!"]
ENDINGS = [".", ".", ".", ". ", ".  ", ".\t", ".\n", ".\xa0", "?", "!", '."', ".)", "..."]


def paragraph(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 8)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.5:
            words[0] = words[0].capitalize()
        parts.append(" ".join(words) + rng.choice(ENDINGS) + rng.choice([" ", "  ", " \t", ""]))
    parts.append(rng.choice(NEXT))
    return "".join(parts)


def params_with(abbrevs=(), collocations=(), starters=()) -> PunktParameters:
    params = PunktParameters()
    params.abbrev_types = set(abbrevs)
    params.collocations = set(collocations)
    params.sent_starters = set(starters)
    return params


class Recorder(SentenceSplitter):
    """Records every (context, shortcut taken) the splitter decides."""

    def __init__(self, punkt):
        super().__init__(punkt)
        self.seen: list[tuple[str, bool]] = []

    def _context_breaks(self, text, start, stop, match):
        plain = self._plain_break(text[start:stop], match)
        self.seen.append((text[start:stop] + match.group() + match.group("after_tok"), plain))
        return super()._context_breaks(text, start, stop, match)


def test_every_shortcut_decision_is_punkts():
    rng = random.Random(7)
    paragraphs = [paragraph(rng) for _ in range(3000)]
    trained = train_punkt("\n\n".join(paragraphs), ["mr", "dr", "gen"])
    for params in (
        trained,
        params_with(abbrevs={"gen", "inc", "st"}, collocations={("minister", "armenia")}),
        params_with(collocations={("talks", "yerevan"), ("weeks", "the")}, starters={"the"}),
    ):
        nltk = PunktSentenceTokenizer(params)
        splitter = Recorder(params)
        for p in paragraphs:
            assert splitter.span_tokenize(p) == list(nltk.span_tokenize(p)), repr(p)
        taken = [context for context, plain in splitter.seen if plain]
        assert len(taken) > 1000  # the shortcut decides many boundaries
        assert all(nltk.text_contains_sentbreak(c) for c in taken)
        # never for abbreviations or collocations
        pairs = [(c.split(".")[0].lower(), c.split()[-1].lower()) for c in taken]
        assert not any(a in params.abbrev_types or (a, b) in params.collocations for a, b in pairs)
        firsts = {a for a, _ in params.collocations}
        assert not firsts or any(a in firsts for a, _ in pairs)


def test_collocation_and_abbreviation_words_are_left_to_punkt():
    params = params_with(abbrevs={"gen"}, collocations={("talks", "yerevan")})
    nltk = sentence_splitter(params)
    splitter = Recorder(params)
    text = (
        "The talks. Yerevan said so. Gen. Smith came. The talks. Baku agreed. Fine talks. "
        "Yerevan, no. Go talks. Yerevan."
    )
    assert splitter.span_tokenize(text) == list(nltk.span_tokenize(text))
    plain = {context: taken for context, taken in splitter.seen}
    assert plain == {
        "talks. Yerevan": False,  # a collocation: no break
        "so. Gen.": True,
        "Gen. Smith": False,  # an abbreviation
        "came. The": True,
        "talks. Baku": True,  # the first word of a collocation, but another next word
        "agreed. Fine": True,
        "talks. Yerevan,": False,  # the next word is not all letters: Punkt decides
        "no. Go": True,
        "talks. Yerevan.": False,
    }
    assert [text[a:b] for a, b in splitter.span_tokenize(text)] == [
        "The talks. Yerevan said so.",
        "Gen. Smith came.",
        "The talks.",
        "Baku agreed.",
        "Fine talks. Yerevan, no.",  # Punkt: "Yerevan," is the collocation's word too
        "Go talks. Yerevan.",
    ]


def test_shortcut_only_for_ascii_words_periods_and_spaces():
    splitter = Recorder(params_with())
    splitter.span_tokenize(
        "Café. The end! Next one.\tTab x. Y. Done. \xa0Nbsp. Quote. ok go. (Then"
    )
    assert splitter.seen == [
        ("Café. The", False),  # not ASCII
        ("end! Next", False),  # not a period
        ("one.\tTab", False),  # a tab, not a space
        ("x. Y.", False),  # one letter: maybe an initial
        ("Y. Done.", False),
        ("Done. \xa0Nbsp.", False),  # a no-break space
        ("\xa0Nbsp. Quote.", False),  # the word starts with a no-break space
        ("Quote. ok", True),
        ("go. (Then", True),  # '(' is a token of its own
    ]


def test_shortcut_with_punctuation_after_the_period():
    params = params_with(collocations={("talks", '"'), ("vote", ")")})
    nltk = sentence_splitter(params)
    splitter = Recorder(params)
    text = 'He said." The talks. "Yes." A vote.) It is. -no The talks." So. \'Quoted. Done'
    assert splitter.span_tokenize(text) == list(nltk.span_tokenize(text))
    assert splitter.seen == [
        ('said."', True),  # one punctuation mark: Punkt's next token
        ('talks. "Yes."', False),  # (talks, ") is a collocation
        ('"Yes."', False),  # the word starts with a quote
        ("vote.)", False),  # (vote, )) is a collocation
        ("is. -no", False),  # '-' may begin multi-character punctuation
        ('talks."', False),
        ("So. 'Quoted.", False),  # "'" starts a word in Punkt's tokenizer
        ("'Quoted. Done", False),
    ]
