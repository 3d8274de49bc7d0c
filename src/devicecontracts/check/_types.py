"""How a type is shown in a hint: as it would be written in the schema, by full name; and
a location moved (some of its fields changed)."""

from __future__ import annotations

import inspect
from typing import Any

from devicecontracts.errors import Location
from devicecontracts.schema import AvroType, NamedType, Primitive, Union, describe_type

__all__ = ["relocated", "short_type"]

_LOCATION_FIELDS = tuple(inspect.signature(Location).parameters)


def relocated(where: Location, **changes: Any) -> Location:
    """A copy of ``where`` with ``changes`` (field names of `Location`) applied."""
    values = {name: getattr(where, name) for name in _LOCATION_FIELDS}
    values.update(changes)
    return Location(**values)


def short_type(t: AvroType) -> Any:
    """The JSON a schema author would write for ``t``: a full name, a primitive name, a list
    for a union, else a readable description."""
    if isinstance(t, NamedType):
        return t.fullname
    if isinstance(t, Union):
        return [short_type(b) for b in t.branches]
    if isinstance(t, Primitive):
        return t.type
    return describe_type(t)
