"""Which union branches need a tag so fastavro writes the branch that was meant.

Given an untagged value, fastavro's writer chooses a branch by validating the value against
each one (`ambiguous_branches` spells out its order). We decide once per union, from the Python
kinds a branch's generated values have (`produces`) and the kinds fastavro's validator lets
through for a branch (`accepts`), which branches could lose their values to another, and tag
only those, so ordinary values such as ``["null", "int"]`` stay plain.

The tag is fastavro's tuple notation, ``(name, value)``: the full name for named types and the
Avro type name (``"int"``, ``"map"``, ...) for the others, as fastavro matches it.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from typing import Any, Final

from devicecontracts.schema import Array, AvroType, Enum, Fixed, Map, Primitive, Record, Union

__all__ = ["ambiguous_branches", "branch_for", "produces", "value_kind"]

_INT_LIKE: Final = frozenset({"int", "long"})
# Logical types on int or long whose values are Python objects rather than ints.
_TEMPORAL: Final = {
    "date": "date",
    "time-millis": "time",
    "time-micros": "time",
    "timestamp-millis": "datetime",
    "timestamp-micros": "datetime",
    "local-timestamp-millis": "datetime",
    "local-timestamp-micros": "datetime",
}


def _logical(t: AvroType) -> str | None:
    if isinstance(t, (Primitive, Fixed)) and t.logical is not None:
        return t.logical.name
    return None


def produces(t: AvroType) -> frozenset[str]:
    """The kinds of Python value generated for ``t`` (see `value_kind`)."""
    logical = _logical(t)
    if logical in _TEMPORAL:
        return frozenset({_TEMPORAL[logical]})
    if logical == "uuid":
        return frozenset({"uuid"})
    if logical == "decimal":
        return frozenset({"decimal"})
    if isinstance(t, (Record, Map)):
        return frozenset({"dict"})
    if isinstance(t, Array):
        return frozenset({"list"})
    if isinstance(t, Enum):
        return frozenset({"str"})
    if isinstance(t, Fixed):
        return frozenset({"bytes"})
    kind = t.type
    if kind in _INT_LIKE:
        return frozenset({"int"})
    if kind in ("float", "double"):
        return frozenset({"float"})
    if kind == "string":
        return frozenset({"str"})
    if kind == "boolean":
        return frozenset({"bool"})
    return frozenset({kind})  # null, bytes


def accepts(t: AvroType) -> frozenset[str]:
    """The kinds of Python value fastavro's validator accepts for branch ``t``.

    Wider than `produces`: logical-type writers pass the underlying type through (a raw int
    for a timestamp, bytes for a decimal), a date accepts a datetime (a subclass) and ISO text,
    and float and double accept ints.
    """
    logical = _logical(t)
    base = produces(t)
    if logical == "date":
        return base | {"int", "datetime", "str"}
    if logical in _TEMPORAL:
        return base | {"int"}
    if logical == "uuid":
        return base | {"str"}
    if logical == "decimal":
        return base | {"bytes"}
    if t.type in ("float", "double"):
        return frozenset({"int", "float"})
    return base


@functools.lru_cache(maxsize=1024)
def ambiguous_branches(union: Union) -> frozenset[int]:
    """Indexes of the branches of ``union`` whose untagged values fastavro may write as another.

    Mirrors fastavro's writer: for an untagged value it takes the first valid branch that is
    not a record, except that a valid ``float`` only defers to a later ``double``; records come
    into play only when no other branch is valid, and then the one sharing most fields wins. So
    a record is ambiguous when any other branch takes dicts, ``float`` when the union has a
    ``double``, and any other branch when an *earlier* non-record branch accepts its values.
    Tagging only these keeps ordinary values plain, and keeps tags off branches such as an
    inline enum first in its union, whose tags `fastavro.validation.validate` cannot read.
    """
    out: set[int] = set()
    for i, mine in enumerate(union.branches):
        made = produces(mine)
        if isinstance(mine, Record):
            rivals = [b for j, b in enumerate(union.branches) if j != i]
        elif mine.type == "float":
            rivals = [b for b in union.branches if b.type == "double"]
        else:
            rivals = [
                b
                for b in union.branches[:i]
                if not isinstance(b, Record) and not (mine.type == "double" and b.type == "float")
            ]
        if any(made & accepts(other) and _sizes_fit(mine, other) for other in rivals):
            out.add(i)
    return frozenset(out)


def _sizes_fit(mine: AvroType, other: AvroType) -> bool:
    # fastavro checks a fixed's size, so fixed types of different sizes never collide.
    return not (isinstance(mine, Fixed) and isinstance(other, Fixed) and mine.size != other.size)


def value_kind(value: Any) -> str:
    """The kind of a Python value, in the vocabulary of `produces`."""
    # Order matters: bool is an int, datetime is a date.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, datetime.datetime):
        return "datetime"
    for cls, kind in _KINDS:
        if isinstance(value, cls):
            return kind
    return type(value).__name__


_KINDS: Final[tuple[tuple[type, str], ...]] = (
    (int, "int"),
    (float, "float"),
    (str, "str"),
    (bytes, "bytes"),
    (list, "list"),
    (dict, "dict"),
    (datetime.date, "date"),
    (datetime.time, "time"),
    (uuid.UUID, "uuid"),
    (decimal.Decimal, "decimal"),
)


def branch_for(value: Any, union: Union) -> tuple[AvroType, Any]:
    """The branch of ``union`` a value in our form belongs to, and the value without its tag.

    A tagged value names its branch. An untagged one belongs to the branch producing its kind
    among those that are never tagged (`ambiguous_branches`), as the generator makes it.
    """
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        for branch in union.branches:
            if branch.branch_name == value[0]:
                return branch, value[1]
        raise ValueError(f"union has no branch named {value[0]!r}")
    kind = value_kind(value)
    tagged = ambiguous_branches(union)
    for i, branch in enumerate(union.branches):
        if i in tagged or kind not in produces(branch):
            continue
        if isinstance(branch, Fixed) and len(value) != branch.size:
            continue
        return branch, value
    raise ValueError(f"no untagged branch of the union holds a {kind} value: {value!r}")
