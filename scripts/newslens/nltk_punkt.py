"""NLTK's own Punkt and ``RegexpTokenizer`` without running NLTK's package ``__init__``.

``import nltk.tokenize.punkt`` first runs ``nltk/__init__.py``, which imports all of NLTK
(scipy.stats, scikit-learn, the parsers, the downloader): 1.3-2.3 CPU-seconds in every job
that splits sentences, while Punkt needs a dozen small NLTK modules. This module loads those
from the installed NLTK package's own files, under their own names (``nltk.tokenize.punkt``,
``nltk.probability``, ...): the same code and the same classes as a plain import, not a copy.

How: for the duration of the load, the packages ``nltk`` and ``nltk.tokenize`` are module
objects made from their real specs whose ``__init__`` has not run; the import system finds the
submodules through them. Afterwards the two are taken out of ``sys.modules`` again, and the
loaded submodules stay. A later ``import nltk`` (a notebook, the Snowball stemmer, the
collocation finder) is then an ordinary full import that reuses the loaded submodules, so
``nltk.tokenize.punkt.PunktParameters`` is the very class loaded here; a small import hook
sets those submodules as attributes of the two packages before their ``__init__`` runs, as the
import system does for a child it loads.

The Snowball stemmer (``snowball_stemmer``, for the 'stem' normaliser of the framing codebook
and the tokens) is loaded the same way, on first use: ``nltk.stem.snowball`` imports
``nltk.corpus`` only for its ``stopwords`` reader (used with ``ignore_stopwords=True``), which
the ``nltk.corpus`` package (made from its spec, its ``__init__`` not run) is given as that
``__init__`` makes it; ``nltk.stem`` and ``nltk.corpus.reader`` are such packages too.

Only the NLTK versions in ``TESTED_VERSIONS`` (the pinned one, read from the package's
``VERSION`` file) are loaded this way. Any other version, any error while loading, or the
environment variable ``NEWSLENS_NLTK_IMPORT=full`` (a switch for comparisons; outputs do not
change) falls back to the plain import, with the reason logged. If NLTK is imported already,
its modules are used.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("newslens")

TESTED_VERSIONS = frozenset({"3.10.4"})
WANTED = ("nltk.tokenize.punkt", "nltk.tokenize.regexp")
PACKAGES = ("nltk", "nltk.tokenize")
SNOWBALL = ("nltk.stem.snowball",)
SNOWBALL_PACKAGES = ("nltk", "nltk.stem", "nltk.corpus", "nltk.corpus.reader")
COLLOCATIONS = ("nltk.collocations", "nltk.probability")
COLLOCATION_PACKAGES = ("nltk", "nltk.metrics")
#: the packages whose loaded submodules become their attributes when they are imported in full
SEEDED = frozenset(PACKAGES + SNOWBALL_PACKAGES + COLLOCATION_PACKAGES)
SWITCH = "NEWSLENS_NLTK_IMPORT"


class _SeedingLoader:
    """The real loader of an NLTK package; before the package's code runs, its already loaded
    submodules become its attributes. Everything else is the real loader's."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        prefix = module.__name__ + "."
        for name, child in list(sys.modules.items()):
            if name.startswith(prefix) and "." not in name[len(prefix) :]:
                setattr(module, name[len(prefix) :], child)
        module.__loader__ = module.__spec__.loader = self._loader  # as a plain import has it
        self._loader.exec_module(module)
        if module.__name__ == "nltk" and _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)  # NLTK's __init__ has imported its packages


class _PackageFinder:
    """Import hook (first on ``sys.meta_path`` until ``nltk`` is imported in full): finds the
    packages of ``SEEDED`` as the path finder does, with the seeding loader."""

    def find_spec(self, name, path=None, target=None):
        if name not in SEEDED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _SeedingLoader(spec.loader)
        return spec


_FINDER = _PackageFinder()


def installed_version(spec) -> str:
    """The version in the installed NLTK package's ``VERSION`` file (what ``nltk.__version__``
    reads), without importing NLTK."""
    root = Path(next(iter(spec.submodule_search_locations)))
    return (root / "VERSION").read_text(encoding="utf-8").strip()


def _load_light(tested=TESTED_VERSIONS, packages=None, wanted=None, prepare=None) -> list:
    """``wanted`` (default ``WANTED``) loaded from the installed NLTK's files without the
    ``__init__`` of the ``packages`` (default ``PACKAGES``; each made from its spec;
    ``prepare(stubs)`` may give them attributes)."""
    packages = PACKAGES if packages is None else packages
    wanted = WANTED if wanted is None else wanted
    spec = importlib.util.find_spec("nltk")  # a top-level name: nothing is imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("NLTK is not installed")
    version = installed_version(spec)
    if version not in tested:
        raise ImportError(f"NLTK {version} is not a tested version ({', '.join(sorted(tested))})")
    before = set(sys.modules)
    stubs = {"nltk": importlib.util.module_from_spec(spec)}
    try:
        sys.modules["nltk"] = stubs["nltk"]
        for name in packages[1:]:
            parent = stubs[name.rpartition(".")[0]]
            sub = importlib.machinery.PathFinder.find_spec(name, parent.__path__)
            stubs[name] = importlib.util.module_from_spec(sub)
            sys.modules[name] = stubs[name]
        if prepare is not None:
            prepare(stubs)
        modules = [importlib.import_module(name) for name in wanted]
    except BaseException:
        for name in set(sys.modules) - before:
            if name.partition(".")[0] == "nltk":
                del sys.modules[name]
        raise
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    return modules


def _load(packages=None, wanted=None, prepare=None, what="Punkt") -> tuple[list, str]:
    """The modules of ``wanted`` (default ``WANTED``) and how they were loaded: 'light',
    'imported' (NLTK was imported already) or 'full' (the plain import; the reason is
    logged)."""
    wanted = WANTED if wanted is None else wanted
    if "nltk" in sys.modules:
        return [importlib.import_module(name) for name in wanted], "imported"
    if os.environ.get(SWITCH, "") == "full":
        reason = f"{SWITCH}=full"
    else:
        try:
            return _load_light(packages=packages, wanted=wanted, prepare=prepare), "light"
        except Exception as err:  # noqa: BLE001 (any failure: the plain import still works)
            reason = f"{type(err).__name__}: {err}"
    log.info("NLTK's %s through the full NLTK import (%s)", what, reason)
    return [importlib.import_module(name) for name in wanted], "full"


def _corpus_stopwords(stubs: dict) -> None:
    """The ``stopwords`` reader of ``nltk.corpus`` (what nltk/corpus/__init__.py makes), for
    ``nltk.stem.snowball``'s import of it."""
    util = importlib.import_module("nltk.corpus.util")
    wordlist = importlib.import_module("nltk.corpus.reader.wordlist")
    stubs["nltk.corpus"].stopwords = util.LazyCorpusLoader(
        "stopwords", wordlist.StopwordsCorpusReader, r"(?!README|\.).*", encoding="utf8"
    )


_SNOWBALL: list = []


def snowball_stemmer(language: str):
    """NLTK's ``SnowballStemmer(language)``, its module loaded (once) without NLTK's package
    import when the version is tested; how it was loaded is ``SNOWBALL_LOADED[0]``."""
    if not _SNOWBALL:
        (module,), how = _load(SNOWBALL_PACKAGES, SNOWBALL, _corpus_stopwords, "Snowball stemmer")
        _SNOWBALL.append(module)
        SNOWBALL_LOADED.append(how)
    return _SNOWBALL[0].SnowballStemmer(language)


SNOWBALL_LOADED: list[str] = []


def _fisher_exact(*args, **kwargs):
    """scipy.stats.fisher_exact, imported at its first call (only the ``fisher`` measure,
    which the config does not offer, uses it)."""
    from scipy.stats import fisher_exact

    return fisher_exact(*args, **kwargs)


def _metrics_measures(stubs: dict) -> None:
    """What ``nltk.collocations`` imports from the ``nltk.metrics`` package (whose
    ``__init__`` imports all of NLTK's metrics): the association measures. Their module imports
    scipy.stats (~1 CPU-s) for one measure's ``fisher_exact``; unless scipy.stats is imported
    already, it gets a stand-in that imports it at its first call."""
    blocked = "scipy.stats" not in sys.modules
    if blocked:
        sys.modules["scipy.stats"] = None  # the module's `from scipy.stats import` fails
    try:
        association = importlib.import_module("nltk.metrics.association")
    finally:
        if blocked:
            del sys.modules["scipy.stats"]
    if blocked:
        association.fisher_exact = _fisher_exact
    for name in (
        "BigramAssocMeasures",
        "ContingencyMeasures",
        "QuadgramAssocMeasures",
        "TrigramAssocMeasures",
    ):
        setattr(stubs["nltk.metrics"], name, getattr(association, name))


_COLLOCATIONS: list = []


def collocation_classes() -> tuple:
    """NLTK's (BigramAssocMeasures, BigramCollocationFinder, FreqDist), their modules loaded
    (once) without NLTK's package import when the version is tested (~0.2 CPU-s instead of
    ~1.9, scipy.stats and scikit-learn among the latter); how they were loaded is
    ``COLLOCATIONS_LOADED[0]``."""
    if not _COLLOCATIONS:
        modules, how = _load(
            COLLOCATION_PACKAGES, COLLOCATIONS, _metrics_measures, "collocation finder"
        )
        _COLLOCATIONS.extend(modules)
        COLLOCATIONS_LOADED.append(how)
    collocations, probability = _COLLOCATIONS
    return (
        collocations.BigramAssocMeasures,
        collocations.BigramCollocationFinder,
        probability.FreqDist,
    )


COLLOCATIONS_LOADED: list[str] = []


(_punkt, _regexp), HOW_LOADED = _load()
PunktLanguageVars = _punkt.PunktLanguageVars
PunktParameters = _punkt.PunktParameters
PunktSentenceTokenizer = _punkt.PunktSentenceTokenizer
PunktTrainer = _punkt.PunktTrainer
RegexpTokenizer = _regexp.RegexpTokenizer
