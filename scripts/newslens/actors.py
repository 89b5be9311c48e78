"""Actor mentions: one matcher compiled from the ``actors`` config ({actor: [aliases]}).

Matching rules (documented in config/README.md):

* **Word-bounded.** An alias never matches inside another word: "Russia" does not fire in
  "Belorussia", "Armenian" not in "Armenianness". Hyphens and apostrophes are boundaries, so
  "pro-Russian", "anti-NATO" and "Armenian-Azerbaijani" match.
* **Possessives.** "Armenia's", "Armenia\u2019s", "Armenians'" match the alias (the recorded span
  covers the name without the possessive ending).
* **Case.** An alias written all in capitals (an acronym: CSTO, NATO, U.S.) matches only in
  capitals. An alias that starts with a capital (a proper name: Armenia, Nikol Pashinyan) must
  start with a capital in the text; the rest may be in any case, so headline capitals
  ("ARMENIA", "Russian federation") match but the common word "turkey" does not match the
  alias "Turkey". An alias written in lower case matches in any case.
* **Multiword aliases.** Words may be separated by any whitespace (line breaks included).
* **Longest match wins, no double counts.** All aliases form one alternation, longest first,
  scanned left to right without overlaps: "Russian Federation" is one mention of Russia (alias
  "Russian Federation"), never also "Russian"; "Nikol Pashinyan" is one mention, not also
  "Pashinyan".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from newslens.runtime import NewslensError

MENTION_COLUMNS = ["doc_id", "para_id", "sent_id", "actor", "alias", "start", "end"]
# Joins the sentences of a shard into one string for a single scan. It is neither a word
# character nor whitespace, so no alias (not even a multiword one) can match across it.
_SEP = "\x00"


def validate_actors(actors, key: str = "actors") -> dict[str, list[str]]:
    """Check the ``actors`` config and return it with aliases stripped and de-duplicated.

    Raises NewslensError naming the key when an actor has no aliases, an alias is empty or
    has no letter/digit, or one alias (compared case-insensitively) belongs to two actors.
    """
    if actors is None:
        return {}
    if not isinstance(actors, dict):
        raise NewslensError(
            f"config key {key}: expected a mapping actor -> list of aliases, got "
            f"{type(actors).__name__}."
        )
    owner: dict[str, tuple[str, str]] = {}
    clean: dict[str, list[str]] = {}
    for actor, aliases in actors.items():
        where = f"config key {key}.{actor}"
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list | tuple) or len(aliases) == 0:
            raise NewslensError(
                f"{where}: the actor has no aliases. Give a list of names it is mentioned by, "
                f"e.g. {actor}: [{actor}]."
            )
        kept: list[str] = []
        for alias in aliases:
            if not isinstance(alias, str) or not alias.strip():
                raise NewslensError(f"{where}: alias {alias!r} is empty or not a string.")
            alias = " ".join(alias.split())
            if not re.search(r"\w", alias):
                raise NewslensError(
                    f"{where}: alias {alias!r} has no letter or digit and cannot be matched."
                )
            norm = alias.casefold()
            if norm in owner and owner[norm][0] != actor:
                other, other_alias = owner[norm]
                raise NewslensError(
                    f"{where}: alias {alias!r} is also an alias of actor {other!r} "
                    f"({other_alias!r}) under config key {key}.{other}. An alias must belong "
                    "to one actor; remove it from one of them."
                )
            if norm in owner:  # repeated within the same actor: keep the first
                continue
            owner[norm] = (str(actor), alias)
            kept.append(alias)
        clean[str(actor)] = kept
    return clean


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def alias_pattern(alias: str) -> str:
    """The regex for one alias (without the word boundaries); see the module docstring."""
    words = alias.split()
    if _is_acronym(alias):
        return r"\s+".join(re.escape(w) for w in words)
    first = alias[0]
    if first.isalpha() and first.isupper():
        # The capital stays as written; the rest matches in any case.
        rest = r"\s+".join(re.escape(w) for w in [words[0][1:], *words[1:]])
        return re.escape(first) + (f"(?i:{rest})" if rest else "")
    return "(?i:" + r"\s+".join(re.escape(w) for w in words) + ")"


def _first_char_class(aliases: list[str]) -> str:
    """A lookahead that holds where some alias can start: the first character of each alias,
    case-sensitive or not as in ``alias_pattern``."""
    exact, anycase = set(), set()
    for alias in aliases:
        first = alias[0]
        if _is_acronym(alias) or (first.isalpha() and first.isupper()):
            exact.add(first)
        else:
            anycase.add(first)
    parts = []
    if exact:
        parts.append("[" + "".join(re.escape(c) for c in sorted(exact)) + "]")
    if anycase:
        parts.append("(?i:[" + "".join(re.escape(c) for c in sorted(anycase)) + "])")
    return "(?=" + "|".join(parts) + ")"


@dataclass(frozen=True)
class ActorMatcher:
    """A compiled actor matcher: ``regex`` is one alternation of all aliases, longest first,
    and alternative ``i`` ends in the empty group ``i + 1``, so ``aliases[i]`` / ``actors[i]``
    say which alias and actor a match's ``lastindex - 1`` is.

    Built for speed (~8x faster than one group around each alias): Python's regex engine
    skips an alternative at once when its first character differs from the text -- but not
    when the alternative opens with a group, hence the empty group at its end -- and a
    lookahead for the aliases' first characters spares the alternation at positions where
    no alias can start.
    """

    regex: re.Pattern
    aliases: tuple[str, ...]
    actors: tuple[str, ...]

    def scan(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every mention in ``text``: arrays of start, end and alias index."""
        starts, ends, index = [], [], []
        for m in self.regex.finditer(text):
            starts.append(m.start())
            ends.append(m.end())
            index.append(m.lastindex)
        return (
            np.array(starts, dtype=np.int64),
            np.array(ends, dtype=np.int64),
            np.array(index, dtype=np.int64) - 1,
        )

    def finditer(self, text: str):
        """Yield (actor, alias, start, end) for every mention in ``text``."""
        for m in self.regex.finditer(text):
            i = m.lastindex - 1
            yield self.actors[i], self.aliases[i], m.start(), m.end()


def compile_actors(actors: dict) -> ActorMatcher | None:
    """Compile the validated ``actors`` config into one alternation regex, longest alias
    first (ties in alphabetical order, so the pattern is deterministic). None if no actors."""
    actors = validate_actors(actors)
    pairs = [(alias, actor) for actor, aliases in actors.items() for alias in aliases]
    if not pairs:
        return None
    pairs.sort(key=lambda p: (-len(p[0]), p[0], p[1]))
    aliases = [alias for alias, _ in pairs]
    alternation = "|".join(f"{alias_pattern(alias)}()" for alias in aliases)
    regex = re.compile(rf"{_first_char_class(aliases)}(?<!\w)(?:{alternation})(?!\w)")
    return ActorMatcher(regex, tuple(aliases), tuple(b for _, b in pairs))


def empty_mentions() -> pd.DataFrame:
    """A mention table with no rows and the contract's columns and dtypes."""
    return pd.DataFrame(
        {
            "doc_id": pd.Series([], dtype=object),
            "para_id": pd.Series([], dtype="int64"),
            "sent_id": pd.Series([], dtype="int64"),
            "actor": pd.Series([], dtype=object),
            "alias": pd.Series([], dtype=object),
            "start": pd.Series([], dtype="int64"),
            "end": pd.Series([], dtype="int64"),
        }
    )


def find_actor_mentions(sentences: pd.DataFrame, actors) -> pd.DataFrame:
    """One row per actor mention in a sentence table.

    ``sentences`` needs doc_id, para_id, sent_id, start, text (the data contract); ``actors``
    is the ``actors`` config or an :class:`ActorMatcher` compiled from it. Returns doc_id,
    para_id, sent_id, actor, alias, start, end, where start/end are character offsets into
    the clean article text (sentence start + offset of the match in the sentence), sorted
    by doc_id, sent_id, start. Empty input or no actors give an empty table.
    """
    matcher = actors if isinstance(actors, ActorMatcher) else compile_actors(actors)
    missing = {"doc_id", "para_id", "sent_id", "start", "text"} - set(sentences.columns)
    if missing:
        raise NewslensError(f"sentence table lacks column(s) {sorted(missing)}.")
    if matcher is None or len(sentences) == 0:
        return empty_mentions()
    texts = sentences["text"].fillna("").astype(str).tolist()
    # One scan over the whole batch: sentence i starts at offsets[i] in the joined string.
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    pos, ends, index = matcher.scan(_SEP.join(texts))
    if len(pos) == 0:
        return empty_mentions()
    row = np.searchsorted(offsets, pos, side="right") - 1
    begin = sentences["start"].to_numpy(dtype=np.int64)[row] + (pos - offsets[row])
    doc = sentences["doc_id"].astype(str).to_numpy(dtype=object)[row]
    sent = sentences["sent_id"].to_numpy(dtype=np.int64)[row]
    out = pd.DataFrame(
        {
            "doc_id": doc,
            "para_id": sentences["para_id"].to_numpy(dtype=np.int64)[row],
            "sent_id": sent,
            "actor": np.asarray(matcher.actors, dtype=object)[index],
            "alias": np.asarray(matcher.aliases, dtype=object)[index],
            "start": begin,
            "end": begin + (ends - pos),
        }
    )
    if not _sorted_keys(doc, sent, begin):
        out = out.sort_values(["doc_id", "sent_id", "start"], kind="stable")
        out = out.reset_index(drop=True)
    return out[MENTION_COLUMNS]


def _sorted_keys(doc: np.ndarray, sent: np.ndarray, start: np.ndarray) -> bool:
    """Whether rows are already sorted by (doc_id, sent_id, start) (then a stable sort would
    leave them as they are). True for a shard in article order with ids that sort."""
    if len(doc) < 2:
        return True
    same_doc = doc[1:] == doc[:-1]
    same_sent = same_doc & (sent[1:] == sent[:-1])
    ok = (doc[1:] > doc[:-1]) | (same_doc & (sent[1:] > sent[:-1]))
    return bool(np.all(ok | (same_sent & (start[1:] >= start[:-1]))))


def mentions_follow(previous: pd.DataFrame | None, mentions: pd.DataFrame) -> bool:
    """Whether ``mentions`` (a sorted batch) can follow ``previous`` (the batch before it)
    in a table sorted by doc_id, sent_id, start: the last key of one is at most the first
    key of the other. Then the batches written in turn form the sorted table."""
    if previous is None or len(previous) == 0 or len(mentions) == 0:
        return True
    keys = ["doc_id", "sent_id", "start"]
    last = tuple(previous[keys].iloc[-1])
    first = tuple(mentions[keys].iloc[0])
    return last <= first
