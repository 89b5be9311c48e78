"""NLTK's collocation finder loaded without NLTK's package import
(``newslens.nltk_punkt.collocation_classes``, used by ``corpus_tables.collocations``): the
corpus_ngrams job loads neither NLTK's package nor scipy or scikit-learn, its collocation
tables equal those of the plain import for every configured measure, the classes are the ones a
later ``import nltk`` finds, and the fisher measure's ``fisher_exact`` (scipy, imported at its
first call) still gives scipy's result. Each case runs in a fresh interpreter, as a job does."""

from __future__ import annotations

import json

import pytest
from test_corpus_tables import random_ngrams
from test_tok2_punkt_import import HEAVY, run_python

MEASURES = ["likelihood_ratio", "pmi", "chi_sq", "student_t", "raw_freq"]

COLLOCATE = """
import json, sys
import pandas as pd
from newslens.corpus_tables import collocations
import newslens.nltk_punkt as m
ngrams = pd.read_json({path!r}, orient="records")
tables = {{
    measure: collocations(ngrams, measure, 2, 25).to_dict(orient="list")
    for measure in {measures!r}
}}
print(json.dumps({{"tables": tables, "how": m.COLLOCATIONS_LOADED,
    "heavy": [h for h in {heavy!r} if h in sys.modules]}}))
"""


@pytest.fixture(scope="module")
def ngrams_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("colloc") / "ngrams.json"
    random_ngrams(400, 11).to_json(path, orient="records")
    return str(path)


def test_collocations_equal_the_plain_import_without_loading_nltk_or_scipy(ngrams_json):
    code = COLLOCATE.format(path=ngrams_json, measures=MEASURES, heavy=HEAVY)
    light = json.loads(run_python(code))
    full = json.loads(run_python(code, NEWSLENS_NLTK_IMPORT="full"))
    assert light["how"] == ["light"] and light["heavy"] == []
    assert full["how"] == ["imported"] and "nltk" in full["heavy"] and "scipy" in full["heavy"]
    assert light["tables"] == full["tables"]
    for measure in MEASURES:
        table = light["tables"][measure]
        assert len(table["rank"]) == 25 and table["rank"] == list(range(1, 26))
        assert set(table["measure"]) == {measure}
        assert all(c >= 2 for c in table["count"])
        assert table["bigram"] == [
            f"{a} {b}" for a, b in zip(table["word1"], table["word2"], strict=True)
        ]


def test_later_full_import_finds_the_same_classes_and_fisher_works():
    out = run_python(
        """
import json, sys
from newslens.nltk_punkt import collocation_classes
measures, finder, freqdist = collocation_classes()
before = "scipy.stats" in sys.modules
association = sys.modules["nltk.metrics.association"]
mine = association.fisher_exact([[8, 2], [1, 5]], alternative="less")
import nltk
from nltk.collocations import BigramCollocationFinder
from nltk.metrics import BigramAssocMeasures
from nltk.probability import FreqDist
from scipy.stats import fisher_exact
print(json.dumps({"before": before, "same": [BigramCollocationFinder is finder,
    BigramAssocMeasures is measures, FreqDist is freqdist],
    "fisher": [float(mine[1]), float(fisher_exact([[8, 2], [1, 5]], alternative="less")[1])],
    "measure": measures.fisher(8, (10, 9), 16)}))
"""
    )
    got = json.loads(out)
    assert got["before"] is False
    assert got["same"] == [True, True, True]
    assert got["fisher"][0] == got["fisher"][1] == pytest.approx(0.9991258741258742)
    assert got["measure"] == pytest.approx(0.9991258741258742)
