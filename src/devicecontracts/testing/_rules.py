"""Domain and migration rules proven on generated data: the data-contract half of
``contracts test``.

For each version of a contract with a ``contract.toml`` (rules whose expressions do not parse
are left to ``contracts check``, which also evaluates the domain rules' examples; ``contracts
test`` reports those findings too, see `devicecontracts.testing.evolution`):

* generated data is drawn to satisfy the version's CEL_FIELD rules where the generator
  understands them (`recognise`): a guard naming the field, ``name == 'f'`` or
  ``fullName == 'ns.Record.f'``, optionally ``&& typeName != 'NULL'`` (or ``value != null``:
  null then passes), as `devicecontracts.datacontracts._guard` reads guards, then a body of
  ``&&``-joined ``value >= A``, ``value > A``,
  ``value <= B``, ``value < B`` (either operand order),
  ``value == X``, ``value in [X, ...]``, ``size(value) <= N`` / ``>= N`` (also ``<``, ``>``,
  ``value.size()``) on int, long, float, double, string and boolean fields, plain or in a
  union with null, or arrays and maps of them (each item constrained). The field's strategy
  is then drawn within the range or from the set (an override of `from_avro_schema`, so
  versions without rules are generated exactly as before);
* a rule beyond those forms (CEL on the message, other CEL_FIELD expressions, fields of other
  types) filters the generated data instead, a bounded number of tries; when no value passes,
  ``evolution-rule-unsatisfied`` shows the smallest value it rejects;
* then every rule is checked against the generated data (``evolution-rule-rejects``): a
  recognised constraint is a hypothesis about what the rule accepts, and the data tests it.

For each version starting a major with migration rules, generated data of every version of
the previous major (constrained by its rules; when random data finds nothing, again with its
int and long fields at the edges of their ranges, which migration arithmetic may overflow)
goes through the UPGRADE chain (UPGRADE and UPDOWN rules in order) and must be valid for the
new version; data of the new version goes through the DOWNGRADE chain (DOWNGRADE and UPDOWN
rules, in reverse) and must be valid for the version before it; with both,
``downgrade(upgrade(x))`` keeps every field the two versions hold with the same name and type
(top-level fields). Valid means fastavro's strict validation (every field without a default
present: one with a default may be left out, as fastavro's writer and the generated models
fill it in; every value of its type and range), and accepted by the target version's
READ-mode domain rules, which a reader runs on the migrated record (as Confluent's
deserializers do).

Values are Avro generic data as the rules see them (`to_generic`): records are dicts,
timestamps and times their integer counts, dates days, uuids text, bytes bytes. Every failure
is shrunk by hypothesis and shown as JSON in the finding.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import math
import re
import sys
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from random import Random
from typing import Any, Final

import fastavro
import hypothesis.strategies as st
from fastavro.validation import ValidationError, validate
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable
from hypothesis.strategies import SearchStrategy

from devicecontracts.catalog import Contract, SchemaVersion
from devicecontracts.catalog._contract_file import DeclaredRule
from devicecontracts.datacontracts import Metadata, Rule
from devicecontracts.datacontracts._eval import (
    RuleEvaluationError,
    cel_syntax_error,
    condition_failure,
    field_tags,
    jsonata_syntax_error,
    migrate,
)
from devicecontracts.datacontracts._guard import Guard, enclosed, read_guard
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make
from devicecontracts.schema import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    Array,
    AvroType,
    Fixed,
    Map,
    Primitive,
    Record,
    Schema,
    Union,
    to_json,
    walk,
)
from devicecontracts.testing._compile import Options, _float32
from devicecontracts.testing._unions import branch_for
from devicecontracts.testing._values import values_equal
from devicecontracts.testing.strategies import from_avro_schema

__all__ = [
    "Constraint",
    "FieldRule",
    "RuleProofs",
    "VersionPlan",
    "constraint_strategy",
    "plan_version",
    "prove_contract",
    "recognise",
    "to_generic",
]

SHOWN_CHARS: Final = 600
"""How much of a counterexample's JSON a finding shows."""
_FILTER_TRIES: Final = 100
"""At least this many generated values are tried to find one a rule beyond the recognised
forms accepts."""
_INTEGRAL: Final = {"int": (INT_MIN, INT_MAX), "long": (LONG_MIN, LONG_MAX)}
_TEXT = st.text(st.characters(exclude_categories=["Cs"]))
_COLLECTION_SIZE: Final = Options().max_collection_size


# ---------------------------------------------------------------------------------------------
# Constraints and their recognition


@dataclass(frozen=True)
class Constraint:
    """What a field's value must be, as recognised rules state it; None means no limit.

    ``members``: the allowed values; ``low``/``high``: a range, ``*_open`` when the bound
    itself is out; ``min_size``/``max_size``: a string's length in code points;
    ``null_ok``: whether null passes (the rule's guard skips it)."""

    low: float | None = None
    low_open: bool = False
    high: float | None = None
    high_open: bool = False
    members: tuple[Any, ...] | None = None
    min_size: int | None = None
    max_size: int | None = None
    null_ok: bool = False
    numeric: bool = False
    """A range was stated (the value must be a number)."""

    def __and__(self, other: Constraint) -> Constraint:
        low, low_open = _tighter(
            (self.low, self.low_open), (other.low, other.low_open), upper=False
        )
        high, high_open = _tighter(
            (self.high, self.high_open), (other.high, other.high_open), upper=True
        )
        members = self.members
        if other.members is not None:
            members = (
                other.members
                if members is None
                else tuple(m for m in members if any(_same(m, o) for o in other.members))
            )
        return Constraint(
            low,
            low_open,
            high,
            high_open,
            members,
            _max_of(self.min_size, other.min_size),
            _min_of(self.max_size, other.max_size),
            self.null_ok and other.null_ok,
            self.numeric or other.numeric,
        )

    def describe(self) -> str:
        """The constraint in words, such as ``2500 <= value <= 4500``."""
        parts: list[str] = []
        if self.low is not None or self.high is not None:
            text = "value"
            if self.low is not None:
                text = f"{_num(self.low)} {'<' if self.low_open else '<='} {text}"
            if self.high is not None:
                text = f"{text} {'<' if self.high_open else '<='} {_num(self.high)}"
            parts.append(text)
        if self.members is not None:
            parts.append("value in [" + ", ".join(json.dumps(m) for m in self.members) + "]")
        if self.min_size is not None:
            parts.append(f"size >= {self.min_size}")
        if self.max_size is not None:
            parts.append(f"size <= {self.max_size}")
        if self.null_ok:
            parts.append("or null")
        return " and ".join(parts) or "any value"


def _num(x: float) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 2**53 else str(x)


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (_is_number(a) and _is_number(b) and a == b)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _tighter(
    a: tuple[float | None, bool], b: tuple[float | None, bool], *, upper: bool
) -> tuple[float | None, bool]:
    if a[0] is None:
        return b
    if b[0] is None or a[0] == b[0]:
        return (a[0], a[1] or (b[0] is not None and b[1]))
    pick_a = a[0] < b[0] if upper else a[0] > b[0]
    return a if pick_a else b


def _max_of(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _min_of(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


@dataclass(frozen=True)
class FieldRule:
    """A recognised CEL_FIELD rule: the fields its guard names (``names`` by field name,
    ``full_names`` as ``namespace.Record.field``) and the constraint its body states."""

    rule: Rule
    names: frozenset[str]
    full_names: frozenset[str]
    constraint: Constraint

    def applies_to(self, record: Record, name: str, metadata: Metadata | None) -> bool:
        """Whether the rule runs on ``record``'s field ``name`` (its guard and tags)."""
        if name not in self.names and f"{record.fullname}.{name}" not in self.full_names:
            return False
        wanted = frozenset(self.rule.tags)
        return not wanted or bool(wanted & field_tags(record, name, metadata))


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<num>-?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+|0x[0-9a-fA-F]+|\d+)[uU]?)
      | (?P<op>==|!=|>=|<=|&&|\|\||[<>\[\](),.;!])
      | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_FLIP: Final = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
_COMPARE: Final = (">=", "<=", ">", "<")


class _NotRecognised(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise _NotRecognised
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match[kind]))
        pos = match.end()
    return out


def _literal(token: tuple[str, str]) -> Any:
    kind, text = token
    if kind == "str":
        return json.loads('"' + text[1:-1].replace('"', '\\"').replace("\\'", "'") + '"')
    if kind == "num":
        raw = text.rstrip("uU")
        if re.fullmatch(r"-?0x[0-9a-fA-F]+", raw):
            return int(raw, 16)
        if re.fullmatch(r"-?\d+", raw):
            return int(raw)
        return float(raw)
    if kind == "id" and text in ("true", "false"):
        return text == "true"
    if kind == "id" and text == "null":
        return None
    raise _NotRecognised


def _conjuncts(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """``tokens`` split at top-level ``&&``, each conjunct without enclosing parentheses; a
    top-level ``||`` or ``!`` makes the expression unrecognised."""
    while enclosed(tokens):
        tokens = tokens[1:-1]
    parts: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for token in tokens:
        text = token[1] if token[0] == "op" else ""
        if text in ("(", "["):
            depth += 1
        elif text in (")", "]"):
            depth -= 1
        if depth == 0 and text == "&&":
            parts.append([])
            continue
        if depth == 0 and text in ("||", "!"):
            raise _NotRecognised
        parts[-1].append(token)
    out = []
    for raw in parts:
        part = raw
        while enclosed(part):
            part = part[1:-1]
        if not part:
            raise _NotRecognised
        out.append(part)
    return out


def _is_value(tokens: Sequence[tuple[str, str]]) -> bool:
    return list(tokens) == [("id", "value")]


def _size_of_value(tokens: Sequence[tuple[str, str]]) -> bool:
    return list(tokens) in (
        [("id", "size"), ("op", "("), ("id", "value"), ("op", ")")],
        [("id", "value"), ("op", "."), ("id", "size"), ("op", "("), ("op", ")")],
    )


def _split_compare(
    part: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], str, list[tuple[str, str]]] | None:
    for i, (kind, text) in enumerate(part):
        if kind == "op" and text in _FLIP:
            return part[:i], text, part[i + 1 :]
    return None


def _guard(text: str) -> Guard:
    """Guard ``text`` read by `read_guard` when it is a conjunction naming exactly one field
    (``name ==`` or ``fullName ==``), with at most null kept out (``typeName != 'NULL'``,
    ``value != null``) besides."""
    guard = read_guard(text)
    if not guard.conjunction:
        raise _NotRecognised
    for c in guard.comparisons:
        picks = c.operator == "==" and c.variable in ("name", "fullName") and c.literal is not None
        if not picks and not (c.operator == "!=" and _keeps_null_out(c.variable, c.literal)):
            raise _NotRecognised
    if len(guard.names()) + len(guard.full_names()) != 1:
        raise _NotRecognised  # no field named, or two names at once (nothing matches both)
    return guard


def _keeps_null_out(variable: str, literal: str | None) -> bool:
    return (variable, literal) in (("value", None), ("typeName", "NULL"))


def _body(tokens: list[tuple[str, str]]) -> Constraint:
    found = Constraint()
    for part in _conjuncts(tokens):
        found = found & _body_part(part)
    return found


def _body_part(part: list[tuple[str, str]]) -> Constraint:
    if len(part) >= 3 and _is_value(part[:1]) and part[1] == ("id", "in"):
        items = part[2:]
        if items[0] != ("op", "[") or items[-1] != ("op", "]"):
            raise _NotRecognised
        members: list[Any] = []
        inner = items[1:-1]
        for i, token in enumerate(inner):
            if i % 2:
                if token != ("op", ","):
                    raise _NotRecognised
            else:
                members.append(_literal(token))
        if not members or any(m is None for m in members):
            raise _NotRecognised
        return Constraint(members=tuple(members))
    split = _split_compare(part)
    if split is None:
        raise _NotRecognised
    left, op, right = split
    if not (_is_value(left) or _size_of_value(left)):
        left, right, op = right, left, _FLIP[op]
    if len(right) != 1:
        raise _NotRecognised
    bound = _literal(right[0])
    if _is_value(left):
        if op == "==" and bound is not None:
            return Constraint(members=(bound,))
        if op == "!=" and bound is None:
            return Constraint()
        if op in _COMPARE and _is_number(bound):
            return _range(op, bound, numeric=True)
        raise _NotRecognised
    if _size_of_value(left) and op in _COMPARE and isinstance(bound, int):
        low, high = {
            ">=": (bound, None),
            ">": (bound + 1, None),
            "<=": (None, bound),
            "<": (None, bound - 1),
        }[op]
        return Constraint(min_size=low, max_size=high)
    raise _NotRecognised


def _range(op: str, bound: float, *, numeric: bool) -> Constraint:
    if op in (">=", ">"):
        return Constraint(low=bound, low_open=op == ">", numeric=numeric)
    return Constraint(high=bound, high_open=op == "<", numeric=numeric)


def recognise(rule: Rule) -> FieldRule | None:
    """The field constraint CEL_FIELD ``rule`` states, or None when it is beyond the forms the
    generator understands (see the module docstring)."""
    if rule.type != "CEL_FIELD" or not rule.expr:
        return None
    guard, sep, body = rule.expr.partition(";")
    if not sep or not guard.strip():
        return None
    try:
        read = _guard(guard)
        constraint = _body(_tokens(body))
    except (_NotRecognised, ValueError, KeyError):
        return None
    return FieldRule(
        rule,
        frozenset(read.names()),
        frozenset(read.full_names()),
        replace(constraint, null_ok=read.null_passes()),
    )


# ---------------------------------------------------------------------------------------------
# Strategies for constrained fields


def _base(t: AvroType) -> tuple[Primitive | None, bool]:
    """The one non-null type of a field (plain, or a union with null) and whether null is a
    branch; (None, _) for any other type."""
    if isinstance(t, Union):
        others = [b for b in t.branches if b.type != "null"]
        if len(others) != 1 or len(t.branches) != 2:
            return None, False
        inner = others[0]
        return (inner if isinstance(inner, Primitive) else None), True
    return (t if isinstance(t, Primitive) else None), False


def constraint_strategy(t: AvroType, constraint: Constraint) -> SearchStrategy[Any] | None:
    """Generic values of field type ``t`` that satisfy ``constraint``: an empty strategy
    (``st.nothing()``) when none does, None when ``t`` is not a type the generator constrains
    (see the module docstring). An array or map of such a type is constrained item by item,
    as CEL_FIELD runs on each item."""
    if isinstance(t, Array | Map):
        items = constraint_strategy(t.items if isinstance(t, Array) else t.values, constraint)
        if items is None:
            return None
        if items.is_empty:
            return items  # contradicting rules: reported, though an empty one would pass
        if isinstance(t, Array):
            return st.lists(items, max_size=_COLLECTION_SIZE)
        return st.dictionaries(_TEXT, items, max_size=_COLLECTION_SIZE)
    base, nullable = _base(t)
    if base is None:
        return None
    logical = base.logical.name if base.logical is not None else None
    if logical == "decimal":
        return None
    inner = _primitive_strategy(base.type, constraint)
    if inner is None:
        return None
    if nullable and constraint.null_ok:
        return st.none() | inner  # null first, as the compiler orders it: shrinks to null
    return inner


def _primitive_strategy(kind: str, c: Constraint) -> SearchStrategy[Any] | None:
    if kind in _INTEGRAL:
        return _integers(kind, c)
    if kind in ("float", "double"):
        return _floats(kind, c)
    if kind == "string":
        return _strings(c)
    if kind == "boolean":
        if c.numeric or c.min_size is not None or c.max_size is not None:
            return st.nothing()
        if c.members is None:
            return st.booleans()
        return _sampled([m for m in c.members if isinstance(m, bool)])
    return None


def _sampled(members: Sequence[Any]) -> SearchStrategy[Any]:
    unique: list[Any] = []
    for m in members:
        if not any(_same(m, u) for u in unique):
            unique.append(m)
    return st.sampled_from(unique) if unique else st.nothing()


def _within(x: float, c: Constraint) -> bool:
    if c.low is not None and (x < c.low or (c.low_open and x == c.low)):
        return False
    return not (c.high is not None and (x > c.high or (c.high_open and x == c.high)))


def _integers(kind: str, c: Constraint) -> SearchStrategy[Any]:
    if c.min_size is not None or c.max_size is not None:
        return st.nothing()  # size() of a number does not evaluate
    low, high = _INTEGRAL[kind]
    if c.members is not None:
        picked = [
            int(m)
            for m in c.members
            if _is_number(m)
            and float(m).is_integer()
            and low <= int(m) <= high
            and _within(int(m), c)
        ]
        return _sampled(picked)
    if c.low is not None:
        first = math.floor(c.low) + 1 if c.low_open else math.ceil(c.low)
        low = max(low, first) if math.isfinite(c.low) else low
    if c.high is not None:
        last = math.ceil(c.high) - 1 if c.high_open else math.floor(c.high)
        high = min(high, last) if math.isfinite(c.high) else high
    return st.integers(low, high) if low <= high else st.nothing()


def _floats(kind: str, c: Constraint) -> SearchStrategy[Any]:
    if c.min_size is not None or c.max_size is not None:
        return st.nothing()
    narrow = _float32 if kind == "float" else float
    if c.members is not None:
        picked = [float(m) for m in c.members if _is_number(m) and narrow(float(m)) == float(m)]
        return _sampled([m for m in picked if _within(m, c)])
    low = None if c.low is None else float(c.low)
    high = None if c.high is None else float(c.high)
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and (c.low_open or c.high_open)))
    ):
        return st.nothing()
    bounded = c.low is not None or c.high is not None
    doubles = st.floats(
        min_value=low,
        max_value=high,
        exclude_min=c.low_open and low is not None,
        exclude_max=c.high_open and high is not None,
        allow_nan=not bounded,
    )
    if kind == "double":
        return doubles
    return doubles.map(_float32).filter(lambda x: not bounded or _within(x, c))


def _strings(c: Constraint) -> SearchStrategy[Any]:
    if c.numeric:
        return st.nothing()  # a string compared with a number does not evaluate
    low, high = c.min_size or 0, c.max_size
    if c.members is not None:
        return _sampled(
            [
                m
                for m in c.members
                if isinstance(m, str) and low <= len(m) and (high is None or len(m) <= high)
            ]
        )
    if high is not None and high < low:
        return st.nothing()
    return st.text(st.characters(exclude_categories=["Cs"]), min_size=low, max_size=high)


# ---------------------------------------------------------------------------------------------
# Generic data


def to_generic(value: Any, t: AvroType) -> Any:
    """A value of the generator's form (tagged unions, datetimes, UUIDs) as Avro generic data:
    dicts, logical types as their underlying counts and text. Generic values pass unchanged."""
    if isinstance(t, Union):
        branch, inner = _branch_of(value, t)
        return to_generic(inner, branch)
    if isinstance(t, Record) and isinstance(value, Mapping):
        return {f.name: to_generic(value[f.name], f.type) for f in t.fields if f.name in value}
    if isinstance(t, Array) and isinstance(value, list | tuple):
        return [to_generic(v, t.items) for v in value]
    if isinstance(t, Map) and isinstance(value, Mapping):
        return {k: to_generic(v, t.values) for k, v in value.items()}
    if isinstance(t, Primitive | Fixed) and t.logical is not None:
        return _logical_generic(value, t.logical.name)
    return value


def _branch_of(value: Any, t: Union) -> tuple[AvroType, Any]:
    try:
        return branch_for(value, t)
    except ValueError:
        pass
    for branch in t.branches:  # a generic value (from a constrained field): the first it fits
        if _fits(value, branch):
            return branch, value
    return t.branches[0], value


_GENERIC_CLASSES: Final[dict[str, type | tuple[type, ...]]] = {
    "boolean": bool,
    "float": float,
    "double": float,
    "string": str,
    "bytes": bytes,
    "fixed": bytes,
    "enum": str,
    "record": dict,
    "map": dict,
    "array": list,
}


def _fits(value: Any, t: AvroType) -> bool:
    kind = t.type
    if value is None:
        return kind == "null"
    if kind in _INTEGRAL:
        return isinstance(value, int) and not isinstance(value, bool)
    classes = _GENERIC_CLASSES.get(kind)
    return classes is not None and isinstance(value, classes)


_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_EPOCH_NAIVE: Final = datetime.datetime(1970, 1, 1)


def _logical_generic(value: Any, logical: str) -> Any:
    if isinstance(value, datetime.datetime):
        delta = value - (_EPOCH if value.tzinfo is not None else _EPOCH_NAIVE)
        us = delta // datetime.timedelta(microseconds=1)
        return us // 1000 if logical.endswith("millis") else us
    if isinstance(value, datetime.date):
        return value.toordinal() - datetime.date(1970, 1, 1).toordinal()
    if isinstance(value, datetime.time):
        us = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
        us += value.microsecond
        return us // 1000 if logical == "time-millis" else us
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _plain(value: Any) -> Any:
    """JSONata's output as plain dicts and lists (it returns list subclasses)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``value`` as compact JSON (bytes as latin-1 text, as Avro's JSON encoding writes them),
    cut to ``limit`` characters."""

    def default(x: Any) -> Any:
        if isinstance(x, bytes | bytearray):
            return bytes(x).decode("latin-1")
        if isinstance(x, decimal.Decimal):
            return str(x)
        return repr(x)

    try:
        text = json.dumps(value, default=default, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text) - limit} more characters)"
    return text


def _records(root: AvroType) -> list[Record]:
    out: list[Record] = []
    seen: set[int] = set()
    for node in walk(root):
        if isinstance(node, Record) and id(node) not in seen:
            seen.add(id(node))
            out.append(node)
    return out


# ---------------------------------------------------------------------------------------------
# One version's generation plan


@dataclass
class VersionPlan:
    """How one version's data is drawn to satisfy its domain rules.

    ``constrained``: each recognised rule with the fields it constrains (``Record.field``) and
    the constraint those fields were drawn with; ``beyond``: condition rules whose data is
    filtered instead; ``unsatisfiable``: (rules, field, constraint) whose constraint leaves no
    value of the field's type. ``strategy`` draws generic data."""

    version: SchemaVersion
    rules: tuple[DeclaredRule, ...]
    metadata: Metadata | None
    overrides: dict[str, SearchStrategy[Any]] = field(default_factory=dict)
    constrained: dict[str, list[tuple[str, Constraint]]] = field(default_factory=dict)
    beyond: list[DeclaredRule] = field(default_factory=list)
    unsatisfiable: list[tuple[list[str], str, Constraint]] = field(default_factory=list)
    recognised: list[tuple[DeclaredRule, FieldRule]] = field(default_factory=list)
    filters: list[DeclaredRule] = field(default_factory=list)
    unfiltered: SearchStrategy[Any] = field(default_factory=st.nothing)

    @property
    def schema(self) -> Schema:
        """The version's parsed schema."""
        assert self.version.schema is not None
        return self.version.schema

    def strategy(self, *, filtered: bool = True, edges: bool = False) -> SearchStrategy[Any]:
        """Generic data of the version: constrained fields drawn within their constraints and,
        when ``filtered``, values the rules beyond the recognised forms reject left out. With
        ``edges``, every other int and long field takes only the edges of its range (0, 1, -1,
        the largest and the smallest value), which arithmetic in a migration may overflow and
        random draws seldom reach."""
        base = self.unfiltered
        if edges:
            root = self.schema.root
            overrides = {**_edge_overrides(root), **self.overrides}
            base = from_avro_schema(self.schema, overrides=overrides).map(
                lambda v: to_generic(v, root)
            )
        if not filtered or not self.filters:
            return base
        rules, root, metadata = [d.rule for d in self.filters], self.schema.root, self.metadata
        return base.filter(lambda v: _all_hold(rules, root, v, metadata))


def _edge_overrides(root: AvroType) -> dict[str, SearchStrategy[Any]]:
    out: dict[str, SearchStrategy[Any]] = {}
    for record in _records(root):
        for f in record.fields:
            base, nullable = _base(f.type)
            if base is None or base.type not in _INTEGRAL:
                continue
            if base.logical is not None and base.logical.name == "decimal":
                continue
            low, high = _INTEGRAL[base.type]
            edges: SearchStrategy[Any] = st.sampled_from([0, 1, -1, high, low])
            out[f"{record.fullname}.{f.name}"] = st.none() | edges if nullable else edges
    return out


def _all_hold(rules: Iterable[Rule], root: AvroType, value: Any, metadata: Metadata | None) -> bool:
    return all(_failure(r, root, value, metadata) is None for r in rules)


def _rejected_by(rule: Rule, root: AvroType, metadata: Metadata | None) -> Callable[[Any], bool]:
    def rejected(value: Any) -> bool:
        return _failure(rule, root, value, metadata) is not None

    return rejected


def _failure(rule: Rule, root: AvroType, value: Any, metadata: Metadata | None) -> str | None:
    try:
        return condition_failure(rule, root, value, metadata)
    except RuleEvaluationError as exc:
        return str(exc)


def _conditions(contract: Contract, version: int) -> tuple[DeclaredRule, ...]:
    if contract.data is None:
        return ()
    return tuple(
        d
        for d in contract.data.rules
        if d.carried_by(version)
        and not d.rule.disabled
        and d.rule.kind == "CONDITION"
        and d.rule.type in ("CEL", "CEL_FIELD")
        and d.rule.expr
        and cel_syntax_error(d.rule.expr) is None  # contracts check reports the others
    )


def plan_version(contract: Contract, version: SchemaVersion) -> VersionPlan:
    """The generation plan of ``version`` (parsed) under the domain rules it carries."""
    assert version.schema is not None
    with _limit_kept():
        _ready()
    metadata = contract.metadata(version.version) if contract.data is not None else None
    plan = VersionPlan(version, _conditions(contract, version.version), metadata)
    recognised = plan.recognised
    for declared in plan.rules:
        found = recognise(declared.rule)
        if found is None:
            plan.beyond.append(declared)
        else:
            recognised.append((declared, found))
    unsupported: set[str] = set()
    for record in _records(version.schema.root):
        for f in record.fields:
            applying = [
                (d, r) for d, r in recognised if r.applies_to(record, f.name, plan.metadata)
            ]
            if not applying:
                continue
            constraint = applying[0][1].constraint
            for _, r in applying[1:]:
                constraint = constraint & r.constraint
            path = f"{record.fullname}.{f.name}"
            strategy = constraint_strategy(f.type, constraint)
            names = [d.rule.name for d, _ in applying]
            if strategy is None:
                unsupported.update(names)
                continue
            if strategy.is_empty:
                plan.unsatisfiable.append((names, path, constraint))
                continue
            plan.overrides[path] = strategy
            for name in names:
                plan.constrained.setdefault(name, []).append((path, constraint))
    for declared, _ in recognised:
        if declared.rule.name in unsupported:
            plan.beyond.append(declared)  # on a field type the generator does not constrain
    root = version.schema.root
    plan.unfiltered = from_avro_schema(version.schema, overrides=plan.overrides).map(
        lambda v: to_generic(v, root)
    )
    return plan


# ---------------------------------------------------------------------------------------------
# Proofs


@dataclass
class RuleProofs:
    """What proving a contract's rules found: findings, notes (what could not be proven or
    was proven only on filtered data), and counts of the rules and migration chains tried."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rules: int = 0
    migrations: int = 0


def _settings(examples: int, *, shrink: bool = True) -> settings:
    return settings(
        max_examples=examples,
        # No explain phase: it reruns the failure many times to say which parts matter.
        phases=tuple(p for p in Phase if p.name != "explain" and (shrink or p.name != "shrink")),
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )


class _Prover:
    def __init__(self, contract: Contract, examples: int, seed: int) -> None:
        self.contract = contract
        self.examples = examples
        self.seed = seed
        self.out = RuleProofs()
        self.plans: dict[int, VersionPlan] = {}
        self.file = contract.data.file if contract.data is not None else None

    # -- helpers ---------------------------------------------------------------------------
    def where(self, version: int, line: int | None) -> Location:
        return Location(file=self.file, subject=self.contract.subject, version=version, line=line)

    def rerun(self) -> str:
        return f"contracts test --subject {self.contract.subject} --seed {self.seed}"

    def shrink(
        self,
        strategy: SearchStrategy[Any] | VersionPlan,
        fails: Callable[[Any], bool],
        label: str,
        *,
        smallest: bool = True,
    ) -> Any | None:
        """The smallest value of ``strategy`` that ``fails`` (hypothesis shrinks it; the first
        found when not ``smallest``), or None when ``examples`` values all passed."""
        if isinstance(strategy, VersionPlan):
            # A version's data, then (when all of it passed) its integers at their edges.
            found = self.shrink(strategy.strategy(), fails, label, smallest=smallest)
            if found is not None:
                return found
            return self.shrink(
                strategy.strategy(edges=True), fails, f"{label}:edges", smallest=smallest
            )

        def guarded(value: Any) -> bool:
            try:
                return fails(value)
            except Exception:  # a predicate that breaks is a failure to show, not a crash
                return True

        seed = zlib.crc32(f"{self.seed}:{self.contract.subject}:{label}".encode())
        try:
            return find(
                strategy,
                guarded,
                settings=_settings(self.examples, shrink=smallest),
                random=Random(seed),
            )
        except (NoSuchExample, Unsatisfiable):
            return None

    def plan(self, version: SchemaVersion) -> VersionPlan:
        found = self.plans.get(version.version)
        if found is None:
            found = self.plans[version.version] = plan_version(self.contract, version)
        return found

    # -- domain rules ----------------------------------------------------------------------
    def domain(self, version: SchemaVersion) -> None:
        plan = self.plan(version)
        if not plan.rules:
            return
        self.out.rules += len(plan.rules)
        n = version.version
        for names, path, constraint in plan.unsatisfiable:
            lines = [d.line for d in plan.rules if d.rule.name in names]
            self.out.findings.append(
                make(
                    "evolution-rule-unsatisfiable",
                    f"rule{'s' if len(names) > 1 else ''} {', '.join(map(repr, names))} of "
                    f"v{n} allow{'' if len(names) > 1 else 's'} no value of field {path} "
                    f"({_type_text(self.field_type(plan, path))}): {constraint.describe()}",
                    "widen the range or fix the rule's literals so the field's type can meet "
                    "them (a CEL_FIELD rule compares the field's own value)",
                    location=self.where(n, lines[0] if lines else None),
                )
            )
        reported = {name for names, _, _ in plan.unsatisfiable for name in names}
        for declared, found in plan.recognised:
            name = declared.rule.name
            if (
                name not in plan.constrained
                and name not in reported
                and declared not in plan.beyond
            ):
                self.out.notes.append(
                    f"{self.contract.subject} v{n}: rule {name!r} names no field of v{n} "
                    f"({', '.join(sorted(found.names | found.full_names))})"
                )
        root = plan.schema.root
        for declared in plan.beyond:
            rule = declared.rule
            if (
                self.shrink(
                    plan.unfiltered,
                    _rejected_by(rule, root, plan.metadata),
                    f"v{n}:{rule.name}:rejects-some",
                    smallest=False,
                )
                is None
            ):
                continue  # every generated value passes: nothing to filter
            satisfied = self.satisfiable(plan, rule)
            if satisfied:
                plan.filters.append(declared)
                self.out.notes.append(
                    f"{self.contract.subject} v{n}: rule {rule.name!r} is beyond the forms the "
                    "generator constrains; data for it was filtered"
                )
                continue
            value = self.shrink(
                plan.unfiltered,
                _rejected_by(rule, root, plan.metadata),
                f"v{n}:{rule.name}:unsat",
            )
            why = _failure(rule, root, value, plan.metadata) if value is not None else None
            self.out.findings.append(
                make(
                    "evolution-rule-unsatisfied",
                    f"rule {rule.name!r} of v{n} rejected every one of at least "
                    f"{max(self.examples, _FILTER_TRIES)} values generated for v{n}: either it "
                    "is wrong (a CEL_FIELD rule without a `guard ;` runs on every field) or it "
                    "is narrower than the generator reaches. Smallest value it rejects"
                    f"{f' ({why})' if why else ''}: {shown(value)}",
                    "guard a CEL_FIELD rule with `name == 'field' ;` and state its range or set "
                    "in a form the generator understands (value >= A && value <= B, "
                    "value in [...], size(value) <= N); if the rule is right, set this rule id "
                    f"to warn in catalog.toml's [rules] (reproduce: {self.rerun()})",
                    location=self.where(n, declared.line),
                )
            )
        strategy = plan.strategy()
        for declared in plan.rules:
            rule = declared.rule
            if rule.name not in plan.constrained:
                continue  # filtered (so it holds), reported, or every value passes
            value = self.shrink(
                strategy,
                _rejected_by(rule, root, plan.metadata),
                f"v{n}:{rule.name}:rejects",
            )
            if value is None:
                continue
            why = _failure(rule, root, value, plan.metadata)
            said = "; ".join(f"{path}: {c.describe()}" for path, c in plan.constrained[rule.name])
            self.out.findings.append(
                make(
                    "evolution-rule-rejects",
                    f"rule {rule.name!r} of v{n} rejects a value generated for v{n} to satisfy "
                    f"it ({said}): {why}. Smallest such value: {shown(value)}",
                    "fix the rule (or the rules it contradicts); a rule must accept what it "
                    f"says it accepts (reproduce: {self.rerun()})",
                    location=self.where(n, declared.line),
                )
            )

    def satisfiable(self, plan: VersionPlan, rule: Rule) -> bool:
        root = plan.schema.root
        tries = max(self.examples, _FILTER_TRIES)
        seed = zlib.crc32(f"{self.seed}:{self.contract.subject}:{rule.name}:sat".encode())
        try:
            find(
                plan.unfiltered,
                lambda v: _failure(rule, root, v, plan.metadata) is None,
                settings=_settings(tries, shrink=False),
                random=Random(seed),
            )
        except (NoSuchExample, Unsatisfiable):
            return False
        return True

    def field_type(self, plan: VersionPlan, path: str) -> AvroType | None:
        record_name, _, name = path.rpartition(".")
        for record in _records(plan.schema.root):
            if record.fullname == record_name:
                f = record.field_named(name)
                return None if f is None else f.type
        return None

    # -- migrations ------------------------------------------------------------------------
    def migrations(self) -> None:
        data = self.contract.data
        if data is None or not data.migrations:
            return
        parsed = {v.version: v for v in self.contract.versions if v.schema is not None}
        starts = sorted({d.from_version for d in data.migrations})
        for start in starts:
            declared = [d for d in data.migrations if d.from_version == start]
            rules = [
                d.rule
                for d in declared
                if not d.rule.disabled
                and d.rule.type == "JSONATA"
                and jsonata_syntax_error(d.rule.expr or "") is None  # contracts check reports
            ]
            target = parsed.get(start)
            previous = parsed.get(start - 1)
            if target is None or previous is None or not rules:
                continue
            line = declared[0].line
            up = [r for r in rules if r.mode in ("UPGRADE", "UPDOWN")]
            down = [r for r in reversed(rules) if r.mode in ("DOWNGRADE", "UPDOWN")]
            old_major = data.major(start - 1)
            sources = [
                v
                for number, v in sorted(parsed.items())
                if number < start and data.major(number) == old_major
            ]
            if up:
                for source in sources:
                    self.out.migrations += 1
                    self.upgrade(up, source, target, line)
            if down:
                self.out.migrations += 1
                self.downgrade(down, target, previous, line)
            if up and down:
                self.out.migrations += 1
                self.round_trip(up, down, previous, target, line)

    def upgrade(
        self, up: list[Rule], source: SchemaVersion, target: SchemaVersion, line: int | None
    ) -> None:
        schema = _validator(self.contract, target)
        value = self.shrink(
            self.plan(source),
            lambda v: _chain_failure(up, v, schema) is not None,
            f"up:{source.version}:{target.version}",
        )
        if value is None:
            return
        why, result = _chain_result(up, value, schema)
        self.out.findings.append(
            make(
                "evolution-upgrade-invalid",
                f"UPGRADE {_names(up)} of v{target.version} turns v{source.version} data into "
                f"data v{target.version} refuses: {why}. Smallest v{source.version} value: "
                f"{shown(value)}" + (f"; upgraded: {shown(result)}" if result is not None else ""),
                "make the UPGRADE expression write every field of the new version that has no "
                "default, each with a value of its type and range (JSONata computes in "
                "doubles: bound what arithmetic could overflow) "
                f"(reproduce: {self.rerun()})",
                location=self.where(target.version, line),
                previous_version=source.version,
            )
        )

    def downgrade(
        self, down: list[Rule], target: SchemaVersion, previous: SchemaVersion, line: int | None
    ) -> None:
        schema = _validator(self.contract, previous)
        value = self.shrink(
            self.plan(target),
            lambda v: _chain_failure(down, v, schema) is not None,
            f"down:{target.version}:{previous.version}",
        )
        if value is None:
            return
        why, result = _chain_result(down, value, schema)
        self.out.findings.append(
            make(
                "evolution-downgrade-invalid",
                f"DOWNGRADE {_names(down)} of v{target.version} turns v{target.version} data "
                f"into data v{previous.version} refuses: {why}. Smallest v{target.version} "
                f"value: {shown(value)}"
                + (f"; downgraded: {shown(result)}" if result is not None else ""),
                "make the DOWNGRADE expression write every field of the previous version that "
                "has no default, each with a value of its type and range "
                f"(reproduce: {self.rerun()})",
                location=self.where(target.version, line),
                previous_version=previous.version,
            )
        )

    def round_trip(
        self,
        up: list[Rule],
        down: list[Rule],
        previous: SchemaVersion,
        target: SchemaVersion,
        line: int | None,
    ) -> None:
        assert previous.schema is not None and target.schema is not None
        shared = _shared_fields(previous.schema.root, target.schema.root)
        if not shared:
            return
        up_schema = _validator(self.contract, target)
        down_schema = _validator(self.contract, previous)

        def lost(value: Any) -> list[str]:
            if _chain_failure(up, value, up_schema) is not None:
                return []  # the upgrade itself is reported
            upgraded = _run_chain(up, value)
            if _chain_failure(down, upgraded, down_schema) is not None:
                return []
            back = _run_chain(down, upgraded)
            if not isinstance(back, Mapping):
                return list(shared)
            return [
                n for n in shared if n not in back or not values_equal(_plain(value[n]), back[n])
            ]

        value = self.shrink(
            self.plan(previous),
            lambda v: bool(lost(v)),
            f"trip:{previous.version}:{target.version}",
        )
        if value is None:
            return
        fields = lost(value)
        try:
            back = _run_chain(down, _run_chain(up, value))
        except RuleEvaluationError:
            back = None
        self.out.findings.append(
            make(
                "evolution-round-trip-lost",
                f"downgrading upgraded v{previous.version} data (UPGRADE {_names(up)}, then "
                f"DOWNGRADE {_names(down)} of v{target.version}) changes "
                f"{', '.join(fields)}, held by both versions with the same type. Smallest "
                f"v{previous.version} value: {shown(value)}; after the round trip: {shown(back)}",
                "carry those fields through both expressions unchanged "
                f"(reproduce: {self.rerun()})",
                location=self.where(target.version, line),
                previous_version=previous.version,
            )
        )


def _type_text(t: AvroType | None) -> str:
    return "unknown type" if t is None else json.dumps(to_json(t))


def _names(rules: Sequence[Rule]) -> str:
    return ", ".join(repr(r.name) for r in rules)


@dataclass(frozen=True)
class _Target:
    """What migrated data must be: valid for ``schema`` (fastavro's parsed form of the target
    version) and accepted by the target's READ-mode domain rules, which a reader runs after
    migrating (as Confluent's deserializers do)."""

    schema: Any
    root: AvroType
    rules: tuple[Rule, ...]
    metadata: Metadata | None

    def refuses(self, value: Any) -> str | None:
        why = _invalid(value, self.schema)
        if why is not None or not isinstance(value, Mapping):
            return why
        for rule in self.rules:
            failed = _failure(rule, self.root, value, self.metadata)
            if failed is not None:
                return f"its READ rule {rule.name!r} rejects it ({failed})"
        return None


def _validator(contract: Contract, version: SchemaVersion) -> _Target:
    assert version.schema is not None
    rules = tuple(
        d.rule
        for d in _conditions(contract, version.version)
        if d.rule.mode in ("READ", "WRITEREAD")
    )
    metadata = contract.metadata(version.version) if contract.data is not None else None
    return _Target(
        fastavro.parse_schema(version.schema.to_json()), version.schema.root, rules, metadata
    )


def _run_chain(rules: Sequence[Rule], value: Any) -> Any:
    for rule in rules:
        value = _plain(migrate(rule, value))
    return value


def _chain_result(rules: Sequence[Rule], value: Any, target: _Target) -> tuple[str, Any]:
    try:
        result = _run_chain(rules, value)
    except RuleEvaluationError as exc:
        return str(exc), None
    why = target.refuses(result)
    return why or "unknown", result


def _chain_failure(rules: Sequence[Rule], value: Any, target: _Target) -> str | None:
    try:
        result = _run_chain(rules, value)
    except RuleEvaluationError as exc:
        return str(exc)
    return target.refuses(result)


def _invalid(value: Any, schema: Any) -> str | None:
    if not isinstance(value, Mapping):
        return f"the result is {shown(value, 80)}, not a record"
    if isinstance(schema, Mapping):
        fields = schema.get("fields", ())
        missing = [f["name"] for f in fields if f["name"] not in value and "default" not in f]
        if missing:
            return f"no {', '.join(missing)} (a required field: it has no default)"
        absent = {f["name"]: f["default"] for f in fields if f["name"] not in value}
        if absent:  # filled with their defaults, as fastavro's writer and the models do
            value = {**value, **absent}
    try:
        validate(value, schema, raise_errors=True, strict=True)
    except ValidationError as exc:
        errors = [str(e) for e in exc.errors] or [str(exc)]
        return "; ".join(_short_error(e) for e in errors[:3])
    except Exception as exc:  # fastavro on values it cannot even classify
        return f"{type(exc).__name__}: {exc}"
    return None


def _short_error(text: str) -> str:
    # fastavro's error ends with the whole expected schema when it is a record: cut it short.
    head, sep, expected = text.partition(" expected ")
    return (head + sep + expected[:60] + ("..." if len(expected) > 60 else "")).strip()[:300]


def _shared_fields(old: AvroType, new: AvroType) -> list[str]:
    if not (isinstance(old, Record) and isinstance(new, Record)):
        return []
    out = []
    for f in old.fields:
        other = new.field_named(f.name)
        if other is not None and to_json(other.type) == to_json(f.type):
            out.append(f.name)
    return out


def _ready() -> None:
    """Load the CEL and JSONata libraries before hypothesis runs: both raise the recursion
    limit when first used (to 2,500 and 10,000), which hypothesis warns about when it happens
    inside a test. Callers put the limit back as they found it (`_limit_kept`), as
    ``contracts check`` does."""
    cel_syntax_error("true")
    jsonata_syntax_error("$")


@contextlib.contextmanager
def _limit_kept() -> Iterator[None]:
    limit = sys.getrecursionlimit()
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def prove_contract(contract: Contract, *, examples: int, seed: int) -> RuleProofs:
    """Prove ``contract``'s domain and migration rules on generated data (module docstring).

    Versions that did not parse are left out (``contracts test`` reports them). Needs the
    ``rules`` extra when the contract declares rules."""
    prover = _Prover(contract, examples, seed)
    if contract.data is None or not (contract.data.rules or contract.data.migrations):
        return prover.out
    with _limit_kept():
        _ready()
        for version in contract.versions:
            if version.schema is not None:
                prover.domain(version)
        prover.migrations()
    return prover.out
