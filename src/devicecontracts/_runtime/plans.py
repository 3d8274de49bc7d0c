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

Five hazards of fastavro's reader are guarded against here, because a consumer must survive
any bytes a topic can hold, in time linear in their size:

* a recursive schema lets a few kilobytes of garbage nest deep enough to overflow the C stack
  of fastavro's compiled reader (a segfault): such schemas are read with fastavro's pure-Python
  reader, whose depth Python's recursion limit bounds;
* that pure-Python reader reads a varint a byte at a time into a Python integer, so a run of
  continuation bytes costs time quadratic in its length (1 MB: minutes): it reads from a
  buffer that refuses a varint longer than a long's ten bytes (`BoundedVarints`);
* an array of items that take no bytes (null, an empty record, a fixed of size 0) lets a
  five-byte body claim 2**60 items, built one by one: such writer schemas are refused;
* fastavro turns a decimal's bytes into a `Decimal` in time quadratic in their length (500 KB
  took 27 s) and only then applies the precision: decimals are read by `read_decimal`, which
  refuses more bytes than the declared precision needs before converting anything;
* everything else fastavro raises on bad input (EOFError, IndexError, OverflowError, ...)
  becomes a typed `DecodeError` (``diagnose`` says which). Length prefixes cannot allocate:
  fastavro reads strings and bytes with ``BytesIO.read``, which returns at most what is left,
  and then checks the length.
"""

from __future__ import annotations

import copy
import decimal
import functools
import importlib
import io
import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final, Protocol, Self, cast

import fastavro
from fastavro.read import LOGICAL_READERS

from devicecontracts._avro import PRIMITIVE_TYPES, qualify
from devicecontracts._runtime.diagnose import (
    bad_plain_value,
    read_failure,
    truncated,
    type_name,
    validation_summary,
)
from devicecontracts._runtime.wire import HEADER_SIZE
from devicecontracts.errors import CorruptPayload, DecodeError, SchemaError, SchemaMismatch

__all__ = [
    "AvroModel",
    "ReadPlan",
    "WriterSchema",
    "extends",
    "plan_for",
    "plan_read",
    "read_decimal",
    "validates_directly",
    "write_schema",
    "writer_schema",
]


class AvroModel(Protocol):
    """What serde needs of a message model: the API every generated model has.

    The generated models (`devicecontracts.record.AvroRecord` subclasses) implement it; so can a
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
    ``guarded`` is what fastavro reads with: ``parsed``, or a copy whose decimals are read by
    `read_decimal`.
    """

    __slots__ = (
        "aliases",
        "bounded",
        "described",
        "fingerprint",
        "guarded",
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
        bounded: bool = True,
    ) -> None:
        self.parsed = parsed
        self.guarded = _guard_decimals(parsed)
        self.source = source
        self.name = name
        self.fingerprint = fingerprint
        self.aliases = aliases
        self.read = read
        self.bounded = bounded
        self.recursive = recursive
        self.unreadable = unreadable
        self.described = described

    def __repr__(self) -> str:
        return f"WriterSchema({self.described!r}, {self.fingerprint!r})"

    def body(self, data: bytes, start: int, *, pure_python: bool = False) -> io.BytesIO:
        """``data`` as a buffer at ``start`` for this schema's reader or, with ``pure_python``,
        for fastavro's pure-Python one, which gets `BoundedVarints` when ``bounded`` (the
        schema holds no fixed of size 1). The compiled reader keeps a plain buffer: it reads
        varints into a machine integer, in time linear in their length."""
        python = pure_python or self.recursive
        buffer = BoundedVarints(data) if python and self.bounded else io.BytesIO(data)
        buffer.seek(start)
        return buffer


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
        try:
            parsed = fastavro.parse_schema(
                json.loads(source) if isinstance(source, str) else source
            )
        except Exception as exc:  # fastavro's schema errors have no common base
            raise SchemaError(
                f"the writer schema {described + ' ' if described else ''}is not a valid Avro "
                f"schema: {type(exc).__name__}: {exc}"
            ) from None
    recursive, zero_width_array, one_byte_fixed = _analyse(parsed)
    unreadable = None
    if zero_width_array is not None:
        unreadable = (
            f"its array at {zero_width_array} holds items that take no bytes on the wire (null, "
            "an empty record or a fixed of size 0): a few bytes could claim 2**60 of them, so "
            "this consumer refuses the schema; change it to carry a count instead"
        )
    name = type_name(parsed)
    return WriterSchema(
        parsed=parsed,
        source=source,
        name=name,
        fingerprint=fingerprint,
        aliases=_aliases(parsed, name),
        read=_python_reader() if recursive else fastavro.schemaless_reader,
        # A fixed of size 1 is also read a byte at a time, and its bytes may all be high: only
        # without one can a run of high single-byte reads be told to be an overlong varint.
        bounded=not one_byte_fixed,
        recursive=recursive,
        unreadable=unreadable,
        described=described or name,
    )


def _python_reader() -> Reader:
    # fastavro's compiled reader recurses in C without a depth check; its pure-Python twin has
    # the same signature and hits RecursionError instead of the end of the C stack.
    from fastavro._read_py import schemaless_reader

    return schemaless_reader


def _aliases(parsed: Any, name: str) -> frozenset[str]:
    if not isinstance(parsed, dict):
        return frozenset()
    namespace = name.rpartition(".")[0]
    return frozenset(qualify(alias, namespace) for alias in parsed.get("aliases", ()))


def _analyse(parsed: Any) -> tuple[bool, str | None, bool]:
    """Whether the schema is recursive, the path of an array of zero-width items if any, and
    whether it holds a fixed of size 1."""
    named: Mapping[str, Any] = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    zero: dict[str, bool] = {}
    on_path: set[str] = set()
    found: dict[str, Any] = {"recursive": False, "array": None, "fixed1": False}

    def width_zero(t: Any, path: str) -> bool:
        if isinstance(t, str):
            if t in PRIMITIVE_TYPES:
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
            found["fixed1"] = found["fixed1"] or t["size"] == 1
            zero[t["name"]] = t["size"] == 0
            return bool(t["size"] == 0)
        if kind == "enum":
            return False
        return width_zero(kind, path)  # a primitive written as {"type": "long", ...}

    width_zero(parsed, "")
    return bool(found["recursive"]), found["array"], bool(found["fixed1"])


MAX_VARINT_BYTES: Final = 10
"""The most bytes a zig-zag varint of a 64-bit long takes."""


class BoundedVarints(io.BytesIO):
    """A body buffer that refuses a varint longer than `MAX_VARINT_BYTES`.

    fastavro reads a varint with one ``read(1)`` per byte, and every byte but the last has its
    high bit set; strings, bytes and fixed values of more than one byte are read in one call,
    booleans are never high. So more than ten high single-byte reads in a row can only be an
    overlong varint, which the pure-Python reader would otherwise turn into a Python integer
    of unbounded size, one shift per byte.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self._run = 0

    def read(self, size: int | None = -1, /) -> bytes:
        """Read as `io.BytesIO` does, counting high single bytes in a row."""
        chunk = super().read(size)
        if size == 1 and chunk and chunk[0] & 0x80:
            self._run += 1
            if self._run > MAX_VARINT_BYTES:
                raise CorruptPayload(
                    f"a varint at byte {self.tell() - self._run} runs past {MAX_VARINT_BYTES} "
                    "bytes, longer than any Avro int or long: the body is garbage"
                )
        else:
            self._run = 0
        return chunk


class ReadPlan:
    """How to read bytes of one writer schema into one reader model, decided once.

    ``reader_schema`` is the model's parsed schema, or None when fastavro can skip resolution:
    the writer's schema is the model's, or the model only `extends` it and validates directly.
    ``direct`` says the model validates fastavro's plain output in one pydantic call (see
    `validates_directly`); otherwise the model's ``from_avro_dict`` gets the output with named
    union branches tagged.
    """

    __slots__ = (
        "_args",
        "_compiled",
        "_read",
        "convert",
        "direct",
        "model",
        "plain",
        "reader_schema",
        "writer",
    )

    def __init__(self, writer: WriterSchema, model: type[AvroModel], reader_schema: Any) -> None:
        self.writer = writer
        self.model = model
        self.direct = validates_directly(model)
        if self.direct and reader_schema is not None and extends(writer.parsed, reader_schema):
            # Resolution would only add defaults, which validating the model adds too: read
            # with the writer's schema alone, as fast as a value of the model's own version.
            reader_schema = None
        self.reader_schema = reader_schema
        self._compiled = not writer.recursive  # fastavro's compiled reader: a plain buffer
        self.convert: Callable[[Any], AvroModel] = (
            _validator(model) if self.direct else model.from_avro_dict
        )
        read_schema = _plain_logicals(writer.guarded, _validated_logicals(model))
        self.plain = read_schema is not writer.guarded
        """Whether some logical values are read as their plain wire value (see
        `_validated_logicals`) and converted by the model's validation."""
        self._read, self._args = _reader(
            writer.read, read_schema, reader_schema, named_type=not self.direct
        )

    def inline(self) -> tuple[Reader, tuple[Any, ...], Callable[[Any], AvroModel]] | None:
        """For a loop that inlines `decode` of well-formed values: the reader, its arguments
        after the buffer, and the conversion; None when the plan reads through the guarded
        buffer of a recursive schema (then call `decode`).

        The loop reads a buffer positioned after the header with them, and keeps the result
        of the conversion only when the read used every byte; on anything else (an exception,
        bytes left over) it calls `decode`, which reads the value again and raises the typed
        error."""
        return (self._read, self._args, self.convert) if self._compiled else None

    def decode(self, data: bytes, start: int = HEADER_SIZE) -> AvroModel:
        """The model from the body at ``data[start:]``: by default a framed value whose header
        named this plan's writer schema; ``start=0`` reads unframed Avro binary."""
        if self._compiled:
            buffer = io.BytesIO(data)
            buffer.seek(start)
        else:
            buffer = self.writer.body(data, start)
        try:
            datum = self._read(buffer, *self._args)
        except DecodeError:
            raise  # already typed (a decimal past its precision)
        except EOFError as exc:
            raise truncated(self.writer, data, start, exc) from None
        except RecursionError:
            raise CorruptPayload(
                f"the body nests {self.writer.described} records too deeply to read safely "
                f"({len(data)} bytes); it is garbage or a pathological message"
            ) from None
        except Exception as exc:  # fastavro's errors on bad input have no common base
            raise read_failure(exc, self, data, start) from None
        if buffer.tell() != len(data):
            claimed = "the header's schema id" if start else "the writer schema given"
            raise CorruptPayload(
                f"{len(data) - buffer.tell()} bytes are left after a complete "
                f"{self.writer.described} record: {claimed} is probably not the one the value "
                "was written with (refused rather than read as wrong data)"
            )
        try:
            return self.convert(datum)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            where = bad_plain_value(self.writer.parsed, datum) if self.plain else None
            if where is not None:  # a timestamp or uuid read plain, that validation refused
                raise CorruptPayload(f"{where} (in a {self.writer.described} record)") from None
            raise CorruptPayload(
                f"the {self.writer.described} record does not fit {self.model.__name__}: "
                + validation_summary(exc)
            ) from None


def _validator(model: type[AvroModel]) -> Callable[[Any], AvroModel]:
    """``model.model_validate``, or the pydantic-core call it makes: a pydantic model's
    ``model_validate(obj)`` is ``__pydantic_validator__.validate_python(obj)`` behind a Python
    frame that only passes its default keyword arguments on. The same validation, the same
    errors (pydantic's ``ValidationError``), without that frame on every message. A class
    with a ``model_validate`` of its own keeps it."""
    validate: Callable[[Any], AvroModel] = model.model_validate  # type: ignore[attr-defined]
    if not isinstance(model, type) or "pydantic" not in sys.modules:
        return validate
    from pydantic import BaseModel

    inherited = getattr(validate, "__func__", None) is BaseModel.model_validate.__func__  # type: ignore[attr-defined]
    if not (issubclass(model, BaseModel) and inherited):
        return validate
    core: Callable[[Any], AvroModel] = model.__pydantic_validator__.validate_python
    return core


# fastavro's compiled ``schemaless_reader`` gathers the parsed schema's named types into fresh
# dicts and builds its options dict on every call, then calls ``_read_data``, which reads the
# datum. Called directly with those built once per plan, it saves a sixth of a small message's
# read. It is internal to fastavro (1.13 has it, with this signature), so it is used only after
# it has read a probe exactly as ``schemaless_reader`` does, once per process
# (`direct_read_data`); a fastavro without it or with another one, and the pure-Python reader
# of recursive schemas, get ``schemaless_reader``. The runtime tests also compare what it reads
# with ``schemaless_reader`` on every catalog model and version.


def _direct_args(writer: Any, reader: Any, named_type: bool) -> tuple[Any, ...]:
    """What the compiled ``schemaless_reader(buffer, writer, reader, ...)`` passes
    ``_read_data`` after the buffer."""
    if writer == reader:  # as schemaless_reader does
        reader = None
    named: dict[str, dict[str, Any]] = {"writer": {}, "reader": {}}
    writer = fastavro.parse_schema(writer, named["writer"])
    if reader:
        reader = fastavro.parse_schema(reader, named["reader"])
    options = {
        "return_record_name": False,
        "return_record_name_override": False,
        "handle_unicode_errors": "strict",
        "return_named_type": named_type,
        "return_named_type_override": False,
    }
    return (writer, named, reader, options)


_PROBE_WRITER: Final = {
    "type": "record",
    "name": "Probe",
    "namespace": "probe",
    "fields": [
        {"name": "n", "type": "long"},
        {"name": "s", "type": ["null", "string"]},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
        {"name": "a", "type": {"type": "array", "items": "int"}},
        {"name": "m", "type": {"type": "map", "values": "double"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {
            "name": "inner",
            "type": {
                "type": "record",
                "name": "Inner",
                "fields": [{"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}}],
            },
        },
        {"name": "u", "type": ["null", "Inner", "E"]},
    ],
}
_PROBE_READER: Final = {
    **_PROBE_WRITER,
    "fields": [*_PROBE_WRITER["fields"], {"name": "added", "type": "int", "default": 7}],
}
_PROBE_VALUE: Final = {
    "n": -(2**40),
    "s": "é",
    "e": "B",
    "a": [1, -2],
    "m": {"k": 0.5},
    "at": 1_700_000_000_123,
    "inner": {"f": b"xy"},
    "u": {"f": b"zw"},
}


@functools.cache
def direct_read_data() -> Callable[..., Any] | None:
    """fastavro's internal ``_read_data``, if this fastavro has one that reads a probe value
    (named types, unions, logical types, resolution to a reader schema, named-type tuples)
    exactly as ``schemaless_reader`` does; otherwise None."""
    read_data = getattr(importlib.import_module("fastavro._read"), "_read_data", None)
    if read_data is None:
        return None
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, _PROBE_WRITER, _PROBE_VALUE)
    data = buffer.getvalue()
    try:
        # Reading as written and resolved to a reader schema, with and without named-type
        # tuples: the four ways plans read (a reader schema equal to the writer's is None to
        # both functions).
        for reader in (None, _PROBE_READER):
            for named_type in (False, True):
                expected = fastavro.schemaless_reader(
                    io.BytesIO(data), _PROBE_WRITER, reader, return_named_type=named_type
                )
                args = _direct_args(_PROBE_WRITER, reader, named_type)
                if read_data(io.BytesIO(data), *args) != expected:
                    _without_direct_read("reads the probe differently")
                    return None
    except Exception as exc:  # another signature or behaviour: schemaless_reader it is
        _without_direct_read(f"fails on the probe ({type(exc).__name__})")
        return None
    return cast("Callable[..., Any]", read_data)


def _without_direct_read(why: str) -> None:
    import logging

    logging.getLogger("devicecontracts.serde").info(
        "fastavro %s: its _read_data %s, so decoding uses schemaless_reader "
        "(correct, about a sixth slower on small messages)",
        getattr(fastavro, "__version__", "?"),
        why,
    )


def _reader(
    read: Reader, writer: Any, reader: Any, named_type: bool
) -> tuple[Reader, tuple[Any, ...]]:
    """The function that reads a buffer and its arguments after the buffer: ``read`` (a
    ``schemaless_reader``) with these, or for fastavro's compiled reader its ``_read_data``
    with what that ``schemaless_reader`` would pass it."""
    if read is not fastavro.schemaless_reader or (read_data := direct_read_data()) is None:
        return read, (writer, reader, False, False, "strict", named_type)
    return read_data, _direct_args(writer, reader, named_type)


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
            if t in PRIMITIVE_TYPES or t in seen:
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


# ---------------------------------------------------------------------------------------------
# Logical types the model converts faster than fastavro: read as their plain wire value.

_MILLIS: Final = "milliseconds"
_validated: dict[type, Mapping[str, frozenset[str]]] = {}


def _validated_logicals(model: type[AvroModel]) -> Mapping[str, frozenset[str]]:
    """The logical types that ``model``'s validation converts from their plain wire value, by
    the full name (and alias) of each record of its schema.

    fastavro converts a ``timestamp-millis`` into a datetime and a ``uuid`` into a UUID in
    Python, and then the model's validation checks the result again; pydantic-core converts the
    long and the string in Rust, once. So for a record whose model class is a generated one (an
    `devicecontracts.record.AvroRecord`), ``uuid`` strings are read as strings, and, when the
    class validates with ``val_temporal_unit="milliseconds"`` (the generator sets it on every
    record holding a timestamp-millis: `devicecontracts.codegen`), ``timestamp-millis`` longs
    as longs. Other classes (hand-written models, models generated before the setting) get
    fastavro's conversions as before. Decided once per model class.
    """
    found = _validated.get(model)
    if found is None:
        found = _validated[model] = _record_logicals(model)
    return found


def _record_classes(model: type[AvroModel]) -> dict[str, Any]:
    """The generated class of every record of ``model``'s schema, by full name and alias
    (empty unless ``model`` is an `devicecontracts.record.AvroRecord`)."""
    from devicecontracts.record import AvroRecord

    if not (isinstance(model, type) and issubclass(model, AvroRecord)):
        return {}
    # A generated module imports the class of every record its schema uses (as
    # `AvroRecord.avro_resolving_schema` relies on too).
    module = sys.modules.get(model.__module__)
    classes: dict[str, Any] = {
        c.avro_name: c
        for c in vars(module).values()
        if isinstance(c, type) and issubclass(c, AvroRecord) and c.avro_name
    }
    classes[model.avro_name] = model
    # A writer record may be read into a reader record that names it as an alias.
    named = model.parsed_avro_schema().get("__named_schemas", {})
    for name, node in named.items():
        if name in classes and isinstance(node, dict):
            namespace = name.rpartition(".")[0]
            for alias in node.get("aliases", ()):
                classes.setdefault(qualify(alias, namespace), classes[name])
    return classes


def _record_logicals(model: type[AvroModel]) -> Mapping[str, frozenset[str]]:
    logicals: dict[str, frozenset[str]] = {}
    for name, cls in _record_classes(model).items():
        millis = cls.model_config.get("val_temporal_unit") == _MILLIS
        logicals[name] = frozenset({"uuid", "timestamp-millis"} if millis else {"uuid"})
    return logicals


_WRITES_PLAIN: Final = (1, 1)
"""The generator version from which ``to_avro_dict`` writes the long of a timestamp-millis and
the string of a uuid itself (`devicecontracts.record.CODEGEN_VERSION`)."""
_write_schemas: dict[type, Any] = {}


def write_schema(model: type[AvroModel]) -> Any:
    """The schema the serde writes ``model.to_avro_dict()`` with, worked out once per class.

    ``model``'s parsed schema, or a copy whose timestamp-millis and uuid fields are plain
    ``long`` and ``string`` in the records whose generated ``to_avro_dict`` (generator 1.1 on)
    already gives their wire values: fastavro then writes them without converting anything,
    a third faster. The bytes are the same.
    """
    found = _write_schemas.get(model)
    if found is None:
        plain = {
            name: frozenset({"uuid", "timestamp-millis"})
            for name, cls in _record_classes(model).items()
            if _generator_version(cls) >= _WRITES_PLAIN
        }
        found = _write_schemas[model] = _plain_logicals(model.parsed_avro_schema(), plain)
    return found


def _generator_version(cls: type) -> tuple[int, ...]:
    stamp = getattr(sys.modules.get(cls.__module__), "GENERATED_BY", None)
    if not isinstance(stamp, str) or not stamp.startswith("devicecontracts.codegen "):
        return (0,)
    try:
        return tuple(int(part) for part in stamp.rpartition(" ")[2].split("."))
    except ValueError:
        return (0,)


_PLAIN_TYPE: Final = {"timestamp-millis": "long", "uuid": "string"}


def _plain_logicals(parsed: Any, logicals: Mapping[str, frozenset[str]]) -> Any:
    """``parsed``, or a copy where the fields of the records named in ``logicals`` read the
    logical types listed for them as their plain type.

    Only a field's own value, a nullable one, or the items and values of its arrays and maps
    (and of nullable ones) are read plain: a union of the logical type with another branch
    keeps fastavro's conversion, which tells the branches apart (a long next to a double
    would validate as the double).
    """
    if not logicals or not _plain_positions(parsed, logicals):
        return parsed
    plain = copy.deepcopy(parsed)
    for container, key in _plain_positions(plain, logicals):
        container[key] = _PLAIN_TYPE[container[key]["logicalType"]]
    return plain


def _plain_positions(parsed: Any, logicals: Mapping[str, frozenset[str]]) -> list[tuple[Any, Any]]:
    """(container, key) of every logical-typed node to read plain, each once."""
    found: list[tuple[Any, Any]] = []
    fields_seen: set[int] = set()  # a named record and its `__named_schemas` entry share fields
    for node, _ in schema_nodes(parsed):
        if node.get("type") in ("record", "error"):
            wanted = logicals.get(node.get("name", ""), frozenset())
            for field in node.get("fields", ()) if wanted else ():
                if id(field) not in fields_seen:
                    fields_seen.add(id(field))
                    found.extend(_plain_in(field, "type", wanted))
    return found


def _plain_in(container: Any, key: Any, wanted: frozenset[str]) -> Iterator[tuple[Any, Any]]:
    node = container[key]
    if isinstance(node, list):
        branches = [i for i, b in enumerate(node) if b != "null"]
        if len(branches) == 1:
            yield from _plain_in(node, branches[0], wanted)
        return
    if not isinstance(node, dict):
        return
    logical = node.get("logicalType")
    if logical in wanted and node.get("type") == _PLAIN_TYPE[logical]:
        yield container, key
    elif node.get("type") == "array":
        yield from _plain_in(node, "items", wanted)
    elif node.get("type") == "map":
        yield from _plain_in(node, "values", wanted)


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
        if isinstance(w, str) and w not in PRIMITIVE_TYPES:
            if isinstance(r, str) and (w, r) in assumed:
                return True  # a recursive type already being compared
            w = writer_named.get(w, w)
        if isinstance(r, str) and r not in PRIMITIVE_TYPES:
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
    if same or reader is writer.parsed:
        return ReadPlan(writer, model, None)
    resolving = getattr(model, "avro_resolving_schema", None)  # AvroRecord: typed defaults
    return ReadPlan(writer, model, resolving() if callable(resolving) else reader)


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


def plan_for(model: type[AvroModel], writer: Any = None) -> ReadPlan:
    """The plan for reading bodies written with ``writer`` into ``model``, without any lookup.

    ``writer`` is a model class, schema JSON text or a schema dict (fastavro-parsed or not);
    None means the model's own schema. Plans of model classes and JSON text are kept (bounded);
    a dict is planned on every call. Raises `SchemaMismatch` when the writer cannot be read as
    the model, `SchemaError` when it is not a schema, and `TypeError` for anything else.
    """
    if writer is None or isinstance(writer, (type, str)):
        return _kept_plan(model, writer)
    if isinstance(writer, Mapping):
        return plan_read(writer_schema(writer), (model,))
    raise TypeError(
        f"a writer schema is a model class, schema JSON text or a dict, not {type(writer).__name__}"
    )


@functools.lru_cache(maxsize=256)
def _kept_plan(model: type[AvroModel], writer: type[AvroModel] | str | None) -> ReadPlan:
    if isinstance(writer, str):
        return plan_read(writer_schema(writer), (model,))
    source = model if writer is None else writer
    if not hasattr(source, "avro_schema_json"):
        raise TypeError(f"{source.__name__} is not a model class (it has no avro_schema_json)")
    prepared = writer_schema(
        source.avro_schema_json,
        fingerprint=source.avro_fingerprint,
        parsed=source.parsed_avro_schema(),
    )
    return plan_read(prepared, (model,))


# ---------------------------------------------------------------------------------------------
# Decimals in time linear in their size, refused beyond their precision.

_GUARDED_DECIMAL: Final = "devicecontracts-decimal"
"""The logical type the guarded copy of a schema gives its decimals, so that fastavro calls
`read_decimal` for them (and for nothing else: fastavro's own ``decimal`` reader is untouched)."""
_WHERE: Final = "devicecontracts-where"
_LOG2_10: Final = math.log2(10)


def read_decimal(
    data: bytes, writer_schema: dict[Any, Any] | None, reader_schema: dict[Any, Any] | None = None
) -> decimal.Decimal:
    """A decimal's `Decimal` from its two's-complement bytes, refusing more than its precision.

    fastavro's own reader converts first (quadratic in the length) and then rounds silently to
    the precision. Here the bytes are measured first: redundant sign bytes aside, a value of
    ``precision`` digits needs at most ``ceil(precision * log2(10)) + 1`` bits, so anything
    longer is refused before any conversion; what remains is converted exactly.
    """
    assert writer_schema is not None  # fastavro always passes the decimal's schema
    precision: int = writer_schema["precision"]
    scale: int = writer_schema.get("scale", 0)
    sign_byte = b"\xff" if data and data[0] >= 0x80 else b"\x00"
    if len(data.lstrip(sign_byte)) > _max_bytes(precision) or abs(
        unscaled := int.from_bytes(data, "big", signed=True)
    ) >= _limit(precision):
        raise CorruptPayload(
            f"{writer_schema.get(_WHERE, 'a decimal')}: a decimal(precision={precision}, "
            f"scale={scale}) value of {len(data)} bytes has more than {precision} digits"
        )
    return decimal.Decimal(f"{unscaled}E-{scale}")


@functools.lru_cache(maxsize=64)
def _max_bytes(precision: int) -> int:
    return (math.ceil(precision * _LOG2_10) + 1 + 7) // 8


@functools.lru_cache(maxsize=64)
def _limit(precision: int) -> int:
    return int(10**precision)


LOGICAL_READERS[f"bytes-{_GUARDED_DECIMAL}"] = read_decimal
LOGICAL_READERS[f"fixed-{_GUARDED_DECIMAL}"] = read_decimal


def _guard_decimals(parsed: Any) -> Any:
    """``parsed``, or a copy whose decimals are read by `read_decimal` (named for messages)."""
    if next(_decimals(parsed), None) is None:
        return parsed
    guarded = copy.deepcopy(parsed)
    for node, path in _decimals(guarded):
        node["logicalType"] = _GUARDED_DECIMAL
        where = f"fixed {node['name']}" if node["type"] == "fixed" else path or "(top level)"
        node[_WHERE] = f"field {where}" if node["type"] == "bytes" else where
    return guarded


def _decimals(parsed: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Every decimal node of a fastavro-parsed schema, once, with the path of its first use."""
    for node, path in schema_nodes(parsed):
        if node.get("logicalType") == "decimal" and node.get("type") in ("bytes", "fixed"):
            yield node, path


def schema_nodes(parsed: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Every schema node of a fastavro-parsed schema (a dict in a type position: not a field,
    a default or another property), once, with the path of its first use (``a.b[]``, ``m{}``;
    empty at the top level). A node's children are read after it is yielded: a caller may edit
    its keys (copies of the schema are edited so: `_plain_logicals`, `_guard_decimals`, the
    rules' plain schema)."""
    named = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    # Named types are also inline at their first use: visited last, they are already seen.
    stack: list[tuple[Any, str]] = [*((n, "") for n in named.values()), (parsed, "")]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            stack.extend((branch, path) for branch in node)
            continue
        if not isinstance(node, dict):
            continue
        yield node, path
        kind = node.get("type")
        if kind in ("record", "error"):
            for field in node.get("fields", ()):
                stack.append((field["type"], f"{path}.{field['name']}" if path else field["name"]))
        elif kind == "array":
            stack.append((node["items"], f"{path}[]"))
        elif kind == "map":
            stack.append((node["values"], f"{path}{{}}"))
        elif isinstance(kind, (dict, list)):
            stack.append((kind, path))
