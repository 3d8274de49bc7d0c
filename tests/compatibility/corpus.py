"""Hand-written Avro schema-evolution corpus with Confluent-exact expected verdicts.

Every expected value below was derived from the rules of Apache Avro Java
``SchemaCompatibility.checkReaderWriterCompatibility`` (Avro 1.11.4, the version that Confluent
Schema Registry runs) and from Confluent's parse-time validation of *new* schemas; none of them
was produced by running an implementation. The rules and the Java-measured verdict table they
come from are in the shared research notes, governance-anchors.md, sections 1.1 and 5.

Conventions:

* ``Case.backward`` is the verdict with reader = ``new`` and writer = ``old``
  (Confluent ``BACKWARD``); ``Case.forward`` is reader = ``old`` and writer = ``new``
  (Confluent ``FORWARD``). ``FULL`` is both.
* Every ``new`` schema is valid under Confluent's strict validation of new schemas; ``old``
  schemas only need to load leniently, as stored schemas do.
* ``TRANSITIVE_CASES`` carry, for each of the seven levels, the set of 1-based previous versions
  that the new schema breaks against (empty set = compatible).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

Schema: TypeAlias = dict[str, Any] | list[Any] | str

LEVELS: tuple[str, ...] = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)

INCOMPATIBILITY_KINDS: frozenset[str] = frozenset(
    {
        "NAME_MISMATCH",
        "FIXED_SIZE_MISMATCH",
        "MISSING_ENUM_SYMBOLS",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "TYPE_MISMATCH",
        "MISSING_UNION_BRANCH",
        "INVALID_SCHEMA",
        "AMBIGUOUS_ALIAS",
    }
)


@dataclass(frozen=True)
class Case:
    """One old -> new schema change with its expected BACKWARD and FORWARD verdicts."""

    id: str
    old: Schema
    new: Schema
    backward: bool
    forward: bool
    why: str

    def expected(self, level: str) -> bool:
        """Return the expected verdict at ``level`` for a history consisting of ``old`` only."""
        base = level.removesuffix("_TRANSITIVE")
        if base == "NONE":
            return True
        if base == "BACKWARD":
            return self.backward
        if base == "FORWARD":
            return self.forward
        return self.backward and self.forward


@dataclass(frozen=True)
class TransitiveCase:
    """A history of previous versions plus a new schema, with the versions broken per level."""

    id: str
    history: tuple[Schema, ...]
    new: Schema
    breaks: Mapping[str, frozenset[int]]
    why: str


@dataclass(frozen=True)
class InvalidCase:
    """A new schema that Confluent rejects with 42201 before any compatibility check runs.

    ``needles`` must all appear (case-insensitively) in the INVALID_SCHEMA issue's message.
    ``lenient_ok`` says whether the same text still loads as a *stored* previous schema
    (Avro parses stored schemas without name or default validation).
    """

    id: str
    schema: Schema
    needles: tuple[str, ...]
    lenient_ok: bool
    why: str


@dataclass(frozen=True)
class ValidCase:
    """A new schema that Confluent accepts even though a naive validator might reject it."""

    id: str
    schema: Schema
    why: str


# --------------------------------------------------------------------------------------------
# Small builders that keep the schemas below readable.
# --------------------------------------------------------------------------------------------


def rec(name: str, *fields: dict[str, Any], **attrs: object) -> dict[str, Any]:
    """Build a record schema."""
    return {"type": "record", "name": name, **attrs, "fields": list(fields)}


def fld(name: str, type_: Schema, **attrs: object) -> dict[str, Any]:
    """Build a record field; ``default``, ``aliases``, ``doc`` and ``order`` go in ``attrs``."""
    return {"name": name, "type": type_, **attrs}


def enum(name: str, symbols: list[str], **attrs: object) -> dict[str, Any]:
    """Build an enum schema."""
    return {"type": "enum", "name": name, **attrs, "symbols": list(symbols)}


def fixed(name: str, size: int, **attrs: object) -> dict[str, Any]:
    """Build a fixed schema."""
    return {"type": "fixed", "name": name, **attrs, "size": size}


def array(items: Schema, **attrs: object) -> dict[str, Any]:
    """Build an array schema."""
    return {"type": "array", "items": items, **attrs}


def amap(values: Schema, **attrs: object) -> dict[str, Any]:
    """Build a map schema."""
    return {"type": "map", "values": values, **attrs}


def logical(base: str, logical_type: str, **attrs: object) -> dict[str, Any]:
    """Build a primitive annotated with a logical type."""
    return {"type": base, "logicalType": logical_type, **attrs}


NS = "com.acme.iot"


def reading(*fields: dict[str, Any], **attrs: object) -> dict[str, Any]:
    """The telemetry record used by most cases: ``com.acme.iot.Reading``."""
    attrs.setdefault("namespace", NS)
    return rec("Reading", *fields, **attrs)


# --------------------------------------------------------------------------------------------
# 1. Primitive x primitive: the whole promotion matrix.
#    Promotions (writer -> reader): int->long/float/double, long->float/double, float->double,
#    string<->bytes. Everything else between different primitives is a TYPE_MISMATCH.
# --------------------------------------------------------------------------------------------

_PRIMITIVE_ROWS: list[tuple[Schema, Schema, bool, bool, str]] = [
    # identity
    ("null", "null", True, True, "Identical null schemas resolve trivially."),
    ("boolean", "boolean", True, True, "Identical boolean schemas resolve trivially."),
    ("int", "int", True, True, "Identical int schemas resolve trivially."),
    ({"type": "long"}, "long", True, True, "The object form {'type':'long'} equals 'long'."),
    ("float", "float", True, True, "Identical float schemas resolve trivially."),
    ("double", "double", True, True, "Identical double schemas resolve trivially."),
    ("bytes", "bytes", True, True, "Identical bytes schemas resolve trivially."),
    ("string", {"type": "string"}, True, True, "The object form of string equals 'string'."),
    # null vs everything
    ("null", "boolean", False, False, "null has no promotion to or from boolean."),
    ("null", "int", False, False, "null has no promotion to or from int."),
    ("null", "long", False, False, "null has no promotion to or from long."),
    ("null", "float", False, False, "null has no promotion to or from float."),
    ("null", "double", False, False, "null has no promotion to or from double."),
    ("null", "bytes", False, False, "null has no promotion to or from bytes."),
    ("null", "string", False, False, "null has no promotion to or from string."),
    # boolean vs the rest
    ("boolean", "int", False, False, "boolean is not a numeric type and never promotes."),
    ("boolean", "long", False, False, "boolean never promotes to long."),
    ("boolean", "float", False, False, "boolean never promotes to float."),
    ("boolean", "double", False, False, "boolean never promotes to double."),
    ("boolean", "bytes", False, False, "boolean never promotes to bytes."),
    ("boolean", "string", False, False, "boolean never promotes to string."),
    # int vs the rest
    ("int", "long", True, False, "A long reader accepts int data but an int reader rejects long."),
    ("int", "float", True, False, "int promotes to float, float never narrows to int."),
    ("int", "double", True, False, "int promotes to double, double never narrows to int."),
    ("int", "bytes", False, False, "int and bytes have no promotion."),
    ("int", "string", False, False, "int and string have no promotion."),
    # long vs the rest
    ("long", "float", True, False, "long promotes to float (lossy but allowed)."),
    ("long", "double", True, False, "long promotes to double (lossy but allowed)."),
    ("long", "bytes", False, False, "long and bytes have no promotion."),
    ("long", "string", False, False, "long and string have no promotion."),
    # float vs the rest
    ("float", "double", True, False, "float promotes to double, double never narrows to float."),
    ("float", "bytes", False, False, "float and bytes have no promotion."),
    ("float", "string", False, False, "float and string have no promotion."),
    # double vs the rest
    ("double", "bytes", False, False, "double and bytes have no promotion."),
    ("double", "string", False, False, "double and string have no promotion."),
    # bytes vs string
    ("bytes", "string", True, True, "bytes and string promote to each other in both directions."),
    # explicit narrowing rows, mirror images of the promotions above
    ("long", "int", False, True, "An int reader cannot read long data; old long readers read int."),
    ("double", "float", False, True, "A float reader cannot read double data."),
    ("double", "int", False, True, "An int reader cannot read double data."),
    ("string", "bytes", True, True, "string to bytes is readable both ways."),
]


def _prim_id(schema: Schema) -> str:
    if isinstance(schema, dict):
        return f"{schema['type']}-object"
    return str(schema)


_PRIMITIVE_CASES = [
    Case(f"prim-{_prim_id(old)}-to-{_prim_id(new)}", old, new, b, f, why)
    for old, new, b, f, why in _PRIMITIVE_ROWS
]


# --------------------------------------------------------------------------------------------
# 2. Records: adding and removing fields, nesting, records inside arrays, maps and unions.
# --------------------------------------------------------------------------------------------

LOCATION = rec("Location", fld("lat", "double"), fld("lon", "double"))
LOCATION_ALT_DEFAULT = rec(
    "Location", fld("lat", "double"), fld("lon", "double"), fld("alt", "double", default=0.0)
)
LOCATION_ALT_REQUIRED = rec(
    "Location", fld("lat", "double"), fld("lon", "double"), fld("alt", "double")
)
LOCATION_LAT_ONLY = rec("Location", fld("lat", "double"))

_RECORD_CASES = [
    Case(
        "rec-add-field-with-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("site", "string", default="unknown")),
        True,
        True,
        "A new field with a default is filled from the default by new readers and ignored by old.",
    ),
    Case(
        "rec-add-field-without-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("site", "string")),
        False,
        True,
        "New readers cannot fill a required field that old data lacks.",
    ),
    Case(
        "rec-remove-field-with-default",
        reading(fld("ts", "long"), fld("site", "string", default="unknown")),
        reading(fld("ts", "long")),
        True,
        True,
        "Old readers fall back to the removed field's default.",
    ),
    Case(
        "rec-remove-field-without-default",
        reading(fld("ts", "long"), fld("site", "string")),
        reading(fld("ts", "long")),
        True,
        False,
        "Old readers need the removed required field, which new data lacks.",
    ),
    Case(
        "rec-rename-field-no-alias",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double")),
        False,
        False,
        "A rename without alias is a removal plus an addition of required fields.",
    ),
    Case(
        "rec-rename-field-no-alias-both-defaults",
        reading(fld("temp", "double", default=0.0)),
        reading(fld("temperature", "double", default=0.0)),
        True,
        True,
        "When both names carry defaults, each side fills the missing field from its default.",
    ),
    Case(
        "rec-reorder-fields",
        reading(fld("ts", "long"), fld("temp", "double")),
        reading(fld("temp", "double"), fld("ts", "long")),
        True,
        True,
        "Fields are matched by name, so their order does not matter.",
    ),
    Case(
        "rec-add-nullable-field-null-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("note", ["null", "string"], default=None)),
        True,
        True,
        "The idiomatic optional field has a null default and is FULL-safe.",
    ),
    Case(
        "rec-add-required-field-to-empty-record",
        reading(),
        reading(fld("ts", "long")),
        False,
        True,
        "An empty writer record cannot supply a required reader field.",
    ),
    Case(
        "rec-remove-only-field",
        reading(fld("ts", "long")),
        reading(),
        True,
        False,
        "An empty reader record reads anything; the old reader still needs ts.",
    ),
    Case(
        "rec-field-int-to-long",
        reading(fld("count", "int")),
        reading(fld("count", "long")),
        True,
        False,
        "Field types follow the primitive promotion rules.",
    ),
    Case(
        "rec-field-long-to-int",
        reading(fld("count", "long")),
        reading(fld("count", "int")),
        False,
        True,
        "Narrowing a field type breaks new readers of old data.",
    ),
    Case(
        "rec-field-string-to-bytes",
        reading(fld("payload", "string")),
        reading(fld("payload", "bytes")),
        True,
        True,
        "string and bytes fields are interchangeable in both directions.",
    ),
    Case(
        "rec-field-int-to-string",
        reading(fld("count", "int")),
        reading(fld("count", "string")),
        False,
        False,
        "int and string fields cannot be converted either way.",
    ),
    Case(
        "rec-field-float-to-double",
        reading(fld("temp", "float")),
        reading(fld("temp", "double")),
        True,
        False,
        "float widens to double, never the other way.",
    ),
    Case(
        "rec-field-type-change-defaults-do-not-help",
        reading(fld("count", "int", default=0)),
        reading(fld("count", "string", default="")),
        False,
        False,
        "Defaults only apply to missing fields, not to fields of an unreadable type.",
    ),
    Case(
        "rec-add-two-fields-one-without-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("site", "string", default=""), fld("rssi", "int")),
        False,
        True,
        "One required addition is enough to break new readers.",
    ),
    Case(
        "rec-replace-required-field-with-defaulted-field",
        reading(fld("ts", "long"), fld("site", "string")),
        reading(fld("ts", "long"), fld("site_id", "int", default=0)),
        True,
        False,
        "The new field has a default but the dropped one had none.",
    ),
    Case(
        "rec-nested-add-field-with-default",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", LOCATION_ALT_DEFAULT)),
        True,
        True,
        "Field rules apply recursively inside nested records.",
    ),
    Case(
        "rec-nested-add-field-without-default",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", LOCATION_ALT_REQUIRED)),
        False,
        True,
        "A required field added to a nested record breaks new readers.",
    ),
    Case(
        "rec-nested-remove-field-without-default",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", LOCATION_LAT_ONLY)),
        True,
        False,
        "Old readers still need lon inside the nested record.",
    ),
    Case(
        "rec-nested-field-promotion",
        reading(fld("loc", rec("Location", fld("lat", "float")))),
        reading(fld("loc", rec("Location", fld("lat", "double")))),
        True,
        False,
        "Promotions apply to fields of nested records.",
    ),
    Case(
        "rec-three-levels-deep-required-field",
        reading(fld("a", rec("A", fld("b", rec("B", fld("c", rec("C", fld("x", "int")))))))),
        reading(
            fld(
                "a",
                rec("A", fld("b", rec("B", fld("c", rec("C", fld("x", "int"), fld("y", "int")))))),
            )
        ),
        False,
        True,
        "The checker recurses to any depth.",
    ),
    Case(
        "rec-in-array-add-field-with-default",
        reading(fld("points", array(LOCATION))),
        reading(fld("points", array(LOCATION_ALT_DEFAULT))),
        True,
        True,
        "Array items are checked with the record rules.",
    ),
    Case(
        "rec-in-array-add-field-without-default",
        reading(fld("points", array(LOCATION))),
        reading(fld("points", array(LOCATION_ALT_REQUIRED))),
        False,
        True,
        "A required field added to array items breaks new readers.",
    ),
    Case(
        "rec-in-map-add-field-without-default",
        reading(fld("by_sensor", amap(LOCATION))),
        reading(fld("by_sensor", amap(LOCATION_ALT_REQUIRED))),
        False,
        True,
        "Map values are checked with the record rules.",
    ),
    Case(
        "rec-in-map-remove-field-without-default",
        reading(fld("by_sensor", amap(LOCATION))),
        reading(fld("by_sensor", amap(LOCATION_LAT_ONLY))),
        True,
        False,
        "Old readers of the map values still need lon.",
    ),
    Case(
        "rec-field-record-to-string",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", "string")),
        False,
        False,
        "A record and a string never resolve.",
    ),
    Case(
        "rec-record-to-int",
        reading(fld("ts", "long")),
        "int",
        False,
        False,
        "A record and a primitive never resolve.",
    ),
    Case(
        "rec-add-enum-field-with-type-default-only",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("state", enum("State", ["OK", "FAULT"], default="OK"))),
        False,
        True,
        "Java compares a missing enum field with a type-level default against the whole writer"
        " record, a TYPE_MISMATCH.",
    ),
    Case(
        "rec-add-enum-field-with-field-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("state", enum("State", ["OK", "FAULT"]), default="OK")),
        True,
        True,
        "A field-level default makes a new enum field optional.",
    ),
    Case(
        "rec-add-enum-field-with-both-defaults",
        reading(fld("ts", "long")),
        reading(
            fld("ts", "long"),
            fld("state", enum("State", ["OK", "FAULT"], default="FAULT"), default="OK"),
        ),
        True,
        True,
        "With a field default present the type-level default is irrelevant.",
    ),
    Case(
        "rec-add-array-field-empty-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("tags", array("string"), default=[])),
        True,
        True,
        "An empty-list default makes a new array field optional.",
    ),
    Case(
        "rec-add-map-field-empty-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("labels", amap("string"), default={})),
        True,
        True,
        "An empty-object default makes a new map field optional.",
    ),
    Case(
        "rec-add-record-field-with-object-default",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("loc", LOCATION, default={"lat": 0.0, "lon": 0.0})),
        True,
        True,
        "A record-typed field with an object default is optional.",
    ),
    Case(
        "rec-named-reference-gains-optional-field",
        reading(fld("home", LOCATION), fld("work", "Location")),
        reading(fld("home", LOCATION_ALT_DEFAULT), fld("work", "Location")),
        True,
        True,
        "A type referenced by name is the same definition at every use site.",
    ),
    Case(
        "rec-named-reference-gains-required-field",
        reading(fld("home", LOCATION), fld("work", "Location")),
        reading(fld("home", LOCATION_ALT_REQUIRED), fld("work", "Location")),
        False,
        True,
        "A required field added to a type used twice breaks new readers.",
    ),
    Case(
        "rec-lenient-old-invalid-default-removed",
        reading(fld("ts", "long"), fld("site", "string", default=None)),
        reading(fld("ts", "long")),
        True,
        True,
        "The stored schema's invalid default still loads leniently and still counts as a"
        " default for the old reader.",
    ),
    Case(
        "rec-lenient-old-invalid-int-default",
        reading(fld("count", "int", default="0")),
        reading(fld("count", "int")),
        True,
        True,
        'A stored schema with an int default of "0" still loads, and the field exists on'
        " both sides.",
    ),
]


# --------------------------------------------------------------------------------------------
# 3. Field aliases: the reader's aliases are consulted, the writer's never are.
# --------------------------------------------------------------------------------------------

_FIELD_ALIAS_CASES = [
    Case(
        "alias-rename-field-with-alias",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double", aliases=["temp"])),
        True,
        False,
        "The new reader finds temp through its alias; the old reader has no alias for temperature.",
    ),
    Case(
        "alias-rename-field-with-alias-old-had-default",
        reading(fld("temp", "double", default=0.0)),
        reading(fld("temperature", "double", aliases=["temp"])),
        True,
        True,
        "The old reader falls back to its default for temp.",
    ),
    Case(
        "alias-rename-field-with-alias-new-has-default",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double", aliases=["temp"], default=0.0)),
        True,
        False,
        "A default on the new field does not help old readers that require temp.",
    ),
    Case(
        "alias-one-of-several-aliases-matches",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double", aliases=["t", "temp", "tmp"])),
        True,
        False,
        "It is enough that one reader alias matches a writer field.",
    ),
    Case(
        "alias-ambiguous-two-writer-fields",
        reading(fld("a", "int"), fld("b", "int")),
        reading(fld("c", "int", aliases=["a", "b"])),
        False,
        False,
        "Java throws when a reader field's aliases match two writer fields, which Confluent"
        " reports as incompatible.",
    ),
    Case(
        "alias-ambiguous-direct-name-plus-alias",
        reading(fld("a", "int", default=0), fld("b", "int")),
        reading(fld("b", "int", aliases=["a"])),
        False,
        True,
        "The reader field b matches writer b by name and writer a by alias, so Java throws.",
    ),
    Case(
        "alias-equal-to-own-name",
        reading(fld("temp", "double")),
        reading(fld("temp", "double", aliases=["temp"])),
        False,
        True,
        "Java collects the direct match and the alias match as two hits on the same writer field"
        " and throws.",
    ),
    Case(
        "alias-two-reader-fields-share-one-writer-field",
        reading(fld("temp", "double")),
        reading(fld("temp", "double"), fld("temperature", "double", aliases=["temp"])),
        True,
        True,
        "Two reader fields may both be filled from the same writer field; only one reader field"
        " matching two writer fields is ambiguous.",
    ),
    Case(
        "alias-matches-no-writer-field",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("site", "string", aliases=["location"], default="")),
        True,
        True,
        "An alias that matches nothing is harmless; the default fills the field.",
    ),
    Case(
        "alias-writer-side-alias-ignored",
        reading(fld("temperature", "double", aliases=["temp"])),
        reading(fld("temp", "double")),
        False,
        True,
        "Aliases on the writer are never consulted; only the old reader's alias helps.",
    ),
    Case(
        "alias-on-nested-record-field",
        reading(fld("loc", rec("Location", fld("latitude", "double")))),
        reading(fld("loc", rec("Location", fld("lat", "double", aliases=["latitude"])))),
        True,
        False,
        "Field aliases work at any nesting depth.",
    ),
    Case(
        "alias-rename-with-promotion",
        reading(fld("temp", "int")),
        reading(fld("temperature", "long", aliases=["temp"])),
        True,
        False,
        "The aliased field is then checked with the promotion rules.",
    ),
    Case(
        "alias-rename-with-narrowing",
        reading(fld("temp", "long")),
        reading(fld("temperature", "int", aliases=["temp"])),
        False,
        False,
        "An alias match still needs readable types.",
    ),
]


# --------------------------------------------------------------------------------------------
# 4. Names, record aliases and namespaces.
#    Named types match by UNQUALIFIED name, or when a reader alias (resolved against the reader's
#    namespace) equals the writer's FULL name.
# --------------------------------------------------------------------------------------------

_NAME_CASES = [
    Case(
        "name-rename-record-no-alias",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS),
        False,
        False,
        "Different unqualified names without an alias are a NAME_MISMATCH both ways.",
    ),
    Case(
        "name-rename-record-full-alias",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=[f"{NS}.Reading"]),
        True,
        False,
        "A fully qualified reader alias equal to the writer's full name resolves the rename.",
    ),
    Case(
        "name-rename-record-short-alias-same-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=["Reading"]),
        True,
        False,
        "Java resolves the short alias against the reader's namespace, giving the writer's full"
        " name.",
    ),
    Case(
        "name-rename-record-short-alias-dotted-name",
        rec("com.acme.iot.Reading", fld("ts", "long")),
        rec("com.acme.iot.Measurement", fld("ts", "long"), aliases=["Reading"]),
        True,
        False,
        "A namespace given in a dotted name is the namespace short aliases resolve against.",
    ),
    Case(
        "name-short-alias-other-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace="org.other", aliases=["Reading"]),
        False,
        False,
        "The short alias resolves to org.other.Reading, which is not the writer's full name.",
    ),
    Case(
        "name-full-alias-other-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace="org.other", aliases=[f"{NS}.Reading"]),
        True,
        False,
        "A fully qualified alias bridges a rename across namespaces.",
    ),
    Case(
        "name-short-alias-writer-without-namespace",
        rec("Reading", fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=["Reading"]),
        False,
        False,
        "Java resolves the alias to com.acme.iot.Reading, which is not the writer's full name"
        " 'Reading'.",
    ),
    Case(
        "name-short-alias-reader-without-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), aliases=["Reading"]),
        False,
        False,
        "A reader without namespace resolves the alias to 'Reading', not com.acme.iot.Reading.",
    ),
    Case(
        "name-dot-prefixed-alias-to-null-namespace",
        rec("Reading", fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=[".Reading"]),
        True,
        False,
        "In Java a leading dot puts the alias in the null namespace, matching the writer"
        " 'Reading'.",
    ),
    Case(
        "name-namespace-only-change",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), namespace="com.acme.iot.v2"),
        True,
        True,
        "Named types match by unqualified name, so a namespace change is compatible.",
    ),
    Case(
        "name-namespace-added",
        rec("Reading", fld("ts", "long")),
        reading(fld("ts", "long")),
        True,
        True,
        "Adding a namespace keeps the unqualified name.",
    ),
    Case(
        "name-dotted-name-vs-namespace-attribute",
        rec("com.acme.iot.Reading", fld("ts", "long")),
        reading(fld("ts", "long")),
        True,
        True,
        "A dotted name and a namespace attribute spell the same full name.",
    ),
    Case(
        "name-nested-type-inherits-changed-namespace",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", LOCATION), namespace="com.acme.iot.v2"),
        True,
        True,
        "The nested Location moves namespace with its parent but keeps its unqualified name.",
    ),
    Case(
        "name-nested-record-renamed-no-alias",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", rec("Position", fld("lat", "double"), fld("lon", "double")))),
        False,
        False,
        "Renaming a nested record without alias is a NAME_MISMATCH.",
    ),
    Case(
        "name-nested-record-renamed-short-alias",
        reading(fld("loc", LOCATION)),
        reading(
            fld(
                "loc",
                rec("Position", fld("lat", "double"), fld("lon", "double"), aliases=["Location"]),
            )
        ),
        True,
        False,
        "The nested alias resolves in the inherited namespace com.acme.iot.",
    ),
    Case(
        "name-enum-renamed-no-alias",
        reading(fld("state", enum("State", ["OK", "FAULT"]))),
        reading(fld("state", enum("Status", ["OK", "FAULT"]))),
        False,
        False,
        "Enums are named types and need matching names.",
    ),
    Case(
        "name-enum-renamed-short-alias",
        reading(fld("state", enum("State", ["OK", "FAULT"]))),
        reading(fld("state", enum("Status", ["OK", "FAULT"], aliases=["State"]))),
        True,
        False,
        "The enum's short alias resolves to com.acme.iot.State, the writer's full name.",
    ),
    Case(
        "name-fixed-renamed-no-alias",
        reading(fld("mac", fixed("Mac", 6))),
        reading(fld("mac", fixed("MacAddress", 6))),
        False,
        False,
        "Fixed types are named types and need matching names.",
    ),
    Case(
        "name-fixed-renamed-full-alias",
        reading(fld("mac", fixed("Mac", 6))),
        reading(fld("mac", fixed("MacAddress", 6, aliases=[f"{NS}.Mac"]))),
        True,
        False,
        "A fully qualified alias resolves a fixed rename.",
    ),
    Case(
        "name-alias-only-on-old-schema",
        rec("Measurement", fld("ts", "long"), aliases=["Reading"]),
        rec("Reading", fld("ts", "long")),
        False,
        True,
        "Only the reader's aliases count, so the old schema's alias helps FORWARD only.",
    ),
    Case(
        "name-case-change",
        reading(fld("ts", "long")),
        rec("reading", fld("ts", "long"), namespace=NS),
        False,
        False,
        "Avro names are case-sensitive.",
    ),
]


# --------------------------------------------------------------------------------------------
# 5. Enums: the reader must know every writer symbol unless the READER enum has a type-level
#    default. Field-level defaults never help.
# --------------------------------------------------------------------------------------------


def _state_field(symbols: list[str], **enum_attrs: object) -> dict[str, Any]:
    return fld("state", enum("State", symbols, **enum_attrs))


_ENUM_CASES = [
    Case(
        "enum-add-symbol-no-default",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        True,
        False,
        "Old readers cannot decode the new symbol OFFLINE.",
    ),
    Case(
        "enum-remove-symbol-no-default",
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        reading(_state_field(["OK", "FAULT"])),
        False,
        True,
        "New readers cannot decode old OFFLINE data.",
    ),
    Case(
        "enum-add-symbol-old-has-default",
        reading(_state_field(["OK", "FAULT"], default="OK")),
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OK")),
        True,
        True,
        "The old reader's type-level default absorbs the unknown symbol.",
    ),
    Case(
        "enum-remove-symbol-new-has-default",
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        reading(_state_field(["OK", "FAULT"], default="OK")),
        True,
        True,
        "The new reader's type-level default absorbs old OFFLINE data.",
    ),
    Case(
        "enum-add-symbol-only-new-has-default",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OK")),
        True,
        False,
        "A default added together with the symbol is too late for old readers.",
    ),
    Case(
        "enum-add-symbol-field-default-only",
        reading(fld("state", enum("State", ["OK", "FAULT"]), default="OK")),
        reading(fld("state", enum("State", ["OK", "FAULT", "OFFLINE"]), default="OK")),
        True,
        False,
        "A field-level default is not an enum default.",
    ),
    Case(
        "enum-default-does-not-excuse-rename",
        reading(_state_field(["OK", "FAULT"])),
        reading(fld("state", enum("Status", ["OK", "FAULT", "OFFLINE"], default="OK"))),
        False,
        False,
        "A type-level default covers unknown symbols, not a different enum name.",
    ),
    Case(
        "enum-reorder-symbols",
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        reading(_state_field(["OFFLINE", "OK", "FAULT"])),
        True,
        True,
        "Symbols are resolved by name, not by ordinal.",
    ),
    Case(
        "enum-replace-symbol",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "ERROR"])),
        False,
        False,
        "Each side lacks one of the other side's symbols.",
    ),
    Case(
        "enum-replace-symbol-both-defaults",
        reading(_state_field(["OK", "FAULT"], default="OK")),
        reading(_state_field(["OK", "ERROR"], default="OK")),
        True,
        True,
        "Both readers have a type-level default for unknown symbols.",
    ),
    Case(
        "enum-add-default-only",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "FAULT"], default="OK")),
        True,
        True,
        "Adding a type-level default changes no symbols.",
    ),
    Case(
        "enum-remove-default-only",
        reading(_state_field(["OK", "FAULT"], default="OK")),
        reading(_state_field(["OK", "FAULT"])),
        True,
        True,
        "Removing a type-level default changes no symbols.",
    ),
    Case(
        "enum-change-default-symbol",
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OK")),
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OFFLINE")),
        True,
        True,
        "Which symbol is the default does not affect the verdict.",
    ),
    Case(
        "enum-in-array-add-symbol",
        reading(fld("states", array(enum("State", ["OK", "FAULT"])))),
        reading(fld("states", array(enum("State", ["OK", "FAULT", "OFFLINE"])))),
        True,
        False,
        "Enum rules apply to array items.",
    ),
    Case(
        "enum-in-map-remove-symbol",
        reading(fld("states", amap(enum("State", ["OK", "FAULT", "OFFLINE"])))),
        reading(fld("states", amap(enum("State", ["OK", "FAULT"])))),
        False,
        True,
        "Enum rules apply to map values.",
    ),
    Case(
        "enum-symbol-case-change",
        reading(_state_field(["ON", "OFF"])),
        reading(_state_field(["on", "off"])),
        False,
        False,
        "Enum symbols are case-sensitive.",
    ),
    Case(
        "enum-to-string",
        reading(_state_field(["OK", "FAULT"])),
        reading(fld("state", "string")),
        False,
        False,
        "There is no promotion between enum and string.",
    ),
    Case(
        "enum-top-level-add-symbol",
        enum("State", ["OK", "FAULT"], namespace=NS),
        enum("State", ["OK", "FAULT", "OFFLINE"], namespace=NS),
        True,
        False,
        "A top-level enum follows the same symbol rule.",
    ),
]


# --------------------------------------------------------------------------------------------
# 6. Fixed: name and size must match; no promotion to or from bytes.
# --------------------------------------------------------------------------------------------

_FIXED_CASES = [
    Case(
        "fixed-identical",
        fixed("Mac", 6, namespace=NS),
        fixed("Mac", 6, namespace=NS),
        True,
        True,
        "Same name and size resolve.",
    ),
    Case(
        "fixed-size-grows",
        fixed("Mac", 6, namespace=NS),
        fixed("Mac", 8, namespace=NS),
        False,
        False,
        "Fixed sizes must be equal in both directions.",
    ),
    Case(
        "fixed-size-shrinks",
        reading(fld("mac", fixed("Mac", 8))),
        reading(fld("mac", fixed("Mac", 6))),
        False,
        False,
        "A size change inside a record field is a FIXED_SIZE_MISMATCH.",
    ),
    Case(
        "fixed-to-bytes",
        reading(fld("mac", fixed("Mac", 6))),
        reading(fld("mac", "bytes")),
        False,
        False,
        "fixed does not promote to bytes or back.",
    ),
    Case(
        "fixed-namespace-change",
        fixed("Mac", 6, namespace=NS),
        fixed("Mac", 6, namespace="com.acme.net"),
        True,
        True,
        "Fixed names compare unqualified, like records.",
    ),
]


# --------------------------------------------------------------------------------------------
# 7. Unions: every writer branch must be readable; a reader union accepts a non-union writer
#    when some branch accepts it.
# --------------------------------------------------------------------------------------------

ENVELOPE_OLD_READING = rec("Reading", fld("ts", "long"))
ENVELOPE_READING_REQUIRED = rec("Reading", fld("ts", "long"), fld("site", "string"))
ENVELOPE_READING_OPTIONAL = rec("Reading", fld("ts", "long"), fld("site", "string", default=""))


def envelope(payload: Schema, **field_attrs: object) -> dict[str, Any]:
    """A wrapper record with a single ``payload`` field."""
    return rec("Envelope", fld("payload", payload, **field_attrs), namespace=NS)


_UNION_CASES = [
    Case(
        "union-make-field-nullable",
        reading(fld("site", "string")),
        reading(fld("site", ["null", "string"], default=None)),
        True,
        False,
        "Old string readers cannot read the null branch: making a field optional is not FULL-safe.",
    ),
    Case(
        "union-make-field-required",
        reading(fld("site", ["null", "string"], default=None)),
        reading(fld("site", "string")),
        False,
        True,
        "A string reader cannot read old nulls.",
    ),
    Case(
        "union-add-branch",
        ["null", "string"],
        ["null", "string", "long"],
        True,
        False,
        "Old readers lack the new long branch.",
    ),
    Case(
        "union-remove-branch",
        ["null", "string", "long"],
        ["null", "string"],
        False,
        True,
        "New readers lack the removed long branch.",
    ),
    Case(
        "union-reorder-branches",
        ["null", "string", "long"],
        ["long", "null", "string"],
        True,
        True,
        "Union branches are matched by type, not position.",
    ),
    Case(
        "union-append-null-branch",
        reading(fld("site", "string", default="")),
        reading(fld("site", ["string", "null"], default="")),
        True,
        False,
        "Appending null keeps the string default valid, but old string readers cannot read null.",
    ),
    Case(
        "union-reorder-with-new-first-branch-default",
        reading(fld("site", ["null", "string"], default=None)),
        reading(fld("site", ["string", "null"], default="")),
        True,
        True,
        "Reordering is compatible when the default is changed to match the new first branch.",
    ),
    Case(
        "union-branch-promotion",
        reading(fld("count", ["null", "int"], default=None)),
        reading(fld("count", ["null", "long"], default=None)),
        True,
        False,
        "A long branch reads int data, an int branch cannot read long data.",
    ),
    Case(
        "union-to-single-type-covering-all-branches",
        ["int", "long"],
        "long",
        True,
        True,
        "long reads both int and long branches, and the old union has a long branch.",
    ),
    Case(
        "union-to-single-type-missing-branch",
        ["int", "string"],
        "int",
        False,
        True,
        "An int reader cannot read the old string branch.",
    ),
    Case(
        "single-type-to-union-via-promotion",
        "int",
        ["null", "long"],
        True,
        False,
        "The long branch reads int data; an int reader cannot read null or long.",
    ),
    Case(
        "union-record-branch-gains-required-field",
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        envelope(["null", ENVELOPE_READING_REQUIRED], default=None),
        False,
        True,
        "A record inside a union is checked like any record (Confluent missed this before 6.0.2).",
    ),
    Case(
        "union-record-branch-gains-optional-field",
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        envelope(["null", ENVELOPE_READING_OPTIONAL], default=None),
        True,
        True,
        "An optional field in a union's record branch is FULL-safe.",
    ),
    Case(
        "union-record-branch-loses-required-field",
        envelope(["null", ENVELOPE_READING_REQUIRED], default=None),
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        True,
        False,
        "Old readers need site in the record branch.",
    ),
    Case(
        "union-of-records-add-record",
        [rec("Heartbeat", fld("ts", "long")), rec("Alarm", fld("code", "int"))],
        [
            rec("Heartbeat", fld("ts", "long")),
            rec("Alarm", fld("code", "int")),
            rec("Reboot", fld("reason", "string")),
        ],
        True,
        False,
        "Old readers have no branch named Reboot.",
    ),
    Case(
        "union-record-branch-renamed-no-alias",
        envelope(["null", rec("Reading", fld("ts", "long"))], default=None),
        envelope(["null", rec("Measurement", fld("ts", "long"))], default=None),
        False,
        False,
        "A renamed record branch matches no branch on the other side.",
    ),
    Case(
        "union-record-branch-renamed-with-alias",
        envelope(["null", rec("Reading", fld("ts", "long"))], default=None),
        envelope(
            ["null", rec("Measurement", fld("ts", "long"), aliases=[f"{NS}.Reading"])],
            default=None,
        ),
        True,
        False,
        "The alias lets the new branch read the old one.",
    ),
    Case(
        "union-singleton-to-bare-type",
        ["int"],
        "int",
        True,
        True,
        "A singleton union and its only type read each other.",
    ),
    Case(
        "union-bare-type-to-singleton",
        "string",
        ["string"],
        True,
        True,
        "A bare type and a singleton union of it read each other.",
    ),
    Case(
        "union-enum-branch-add-symbol",
        ["null", enum("State", ["OK", "FAULT"], namespace=NS)],
        ["null", enum("State", ["OK", "FAULT", "OFFLINE"], namespace=NS)],
        True,
        False,
        "Enum rules apply inside union branches.",
    ),
    Case(
        "union-array-branch-items-promoted",
        ["null", array("int")],
        ["null", array("long")],
        True,
        False,
        "Array items inside a union branch follow the promotion rules.",
    ),
    Case(
        "union-map-branch-to-array-branch",
        ["null", amap("int")],
        ["null", array("int")],
        False,
        False,
        "A map branch and an array branch never resolve.",
    ),
    Case(
        "record-to-nullable-record",
        envelope(ENVELOPE_OLD_READING),
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        True,
        False,
        "Old readers of the bare record cannot read null.",
    ),
    Case(
        "nullable-record-to-record",
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        envelope(ENVELOPE_OLD_READING),
        False,
        True,
        "A bare record reader cannot read old nulls.",
    ),
    Case(
        "union-string-branch-to-bytes-branch",
        ["null", "string"],
        ["null", "bytes"],
        True,
        True,
        "string and bytes branches read each other.",
    ),
    Case(
        "union-int-branch-to-float-branch",
        ["int", "string"],
        ["float", "string"],
        True,
        False,
        "The float branch reads int data; no old branch reads float.",
    ),
    Case(
        "union-fixed-branch-size-change",
        ["null", fixed("Mac", 6, namespace=NS)],
        ["null", fixed("Mac", 8, namespace=NS)],
        False,
        False,
        "A fixed branch with another size matches no branch.",
    ),
    Case(
        "union-to-double-reads-all-numeric-branches",
        ["int", "long", "float"],
        "double",
        True,
        False,
        "double reads int, long and float, but no old branch reads double.",
    ),
]


# --------------------------------------------------------------------------------------------
# 8. Arrays and maps.
# --------------------------------------------------------------------------------------------

_COLLECTION_CASES = [
    Case(
        "array-items-int-to-long",
        array("int"),
        array("long"),
        True,
        False,
        "Array items follow the promotion rules.",
    ),
    Case(
        "array-items-long-to-int",
        array("long"),
        array("int"),
        False,
        True,
        "Narrowing array items breaks new readers.",
    ),
    Case(
        "array-items-string-to-bytes",
        array("string"),
        array("bytes"),
        True,
        True,
        "string and bytes items read each other.",
    ),
    Case(
        "array-items-int-to-string",
        reading(fld("samples", array("int"))),
        reading(fld("samples", array("string"))),
        False,
        False,
        "int and string items never resolve.",
    ),
    Case(
        "map-values-int-to-long",
        amap("int"),
        amap("long"),
        True,
        False,
        "Map values follow the promotion rules.",
    ),
    Case(
        "map-values-float-to-double",
        reading(fld("gauges", amap("float"))),
        reading(fld("gauges", amap("double"))),
        True,
        False,
        "Map values widen from float to double.",
    ),
    Case(
        "map-to-array",
        amap("int"),
        array("int"),
        False,
        False,
        "A map and an array never resolve.",
    ),
    Case(
        "array-to-map",
        reading(fld("samples", array("double"))),
        reading(fld("samples", amap("double"))),
        False,
        False,
        "An array and a map never resolve.",
    ),
    Case(
        "array-to-its-item-type",
        array("int"),
        "int",
        False,
        False,
        "An array is not readable as its item type.",
    ),
    Case(
        "array-of-arrays-promotion",
        array(array("int")),
        array(array("double")),
        True,
        False,
        "Promotion applies to nested array items.",
    ),
    Case(
        "map-of-arrays-promotion",
        amap(array("float")),
        amap(array("double")),
        True,
        False,
        "Promotion applies to arrays nested in maps.",
    ),
    Case(
        "array-items-made-nullable",
        array("string"),
        array(["null", "string"]),
        True,
        False,
        "Nullable items read old strings; old readers cannot read null items.",
    ),
]


# --------------------------------------------------------------------------------------------
# 9. Recursive types: the checker must terminate and treat a pair under evaluation as compatible.
# --------------------------------------------------------------------------------------------


def linked_list(
    value_type: str = "int", *extra: dict[str, Any], name: str = "Node", **attrs: object
) -> dict[str, Any]:
    """A singly linked list ``Node`` with an optional ``next`` pointer."""
    return rec(
        name,
        fld("value", value_type),
        *extra,
        fld("next", ["null", name], default=None),
        namespace=NS,
        **attrs,
    )


def tree(*extra: dict[str, Any]) -> dict[str, Any]:
    """A ``Tree`` whose children are an array of ``Tree``."""
    return rec(
        "Tree",
        fld("label", "string"),
        *extra,
        fld("children", array("Tree"), default=[]),
        namespace=NS,
    )


_RECURSIVE_CASES = [
    Case(
        "recursive-list-identical",
        linked_list(),
        linked_list(),
        True,
        True,
        "A self-referencing record is compatible with itself and the check terminates.",
    ),
    Case(
        "recursive-list-value-int-to-long",
        linked_list("int"),
        linked_list("long"),
        True,
        False,
        "Promotion is checked through the recursion.",
    ),
    Case(
        "recursive-list-add-field-with-default",
        linked_list("int"),
        linked_list("int", fld("weight", "double", default=1.0)),
        True,
        True,
        "An optional field in a recursive record is FULL-safe.",
    ),
    Case(
        "recursive-list-add-field-without-default",
        linked_list("int"),
        linked_list("int", fld("weight", "double")),
        False,
        True,
        "A required field in a recursive record breaks new readers.",
    ),
    Case(
        "recursive-list-drop-next-pointer",
        linked_list("int"),
        rec("Node", fld("value", "int"), namespace=NS),
        True,
        True,
        "The dropped next pointer had a null default, so old readers still work.",
    ),
    Case(
        "recursive-tree-add-field-with-default",
        tree(),
        tree(fld("weight", "double", default=0.0)),
        True,
        True,
        "Recursion through an array of itself terminates.",
    ),
    Case(
        "recursive-tree-remove-field-without-default",
        tree(fld("kind", "string")),
        tree(),
        True,
        False,
        "Old readers of the tree still need kind.",
    ),
    Case(
        "recursive-list-renamed-with-alias",
        linked_list("int"),
        linked_list("int", name="LinkedNode", aliases=[f"{NS}.Node"]),
        True,
        False,
        "The alias resolves the rename at every level of the recursion.",
    ),
    Case(
        "recursive-mutual-records-promotion",
        rec(
            "Device",
            fld("id", "int"),
            fld(
                "gateway",
                [
                    "null",
                    rec(
                        "Gateway", fld("id", "int"), fld("parent", ["null", "Device"], default=None)
                    ),
                ],
                default=None,
            ),
            namespace=NS,
        ),
        rec(
            "Device",
            fld("id", "long"),
            fld(
                "gateway",
                [
                    "null",
                    rec(
                        "Gateway",
                        fld("id", "long"),
                        fld("parent", ["null", "Device"], default=None),
                    ),
                ],
                default=None,
            ),
            namespace=NS,
        ),
        True,
        False,
        "Mutually recursive records are checked without looping.",
    ),
]


# --------------------------------------------------------------------------------------------
# 10. Logical types: ignored by the verdict, which follows the underlying type.
# --------------------------------------------------------------------------------------------

_LOGICAL_CASES = [
    Case(
        "logical-timestamp-millis-to-micros",
        reading(fld("ts", logical("long", "timestamp-millis"))),
        reading(fld("ts", logical("long", "timestamp-micros"))),
        True,
        True,
        "Both are longs on the wire; the 1000x unit change is invisible to the checker.",
    ),
    Case(
        "logical-decimal-scale-change",
        reading(fld("price", logical("bytes", "decimal", precision=10, scale=2))),
        reading(fld("price", logical("bytes", "decimal", precision=10, scale=4))),
        True,
        True,
        "Decimal precision and scale are not checked.",
    ),
    Case(
        "logical-type-added",
        reading(fld("ts", "long")),
        reading(fld("ts", logical("long", "timestamp-millis"))),
        True,
        True,
        "Annotating a long with a logical type keeps it a long.",
    ),
    Case(
        "logical-type-removed",
        reading(fld("id", logical("string", "uuid"))),
        reading(fld("id", "string")),
        True,
        True,
        "Dropping a logical type keeps the underlying string.",
    ),
    Case(
        "logical-date-to-timestamp",
        reading(fld("day", logical("int", "date"))),
        reading(fld("day", logical("long", "timestamp-millis"))),
        True,
        False,
        "The verdict is that of int -> long.",
    ),
    Case(
        "logical-time-millis-to-time-micros",
        reading(fld("at", logical("int", "time-millis"))),
        reading(fld("at", logical("long", "time-micros"))),
        True,
        False,
        "time-millis is an int and time-micros a long, so this is int -> long.",
    ),
    Case(
        "logical-decimal-bytes-to-fixed",
        reading(fld("price", logical("bytes", "decimal", precision=10, scale=2))),
        reading(
            fld("price", fixed("Price", 8, logicalType="decimal", precision=10, scale=2)),
        ),
        False,
        False,
        "A bytes decimal and a fixed decimal differ in their underlying types.",
    ),
    Case(
        "logical-unknown-logical-type",
        reading(fld("temp", "double")),
        reading(fld("temp", logical("double", "celsius"))),
        True,
        True,
        "Unknown logical types are ignored.",
    ),
    Case(
        "logical-fixed-decimal-precision-change",
        reading(fld("price", fixed("Price", 8, logicalType="decimal", precision=10, scale=2))),
        reading(fld("price", fixed("Price", 8, logicalType="decimal", precision=12, scale=2))),
        True,
        True,
        "Only the fixed name and size matter.",
    ),
]


# --------------------------------------------------------------------------------------------
# 11. Changes that do not affect the verdict: doc, order, default values, custom properties.
# --------------------------------------------------------------------------------------------

_COSMETIC_CASES = [
    Case(
        "doc-record-doc-changed",
        reading(fld("ts", "long"), doc="A reading."),
        reading(fld("ts", "long"), doc="One telemetry reading from a device."),
        True,
        True,
        "doc is ignored by the checker.",
    ),
    Case(
        "doc-field-doc-added",
        reading(fld("ts", "long")),
        reading(fld("ts", "long", doc="Epoch milliseconds.")),
        True,
        True,
        "Field docs are ignored by the checker.",
    ),
    Case(
        "order-field-order-changed",
        reading(fld("ts", "long")),
        reading(fld("ts", "long", order="descending")),
        True,
        True,
        "Sort order is ignored by the checker.",
    ),
    Case(
        "default-value-changed",
        reading(fld("ts", "long"), fld("interval", "int", default=60)),
        reading(fld("ts", "long"), fld("interval", "int", default=30)),
        True,
        True,
        "Default values are not compared when both sides have the field.",
    ),
    Case(
        "default-removed-field-kept",
        reading(fld("ts", "long"), fld("interval", "int", default=60)),
        reading(fld("ts", "long"), fld("interval", "int")),
        True,
        True,
        "A default only matters when the field is missing on the writer side.",
    ),
    Case(
        "default-added-field-kept",
        reading(fld("ts", "long"), fld("interval", "int")),
        reading(fld("ts", "long"), fld("interval", "int", default=60)),
        True,
        True,
        "Adding a default to an existing field is compatible.",
    ),
    Case(
        "custom-properties-added",
        reading(fld("temp", "double")),
        reading(fld("temp", "double", unit="celsius"), owner="iot-team"),
        True,
        True,
        "Custom properties are ignored by the checker.",
    ),
    Case(
        "enum-doc-changed",
        reading(
            fld("state", enum("State", ["OK", "FAULT"], doc="Device state.")),
        ),
        reading(fld("state", enum("State", ["OK", "FAULT"], doc="Health of the device."))),
        True,
        True,
        "Enum docs are ignored by the checker.",
    ),
    Case(
        "record-aliases-added-same-name",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), aliases=["Sample"]),
        True,
        True,
        "Extra record aliases do not matter when the names already match.",
    ),
    Case(
        "field-aliases-added-matching-nothing",
        reading(fld("temp", "double")),
        reading(fld("temp", "double", aliases=["legacy_temperature"])),
        True,
        True,
        "A field alias that matches no writer field changes nothing.",
    ),
]


CASES: tuple[Case, ...] = tuple(
    _PRIMITIVE_CASES
    + _RECORD_CASES
    + _FIELD_ALIAS_CASES
    + _NAME_CASES
    + _ENUM_CASES
    + _FIXED_CASES
    + _UNION_CASES
    + _COLLECTION_CASES
    + _RECURSIVE_CASES
    + _LOGICAL_CASES
    + _COSMETIC_CASES
)

CASES_BY_ID: dict[str, Case] = {case.id: case for case in CASES}


# Specific findings Java reports for a few cases: (case id, direction) -> (kind, path or None).
# Paths are Java's JSON-pointer locations, relative to the reader schema.
EXPECTED_FINDINGS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("rec-add-field-without-default", "BACKWARD"): (
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "/fields/1",
    ),
    ("rec-remove-field-without-default", "FORWARD"): (
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "/fields/1",
    ),
    ("rec-field-int-to-string", "BACKWARD"): ("TYPE_MISMATCH", "/fields/0/type"),
    ("rec-nested-add-field-without-default", "BACKWARD"): (
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "/fields/0/type/fields/2",
    ),
    ("rec-add-enum-field-with-type-default-only", "BACKWARD"): ("TYPE_MISMATCH", "/fields/1/type"),
    ("prim-int-to-string", "BACKWARD"): ("TYPE_MISMATCH", "/"),
    ("prim-int-to-long", "FORWARD"): ("TYPE_MISMATCH", "/"),
    ("alias-ambiguous-two-writer-fields", "BACKWARD"): ("AMBIGUOUS_ALIAS", None),
    ("alias-ambiguous-direct-name-plus-alias", "BACKWARD"): ("AMBIGUOUS_ALIAS", None),
    ("alias-equal-to-own-name", "BACKWARD"): ("AMBIGUOUS_ALIAS", None),
    ("name-rename-record-no-alias", "BACKWARD"): ("NAME_MISMATCH", "/name"),
    ("name-rename-record-full-alias", "FORWARD"): ("NAME_MISMATCH", "/name"),
    ("name-enum-renamed-no-alias", "BACKWARD"): ("NAME_MISMATCH", "/fields/0/type/name"),
    ("enum-remove-symbol-no-default", "BACKWARD"): (
        "MISSING_ENUM_SYMBOLS",
        "/fields/0/type/symbols",
    ),
    ("enum-add-symbol-no-default", "FORWARD"): ("MISSING_ENUM_SYMBOLS", "/fields/0/type/symbols"),
    ("enum-top-level-add-symbol", "FORWARD"): ("MISSING_ENUM_SYMBOLS", "/symbols"),
    ("fixed-size-grows", "BACKWARD"): ("FIXED_SIZE_MISMATCH", "/size"),
    ("fixed-size-shrinks", "FORWARD"): ("FIXED_SIZE_MISMATCH", "/fields/0/type/size"),
    ("union-remove-branch", "BACKWARD"): ("MISSING_UNION_BRANCH", "/2"),
    ("union-add-branch", "FORWARD"): ("MISSING_UNION_BRANCH", "/2"),
    # Java checks each branch of a writer union against a non-union reader with a fresh location
    # stack, so it reports these at "/"; only the kind is pinned here.
    ("union-make-field-nullable", "FORWARD"): ("TYPE_MISMATCH", None),
    ("union-make-field-required", "BACKWARD"): ("TYPE_MISMATCH", None),
    ("union-record-branch-gains-required-field", "BACKWARD"): ("MISSING_UNION_BRANCH", None),
    ("single-type-to-union-via-promotion", "FORWARD"): ("TYPE_MISMATCH", "/"),
    ("array-items-long-to-int", "BACKWARD"): ("TYPE_MISMATCH", "/items"),
    ("map-values-int-to-long", "FORWARD"): ("TYPE_MISMATCH", "/values"),
    ("map-to-array", "BACKWARD"): ("TYPE_MISMATCH", "/"),
}


# --------------------------------------------------------------------------------------------
# 12. Histories: latest-only and transitive levels disagree.
# --------------------------------------------------------------------------------------------

_NONE: frozenset[int] = frozenset()


def breaks(
    *,
    backward: frozenset[int] = _NONE,
    backward_transitive: frozenset[int] = _NONE,
    forward: frozenset[int] = _NONE,
    forward_transitive: frozenset[int] = _NONE,
) -> dict[str, frozenset[int]]:
    """Per-level sets of broken previous versions; FULL levels are the union of both sides."""
    return {
        "BACKWARD": backward,
        "BACKWARD_TRANSITIVE": backward_transitive,
        "FORWARD": forward,
        "FORWARD_TRANSITIVE": forward_transitive,
        "FULL": backward | forward,
        "FULL_TRANSITIVE": backward_transitive | forward_transitive,
        "NONE": _NONE,
    }


TRANSITIVE_CASES: tuple[TransitiveCase, ...] = (
    TransitiveCase(
        "history-drop-default-after-adding-it",
        (
            reading(fld("ts", "long")),
            reading(fld("ts", "long"), fld("site", "string", default="unknown")),
        ),
        reading(fld("ts", "long"), fld("site", "string")),
        breaks(backward_transitive=frozenset({1})),
        "v3 reads v2 data (which has site) but not v1 data, which lacks it (schema-registry #209).",
    ),
    TransitiveCase(
        "history-alias-chain",
        (
            reading(fld("temp", "double")),
            reading(fld("temperature", "double", aliases=["temp"])),
        ),
        reading(fld("celsius", "double", aliases=["temperature"])),
        breaks(
            backward_transitive=frozenset({1}),
            forward=frozenset({2}),
            forward_transitive=frozenset({1, 2}),
        ),
        "Aliases are not transitive: celsius knows temperature but not temp.",
    ),
    TransitiveCase(
        "history-enum-default-added-late",
        (
            reading(fld("state", enum("State", ["OK", "FAULT"]))),
            reading(fld("state", enum("State", ["OK", "FAULT", "OFFLINE"], default="OK"))),
        ),
        reading(fld("state", enum("State", ["OK", "FAULT", "OFFLINE", "REBOOT"], default="OK"))),
        breaks(forward_transitive=frozenset({1})),
        "v2 readers absorb REBOOT through their default; v1 readers have no default.",
    ),
    TransitiveCase(
        "history-field-resurrected-with-other-type",
        (
            reading(fld("ts", "long"), fld("code", "int")),
            reading(fld("ts", "long")),
        ),
        reading(fld("ts", "long"), fld("code", "string", default="")),
        breaks(backward_transitive=frozenset({1}), forward_transitive=frozenset({1})),
        "Re-adding a removed field with another type is fine against v2 but clashes with v1.",
    ),
    TransitiveCase(
        "history-record-rename-chain",
        (
            reading(fld("ts", "long")),
            rec("Measurement", fld("ts", "long"), namespace=NS, aliases=[f"{NS}.Reading"]),
        ),
        rec("Sample", fld("ts", "long"), namespace=NS, aliases=[f"{NS}.Measurement"]),
        breaks(
            backward_transitive=frozenset({1}),
            forward=frozenset({2}),
            forward_transitive=frozenset({1, 2}),
        ),
        "Record aliases are not transitive either.",
    ),
    TransitiveCase(
        "history-break-only-against-latest",
        (
            reading(fld("ts", "long"), fld("site", "string")),
            reading(fld("ts", "long")),
        ),
        reading(fld("ts", "long"), fld("site", "string")),
        breaks(backward=frozenset({2}), backward_transitive=frozenset({2})),
        "Re-adding a required field breaks against v2 only; v1 still had it.",
    ),
    TransitiveCase(
        "history-four-versions-oldest-breaks",
        (
            reading(fld("x", "int")),
            reading(fld("x", "int"), fld("y", "long", default=0)),
            reading(fld("x", "int"), fld("y", "long", default=0), fld("z", "string", default="")),
        ),
        reading(fld("x", "int"), fld("y", "long"), fld("z", "string", default="")),
        breaks(backward_transitive=frozenset({1})),
        "Only v1 lacks y, so only the transitive check against v1 fails.",
    ),
    TransitiveCase(
        "history-widening-chain",
        (
            reading(fld("v", "int")),
            reading(fld("v", "long")),
        ),
        reading(fld("v", "float")),
        breaks(forward=frozenset({2}), forward_transitive=frozenset({1, 2})),
        "float reads long and int, but neither old reader can read float.",
    ),
)


# --------------------------------------------------------------------------------------------
# 13. New schemas Confluent rejects (42201) and accepts.
# --------------------------------------------------------------------------------------------


def _r(*fields: dict[str, Any]) -> dict[str, Any]:
    return rec("Reading", *fields)


INVALID_NEW_CASES: tuple[InvalidCase, ...] = (
    InvalidCase(
        "invalid-string-default-null",
        _r(fld("site", "string", default=None)),
        ("default", "site"),
        True,
        "null is not a valid default for a string field.",
    ),
    InvalidCase(
        "invalid-int-default-string",
        _r(fld("count", "int", default="0")),
        ("default", "count"),
        True,
        "A JSON string is not a valid int default.",
    ),
    InvalidCase(
        "invalid-long-default-fraction",
        _r(fld("ts", "long", default=1.5)),
        ("default", "ts"),
        True,
        "A fractional number is not a valid long default.",
    ),
    InvalidCase(
        "invalid-int-default-overflow",
        _r(fld("count", "int", default=2**31)),
        ("default", "count"),
        True,
        "2**31 does not fit in an int.",
    ),
    InvalidCase(
        "invalid-int-default-float-literal",
        _r(fld("count", "int", default=1.0)),
        ("default", "count"),
        True,
        "Jackson parses 1.0 as a floating-point node, which is not an integral int default.",
    ),
    InvalidCase(
        "invalid-int-default-boolean",
        _r(fld("count", "int", default=True)),
        ("default", "count"),
        True,
        "true is a JSON boolean, not a number, even though Python's bool is an int.",
    ),
    InvalidCase(
        "invalid-boolean-default-string",
        _r(fld("enabled", "boolean", default="true")),
        ("default", "enabled"),
        True,
        "A JSON string is not a valid boolean default.",
    ),
    InvalidCase(
        "invalid-union-default-not-first-branch",
        _r(fld("note", ["string", "null"], default=None)),
        ("default", "note"),
        True,
        "Avro 1.11 requires a union default to match the union's first branch.",
    ),
    InvalidCase(
        "invalid-array-default-not-a-list",
        _r(fld("tags", array("string"), default="none")),
        ("default", "tags"),
        True,
        "An array default must be a JSON array.",
    ),
    InvalidCase(
        "invalid-map-default-wrong-value-type",
        _r(fld("counters", amap("int"), default={"boots": "one"})),
        ("default", "counters"),
        True,
        "Map default values are validated against the value type.",
    ),
    InvalidCase(
        "invalid-record-default-missing-required-field",
        _r(fld("loc", LOCATION, default={"lat": 1.0})),
        ("default", "loc"),
        True,
        "A record default must supply every field that has no default of its own.",
    ),
    InvalidCase(
        "invalid-nested-record-field-default",
        _r(fld("samples", array(rec("Sample", fld("unit", "string", default=None))))),
        ("default", "unit"),
        True,
        "Defaults are validated in nested records too.",
    ),
    InvalidCase(
        "invalid-field-name-hyphen",
        _r(fld("device-id", "string")),
        ("device-id",),
        True,
        "Strict name validation rejects '-' in field names.",
    ),
    InvalidCase(
        "invalid-enum-name-hyphen",
        _r(fld("state", enum("battery-state", ["OK", "LOW"]))),
        ("battery-state",),
        True,
        "Strict name validation applies to named types.",
    ),
    InvalidCase(
        "invalid-enum-symbol-name",
        _r(fld("state", enum("Battery", ["OK", "LOW-BATTERY"]))),
        ("LOW-BATTERY",),
        True,
        "Enum symbols must be valid Avro names under strict validation.",
    ),
    InvalidCase(
        "invalid-enum-default-not-a-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT"], default="UNKNOWN"))),
        ("UNKNOWN",),
        False,
        "An enum's type-level default must be one of its symbols.",
    ),
    InvalidCase(
        "invalid-duplicate-enum-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT", "OK"]))),
        ("OK",),
        False,
        "Enum symbols must be unique.",
    ),
    InvalidCase(
        "invalid-duplicate-field-name",
        _r(fld("temp", "double"), fld("temp", "double")),
        ("temp",),
        False,
        "Field names must be unique within a record.",
    ),
    InvalidCase(
        "invalid-unknown-named-type",
        _r(fld("loc", "com.acme.iot.Location")),
        ("Location",),
        False,
        "A type reference must name a type defined earlier in the schema.",
    ),
    InvalidCase(
        "invalid-record-named-after-primitive",
        _r(fld("inner", rec("long", fld("v", "int")))),
        ("long",),
        False,
        "Named types may not be named after primitive types.",
    ),
    InvalidCase(
        "invalid-nested-union",
        _r(fld("value", ["null", ["int", "string"]], default=None)),
        ("union",),
        False,
        "A union may not directly contain another union.",
    ),
    InvalidCase(
        "invalid-duplicate-union-branch",
        _r(fld("value", ["null", "int", "int"], default=None)),
        ("union", "int"),
        False,
        "A union may not contain the same type twice.",
    ),
)

VALID_NEW_CASES: tuple[ValidCase, ...] = (
    ValidCase(
        "valid-nullable-null-first-default-null",
        _r(fld("note", ["null", "string"], default=None)),
        "null matches the first branch of [null, string].",
    ),
    ValidCase(
        "valid-union-non-null-first-branch-default",
        _r(fld("count", ["int", "null"], default=0)),
        "0 matches the first branch int.",
    ),
    ValidCase(
        "valid-float-default-int-literal",
        _r(fld("ratio", "float", default=1)),
        "Any JSON number is a valid float default.",
    ),
    ValidCase(
        "valid-double-default-int-literal",
        _r(fld("ratio", "double", default=0)),
        "Any JSON number is a valid double default.",
    ),
    ValidCase(
        "valid-long-default-beyond-int-range",
        _r(fld("ts", "long", default=2**31)),
        "2**31 fits in a long.",
    ),
    ValidCase(
        "valid-int-default-minimum",
        _r(fld("count", "int", default=-(2**31))),
        "-2**31 is the smallest int.",
    ),
    ValidCase(
        "valid-record-named-record",
        rec("record", fld("v", "int")),
        "'record' is a type keyword, not a primitive name, so it is a legal record name.",
    ),
    ValidCase(
        "valid-enum-default-is-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT"], default="OK"))),
        "The enum default is one of the symbols.",
    ),
    ValidCase(
        "valid-enum-field-default-is-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT"]), default="FAULT")),
        "A field default naming a symbol is valid.",
    ),
    ValidCase(
        "valid-bytes-default-high-codepoint",
        _r(fld("raw", "bytes", default="\u00ff")),
        "Bytes defaults are strings whose code points 0-255 map to bytes.",
    ),
    ValidCase(
        "valid-fixed-default-string",
        _r(fld("mac", fixed("Mac", 2), default="\u0000\u00ff")),
        "Fixed defaults are strings.",
    ),
    ValidCase(
        "valid-record-default-relies-on-field-default",
        _r(
            fld(
                "loc",
                rec("Location", fld("lat", "double"), fld("lon", "double", default=0.0)),
                default={"lat": 1.5},
            )
        ),
        "A record default may omit fields that have their own default.",
    ),
    ValidCase(
        "valid-array-and-map-empty-defaults",
        _r(fld("tags", array("string"), default=[]), fld("labels", amap("long"), default={})),
        "Empty containers are valid defaults.",
    ),
    ValidCase(
        "valid-field-named-type",
        _r(fld("type", "string"), fld("name", "string"), fld("namespace", "string")),
        "Schema keywords are ordinary field names.",
    ),
    ValidCase(
        "valid-unicode-letter-names",
        _r(fld("température", "double"), fld("_private", "int")),
        "Java's strict validator accepts any Unicode letter and a leading underscore.",
    ),
    ValidCase(
        "valid-recursive-linked-list",
        linked_list(),
        "A record may refer to itself once its name is defined.",
    ),
    ValidCase(
        "valid-union-with-two-named-records",
        ["null", rec("A", fld("x", "int")), rec("B", fld("x", "int"))],
        "Several named types of the same kind may share a union when their names differ.",
    ),
)


def _check_ids_unique() -> None:
    ids = [c.id for c in CASES] + [c.id for c in TRANSITIVE_CASES]
    ids += [c.id for c in INVALID_NEW_CASES] + [c.id for c in VALID_NEW_CASES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate corpus ids: {duplicates}")


_check_ids_unique()

__all__ = [
    "CASES",
    "CASES_BY_ID",
    "EXPECTED_FINDINGS",
    "INCOMPATIBILITY_KINDS",
    "INVALID_NEW_CASES",
    "LEVELS",
    "TRANSITIVE_CASES",
    "VALID_NEW_CASES",
    "Case",
    "InvalidCase",
    "Schema",
    "TransitiveCase",
    "ValidCase",
    "api_form",
]


def api_form(schema: Schema) -> Schema:
    """Return ``schema`` in a form ``check_compatibility`` reads unambiguously.

    Dicts and lists are passed as parsed JSON; a bare string such as ``"null"`` is passed as
    JSON text (``'"null"'``), because the bare text ``null`` would be JSON for ``None``.
    """
    return json.dumps(schema) if isinstance(schema, str) else schema
