"""An independent model of Avro schema resolution, the oracle of the cross-version tests.

`resolve` takes a value as the writer wrote it (fastavro's write form) and returns what a
reader of another version must see, in the form fastavro reads with ``return_named_type=True``
(named union branches tagged). It follows the Avro specification over devicecontracts' parsed
nodes; it shares no code with fastavro's resolution, which the runtime uses.
"""

from __future__ import annotations

from typing import Any

from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Fixed,
    Map,
    Primitive,
    Record,
    Union,
)
from devicecontracts.testing._unions import branch_for

_PROMOTIONS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
}


class Unresolvable(Exception):
    """The writer's value cannot be read with the reader's schema (no default, no branch)."""


def resolve(writer: AvroType, reader: AvroType, value: Any) -> Any:
    """``value`` written with ``writer``, as read with ``reader``."""
    if isinstance(writer, Union):
        branch, inner = branch_for(value, writer)
        return resolve(branch, reader, inner)
    if isinstance(value, tuple):  # a tag on a value whose writer type is not a union
        value = value[1]
    if isinstance(reader, Union):
        for branch in reader.branches:
            if _matches(writer, branch):
                read = resolve(writer, branch, value)
                return (branch.fullname, read) if branch.is_named else read
        raise Unresolvable(f"no branch of the reader's union takes a {writer.type}")
    if not _matches(writer, reader):
        raise Unresolvable(f"a {writer.type} cannot be read as a {reader.type}")
    if isinstance(reader, Record):
        assert isinstance(writer, Record)
        out = {}
        for field in reader.fields:
            source = writer.field_named(field.name)
            for alias in field.aliases:
                source = source or writer.field_named(alias)
            if source is not None:
                out[field.name] = resolve(source.type, field.type, value[source.name])
            elif field.has_default:
                out[field.name] = default(field.type, field.default)
            else:
                raise Unresolvable(f"field {field.name} has no default and the writer lacks it")
        return out
    if isinstance(reader, Enum):
        if value in reader.symbols:
            return value
        if reader.default is None:
            raise Unresolvable(f"symbol {value} is unknown to the reader, which has no default")
        return reader.default
    if isinstance(reader, Array):
        assert isinstance(writer, Array)
        return [resolve(writer.items, reader.items, v) for v in value]
    if isinstance(reader, Map):
        assert isinstance(writer, Map)
        return {k: resolve(writer.values, reader.values, v) for k, v in value.items()}
    if isinstance(reader, Primitive) and writer.type != reader.type:
        if reader.type in ("float", "double"):
            return float(value)
        if reader.type == "bytes":
            return value.encode()
        if reader.type == "string":
            return value.decode()
    return value


def _matches(writer: AvroType, reader: AvroType) -> bool:
    if isinstance(writer, (Record, Enum, Fixed)) or isinstance(reader, (Record, Enum, Fixed)):
        return (
            type(writer) is type(reader)
            and (writer.fullname == reader.fullname or writer.fullname in reader.aliases)  # type: ignore[union-attr]
        )
    if writer.type == reader.type:
        return True
    return (writer.type, reader.type) in _PROMOTIONS


def default(t: AvroType, value: Any) -> Any:
    """A field default (JSON) in fastavro's read form."""
    if isinstance(t, Union):
        first = t.branches[0]
        read = default(first, value)
        return (first.fullname, read) if first.is_named else read
    if isinstance(t, Record):
        return {f.name: default(f.type, value.get(f.name, f.default)) for f in t.fields}
    if isinstance(t, Array):
        return [default(t.items, v) for v in value]
    if isinstance(t, Map):
        return {k: default(t.values, v) for k, v in value.items()}
    if isinstance(t, Primitive) and t.logical is not None:
        raise NotImplementedError(
            f"defaults of logical type {t.logical.name} (none in the catalog)"
        )
    if isinstance(t, Primitive) and t.type in ("float", "double"):
        return float(value)
    if isinstance(t, (Primitive, Fixed)) and t.type in ("bytes", "fixed"):
        return value.encode("latin-1")
    return value
