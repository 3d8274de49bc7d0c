"""Why a read failed: turning fastavro's exceptions on bad bytes into a typed `DecodeError`.

Only the error path runs this module. fastavro's errors on bad input have no common base and
say little (``IndexError`` for a cut-off varint and for an enum index past the end alike), so
the diagnosis re-reads the body where that tells more: with fastavro's pure-Python reader to
tell an early end from a bad index, and without logical types to name the value that could not
be converted (a timestamp past year 9999, a uuid that is no UUID). Every re-read is bounded by
the size of the body, like the read that failed.

May import what ``_runtime.plans`` may; ``plans`` imports this module, never the reverse at
import time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import fastavro

from devicecontracts.errors import CorruptPayload, DecodeError, SchemaMismatch, TruncatedMessage

if TYPE_CHECKING:
    from devicecontracts._runtime.plans import ReadPlan, WriterSchema

__all__ = ["bad_plain_value", "read_failure", "truncated", "type_name", "validation_summary"]

# The exceptions fastavro (and the conversions it calls) raise on bad input; anything else
# escaping a read is a bug and surfaces as it is.
_BAD_INPUT: Final = (IndexError, KeyError, ValueError, TypeError, ArithmeticError, MemoryError)


def type_name(parsed: Any) -> str:
    """The name of a fastavro-parsed type: a named type's full name, else the type itself."""
    if isinstance(parsed, dict):
        return str(parsed.get("name") or parsed.get("type"))
    if isinstance(parsed, list):
        return "union"
    return str(parsed)


def truncated(writer: WriterSchema, data: bytes, start: int, exc: BaseException) -> DecodeError:
    """The error for a body that ends before its record does."""
    detail = f" ({exc})" if str(exc) else ""
    return TruncatedMessage(
        f"the body ends after {len(data) - start} bytes, before the {writer.described} "
        f"record it starts is complete{detail}: the value was cut off, or is garbage"
    )


def read_failure(exc: Exception, plan: ReadPlan, data: bytes, start: int) -> DecodeError:
    """The typed error for ``exc``, raised by fastavro reading the body at ``data[start:]``."""
    from fastavro.read import SchemaResolutionError

    writer = plan.writer.described
    if isinstance(exc, IndexError):
        early = _ends_early(plan.writer, data, start)
        if early is not None:
            return truncated(plan.writer, data, start, early)
    if isinstance(exc, SchemaResolutionError):
        return SchemaMismatch(f"the {writer} record cannot be read as {plan.model.__name__}: {exc}")
    if isinstance(exc, (OverflowError, ValueError)):
        where = _find_bad_logical_value(plan.writer, data, start)
        if where:
            return CorruptPayload(f"{where} (in a {writer} record)")
    if isinstance(exc, UnicodeDecodeError):
        return CorruptPayload(f"a string of the {writer} record is not valid UTF-8")
    if isinstance(exc, _BAD_INPUT):
        return CorruptPayload(
            f"the body is not a {writer} record ({type(exc).__name__}: {_short(exc)}): "
            "garbage, or written with a different schema than its header says"
        )
    raise exc  # not a bad-input error: a bug, let it surface


def _ends_early(writer: WriterSchema, data: bytes, start: int) -> EOFError | None:
    """Whether the body ends inside its record, by fastavro's pure-Python reader.

    The compiled reader raises IndexError where a varint is cut off, the same error as for an
    enum index past the end; the pure-Python reader raises EOFError for every early end.
    """
    from fastavro._read_py import schemaless_reader

    buffer = writer.body(data, start, pure_python=True)
    try:
        schemaless_reader(buffer, writer.guarded, None)
    except EOFError as exc:
        return exc
    except Exception:
        return None
    return None


def _short(exc: BaseException, limit: int = 160) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validation_summary(exc: ValueError) -> str:
    """The first few problems of a pydantic ``ValidationError``, without their input values."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return _short(exc)
    parts = []
    for error in errors(include_input=False, include_url=False)[:5]:
        path = ".".join(str(p) for p in error.get("loc", ())) or "(record)"
        parts.append(f"{path}: {error.get('msg', '')}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Which logical-type value could not be converted.

_DAY_MS: Final = 86_400_000
_MIN_DAYS, _MAX_DAYS = -719_162, 2_932_896  # date(1, 1, 1) and date(9999, 12, 31) from 1970
_RANGES: Final = {
    "timestamp-millis": (_MIN_DAYS * _DAY_MS, (_MAX_DAYS + 1) * _DAY_MS - 1),
    "local-timestamp-millis": (_MIN_DAYS * _DAY_MS, (_MAX_DAYS + 1) * _DAY_MS - 1),
    "timestamp-micros": (_MIN_DAYS * _DAY_MS * 1000, (_MAX_DAYS + 1) * _DAY_MS * 1000 - 1),
    "local-timestamp-micros": (_MIN_DAYS * _DAY_MS * 1000, (_MAX_DAYS + 1) * _DAY_MS * 1000 - 1),
    "date": (_MIN_DAYS, _MAX_DAYS),
    "time-millis": (0, _DAY_MS - 1),
    "time-micros": (0, _DAY_MS * 1000 - 1),
}


def _find_bad_logical_value(writer: WriterSchema, data: bytes, start: int) -> str | None:
    """Re-read the body without logical types and name the first value that cannot convert."""
    source = json.loads(writer.source) if isinstance(writer.source, str) else writer.source
    try:
        plain = fastavro.parse_schema(_without_logical_types(source))
        datum = writer.read(writer.body(data, start), plain, None, return_named_type=True)
    except Exception:
        return None
    return bad_plain_value(writer.parsed, datum)


def bad_plain_value(parsed: Any, datum: Any) -> str | None:
    """The first logical-typed value of ``datum`` that cannot convert, as ``field <path>:
    <logical type> value <number> is ...``, or None.

    ``datum`` is what fastavro read with ``parsed`` (the writer's schema) or a copy of it whose
    logical types were read plain: the values still plain are checked, converted ones skipped.
    A number is named (it is a count of time units, not payload); a string never is.
    """
    for path, logical, value in _logical_values(parsed, datum, ""):
        bounds = _RANGES.get(logical)
        if bounds is not None and isinstance(value, int) and not bounds[0] <= value <= bounds[1]:
            unit = "outside Python's date range (years 1 to 9999)"
            if logical.startswith("time-"):
                unit = "not a time of day"
            return f"field {path or '(top level)'}: {logical} value {value} is {unit}"
        if logical == "uuid" and isinstance(value, str) and not _is_uuid(value):
            return f"field {path or '(top level)'}: uuid value is not a UUID"
    return None


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _without_logical_types(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_logical_types(v) for k, v in node.items() if k != "logicalType"}
    if isinstance(node, list):
        return [_without_logical_types(v) for v in node]
    return node


def _logical_values(schema: Any, value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, logical type, physical value) for every logical-typed value, depth first."""
    named: Mapping[str, Any] = schema.get("__named_schemas", {}) if isinstance(schema, dict) else {}

    def walk(t: Any, v: Any, p: str) -> Iterator[tuple[str, str, Any]]:
        if isinstance(t, str):
            if t in named:
                yield from walk(named[t], v, p)
            return
        if isinstance(t, list):
            if type(v) is tuple and len(v) == 2:  # a named branch, tagged by return_named_type
                for branch in t:
                    if type_name(branch) == v[0] or branch == v[0]:
                        yield from walk(branch, v[1], p)
                        return
                return
            for branch in t:
                if not (branch == "null" and v is None):
                    yield from walk(branch, v, p)
            return
        kind = t.get("type")
        if kind == "record" and isinstance(v, dict):
            for f in t["fields"]:
                yield from walk(f["type"], v.get(f["name"]), f"{p}.{f['name']}" if p else f["name"])
        elif kind == "array" and isinstance(v, list):
            for i, item in enumerate(v):
                yield from walk(t["items"], item, f"{p}[{i}]")
        elif kind == "map" and isinstance(v, dict):
            for item in v.values():  # the key is payload: never put it in a message
                yield from walk(t["values"], item, f"{p}{{}}")
        elif "logicalType" in t:
            yield p, str(t["logicalType"]), v

    return walk(schema, value, path)
