"""NLTK's Punkt loaded without NLTK's package import (``newslens.nltk_punkt``): the tokenize
jobs do not load scipy or scikit-learn, the loaded code is the installed NLTK's own (its
classes are the ones a later ``import nltk`` finds), sentences and trained parameters are
those of the plain import, and any failure falls back to the plain import with the reason
logged. Each case runs in a fresh interpreter, as a Snakemake job does."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("nltk", "scipy", "sklearn", "matplotlib", "nltk.parse", "nltk.corpus")


def run_python(code: str, **env) -> str:
    """stdout of ``code`` in a fresh interpreter with the worktree's package first."""
    inherited = {k: v for k, v in os.environ.items() if k != "NEWSLENS_NLTK_IMPORT"}
    env = {**inherited, "PYTHONPATH": str(REPO / "scripts"), **env}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def script_imports(script: str) -> str:
    tree = ast.parse((REPO / "scripts" / f"{script}.py").read_text(encoding="utf-8"))
    return "\n".join(
        ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
    )


def test_tokenize_entry_points_load_no_scipy_sklearn_or_nltk_package():
    for script in ["tokens_tokenize", "tokens_train_punkt"]:
        code = "\n".join(
            [
                script_imports(script),
                "import json, sys, importlib.metadata",
                "import newslens.nltk_punkt as m",
                "punkt = sys.modules['nltk.tokenize.punkt']",
                f"print(json.dumps({{'heavy': [h for h in {HEAVY!r} if h in sys.modules],",
                "  'how': m.HOW_LOADED, 'file': punkt.__file__,",
                "  'installed': importlib.metadata.version('nltk'),",
                "  'loaded': sorted(k for k in sys.modules if k.startswith('nltk'))}))",
            ]
        )
        out = json.loads(run_python(code))
        assert out["heavy"] == [], (script, out["heavy"])
        assert out["how"] == "light"
        # the installed package's own file, not a copy
        nltk_dir = Path(out["file"]).parents[1]
        assert (nltk_dir / "VERSION").read_text(encoding="utf-8").strip() == out["installed"]
        assert "site-packages" in out["file"] or "dist-packages" in out["file"]
        assert "nltk.tokenize.punkt" in out["loaded"] and len(out["loaded"]) <= 15


def test_later_full_import_finds_the_same_classes():
    code = """
import json, sys
import newslens.tokenize as t
import newslens.nltk_punkt as m
light = m.HOW_LOADED
from nltk.tokenize.punkt import PunktParameters  # the loaded module: no package import
same_before = PunktParameters is m.PunktParameters and 'nltk' not in sys.modules
scipy_before = 'scipy' in sys.modules
import nltk
from nltk.stem.snowball import SnowballStemmer
from nltk.collocations import BigramCollocationFinder
print(json.dumps({
  'light': light, 'scipy_before': scipy_before, 'same_before': same_before,
  'version': nltk.__version__,
  'same': [nltk.tokenize.punkt.PunktParameters is m.PunktParameters,
           nltk.tokenize.PunktSentenceTokenizer is m.PunktSentenceTokenizer,
           nltk.tokenize.regexp.RegexpTokenizer is m.RegexpTokenizer,
           nltk.probability.FreqDist is nltk.FreqDist,
           sys.modules['nltk.tokenize.punkt'] is nltk.tokenize.punkt,
           nltk.tokenize.api is sys.modules['nltk.tokenize.api'],
           nltk.pathsec is sys.modules['nltk.pathsec']],
  'stem': SnowballStemmer('english').stem('running'),
  'words': nltk.wordpunct_tokenize("Mr. Smith's co-op."),
  'hook_left': any(type(f).__name__ == '_PackageFinder' for f in sys.meta_path),
}))
"""
    out = json.loads(run_python(code))
    assert out["light"] == "light" and out["scipy_before"] is False and out["same_before"]
    assert out["same"] == [True] * 7
    assert out["version"] == "3.10.4"
    assert out["stem"] == "run"
    assert out["words"] == ["Mr", ".", "Smith", "'", "s", "co", "-", "op", "."]
    assert out["hook_left"] is False  # the hook removes itself once NLTK is imported


SENTENCES = """
import json, random
from newslens.tokenize import SentenceSplitter, WORD_TOKENIZER, punkt_to_json, train_punkt
import newslens.nltk_punkt as m
rng = random.Random(11)
words = ("the minister said talks in Yerevan and Baku would resume after weeks Mr Dr U.S e.g "
         "gen inc no jan café O'Neill co-op 2022 3.5 J A x").split()
ends = [".", ". ", ".  ", ".\\t", ".\\n", ".\\xa0", "?", "!", '."', ".)", "...", ". \\u201c"]
paras = []
for _ in range(1500):
    parts = []
    for _ in range(rng.randint(2, 7)):
        ws = [rng.choice(words) for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.5:
            ws[0] = ws[0].capitalize()
        parts.append(" ".join(ws) + rng.choice(ends) + rng.choice([" ", "  ", ""]))
    paras.append("".join(parts))
paras += ["", ".", "Mr. Smith went to Washington. He arrived at 3 p.m. on Jan. 5.",
          "\\u201cNo,\\u201d he said. \\u201cNever.\\u201d (Really.) Yes!", "U.S. troops left..."]
params = train_punkt("\\n\\n".join(paras), ["mr", "dr", "gen"])
nltk = m.PunktSentenceTokenizer(params)  # NLTK's own, as loaded (light or full)
fast = SentenceSplitter(params)
print(json.dumps({
  'how': m.HOW_LOADED,
  'params': punkt_to_json(params),
  'nltk': [list(nltk.span_tokenize(p)) for p in paras],
  'fast': [fast.span_tokenize(p) for p in paras],
  'tokens': [WORD_TOKENIZER.tokenize(p) for p in paras[:200]],
}))
"""


def test_sentences_and_parameters_equal_the_plain_import():
    light = json.loads(run_python(SENTENCES))
    full = json.loads(run_python(SENTENCES, NEWSLENS_NLTK_IMPORT="full"))
    assert (light["how"], full["how"]) == ("light", "full")
    assert light["params"] == full["params"]
    assert len(json.loads(light["params"])["abbrev_types"]) >= 3
    nltk_spans = [[tuple(s) for s in p] for p in full["nltk"]]
    assert sum(map(len, nltk_spans)) > 4000
    for key in ("nltk", "fast"):
        assert [[tuple(s) for s in p] for p in light[key]] == nltk_spans, key
    assert light["tokens"] == full["tokens"]


def test_a_failure_while_loading_falls_back_to_the_plain_import():
    code = """
import json, logging, sys
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger('newslens').addHandler(Keep())
logging.getLogger('newslens').setLevel(logging.INFO)
class FailOnce:
    failed = False
    def find_spec(self, name, path=None, target=None):
        if name == 'nltk.tabdata' and not FailOnce.failed:
            FailOnce.failed = True
            raise ImportError('planted failure')
        return None
sys.meta_path.insert(0, FailOnce())
import newslens.nltk_punkt as m
import nltk
print(json.dumps({'how': m.HOW_LOADED, 'log': records,
  'same': [nltk.tokenize.punkt.PunktParameters is m.PunktParameters,
           sys.modules['nltk.probability'].FreqDist is nltk.FreqDist,
           nltk.tabdata is sys.modules['nltk.tabdata']]}))
"""
    out = json.loads(run_python(code))
    assert out["how"] == "full"
    assert out["same"] == [True, True, True]
    assert any("planted failure" in line and "full NLTK import" in line for line in out["log"])


def test_untested_version_is_refused_and_nothing_is_left_behind():
    code = """
import json, sys
import newslens.nltk_punkt as m
before = {k: v for k, v in sys.modules.items() if k.startswith('nltk')}
try:
    m._load_light(tested=frozenset({'0.0'}))
    error = ''
except ImportError as err:
    error = str(err)
m.WANTED = ('nltk.tokenize.punkt', 'nltk.tokenize.no_such_module')
try:
    m._load_light()
    error2 = ''
except ImportError as err:
    error2 = type(err).__name__
after = {k: v for k, v in sys.modules.items() if k.startswith('nltk')}
print(json.dumps({'error': error, 'error2': error2, 'unchanged': before == after,
                  'stubs': [k for k in ('nltk', 'nltk.tokenize') if k in sys.modules]}))
"""
    out = json.loads(run_python(code))
    assert re.fullmatch(r"NLTK 3\.10\.4 is not a tested version \(0\.0\)", out["error"])
    assert out["error2"] == "ModuleNotFoundError"
    assert out["unchanged"] is True and out["stubs"] == []


def test_tested_versions_hold_the_pinned_nltk():
    from newslens.nltk_punkt import TESTED_VERSIONS

    pinned = re.search(r'"nltk==([^"]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pinned and pinned.group(1) in TESTED_VERSIONS
