"""VADER's rules live twice in newslens/vader.py: the per-sentence port (``FastVader.score`` and
its helpers; the reference, and the path of every sentence the batch cannot take) and the batch
path (``FastVader.score_many``: ``_batch_valences``, ``_but_rule``, ``_batch_scores``).
tests/test_sent_batch.py holds their scores equal on sentences; this test holds their rule
constants equal: every number and every rule word written in one path is written in the other
and in vaderSentiment's own rules, so a constant changed in one place fails here even when no
test sentence meets the rule."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from newslens import vader
from vaderSentiment import vaderSentiment as vs

SOURCE = Path(vader.__file__).read_text(encoding="utf-8")
PORT = ("_scalar_inc_dec", "_negation_check", "_special_idioms_check", "_but_check")
PORT += ("_punctuation_emphasis", "_normalize", "_score_valence", "FastVader.score")
BATCH = ("_batch_valences", "_but_rule", "_batch_scores", "FastVader.score_many")


def functions(tree: ast.Module, names) -> list[ast.FunctionDef]:
    """The functions ``names`` (``Class.method`` for methods) of a module's tree."""
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    out = []
    for name in names:
        cls, _, method = name.rpartition(".")
        node = top[cls] if cls else top[name]
        if cls:
            node = next(n for n in node.body if getattr(n, "name", None) == method)
        out.append(node)
    return out


def numbers(nodes) -> set:
    """The numeric literals (with their sign) written in ``nodes``."""
    out = set()
    for node in nodes:
        for c in ast.walk(node):
            if isinstance(c, ast.UnaryOp) and isinstance(c.op, ast.USub):
                c = c.operand
                if isinstance(c, ast.Constant) and type(c.value) in (int, float):
                    out.add(-c.value)
            elif isinstance(c, ast.Constant) and type(c.value) in (int, float):
                out.add(c.value)
    return out


def words(nodes) -> set:
    """The lower-case one-word string literals written in ``nodes``."""
    return {
        c.value
        for node in nodes
        for c in ast.walk(node)
        if isinstance(c, ast.Constant)
        and isinstance(c.value, str)
        and c.value.isalpha()
        and c.value.islower()
    }


def vader_rules() -> list[ast.FunctionDef]:
    """vaderSentiment's rule functions and methods (not the lexicon readers)."""
    tree = ast.parse(inspect.getsource(vs))
    readers = {"__init__", "make_lex_dict", "make_emoji_dict", "_words_and_emoticons"}
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name not in readers]


def test_both_paths_write_vaders_numbers():
    tree = ast.parse(SOURCE)
    port, batch = numbers(functions(tree, PORT)), numbers(functions(tree, BATCH))
    assert port == batch
    assert port == numbers(vader_rules())
    # the rule constants among them, so that the sets are not vacuous
    assert {0.95, 0.9, 1.25, 0.5, 1.5, 0.292, 0.18, 0.96, 4, 15} <= port


def test_named_constants_are_vaders_and_not_written_out():
    assert (vader._N_SCALAR, vader._C_INCR) == (vs.N_SCALAR, vs.C_INCR)
    assert vader._BOOSTER is vs.BOOSTER_DICT and vader._SPECIAL is vs.SPECIAL_CASES
    written = numbers(functions(ast.parse(SOURCE), PORT + BATCH))
    assert not {vs.N_SCALAR, vs.C_INCR, vs.B_INCR, vs.B_DECR} & written


def test_both_paths_know_the_same_rule_words():
    tree = ast.parse(SOURCE)
    port = words(functions(tree, PORT))
    # the batch path reads its words from flags (_word_bits)
    flagged = {"never", "without", "doubt", "least", "no", "but"}
    flagged |= vader._SO_THIS | vader._AT_VERY | vader._OR_NOR
    assert port - {"kind", "of"} == flagged
    # "kind of" is a multiword booster key: score_many leaves its sentences to score()
    assert ("kind", "of") in vader._IDIOM_PAIRS
    bits = vader._word_bits({}, frozenset())
    for word in flagged:
        assert bits[word], word
    # and vaderSentiment's rules name the same words
    assert port <= words(vader_rules())
