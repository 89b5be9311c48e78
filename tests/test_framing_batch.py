"""The batch path of the framing stage gives exactly what the one-sentence-at-a-time reference
gives: hits (same rows, same order), word counts, labels, aggregates, examples; on the seed, on
a synthetic corpus, and on hand-made corner cases (Unicode case folding, "n't", separators in
the text, regex indicators with and without literals, excluded phrases, negation)."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from newslens import framing
from newslens.codebook import (
    WORD_RE,
    Matcher,
    build_codebook,
    leftmost_longest,
    load_codebook,
    required_literals,
)
from newslens.frames_actors import _actor_frame_counts_merge
from newslens.framing import (
    SEPARATORS,
    actor_frame_counts,
    aggregate,
    classify_sentences,
    document_batches,
    example_sentences,
    hit_counts,
    match_sentences,
    match_sentences_reference,
    merge_examples,
    merge_hit_counts,
    regex_hit_mask,
    sentence_frames,
    shard_tables,
    word_char_table,
)
from newslens.runtime import NewslensError
from newslens.tokenize import split_sentences, text_splitter

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "workflow/schemas/codebook.schema.yaml").read_text())
CUES = ["not", "no", "never", "without", "nor", "neither", "none", "nothing"]
OPTS = {
    "min_weight": 1.0,
    "relative_threshold": 0.5,
    "negation_window": 3,
    "negation_cues": CUES,
    "doc_min_share": 0.15,
    "doc_max_labels": 3,
    "n_examples": 3,
}
CODEBOOKS = ["policy_frames.yaml", "generic_frames.yaml"]


@pytest.fixture(scope="module")
def stem():
    from newslens.tokenize import make_normalizer

    return make_normalizer("stem", "english")


@functools.cache
def shipped(path: str):
    return load_codebook(REPO / "config/codebooks" / path, "stem")


@functools.cache
def seed_sentences() -> tuple[str, ...]:
    text = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")
    return tuple(split_sentences(text))


@functools.cache
def synthetic_sentences(n: int = 150) -> pd.DataFrame:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_corpus import build_corpus

    corpus = build_corpus(n, seed=3)
    rows, splitter = [], text_splitter(corpus["text"])
    for doc_id, text in zip(corpus["id"], corpus["text"], strict=True):
        sent_id = 0
        for para_id, para in enumerate(p for p in text.split("\n\n") if p.strip()):
            for s in split_sentences(para, splitter):
                rows.append((doc_id, para_id, sent_id, s))
                sent_id += 1
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text"])


# Sentences that poke at every rule the batch path has to reproduce.
CORNER_CASES = [
    "",
    "   ",
    None,
    "War.",
    "They didn't negotiate, they wouldn’t talk and can't agree; n't war.",
    "No war, no military, never the armed forces without troops.",
    "We ate at the food court near the basketball court; the court ruled.",
    "The world war and the world order; a price of war.",
    "İNTERNATIONAL İnternational ınternational Internatıonal iNtErNaTiOnAl relations.",
    "The defendantſ and DEFENDANTS, the marginaliſed and MARGINALISED.",
    "ΣΟΦΟΣ ΟΔΟΣ. Ὀδυσσεύς war Σ.",
    "Straße, STRASSE, ǅemal, ﬁnance and Ⅻ budgets, ²³ digits, ١٢٣ numbers.",
    "Emoji 🎉 war 🎉war🎉 𝐖𝐀𝐑 𝐰𝐚𝐫 and 𠀀 characters.",
    "Cost: $5, € 10, £3 and $ 4 and US$5bn, 10am, 1,000 people, well_known snake_case.",
    "A-war, war-time, anti-terrorist, co-operation; 'quoted war' and \"war\".",
    "Tab\tseparated\nnew\x0bline\x0cform\x1cfeed\x1dgroup war words.",
    "Combining: cafe\u0301 war nai\u0308ve; zero\u200bwidth war.",
    "Nations and nationalism, civilisations, initiatives; the initiative.",
    "wouldn't've, ain't, don’t war, DON'T war, dOn'T war",
    "notwar not-war NOTwar",
    # phrases must not run on into the next sentence
    "Both sides were armed",
    "forces gathered; the public",
    "opinion of the supreme",
    "court.",
    # only a character that IGNORECASE equates with a literal's, and lower() does not
    "İNTERNATIONAL TALKS.",
    "Internatıonal talks.",
    "The defendantſ spoke.",
]


def run_both(texts, cb, stem, cues=CUES, window=3):
    matcher = Matcher(cb)
    fast = match_sentences(list(texts), cb, matcher, stem, cues, window)
    ref = match_sentences_reference(list(texts), cb, Matcher(cb), stem, cues, window)
    return fast, ref


def assert_same(fast, ref):
    pd.testing.assert_frame_equal(fast[0], ref[0], check_exact=True)
    assert fast[1].dtype == ref[1].dtype and np.array_equal(fast[1], ref[1])


# ---- building blocks -------------------------------------------------------------------------
def test_word_char_table_is_word_re():
    table = word_char_table()
    everything = "".join(map(chr, range(len(table))))
    expected = np.zeros(len(table), dtype=bool)
    for m in WORD_RE.finditer(everything):
        expected[m.start() : m.end()] = True
    assert np.array_equal(table, expected)
    assert np.array_equal(word_char_table(0x10000), expected[:0x10000])


def test_separators_are_inert():
    for sep in SEPARATORS:
        assert not WORD_RE.match(sep) and not sep.isspace() and sep.lower() == sep
        assert not re.match(r"\s|\w", sep)


def test_leftmost_longest_matches_a_scan():
    rng = np.random.default_rng(0)
    for _ in range(300):
        starts = np.sort(rng.choice(60, size=rng.integers(0, 25), replace=False))
        lengths = rng.integers(1, 5, size=len(starts))
        kept, end = [], -1
        for s, n in zip(starts.tolist(), lengths.tolist(), strict=True):
            kept.append(s >= end)
            if s >= end:
                end = s + n
        assert leftmost_longest(starts, lengths).tolist() == kept


@pytest.mark.parametrize(
    "pattern, literals",
    [
        (r"[$€£]\s?\d", ["$", "£", "€"]),
        (r"\bdefendants?\b", ["defendant"]),
        (r"\binternational(ly)?\b", ["international"]),
        (r"(?:\bnationalis[mt]s?\b)|(?:\bcivili[sz]ations?\b)", ["civili", "nationalis"]),
        (r"(ab|cd)+ef", ["ef"]),
        (r"(abc|de)x{2,}", ["abc", "de"]),
        (r"x*abc", ["abc"]),
        (r"\d{4}", None),
        (r"a|\d", None),
        (r"(a)?", None),
        (r"[^a]bc", ["bc"]),
        (r"(?<=war)time", ["time"]),
    ],
)
def test_required_literals(pattern, literals):
    assert required_literals(pattern, re.IGNORECASE) == literals


def test_required_literals_are_in_every_match():
    """Property check over random texts: a text with a match has one of the literals."""
    rng = np.random.default_rng(1)
    alphabet = list("abcdeſİıKk $€1 ")
    patterns = [r"[ab]c?d+", r"(?:ab|k)e", r"(ab)+|c(d|e)", r"a(?=b)bc", r"(?i:AB)c", r"\bab\b"]
    for pattern in patterns:
        rx = re.compile(pattern, re.IGNORECASE)
        lits = required_literals(pattern, re.IGNORECASE)
        for _ in range(400):
            text = "".join(rng.choice(alphabet, size=8))
            for m in rx.finditer(text):
                assert lits is None or any(
                    re.search(re.escape(x), m.group(0), re.IGNORECASE) for x in lits
                ), (pattern, text)


# ---- match_sentences: batch path == reference --------------------------------------------------
@pytest.mark.parametrize("path", CODEBOOKS)
def test_seed_sentences_identical(path, stem):
    fast, ref = run_both(seed_sentences(), shipped(path), stem)
    assert len(ref[0]) > 20
    assert_same(fast, ref)


@pytest.mark.parametrize("path", CODEBOOKS)
def test_synthetic_corpus_identical(path, stem):
    texts = synthetic_sentences()["text"].tolist()
    fast, ref = run_both(texts, shipped(path), stem)
    assert len(ref[0]) > 1000
    assert_same(fast, ref)


@pytest.mark.parametrize("path", CODEBOOKS)
@pytest.mark.parametrize("cues, window", [(CUES, 3), (CUES, 0), ([], 3), (["not", "can't"], 1)])
def test_corner_cases_identical(path, cues, window, stem):
    texts = CORNER_CASES + list(seed_sentences()[:20])
    assert_same(*run_both(texts, shipped(path), stem, cues, window))


def test_custom_codebook_regexes_and_exclusions_identical(stem):
    cb = build_codebook(
        {
            "name": "x",
            "frames": [
                {
                    "key": "ext",
                    "name": "Ext",
                    "terms": ["world", "world order", "court"],
                    "exclude": ["world war", "food court"],
                    "regex": [r"\d{4}", r"(\w+) \1", r"(?<![a-z])US\$"],
                },
                {
                    "key": "sec",
                    "name": "Sec",
                    "terms": ["war", {"term": "world war", "weight": 2}, "food"],
                    "regex": [r"(?-i:WAR)", r"(?x: nothing - to - find )", r"k[a-z]+ism"],
                },
                {"key": "neg", "name": "Neg", "terms": ["no", "not"], "regex": [r"n't"]},
                {"key": "alnum", "name": "Alnum", "terms": ["peace"], "regex": ["xonn", "ſix"]},
            ],
        },
        stem,
        "stem",
        schema=None,
    )
    texts = [
        *CORNER_CASES,
        "In 1999 the the world war began; WAR, war. Kelvin ɪsm: Kapitalism, K-ism, KAPITALISM.",
        "US$5 and aUS$5; world order, food court, the court; isn't it.",
        "The xonn't thing, XONN'T, xonn’t.",
        "Six, SIX, ſix.",
        "ſIX",
    ]
    assert_same(*run_both(texts, cb, stem))


def test_separators_in_text_fall_back_to_reference(stem):
    cb = shipped("policy_frames.yaml")
    texts = ["War " + sep + " military." for sep in SEPARATORS]  # every separator occurs
    assert_same(*run_both(texts, cb, stem))


def test_normaliser_with_spaces_falls_back_to_reference(stem):
    def odd(word: str) -> str:
        return "armed forces" if word == "army" else stem(word)

    cb = shipped("policy_frames.yaml")
    texts = ["The army attacked.", "Armed forces and the army; war."]
    assert_same(*run_both(texts, cb, odd))


def test_many_batches_keep_the_reference_order(stem, monkeypatch):
    monkeypatch.setattr(framing, "MATCH_BATCH", 7)
    texts = list(seed_sentences()) + CORNER_CASES
    fast, ref = run_both(texts, shipped("policy_frames.yaml"), stem)
    assert (ref[0]["indicator"] == r"[$€£]\s?\d").any()  # regex hits come last, per frame
    assert_same(fast, ref)


def test_batch_matcher_is_reused_per_normaliser(stem):
    cb = shipped("policy_frames.yaml")
    matcher = Matcher(cb)
    a = match_sentences(["War."], cb, matcher, stem, CUES, 3)
    b = match_sentences(["Peace treaty."], cb, matcher, stem, CUES, 3)
    c = match_sentences(["War."], cb, matcher, stem, [], 0)
    assert len(matcher._coded["batch"]) == 2
    assert a[0]["frame"].tolist() == c[0]["frame"].tolist() == ["security_defense"]
    assert b[1].tolist() == [2]


# ---- labels and aggregates: vectorised == the former per-row loops ---------------------------
def loop_sentence_labels(table, cb):
    """The per-sentence label loop of the former sentence_frames (ordering by share: shares
    are the labeled weights over their sum)."""
    keys = cb.scored_keys
    shares = table[[f"share_{k}" for k in keys]].to_numpy()
    labels, primary = [], []
    fallback = cb.residual or "none"
    for i in range(len(table)):
        idx = np.flatnonzero(shares[i] > 0)
        if not len(idx):
            labels.append(fallback)
            primary.append(fallback)
            continue
        order = idx[np.argsort(-shares[i, idx], kind="stable")]
        labels.append(";".join(np.array(keys, dtype=object)[order]))
        primary.append(keys[order[0]])
    return labels, primary


def loop_group_labels(out, cb, min_share, max_labels):
    """The per-group label loop of the former aggregate."""
    keys = cb.scored_keys
    fr = out[[f"share_{k}" for k in keys]].to_numpy()
    fallback = cb.residual or "none"
    primary, labels = [], []
    for i in range(len(out)):
        row = fr[i]
        if len(row) and row.max() > 0:
            order = np.argsort(-row, kind="stable")
            primary.append(keys[order[0]])
            chosen = [keys[j] for j in order[:max_labels] if row[j] >= min_share]
            labels.append(";".join(chosen) if chosen else keys[order[0]])
        else:
            primary.append(fallback)
            labels.append(fallback)
    return labels, primary


@pytest.mark.parametrize("path", CODEBOOKS)
@pytest.mark.parametrize("relative, min_share, max_labels", [(0.5, 0.15, 3), (0.2, 0.0, 1)])
def test_labels_match_the_former_loops(path, relative, min_share, max_labels, stem):
    cb = shipped(path)
    sents = synthetic_sentences()
    opts = {**OPTS, "relative_threshold": relative}
    table, _ = classify_sentences(sents, cb, Matcher(cb), stem, opts)
    labels, primary = loop_sentence_labels(table, cb)
    assert table["primary_frame"].tolist() == primary
    assert table["labels"].tolist() == labels
    for by in (["doc_id"], ["doc_id", "para_id"]):
        out = aggregate(table, by, cb, min_share, max_labels)
        labels, primary = loop_group_labels(out, cb, min_share, max_labels)
        assert out["labels"].tolist() == labels and out["primary_frame"].tolist() == primary


def test_sentence_frames_without_hits(stem):
    cb = shipped("generic_frames.yaml")
    t = sentence_frames(pd.DataFrame(columns=framing.HIT_COLUMNS), np.array([3, 0]), cb)
    assert t["labels"].tolist() == ["none", "none"] and t["share_none"].tolist() == [1.0, 1.0]
    assert t["labels"].dtype == pd.Series(["x"]).dtype  # as built from Python strings
    # no sentences: the label columns are built from empty lists, as the per-row loop did
    empty = sentence_frames(pd.DataFrame(columns=framing.HIT_COLUMNS), np.zeros(0, int), cb)
    assert empty["labels"].dtype == pd.DataFrame({"x": []})["x"].dtype


# ---- streaming a shard in batches of whole articles ------------------------------------------
def test_document_batches_keep_articles_whole():
    df = pd.DataFrame({"doc_id": list("aaabbcddddde"), "x": range(12)})
    batches = [df.iloc[i : i + 4] for i in range(0, 12, 4)]
    out = list(document_batches(batches, "s.parquet"))
    assert [b["doc_id"].tolist() for b in out] == [
        list("aaa"),
        list("bbc"),
        list("ddddd"),
        list("e"),
    ]
    pd.testing.assert_frame_equal(pd.concat(out, ignore_index=True), df)
    bad = [df.iloc[:4], pd.DataFrame({"doc_id": list("ca"), "x": [0, 1]})]
    with pytest.raises(NewslensError, match="s.parquet.*not contiguous.*'a'"):
        list(document_batches(bad, "s.parquet"))


def test_shard_in_batches_equals_shard_at_once(stem):
    cb = shipped("policy_frames.yaml")
    sents = synthetic_sentences()
    whole = shard_tables(sents, cb, Matcher(cb), stem, OPTS)
    matcher = Matcher(cb)
    parts = [
        shard_tables(b, cb, matcher, stem, OPTS)
        for b in document_batches(
            (sents.iloc[i : i + 97] for i in range(0, len(sents), 97)), "synthetic"
        )
    ]
    for k in (0, 2, 3):  # sentences, paragraphs, articles
        pd.testing.assert_frame_equal(
            pd.concat([p[k] for p in parts], ignore_index=True), whole[k], check_exact=True
        )
    hits = pd.concat([p[1] for p in parts], ignore_index=True)
    regex = regex_hit_mask(hits, cb)
    patterns = {i.term for i in cb.indicators if i.kind == "regex"}
    assert regex.any() and hits[regex]["indicator"].isin(patterns).all()
    assert not hits[~regex]["indicator"].isin(patterns).any()
    rank = {f: i for i, f in enumerate(Matcher(cb).frame_regex)}
    rx = hits[regex]
    ordered = pd.concat(
        [hits[~regex], rx.iloc[rx["frame"].map(rank).to_numpy().argsort(kind="stable")]],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(ordered, whole[1].reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(merge_hit_counts([p[5] for p in parts]), whole[5])
    pd.testing.assert_frame_equal(merge_examples([p[4] for p in parts], cb, 3), whole[4])
    assert whole[4]["text"].str.len().min() > 0
    pd.testing.assert_frame_equal(
        example_sentences(whole[0], sents, cb, 3), whole[4], check_exact=True
    )
    pd.testing.assert_frame_equal(hit_counts(whole[1]), whole[5])


# ---- actors x frames: index join == merge --------------------------------------------------------
def test_actor_frame_counts_equal_the_merge(stem):
    cb = shipped("policy_frames.yaml")
    sents = synthetic_sentences()
    table, _ = classify_sentences(sents, cb, Matcher(cb), stem, OPTS)
    rng = np.random.default_rng(5)
    picks = rng.integers(0, len(table), size=3000)
    mentions = pd.DataFrame(
        {
            "doc_id": table["doc_id"].to_numpy()[picks],
            "sent_id": table["sent_id"].to_numpy()[picks],
            "actor": rng.choice(["Russia", "Armenia", "NATO", "Zeta"], size=len(picks)),
            "alias": "x",
        }
    )
    # a mention of a sentence that is not in the table, and repeated mentions
    extra = pd.DataFrame({"doc_id": ["nope"], "sent_id": [0], "actor": ["Russia"], "alias": "x"})
    mentions = pd.concat([mentions, extra, mentions.head(50)], ignore_index=True)
    m = mentions[["doc_id", "sent_id", "actor"]].drop_duplicates()
    expected = _actor_frame_counts_merge(m, table, cb)
    got = actor_frame_counts(mentions, table, cb)
    assert len(got) == 4 * (len(cb.scored_keys) + 1)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # the same from mentions and sentence rows read in batches (as the frames_actors rule)
    index = framing.MentionIndex()
    for i in range(0, len(mentions), 700):
        part = mentions.iloc[i : i + 700]
        index.add(part["doc_id"], part["sent_id"], part["actor"])
    frames = [*cb.scored_keys, "none"]
    share_cols = [f"share_{k}" for k in frames]
    batches = (table.iloc[i : i + 500] for i in range(0, len(table), 500))
    keys, shares = framing.mentioned_shares(index, batches, share_cols)
    assert len(keys) == m[m["doc_id"] != "nope"][["doc_id", "sent_id"]].drop_duplicates().shape[0]
    got = framing.actor_share_counts(index, keys, shares, frames)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # a sentence listed twice: the merge semantics (one row per pair) are kept
    twice = pd.concat([table, table.head(3)], ignore_index=True)
    pd.testing.assert_frame_equal(
        actor_frame_counts(mentions, twice, cb),
        _actor_frame_counts_merge(m, twice, cb),
        check_exact=True,
    )
