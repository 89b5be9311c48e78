"""Framing stage, unit tests on small hand-built data (no pipeline run)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from newslens.codebook import Matcher, build_codebook, load_codebook, read_codebook_yaml
from newslens.frames_eval import (
    evaluate,
    kalpha,
    parse_labels,
    scores,
    to_matrix,
)
from newslens.frames_validity import topk_baselines
from newslens.framing import (
    PositionSums,
    actor_frame_counts,
    aggregate,
    classify_sentences,
    classify_texts,
    finish_actor_frames,
    frame_distribution,
)
from newslens.runtime import NewslensError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "workflow/schemas/codebook.schema.yaml").read_text())
OPTS = {
    "min_weight": 1.0,
    "relative_threshold": 0.5,
    "negation_window": 3,
    "negation_cues": ["not", "no", "never", "without"],
    "doc_min_share": 0.15,
    "doc_max_labels": 3,
}


@pytest.fixture(scope="module")
def stem():
    try:
        from newslens.tokenize import make_normalizer

        return make_normalizer("stem", "english")
    except ImportError:  # before the foundation lands: the same Snowball stemmer
        from nltk.stem.snowball import SnowballStemmer

        return functools.lru_cache(maxsize=None)(SnowballStemmer("english").stem)


def small_codebook(stem, **extra):
    data = {
        "name": "test",
        "frames": [
            {
                "key": "security",
                "name": "Security",
                "labels": ["8", "sec"],
                "terms": [
                    "war",
                    "armed forces",
                    {"term": "military", "weight": 2},
                    "court martial",
                ],
            },
            {
                "key": "diplomacy",
                "name": "Diplomacy",
                "terms": ["negotiate", "peace talks", "ambassador"],
            },
            {"key": "legal", "name": "Legal", "terms": ["court", "law"], "exclude": ["food court"]},
            {"key": "other", "name": "Other", "residual": True},
        ],
    }
    data.update(extra)
    return build_codebook(data, stem, "stem", schema=SCHEMA, source="test codebook")


def sents(*texts, doc="d1"):
    return pd.DataFrame(
        {"doc_id": doc, "para_id": 0, "sent_id": range(len(texts)), "text": list(texts)}
    )


def run_sents(cb, stem, *texts, **opts):
    return classify_sentences(sents(*texts), cb, Matcher(cb), stem, {**OPTS, **opts})


# ---- sentence classification -----------------------------------------------------------------
def test_known_frames_multiword_and_inflections(stem):
    cb = small_codebook(stem)
    t, hits = run_sents(
        cb,
        stem,
        "The negotiations continued while negotiators negotiated.",  # 2 inflections of negotiate
        "Peace talks began; the armed forces withdrew.",  # two multiword phrases, two frames
        "The military wars went on.",  # weight 2 + inflected 'wars'
        "The weather was fine.",  # nothing
    )
    # ties keep codebook order
    assert t["labels"].tolist() == ["diplomacy", "security;diplomacy", "security", "other"]
    # 'negotiators' stems to 'negoti' too: three hits
    assert (hits[(hits.sent_id == 0)]["frame"] == "diplomacy").sum() == 3
    assert t.loc[2, "score_security"] == pytest.approx(3 / 5 * 100)
    assert t.loc[1, "share_security"] == pytest.approx(0.5)
    assert t.loc[3, "share_none"] == 1.0 and t.loc[3, "primary_frame"] == "other"


def test_longest_phrase_wins_and_exclusion(stem):
    cb = small_codebook(stem)
    t, hits = run_sents(
        cb,
        stem,
        "A court martial was held.",
        "We ate at the food court.",
        "The court ruled on the law.",
    )
    assert hits[hits.sent_id == 0]["indicator"].tolist() == ["court martial"]
    assert t["labels"].tolist() == ["security", "other", "legal"]


def test_negation(stem):
    cb = small_codebook(stem)
    t, hits = run_sents(
        cb,
        stem,
        "There will be no war.",
        "They didn't negotiate.",
        "No one doubts that, in the end, war came.",
    )
    assert t["labels"].tolist() == ["other", "other", "security"]  # 3rd: cue too far away
    assert hits["negated"].tolist() == [True, True, False]
    t0, _ = run_sents(cb, stem, "There will be no war.", negation_window=0)
    assert t0["labels"].tolist() == ["security"]


def test_relative_threshold_multilabel(stem):
    cb = small_codebook(stem)
    s = "The military ambassador spoke of war."  # security 3, diplomacy 1
    assert run_sents(cb, stem, s)[0]["labels"].tolist() == ["security"]
    assert run_sents(cb, stem, s, relative_threshold=0.3)[0]["labels"].tolist() == [
        "security;diplomacy"
    ]
    assert run_sents(cb, stem, s, min_weight=4)[0]["labels"].tolist() == ["other"]


def test_regex_indicator(stem):
    cb = small_codebook(
        stem,
        frames=[
            {"key": "econ", "name": "Econ", "terms": ["budget"], "regex": [r"[$€]\s?\d"]},
            {"key": "sec", "name": "Sec", "terms": ["war"]},
        ],
    )
    t, hits = run_sents(cb, stem, "It cost $5 million.", "It did not cost $5.")
    assert t["labels"].tolist() == ["econ", "none"]
    assert hits["indicator"].tolist() == [r"[$€]\s?\d"] * 2
    assert hits["negated"].tolist() == [False, True]


# ---- aggregation -----------------------------------------------------------------------------
def test_aggregation_maths(stem):
    cb = small_codebook(stem)
    s = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b"],
            "para_id": [0, 0, 1, 0],
            "sent_id": [0, 1, 2, 0],
            "text": [
                "War and peace talks now.",  # 5 words: security .5 diplomacy .5
                "The law.",  # 2 words: legal 1
                "Nothing here at all today friends.",  # 6 words: none
                "Nothing.",
            ],
        }
    )
    t, _ = classify_sentences(s, cb, Matcher(cb), stem, OPTS)
    docs = aggregate(t, ["doc_id"], cb, 0.15, 3).set_index("doc_id")
    assert docs.loc["a", "share_security"] == pytest.approx(2.5 / 13, abs=1e-6)
    assert docs.loc["a", "share_legal"] == pytest.approx(2 / 13, abs=1e-6)
    assert docs.loc["a", "share_none"] == pytest.approx(6 / 13, abs=1e-6)
    shares = [c for c in docs.columns if c.startswith("share_")]
    assert docs[shares].sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert docs.loc["a", "primary_frame"] == "security"  # tie with diplomacy: codebook order
    assert docs.loc["a", "labels"] == "security;diplomacy;legal"
    assert docs.loc["b", "primary_frame"] == "other" and docs.loc["b", "n_framed_sentences"] == 0
    paras = aggregate(t, ["doc_id", "para_id"], cb).set_index(["doc_id", "para_id"])
    assert paras.loc[("a", 1), "share_none"] == 1.0
    assert paras.loc[("a", 0), "share_legal"] == pytest.approx(2 / 7, abs=1e-6)


def test_no_frame_corpus_gives_explicit_none(stem):
    cb = small_codebook(stem)
    t, hits = run_sents(cb, stem, "Nothing to see.", "Still nothing.")
    assert hits.empty
    docs = aggregate(t, ["doc_id"], cb)
    dist = frame_distribution(docs, cb).set_index("frame")
    assert dist.loc["none", "mean_share"] == 1.0
    assert dist.loc["security", "mean_share"] == 0.0
    empty = aggregate(t.iloc[:0], ["doc_id"], cb)
    assert empty.empty and "share_none" in empty.columns


def test_classify_texts_keeps_order_and_empty_text(stem):
    cb = small_codebook(stem)
    out = classify_texts(
        ["x", "y", "z"], ["The law. The court.", "", "War. War."], cb, Matcher(cb), stem, OPTS
    )
    assert out["doc_id"].tolist() == ["x", "y", "z"]
    assert out["primary_frame"].tolist() == ["legal", "other", "security"]


# ---- codebook validation ---------------------------------------------------------------------
@pytest.mark.parametrize("path", ["policy_frames.yaml", "generic_frames.yaml"])
def test_shipped_codebooks_are_valid_and_rich(path, stem):
    cb = build_codebook(
        read_codebook_yaml(REPO / "config/codebooks" / path),
        stem,
        "stem",
        schema=SCHEMA,
        source=path,
    )
    expected = 15 if path.startswith("policy") else 5
    assert len(cb.frames) == expected
    terms = cb.terms_table()
    for key in cb.scored_keys:
        assert (terms["frame"] == key).sum() >= 40, key
        assert next(f for f in cb.frames if f["key"] == key)["definition"]
    assert cb.citation


def test_policy_codebook_names_match_issue(stem):
    cb = (
        load_codebook(
            REPO / "config/codebooks/policy_frames.yaml",
            "stem",
            schema_path=REPO / "workflow/schemas/codebook.schema.yaml",
        )
        if _has_tokenize()
        else build_codebook(
            read_codebook_yaml(REPO / "config/codebooks/policy_frames.yaml"), stem, "stem"
        )
    )
    assert [f["name"] for f in cb.frames] == [
        "Economic",
        "Capacity and resources",
        "Morality",
        "Fairness and equality",
        "Legality, constitutionality and jurisprudence",
        "Policy prescription and evaluation",
        "Crime and punishment",
        "Security and defense",
        "Health and safety",
        "Quality of life",
        "Cultural identity",
        "Public opinion",
        "Political",
        "External regulation and reputation",
        "Other",
    ]
    assert cb.residual == "other"


def _has_tokenize():
    try:
        import newslens.tokenize  # noqa: F401

        return True
    except ImportError:
        return False


@pytest.mark.parametrize(
    "frames, message",
    [
        ([{"key": "a", "name": "A", "terms": ["x"], "indicators": ["y"]}], "indicators"),
        ([{"key": "a", "name": "A", "terms": []}], "has no indicator"),
        ([{"key": "a", "name": "A", "regex": ["(unclosed"]}], "malformed"),
        (
            [{"key": "a", "name": "A", "terms": ["x"]}, {"key": "a", "name": "B", "terms": ["y"]}],
            "duplicate frame key 'a'",
        ),
        (
            [{"key": "a", "name": "A", "terms": ["x"]}, {"key": "b", "name": "a", "terms": ["y"]}],
            "duplicate frame name",
        ),
        (
            [{"key": "A-1", "name": "A", "terms": ["x"]}],
            "frames.0..key .frame 'A-1'.: 'A-1' does not match",
        ),
        ([{"key": "a", "name": "A", "residual": True, "terms": ["x"]}], "residual frame 'a'"),
    ],
)
def test_bad_codebooks(frames, message, stem):
    with pytest.raises(NewslensError, match=message):
        build_codebook({"name": "bad", "frames": frames}, stem, "stem", schema=SCHEMA)


def test_duplicate_yaml_keys_and_overlaps(tmp_path, stem):
    p = tmp_path / "cb.yaml"
    p.write_text("name: x\nframes:\n  - key: a\n    name: A\n    terms: [war]\n    terms: [law]\n")
    with pytest.raises(NewslensError, match="duplicate key 'terms' at line 6"):
        read_codebook_yaml(p)
    cb = build_codebook(
        {
            "name": "x",
            "frames": [
                {"key": "a", "name": "A", "terms": ["war", "negotiations"]},
                {"key": "b", "name": "B", "terms": ["wars", "court"]},
            ],
        },
        stem,
        "stem",
        schema=SCHEMA,
    )
    assert cb.overlaps["normalized"].tolist() == ["war"]
    assert cb.overlaps["frames"].tolist() == ["a;b"]
    t, _ = run_sents(cb, stem, "The war.")  # an overlapping term counts for both frames
    assert t["labels"].tolist() == ["a;b"]


# ---- labels, metrics, alpha, baselines -------------------------------------------------------
def test_label_aliases_and_unknown(stem):
    cb = small_codebook(stem)
    labels, report = parse_labels(
        pd.Series(["Security", "8.0;Diplomacy", "SEC", "none", "legal ; Weather"]), cb, ";", "keep"
    )
    # "8" is an explicit alias of this test codebook; no frame is an empty set (not "other")
    assert labels == [
        ["security"],
        ["security", "diplomacy"],
        ["security"],
        [],
        ["legal", "Weather"],
    ]
    assert report["label"].tolist() == ["Weather"]
    assert parse_labels(pd.Series(["legal;Weather"]), cb, ";", "drop")[0] == [["legal"]]
    with pytest.raises(NewslensError, match="'Weather' .1 items, first line 1"):
        parse_labels(pd.Series(["legal;Weather"]), cb, ";", "error")


def test_scores_hand_computed():
    frames = ["a", "b", "c"]
    y = to_matrix([["a"], ["a", "b"], ["c"], ["b"]], frames)
    p = to_matrix([["a"], ["b"], ["a"], ["b", "c"]], frames)
    s, per = scores(y, p, frames)
    per = per.set_index("frame")
    # a: tp1 fp1 fn1; b: tp2 fp0 fn0; c: tp0 fp1 fn1
    assert per.loc["a", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert per.loc["b", "f1"] == 1.0 and per.loc["c", "f1"] == 0.0
    assert s["micro_precision"] == pytest.approx(3 / 5)
    assert s["micro_recall"] == pytest.approx(3 / 5)
    assert s["macro_f1"] == pytest.approx(0.5)
    assert s["subset_accuracy"] == pytest.approx(0.25)


def test_krippendorff_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal data,
    # 4 coders x 12 units with missing values: alpha = 0.743
    n = np.nan
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
        ]
    )
    assert kalpha(data) == pytest.approx(0.743, abs=5e-4)
    # two coders, 4 units (1,1) (0,0) (0,0) (1,0), hand computed: coincidences o11=2,
    # o00=4, o01=o10=1; n=8, n1=3, n0=5 -> D_o = 2/8, D_e = 2*3*5/(8*7) -> alpha = 8/15
    assert kalpha(np.array([[1, 0, 0, 1], [1, 0, 0, 0]], dtype=float)) == pytest.approx(8 / 15)
    # units (1,1) (0,0) (0,1) (1,0): o11=o00=o01=o10=2 -> alpha = 1 - (4/8)/(32/56) = 0.125
    assert kalpha(np.array([[1, 0, 0, 1], [1, 0, 1, 0]], dtype=float)) == pytest.approx(0.125)
    assert np.isnan(kalpha(np.ones((2, 5))))


def test_baseline_and_evaluate():
    frames = ["a", "b", "c"]
    y = to_matrix([["a"], ["a"], ["b"], ["a"], ["c"]], frames)
    base = topk_baselines(y, 5)["baseline_most_frequent"]
    assert base[:, 0].tolist() == [1] * 5 and base[:, 1:].sum() == 0
    summary, per = evaluate(y, {"perfect": y, "baseline": base}, frames, single=True)
    s = summary.set_index("method")
    assert s.loc["perfect", "micro_f1"] == 1.0 and s.loc["perfect", "alpha_pooled"] == 1.0
    assert s.loc["perfect", "alpha_frame"] == 1.0
    assert s.loc["baseline", "micro_f1"] == pytest.approx(0.6)
    assert set(per["method"]) == {"perfect", "baseline"}


# ---- supervised ------------------------------------------------------------------------------
def planted_corpus(n=240, seed=0):
    rng = np.random.default_rng(seed)
    vocab = {
        "econ": ["budget", "tax", "market", "inflation", "prices"],
        "sec": ["troops", "missile", "border", "army", "attack"],
        "pol": ["election", "party", "vote", "senate", "campaign"],
    }
    filler = [f"w{i}" for i in range(300)]
    texts, labels = [], []
    for i in range(n):
        # unbalanced: econ is the majority frame, some rows carry two frames
        fr = ["econ"] if i % 2 == 0 else (["sec"] if i % 4 == 1 else ["pol"])
        if i % 10 == 3:
            fr = fr + ["econ"] if "econ" not in fr else fr + ["sec"]
        words = list(rng.choice(filler, 25))
        for f in fr:
            words += list(rng.choice(vocab[f], 3))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(fr)
    return texts, labels


def test_supervised_recovers_planted_labels():
    from newslens.frames_supervised import cross_validate

    texts, labels = planted_corpus()
    frames = ["econ", "sec", "pol"]
    Y = to_matrix(labels, frames)
    params = {
        "folds": 4,
        "C_grid": [1.0, 8.0],
        "inner_folds": 2,
        "class_weight": "balanced",
        "ngram_max": 1,
        "threshold": 0.5,
        "seed": 1,
    }
    pred, chosen, fold_of = cross_validate(texts, Y, params, single_label=False)
    s, _ = scores(Y, pred, frames)
    base, _ = scores(Y, topk_baselines(Y, len(Y))["baseline_most_frequent"], frames)
    assert s["micro_f1"] > 0.9 and s["macro_f1"] > 0.9
    assert s["micro_f1"] > base["micro_f1"] + 0.3
    assert len(chosen) == 4 and sorted(set(fold_of)) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "texts, labels, message",
    [
        (["a b", " "], [["x"], ["y"]], "empty text .first rows: 1"),
        (["a b", "c d"], [["x"], ["x"]], "same single frame"),
        (["a b", "c d"], [["x"], []], "no frame label"),
    ],
)
def test_supervised_bad_labeled_data(texts, labels, message):
    from newslens.frames_supervised import check_labeled

    with pytest.raises(NewslensError, match=message):
        check_labeled(texts, labels)


# ---- actors x frames -------------------------------------------------------------------------
def test_actor_frame_counts(stem):
    cb = small_codebook(stem)
    t, _ = run_sents(
        cb,
        stem,
        "Armenia and Russia went to war.",
        "Armenia sent an ambassador.",
        "Russia, Russia.",
        "Nothing.",
    )
    mentions = pd.DataFrame(
        {
            "doc_id": "d1",
            "para_id": 0,
            "sent_id": [0, 0, 1, 2, 2],
            "actor": ["Armenia", "Russia", "Armenia", "Russia", "Russia"],
            "alias": ["Armenia", "Russia", "Armenia", "Russia", "Russia"],
            "start": 0,
            "end": 1,
        }
    )
    half = [
        actor_frame_counts(mentions[mentions.sent_id < 2], t, cb),
        actor_frame_counts(mentions[mentions.sent_id >= 2], t, cb),
    ]
    out = finish_actor_frames(pd.concat(half), cb, ["Armenia", "Russia", "NATO"])
    o = out.set_index(["actor", "frame"])
    assert o.loc[("Armenia", "security"), "n_sentences"] == 1
    assert o.loc[("Armenia", "diplomacy"), "n_sentences"] == 1
    assert o.loc[("Armenia", "security"), "share"] == 0.5
    assert o.loc[("Russia", "security"), "n_actor_sentences"] == 2  # 2 mentions in sent 2 = 1
    assert o.loc[("Russia", "none"), "frame_share"] == 0.5
    assert o.loc[("NATO", "security"), "n_actor_sentences"] == 0
    assert out.groupby("actor")["frame_share"].sum()[
        ["Armenia", "Russia"]
    ].tolist() == pytest.approx([1.0, 1.0])


def test_exclusion_blocks_only_its_own_frame(stem):
    cb = build_codebook(
        {
            "name": "x",
            "frames": [
                {
                    "key": "ext",
                    "name": "Ext",
                    "terms": ["world", "world order"],
                    "exclude": ["world war"],
                },
                {"key": "sec", "name": "Sec", "terms": ["war"]},
            ],
        },
        stem,
        "stem",
        schema=SCHEMA,
    )
    t, hits = run_sents(cb, stem, "The world war began.", "A new world order.", "No world war.")
    assert t["labels"].tolist() == ["sec", "ext", "other" if cb.residual else "none"]
    assert hits["indicator"].tolist() == ["war", "world order", "war"]
    assert hits["negated"].tolist() == [False, False, True]  # "no" two words before "war"


def test_figures_for_unframed_and_empty_input(stem, tmp_path):
    from newslens.figures import apply_style, save_figure
    from newslens.frames_figures import (
        actor_heatmap,
        distribution_figure,
        position_figure,
        validation_figure,
    )

    cb = small_codebook(stem)
    t, _ = run_sents(cb, stem, "Nothing to see.", "Still nothing.")
    docs = aggregate(t, ["doc_id"], cb)
    paras = aggregate(t, ["doc_id", "para_id"], cb)
    dist = frame_distribution(docs, cb)
    positions = PositionSums(15)
    positions(paras)
    apply_style()
    figs = {
        "dist": distribution_figure(dist, "Frames"),
        "pos": position_figure(positions.table(), cb.names(), "Frames through the article"),
        "empty_pos": position_figure(PositionSums(15).table(), cb.names(), "x"),
        "actors": actor_heatmap(finish_actor_frames(pd.DataFrame(), cb, ["A"]), cb.names(), "x"),
        "val": validation_figure(pd.DataFrame(), pd.DataFrame(), {}, "x"),
    }
    # the unframed corpus is drawn as 100 % "No frame", not as an empty axis
    bars = [p.get_width() for p in figs["dist"].axes[0].patches]
    assert max(bars) == pytest.approx(100.0)
    for name, fig in figs.items():
        save_figure(fig, tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 2000
    # nothing to plot: the figure says so
    empty_texts = [t.get_text() for t in figs["empty_pos"].axes[0].texts]
    assert any("No paragraphs" in s for s in empty_texts)


def test_position_sums_over_shards():
    shard1 = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a"],
            "para_id": [0, 1, 2],
            "share_x": [1.0, 0.0, 0.5],
            "share_none": [0.0, 1.0, 0.5],
        }
    )
    shard2 = pd.DataFrame(
        {"doc_id": ["b", "b"], "para_id": [0, 5], "share_x": [0.0, 1.0], "share_none": [1.0, 0.0]}
    )
    ps = PositionSums(3)
    ps(shard1)
    ps(shard2)
    t = ps.table().set_index("position")
    assert t["n_paragraphs"].tolist() == [2, 1, 2]
    assert t["share_x"].tolist() == pytest.approx([0.5, 0.0, 0.75])
    assert t["pooled"].tolist() == [False, False, True]
    assert t["n_documents"].iloc[0] == 2


# One news-like sentence per frame, written from the frame definitions (not from the term
# lists): the shipped codebooks must give each its frame as the primary one.
PFC_SENTENCES = {
    "economic": "The new tariffs will cost American businesses billions of dollars and raise consumer prices.",
    "capacity_resources": "Overcrowded shelters are running out of beds, and the understaffed agency faces a backlog of 500,000 cases.",
    "morality": "Church leaders called the practice immoral and said Christians have a moral duty to oppose it.",
    "fairness_equality": "Critics say the law discriminates against minorities and treats poor defendants unfairly.",
    "legality": "The Supreme Court ruled that the ban was unconstitutional, and the judge issued an injunction.",
    "policy_prescription": "The governor proposed a reform plan to overhaul the program and said the policy would be implemented next year.",
    "crime_punishment": "Police arrested the suspect, who was charged with murder and faces life in prison if convicted.",
    "security_defense": "Troops and tanks massed at the border as the military warned of a missile attack.",
    "health_safety": "Doctors at the hospital treated dozens of patients infected with the virus during the outbreak.",
    "quality_of_life": "Families displaced by the flooding struggle with daily life, and children cannot go to school.",
    "cultural_identity": "The festival celebrates the nation's heritage, traditions and language.",
    "public_opinion": "A new poll found that a majority of voters disapprove, and protesters rallied outside.",
    "political": "Republican lawmakers in Congress blocked the bill ahead of the election campaign.",
    "external_reputation": "The foreign minister met the ambassador to discuss bilateral relations and sanctions.",
}
GENERIC_SENTENCES = {
    "conflict": "The two sides clashed again, accusing each other of provoking the dispute.",
    "human_interest": "Her mother wept as she recalled the day her son died, holding his photo.",
    "economic_consequences": "The plan will cost taxpayers billions and could lead to thousands of job losses.",
    "morality": "Religious leaders said it is morally wrong and a sin before God.",
    "responsibility": "Critics blamed the government and said the authorities are responsible and must act urgently.",
}


@pytest.mark.parametrize(
    "path, sentences",
    [("policy_frames.yaml", PFC_SENTENCES), ("generic_frames.yaml", GENERIC_SENTENCES)],
)
def test_shipped_codebooks_on_hand_built_sentences(path, sentences, stem):
    cb = build_codebook(
        read_codebook_yaml(REPO / "config/codebooks" / path), stem, "stem", schema=SCHEMA
    )
    t, _ = run_sents(cb, stem, *sentences.values())
    assert dict(zip(sentences, t["primary_frame"], strict=True)) == {k: k for k in sentences}
