"""How a type is shown in a hint: as it would be written in the schema, by full name."""

from __future__ import annotations

from typing import Any

from devicecontracts.schema import AvroType, NamedType, Primitive, Union, describe_type

__all__ = ["short_type"]


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
