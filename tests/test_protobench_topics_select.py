"""The topic_model job as package functions (newslens.topics_select): on a planted corpus the
grid chooses the planted K, the final fit numbers topics by prevalence, and run_topic_model
writes the selection and validation tables, the fit and fit.json from plain namespaces."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
from newslens import topics as tp
from newslens import topics_select as ts
from newslens.topics_synthetic import planted_counts
from scipy import sparse


def params(**over):
    base = dict(
        model="nmf-frobenius",
        k=[2, 3, 4, 6],
        seeds=[0, 1, 2],
        max_iter=None,
        tol=1e-4,
        grid_tol=1e-3,
        grid_max_iter=None,
        incremental=False,
        batch_size=2048,
        fit_sample=50_000,
        grid_sample=5000,
        stability_subsample=0.8,
        stability_min=0.6,
        k_rule="stability",
        stability_tie_se=1.0,
        stability_init="random",
        validation_column="cat",
        min_units_per_topic=2,
        coherence_top_n=10,
        diversity_top_n=25,
        stability_top_n=20,
    )
    base.update(over)
    return SimpleNamespace(**base)


def planted(tmp_path):
    x, labels, _ = planted_counts(
        200,
        n_topics=3,
        words_per_topic=60,
        background_words=400,
        doc_length=80,
        background_share=0.3,
        second_share=0.1,
        seed=3,
    )
    x = sparse.csr_matrix(x)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = (df >= 2) & (df <= 0.5 * x.shape[0])
    x = x[:, keep].tocsr()
    n = x.shape[0]
    sparse.save_npz(tmp_path / "dtm.npz", x)
    pd.DataFrame({"term": [f"w{i}" for i in range(x.shape[1])], "df": df[keep]}).to_csv(
        tmp_path / "vocab.csv", index=False
    )
    units = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "unit_type": "article",
            "n_terms": np.asarray(x.sum(axis=1)).ravel().astype(int),
        }
    )
    units.to_parquet(tmp_path / "units.parquet", index=False)
    pd.DataFrame({"doc_id": units["doc_id"], "cat": [f"c{v}" for v in labels]}).to_csv(
        tmp_path / "documents.csv", index=False
    )
    return x, labels


def test_choose_k_and_final_fit_on_planted_topics(tmp_path):
    x, labels = planted(tmp_path)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    nonempty = np.arange(x.shape[0])
    p = params()
    choice = ts.choose_k(x, df, x.shape[0], nonempty, [2, 3, 4, 6], p, threads=1)
    assert choice.k == 3
    assert len(choice.fits) == 4 * 4  # per K one reference and three subsample fits
    assert all(f.cpu_seconds > 0 for f in choice.fits)
    final = ts.final_fit(x, df, x.shape[0], nonempty, choice, p)
    prevalence = tp.mixture(final["w"]).mean(axis=0)
    assert final["w"].shape == (x.shape[0], 3)
    assert np.all(np.diff(prevalence) <= 1e-12)  # most prevalent first
    assert tp.nmi(labels, tp.dominant_topic(final["share"])) > 0.8
    table = ts.selection_table(choice, final, "article", p)
    assert table["selected"].sum() == 1
    assert table.loc[table["selected"], ["K", "stage"]].values.tolist() == [[3, "final"]]


def test_run_topic_model_writes_its_outputs(tmp_path):
    planted(tmp_path)
    inp = SimpleNamespace(
        dtm=tmp_path / "dtm.npz",
        units=tmp_path / "units.parquet",
        vocabulary=tmp_path / "vocab.csv",
        documents=tmp_path / "documents.csv",
    )
    out = SimpleNamespace(
        selection=tmp_path / "sel.csv",
        validation=tmp_path / "val.csv",
        fit=tmp_path / "fit.npz",
        info=tmp_path / "fit.json",
    )
    ts.run_topic_model(inp, out, params(), threads=1)
    info = json.loads(out.info.read_text())
    assert info["K"] == 3 and info["k_fitted"] == [2, 3, 4, 6] and info["k_rule"] == "stability"
    val = pd.read_csv(out.validation)
    assert val.loc[val["stage"] == "final", "nmi"].iloc[0] > 0.8
    assert set(val.loc[val["stage"] == "reference", "K"]) == {2, 3, 4, 6}
    fit = np.load(out.fit)
    assert fit["w"].shape[1] == fit["h"].shape[0] == 3
    # single K: no grid, the reason says so
    ts.run_topic_model(inp, out, params(k=4), threads=1)
    info = json.loads(out.info.read_text())
    assert info["K"] == 4 and info["k_rule"] == "fixed" and "single number" in info["rule"]
    assert pd.read_csv(out.selection)["stage"].tolist() == ["final"]
