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
normaliser), and all terms of the whole codebook are compiled into ONE matcher: a word trie over
integer word codes (``PhraseTrie``), which ``newslens.framing`` runs over a whole batch of
sentences with numpy, so matching costs a few array passes per batch whatever the codebook size.
Regex indicators keep Python's ``re``; ``required_literals`` lets the matcher skip sentences that
cannot match them.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
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
        key, name = _frame_key_name(fr, pos, seen_keys, seen_names, source)
        is_residual = bool(fr.get("residual", False))
        terms = fr.get("terms") or []
        regexes = fr.get("regex") or []
        residual = _check_residual(key, is_residual, terms, regexes, residual, source)
        seen_norm = _term_indicators(key, terms, normalizer, indicators, source)
        indicators.extend(_regex_indicators(key, regexes, source))
        excludes[key] = _frame_excludes(key, fr.get("exclude") or [], normalizer, seen_norm, source)
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


def _frame_key_name(fr, pos: int, seen_keys: dict, seen_names: dict, source: str):
    """The key and name of frames[pos], checked (a mapping with a valid key; key and name not
    used by an earlier frame) and recorded in ``seen_keys`` / ``seen_names``."""
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
    return key, name


def _check_residual(key, is_residual, terms, regexes, residual, source) -> str | None:
    """The residual frame's key after frame ``key``: at most one residual frame, without
    indicators; every other frame has terms or regexes."""
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
        return key
    if not terms and not regexes:
        raise NewslensError(
            f"{source}: frame '{key}' has no indicator terms or regex; add some, or mark it "
            "'residual: true' if it is the catch-all frame"
        )
    return residual


def _term_indicators(key, terms, normalizer, indicators: list, source) -> dict[str, str]:
    """Append frame ``key``'s term indicators (normalised; inflections of one another kept
    once) to ``indicators``; return normalised form -> term."""
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
    return seen_norm


def _regex_indicators(key, regexes, source) -> list[Indicator]:
    """Frame ``key``'s regex indicators, each compiled alone and as one alternative of the
    frame's combined regex (as the matcher uses it)."""
    out = []
    for r in regexes:
        pattern, weight = (r, 1.0) if isinstance(r, str) else (r.get("regex"), r.get("weight", 1.0))
        try:
            re.compile(pattern, re.IGNORECASE)
        except (re.error, TypeError) as err:
            raise NewslensError(
                f"{source}: frame '{key}': regex indicator {pattern!r} is malformed ({err}); "
                "fix it or write it as a plain term"
            ) from None
        try:  # as the matcher uses it: one alternative of the frame's combined regex
            re.compile(f"(?:{pattern})|(?:x)", re.IGNORECASE)
        except re.error as err:
            raise NewslensError(
                f"{source}: frame '{key}': regex indicator {pattern!r} cannot be combined "
                f"with the frame's other regexes ({err}). Matching is case-insensitive "
                "already: remove a global flag such as (?i), or scope it, as in (?i:...)"
            ) from None
        out.append(Indicator(key, pattern, "", float(weight), "regex"))
    return out


def _frame_excludes(key, phrases, normalizer, seen_norm: dict, source) -> list[str]:
    """Frame ``key``'s excluded phrases, normalised; one that normalises to an indicator of the
    frame would cancel all its hits and is refused."""
    excl = []
    for e in phrases:
        norm = normalize_text(str(e), normalizer)
        if norm in seen_norm:
            raise NewslensError(
                f"{source}: frame '{key}': excluded phrase '{e}' normalises to '{norm}', "
                f"the same as its indicator '{seen_norm[norm]}', so it would cancel every "
                "hit of that indicator; make the exclusion longer or remove it"
            )
        if norm:
            excl.append(norm)
    return excl


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
class Matcher:
    """All term indicators (and exclusions) of a codebook, compiled once: a phrase lookup for
    matching one sentence's words (``find_words``, ``hits``: the reference), a word trie over
    integer codes for matching whole batches (``trie``, ``phrase_hits``; see
    ``newslens.framing.BatchMatcher``), and one regex per frame for its regex indicators with
    the strings every match of it contains (``regex_literals``).
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
        # strings one of which every match of a frame's regex contains (None: no such set)
        self.regex_literals = {
            f: required_literals(rx.pattern, rx.flags) for f, rx in self.frame_regex.items()
        }
        self.trie = phrase_trie(phrases)
        # per phrase of the trie: the (word offset, indicator) hits that matching it counts, in
        # the order of ``hits`` (an excluded phrase counts the unblocked indicators inside it)
        self.phrase_hits = [
            list(self._phrase_hits(p.split(" "), self.excluded.get(p))) for p in self.trie.phrases
        ]
        self._coded: dict = {}  # batch matchers by normaliser and negation settings (framing)

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
            for si, ind in self._phrase_hits(words[i:j], self.excluded.get(phrase)):
                yield i + si, ind

    def _phrase_hits(self, words: list[str], blocked: set[str] | None):
        """(word offset, indicator) counted for one matched phrase (``words``)."""
        if not blocked:
            for ind in self.by_phrase[" ".join(words)]:
                yield 0, ind
            return
        for si, _sj, sub in self.find_words(words, with_excluded=False):
            for ind in self.by_phrase[sub]:
                if ind.frame not in blocked:
                    yield si, ind


# --------------------------------------------------------------------------------------------
# Matching on integer word codes (newslens.framing runs these over whole batches)
# --------------------------------------------------------------------------------------------
@dataclass
class PhraseTrie:
    """Phrases as a word trie over integer codes: each distinct word of a phrase has a code
    1..P, every other word is 0. Node 0 is the root; edge
    (node, code) is ``keys[k] = node * stride + code`` (sorted) leading to ``child[k]``;
    ``ends[node]`` is the index of the phrase ending at that node, or -1."""

    codes: dict[str, int]
    keys: np.ndarray
    child: np.ndarray
    ends: np.ndarray
    phrases: list[str]
    stride: int


def phrase_trie(phrases: Iterable[str]) -> PhraseTrie:
    phrases = sorted(set(phrases))
    codes: dict[str, int] = {}
    for p in phrases:
        for w in p.split(" "):
            codes.setdefault(w, len(codes) + 1)
    stride = len(codes) + 1
    edges: dict[int, int] = {}
    ends = [-1]
    for k, p in enumerate(phrases):
        node = 0
        for w in p.split(" "):
            key = node * stride + codes[w]
            if key not in edges:
                edges[key] = len(ends)
                ends.append(-1)
            node = edges[key]
        ends[node] = k
    keys = np.array(sorted(edges), dtype=np.int64)
    child = np.array([edges[k] for k in keys.tolist()], dtype=np.int64)
    return PhraseTrie(codes, keys, child, np.array(ends, dtype=np.int64), phrases, stride)


def longest_phrases(
    trie: PhraseTrie, codes: np.ndarray, sent_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every word position where a phrase starts, with the length and index of the longest
    phrase starting there (phrases never cross sentences: ``sent_end`` is, for each word, the
    position after the last word of its sentence). One trie step over all live positions at
    a time; the first step, from the root, by a table over word codes."""
    pos = np.flatnonzero(codes > 0)
    room = sent_end[pos] - pos  # words left in the sentence
    best_len = np.zeros(len(pos), dtype=np.int64)
    best = np.full(len(pos), -1, dtype=np.int64)
    root = np.zeros(trie.stride, dtype=np.int64)
    from_root = trie.keys < trie.stride
    root[trie.keys[from_root]] = trie.child[from_root]
    node = root[codes[pos]]
    live = np.flatnonzero(node)
    length = 1
    while len(live):
        ph = trie.ends[node[live]]
        done = ph >= 0
        best_len[live[done]] = length
        best[live[done]] = ph[done]
        live = live[room[live] > length]
        key = node[live] * trie.stride + codes[pos[live] + length]
        k = np.minimum(np.searchsorted(trie.keys, key), len(trie.keys) - 1)
        found = trie.keys[k] == key
        live = live[found]
        node[live] = trie.child[k[found]]
        length += 1
    keep = best_len > 0
    return pos[keep], best_len[keep], best[keep]


def leftmost_longest(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which of the (sorted) candidate matches a left-to-right scan keeps: a match is kept
    unless it begins inside the last kept one (``Matcher.find_words``). Returns a mask."""
    ends = starts + lengths
    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    reach = np.maximum.accumulate(ends)
    free = np.ones(len(starts), dtype=bool)
    free[1:] = starts[1:] >= reach[:-1]  # nothing before reaches it: kept for sure
    keep = free.copy()
    last_free = np.maximum.accumulate(np.where(free, np.arange(len(starts)), -1))
    last_kept = -1
    for k in np.flatnonzero(~free).tolist():  # overlaps (multiword phrases) are rare
        prev = max(last_kept, int(last_free[k]))
        if starts[k] >= ends[prev]:
            keep[k] = True
            last_kept = k
    return keep


_NO_LITERALS = object()


def required_literals(pattern: str, flags: int = 0) -> list[str] | None:
    """Strings one of which every match of ``pattern`` contains (compared the way the pattern
    compares them, i.e. ignoring case under re.IGNORECASE), or None when the pattern has no such
    set (then every text must be tried). Read from the parsed pattern: a run of literal
    characters, a class of single characters, a repeat of at least once, a group, or an
    alternation whose every branch has such strings; anything else requires nothing."""
    try:
        parsed = sre_parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - a prefilter only: no literals means try every text
        return None
    found = _sequence_literals(list(parsed))
    return None if found is _NO_LITERALS else sorted(found)


def _sequence_literals(items: list):
    C = sre_constants
    options, run = [], []
    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append({"".join(run)})
            run = []
        if op is C.SUBPATTERN:
            options.append(_sequence_literals(list(av[-1])))
        elif op is C.ATOMIC_GROUP:
            options.append(_sequence_literals(list(av)))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            options.append(_sequence_literals(list(av[2])))
        elif op is C.BRANCH:
            branches = [_sequence_literals(list(b)) for b in av[1]]
            if all(b is not _NO_LITERALS for b in branches):
                options.append(set().union(*branches))
        elif op is C.IN and av and all(o is C.LITERAL for o, _ in av):
            options.append({chr(c) for _, c in av})
    if run:
        options.append({"".join(run)})
    options = [o for o in options if o is not _NO_LITERALS and o and all(o)]
    if not options:
        return _NO_LITERALS
    # the most selective option: longest shortest string, then fewest strings
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))
