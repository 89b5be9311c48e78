"""frames_codebook_suggestions: a planted co-occurring term is found, indicators are not
suggested, counts and examples are right."""

import numpy as np
import pandas as pd
from newslens.frames_suggest import suggest_terms


def planted_sentences(seed=0):
    """Sentences of frame 'economic' (carried by the indicator 'budget') contain 'tariff' 9
    times in 10; other sentences never contain it. 'weather' appears everywhere evenly."""
    rng = np.random.default_rng(seed)
    filler = [f"filler{w}" for w in "abcdefghij"]
    rows = []
    for i in range(200):
        econ = i % 4 == 0
        words = list(rng.choice(filler, 6)) + ["weather"]
        if econ:
            words.append("budget")
            if i % 40 != 0:
                words.append("tariffs" if i % 8 == 0 else "tariff")
        rows.append((" ".join(words).capitalize() + ".", "economic" if econ else "none"))
    return pd.DataFrame(rows, columns=["text", "labels"])


def test_planted_term_is_suggested_with_counts_and_examples():
    s = planted_sentences()
    out = suggest_terms(
        s,
        ["economic", "security"],
        {"economic": "Economic", "security": "Security"},
        indicators={"budget"},
        normalizer=lambda w: w.rstrip("s"),  # a toy stemmer: tariffs -> tariff
        stopwords={"the"},
        min_count=3,
        top_n=5,
        n_examples=2,
    )
    econ = out[out["frame"] == "economic"]
    top = econ.iloc[0]
    assert top["normalized"] == "tariff" and top["term"] == "tariff"
    assert top["n_sentences_of_frame"] == 50
    assert top["n_sentences_with_frame"] == 45 == top["n_sentences_with_term"]
    assert top["share_of_term_in_frame"] == 1.0
    assert np.isclose(top["ppmi"], np.log2(200 / 50), atol=1e-4)
    assert len(top["examples"].split(" | ")) == 2 and "tariff" in top["examples"].lower()
    # the indicator itself and the evenly spread word are never suggested
    assert "budget" not in set(out["normalized"])
    assert "weather" not in set(out["normalized"])
    assert (out["frame"] == "security").sum() == 0  # no sentences of that frame


def test_no_framed_sentences_gives_an_empty_table():
    s = pd.DataFrame({"text": ["a b c"], "labels": ["none"]})
    out = suggest_terms(s, ["economic"], {}, set(), str, set())
    assert out.empty and "ppmi" in out.columns
