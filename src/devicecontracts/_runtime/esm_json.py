"""Writer-shaped JSON (the ``JSON`` record format of Lambda's schema-registry integration) back
into Confluent framing, so the usual read plan applies Avro resolution into the reader's model.

Lambda decodes the record with the writer's schema and sends it as "a standard JSON object".
The document is walked along the writer schema and written as Avro: the walk checks every
value, picks union branches exactly (a branch may also come tagged, ``{"long": 3}``, as in
Avro's own JSON encoding) and turns JSON strings back into bytes and fixed values (each
character one byte, as Avro's JSON encoding does). Cost is linear in the document.
"""

from __future__ import annotations

import decimal
import io
from collections.abc import Mapping
from typing import Any

from fastavro import schemaless_writer

from devicecontracts._runtime.plans import WriterSchema
from devicecontracts._runtime.wire import header
from devicecontracts.errors import CorruptPayload

__all__ = ["framed_from_json"]

_NAMED = frozenset({"record", "error", "enum", "fixed"})
_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


class _Mismatch(Exception):
    def __init__(self, path: str, expected: str, found: Any) -> None:
        super().__init__(path, expected)
        self.path = path or "the value"
        self.expected = expected
        self.found = type(found).__name__ if found is not None else "null"


def framed_from_json(document: Mapping[str, Any], writer: WriterSchema, schema_id: int) -> bytes:
    """The framed Avro value of a writer-shaped JSON ``document`` (`CorruptPayload` when it
    does not fit the writer schema, naming the JSON path and what was expected)."""
    named: Mapping[str, Any] = {}
    if isinstance(writer.parsed, dict):
        named = writer.parsed.get("__named_schemas", {})
    try:
        datum = _convert(writer.parsed, document, named, "")
        out = io.BytesIO()
        out.write(header(schema_id))
        schemaless_writer(out, writer.parsed, datum)
    except _Mismatch as exc:
        raise CorruptPayload(
            f"the JSON value does not fit {writer.described}: at {exc.path} expected "
            f"{exc.expected}, found {exc.found}"
        ) from None
    except RecursionError:
        raise CorruptPayload(f"the JSON value nests too deeply for {writer.described}") from None
    except Exception as exc:  # fastavro refuses a value the walk let through (a decimal's scale)
        raise CorruptPayload(
            f"the JSON value does not fit {writer.described}: {type(exc).__name__}"
        ) from None
    return out.getvalue()


def _convert(schema: Any, value: Any, named: Mapping[str, Any], path: str) -> Any:
    if isinstance(schema, str):
        if schema in named:
            return _convert(named[schema], value, named, path)
        return _primitive(schema, None, value, path)
    if isinstance(schema, list):
        return _union(schema, value, named, path)
    kind = schema["type"]
    if isinstance(kind, (dict, list)):
        return _convert(kind, value, named, path)
    if kind in ("record", "error"):
        if not isinstance(value, Mapping):
            raise _Mismatch(path, f"a {schema['name']} object", value)
        out = {}
        for field in schema["fields"]:
            name = field["name"]
            where = f"{path}.{name}" if path else name
            if name in value:
                out[name] = _convert(field["type"], value[name], named, where)
            elif "default" not in field:
                raise _Mismatch(where, "a value (the field has no default)", None)
        return out
    if kind == "enum":
        if not isinstance(value, str) or value not in schema["symbols"]:
            raise _Mismatch(path, f"one of the symbols of {schema['name']}", value)
        return value
    if kind == "fixed":
        return _bytes(value, path)
    if kind == "array":
        if not isinstance(value, list):
            raise _Mismatch(path, "an array", value)
        return [_convert(schema["items"], v, named, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise _Mismatch(path, "an object (a map)", value)
        return {k: _convert(schema["values"], v, named, f"{path}.{k}") for k, v in value.items()}
    return _primitive(kind, schema.get("logicalType"), value, path)


def _branch_name(branch: Any, named: Mapping[str, Any]) -> str:
    if isinstance(branch, str):
        return branch
    kind = branch["type"]
    return str(branch["name"]) if kind in _NAMED else str(kind)


def _union(branches: list[Any], value: Any, named: Mapping[str, Any], path: str) -> Any:
    names = [_branch_name(b, named) for b in branches]
    if isinstance(value, Mapping) and len(value) == 1:
        ((tag, inner),) = value.items()
        short = {n.rsplit(".", 1)[-1]: n for n in names}
        tag = short.get(tag, tag)
        if tag in names:  # Avro's JSON encoding: the branch named
            index = names.index(tag)
            return (names[index], _convert(branches[index], inner, named, path))
    for name, branch in zip(names, branches, strict=True):
        try:
            return (name, _convert(branch, value, named, path))
        except _Mismatch:
            continue
    raise _Mismatch(path, "a value of one of " + ", ".join(names), value)


def _primitive(kind: str, logical: str | None, value: Any, path: str) -> Any:
    if kind == "null":
        if value is not None:
            raise _Mismatch(path, "null", value)
        return None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _Mismatch(path, "true or false", value)
        return value
    if kind in _INT_RANGE:
        low, high = _INT_RANGE[kind]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Mismatch(path, f"an integer ({kind})", value)
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Mismatch(path, "a number", value)
        return float(value)
    if kind == "string":
        if not isinstance(value, str):
            raise _Mismatch(path, "a string", value)
        return value
    if kind == "bytes":
        if logical == "decimal" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return decimal.Decimal(str(value))
        return _bytes(value, path)
    raise _Mismatch(path, f"a value of Avro type {kind}", value)


def _bytes(value: Any, path: str) -> bytes:
    if not isinstance(value, str):
        raise _Mismatch(path, "a string of bytes", value)
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        raise _Mismatch(path, "a string of byte characters (U+0000 to U+00FF)", value) from None
