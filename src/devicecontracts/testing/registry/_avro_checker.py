"""The local registry's Avro machinery: parsing, validation, identity and compatibility.

Deliberately independent of devicecontracts' own engine (``devicecontracts.schema`` and
``devicecontracts.schema.compatibility``), so tests that run ``contracts`` against the local
registry really check our engine against a second implementation:

* parsing and the compatibility verdict come from the ``avro`` package
  (``avro.compatibility.ReaderWriterCompatibilityChecker``, a port of Apache Avro Java's
  ``SchemaCompatibility``), with its two known divergences from Java worked around:
  relative record aliases are qualified before parsing (Python compares the raw alias to the
  writer's full name), and a reader field matching two writer fields (by name or aliases) is
  refused the way Java refuses it (Java throws; Confluent answers "incompatible");
* the validation Confluent 8 applies to *new* schemas (strict ASCII names, defaults that
  match their type, a union default matching any branch) is written here from the Avro 1.12
  rules (``Schema.isValidDefault`` and ``NameValidator.STRICT_VALIDATOR``), because Python
  ``avro`` checks neither;
* identity (what makes two registrations "the same schema") is the parsed schema written back
  as JSON with sorted keys, plus the references, as Confluent compares ``canonicalString()``
  and references: whitespace and key order do not matter, docs, defaults, aliases and field
  order do.
"""

from __future__ import annotations

import ast
import json
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import avro.errors
import avro.schema
from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityResult,
    SchemaCompatibilityType,
)
from avro.name import Names

__all__ = [
    "InvalidSchema",
    "ParsedAvro",
    "compatibility_messages",
    "identity",
    "parse",
    "validate_new",
]

JSON = Any

# ``warnings.catch_warnings`` swaps process-wide state and is not thread-safe; the server handles
# requests in threads, so every parse that may warn (avro warns on ignored logical types) holds
# this lock, shared by every local registry in the process.
_AVRO_LOCK = threading.Lock()

_NAMED = ("record", "error", "enum", "fixed")
_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)


class InvalidSchema(Exception):
    """The schema cannot be registered (Confluent: 422, error code 42201)."""


@dataclass(frozen=True)
class ParsedAvro:
    """A schema parsed by ``avro``; ``referenced`` are the full names its references defined."""

    schema: avro.schema.Schema
    referenced: frozenset[str]


def parse(schema: JSON, referenced: Sequence[JSON] = ()) -> ParsedAvro:
    """Parse ``schema`` (parsed JSON) after the schemas it references, in dependency order.

    Stored and new schemas are parsed the same lenient way here; `validate_new` adds the
    checks Confluent applies to new schemas only. Raises `InvalidSchema`.
    """
    names = Names(validate_names=False)
    with _AVRO_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for ref in referenced:
                avro.schema.make_avsc_object(_qualify_aliases(ref, ""), names, validate_names=False)
            taken = frozenset(names.names)
            parsed = avro.schema.make_avsc_object(
                _qualify_aliases(schema, ""), names, validate_names=False
            )
        except (avro.errors.AvroException, TypeError, ValueError, AttributeError) as exc:
            raise InvalidSchema(f"Invalid schema: {exc}") from None
    return ParsedAvro(parsed, taken)


def identity(parsed: ParsedAvro) -> str:
    """The schema as ``avro`` writes it back, keys sorted: equal for equivalent registrations."""
    with _AVRO_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return json.dumps(parsed.schema.to_json(), sort_keys=True, separators=(",", ":"))


def _qualify_aliases(node: JSON, namespace: str) -> JSON:
    """A copy of ``node`` whose named types' aliases are full names, resolved as Java does.

    Python ``avro`` compares a reader's raw alias to the writer's full name, so a relative alias
    (``"Reading"`` in namespace ``com.acme``) never matches; Java resolves it against the named
    type's namespace first.
    """
    if isinstance(node, list):
        return [_qualify_aliases(branch, namespace) for branch in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind in _NAMED and isinstance(node.get("name"), str):
        own = _namespace_of(node, namespace)
        out = dict(node)
        aliases = node.get("aliases")
        if isinstance(aliases, list):
            out["aliases"] = [_full_alias(a, own) for a in aliases]
        if kind in ("record", "error") and isinstance(node.get("fields"), list):
            out["fields"] = [
                {**f, "type": _qualify_aliases(f.get("type"), own)} if isinstance(f, dict) else f
                for f in node["fields"]
            ]
        return out
    out = dict(node)
    for key in ("type", "items", "values"):
        if key in out and not isinstance(out[key], str):
            out[key] = _qualify_aliases(out[key], namespace)
    return out


def _full_alias(alias: JSON, namespace: str) -> JSON:
    """Java's ``new Name(alias, namespace).getFullName()``: a dotted alias is already full (a
    leading dot meaning the null namespace); a simple one takes the type's namespace."""
    if not isinstance(alias, str):
        return alias
    if "." in alias:
        space, _, name = alias.rpartition(".")
        if space:
            return f"{space}.{name}"
        # Confluent 8 (Avro 1.12 NamedSchema.getAliases): a null-namespace alias of a
        # namespaced type reads ".Name", which matches no writer's full name.
        return f".{name}" if namespace else name
    return f"{namespace}.{alias}" if namespace else alias


def _namespace_of(node: dict[str, JSON], enclosing: str) -> str:
    name: str = node["name"]
    if "." in name:
        return name.rpartition(".")[0]
    space = node.get("namespace")
    if isinstance(space, str):
        return space
    return enclosing


# ---------------------------------------------------------------------------------------------
# Validation of new schemas (Confluent 8, Avro 1.12: strict ASCII names, valid defaults)


def validate_new(parsed: ParsedAvro) -> None:
    """Refuse what Confluent refuses in a *new* schema: bad names, defaults of the wrong type.

    Named types taken from references were validated when they were registered and are not
    visited again. Raises `InvalidSchema` naming the type or field.
    """
    seen: set[int] = set()
    pending: list[avro.schema.Schema] = [parsed.schema]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, avro.schema.NamedSchema):
            if node.fullname in parsed.referenced:
                continue
            _check_name(node.name, f"{node.type} name")
            if node.namespace:
                for part in node.namespace.split("."):
                    _check_name(part, f"namespace of {node.fullname}")
        if isinstance(node, avro.schema.EnumSchema):
            for symbol in node.symbols:
                _check_name(symbol, f"symbol of enum {node.fullname}")
        if isinstance(node, avro.schema.RecordSchema):
            for field in node.fields:
                _check_name(field.name, f"field name in {node.fullname}")
                if field.has_default and not _valid_default(field.type, field.default):
                    raise InvalidSchema(
                        f"Invalid default for field {field.name}: "
                        f"{json.dumps(field.default)} not a {_describe(field.type)}"
                    )
                pending.append(field.type)
        elif isinstance(node, avro.schema.ArraySchema):
            pending.append(node.items)
        elif isinstance(node, avro.schema.MapSchema):
            pending.append(node.values)
        elif isinstance(node, avro.schema.UnionSchema):
            pending.extend(node.schemas)


def _check_name(name: str, what: str) -> None:
    # Confluent 8's NameValidator.STRICT_VALIDATOR: an ASCII letter or '_' first, then ASCII
    # letters, digits or '_'.
    ok = (
        bool(name)
        and name.isascii()
        and (name[0].isalpha() or name[0] == "_")
        and all(c.isalnum() or c == "_" for c in name[1:])
    )
    if not ok:
        raise InvalidSchema(f"Illegal character in {what}: {name!r}")


def _valid_default(schema: avro.schema.Schema, value: JSON) -> bool:
    """Avro 1.11 ``Schema.isValidValue``: does ``value`` (parsed JSON) fit ``schema``?"""
    kind = schema.type
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        low, high = _INT_RANGE if kind == "int" else _LONG_RANGE
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("string", "bytes", "enum", "fixed"):
        return isinstance(value, str)
    if kind == "array":
        assert isinstance(schema, avro.schema.ArraySchema)
        return isinstance(value, list) and all(_valid_default(schema.items, v) for v in value)
    if kind == "map":
        assert isinstance(schema, avro.schema.MapSchema)
        return isinstance(value, dict) and all(
            _valid_default(schema.values, v) for v in value.values()
        )
    if kind == "union":
        assert isinstance(schema, avro.schema.UnionSchema)
        # Confluent 8 (Avro 1.12 Schema.isValidDefault): a union's default may match any branch.
        return any(_valid_default(branch, value) for branch in schema.schemas)
    if kind in ("record", "error"):
        assert isinstance(schema, avro.schema.RecordSchema)
        if not isinstance(value, dict):
            return False
        return all(
            _valid_default(f.type, value[f.name]) if f.name in value else f.has_default
            for f in schema.fields
        )
    return False


def _describe(schema: avro.schema.Schema) -> str:
    if isinstance(schema, avro.schema.NamedSchema):
        return f"{schema.type} {schema.fullname}"
    if isinstance(schema, avro.schema.UnionSchema) and schema.schemas:
        return f"union whose first branch is {_describe(schema.schemas[0])}"
    return str(schema.type)


# ---------------------------------------------------------------------------------------------
# Compatibility


class _AmbiguousField(Exception):
    pass


class _JavaFaithfulChecker(ReaderWriterCompatibilityChecker):
    """``avro``'s checker, refusing a reader field that matches two writer fields.

    Java's ``lookupWriterField`` collects the writer field with the reader field's name and one
    per matching reader alias, and throws when it finds more than one; Python takes the first.
    """

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def check_reader_writer_record_fields(
        self,
        reader: avro.schema.RecordSchema,
        writer: avro.schema.RecordSchema,
        location: list[str],
    ) -> SchemaCompatibilityResult:
        for field in reader.fields:
            aliases = field.props.get("aliases")
            found = int(field.name in writer.fields_dict)
            if isinstance(aliases, list):
                found += sum(1 for a in set(aliases) if a in writer.fields_dict)
            if found > 1:
                raise _AmbiguousField(
                    f"Reader record field {field.name} matches multiple fields in writer record "
                    f"schema {writer.fullname}"
                )
        result: SchemaCompatibilityResult = super().check_reader_writer_record_fields(
            reader, writer, location
        )
        return result


def compatibility_messages(
    reader: ParsedAvro, writer: ParsedAvro, reader_label: str, writer_label: str
) -> list[str]:
    """Why ``reader`` cannot read data written with ``writer``; empty when it can.

    The strings are Confluent's verbose format (``Difference.java``):
    ``{errorType:'…', description:'…', additionalInfo:'…'}``, with the labels ("new", "old")
    filled into the description as Confluent fills them.
    """
    try:
        result = _JavaFaithfulChecker().get_compatibility(reader.schema, writer.schema)
    except (_AmbiguousField, avro.errors.AvroException, RecursionError) as exc:
        return [f"Unexpected exception during compatibility check: {exc}"]
    if result.compatibility is not SchemaCompatibilityType.incompatible:
        return []
    return [
        _difference(kind, location, info, reader_label, writer_label)
        for kind, location, info in _pair(result)
    ]


def _pair(result: SchemaCompatibilityResult) -> list[tuple[str, str, str]]:
    """(errorType, location, message) triples from ``avro``'s result.

    ``avro`` merges incompatibilities, locations and messages into three separate *sets*, so
    which location goes with which message is lost; both carry their kind (the message by its
    wording, the location by its last step), which is enough to pair them up again.
    """
    kinds = {k.name.upper() for k in result.incompatibilities}
    by_kind: dict[str, list[str]] = {}
    for message in sorted(result.messages):
        by_kind.setdefault(_message_kind(message, kinds), []).append(message)
    locations: dict[str, list[str]] = {}
    for location in sorted(result.locations):
        locations.setdefault(_location_kind(location, kinds), []).append(location)
    triples: list[tuple[str, str, str]] = []
    for kind in sorted(kinds):
        messages = by_kind.get(kind) or [""]
        places = locations.get(kind) or locations.get("?") or ["/"]
        for i, message in enumerate(messages):
            triples.append((kind, places[min(i, len(places) - 1)], _java_message(kind, message)))
    return triples


def _message_kind(message: str, kinds: Iterable[str]) -> str:
    if message.startswith("reader type:"):
        return "TYPE_MISMATCH"
    if message.startswith("reader union lacking"):
        return "MISSING_UNION_BRANCH"
    if message.startswith("expected: ") and ", found: " in message:
        return "FIXED_SIZE_MISMATCH"
    if message.startswith("expected: "):
        return "NAME_MISMATCH"
    if message.startswith("{"):
        return "MISSING_ENUM_SYMBOLS"
    return "READER_FIELD_MISSING_DEFAULT_VALUE"


def _location_kind(location: str, kinds: set[str]) -> str:
    last = location.rstrip("/").rpartition("/")[2]
    suffix = {
        "name": "NAME_MISMATCH",
        "symbols": "MISSING_ENUM_SYMBOLS",
        "size": "FIXED_SIZE_MISMATCH",
    }
    if last in suffix:
        return suffix[last]
    parts = [p for p in location.split("/") if p]
    if len(parts) >= 2 and parts[-2] == "fields" and parts[-1].isdigit():
        return "READER_FIELD_MISSING_DEFAULT_VALUE"
    for kind in ("TYPE_MISMATCH", "MISSING_UNION_BRANCH"):
        if kind in kinds and not ({"TYPE_MISMATCH", "MISSING_UNION_BRANCH"} - {kind}) & kinds:
            return kind
    return "?"


def _java_message(kind: str, message: str) -> str:
    """``avro``'s message in the words Java uses (``[A, B]`` for symbols, upper-case types)."""
    if kind == "MISSING_ENUM_SYMBOLS":
        try:
            symbols = ast.literal_eval(message)
        except (ValueError, SyntaxError):
            return message
        return "[" + ", ".join(sorted(str(s) for s in symbols)) + "]"
    if kind == "TYPE_MISMATCH":
        head, _, writer = message.partition(" not compatible with writer type: ")
        reader = head.removeprefix("reader type: ")
        return f"reader type: {reader.upper()} not compatible with writer type: {writer.upper()}"
    return message


def _difference(kind: str, path: str, info: str, reader: str, writer: str) -> str:
    descriptions = {
        "FIXED_SIZE_MISMATCH": f"The size of FIXED type field at path '{path}' in the {reader} "
        f"schema does not match with the {writer} schema",
        "TYPE_MISMATCH": f"The type (path '{path}') of a field in the {reader} schema does not "
        f"match with the {writer} schema",
        "NAME_MISMATCH": f"The name of the schema has changed (path '{path}')",
        "MISSING_ENUM_SYMBOLS": f"The {reader} schema is missing enum symbols '{info}' at path "
        f"'{path}' in the {writer} schema",
        "MISSING_UNION_BRANCH": f"The {reader} schema is missing a type inside a union field at "
        f"path '{path}' in the {writer} schema",
        "READER_FIELD_MISSING_DEFAULT_VALUE": f"The field '{info}' at path '{path}' in the "
        f"{reader} schema has no default value and is missing in the {writer} schema",
    }
    return (
        f"{{errorType:'{kind}', description:'{descriptions.get(kind, '')}', "
        f"additionalInfo:'{info}'}}"
    )
