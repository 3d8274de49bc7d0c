"""Values in fastavro's form: encode, decode, compare, and strip or add union tags."""

from __future__ import annotations

import functools
import io
import math
import weakref
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import fastavro

from devicecontracts.schema import Array, AvroType, Map, Record, Schema, Union, to_json
from devicecontracts.testing._unions import branch_for

__all__ = ["as_read", "decode", "encode", "fastavro_schema", "untag", "values_equal"]

_PARSED: weakref.WeakKeyDictionary[Schema, Any] = weakref.WeakKeyDictionary()


def fastavro_schema(schema: Schema | AvroType) -> Any:
    """``schema`` parsed by fastavro, references inlined; parsed once per schema object."""
    if isinstance(schema, Schema):
        parsed = _PARSED.get(schema)
        if parsed is None:
            parsed = _PARSED[schema] = fastavro.parse_schema(schema.to_json())
        return parsed
    return _parsed_node(schema)


@functools.lru_cache(maxsize=256)
def _parsed_node(node: AvroType) -> Any:
    # Nodes hash by identity, like Schema; they cannot be weakly referenced (slots).
    return fastavro.parse_schema(to_json(node))


def encode(value: Any, schema: Schema | AvroType) -> bytes:
    """``value`` as Avro binary (no container, no framing), written by fastavro."""
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro_schema(schema), value)
    return out.getvalue()


def decode(
    payload: bytes,
    writer: Schema | AvroType,
    reader: Schema | AvroType | None = None,
    *,
    return_named_type: bool = False,
) -> Any:
    """Avro binary written with ``writer``, read by fastavro (resolved into ``reader`` if given).

    ``return_named_type=True`` returns named-type union branches as ``(full name, value)``.
    Raises `ValueError` when bytes are left over: the reader misread the data.
    """
    stream = io.BytesIO(payload)
    value = fastavro.schemaless_reader(
        stream,
        fastavro_schema(writer),
        None if reader is None else fastavro_schema(reader),
        return_named_type=return_named_type,
    )
    if stream.tell() != len(payload):
        raise ValueError(f"read {stream.tell()} of {len(payload)} bytes: the rest was not consumed")
    return value


def untag(value: Any) -> Any:
    """``value`` without union tags: what fastavro's reader returns with default options.

    Tuples only ever appear in fastavro's forms as union tags ``(branch name, value)``.
    """
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return untag(value[1])
    if isinstance(value, dict):
        return {k: untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untag(v) for v in value]
    return value


def as_read(value: Any, schema: Schema | AvroType, *, return_named_type: bool = False) -> Any:
    """What fastavro's reader returns for ``value`` written with ``schema`` and read back.

    Without options that is `untag`; with ``return_named_type=True`` (the reader option of the
    same name) every union branch of a named type comes back as ``(full name, value)``, which
    shows that two same-shaped records kept their identity.
    """
    if not return_named_type:
        return untag(value)
    return _tag_named(value, schema.root if isinstance(schema, Schema) else schema)


def _tag_named(value: Any, t: AvroType) -> Any:
    if isinstance(t, Union):
        branch, inner = branch_for(value, t)
        read = _tag_named(inner, branch)
        return (branch.branch_name, read) if branch.is_named else read
    if isinstance(t, Record) and isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            f = t.field_named(key)
            out[key] = item if f is None else _tag_named(item, f.type)
        return out
    if isinstance(t, Array) and isinstance(value, list):
        return [_tag_named(v, t.items) for v in value]
    if isinstance(t, Map) and isinstance(value, Mapping):
        return {k: _tag_named(v, t.values) for k, v in value.items()}
    return untag(value)


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality for fastavro values, stricter where Avro round trips must be exact.

    NaN equals NaN, ``-0.0`` differs from ``0.0``, types must match (``1`` is not ``1.0`` nor
    ``True``), decimals must have the same digits and exponent (``1.20`` is not ``1.2``), and
    datetimes the same offset.
    """
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, dict):
        return bool(a.keys() == b.keys()) and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal):
        return bool(a.as_tuple() == b.as_tuple())
    if hasattr(a, "utcoffset") and hasattr(a, "tzinfo"):
        return bool(a == b) and a.utcoffset() == b.utcoffset()
    return bool(a == b)
