"""The Snowball stemmer of the 'stem' normaliser (framing codebooks, tokens) loaded without
NLTK's package import (``newslens.nltk_punkt.snowball_stemmer``): its stems are those of NLTK's
plainly imported ``SnowballStemmer`` on every word tried, the job loads neither scipy nor
scikit-learn nor the NLTK package, a later ``import nltk`` finds the same class and a working
package, and the switch falls back to the plain import. Each case runs in a fresh
interpreter, as a Snakemake job does."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from test_tok2_punkt_import import run_python  # a fresh interpreter, the last line

REPO = Path(__file__).resolve().parents[1]

SUFFIXES = ["", "s", "es", "ed", "ing", "ly", "ness", "ation", "ational", "ement", "ies", "'s"]


def words() -> list[str]:
    """The seed corpus's and the codebooks' words, the same with suffixes, hard cases."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*")))
    text += " ".join(p.read_text(encoding="utf-8") for p in (REPO / "config").rglob("*.yaml"))
    found = sorted({w.lower() for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)})
    rng = random.Random(5)
    more = [w + rng.choice(SUFFIXES) for w in found for _ in range(2)]
    hard = ["added", "international", "university", "generously", "skies", "dying", "news"]
    hard += ["İstanbul", "naïve", "café", "ΣΟΦΟΣ", "straße", "", "a", "'s", "y", "yyy", "e.g"]
    return sorted(set(found + more + hard))


STEMS = """
import json, sys
WORDS = json.loads(open({path!r}, encoding='utf-8').read())
{load}
stem = stemmer.stem
print(json.dumps({{'stems': [stem(w) for w in WORDS], 'how': how,
  'heavy': [h for h in ('nltk', 'scipy', 'sklearn', 'nltk.parse') if h in sys.modules]}}))
"""
LIGHT = """
from newslens.tokenize import make_normalizer
import newslens.nltk_punkt as m
make_normalizer('stem', 'english')
stemmer, how = m.snowball_stemmer('english'), m.SNOWBALL_LOADED[0]
"""
PLAIN = """
from nltk.stem.snowball import SnowballStemmer
stemmer, how = SnowballStemmer('english'), 'plain'
"""


def test_stems_equal_the_plain_import_and_no_heavy_modules(tmp_path):
    path = tmp_path / "words.json"
    listed = words()
    assert len(listed) > 1000
    path.write_text(json.dumps(listed), encoding="utf-8")
    light = json.loads(run_python(STEMS.format(path=str(path), load=LIGHT)))
    plain = json.loads(run_python(STEMS.format(path=str(path), load=PLAIN)))
    assert light["how"] == "light" and plain["how"] == "plain"
    assert light["heavy"] == [] and "nltk" in plain["heavy"]
    assert light["stems"] == plain["stems"]
    by_word = dict(zip(listed, light["stems"], strict=True))
    assert by_word["added"] == "ad" and by_word["international"] == "intern"


def test_later_full_import_finds_the_same_stemmer_and_a_working_package():
    code = """
import json, sys
from newslens.tokenize import make_normalizer
import newslens.nltk_punkt as m
norm = make_normalizer('stem', 'english')
loaded = m._SNOWBALL[0]
import nltk
from nltk.stem.snowball import SnowballStemmer
from nltk.collocations import BigramCollocationFinder
print(json.dumps({
  'same': [SnowballStemmer is loaded.SnowballStemmer, nltk.stem.snowball is loaded,
           nltk.stem.SnowballStemmer is SnowballStemmer,
           nltk.tokenize.punkt.PunktParameters is m.PunktParameters,
           type(nltk.corpus.stopwords).__name__ == 'LazyCorpusLoader',
           hasattr(nltk.corpus.reader, 'WordListCorpusReader')],
  'porter': nltk.stem.PorterStemmer().stem('running'),
  'words': nltk.wordpunct_tokenize("Mr. Smith's co-op."),
  'norm': norm('running'),
  'hook_left': any(type(f).__name__ == '_PackageFinder' for f in sys.meta_path),
}))
"""
    out = json.loads(run_python(code))
    assert out["same"] == [True] * 6
    assert out["porter"] == "run" and out["norm"] == "run"
    assert out["words"] == ["Mr", ".", "Smith", "'", "s", "co", "-", "op", "."]
    assert out["hook_left"] is False


def test_switch_and_an_imported_nltk_use_the_plain_import():
    code = """
import json, sys
import newslens.nltk_punkt as m
s = m.snowball_stemmer('english')
print(json.dumps({'how': m.SNOWBALL_LOADED[0], 'stem': s.stem('added'),
                  'nltk': 'nltk' in sys.modules}))
"""
    # the switch: Punkt's load imports NLTK in full, and the stemmer is taken from it
    out = json.loads(run_python(code, NEWSLENS_NLTK_IMPORT="full"))
    assert out == {"how": "imported", "stem": "ad", "nltk": True}
    out = json.loads(run_python("import nltk\n" + code))
    assert out == {"how": "imported", "stem": "ad", "nltk": True}
