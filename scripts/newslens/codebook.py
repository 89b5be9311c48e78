"""Frame codebooks as data: load, validate, normalise and compile into one matcher.

A codebook is a YAML file (see config/codebooks/) with a header (name, citation) and a list of
frames. Each frame has a ``key`` (used in column names), a ``name``, a ``definition``, indicator
``terms`` (words and multiword phrases, optionally ``{term: ..., weight: ...}``), optional
``regex`` indicators (matched case-insensitively on the raw sentence), optional ``exclude``
phrases (a match inside an excluded phrase does not count, e.g. "food court" for "court") and
optional ``labels`` (other spellings of the frame in labeled data, e.g. MFC's numeric codes).
One frame may be ``residual: true`` (e.g. Policy Frames "Other"): it has no indicators and is
what a sentence or article gets when no other frame matches.

Terms are normalised exactly like sentence text (lowercase, word tokens, the configured
normaliser), and all terms of the whole codebook are compiled into ONE regular expression built
from a word trie, so matching costs one scan per shard whatever the codebook size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from newslens.runtime import NewslensError

WORD_RE = re.compile(r"[^\W_]+")
NEGATION_CONTRACTION_RE = re.compile(r"n['’]t\b")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NONE_FRAME = "none"


# --------------------------------------------------------------------------------------------
# Text normalisation (shared by codebook terms and sentences: both sides go through this)
# --------------------------------------------------------------------------------------------
def get_normalizer(kind: str, language: str = "english") -> Callable[[str], str]:
    """The term normaliser shared with tokenization (``newslens.tokenize.make_normalizer``)."""
    from newslens.tokenize import make_normalizer

    return make_normalizer(kind, language)


def normalize_words(text: str, normalizer: Callable[[str], str]) -> list[str]:
    """Lowercase, expand "n't" to " not", split into word tokens and normalise each.

    Hyphens and apostrophes split words ("anti-terrorist" -> "anti", "terrorist"), the same way
    on indicator phrases and on sentences, so they always agree.
    """
    text = NEGATION_CONTRACTION_RE.sub(" not", text.lower())
    out = []
    for word in WORD_RE.findall(text):
        norm = normalizer(word)
        out.append(norm if norm else word)
    return out


def normalize_text(text: str, normalizer: Callable[[str], str]) -> str:
    return " ".join(normalize_words(text, normalizer))


# --------------------------------------------------------------------------------------------
# Loading and validating
# --------------------------------------------------------------------------------------------
class _DupKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate mapping keys instead of silently keeping the last."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise NewslensError(
                f"duplicate key '{key}' at line {key_node.start_mark.line + 1} "
                f"(first at line {seen[key] + 1}); each key may appear once"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping_orig(node, deep)


_DupKeyLoader.construct_mapping_orig = yaml.SafeLoader.construct_mapping
_DupKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_codebook_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise NewslensError(
            f"codebook file {path} does not exist; set framing.codebook to one of "
            "config/codebooks/*.yaml or to your own codebook"
        )
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_DupKeyLoader)
    except NewslensError as err:
        raise NewslensError(f"codebook {path}: {err}") from None
    except yaml.YAMLError as err:
        raise NewslensError(f"codebook {path} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise NewslensError(f"codebook {path}: expected a mapping with 'name' and 'frames'")
    return data


def schema_errors(data: dict, schema: dict) -> list[str]:
    """JSON-schema errors of a codebook, each naming where it is (e.g. frames[3].terms[2])."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        where = ""
        for part in err.path:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
        frame = ""
        if len(err.path) >= 2 and err.path[0] == "frames" and isinstance(err.path[1], int):
            frames = data.get("frames") or []
            if err.path[1] < len(frames) and isinstance(frames[err.path[1]], dict):
                frame = f" (frame '{frames[err.path[1]].get('key', '?')}')"
        out.append(f"{where or '<top>'}{frame}: {err.message}")
    return out


@dataclass
class Indicator:
    frame: str
    term: str  # as written in the codebook
    norm: str  # normalised phrase ("" for regex indicators)
    weight: float = 1.0
    kind: str = "term"  # term | regex


@dataclass
class Codebook:
    name: str
    citation: str
    frames: list[dict]  # key, name, definition, residual, labels
    indicators: list[Indicator]
    excludes: dict[str, list[str]]  # frame -> normalised excluded phrases
    normalize: str
    language: str
    overlaps: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def keys(self) -> list[str]:
        return [f["key"] for f in self.frames]

    @property
    def scored_keys(self) -> list[str]:
        """Frames that have indicators (the residual frame is not scored)."""
        return [f["key"] for f in self.frames if not f.get("residual")]

    @property
    def residual(self) -> str | None:
        for f in self.frames:
            if f.get("residual"):
                return f["key"]
        return None

    def names(self) -> dict[str, str]:
        out = {f["key"]: f["name"] for f in self.frames}
        out.setdefault(NONE_FRAME, "No frame")
        return out

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "citation": self.citation,
            "frames": self.frames,
            "indicators": [i.__dict__ for i in self.indicators],
            "excludes": self.excludes,
            "normalize": self.normalize,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Codebook:
        return cls(
            name=d["name"],
            citation=d.get("citation", ""),
            frames=d["frames"],
            indicators=[Indicator(**i) for i in d["indicators"]],
            excludes=d["excludes"],
            normalize=d["normalize"],
            language=d.get("language", "english"),
        )

    def terms_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "frame": i.frame,
                    "indicator": i.term,
                    "normalized": i.norm,
                    "weight": i.weight,
                    "kind": i.kind,
                }
                for i in self.indicators
            ],
            columns=["frame", "indicator", "normalized", "weight", "kind"],
        )


def build_codebook(
    data: dict,
    normalizer: Callable[[str], str],
    normalize: str = "stem",
    language: str = "english",
    source: str = "codebook",
    schema: dict | None = None,
) -> Codebook:
    """Validate a parsed codebook and normalise its indicators.

    Errors (NewslensError naming the frame): schema violations, duplicate frame keys or names,
    a non-residual frame without indicators, more than one residual frame, a malformed regex,
    a term that normalises to nothing. Terms listed under two frames are kept in both and
    reported in ``Codebook.overlaps`` (a warning table, not an error).
    """
    if schema is not None:
        errs = schema_errors(data, schema)
        if errs:
            raise NewslensError(
                f"{source} does not follow the codebook schema:\n  " + "\n  ".join(errs[:20])
            )
    frames_in = data.get("frames")
    if not isinstance(frames_in, list) or not frames_in:
        raise NewslensError(f"{source}: 'frames' must be a non-empty list of frames")
    frames, indicators, excludes = [], [], {}
    seen_keys, seen_names = {}, {}
    residual = None
    for pos, fr in enumerate(frames_in):
        if not isinstance(fr, dict) or "key" not in fr:
            raise NewslensError(f"{source}: frames[{pos}] must be a mapping with a 'key'")
        key = str(fr["key"])
        if not KEY_RE.match(key) or key == NONE_FRAME:
            raise NewslensError(
                f"{source}: frame key '{key}' must be lowercase letters, digits and '_' "
                f"(starting with a letter) and not '{NONE_FRAME}'"
            )
        name = str(fr.get("name", key))
        if key in seen_keys:
            raise NewslensError(
                f"{source}: duplicate frame key '{key}' (frames[{seen_keys[key]}] and "
                f"frames[{pos}]); merge them or rename one"
            )
        if name.lower() in seen_names:
            raise NewslensError(
                f"{source}: duplicate frame name '{name}' (frames[{seen_names[name.lower()]}] "
                f"and frames[{pos}]); merge them or rename one"
            )
        seen_keys[key], seen_names[name.lower()] = pos, pos
        is_residual = bool(fr.get("residual", False))
        terms = fr.get("terms") or []
        regexes = fr.get("regex") or []
        if is_residual:
            if residual is not None:
                raise NewslensError(
                    f"{source}: frames '{residual}' and '{key}' are both residual; at most one "
                    "frame may be residual"
                )
            if terms or regexes:
                raise NewslensError(
                    f"{source}: residual frame '{key}' must have no terms or regex (it is "
                    "assigned when no other frame matches)"
                )
            residual = key
        elif not terms and not regexes:
            raise NewslensError(
                f"{source}: frame '{key}' has no indicator terms or regex; add some, or mark it "
                "'residual: true' if it is the catch-all frame"
            )
        seen_norm: dict[str, str] = {}
        for t in terms:
            term, weight = (t, 1.0) if isinstance(t, str) else (t.get("term"), t.get("weight", 1.0))
            if not isinstance(term, str) or not term.strip():
                raise NewslensError(f"{source}: frame '{key}' has an empty indicator term")
            norm = normalize_text(term, normalizer)
            if not norm:
                raise NewslensError(
                    f"{source}: frame '{key}': indicator '{term}' has no letters or digits"
                )
            if norm in seen_norm:  # inflections of one another: keep the first, it is the same
                continue
            seen_norm[norm] = term
            indicators.append(Indicator(key, term, norm, float(weight), "term"))
        for r in regexes:
            pattern, weight = (
                (r, 1.0) if isinstance(r, str) else (r.get("regex"), r.get("weight", 1.0))
            )
            try:
                re.compile(pattern, re.IGNORECASE)
            except (re.error, TypeError) as err:
                raise NewslensError(
                    f"{source}: frame '{key}': regex indicator {pattern!r} is malformed ({err}); "
                    "fix it or write it as a plain term"
                ) from None
            indicators.append(Indicator(key, pattern, "", float(weight), "regex"))
        excl = []
        for e in fr.get("exclude") or []:
            norm = normalize_text(str(e), normalizer)
            if norm in seen_norm:
                raise NewslensError(
                    f"{source}: frame '{key}': excluded phrase '{e}' normalises to '{norm}', "
                    f"the same as its indicator '{seen_norm[norm]}', so it would cancel every "
                    "hit of that indicator; make the exclusion longer or remove it"
                )
            if norm:
                excl.append(norm)
        excludes[key] = excl
        frames.append(
            {
                "key": key,
                "name": name,
                "definition": " ".join(str(fr.get("definition", "")).split()),
                "residual": is_residual,
                "labels": [str(x) for x in fr.get("labels") or []],
            }
        )
    cb = Codebook(
        name=str(data.get("name", source)),
        citation=" ".join(str(data.get("citation", "")).split()),
        frames=frames,
        indicators=indicators,
        excludes=excludes,
        normalize=normalize,
        language=language,
    )
    cb.overlaps = term_overlaps(cb)
    return cb


def term_overlaps(cb: Codebook) -> pd.DataFrame:
    """Normalised terms listed under more than one frame (a warning table: they count for all)."""
    t = cb.terms_table()
    t = t[t["kind"] == "term"]
    multi = t.groupby("normalized")["frame"].nunique()
    multi = multi[multi > 1].index
    if len(multi) == 0:
        return pd.DataFrame(columns=["normalized", "frames", "indicators"])
    sub = t[t["normalized"].isin(multi)]
    out = (
        sub.groupby("normalized")
        .agg(
            frames=("frame", lambda s: ";".join(sorted(set(s)))),
            indicators=("indicator", lambda s: ";".join(sorted(set(s)))),
        )
        .reset_index()
        .sort_values("normalized")
    )
    return out.reset_index(drop=True)


def load_codebook(
    path: str | Path,
    normalize: str = "stem",
    language: str = "english",
    schema_path: str | Path | None = None,
) -> Codebook:
    """Read, validate and normalise a codebook file."""
    data = read_codebook_yaml(path)
    schema = None
    if schema_path is not None:
        with open(schema_path, encoding="utf-8") as fh:
            schema = yaml.safe_load(fh)
    return build_codebook(
        data, get_normalizer(normalize, language), normalize, language, str(path), schema
    )


# --------------------------------------------------------------------------------------------
# The compiled matcher
# --------------------------------------------------------------------------------------------
def _trie_pattern(phrases: list[str]) -> str:
    """One regex for many space-separated phrases, built from a word trie (longest match wins)."""
    trie: dict = {}
    for p in phrases:
        node = trie
        for w in p.split(" "):
            node = node.setdefault(w, {})
        node[""] = True

    def emit(node: dict) -> str:
        alts = []
        for w in sorted((k for k in node if k), key=lambda k: (-len(k), k)):
            child = node[w]
            sub = {k: v for k, v in child.items() if k}
            if sub:
                inner = emit(child)
                tail = f"(?: {inner})"
                alts.append(re.escape(w) + (tail + "?" if "" in child else tail))
            else:
                alts.append(re.escape(w))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)


class Matcher:
    """All term indicators (and exclusions) of a codebook in one compiled regular expression.

    ``find(norm_text)`` scans a normalised text (words separated by single spaces, sentences by
    newlines) and yields (start, end, phrase) for every non-overlapping longest match.
    """

    def __init__(self, cb: Codebook):
        self.cb = cb
        self.by_phrase: dict[str, list[Indicator]] = {}
        for ind in cb.indicators:
            if ind.kind == "term":
                self.by_phrase.setdefault(ind.norm, []).append(ind)
        # excluded phrases are matched too (so that they consume their words) but count for
        # no frame, only for the frames that exclude them
        self.excluded: dict[str, set[str]] = {}
        for frame, phrases in cb.excludes.items():
            for p in phrases:
                self.excluded.setdefault(p, set()).add(frame)
        phrases = sorted(set(self.by_phrase) | set(self.excluded))
        self.phrases = frozenset(phrases)
        self.ind_phrases = frozenset(self.by_phrase)
        self.first: dict[str, int] = {}
        self.ind_first: dict[str, int] = {}
        for p in phrases:
            words = p.split(" ")
            self.first[words[0]] = max(self.first.get(words[0], 0), len(words))
            if p in self.ind_phrases:
                self.ind_first[words[0]] = max(self.ind_first.get(words[0], 0), len(words))
        if phrases:
            self.regex = re.compile(r"(?<![^ \n])" + _trie_pattern(phrases) + r"(?![^ \n])")
        else:
            self.regex = None
        self.regexes = {}
        for ind in cb.indicators:
            if ind.kind == "regex":
                self.regexes.setdefault(ind.frame, []).append(ind)
        self.frame_regex = {
            f: re.compile("|".join(f"(?:{i.term})" for i in inds), re.IGNORECASE)
            for f, inds in self.regexes.items()
        }
        self.regex_weight = {
            f: {i.term: i.weight for i in inds} for f, inds in self.regexes.items()
        }

    def find_words(self, words: list[str], with_excluded: bool = True):
        """Leftmost-longest, non-overlapping phrase matches in a list of normalised words:
        yields (i, j, phrase) for words[i:j]. The same matches as ``find`` on the joined text,
        by dict lookups on word n-grams (each start word knows its longest phrase).
        with_excluded=False looks for indicator phrases only."""
        phrases, first = (
            (self.phrases, self.first) if with_excluded else (self.ind_phrases, self.ind_first)
        )
        n = len(words)
        i = 0
        while i < n:
            longest = first.get(words[i])
            if longest:
                for length in range(min(longest, n - i), 0, -1):
                    phrase = words[i] if length == 1 else " ".join(words[i : i + length])
                    if phrase in phrases:
                        yield i, i + length, phrase
                        i += length
                        break
                else:
                    i += 1
            else:
                i += 1

    def hits(self, words: list[str]):
        """(start word, indicator) for every counted indicator hit in a sentence. Inside an
        excluded phrase the indicators of the excluding frames do not count, those of other
        frames do ("world war": no External hit for "world", still a Security hit for "war")."""
        for i, j, phrase in self.find_words(words):
            blocked = self.excluded.get(phrase)
            if not blocked:
                for ind in self.by_phrase[phrase]:
                    yield i, ind
                continue
            for si, _sj, sub in self.find_words(words[i:j], with_excluded=False):
                for ind in self.by_phrase[sub]:
                    if ind.frame not in blocked:
                        yield i + si, ind

    def find(self, norm_text: str):
        if self.regex is None:
            return
        for m in self.regex.finditer(norm_text):
            yield m.start(), m.end(), m.group(0)
