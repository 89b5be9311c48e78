"""Actor matching: word bounds, case, possessives, multiword aliases, overlaps, config errors."""

from __future__ import annotations

import pandas as pd
import pytest
from newslens.actors import (
    MENTION_COLUMNS,
    compile_actors,
    find_actor_mentions,
    validate_actors,
)
from newslens.runtime import NewslensError

ACTORS = {
    "Armenia": ["Armenia", "Armenian", "Armenians", "Yerevan", "Pashinyan", "Nikol Pashinyan"],
    "Azerbaijan": ["Azerbaijan", "Azerbaijani", "Baku"],
    "Russia": ["Russia", "Russian", "Russian Federation", "Moscow", "Putin", "Vladimir Putin"],
    "CSTO": ["CSTO", "Collective Security Treaty Organization"],
    "NATO": ["NATO"],
    "Ukraine": ["Ukraine", "Kyiv"],
    "Turkey": ["Turkey"],
}


def mentions(text: str, actors=ACTORS) -> list[tuple[str, str, str]]:
    """(actor, alias, matched text) for every mention in one sentence."""
    m = compile_actors(actors)
    return [(a, al, text[s:e]) for a, al, s, e in m.finditer(text)]


def test_word_bounded_never_inside_other_words():
    assert mentions("Belorussia and Armenianness are not mentions; neither is Bakunin.") == []
    assert mentions("The NATOs of this world") == []


def test_hyphen_compounds_count_each_side():
    assert mentions("the Armenian-Azerbaijani border and pro-Russian, anti-NATO voices") == [
        ("Armenia", "Armenian", "Armenian"),
        ("Azerbaijan", "Azerbaijani", "Azerbaijani"),
        ("Russia", "Russian", "Russian"),
        ("NATO", "NATO", "NATO"),
    ]


@pytest.mark.parametrize("text", ["Armenia's army", "Armenia\u2019s army", "Armenia' army"])
def test_possessives_match_name_without_ending(text):
    assert mentions(text) == [("Armenia", "Armenia", "Armenia")]


def test_plural_possessive_uses_plural_alias():
    assert mentions("the Armenians\u2019 position, the Armenians' view") == [
        ("Armenia", "Armenians", "Armenians"),
        ("Armenia", "Armenians", "Armenians"),
    ]


def test_longest_multiword_alias_wins_and_counts_once():
    text = "President of the Russian Federation Vladimir Putin met Nikol Pashinyan and Pashinyan."
    assert mentions(text) == [
        ("Russia", "Russian Federation", "Russian Federation"),
        ("Russia", "Vladimir Putin", "Vladimir Putin"),
        ("Armenia", "Nikol Pashinyan", "Nikol Pashinyan"),
        ("Armenia", "Pashinyan", "Pashinyan"),
    ]


def test_multiword_alias_across_line_break_and_double_space():
    assert mentions("the Russian\nFederation and Nikol  Pashinyan") == [
        ("Russia", "Russian Federation", "Russian\nFederation"),
        ("Armenia", "Nikol Pashinyan", "Nikol  Pashinyan"),
    ]


def test_acronyms_match_only_in_capitals():
    assert mentions("CSTO and NATO, but not csto, Csto or nato.") == [
        ("CSTO", "CSTO", "CSTO"),
        ("NATO", "NATO", "NATO"),
    ]


def test_proper_names_need_initial_capital_rest_any_case():
    assert mentions("ARMENIA SAYS and the Russian federation") == [
        ("Armenia", "Armenia", "ARMENIA"),
        ("Russia", "Russian Federation", "Russian federation"),
    ]
    # lower-case common words do not match a capitalised alias
    assert mentions("we ate turkey in moscow") == []
    assert mentions("Turkey and Moscow") == [
        ("Turkey", "Turkey", "Turkey"),
        ("Russia", "Moscow", "Moscow"),
    ]


def test_lowercase_alias_matches_any_case():
    actors = {"West": ["the west"]}
    assert [t for *_, t in mentions("The West and the west", actors)] == ["The West", "the west"]


def test_alias_with_punctuation():
    actors = {"USA": ["U.S.", "United States"]}
    assert mentions("The U.S. and the United States' aims", actors) == [
        ("USA", "U.S.", "U.S."),
        ("USA", "United States", "United States"),
    ]


def sentence_table(texts, starts, doc="d1"):
    return pd.DataFrame(
        {
            "doc_id": [doc] * len(texts),
            "para_id": [0] * (len(texts) - 1) + [1],
            "sent_id": list(range(len(texts))),
            "start": starts,
            "end": [s + len(t) for s, t in zip(starts, texts, strict=True)],
            "text": texts,
        }
    )


def test_find_actor_mentions_offsets_into_article():
    article = "Armenia met Russia.  NATO watched Kyiv's moves. Nothing here."
    texts = ["Armenia met Russia.", "NATO watched Kyiv's moves.", "Nothing here."]
    starts = [article.index(t) for t in texts]
    out = find_actor_mentions(sentence_table(texts, starts), ACTORS)
    assert list(out.columns) == MENTION_COLUMNS
    assert out[["actor", "sent_id", "para_id"]].values.tolist() == [
        ["Armenia", 0, 0],
        ["Russia", 0, 0],
        ["NATO", 1, 0],
        ["Ukraine", 1, 0],
    ]
    # offsets point into the article text
    assert [article[s:e] for s, e in zip(out.start, out.end, strict=True)] == [
        "Armenia",
        "Russia",
        "NATO",
        "Kyiv",
    ]
    assert out["alias"].tolist() == ["Armenia", "Russia", "NATO", "Kyiv"]


def test_no_match_across_sentence_boundary():
    out = find_actor_mentions(
        sentence_table(["He said Russian", "Federation is big"], [0, 16]), ACTORS
    )
    assert out["alias"].tolist() == ["Russian"]


def test_empty_input_and_empty_text():
    empty = sentence_table(["x"], [0]).iloc[0:0]
    out = find_actor_mentions(empty, ACTORS)
    assert list(out.columns) == MENTION_COLUMNS and len(out) == 0
    out = find_actor_mentions(sentence_table(["", "123 ...", "Baku"], [0, 1, 9]), ACTORS)
    assert out[["sent_id", "actor", "start", "end"]].values.tolist() == [[2, "Azerbaijan", 9, 13]]
    assert len(find_actor_mentions(sentence_table(["Baku"], [0]), {})) == 0


def test_seed_like_sentence():
    text = (
        "It should be noted that the meeting on November 23 will be extremely tense, primarily "
        "due to the current escalation of tensions between Armenia and Azerbaijan, as well as "
        "the participation of NATO on the side of the Kyiv Nazi regime of Ukraine in the "
        "Russian-led Special Military Operation in Donbas."
    )
    assert [a for a, *_ in mentions(text)] == [
        "Armenia",
        "Azerbaijan",
        "NATO",
        "Ukraine",
        "Ukraine",
        "Russia",
    ]


def test_config_errors_name_the_key():
    with pytest.raises(NewslensError, match=r"actors\.Ukraine: the actor has no aliases"):
        validate_actors({"Ukraine": []})
    with pytest.raises(NewslensError, match=r"actors\.B.*'Moscow'.*actors\.A"):
        validate_actors({"A": ["Moscow"], "B": ["moscow"]})
    with pytest.raises(NewslensError, match=r"actors\.A: alias '  ' is empty"):
        validate_actors({"A": ["  "]})
    with pytest.raises(NewslensError, match=r"actors\.A: alias '\.\.\.' has no letter"):
        validate_actors({"A": ["..."]})
    # a repeat within one actor is harmless and dropped
    assert validate_actors({"A": ["Baku", "Baku ", "baku"]}) == {"A": ["Baku"]}


def reference_mentions(texts, actors):
    """The plain matcher, sentence by sentence: one group around each alias, no lookahead."""
    import re

    from newslens.actors import alias_pattern

    pairs = sorted(
        ((alias, actor) for actor, aliases in validate_actors(actors).items() for alias in aliases),
        key=lambda p: (-len(p[0]), p[0], p[1]),
    )
    alternation = "|".join(f"({alias_pattern(alias)})" for alias, _ in pairs)
    regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
    out = []
    for i, text in enumerate(texts):
        for m in regex.finditer(text):
            alias, actor = pairs[m.lastindex - 1]
            out.append((i, actor, alias, m.start(), m.end()))
    return out


TRICKY = {
    "Armenia": ["Armenia", "Armenian", "Yerevan", "Nikol Pashinyan", "pashinyan"],
    "USA": ["U.S.", "United States", "US"],
    "Kelvin": ["kelvin", "Kiev"],
    "Security": ["collective security", "CSTO", "Σύνοδος"],
    "Numbers": ["1915", "G7"],
}


def random_texts(n, seed=0):
    import random

    rng = random.Random(seed)
    words = (
        "Armenia ARMENIA armenia Armenian's Armenians' Armenianness pro-Armenian Yerevan "
        "Nikol  Pashinyan Nikol\nPashinyan PASHINYAN pashinyans U.S. U.S US USA us United "
        "States United\tStates' kelvin KELVIN \u212aelvin Kiev kiev KIEV Kiev-based collective "
        "Collective SECURITY security CSTO CSTOs csto Σύνοδος ΣΎΝΟΔΟΣ 1915 19150 G7 G7's g7 "
        "the and, of. - — ( ) \" ' İ ı x"
    ).split(" ")
    return [
        "".join(rng.choice([" ", "", "-", "'s "]) + rng.choice(words) for _ in range(30))
        for _ in range(n)
    ]


@pytest.mark.parametrize("actors", [ACTORS, TRICKY])
def test_fast_matcher_finds_what_the_plain_regex_finds(actors):
    """The matcher's speed-ups (no groups around aliases, first-character lookahead, one
    scan over the joined batch) change nothing: the same mentions, aliases and offsets as
    one plain regex per sentence, on random texts full of case, boundary and unicode traps."""
    texts = random_texts(600) + [
        "Armenia met Russia.  NATO watched Kyiv's moves.",
        "He said Russian Federation and Vladimir Putin.",
    ]
    table = pd.DataFrame(
        {
            "doc_id": [f"d{i // 7:03d}" for i in range(len(texts))],
            "para_id": [0] * len(texts),
            "sent_id": [i % 7 for i in range(len(texts))],
            "start": [1000 * i for i in range(len(texts))],
            "text": texts,
        }
    )
    out = find_actor_mentions(table, actors)
    want = reference_mentions(texts, actors)
    assert len(want) > 200
    got = [
        (int(s) // 1000, a, al, int(s) % 1000, int(e) % 1000)
        for a, al, s, e in zip(out.actor, out.alias, out.start, out.end, strict=True)
    ]
    assert got == want
    m = compile_actors(actors)
    assert [(i, *hit) for i, t in enumerate(texts) for hit in m.finditer(t)] == [
        (i, a, al, s, e) for i, a, al, s, e in want
    ]


def test_mentions_sorted_by_doc_id_whatever_the_sentence_order():
    """Rows come out sorted by doc_id, sent_id, start, also when the sentence table is not
    in doc_id order (ids such as row10, row9); mentions_follow tells whether two sorted
    batches can simply be written one after the other."""
    from newslens.actors import mentions_follow

    texts = ["Baku and Yerevan", "Moscow", "NATO and CSTO", "Kyiv"]
    table = pd.DataFrame(
        {
            "doc_id": ["row10", "row10", "row9", "row2"],
            "para_id": [0, 0, 0, 0],
            "sent_id": [0, 1, 0, 0],
            "start": [0, 17, 0, 0],
            "text": texts,
        }
    )
    out = find_actor_mentions(table, ACTORS)
    assert out[["doc_id", "sent_id", "alias"]].values.tolist() == [
        ["row10", 0, "Baku"],
        ["row10", 0, "Yerevan"],
        ["row10", 1, "Moscow"],
        ["row2", 0, "Kyiv"],
        ["row9", 0, "NATO"],
        ["row9", 0, "CSTO"],
    ]
    row10 = find_actor_mentions(table.iloc[:2], ACTORS)
    row2, row9 = (find_actor_mentions(table.iloc[i : i + 1], ACTORS) for i in (3, 2))
    assert mentions_follow(None, row10) and mentions_follow(row10.iloc[:2], row10.iloc[2:])
    assert mentions_follow(row10, row2) and mentions_follow(row2, row9)
    assert not mentions_follow(row9, row10)  # "row9" sorts after "row10"
