"""Mojibake right after a name ("Menendezâ€™s"): cleaning repairs it with ftfy and records
it in the audit, so the name matches as an actor (possessive included)."""

from __future__ import annotations

import pandas as pd
import yaml
from conftest import REPO
from newslens.actors import DocTargets, find_actor_mentions, name_normalizer, targets_from_column
from newslens.clean import CleaningRules, clean_frame
from newslens.dedup import Signer
from newslens.mojibake import repair_mojibake

GARBLED = "Sen. Bob Menendezâ€™s trial opened; â€œWe will win,â€\x9d Menendez said."
BODY = " The court heard the first witnesses on Tuesday and the jury was told the case " * 3


def rules(**over):
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["cleaning"]
    return CleaningRules.from_config({**cfg, **over})


def raw(texts):
    return pd.DataFrame(
        {
            "doc_index": range(len(texts)),
            "doc_id": [f"d{i}" for i in range(len(texts))],
            "source": [f"f{i}.txt" for i in range(len(texts))],
            "kind": "text",
            "encoding": "",
            "raw": texts,
            "title": "A title",
            "date": None,
            "author": None,
        }
    )


def test_repair_counts_sequences_and_leaves_clean_text_alone():
    fixed, n = repair_mojibake(GARBLED)
    assert fixed == "Sen. Bob Menendez’s trial opened; “We will win,” Menendez said."
    assert n == 3
    for text in ["plain ASCII", "café, naïve, Пашинян — “quoted”", ""]:
        assert repair_mojibake(text) == (text, 0)


def test_cleaning_repairs_and_audits_then_the_name_matches():
    clean, audit = clean_frame(
        raw([GARBLED + BODY, "Menendez spoke." + BODY]), rules(), Signer(), []
    )
    assert clean["text"][0].startswith('Sen. Bob Menendez\'s trial opened; "We will win,"')
    repaired = [a for a in audit if a["action"] == "repaired_text"]
    assert [(a["doc_id"], a["reason"].split()[0]) for a in repaired] == [("d0", "3")]
    sentences = pd.DataFrame(
        {"doc_id": ["d0"], "para_id": 0, "sent_id": 0, "start": 0, "text": [clean["text"][0]]}
    )
    targets = DocTargets(
        targets_from_column(pd.DataFrame({"doc_id": ["d0"], "t": ["Bob Menendez"]}), "t")
    )
    got = find_actor_mentions(sentences, {"Menendez": ["Menendez"]}, targets)
    assert list(zip(got["actor"], got["alias"], strict=True)) == [
        ("Bob Menendez", "Bob Menendez"),
        ("Menendez", "Menendez"),  # inside "Bob Menendez's": the global actor's own alias
        ("Menendez", "Menendez"),
    ]


def test_repair_can_be_switched_off():
    clean, audit = clean_frame(raw([GARBLED + BODY]), rules(repair_mojibake=False), Signer(), [])
    assert "â€" in clean["text"][0]
    assert not [a for a in audit if a["action"] == "repaired_text"]


def test_target_names_are_written_as_the_clean_text():
    docs = pd.DataFrame({"doc_id": ["d0"], "t": ["Fernando SÃ¡nchez;Conan O’Brien"]})
    t = targets_from_column(docs, "t", last_words=True, normalize=name_normalizer({}))
    assert sorted(t["alias"]) == ["Conan O'Brien", "Fernando Sánchez", "O'Brien", "Sánchez"]
    clean, _ = clean_frame(
        raw(["Fernando SÃ¡nchez met Conan O’Brien." + BODY]), rules(), Signer(), []
    )
    sentences = pd.DataFrame(
        {"doc_id": ["d0"], "para_id": 0, "sent_id": 0, "start": 0, "text": [clean["text"][0]]}
    )
    got = find_actor_mentions(sentences, {}, DocTargets(t))
    assert list(got["actor"]) == ["Fernando Sánchez", "Conan O'Brien"]
