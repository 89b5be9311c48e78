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
        if module.__name__ == PACKAGES[-1] and _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)  # both packages are loaded (nltk imports its tokenize)
        self._loader.exec_module(module)


class _PackageFinder:
    """Import hook (first on ``sys.meta_path`` until both packages are imported in full):
    finds ``nltk`` and ``nltk.tokenize`` as the path finder does, with the seeding loader."""

    def find_spec(self, name, path=None, target=None):
        if name not in PACKAGES:
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


def _load_light(tested=TESTED_VERSIONS) -> list:
    """``WANTED`` loaded from the installed NLTK's files without its package ``__init__``."""
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
        tokenize_spec = importlib.machinery.PathFinder.find_spec(
            "nltk.tokenize", stubs["nltk"].__path__
        )
        stubs["nltk.tokenize"] = importlib.util.module_from_spec(tokenize_spec)
        sys.modules["nltk.tokenize"] = stubs["nltk.tokenize"]
        modules = [importlib.import_module(name) for name in WANTED]
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


def _load() -> tuple[list, str]:
    """The modules of ``WANTED`` and how they were loaded: 'light', 'imported' (NLTK was
    imported already) or 'full' (the plain import; the reason is logged)."""
    if "nltk" in sys.modules:
        return [importlib.import_module(name) for name in WANTED], "imported"
    if os.environ.get(SWITCH, "") == "full":
        reason = f"{SWITCH}=full"
    else:
        try:
            return _load_light(), "light"
        except Exception as err:  # noqa: BLE001 (any failure: the plain import still works)
            reason = f"{type(err).__name__}: {err}"
    log.info("NLTK's Punkt through the full NLTK import (%s)", reason)
    return [importlib.import_module(name) for name in WANTED], "full"


(_punkt, _regexp), HOW_LOADED = _load()
PunktLanguageVars = _punkt.PunktLanguageVars
PunktParameters = _punkt.PunktParameters
PunktSentenceTokenizer = _punkt.PunktSentenceTokenizer
PunktTrainer = _punkt.PunktTrainer
RegexpTokenizer = _regexp.RegexpTokenizer
