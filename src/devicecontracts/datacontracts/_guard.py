"""Reading a CEL_FIELD guard: the one reader of ``guard`` in ``guard ; body``.

A guard typically picks fields: ``name == 'battery_mv' && typeName != 'NULL'``. `read_guard`
reads the comparisons such a guard is made of, without CEL, for three callers: the evaluator
(which decides a fully understood guard in Python, `Guard.predicate`, since a field rule runs
once per field of every message), ``check`` (the fields a guard names must exist; a rule's
examples stand for them) and ``testing`` (the field a recognised rule constrains).

What is read, conservatively (a guard that is not read is left to CEL and names no field):

* the guard is split at top-level ``&&`` (CEL's ``&&`` binds tighter than ``||`` and ``?:``,
  so a top-level ``||``, ``?`` or ``:`` makes the whole guard unread); parentheses enclosing
  the guard or a conjunct are dropped, nested conjunctions flattened;
* a conjunct is a comparison when it is exactly ``variable == literal`` or ``variable !=
  literal``, in either operand order, the literal a quoted string without backslashes or line
  breaks (CEL's escapes, raw and triple-quoted strings are not read), or ``null``;
* text the reader does not tokenize (a comment, a character outside CEL's operators) leaves the
  whole guard unread.

Conjuncts that are not comparisons are kept out of `Guard.comparisons` but still required: a
``name == 'x'`` conjunct picks field ``x`` whatever the others say. Only a guard that is nothing
but ``&&``-joined comparisons of ``name``, ``fullName`` and ``typeName`` with string literals,
without parentheses, is `Guard.understood`, and only then has a Python predicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["Comparison", "Guard", "GuardPredicate", "enclosed", "read_guard"]

GuardPredicate = Callable[[str, str, str], bool]
"""A guard decided in Python: a function of (name, fullName, typeName)."""

FIELD_VARIABLES: Final = ("name", "fullName", "typeName")

_SPACE: Final = " \t\n\r\f"  # CEL's whitespace (Python's \s has more)
_TOKEN = re.compile(
    r"""[ \t\n\r\f]*(?:
        (?P<str>'[^'\\\n\r]*'|"[^"\\\n\r]*")
      | (?P<num>(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)[uU]?)
      | (?P<op>==|!=|>=|<=|&&|\|\||/(?!/)|[-+*%<>\[\](){},.;:?!])
      | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_EQUALITY: Final = frozenset({"==", "!="})
_LOWER_THAN_AND: Final = frozenset({"||", "?", ":"})

_Token = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Comparison:
    """One conjunct ``variable op literal`` (operands in that order whatever the text's)."""

    variable: str
    operator: Literal["==", "!="]
    literal: str | None  # None: CEL's null


@dataclass(frozen=True, slots=True)
class Guard:
    """What a guard says: its top-level comparisons, whether every conjunct is one of them
    (``conjunction``), and whether the guard is fully understood (``understood``: only
    ``&&``-joined comparisons of ``name``, ``fullName`` and ``typeName`` with string literals,
    no parentheses), so that `predicate` equals CEL evaluating it."""

    comparisons: tuple[Comparison, ...] = ()
    conjunction: bool = False
    understood: bool = False

    def names(self) -> tuple[str, ...]:
        """The field names the guard picks (``name == 'x'``), in its order, each once; empty
        when it names none."""
        return self._picked("name")

    def full_names(self) -> tuple[str, ...]:
        """The full names the guard picks (``fullName == 'ns.Record.x'``), as `names`."""
        return self._picked("fullName")

    def _picked(self, variable: str) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(
                c.literal
                for c in self.comparisons
                if c.variable == variable and c.operator == "==" and c.literal is not None
            )
        )

    def null_passes(self) -> bool:
        """Whether a null value is kept out by the guard (``typeName != 'NULL'`` or ``value !=
        null``), so a rule with this guard passes a null field."""
        return any(
            c.operator == "!="
            and (
                (c.variable == "typeName" and c.literal == "NULL")
                or (c.variable == "value" and c.literal is None)
            )
            for c in self.comparisons
        )

    def predicate(self) -> GuardPredicate | None:
        """A function of (name, fullName, typeName) equal to the guard when it is understood;
        None otherwise (CEL must evaluate it)."""
        if not self.understood:
            return None
        equal: list[tuple[int, str]] = []
        unequal: list[tuple[int, str]] = []
        for c in self.comparisons:
            assert c.literal is not None  # understood: string literals only
            (equal if c.operator == "==" else unequal).append(
                (FIELD_VARIABLES.index(c.variable), c.literal)
            )
        return _predicate(tuple(equal), tuple(unequal))


def _predicate(
    equal: tuple[tuple[int, str], ...], unequal: tuple[tuple[int, str], ...]
) -> GuardPredicate:
    # The usual guards get a function of one or two comparisons, without a loop.
    if len(equal) == 1 and not unequal:
        [(i, literal)] = equal
        if i == 0:
            return lambda name, full_name, type_name: name == literal
        if i == 1:
            return lambda name, full_name, type_name: full_name == literal
        return lambda name, full_name, type_name: type_name == literal
    if len(equal) == 1 and len(unequal) == 1 and equal[0][0] == 0 and unequal[0][0] == 2:
        wanted, excluded = equal[0][1], unequal[0][1]
        return lambda name, full_name, type_name: name == wanted and type_name != excluded

    def holds(name: str, full_name: str, type_name: str) -> bool:
        values = (name, full_name, type_name)
        for i, literal in equal:
            if values[i] != literal:
                return False
        for i, literal in unequal:  # noqa: SIM110 (a loop is faster than any() here)
            if values[i] == literal:
                return False
        return True

    return holds


_UNREAD: Final = Guard()
_NOT_VARIABLES: Final = frozenset({"null", "true", "false", "in"})


def read_guard(text: str) -> Guard:
    """The guard CEL text ``text`` (the part before ``;``) as `Guard`; an unread guard has no
    comparisons and is not understood."""
    read = _conjuncts(_tokens(text))
    if read is None:
        return _UNREAD
    parts, parenthesized = read
    comparisons = [c for c in map(_comparison, parts) if c is not None]
    if not comparisons:
        return _UNREAD
    every = len(comparisons) == len(parts)
    understood = (
        every
        and not parenthesized
        and all(c.variable in FIELD_VARIABLES and c.literal is not None for c in comparisons)
    )
    return Guard(tuple(comparisons), conjunction=every, understood=understood)


def _tokens(text: str) -> list[_Token]:
    """``text``'s tokens; empty when some of it is not a token this reader knows (a comment,
    an escaped, raw-with-quotes or triple-quoted string, a character outside CEL's syntax)."""
    if "'''" in text or '"""' in text:
        return []  # triple-quoted strings hold quotes and line breaks: not read
    out: list[_Token] = []
    pos = 0
    text = text.rstrip(_SPACE)
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            return []
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match[kind]))
        pos = match.end()
    return out


def _conjuncts(tokens: list[_Token]) -> tuple[list[list[_Token]], bool] | None:
    """``tokens``' top-level ``&&`` conjuncts, enclosing parentheses dropped and nested
    conjunctions flattened, and whether any parentheses were dropped; None when the tokens are
    no conjunction (none at all, an operator binding looser than ``&&`` at top level,
    unbalanced brackets, an empty operand)."""
    parenthesized = False
    while enclosed(tokens):
        tokens = tokens[1:-1]
        parenthesized = True
    parts: list[list[_Token]] = [[]]
    depth = 0
    for token in tokens:
        text = token[1] if token[0] == "op" else ""
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                return None
        if depth == 0 and text == "&&":
            parts.append([])
            continue
        if depth == 0 and text in _LOWER_THAN_AND:
            return None
        parts[-1].append(token)
    if depth != 0 or any(not part for part in parts):
        return None
    out: list[list[_Token]] = []
    for part in parts:
        nested = _conjuncts(part) if len(parts) > 1 and enclosed(part) else None
        if nested is None:
            out.append(part)  # one conjunct (a parenthesized one is no comparison)
        else:
            out.extend(nested[0])
            parenthesized = True
    return out, parenthesized


def enclosed(tokens: list[_Token]) -> bool:
    """Whether ``tokens`` (kind, text) are wholly inside one pair of parentheses."""
    if len(tokens) < 2 or tokens[0] != ("op", "(") or tokens[-1] != ("op", ")"):
        return False
    depth = 0
    for i, (kind, text) in enumerate(tokens):
        if kind == "op" and text == "(":
            depth += 1
        elif kind == "op" and text == ")":
            depth -= 1
            if depth == 0 and i < len(tokens) - 1:
                return False
    return True


def _comparison(part: list[_Token]) -> Comparison | None:
    if len(part) != 3 or part[1][0] != "op" or part[1][1] not in _EQUALITY:
        return None
    left, (_, operator), right = part
    if left[0] != "id" or left[1] in _NOT_VARIABLES:
        left, right = right, left
    if left[0] != "id" or left[1] in _NOT_VARIABLES:
        return None
    if right[0] == "str":
        literal: str | None = right[1][1:-1]
    elif right == ("id", "null"):
        literal = None
    else:
        return None
    return Comparison(left[1], "==" if operator == "==" else "!=", literal)
