"""sent3: the actor matcher's fast form. When every alias group opens with one exact character
(aliases written with a capital or in capitals, as the default config's), the alternation
comes first so that Python's regex engine scans for the first characters, and the word
boundary before a match is checked after its first character. It finds exactly the matches
of the plain form (boundary first, then the alternation) on tricky and random text, whole or
in ranges."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from newslens.actors import compile_actors, find_actor_mentions

REPO = Path(__file__).resolve().parents[1]
DEFAULT = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["actors"]
CONFIGS = [
    DEFAULT,
    {"US": ["U.S.", "United States", "USA"], "EU": ["EU", "E.U.", "European Union"]},
    {"a": ["Élysée", "Ünal", "Łukasz Nowak", "Ørsted"], "b": ["İzmir", "Öcalan"]},
    {"x": ["#MeToo", "5G"], "y": ["X-Men"]},  # first characters that are no capitals
]


def plain(matcher) -> re.Pattern:
    """The matcher's pattern in its plain form: the boundary, then the alternation."""
    pattern = matcher.regex.pattern
    if pattern.startswith("(?="):
        return matcher.regex
    return re.compile(r"(?<!\w)" + pattern.replace(r"(?<!\w.)", ""))


def matches(regex, text, *span):
    return [(m.start(), m.end(), m.lastindex) for m in regex.finditer(text, *span)]


def random_texts(matcher, seed: int, n: int = 300) -> list[str]:
    rng = np.random.default_rng(seed)
    aliases = list(dict.fromkeys(matcher.aliases))
    glue = [" ", "", "-", "'", "’s ", "\n", "\x00", "_", "é", "1", ". ", "x", "\t", "  "]
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(int(rng.integers(1, 12))):
            alias = aliases[int(rng.integers(len(aliases)))]
            case = rng.integers(4)
            alias = [alias, alias.upper(), alias.lower(), alias.swapcase()][case]
            parts += [glue[int(rng.integers(len(glue)))], alias]
        texts.append("".join(parts) + glue[int(rng.integers(len(glue)))])
    return texts


def test_the_default_config_takes_the_fast_form():
    m = compile_actors(DEFAULT)
    assert m.regex.pattern.startswith("(?:A(?<!\\w.)")
    assert not compile_actors({"k": ["kremlin", "Kiev"]}).regex.pattern.startswith("(?:")


@pytest.mark.parametrize("k", range(len(CONFIGS)))
def test_fast_form_finds_the_plain_forms_matches(k):
    m = compile_actors(CONFIGS[k])
    ref = plain(m)
    tricky = [
        "Armenia, Armenians' and Azerbaijan's anti-NATO pro-Russian talks in Baku.",
        "ArmeniaArmenia xArmenia _Armenia 1Armenia éArmenia Armenia_ Armenia1",
        "ARMENIA armenia Armenia\nArmenia\x00Armenia-Armenia",
        "Collective  Security\nTreaty Organization, Vladimir   Putin; Nikol Pashinyan.",
        "U.S.A. U.S. USA EU E.U. European Union Eu eu",
        "Élysée élysée Ünal İzmir Öcalan Łukasz  Nowak Ørsted",
        "#MeToo a#MeToo 5G 55G X-Men X-Menx",
        "",
        "A",
    ]
    texts = tricky + random_texts(m, seed=k)
    for text in texts:
        assert matches(m.regex, text) == matches(ref, text), text
        for lo, hi in ((1, len(text)), (2, len(text) - 1), (5, 9)):
            assert matches(m.regex, text, lo, hi) == matches(ref, text, lo, hi), (text, lo)
    joined = "\x00".join(texts)
    assert matches(m.regex, joined) == matches(ref, joined)
    assert len(matches(ref, joined)) > 50


def test_mentions_of_a_known_sentence():
    text = "Armenia's premier met Putin; pro-Russian ARMENIANS and xArmenia did not."
    sentences = {
        "doc_id": ["d1"],
        "para_id": [0],
        "sent_id": [0],
        "start": [100],
        "text": [text],
    }
    got = find_actor_mentions(pd.DataFrame(sentences), DEFAULT)
    assert got[["actor", "alias", "start", "end"]].values.tolist() == [
        ["Armenia", "Armenia", 100, 107],
        ["Russia", "Putin", 122, 127],
        ["Russia", "Russian", 133, 140],
        ["Armenia", "Armenians", 141, 150],
    ]
