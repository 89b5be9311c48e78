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

from newslens.arrays import run_starts
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


def _alias_parts(alias: str) -> tuple[str | None, str]:
    """``alias_pattern`` split after the first character: the character when the text must
    have it exactly (None: in any case) and the regex for the rest of the alias."""
    words = alias.split()
    first = alias[0]
    rest = r"\s+".join(re.escape(w) for w in [words[0][1:], *words[1:]])
    if _is_acronym(alias):
        return first, rest
    rest = f"(?i:{rest})" if rest else ""
    return (first if first.isalpha() and first.isupper() else None), rest


def _group_key(char: str) -> str:
    low = char.lower()
    return low if len(low) == 1 else char


@dataclass(frozen=True)
class ActorMatcher:
    """A compiled actor matcher: ``regex`` is one alternation of all aliases, grouped by
    their first character, longest first within each group, and alternative ``i`` ends in
    the empty group ``i + 1``, so ``aliases[i]`` / ``actors[i]`` say which alias and actor
    a match's ``lastindex - 1`` is (an alias that may start with a lower or an upper case
    letter is in two groups, so it appears twice in these tuples).

    Built for speed: Python's regex engine skips an alternative at once when it opens with a
    literal character that differs from the text, so each first-character group is entered
    only where the text has that character and, inside it, only the aliases starting with it
    are tried (with a thousand actors, ~100 times fewer than in one flat alternation); a
    lookahead for the aliases' first characters spares the alternation at positions where
    no alias can start. The match is the same as that of the flat alternation of all
    aliases, longest first: at a given position only one group can match.
    """

    regex: re.Pattern
    aliases: tuple[str, ...]
    actors: tuple[str, ...]

    def scan(self, text: str, pos: int = 0, endpos: int | None = None):
        """Every mention in ``text`` (or ``text[pos:endpos]``): arrays of start, end and
        alias index."""
        starts, ends, index = [], [], []
        it = self.regex.finditer(text, pos, len(text) if endpos is None else endpos)
        for m in it:
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
    """Compile the validated ``actors`` config into one regex: the aliases grouped by first
    character (groups in character order), longest alias first within a group (ties in
    alphabetical order, so the pattern is deterministic). None if no actors."""
    actors = validate_actors(actors)
    pairs = [(alias, actor) for actor, aliases in actors.items() for alias in aliases]
    if not pairs:
        return None
    pairs.sort(key=lambda p: (-len(p[0]), p[0], p[1]))
    # group by first character, case-folded (an alias that may start in any case and one
    # that must start with a capital can both match at one position: one group keeps their
    # longest-first order); an exact first character inside a case-insensitive group is
    # checked by a lookbehind
    groups: dict[str, list[tuple[str | None, str, str, str]]] = {}
    for alias, actor in pairs:
        exact, rest = _alias_parts(alias)
        groups.setdefault(_group_key(alias[0]), []).append((exact, rest, alias, actor))
    branches, slot_alias, slot_actor, all_literal = [], [], [], True
    for key in sorted(groups):
        members = groups[key]
        exact_chars = {m[0] for m in members}
        literal = len(exact_chars) == 1 and None not in exact_chars
        all_literal = all_literal and literal
        inner = []
        for exact, rest, alias, actor in members:
            check = "" if literal or exact is None else f"(?<={re.escape(exact)})"
            inner.append(f"{check}{rest}()")
            slot_alias.append(alias)
            slot_actor.append(actor)
        # a literal opener lets the engine skip the whole group at once
        opener = re.escape(next(iter(exact_chars))) if literal else f"(?i:{re.escape(key)})"
        branches.append((opener, "(?:" + "|".join(inner) + ")"))
    if all_literal:
        # Every group opens with one exact character: the alternation comes first, so the
        # engine finds the places where an alias can start by its fast scan for a set of
        # first characters (without trying the pattern at every position of the text), and
        # the word boundary before the match is checked after its first character (that
        # character is never a line break, which "." would not match): the same matches.
        body = "|".join(rf"{opener}(?<!\w.){inner}" for opener, inner in branches)
        return ActorMatcher(re.compile(rf"(?:{body})(?!\w)"), tuple(slot_alias), tuple(slot_actor))
    body = "|".join(opener + inner for opener, inner in branches)
    aliases = [alias for alias, _ in pairs]
    regex = re.compile(rf"{_first_char_class(aliases)}(?<!\w)(?:{body})(?!\w)")
    return ActorMatcher(regex, tuple(slot_alias), tuple(slot_actor))


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


def find_actor_mentions(sentences: pd.DataFrame, actors, targets=None) -> pd.DataFrame:
    """One row per actor mention in a sentence table.

    ``sentences`` needs doc_id, para_id, sent_id, start, text (the data contract); ``actors``
    is the ``actors`` config or an :class:`ActorMatcher` compiled from it; ``targets`` (a
    :class:`DocTargets`, optional) adds each article's own actors, matched in that article
    only. Returns doc_id, para_id, sent_id, actor, alias, start, end, where start/end are
    character offsets into the clean article text (sentence start + offset of the match in
    the sentence), sorted by doc_id, sent_id, start. Empty input or no actors give an empty
    table.

    This is the reference finder of the mention contract. :func:`arrow_mentions` finds the
    same mentions on an Arrow batch (the global actors alone, sorted batches of plain
    columns; actor_mentions takes it there and this function elsewhere): one contract, two
    finders, kept apart because the Arrow one builds no Python object per sentence or mention
    (~-7.7 CPU-s on a 1M shard, docs/scale.md "actor7"). tests/test_actor7_mentions.py holds
    the two equal (rows, Arrow schema with pandas metadata, Parquet bytes); a change to what
    this function finds must be made in both.
    """
    matcher = actors if isinstance(actors, ActorMatcher) else compile_actors(actors)
    missing = {"doc_id", "para_id", "sent_id", "start", "text"} - set(sentences.columns)
    if missing:
        raise NewslensError(f"sentence table lacks column(s) {sorted(missing)}.")
    if (matcher is None and not targets) or len(sentences) == 0:
        return empty_mentions()
    texts = sentences["text"].fillna("").astype(str).tolist()
    # One scan over the whole batch: sentence i starts at offsets[i] in the joined string.
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    joined = _SEP.join(texts)
    doc_all = sentences["doc_id"].astype(str).to_numpy(dtype=object)
    found = []
    if matcher is not None:
        pos, ends, index = matcher.scan(joined)
        actor_names = np.asarray(matcher.actors, dtype=object)[index]
        alias_names = np.asarray(matcher.aliases, dtype=object)[index]
        found.append((pos, ends, actor_names, alias_names))
    if targets:
        found.append(_target_scan(doc_all, offsets, offsets + lengths - 1, joined, targets))
    pos = np.concatenate([f[0] for f in found])
    if len(pos) == 0:
        return empty_mentions()
    ends = np.concatenate([f[1] for f in found])
    row = np.searchsorted(offsets, pos, side="right") - 1
    begin = sentences["start"].to_numpy(dtype=np.int64)[row] + (pos - offsets[row])
    doc = doc_all[row]
    sent = sentences["sent_id"].to_numpy(dtype=np.int64)[row]
    out = pd.DataFrame(
        {
            "doc_id": doc,
            "para_id": sentences["para_id"].to_numpy(dtype=np.int64)[row],
            "sent_id": sent,
            "actor": np.concatenate([f[2] for f in found]),
            "alias": np.concatenate([f[3] for f in found]),
            "start": begin,
            "end": begin + (ends - pos),
        }
    )
    if len(found) > 1:  # a target that is also a global actor: one mention, not two
        out = out.drop_duplicates(["doc_id", "sent_id", "actor", "start"])
    if len(found) > 1 or not _sorted_keys(doc, sent, begin):
        out = out.sort_values(["doc_id", "sent_id", "start"], kind="stable")
        out = out.reset_index(drop=True)
    return out[MENTION_COLUMNS]


_KEY_COLUMNS = ("para_id", "sent_id", "start")


def mention_schema():
    """The Arrow schema (with its pandas metadata) of the mention table ``find_actor_mentions``
    gives, as ``ParquetShardWriter`` writes it: built once from a one-row table made as that
    function makes its rows."""
    import pyarrow as pa

    global _MENTION_SCHEMA
    if _MENTION_SCHEMA is None:
        ints = np.zeros(1, dtype=np.int64)
        word = np.array(["a"], dtype=object)
        row = {"doc_id": word, "para_id": ints, "sent_id": ints, "actor": word, "alias": word}
        frame = pd.DataFrame({**row, "start": ints, "end": ints})
        _MENTION_SCHEMA = pa.Table.from_pandas(frame[MENTION_COLUMNS], preserve_index=False).schema
    return _MENTION_SCHEMA


_MENTION_SCHEMA = None


def _plain_batch(table) -> bool:
    """Whether an Arrow sentence batch has what ``arrow_mentions`` reads: doc_id and text as
    strings, para_id, sent_id and start as integers, no missing key."""
    import pyarrow as pa

    names = set(table.column_names)
    if not {"doc_id", "text", *_KEY_COLUMNS} <= names:
        return False
    strings = (pa.string(), pa.large_string())
    if table.schema.field("doc_id").type not in strings:
        return False
    if table.schema.field("text").type not in strings:
        return False
    for name in _KEY_COLUMNS:
        if not pa.types.is_integer(table.schema.field(name).type):
            return False
    return all(table.column(c).null_count == 0 for c in ("doc_id", *_KEY_COLUMNS))


def _joined_text(text) -> tuple[str, np.ndarray, np.ndarray]:
    """A batch's texts (Arrow, missing = "") joined by ``_SEP`` into one string, with each
    text's offset in it and its length + 1 (in characters, as ``str`` counts them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.fill_null(text.combine_chunks(), "")
    lengths = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64) + 1
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    one_list = pa.ListArray.from_arrays(pa.array([0, len(text)], pa.int32()), text)
    joined = pc.binary_join(one_list, pa.scalar(_SEP, text.type))[0].as_py()
    return joined, offsets, lengths


def arrow_mentions(table, matcher: ActorMatcher):
    """``find_actor_mentions(table.to_pandas(), matcher)`` for an Arrow sentence batch and the
    global actors alone (no per-article targets), as an Arrow table of ``mention_schema()``:
    the same rows, without Python objects per sentence or mention. None when the batch needs
    the pandas path: columns of other types or with missing keys, or mentions whose rows
    would have to be sorted (sentences not in doc_id, sent_id order).

    The second finder of one contract: :func:`find_actor_mentions` is the reference, and
    tests/test_actor7_mentions.py holds this function equal to it (rows, schema, Parquet
    bytes) on tricky and random text; change both together."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not _plain_batch(table):
        return None
    if table.num_rows == 0:
        return mention_schema().empty_table()
    joined, offsets, _ = _joined_text(table.column("text"))
    pos, ends, index = matcher.scan(joined)
    row = np.searchsorted(offsets, pos, side="right") - 1
    keys = {c: table.column(c).to_numpy().astype(np.int64, copy=False)[row] for c in _KEY_COLUMNS}
    begin = keys["start"] + (pos - offsets[row])
    doc = table.column("doc_id").combine_chunks().take(pa.array(row))
    if len(row) > 1:
        sent = keys["sent_id"]
        same_doc = pc.equal(doc[1:], doc[:-1]).to_numpy(zero_copy_only=False)
        later = pc.greater(doc[1:], doc[:-1]).to_numpy(zero_copy_only=False)
        same_sent = same_doc & (sent[1:] == sent[:-1])
        ok = later | (same_doc & (sent[1:] > sent[:-1])) | (same_sent & (begin[1:] >= begin[:-1]))
        if not ok.all():
            return None
    names = pa.array(np.asarray(index))
    out = pa.table(
        {
            "doc_id": doc,
            "para_id": keys["para_id"],
            "sent_id": keys["sent_id"],
            "actor": pa.array(matcher.actors, pa.string()).take(names),
            "alias": pa.array(matcher.aliases, pa.string()).take(names),
            "start": begin,
            "end": begin + (ends - pos),
        }
    )
    return out.cast(mention_schema())


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
    return _mention_key(previous, -1) <= _mention_key(mentions, 0)


def _mention_key(mentions, i: int) -> tuple:
    """(doc_id, sent_id, start) of row ``i`` of a mention DataFrame or Arrow table."""
    keys = ["doc_id", "sent_id", "start"]
    if isinstance(mentions, pd.DataFrame):
        return tuple(mentions[keys].iloc[i])
    i = i % mentions.num_rows
    return tuple(mentions.column(k)[i].as_py() for k in keys)


# --------------------------------------------------------------------------- per-article targets

TARGET_COLUMNS = ["doc_id", "actor", "alias"]


def empty_targets() -> pd.DataFrame:
    """A target table with no rows: doc_id, actor, alias (all strings)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in TARGET_COLUMNS})


def split_names(value, delimiter: str = ";") -> list[str]:
    """The names in one cell: split on ``delimiter``, whitespace collapsed, empty parts and
    repeats dropped (first kept). A missing cell gives no names."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    out: list[str] = []
    for part in str(value).split(delimiter) if delimiter else [str(value)]:
        name = " ".join(part.split())
        if name and name not in out:
            out.append(name)
    return out


def _check_alias(alias: str, where: str) -> None:
    if not re.search(r"\w", alias):
        raise NewslensError(
            f"{where}: name {alias!r} has no letter or digit and cannot be matched."
        )


def last_word(name: str) -> str | None:
    """The last word of a multi-word name when it can stand for the name (a surname:
    "Fernando Lugo" -> "Lugo", "Nouri al-Maliki" -> "al-Maliki"): at least two letters, and
    capitalised unless the whole name is in lower case; else None."""
    words = name.split()
    if len(words) < 2:
        return None
    last = words[-1].strip(".,;:")
    letters = [c for c in last if c.isalpha()]
    if len(letters) < 2 or not re.search(r"\w", last):
        return None
    capital = next((c for c in last if c.isalpha() and c.isupper()), None)
    return last if capital is not None or name.islower() else None


def _with_last_words(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """``rows`` (doc_id, actor, alias) plus each multi-word actor's last word as an alias --
    unless, in that article, it is already an alias or is the last word of two actors (then
    it would not say which one is meant)."""
    by_doc: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        by_doc.setdefault(row[0], []).append(row)
    out = []
    for doc_id, doc_rows in by_doc.items():
        taken = {alias.casefold() for _, _, alias in doc_rows}
        derived: dict[str, set[str]] = {}
        for _, actor, _ in doc_rows:
            word = last_word(actor)
            if word is not None and word.casefold() not in taken:
                derived.setdefault(word, set()).add(actor)
        out.extend(doc_rows)
        out.extend((doc_id, next(iter(a)), w) for w, a in derived.items() if len(a) == 1)
    return out


def targets_from_column(
    docs: pd.DataFrame,
    column: str,
    delimiter: str = ";",
    source: str = "",
    last_words: bool = False,
    normalize=str,
) -> pd.DataFrame:
    """Per-article targets from a document column (``corpus.columns.target``): each of the
    cell's ``delimiter``-separated entity names is an actor of that article, matched by the
    name itself (and its possessive, as every alias) and, with ``last_words``, by its last
    word (see :func:`last_word`). ``normalize`` is applied to each cell first (the
    cleaning's repair and Unicode folds, so that names are written as in the clean text).
    Returns doc_id, actor, alias."""
    if column not in docs.columns:
        raise NewslensError(
            f"{source}: no column '{column}' (config key corpus.columns.target); rerun "
            "snakemake so that ingest carries the column, or fix the key."
        )
    rows = []
    for doc_id, cell in zip(docs["doc_id"].astype(str), docs[column].tolist(), strict=True):
        for name in split_names(normalize(cell) if isinstance(cell, str) else cell, delimiter):
            _check_alias(name, f"{source}: article {doc_id}, column '{column}'")
            rows.append((doc_id, name, name))
    if last_words:
        rows = _with_last_words(rows)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS) if rows else empty_targets()


def targets_from_table(
    table: pd.DataFrame,
    columns: dict,
    delimiter: str = ";",
    source: str = "",
    last_words: bool = False,
    normalize=str,
) -> pd.DataFrame:
    """Per-article targets from a table (``actor_targets.file``): one row per (article,
    actor), with an optional aliases cell (``delimiter``-separated; empty = the actor's name
    itself, and with ``last_words`` its last word). Rows are numbered from 1 after the
    header in errors. Returns doc_id, actor, alias."""
    from newslens.preflight import require_column

    for role in ("doc_id", "actor"):
        require_column(
            table.columns,
            f"actor_targets.columns.{role}",
            columns.get(role),
            source,
            "actor_targets.file",
        )
    alias_col = columns.get("aliases")
    if alias_col and alias_col not in table.columns:
        alias_col = None  # the aliases column is optional
    rows, named_only = [], []
    owners: dict[tuple[str, str], tuple[str, int]] = {}  # (article, alias) -> (actor, row)
    docs = table[columns["doc_id"]].tolist()
    actors = table[columns["actor"]].tolist()
    aliases = table[alias_col].tolist() if alias_col else [None] * len(table)
    for i, (doc, actor, alias_cell) in enumerate(zip(docs, actors, aliases, strict=True)):
        where = f"{source}: row {i + 1}"
        doc = split_names(doc, "")
        actor = split_names(normalize(actor) if isinstance(actor, str) else actor, "")
        if isinstance(alias_cell, str):
            alias_cell = normalize(alias_cell)
        if not doc or not actor:
            raise NewslensError(
                f"{where}: empty {'doc_id' if not doc else 'actor'} cell; give an article id "
                "and an actor name on every row (or delete the row)."
            )
        names = split_names(alias_cell, delimiter)
        for name in names or actor:
            _check_alias(name, where)
            other = owners.setdefault((doc[0], name.casefold()), (actor[0], i + 1))
            if other[0] != actor[0]:
                raise NewslensError(
                    f"{where}: alias {name!r} of actor {actor[0]!r} in article {doc[0]} is also "
                    f"an alias of actor {other[0]!r} there (row {other[1]}). Within an article an "
                    "alias must name one actor: remove it from one of the rows."
                )
            (rows if names else named_only).append((doc[0], actor[0], name))
    if last_words and named_only:  # aliases given: as given; else the name and its last word
        named_only = _with_last_words(named_only)
    rows += named_only
    return pd.DataFrame(rows, columns=TARGET_COLUMNS) if rows else empty_targets()


class DocTargets:
    """Per-article actor matchers, one compiled regex per distinct set of (actor, alias)
    pairs (many articles share one). Within an article an alias belongs to one actor; across
    articles the same alias may name different actors."""

    def __init__(self, targets: pd.DataFrame, source: str = ""):
        t = targets.drop_duplicates(TARGET_COLUMNS)
        self.table = t.reset_index(drop=True)
        cache: dict[tuple, ActorMatcher] = {}
        self.by_doc: dict[str, ActorMatcher] = {}
        for doc_id, g in t.groupby("doc_id", sort=True):
            key = tuple(sorted(zip(g["actor"], g["alias"], strict=True)))
            if key not in cache:
                actors: dict[str, list[str]] = {}
                for actor, alias in key:
                    actors.setdefault(actor, []).append(alias)
                try:
                    cache[key] = compile_actors(actors)
                except NewslensError as err:
                    raise NewslensError(f"{source}: targets of article {doc_id}: {err}") from None
            self.by_doc[str(doc_id)] = cache[key]
        self.actors = sorted(set(t["actor"]))

    def __len__(self) -> int:
        return len(self.by_doc)


def _target_scan(doc: np.ndarray, offsets: np.ndarray, ends: np.ndarray, text: str, targets):
    """Mentions of each article's own targets in the joined batch ``text``: runs of rows of
    one article are scanned with that article's matcher. Returns positions, ends, row of
    the run start (for the sentence lookup) and actor/alias names."""
    pos, end, actor, alias = [], [], [], []
    change = run_starts(doc)
    bounds = np.r_[change, len(doc)]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        matcher = targets.by_doc.get(doc[lo])
        if matcher is None:
            continue
        for m in matcher.regex.finditer(text, int(offsets[lo]), int(ends[hi - 1])):
            i = m.lastindex - 1
            pos.append(m.start())
            end.append(m.end())
            actor.append(matcher.actors[i])
            alias.append(matcher.aliases[i])
    return (
        np.array(pos, dtype=np.int64),
        np.array(end, dtype=np.int64),
        np.array(actor, dtype=object),
        np.array(alias, dtype=object),
    )


def name_normalizer(cleaning: dict | None):
    """The cleaning's text repair and Unicode normalisation (``cleaning``: the config keys
    repair_mojibake, fold_quotes, fold_dashes) as one function, for target names: a name is
    then written as the clean text writes it ("Sánchez", not "SÃ¡nchez"; "O'Brien", not
    "O’Brien" when quotes are folded)."""
    from newslens.clean import normalize_unicode
    from newslens.mojibake import repair_mojibake

    cleaning = cleaning or {}
    repair = cleaning.get("repair_mojibake", True)
    quotes, dashes = cleaning.get("fold_quotes", True), cleaning.get("fold_dashes", True)

    def normalize(name: str) -> str:
        if repair:
            name = repair_mojibake(name)[0]
        return normalize_unicode(name, quotes, dashes)

    return normalize


def read_target_file(path, options: dict, cleaning: dict | None = None) -> pd.DataFrame:
    """The ``actor_targets.file`` table as doc_id, actor, alias rows (see
    :func:`targets_from_table`)."""
    from newslens.sentiment_eval import read_table_file

    table = read_table_file(path, "actor_targets.file")
    return targets_from_table(
        table,
        options["columns"],
        options["delimiter"],
        str(path),
        options["last_word"],
        name_normalizer(cleaning),
    )


def shard_targets(
    docs_path, targets_file, target_column, options: dict, cleaning: dict | None = None
) -> pd.DataFrame:
    """The per-article targets of one shard's articles: from the documents' column
    ``target_column`` (when set) and from the rows of ``targets_file`` (when given) whose
    doc_id is one of the shard's articles. doc_id, actor, alias; empty without targets."""
    parts = []
    if target_column or targets_file:
        import pyarrow.parquet as pq

        have = set(pq.read_schema(docs_path).names)
        if target_column and target_column not in have:
            raise NewslensError(
                f"{docs_path}: no column '{target_column}' (config key corpus.columns.target): "
                "the document shards predate the setting; rerun snakemake with "
                "--forcerun ingest, or fix the key."
            )
        cols = ["doc_id", target_column] if target_column else ["doc_id"]
        docs = pd.read_parquet(docs_path, columns=cols)
        if target_column:
            parts.append(
                targets_from_column(
                    docs,
                    target_column,
                    options["delimiter"],
                    str(docs_path),
                    options["last_word"],
                    name_normalizer(cleaning),
                )
            )
        if targets_file:
            t = read_target_file(targets_file, options, cleaning)
            parts.append(t[t["doc_id"].isin(set(docs["doc_id"].astype(str)))])
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_targets()
    return pd.concat(parts, ignore_index=True).drop_duplicates(TARGET_COLUMNS)


TARGET_TABLE_COLUMNS = ["doc_id", "actor", "aliases", "n_mentions", "status"]


def gather_targets(
    shard_paths, targets_file, options: dict, cleaning: dict | None = None
) -> pd.DataFrame:
    """actor_targets.csv: every per-article target with its number of mentions and a
    status: ``named``, ``never_named`` (the article never names it: check the spelling) or
    ``article_not_in_corpus`` (a row of ``targets_file`` whose article is not among the
    analysed ones: absent, skipped or a duplicate; see cleaning_audit.csv)."""
    parts = [pd.read_parquet(p) for p in shard_paths]
    parts = [p for p in parts if len(p)]
    if parts:
        t = pd.concat(parts, ignore_index=True)
    else:
        t = pd.DataFrame(
            {
                c: pd.Series([], dtype="int64" if c == "n_mentions" else object)
                for c in TARGET_TABLE_COLUMNS[:4]
            }
        )
    t["status"] = np.where(t["n_mentions"] > 0, "named", "never_named")
    if targets_file:
        f = read_target_file(targets_file, options, cleaning)
        lost = f[~f["doc_id"].isin(set(t["doc_id"]))]
        if len(lost):
            lost = lost.groupby(["doc_id", "actor"], sort=True)["alias"].agg("; ".join)
            lost = lost.rename("aliases").reset_index()
            lost["n_mentions"] = 0
            lost["status"] = "article_not_in_corpus"
            t = pd.concat([t, lost], ignore_index=True)
    t = t.sort_values(["doc_id", "actor"], kind="stable").reset_index(drop=True)
    return t[TARGET_TABLE_COLUMNS].astype({"n_mentions": "int64"})
