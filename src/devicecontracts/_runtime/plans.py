"""Avro bodies to typed models and back: the per-message machinery behind `devicecontracts.serde`.

Everything that depends on a schema is worked out once per writer schema (`WriterSchema`) or
once per writer and reader pair (`ReadPlan`); a message then costs one fastavro call, one
position check and one model conversion. Two of those plan-time decisions save most of the
per-message cost a straightforward reader pays:

* a generated model whose schema needs no union tags is validated by one pydantic call on
  fastavro's plain output (`validates_directly`) instead of its ``from_avro_dict``;
* bytes of an older version that the reader only `extends` (fields added with defaults, enum
  symbols added) are read with the writer's schema alone: Avro resolution would only add the
  defaults, which the model's validation adds too.

Three hazards of fastavro's reader are guarded against here, because a consumer must survive
any bytes a topic can hold:

* a recursive schema lets a few kilobytes of garbage nest deep enough to overflow the C stack
  of fastavro's compiled reader (a segfault): such schemas are read with fastavro's pure-Python
  reader, whose depth Python's recursion limit bounds;
* an array of items that take no bytes (null, an empty record, a fixed of size 0) lets a
  five-byte body claim 2**60 items, built one by one: such writer schemas are refused;
* everything else fastavro raises on bad input (EOFError, IndexError, OverflowError, ...)
  becomes a typed `DecodeError`. Length prefixes cannot allocate: fastavro reads strings and
  bytes with ``BytesIO.read``, which returns at most what is left, and then checks the length.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final, Protocol, Self

import fastavro

from devicecontracts._runtime.wire import HEADER_SIZE
from devicecontracts.errors import (
    CorruptPayload,
    DecodeError,
    SchemaMismatch,
    TruncatedMessage,
)

__all__ = [
    "AvroModel",
    "ReadPlan",
    "WriterSchema",
    "extends",
    "plan_read",
    "validates_directly",
    "writer_schema",
]

_PRIMITIVES: Final = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)


class AvroModel(Protocol):
    """What serde needs of a message model: the API every generated model has.

    The generated models (`devicecontracts.types.AvroRecord` subclasses) implement it; so can a
    hand-written class.
    """

    avro_name: ClassVar[str]
    """The record's Avro full name."""
    avro_fingerprint: ClassVar[str]
    """``sha256:`` and the hex SHA-256 of the schema's Parsing Canonical Form."""
    avro_schema_json: ClassVar[str]
    """The record's standalone schema (references inlined) as JSON text."""

    @classmethod
    def parsed_avro_schema(cls) -> Any:
        """The schema parsed by ``fastavro.parse_schema``, once per class."""
        ...

    @classmethod
    def from_avro_dict(cls, data: Mapping[str, Any]) -> Self:
        """A model from what fastavro reads with ``return_named_type=True``."""
        ...

    def to_avro_dict(self) -> dict[str, Any]:
        """The record as fastavro writes it (union branches as ``(name, value)`` tuples)."""
        ...


Reader = Callable[..., Any]


class WriterSchema:
    """A writer schema made ready to read once: parsed, analysed, its reader chosen.

    ``name`` is the full name of the top-level type; ``fingerprint`` the ``sha256:`` of its
    Parsing Canonical Form when known; ``unreadable`` says why bytes of this schema are refused
    (None when they are not); ``described`` names it in messages (``fleet.telemetry-value v2``).
    """

    __slots__ = (
        "aliases",
        "described",
        "fingerprint",
        "name",
        "parsed",
        "read",
        "recursive",
        "source",
        "unreadable",
    )

    def __init__(
        self,
        *,
        parsed: Any,
        source: Any,
        name: str,
        fingerprint: str | None,
        aliases: frozenset[str],
        read: Reader,
        recursive: bool,
        unreadable: str | None,
        described: str,
    ) -> None:
        self.parsed = parsed
        self.source = source
        self.name = name
        self.fingerprint = fingerprint
        self.aliases = aliases
        self.read = read
        self.recursive = recursive
        self.unreadable = unreadable
        self.described = described

    def __repr__(self) -> str:
        return f"WriterSchema({self.described!r}, {self.fingerprint!r})"


def writer_schema(
    source: Any,
    *,
    fingerprint: str | None = None,
    described: str = "",
    parsed: Any = None,
) -> WriterSchema:
    """Prepare a standalone writer schema (JSON, references inlined) for reading.

    ``parsed`` is the fastavro-parsed form when the caller already has it (a model's).
    """
    if parsed is None:
        parsed = fastavro.parse_schema(json.loads(source) if isinstance(source, str) else source)
    recursive, zero_width_array = _analyse(parsed)
    unreadable = None
    if zero_width_array is not None:
        unreadable = (
            f"its array at {zero_width_array} holds items that take no bytes on the wire (null, "
            "an empty record or a fixed of size 0): a few bytes could claim 2**60 of them, so "
            "this consumer refuses the schema; change it to carry a count instead"
        )
    name = _type_name(parsed)
    return WriterSchema(
        parsed=parsed,
        source=source,
        name=name,
        fingerprint=fingerprint,
        aliases=_aliases(parsed, name),
        read=_python_reader() if recursive else fastavro.schemaless_reader,
        recursive=recursive,
        unreadable=unreadable,
        described=described or name,
    )


def _python_reader() -> Reader:
    # fastavro's compiled reader recurses in C without a depth check; its pure-Python twin has
    # the same signature and hits RecursionError instead of the end of the C stack.
    from fastavro._read_py import schemaless_reader

    return schemaless_reader


def _type_name(parsed: Any) -> str:
    if isinstance(parsed, dict):
        return str(parsed.get("name") or parsed.get("type"))
    if isinstance(parsed, list):
        return "union"
    return str(parsed)


def _aliases(parsed: Any, name: str) -> frozenset[str]:
    if not isinstance(parsed, dict):
        return frozenset()
    namespace = name.rpartition(".")[0]
    return frozenset(
        alias if "." in alias or not namespace else f"{namespace}.{alias}"
        for alias in parsed.get("aliases", ())
    )


def _analyse(parsed: Any) -> tuple[bool, str | None]:
    """Whether the schema is recursive, and the path of an array of zero-width items if any."""
    named: Mapping[str, Any] = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    zero: dict[str, bool] = {}
    on_path: set[str] = set()
    found: dict[str, Any] = {"recursive": False, "array": None}

    def width_zero(t: Any, path: str) -> bool:
        if isinstance(t, str):
            if t in _PRIMITIVES:
                return t == "null"
            if t in on_path:
                found["recursive"] = True
                return False
            if t in zero:
                return zero[t]
            return width_zero(named[t], path) if t in named else False
        if isinstance(t, list):
            for i, branch in enumerate(t):
                width_zero(branch, f"{path}[{i}]")
            return False  # the branch index itself takes a byte
        kind = t.get("type")
        if kind == "record":
            name = t["name"]
            on_path.add(name)
            results = [width_zero(f["type"], f"{path}.{f['name']}") for f in t["fields"]]
            on_path.discard(name)
            zero[name] = all(results)
            return zero[name]
        if kind == "array":
            if width_zero(t["items"], f"{path}[]") and found["array"] is None:
                found["array"] = path or "the top level"
            return False
        if kind == "map":
            width_zero(t["values"], f"{path}{{}}")
            return False
        if kind == "fixed":
            zero[t["name"]] = t["size"] == 0
            return bool(t["size"] == 0)
        if kind == "enum":
            return False
        return width_zero(kind, path)  # a primitive written as {"type": "long", ...}

    width_zero(parsed, "")
    return bool(found["recursive"]), found["array"]


class ReadPlan:
    """How to read bytes of one writer schema into one reader model, decided once.

    ``reader_schema`` is the model's parsed schema, or None when fastavro can skip resolution:
    the writer's schema is the model's, or the model only `extends` it and validates directly.
    ``direct`` says the model validates fastavro's plain output in one pydantic call (see
    `validates_directly`); otherwise the model's ``from_avro_dict`` gets the output with named
    union branches tagged.
    """

    __slots__ = ("_read", "convert", "direct", "model", "reader_schema", "writer")

    def __init__(self, writer: WriterSchema, model: type[AvroModel], reader_schema: Any) -> None:
        self.writer = writer
        self.model = model
        self.direct = validates_directly(model)
        if self.direct and reader_schema is not None and extends(writer.parsed, reader_schema):
            # Resolution would only add defaults, which validating the model adds too: read
            # with the writer's schema alone, as fast as a value of the model's own version.
            reader_schema = None
        self.reader_schema = reader_schema
        self.convert: Callable[[Any], AvroModel] = (
            model.model_validate if self.direct else model.from_avro_dict  # type: ignore[attr-defined]
        )
        self._read = functools.partial(
            writer.read,
            writer_schema=writer.parsed,
            reader_schema=reader_schema,
            return_named_type=not self.direct,
        )

    def decode(self, data: bytes) -> AvroModel:
        """The model from a framed value whose header named this plan's writer schema."""
        buffer = io.BytesIO(data)
        buffer.seek(HEADER_SIZE)
        try:
            datum = self._read(buffer)
        except EOFError as exc:
            raise _truncated(self.writer, data, exc) from None
        except RecursionError:
            raise CorruptPayload(
                f"the body nests {self.writer.described} records too deeply to read safely "
                f"({len(data)} bytes); it is garbage or a pathological message"
            ) from None
        except Exception as exc:  # fastavro's errors on bad input have no common base
            raise _read_failure(exc, self, data) from None
        if buffer.tell() != len(data):
            raise CorruptPayload(
                f"{len(data) - buffer.tell()} bytes are left after a complete "
                f"{self.writer.described} record: the header's schema id is probably not the "
                "one the value was written with (refused rather than read as wrong data)"
            )
        try:
            return self.convert(datum)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise CorruptPayload(
                f"the {self.writer.described} record does not fit {self.model.__name__}: "
                + _validation_summary(exc)
            ) from None


# What fastavro returns for these logical types is exactly what the generated models' fields
# take (aware or naive datetimes, dates, times, UUIDs, Decimals); for the others (duration,
# the nanosecond timestamps) fastavro returns the physical value and only the model's
# from_avro_dict converts it.
_DIRECT_LOGICAL: Final = frozenset(
    {
        "timestamp-millis",
        "timestamp-micros",
        "local-timestamp-millis",
        "local-timestamp-micros",
        "date",
        "time-millis",
        "time-micros",
        "uuid",
        "decimal",
    }
)
_direct: dict[type, bool] = {}


def validates_directly(model: type[AvroModel]) -> bool:
    """Whether one pydantic ``model_validate`` of fastavro's plain output equals the model's
    ``from_avro_dict`` of its tagged output, decided once per model from its schema.

    A single validation in pydantic's core is about a third faster than ``from_avro_dict``,
    which builds nested models one Python call at a time. It is only taken where nothing is
    lost without union tags or per-field conversions: no union where a named branch sits beside
    another value branch (two same-shaped records, an enum and a string would be ambiguous) and
    only the logical types above. The runtime tests check the equivalence on every model of
    the catalog.
    """
    found = _direct.get(model)
    if found is None:
        found = callable(getattr(model, "model_validate", None)) and _plain_is_enough(
            model.parsed_avro_schema()
        )
        _direct[model] = found
    return found


def _plain_is_enough(parsed: Any) -> bool:
    named: Mapping[str, Any] = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    seen: set[str] = set()

    def ok(t: Any) -> bool:
        if isinstance(t, str):
            if t in _PRIMITIVES or t in seen:
                return True
            return ok(named[t]) if t in named else False
        if isinstance(t, list):
            branches = [named.get(b, b) if isinstance(b, str) else b for b in t]
            names = [b for b in branches if isinstance(b, dict) and "name" in b]
            others = [
                b for b in branches if b != "null" and not (isinstance(b, dict) and "name" in b)
            ]
            # A named branch beside another value branch (an enum beside a string, a fixed
            # beside bytes, a record beside a map) needs its tag: leave it to from_avro_dict.
            return (not names or (len(names) == 1 and not others)) and all(ok(b) for b in t)
        logical = t.get("logicalType")
        if logical is not None and logical not in _DIRECT_LOGICAL:
            return False
        kind = t.get("type")
        if "name" in t:
            seen.add(t["name"])
        if kind == "record":
            return all(ok(f["type"]) for f in t["fields"])
        if kind == "array":
            return ok(t["items"])
        if kind == "map":
            return ok(t["values"])
        if kind in ("enum", "fixed"):
            return True
        return ok(kind)

    return ok(parsed)


def _truncated(writer: WriterSchema, data: bytes, exc: BaseException) -> TruncatedMessage:
    detail = f" ({exc})" if str(exc) else ""
    return TruncatedMessage(
        f"the body ends after {len(data) - HEADER_SIZE} bytes, before the {writer.described} "
        f"record it starts is complete{detail}: the value was cut off, or is garbage"
    )


def _ends_early(writer: WriterSchema, data: bytes) -> EOFError | None:
    """Whether the body ends inside its record, by fastavro's pure-Python reader.

    The compiled reader raises IndexError where a varint is cut off, the same error as for an
    enum index past the end; the pure-Python reader raises EOFError for every early end.
    """
    buffer = io.BytesIO(data)
    buffer.seek(HEADER_SIZE)
    try:
        _python_reader()(buffer, writer.parsed, None)
    except EOFError as exc:
        return exc
    except Exception:
        return None
    return None


def _read_failure(exc: Exception, plan: ReadPlan, data: bytes) -> DecodeError:
    from fastavro.read import SchemaResolutionError

    writer = plan.writer.described
    if isinstance(exc, IndexError):
        early = _ends_early(plan.writer, data)
        if early is not None:
            return _truncated(plan.writer, data, early)
    if isinstance(exc, SchemaResolutionError):
        return SchemaMismatch(f"the {writer} record cannot be read as {plan.model.__name__}: {exc}")
    if isinstance(exc, (OverflowError, ValueError)):
        where = _find_bad_logical_value(plan.writer, data)
        if where:
            return CorruptPayload(f"{where} (in a {writer} record)")
    if isinstance(exc, UnicodeDecodeError):
        return CorruptPayload(f"a string of the {writer} record is not valid UTF-8")
    if isinstance(exc, (IndexError, KeyError, OverflowError, ValueError, TypeError, MemoryError)):
        return CorruptPayload(
            f"the body is not a {writer} record ({type(exc).__name__}: {_short(exc)}): "
            "garbage, or written with a different schema than its header says"
        )
    raise exc  # not a bad-input error: a bug, let it surface


def _short(exc: BaseException, limit: int = 160) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validation_summary(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return _short(exc)
    parts = []
    for error in errors(include_input=False, include_url=False)[:5]:
        path = ".".join(str(p) for p in error.get("loc", ())) or "(record)"
        parts.append(f"{path}: {error.get('msg', '')}")
    return "; ".join(parts)


def extends(writer: Any, reader: Any) -> bool:
    """Whether resolving ``writer`` data into ``reader`` (both fastavro-parsed) only ever adds
    fields at their defaults and reads enum symbols the reader also has.

    Then a model whose fields carry the Avro defaults (every generated model) gets the same
    value from the writer's plain output as from fastavro's resolution, at no resolution cost.
    Anything else (a removed or renamed field, an alias, a promotion, an enum symbol the
    reader lacks, a reader field without a default) leaves resolution to fastavro.
    """
    writer_named = writer.get("__named_schemas", {}) if isinstance(writer, dict) else {}
    reader_named = reader.get("__named_schemas", {}) if isinstance(reader, dict) else {}
    assumed: set[tuple[str, str]] = set()

    def same(w: Any, r: Any) -> bool:
        if isinstance(w, str) and w not in _PRIMITIVES:
            if isinstance(r, str) and (w, r) in assumed:
                return True  # a recursive type already being compared
            w = writer_named.get(w, w)
        if isinstance(r, str) and r not in _PRIMITIVES:
            r = reader_named.get(r, r)
        if isinstance(w, str) or isinstance(r, str):
            return bool(w == r)
        if isinstance(w, list) or isinstance(r, list):
            return (
                isinstance(w, list)
                and isinstance(r, list)
                and len(w) == len(r)
                and all(same(a, b) for a, b in zip(w, r, strict=True))
            )
        kind = w.get("type")
        if kind != r.get("type") or w.get("logicalType") != r.get("logicalType"):
            return False
        if w.get("name") != r.get("name"):
            return False
        if kind == "record":
            assumed.add((w["name"], r["name"]))
            readers = {f["name"]: f for f in r["fields"]}
            if any(f.get("aliases") for f in r["fields"]):
                return False
            for f in w["fields"]:
                match = readers.pop(f["name"], None)
                if match is None or not same(f["type"], match["type"]):
                    return False
            return all("default" in f for f in readers.values())
        if kind == "enum":
            return set(w["symbols"]) <= set(r["symbols"])
        if kind == "fixed":
            return bool(w["size"] == r["size"])
        if kind == "array":
            return same(w["items"], r["items"])
        if kind == "map":
            return same(w["values"], r["values"])
        return bool(w == r)  # primitives with properties: precision, scale, ...

    return same(writer, reader)


def plan_read(writer: WriterSchema, models: Sequence[type[AvroModel]]) -> ReadPlan:
    """The plan for reading ``writer`` bytes into the one model of ``models`` that matches.

    A model matches when it has the writer's record name, or names it as an alias, or the
    writer names the model's name as an alias; with a single model, a differently named writer
    schema is a `SchemaMismatch` too. Raises `CorruptPayload` for refused writer schemas.
    """
    if writer.unreadable is not None:
        raise CorruptPayload(f"cannot read {writer.described} safely: {writer.unreadable}")
    model = _matching_model(writer, models)
    if model is None:
        names = ", ".join(f"{m.__name__} ({m.avro_name})" for m in models)
        raise SchemaMismatch(
            f"the value was written as {writer.described} (record {writer.name}), and no "
            f"reader model is that record: {names}; add its model to the deserializer"
        )
    reader = model.parsed_avro_schema()
    same = writer.fingerprint is not None and writer.fingerprint == model.avro_fingerprint
    return ReadPlan(writer, model, None if same or reader is writer.parsed else reader)


def _matching_model(
    writer: WriterSchema, models: Sequence[type[AvroModel]]
) -> type[AvroModel] | None:
    for model in models:
        if writer.fingerprint is not None and writer.fingerprint == model.avro_fingerprint:
            return model
    for model in models:
        if model.avro_name == writer.name or model.avro_name in writer.aliases:
            return model
    for model in models:
        if writer.name in _aliases(model.parsed_avro_schema(), model.avro_name):
            return model
    return None


# ---------------------------------------------------------------------------------------------
# Diagnosis, on the error path only: which logical-type value could not be converted.

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


def _find_bad_logical_value(writer: WriterSchema, data: bytes) -> str | None:
    """Re-read the body without logical types and name the first value that cannot convert."""
    source = json.loads(writer.source) if isinstance(writer.source, str) else writer.source
    try:
        plain = fastavro.parse_schema(_without_logical_types(source))
        buffer = io.BytesIO(data)
        buffer.seek(HEADER_SIZE)
        datum = writer.read(buffer, plain, None, return_named_type=True)
    except Exception:
        return None
    for path, logical, value in _logical_values(writer.parsed, datum, ""):
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
                    if _type_name(branch) == v[0] or branch == v[0]:
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
            for key, item in v.items():
                yield from walk(t["values"], item, f"{p}[{key!r}]")
        elif "logicalType" in t:
            yield p, str(t["logicalType"]), v

    return walk(schema, value, path)
