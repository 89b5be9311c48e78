"""End to end: the topic stage on the seed (one article, modelled by paragraph)."""

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_workdir, run_snakemake

TOPIC_TABLES = [
    "topic_vocabulary.csv",
    "topic_model_selection.csv",
    "topic_terms.csv",
    "topic_documents.csv",
    "topic_articles.csv",
    "topic_summary.csv",
    "topic_representatives.csv",
    "topic_by_metadata.csv",
    "topic_network_nodes.csv",
    "topic_network_edges.csv",
]
TOPIC_FIGURES = [
    "topic_terms",
    "topic_prevalence",
    "topic_k_selection",
    "topic_by_metadata",
    "topic_network",
    "topic_validation",
]


def read(tables, name):
    return pd.read_csv(tables / name, keep_default_na=False)


def test_seed_is_modelled_by_paragraph_with_k_capped(seed_tables):
    sel = read(seed_tables, "topic_model_selection.csv")
    assert set(sel["unit"]) == {"paragraph"}
    grid = sel[sel["stage"] == "subsample"]
    # 13 paragraphs, 10 per subsample fit, >= 2 per topic: K=3, 4, 5 of the default list left.
    assert grid[["K", "seed"]].values.tolist() == [[k, s] for k in (3, 4, 5) for s in (0, 1, 2)]
    assert (grid["n_units"] == 10).all()
    ref = sel[sel["stage"] == "reference"]
    assert ref[["K", "seed", "n_units"]].values.tolist() == [[k, 0, 13] for k in (3, 4, 5)]
    means = grid.groupby("K")["stability"].mean()
    assert ref["stability"].tolist() == pytest.approx(means.tolist(), abs=1e-6)
    final = sel[sel["stage"] == "final"].iloc[0]
    k = int(final["K"])
    assert final["selected"] in (True, "True") and k in (3, 4, 5) and final["n_units"] == 13
    # the stability rule: the most stable K, or a smaller one within 1 standard error of it
    best = means.idxmax()
    se = grid[grid["K"] == best]["stability"].std() / np.sqrt(3)
    assert k <= best and means[k] >= means[best] - se - 1e-6
    assert grid["coherence"].between(-1, 1).all() and grid["stability"].between(0, 1).all()
    assert final["diversity"] == pytest.approx(
        read(seed_tables, "topic_terms.csv").query("rank <= 25")["term"].nunique() / (k * 20),
        abs=0.2,
    )


def test_seed_topic_tables_are_consistent(seed_tables):
    paragraphs = read(seed_tables, "paragraphs.csv")
    docs = read(seed_tables, "topic_documents.csv")
    summary = read(seed_tables, "topic_summary.csv")
    terms = read(seed_tables, "topic_terms.csv")
    k = len(summary)
    assert k in (3, 4, 5) and summary["topic"].tolist() == list(range(1, k + 1))
    # one row per paragraph of the article, in order
    assert len(docs) == len(paragraphs) == 13
    assert docs["para_id"].astype(int).tolist() == list(range(13))
    assert (docs["unit"] == docs["doc_id"] + "#" + docs["para_id"].astype(str)).all()
    shares = docs[[f"topic_{i}" for i in range(1, k + 1)]].to_numpy(dtype=float)
    has = docs["n_terms"] > 0
    assert np.allclose(shares[has].sum(axis=1), 1.0, atol=1e-5)
    assert (docs.loc[has, "dominant_topic"].astype(int) == shares[has].argmax(axis=1) + 1).all()
    # the article's mixture: its paragraphs' shares weighted by their terms
    art = read(seed_tables, "topic_articles.csv")
    assert len(art) == 1 and art["n_units"].iloc[0] == 13
    w = docs["n_terms"].to_numpy(dtype=float)
    expect = (shares * w[:, None]).sum(axis=0) / w.sum()
    assert np.allclose(
        art[[f"topic_{i}" for i in range(1, k + 1)]].to_numpy()[0], expect, atol=1e-5
    )
    # prevalence is the mean share; topics are numbered by prevalence
    assert summary["prevalence"].sum() == pytest.approx(1.0, abs=1e-4)
    assert summary["prevalence"].is_monotonic_decreasing
    assert np.allclose(summary["prevalence"], shares[has].mean(axis=0), atol=1e-5)
    assert summary["coherence"].between(-1, 1).all()
    for t, label in zip(summary["topic"], summary["label"], strict=True):
        top = terms[terms["topic"] == t].sort_values("rank")
        assert top["rank"].tolist() == list(range(1, len(top) + 1))
        assert top["weight"].is_monotonic_decreasing
        assert label.split(", ")[0] == top["term"].iloc[0]
    vocab = set(read(seed_tables, "topic_vocabulary.csv")["term"])
    assert set(terms["term"]) <= vocab and "csto" not in vocab  # in > half the paragraphs


def test_seed_representatives_quote_their_paragraph(seed_tables):
    reps = read(seed_tables, "topic_representatives.csv")
    paragraphs = read(seed_tables, "paragraphs.csv").set_index("para_id")["text"]
    k = len(read(seed_tables, "topic_summary.csv"))
    assert set(reps["topic"]) == set(range(1, k + 1))
    for _, r in reps.iterrows():
        text = " ".join(paragraphs[int(r["para_id"])].split())
        assert text.startswith(r["snippet"].removesuffix(" …"))
    first = reps[reps["rank"] == 1]
    docs = read(seed_tables, "topic_documents.csv").set_index("unit")
    for _, r in first.iterrows():  # the top representative has the highest share of its topic
        assert r["share"] == pytest.approx(docs[f"topic_{r['topic']}"].max(), abs=1e-6)


def test_seed_metadata_and_network(seed_tables):
    by_meta = read(seed_tables, "topic_by_metadata.csv")
    assert by_meta["variable"].unique().tolist() == ["month"]  # the seed is dated, no outlet
    assert by_meta["value"].unique().tolist() == ["2022-11"]
    nodes = read(seed_tables, "topic_network_nodes.csv")
    edges = read(seed_tables, "topic_network_edges.csv")
    assert nodes["topic"].tolist() == list(range(1, len(nodes) + 1))
    assert len(nodes) == len(read(seed_tables, "topic_summary.csv"))
    assert (edges["correlation"] > 0).all() and (edges["source"] < edges["target"]).all()
    assert (
        nodes["degree"]
        == [((edges.source == t) | (edges.target == t)).sum() for t in nodes["topic"]]
    ).all()


def test_seed_topic_figures_exist(seed_run):
    for name in TOPIC_FIGURES:
        for suffix in (".png", ".svg"):
            path = seed_run / "results" / "figures" / f"{name}{suffix}"
            assert path.stat().st_size > 1500, path
    # one article of one month: nothing to compare, and the figure says so
    svg = (seed_run / "results" / "figures" / "topic_by_metadata.svg").read_text()
    assert "Nothing to compare" in svg and "month (one value)" in svg


@pytest.fixture(scope="module")
def topic_copy(seed_run, tmp_path_factory):
    """A copy of the seed run in which only the topic jobs are run again."""
    workdir = tmp_path_factory.mktemp("topics") / "w"
    shutil.copytree(seed_run, workdir, symlinks=True)
    return workdir


def test_topic_tables_are_deterministic(seed_run, topic_copy):
    run_snakemake(
        topic_copy, "--forcerun", "topic_dtm", *[f"results/tables/{t}" for t in TOPIC_TABLES]
    )
    for name in TOPIC_TABLES:
        a = (seed_run / "results" / "tables" / name).read_bytes()
        b = (topic_copy / "results" / "tables" / name).read_bytes()
        assert a == b, name


def test_emptied_vocabulary_names_the_filter(topic_copy):
    cfg_path = topic_copy / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["topics"]["min_df"] = 50
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    proc = run_snakemake(topic_copy, "results/tables/topic_vocabulary.csv", check=False)
    assert proc.returncode != 0
    log = (topic_copy / "results" / "logs" / "topic_dtm.log").read_text()
    assert "topics.min_df=50 removed every term" in log and "Traceback" not in log


@pytest.mark.parametrize("k", [[5, 5], [0, 5]])
def test_bad_k_list_is_a_schema_error(tmp_path, k):
    workdir = make_workdir(tmp_path, topics__k=k)
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0
    out = proc.stderr + proc.stdout
    assert "config key topics.k" in out
    assert ("non-unique" in out) if k == [5, 5] else ("minimum 2" in out)
