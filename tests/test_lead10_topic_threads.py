"""The topic model does not depend on the job's threads (--cores): the final fit and the
transform run with one BLAS thread, the grid's fits in single-threaded workers, so
run_topic_model with 1 and with 2 threads writes the same fit and tables, bit for bit."""

from types import SimpleNamespace

import numpy as np
from newslens import topics_select as ts
from test_protobench_topics_select import params, planted


def run(tmp_path, threads):
    inp = SimpleNamespace(
        dtm=tmp_path / "dtm.npz",
        units=tmp_path / "units.parquet",
        vocabulary=tmp_path / "vocab.csv",
        documents=tmp_path / "documents.csv",
    )
    out = SimpleNamespace(
        selection=tmp_path / f"sel{threads}.csv",
        validation=tmp_path / f"val{threads}.csv",
        fit=tmp_path / f"fit{threads}.npz",
        info=tmp_path / f"fit{threads}.json",
    )
    ts.run_topic_model(inp, out, params(), threads=threads)
    return out


def test_final_fit_asks_for_one_blas_thread(tmp_path, monkeypatch):
    planted(tmp_path)
    limits = []
    real = ts.threadpool_limits

    def recording(limits_arg=None, **kw):
        limits.append(kw.get("limits", limits_arg))
        return real(**kw) if kw else real(limits_arg)

    monkeypatch.setattr(ts, "threadpool_limits", recording)
    run(tmp_path, threads=2)
    assert limits == [1]


def test_two_threads_write_the_same_model_as_one(tmp_path):
    planted(tmp_path)
    one, two = run(tmp_path, 1), run(tmp_path, 2)
    a, b = np.load(one.fit), np.load(two.fit)
    assert sorted(a.files) == sorted(b.files)
    for name in a.files:
        assert np.array_equal(a[name], b[name]), name
    assert one.selection.read_bytes() == two.selection.read_bytes()
    assert one.validation.read_bytes() == two.validation.read_bytes()
