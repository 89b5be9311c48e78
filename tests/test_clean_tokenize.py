"""Cleaning, de-duplication and tokenization on known texts (the seed read by hand)."""

import pandas as pd
import pytest
import yaml
from conftest import REPO
from newslens.clean import CleaningRules, clean_article, html_to_text, normalize_unicode, parse_date
from newslens.dedup import Signer, content_hash, find_duplicates
from newslens.tokenize import (
    load_stopwords,
    make_normalizer,
    punkt_from_json,
    punkt_to_json,
    train_punkt,
)
from reference_tokenize import count_terms_and_ngrams, sentence_splitter, tokenize_documents

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES = CleaningRules.from_config(CONFIG["cleaning"])
SEED = (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_text(encoding="utf-8")
STOPWORDS = load_stopwords(REPO / CONFIG["tokenize"]["stopwords_file"])


@pytest.fixture(scope="module")
def seed_clean():
    return clean_article(SEED, RULES)


@pytest.fixture(scope="module")
def seed_tokens(seed_clean):
    params = train_punkt(seed_clean.text, CONFIG["tokenize"]["abbreviations"])
    docs = pd.DataFrame({"doc_id": ["seed"], "text": [seed_clean.text]})
    return tokenize_documents(docs, sentence_splitter(params), CONFIG["tokenize"], STOPWORDS)


def test_seed_header_fields(seed_clean):
    assert seed_clean.title == "CSTO summit - a time of difficult decisions"
    assert seed_clean.date == "2022-11-23"
    assert seed_clean.author == "Yuri Veselov"
    assert seed_clean.role == "military observer"
    assert seed_clean.lede.startswith("One of the central issues of the upcoming CSTO summit")


def test_seed_boilerplate_gone(seed_clean):
    lines = seed_clean.text.split("\n")
    for furniture in ("X", "Comments", "0", "Read on the topic"):
        assert furniture not in lines
    assert "Date of publication" not in seed_clean.text
    assert "Yuri Veselov" not in seed_clean.text
    assert seed_clean.text.endswith(
        "Next year, the chairmanship in the CSTO should pass to Russia."
    )
    actions = sorted((line, action) for line, action, _, _ in seed_clean.removed)
    assert actions == [
        (1, "removed_line"),
        (3, "header"),
        (5, "header"),
        (8, "header"),
        (36, "removed_line"),
        (38, "removed_line"),
        (40, "cut"),
    ]


def test_seed_paragraphs_and_sentences(seed_tokens):
    paragraphs, sentences, tokens, _ = seed_tokens
    # Read by hand: the lede plus 12 body paragraphs.
    assert len(paragraphs) == 13
    # Sentences per paragraph, counted by reading the article.
    per_para = sentences.groupby("para_id").size().tolist()
    assert per_para == [1, 2, 3, 1, 2, 1, 2, 2, 2, 4, 3, 1, 1]
    assert len(sentences) == 25
    putin = sentences.loc[sentences["text"].str.contains("Vladimirovich")]
    assert (
        len(putin) == 1
        and "Vladimir Vladimirovich Putin will arrive in Yerevan" in putin.iloc[0]["text"]
    )


def test_offsets_point_into_the_clean_text(seed_clean, seed_tokens):
    paragraphs, sentences, tokens, _ = seed_tokens
    text = seed_clean.text
    for row in sentences.itertuples():
        assert text[row.start : row.end] == row.text
    for row in paragraphs.itertuples():
        assert text[row.start : row.end] == row.text
    assert all(
        text[s:e] == t
        for s, e, t in zip(tokens["start"], tokens["end"], tokens["token"], strict=True)
    )
    assert tokens["tok_id"].tolist() == list(range(len(tokens)))


def test_no_split_after_abbreviations():
    text = (
        "Gen. Smith met Mr. Jones and Dr. Brown in the U.S. capital on Monday. "
        "They discussed the St. Petersburg talks. Prof. Ivanov did not attend."
    )
    params = train_punkt(text, CONFIG["tokenize"]["abbreviations"])
    spans = list(sentence_splitter(params).tokenize(text))
    assert spans == [
        "Gen. Smith met Mr. Jones and Dr. Brown in the U.S. capital on Monday.",
        "They discussed the St. Petersburg talks.",
        "Prof. Ivanov did not attend.",
    ]


def test_punkt_parameters_round_trip():
    params = train_punkt("Mr. Smith went to Washington. He met Dr. Who there. " * 5, ["gen"])
    again = punkt_from_json(punkt_to_json(params))
    assert again.abbrev_types == params.abbrev_types
    assert punkt_to_json(again) == punkt_to_json(params)


def test_tokens_possessives_hyphens_stopwords(seed_tokens):
    _, _, tokens, _ = seed_tokens
    toks = tokens["token"].tolist()
    assert "Armenian-Azerbaijani" in toks
    assert ("Organization", "'s") in set(zip(toks, toks[1:], strict=False))  # possessive split off
    assert "Organization's" not in toks
    possessive = tokens.loc[tokens["token"] == "'s"].iloc[0]
    assert possessive["is_stop"] and not possessive["keep"] and possessive["term"] == ""
    row = tokens.loc[tokens["token"] == "the"].iloc[0]
    assert row["is_stop"] and not row["keep"] and row["term"] == ""
    assert tokens.loc[tokens["token"] == "negotiations", "term"].iloc[0] == "negotiation"
    assert tokens.loc[tokens["token"] == "2022", "keep"].eq(False).all()


def test_normalizers():
    assert make_normalizer("stem")("negotiations") == "negoti"
    assert make_normalizer("lemma")("negotiations") == "negotiation"
    assert make_normalizer("lemma")("meeting") == "meeting"
    assert make_normalizer("none")("Talks") == "Talks"


def test_ngram_counts_stay_inside_sentences():
    tokens = pd.DataFrame(
        {
            "doc_id": ["a"] * 5 + ["b"] * 2,
            "sent_id": [0, 0, 0, 1, 1, 0, 0],
            "term": ["prime", "minister", "nikol", "peace", "talk", "prime", "minister"],
            "keep": [True] * 7,
        }
    )
    counts = count_terms_and_ngrams(tokens, 3).set_index(["ngram", "n"])
    assert counts.loc[("prime minister", 2), "count"] == 2
    assert counts.loc[("prime minister", 2), "doc_freq"] == 2
    assert ("nikol peace", 2) not in counts.index  # crosses a sentence boundary
    assert counts.loc[("prime minister nikol", 3), "count"] == 1


def test_unicode_normalisation():
    text = "Armenia\u00a0and\u200b Azerbaijan \u2013 \u201cpeace\u201d talks\r\n"
    assert normalize_unicode(text) == 'Armenia and Azerbaijan - "peace" talks\n'
    assert normalize_unicode(text, fold_quotes=False, fold_dashes=False) == (
        "Armenia and Azerbaijan \u2013 \u201cpeace\u201d talks\n"
    )


def test_dates():
    assert parse_date("23 November 2022") == "2022-11-23"
    assert parse_date("2022-11-23T10:00:00Z") == "2022-11-23"
    assert parse_date("not a date at all") is None


def test_boilerplate_only_article_has_no_words():
    article = clean_article("X\n\nComments\n\n0\n\nRead on the topic\nSome link", RULES)
    assert article.n_words == 0 and article.text == ""


def test_html_extraction_drops_navigation():
    body = "".join(
        f"<p>Paragraph {i} says that Armenia and Azerbaijan met in Brussels for talks.</p>"
        for i in range(5)
    )
    html = (
        f"<html><head><title>Talks</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>Talks</h1>{body}</article><footer>Copyright 2022</footer></body></html>"
    )
    text, meta = html_to_text(html)
    assert "Home | World" not in text and "Copyright" not in text
    assert text.count("Paragraph") == 5 and meta["title"] == "Talks"


def test_exact_and_near_duplicates():
    base = " ".join(f"word{i}" for i in range(300))
    texts = {
        "a": base,
        "b": base.upper(),
        "c": base.replace("word150", "changed"),
        "d": "entirely different " * 50,
    }
    signer = Signer(128, 5)
    docs = pd.DataFrame(
        {
            "doc_id": list(texts),
            "doc_index": range(4),
            "content_hash": [content_hash(t) for t in texts.values()],
            "minhash": [signer(t) for t in texts.values()],
        }
    )
    dropped = find_duplicates(docs, threshold=0.85).set_index("doc_id")
    assert dropped.loc["b", "kind"] == "exact" and dropped.loc["b", "kept_doc_id"] == "a"
    assert dropped.loc["c", "kind"] == "near" and dropped.loc["c", "kept_doc_id"] == "a"
    assert dropped.loc["c", "similarity"] > 0.9
    assert "d" not in dropped.index and "a" not in dropped.index
    assert find_duplicates(docs, exact=False, near=False).empty


def test_batch_tokens_equal_nltk_regexp_tokenizer(seed_clean, seed_tokens):
    from newslens.tokenize import WORD_TOKENIZER

    _, _, tokens, _ = seed_tokens
    spans = list(WORD_TOKENIZER.span_tokenize(seed_clean.text))
    assert list(zip(tokens["start"], tokens["end"], strict=True)) == spans
    assert tokens["token"].tolist() == WORD_TOKENIZER.tokenize(seed_clean.text)
