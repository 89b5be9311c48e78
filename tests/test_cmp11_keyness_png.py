"""cmp11: keyness' log-ratio intervals of every comparison in one ``lr_interval`` call (per-row
totals) equal those of a call per comparison, bit for bit (on a random multi-group corpus with
zero counts, both references and ``top_n``); and the compare PNGs saved at zlib level 1
(``compare_panels.save_png_svg``) have the same pixels as ``figures.save_figure``'s, the SVG
the same bytes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from newslens import compare as cp
from newslens import compare_figures as cf
from newslens import compare_small as cs
from newslens.compare_panels import PNG_OPTIONS, save_png_svg
from newslens.figures import apply_style, save_figure
from PIL import Image
from scipy import sparse


def _corpus(seed: int, n_docs: int = 300, n_terms: int = 400, n_groups: int = 6):
    rng = np.random.default_rng(seed)
    rates = rng.gamma(0.3, 1.0, size=(n_groups, n_terms))
    outlet = rng.integers(0, n_groups, n_docs)
    counts = rng.poisson(rates[outlet] * rng.uniform(0.2, 2.0, (n_docs, 1)))
    docs = np.array([f"d{i:04d}" for i in range(n_docs)])
    groups = pd.DataFrame({"doc_id": docs, "outlet": [f"o{g}" for g in outlet]})
    terms = [f"t{i:03d}" for i in range(n_terms)]
    return sparse.csr_matrix(counts.astype(float)), docs, groups, terms


@pytest.mark.parametrize("seed,reference,top_n", [(1, "rest", 30), (4, "o2", None)])
def test_joint_intervals_equal_a_call_per_comparison(seed, reference, top_n):
    dtm, docs, groups, terms = _corpus(seed)
    tab = cp.keyness_table(dtm, docs, groups, terms, reference, min_count=1, top_n=top_n)
    assert list(tab.columns) == cp.KEYNESS_COLUMNS
    n_cmp = tab[["group", "reference"]].drop_duplicates().shape[0]
    assert n_cmp == (6 if reference == "rest" else 5)
    if top_n:
        assert len(tab) == n_cmp * 2 * top_n
    # a zero count on one side: an unbounded end
    assert np.isinf(tab[["log_ratio_low", "log_ratio_high"]].to_numpy()).any()
    counts = np.asarray(dtm.todense())
    prior = counts.sum(axis=0)
    for (g, ref), sub in tab.groupby(["group", "reference"], sort=False):
        in_g = (groups["outlet"] == g).to_numpy()
        in_r = ~in_g if ref == cp.REST else (groups["outlet"] == ref).to_numpy()
        one = cp.keyness(
            counts[in_g].sum(axis=0), counts[in_r].sum(axis=0), terms, prior, 1, top_n=top_n
        )
        for col in ("term", "count_group", "log_ratio", "log_ratio_low", "log_ratio_high"):
            np.testing.assert_array_equal(sub[col].to_numpy(), one[col].to_numpy())
        finite = np.isfinite(one["log_ratio_low"]) & np.isfinite(one["log_ratio_high"])
        assert finite.sum() > len(one) // 2
        assert (one["log_ratio_low"] <= one["log_ratio_high"]).all()


def test_lr_interval_with_per_row_totals_equals_scalar_calls():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 60, 500).astype(float)
    b = rng.integers(0, 60, 500).astype(float)
    ta = rng.choice([900.0, 5000.0, 123456.0], 500)
    tb = rng.choice([700.0, 40000.0], 500)
    lo, hi = cs.lr_interval(a, b, ta, tb)
    for t_a in np.unique(ta):
        for t_b in np.unique(tb):
            rows = (ta == t_a) & (tb == t_b)
            lo1, hi1 = cs.lr_interval(a[rows], b[rows], t_a, t_b)
            np.testing.assert_array_equal(lo[rows], lo1)
            np.testing.assert_array_equal(hi[rows], hi1)
    # the G2 inversion: an interval excluding 0 exactly where G2 > z^2
    g2 = cp.g2_chi2(a, b, ta - a, tb - b, chi2_p=False)[0]
    clear = (lo > 0) | (hi < 0)
    decided = np.abs(g2 - 1.959964**2) > 1e-6
    np.testing.assert_array_equal(clear[decided], (g2 > 1.959964**2)[decided])


def test_png_level_one_same_pixels_and_svg_bytes(tmp_path):
    apply_style()
    dtm, docs, groups, terms = _corpus(3)
    tab = cp.keyness_table(dtm, docs, groups, terms, "rest", min_count=1, top_n=20)
    sizes = cf.group_sizes(groups)

    def figure():
        return cf.keyness_figure(tab, 10, "none", sizes, 8)

    save_figure(figure(), tmp_path / "a.png", tmp_path / "a.svg")
    save_png_svg(figure(), tmp_path / "b.png", tmp_path / "b.svg")
    pa = np.asarray(Image.open(tmp_path / "a.png"))
    pb = np.asarray(Image.open(tmp_path / "b.png"))
    assert pa.shape == pb.shape and pa.shape[2] == 4 and pa.shape[0] > 500
    np.testing.assert_array_equal(pa, pb)
    assert (pa[..., :3] < 128).any()  # something is drawn
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    # the PNG's image data is deflated at level 1 (zlib's header says "fastest")
    data = (tmp_path / "b.png").read_bytes()
    idat = data.index(b"IDAT") + 4
    assert PNG_OPTIONS == {"compress_level": 1}
    assert data[idat + 1] >> 6 == 0  # FLEVEL 0: fastest
    base = (tmp_path / "a.png").read_bytes()
    assert base[base.index(b"IDAT") + 5] >> 6 == 2  # FLEVEL 2: zlib's default (level 6)
