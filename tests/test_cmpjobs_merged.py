"""compare_groups also writes the actors x frames table (the former compare_actor_frames job):
on small tables, its actor x frame and actor sentiment tables equal the separate computations
of the two former jobs (the actor table read with their own columns, the groups read on their
own), byte for byte, and the rule carries the former job's parameters and outputs."""

from __future__ import annotations

import importlib.util
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from newslens import compare as cp
from newslens import compare_actors as ca
from newslens.compare_bootstrap import bootstrap_args
from newslens.compare_small import ITEM_RANGES
from newslens.runtime import read_parquet, write_table

FRAMES = ["war", "aid", "economy"]


class Named(dict):
    __getattr__ = dict.__getitem__

    def __iter__(self):
        return iter(self.values())


def _inputs(tmp):
    rng = np.random.default_rng(21)
    n = 180
    docs = pd.DataFrame(
        {
            "doc_id": [f"a{i:04d}" for i in range(n)],
            "date": [f"2024-03-{1 + i % 20:02d}" for i in range(n)],
            "outlet": rng.choice(["outlet_1", "outlet_2", "outlet_10"], n),
            "lede": "text",
        }
    )
    docs.to_csv(tmp / "documents.csv", index=False)
    sent = pd.DataFrame(
        {"doc_id": np.repeat(docs["doc_id"], 4), "sent_id": np.tile(np.arange(4), n)}
    )
    raw = rng.random((len(sent), len(FRAMES))) * (rng.random((len(sent), len(FRAMES))) < 0.5)
    total = raw.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, raw / np.where(total > 0, total, 1), 0.0)
    for j, f in enumerate(FRAMES):
        sent[f"share_{f}"] = shares[:, j]
    sent["share_none"] = (total[:, 0] == 0).astype(float)
    sent["primary_frame"] = np.where(total[:, 0] > 0, np.array(FRAMES)[shares.argmax(1)], "none")
    sent.to_parquet(tmp / "frames_sentences.parquet", index=False)
    per_doc = sent.groupby("doc_id")[[f"share_{f}" for f in FRAMES]].mean().reset_index()
    per_doc.to_csv(tmp / "frames_documents.csv", index=False)
    pd.DataFrame({"frame": FRAMES, "name": ["War", "Aid", "Economy"]}).to_csv(
        tmp / "frames_distribution.csv", index=False
    )
    pick = rng.random(len(sent)) < 0.6
    actors = sent.loc[pick, ["doc_id", "sent_id"]].assign(
        actor=rng.choice(["Russia", "Armenia", "EU"], int(pick.sum())),
        compound=rng.uniform(-1, 1, int(pick.sum())).round(4),
    )
    actors.to_parquet(tmp / "actors.parquet", index=False)
    topics = pd.DataFrame({"doc_id": docs["doc_id"]})
    mix = rng.dirichlet([1, 1], n)
    topics["topic_1"], topics["topic_2"] = mix[:, 0], mix[:, 1]
    topics.to_csv(tmp / "topic_articles.csv", index=False)
    pd.DataFrame({"topic": [1, 2], "label": ["ceasefire", "gas"]}).to_csv(
        tmp / "topic_summary.csv", index=False
    )


def _smk(tmp):
    inp = Named(
        frames=str(tmp / "frames_documents.csv"),
        actors=str(tmp / "actors.parquet"),
        topics=str(tmp / "topic_articles.csv"),
        topic_summary=str(tmp / "topic_summary.csv"),
        frame_names=str(tmp / "frames_distribution.csv"),
        documents=str(tmp / "documents.csv"),
        frames_sentences=str(tmp / "frames_sentences.parquet"),
    )
    out = Named()
    for kind in ("frames", "actors", "topics"):
        for key, name in [("table", ""), ("time", "_time"), ("effects", "_effects")]:
            out[f"{kind}_{key}"] = str(tmp / "out" / f"compare_{kind}{name}.csv")
        for fmt in ("png", "svg"):
            out[f"{kind}_{fmt}"] = str(tmp / "out" / f"compare_{kind}.{fmt}")
            out[f"{kind}_time_{fmt}"] = str(tmp / "out" / f"compare_{kind}_time.{fmt}")
    out["actor_frames_table"] = str(tmp / "out" / "compare_actor_frames.csv")
    for fmt in ("png", "svg"):
        out[f"actor_frames_{fmt}"] = str(tmp / "out" / f"compare_actor_frames.{fmt}")
    params = Named(
        by=["outlet"],
        reference="rest",
        min_articles=5,
        bootstrap={"resamples": 200, "confidence": 0.95, "seed": 7},
        period="week",
        time_model="dummies",
        spline_df=5,
        max_items=12,
        min_cell_n=10,
        max_actors=2,
        figure_actors=6,
        figure_groups=8,
    )
    return SimpleNamespace(input=inp, output=out, params=params, log=[], rule="compare_groups")


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmpjobs_merged")
    (tmp / "out").mkdir()
    _inputs(tmp)
    smk = _smk(tmp)
    spec = importlib.util.spec_from_file_location(
        "compare_groups", REPO / "scripts" / "compare_groups.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(smk)
    return tmp, smk


def test_actor_frames_equal_the_former_job(merged):
    tmp, smk = merged
    p = smk.params
    # the former compare_actor_frames job, step by step
    groups = cp.read_groups(smk.input.documents, p.by)
    rows = read_parquet(smk.input.actors, columns=["doc_id", "sent_id", "actor"])
    actors = ca.top_actors(rows, p.max_actors)
    wanted = ["doc_id", "sent_id", *[f"share_{f}" for f in FRAMES]]
    frames = read_parquet(smk.input.frames_sentences, columns=wanted)
    values, sentences, _names, _n = ca.actor_frame_shares(rows, frames, actors)
    tab = ca.actor_frame_differences(values, sentences, groups, p.reference, **bootstrap_args(p))
    write_table(tab.round(6), tmp / "former_actor_frames.csv")
    got = (tmp / "out" / "compare_actor_frames.csv").read_bytes()
    assert got == (tmp / "former_actor_frames.csv").read_bytes()
    table = pd.read_csv(tmp / "out" / "compare_actor_frames.csv")
    assert set(table["actor"]) == set(actors) and len(actors) == 2  # compare.max_actors
    assert (
        set(table["frame"]) == set(FRAMES) and len(table) == 3 * 2 * 3
    )  # groups x actors x frames
    assert (tmp / "out" / "compare_actor_frames.png").stat().st_size > 10_000


def test_actor_sentiment_equals_the_former_read(merged):
    tmp, smk = merged
    p = smk.params
    groups = cp.read_groups(smk.input.documents, p.by)
    values = cp.read_item_values("actors", smk.input.actors)  # its own three columns
    tab = cp.group_differences(
        values, groups, p.reference, **bootstrap_args(p), bounds=ITEM_RANGES["actors"]
    )
    write_table(tab.round(6), tmp / "former_actors.csv")
    assert (tmp / "out" / "compare_actors.csv").read_bytes() == (
        tmp / "former_actors.csv"
    ).read_bytes()
    assert set(pd.read_csv(tmp / "former_actors.csv")["item"]) == {"Russia", "Armenia", "EU"}


def test_the_rule_carries_the_former_jobs_params_and_outputs():
    text = (REPO / "workflow" / "rules" / "compare.smk").read_text(encoding="utf-8")
    rule = re.search(r"rule compare_groups:(.*?)(?=^rule |\Z)", text, re.S | re.M).group(1)
    for key in ("max_actors=", "figure_actors=", "frames_sentences=", "actor_frames_table="):
        assert key in rule
    assert "rule compare_actor_frames" not in text
    assert not (REPO / "scripts" / "compare_actor_frames.py").exists()
