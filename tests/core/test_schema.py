"""Specification of the parsed-schema layer: `devicecontracts.schema.parse_schema` and friends."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import fastavro.schema
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devicecontracts._avro import CONFLUENT_7, CONFLUENT_8, RegistryLine, registry_line
from devicecontracts.errors import InvalidSchemaError, SchemaJSONError, UnknownTypeError
from devicecontracts.schema import (
    NO_DEFAULT,
    Array,
    Enum,
    Fixed,
    LogicalType,
    Map,
    Primitive,
    Record,
    Union,
    parse_schema,
)

from ..support.strategies import avro_schemas

CP7_VALIDATING = registry_line("confluent-7", validate_defaults=True)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rec(fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A record ``a.b.R`` with these fields."""
    return {"type": "record", "name": "R", "namespace": "a.b", "fields": fields, **extra}


def one_field(type_: Any, **extra: Any) -> dict[str, Any]:
    """A record ``a.b.R`` with one field ``f`` of this type."""
    return rec([{"name": "f", "type": type_, **extra}])


# ---------------------------------------------------------------------------------------------
# Input forms


def test_parses_json_text() -> None:
    """JSON text is parsed into a tree whose root is the record it describes."""
    schema = parse_schema(
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}'
    )
    assert isinstance(schema.root, Record)
    assert schema.root.fullname == "R"
    assert [f.name for f in schema.root.fields] == ["a"]


def test_parses_a_dict() -> None:
    """Parsed JSON (a dict) is accepted as is and kept as the schema's source."""
    source = one_field("string")
    schema = parse_schema(source)
    assert isinstance(schema.root, Record)
    assert schema.source == source


def test_parses_a_union_list() -> None:
    """A list is a union whose branches keep their declaration order."""
    schema = parse_schema(["null", "int", "string"])
    assert isinstance(schema.root, Union)
    assert [b.type for b in schema.root.branches] == ["null", "int", "string"]


def test_parses_a_bare_primitive_name() -> None:
    """A bare type name that is not JSON, such as ``int``, is a primitive schema."""
    schema = parse_schema("int")
    assert isinstance(schema.root, Primitive)
    assert schema.root.type == "int"


def test_parses_a_json_string_literal() -> None:
    """JSON text that is a quoted type name parses like the bare name."""
    assert parse_schema('"long"').canonical_form == '"long"'


def test_parses_a_bare_full_name_supplied_as_reference() -> None:
    """A bare full name resolves to the named type supplied in ``named_types``."""
    header = parse_schema({"type": "fixed", "name": "Id", "namespace": "a.b", "size": 4}).root
    assert isinstance(header, Fixed)
    schema = parse_schema("a.b.Id", named_types={"a.b.Id": header})
    assert schema.root is header


def test_a_null_default_is_not_the_absence_of_a_default() -> None:
    """``"default": null`` is a default (None); a field without one holds NO_DEFAULT."""
    root = parse_schema(
        rec([{"name": "a", "type": ["null", "int"], "default": None}, {"name": "b", "type": "int"}])
    ).root
    assert isinstance(root, Record)
    a, b = root.fields
    assert a.has_default and a.default is None
    assert not b.has_default and b.default is NO_DEFAULT


# ---------------------------------------------------------------------------------------------
# Bad JSON


def test_bad_json_reports_line_and_column() -> None:
    """Text that is not JSON raises SchemaJSONError with the line and column of the problem."""
    text = '{\n  "type": "record",\n  "name": ,\n  "fields": []\n}'
    with pytest.raises(SchemaJSONError) as caught:
        parse_schema(text, file="schemas/x/v1.avsc")
    assert (caught.value.location.line, caught.value.location.column) == (3, 11)
    assert caught.value.location.file == "schemas/x/v1.avsc"


def test_bad_json_error_message_names_the_place() -> None:
    """The string form of a JSON error starts with file:line:column."""
    with pytest.raises(SchemaJSONError) as caught:
        parse_schema('{"type": "int",}', file="x.avsc")
    assert str(caught.value).startswith("x.avsc:1:16")


# ---------------------------------------------------------------------------------------------
# What Confluent rejects on register (42201), with the JSON path of the offending part

REJECTED = {
    "field name with a dash": (rec([{"name": "device-id", "type": "string"}]), "/fields/0/name"),
    "record name starting with a digit": (
        {"type": "record", "name": "1R", "fields": []},
        "/name",
    ),
    "field name starting with a digit": (rec([{"name": "2fast", "type": "int"}]), "/fields/0/name"),
    "namespace part with a dash": (
        {"type": "record", "name": "R", "namespace": "com.acme-corp", "fields": []},
        "/namespace",
    ),
    "empty namespace part": (
        {"type": "record", "name": "R", "namespace": "com..acme", "fields": []},
        "/namespace",
    ),
    "enum symbol with a dash": (
        {"type": "enum", "name": "E", "symbols": ["OK", "NOT-OK"]},
        "/symbols/1",
    ),
    "duplicate field names": (
        rec([{"name": "a", "type": "int"}, {"name": "a", "type": "long"}]),
        "/fields/1/name",
    ),
    "duplicate enum symbols": (
        {"type": "enum", "name": "E", "symbols": ["A", "B", "A"]},
        "/symbols/2",
    ),
    "nested union": (one_field(["null", ["int", "long"]]), "/fields/0/type/1"),
    "duplicate primitive union branch": (one_field(["null", "int", "int"]), "/fields/0/type/2"),
    "duplicate named union branch": (
        one_field(["null", {"type": "fixed", "name": "F", "size": 2}, "a.b.F"]),
        "/fields/0/type/2",
    ),
    "string default null": (one_field("string", default=None), "/fields/0/default"),
    "int default given as a string": (one_field("int", default="0"), "/fields/0/default"),
    "int default out of range": (one_field("int", default=2**31), "/fields/0/default"),
    "long default out of range": (one_field("long", default=2**63), "/fields/0/default"),
    "long default with a fraction": (one_field("long", default=1.5), "/fields/0/default"),
    "boolean default 0": (one_field("boolean", default=0), "/fields/0/default"),
    # Avro Java reads a string default of a float or double with Double.parseDouble (Schema.parse
    # in 1.11.4, parseField in 1.12.0): "1.0" is accepted (see test_float_defaults_as_strings),
    # a string Java cannot read throws NumberFormatException.
    "double default given as a string Java cannot read": (
        one_field("double", default="one"),
        "/fields/0/default",
    ),
    "record default missing a required field": (
        one_field(
            {"type": "record", "name": "S", "fields": [{"name": "x", "type": "int"}]}, default={}
        ),
        "/fields/0/default",
    ),
    "array default with elements of the wrong type": (
        one_field({"type": "array", "items": "int"}, default=[1, "two"]),
        "/fields/0/default",
    ),
    "map default with values of the wrong type": (
        one_field({"type": "map", "values": "int"}, default={"k": "v"}),
        "/fields/0/default",
    ),
    "enum-level default not a symbol": (
        {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "C"},
        "/default",
    ),
    "fixed with negative size": ({"type": "fixed", "name": "F", "size": -1}, "/size"),
    "named type defined twice": (
        rec(
            [
                {"name": "a", "type": {"type": "fixed", "name": "F", "size": 1}},
                {"name": "b", "type": {"type": "fixed", "name": "F", "size": 2}},
            ]
        ),
        "/fields/1/type/name",
    ),
    "default deep inside a nested record": (
        one_field(
            {
                "type": "record",
                "name": "Inner",
                "fields": [{"name": "x", "type": "int", "default": "zero"}],
            }
        ),
        "/fields/0/type/fields/0/default",
    ),
}


@pytest.mark.parametrize(("schema", "path"), REJECTED.values(), ids=REJECTED.keys())
def test_strict_parsing_rejects_what_confluent_rejects(schema: Any, path: str) -> None:
    """Each schema the registry rejects with 42201 raises InvalidSchemaError at the right path."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(schema)
    assert caught.value.location.path == path


def test_a_union_default_error_says_to_put_null_first() -> None:
    """Under Confluent 7 validating defaults, a null default on ["string", "null"] is explained
    by Avro 1.11's first-branch rule."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field(["string", "null"], default=None), line=CP7_VALIDATING)
    assert "first branch" in caught.value.message
    assert '["null", ...]' in caught.value.message


def test_unknown_named_type_raises_unknown_type_error_with_candidates() -> None:
    """An undefined type name raises UnknownTypeError naming the namespace candidate first."""
    with pytest.raises(UnknownTypeError) as caught:
        parse_schema(one_field("Nope"))
    assert caught.value.location.path == "/fields/0/type"
    assert caught.value.name == "Nope"
    assert caught.value.candidates == ("a.b.Nope", "Nope")


def test_record_named_after_a_primitive_is_rejected_at_its_name() -> None:
    """A record named ``int`` is rejected, pointing at its ``name``."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema({"type": "record", "name": "int", "fields": []})
    assert caught.value.location.path == "/name"


def test_nested_type_named_after_a_primitive_in_the_null_namespace_is_rejected() -> None:
    """A nested fixed named ``long`` in the null namespace is rejected at its ``name``."""
    schema = one_field({"type": "fixed", "name": "long", "namespace": "", "size": 8})
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(schema)
    assert caught.value.location.path == "/fields/0/type/name"


@pytest.mark.parametrize("line", [CONFLUENT_7, CONFLUENT_8], ids=lambda line: line.name)
def test_a_primitive_short_name_inside_a_namespace_is_accepted_like_avro_java(
    line: RegistryLine,
) -> None:
    """``a.b.long`` is a valid full name: Avro Java's NamedSchema constructor compares the full
    name with the primitives (Schema.java, 1.11.4 and 1.12.0), a quirk Confluent inherits."""
    root = parse_schema(one_field({"type": "fixed", "name": "long", "size": 8}), line=line).root
    assert isinstance(root, Record)
    fixed = root.fields[0].type
    assert isinstance(fixed, Fixed) and fixed.fullname == "a.b.long"


def test_invalid_namespace_part_inside_a_dotted_name_points_at_the_name() -> None:
    """A bad namespace part written inside a dotted ``name`` is reported at ``/name``."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema({"type": "record", "name": "com.1acme.R", "fields": []})
    assert caught.value.location.path == "/name"


def test_non_ascii_letters_are_valid_in_names_like_avro_java() -> None:
    """Under Confluent 7, names follow Java's Character.isLetter/isDigit, so non-ASCII letters
    and digits pass."""
    root = parse_schema(
        {"type": "record", "name": "Température", "fields": [{"name": "wert٣", "type": "int"}]},
        line=CONFLUENT_7,
    ).root
    assert isinstance(root, Record)
    assert root.fullname == "Température"


def test_non_letter_characters_are_invalid_in_names() -> None:
    """A name with a character that is neither letter, digit nor _ is rejected."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(rec([{"name": "temp°C", "type": "int"}]))
    assert caught.value.location.path == "/fields/0/name"


def test_enum_field_default_outside_the_symbols_is_accepted_like_avro_java() -> None:
    """Avro 1.11 accepts any string as an enum field's default; a lint rule reports it instead."""
    schema = parse_schema(one_field({"type": "enum", "name": "E", "symbols": ["A"]}, default="Z"))
    assert isinstance(schema.root, Record)
    assert schema.root.fields[0].default == "Z"


@pytest.mark.parametrize(
    ("type_", "default"),
    [
        ("int", -(2**31)),
        ("int", 2**31 - 1),
        ("long", -(2**63)),
        ("float", 3),
        ("double", 1e300),
        ("bytes", "\u00ff"),
        (["null", "string"], None),
        (["string", "null"], "x"),
        ({"type": "array", "items": "long"}, [1, 2]),
        ({"type": "map", "values": ["null", "int"]}, {"k": None}),
        ({"type": "fixed", "name": "F", "size": 2}, "ab"),
        (
            {
                "type": "record",
                "name": "S",
                "fields": [
                    {"name": "x", "type": "int"},
                    {"name": "y", "type": "int", "default": 1},
                ],
            },
            {"x": 0},
        ),
    ],
    ids=repr,
)
def test_strict_parsing_accepts_valid_defaults(type_: Any, default: Any) -> None:
    """Defaults that match their type (bounds included) are accepted in strict mode."""
    root = parse_schema(one_field(type_, default=default)).root
    assert isinstance(root, Record)
    assert root.fields[0].default == default


@PROPERTY
@given(st.integers(min_value=-(2**64), max_value=2**64))
def test_int_default_is_valid_exactly_within_32_bits(value: int) -> None:
    """An int default is accepted exactly when it fits in a signed 32-bit integer."""
    schema = one_field("int", default=value)
    if -(2**31) <= value < 2**31:
        parse_schema(schema)
    else:
        with pytest.raises(InvalidSchemaError):
            parse_schema(schema)


LENIENT_ACCEPTS = {
    k: REJECTED[k]
    for k in (
        "field name with a dash",
        "record name starting with a digit",
        "namespace part with a dash",
        "enum symbol with a dash",
        "string default null",
        "int default given as a string",
        "int default out of range",
        "long default with a fraction",
        "boolean default 0",
        "record default missing a required field",
        "array default with elements of the wrong type",
    )
}


@pytest.mark.parametrize(("schema", "path"), LENIENT_ACCEPTS.values(), ids=LENIENT_ACCEPTS.keys())
def test_lenient_parsing_accepts_bad_names_and_defaults(schema: Any, path: str) -> None:
    """strict=False accepts the bad names and defaults the registry tolerates in stored schemas."""
    assert parse_schema(schema, strict=False).canonical_form


def test_lenient_parsing_keeps_the_bad_default_as_written() -> None:
    """A lenient parse keeps an invalid default unchanged on the field."""
    root = parse_schema(one_field("int", default="0"), strict=False).root
    assert isinstance(root, Record)
    assert root.fields[0].default == "0"


LENIENT_REJECTS = {
    k: REJECTED[k]
    for k in (
        "duplicate field names",
        "duplicate enum symbols",
        "nested union",
        "duplicate primitive union branch",
        "enum-level default not a symbol",
        "fixed with negative size",
    )
}


@pytest.mark.parametrize(("schema", "path"), LENIENT_REJECTS.values(), ids=LENIENT_REJECTS.keys())
def test_lenient_parsing_still_rejects_structural_errors(schema: Any, path: str) -> None:
    """strict=False still rejects what no Avro parser accepts, at the same path."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(schema, strict=False)
    assert caught.value.location.path == path


def test_lenient_parsing_still_rejects_unknown_types() -> None:
    """strict=False still raises UnknownTypeError for a type name nothing defines."""
    with pytest.raises(UnknownTypeError):
        parse_schema(one_field("Missing"), strict=False)


# ---------------------------------------------------------------------------------------------
# Named types and namespaces


def test_short_name_resolves_inside_the_enclosing_namespace() -> None:
    """A short name used inside namespace a.b refers to the type a.b.<name> defined earlier."""
    root = parse_schema(
        rec(
            [
                {"name": "x", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
                {"name": "y", "type": "E"},
            ]
        )
    ).root
    assert isinstance(root, Record)
    assert isinstance(root.fields[0].type, Enum)
    assert root.fields[0].type.fullname == "a.b.E"
    assert root.fields[1].type is root.fields[0].type


def test_short_name_falls_back_to_the_null_namespace() -> None:
    """A short name that is not in the enclosing namespace resolves in the null namespace."""
    root = parse_schema(
        rec(
            [
                {
                    "name": "x",
                    "type": {"type": "enum", "name": "E", "namespace": "", "symbols": ["A"]},
                },
                {"name": "y", "type": "E"},
            ]
        )
    ).root
    assert isinstance(root, Record)
    assert isinstance(root.fields[1].type, Enum)
    assert root.fields[1].type.fullname == "E"


def test_dotted_name_overrides_the_namespace_attribute() -> None:
    """A name with dots is a full name; the namespace attribute beside it is ignored."""
    root = parse_schema({"type": "record", "name": "c.d.R", "namespace": "x.y", "fields": []}).root
    assert isinstance(root, Record)
    assert (root.fullname, root.namespace, root.name) == ("c.d.R", "c.d", "R")


def test_nested_types_inherit_the_namespace_of_a_dotted_name() -> None:
    """A type nested in record c.d.R without its own namespace lands in namespace c.d."""
    root = parse_schema(
        {
            "type": "record",
            "name": "c.d.R",
            "namespace": "x.y",
            "fields": [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}],
        }
    ).root
    assert isinstance(root, Record)
    assert isinstance(root.fields[0].type, Enum)
    assert root.fields[0].type.fullname == "c.d.E"


def test_full_name_reference_resolves_across_namespaces() -> None:
    """A type defined in one namespace is used from another by its full name."""
    root = parse_schema(
        rec(
            [
                {
                    "name": "x",
                    "type": {"type": "fixed", "name": "F", "namespace": "other.ns", "size": 3},
                },
                {"name": "y", "type": "other.ns.F"},
            ]
        )
    ).root
    assert isinstance(root, Record)
    assert root.fields[1].type is root.fields[0].type


def test_short_alias_of_a_named_type_is_resolved_against_its_namespace() -> None:
    """Type aliases without dots take the type's namespace; dotted aliases are kept as written."""
    root = parse_schema(rec([], aliases=["Old", "elsewhere.Older"])).root
    assert isinstance(root, Record)
    assert root.aliases == ("a.b.Old", "elsewhere.Older")


def test_aliases_of_a_dotted_name_take_its_namespace() -> None:
    """The aliases of a type named c.d.R resolve against c.d, not the namespace attribute."""
    root = parse_schema(
        {"type": "record", "name": "c.d.R", "namespace": "x.y", "aliases": ["Old"], "fields": []}
    ).root
    assert isinstance(root, Record)
    assert root.aliases == ("c.d.Old",)


def test_field_aliases_are_kept_unqualified() -> None:
    """Field aliases are plain names: no namespace is added."""
    root = parse_schema(rec([{"name": "a", "type": "int", "aliases": ["old_a"]}])).root
    assert isinstance(root, Record)
    assert root.fields[0].aliases == ("old_a",)


def test_recursive_record_refers_to_itself() -> None:
    """A record used inside its own fields is the same node, so the tree is a cycle."""
    schema = parse_schema(
        {
            "type": "record",
            "name": "Node",
            "namespace": "a",
            "fields": [
                {"name": "value", "type": "int"},
                {"name": "next", "type": ["null", "Node"], "default": None},
            ],
        }
    )
    root = schema.root
    assert isinstance(root, Record)
    branch = root.fields[1].type
    assert isinstance(branch, Union)
    assert branch.branches[1] is root


def test_walk_visits_a_recursive_named_type_once() -> None:
    """Walking mutually recursive records terminates and yields each named type once."""
    schema = parse_schema(
        {
            "type": "record",
            "name": "A",
            "fields": [
                {
                    "name": "b",
                    "type": {
                        "type": "record",
                        "name": "B",
                        "fields": [{"name": "a", "type": ["null", "A"], "default": None}],
                    },
                }
            ],
        }
    )
    named = [t.fullname for t in schema.walk() if isinstance(t, Record)]
    assert named == ["A", "B"]


def test_recursive_canonical_form_names_the_type_on_reuse() -> None:
    """The canonical form of a recursive record spells it out once, then uses its full name."""
    schema = parse_schema(
        {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}
    )
    assert schema.canonical_form == (
        '{"name":"Node","type":"record","fields":[{"name":"next","type":["null","Node"]}]}'
    )


def test_named_types_supply_references() -> None:
    """A type from ``named_types`` is used by reference and listed in ``references``."""
    header = parse_schema(
        {
            "type": "record",
            "name": "Header",
            "namespace": "a.b",
            "fields": [{"name": "id", "type": "string"}],
        }
    ).named["a.b.Header"]
    schema = parse_schema(one_field("Header"), named_types={"a.b.Header": header})
    assert isinstance(schema.root, Record)
    assert schema.root.fields[0].type is header
    assert schema.references == ("a.b.Header",)
    assert "a.b.Header" not in schema.named


def test_referenced_types_are_inlined_in_the_canonical_form() -> None:
    """The canonical form of a schema with a reference spells the referenced type out."""
    header = parse_schema({"type": "fixed", "name": "Id", "namespace": "a.b", "size": 4}).named[
        "a.b.Id"
    ]
    schema = parse_schema(one_field("Id"), named_types={"a.b.Id": header})
    assert '{"name":"a.b.Id","type":"fixed","size":4}' in schema.canonical_form


def test_a_reference_cannot_be_redefined() -> None:
    """Defining a type whose full name was supplied as a reference is rejected."""
    header = parse_schema({"type": "fixed", "name": "Id", "namespace": "a.b", "size": 4}).named[
        "a.b.Id"
    ]
    with pytest.raises(InvalidSchemaError):
        parse_schema(
            one_field({"type": "fixed", "name": "Id", "size": 8}), named_types={"a.b.Id": header}
        )


def test_named_lists_every_type_the_schema_defines() -> None:
    """``named`` maps the full name of every defined record, enum and fixed to its node."""
    schema = parse_schema(
        rec(
            [
                {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
                {"name": "f", "type": {"type": "fixed", "name": "F", "namespace": "z", "size": 1}},
            ]
        )
    )
    assert sorted(schema.named) == ["a.b.E", "a.b.R", "z.F"]


# ---------------------------------------------------------------------------------------------
# Logical types

VALID_LOGICAL = {
    "decimal on bytes": (
        {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
        LogicalType("decimal", 9, 2),
    ),
    "decimal scale defaults to 0": (
        {"type": "bytes", "logicalType": "decimal", "precision": 4},
        LogicalType("decimal", 4, 0),
    ),
    "decimal scale equal to precision": (
        {"type": "bytes", "logicalType": "decimal", "precision": 3, "scale": 3},
        LogicalType("decimal", 3, 3),
    ),
    "decimal on fixed within its size": (
        {"type": "fixed", "name": "D", "size": 2, "logicalType": "decimal", "precision": 4},
        LogicalType("decimal", 4, 0),
    ),
    "duration on fixed 12": (
        {"type": "fixed", "name": "D", "size": 12, "logicalType": "duration"},
        LogicalType("duration"),
    ),
    "uuid on string": ({"type": "string", "logicalType": "uuid"}, LogicalType("uuid")),
    "date on int": ({"type": "int", "logicalType": "date"}, LogicalType("date")),
    "time-millis on int": (
        {"type": "int", "logicalType": "time-millis"},
        LogicalType("time-millis"),
    ),
    "timestamp-millis on long": (
        {"type": "long", "logicalType": "timestamp-millis"},
        LogicalType("timestamp-millis"),
    ),
    "timestamp-nanos on long": (
        {"type": "long", "logicalType": "timestamp-nanos"},
        LogicalType("timestamp-nanos"),
    ),
    "local-timestamp-micros on long": (
        {"type": "long", "logicalType": "local-timestamp-micros"},
        LogicalType("local-timestamp-micros"),
    ),
}


@pytest.mark.parametrize(("node", "logical"), VALID_LOGICAL.values(), ids=VALID_LOGICAL.keys())
def test_logical_type_is_recognised_on_its_base_type(node: Any, logical: LogicalType) -> None:
    """A logical type on the base type the specification allows is recognised."""
    root = parse_schema(node).root
    assert isinstance(root, (Primitive, Fixed))
    assert root.logical == logical


IGNORED_LOGICAL = {
    "decimal scale above precision": {
        "type": "bytes",
        "logicalType": "decimal",
        "precision": 4,
        "scale": 5,
    },
    "decimal precision 0": {"type": "bytes", "logicalType": "decimal", "precision": 0},
    "decimal without precision": {"type": "bytes", "logicalType": "decimal", "scale": 1},
    "decimal negative scale": {
        "type": "bytes",
        "logicalType": "decimal",
        "precision": 4,
        "scale": -1,
    },
    "decimal precision not an integer": {
        "type": "bytes",
        "logicalType": "decimal",
        "precision": "4",
    },
    "decimal precision a boolean": {"type": "bytes", "logicalType": "decimal", "precision": True},
    "decimal too wide for its fixed": {
        "type": "fixed",
        "name": "D",
        "size": 2,
        "logicalType": "decimal",
        "precision": 5,
    },
    "decimal on string": {"type": "string", "logicalType": "decimal", "precision": 4},
    "duration on fixed 11": {"type": "fixed", "name": "D", "size": 11, "logicalType": "duration"},
    "duration on bytes": {"type": "bytes", "logicalType": "duration"},
    "uuid on bytes": {"type": "bytes", "logicalType": "uuid"},
    "timestamp-millis on int": {"type": "int", "logicalType": "timestamp-millis"},
    "date on long": {"type": "long", "logicalType": "date"},
    "unknown logical type": {"type": "long", "logicalType": "epoch-seconds"},
}


@pytest.mark.parametrize("node", IGNORED_LOGICAL.values(), ids=IGNORED_LOGICAL.keys())
def test_misplaced_logical_type_is_ignored_but_kept_in_props(node: Any) -> None:
    """A logical type that does not fit its base type is ignored (as Avro does), kept in props."""
    root = parse_schema(node).root
    assert isinstance(root, (Primitive, Fixed))
    assert root.logical is None
    assert root.props["logicalType"] == node["logicalType"]


def test_logical_types_do_not_change_the_canonical_form() -> None:
    """The Parsing Canonical Form drops logical types: a timestamp is a plain long."""
    annotated = parse_schema({"type": "long", "logicalType": "timestamp-micros"})
    assert annotated.canonical_form == '"long"'


# ---------------------------------------------------------------------------------------------
# Canonical form, fingerprint and JSON output


# A type in the null namespace defined inside a namespaced record and used again from the null
# namespace: JSON output must say "namespace": "" explicitly, or the type moves into com.acme.
NULL_NAMESPACE_INSIDE = {
    "type": "record",
    "name": "Outer",
    "fields": [
        {
            "name": "a",
            "type": {
                "type": "record",
                "name": "Inner",
                "namespace": "com.acme",
                "fields": [
                    {
                        "name": "b",
                        "type": {"type": "fixed", "name": "Id", "namespace": "", "size": 4},
                    }
                ],
            },
        },
        {"name": "c", "type": "Id"},
    ],
}


@PROPERTY
@given(avro_schemas())
@example(NULL_NAMESPACE_INSIDE)
def test_canonical_form_equals_fastavro(schema: Any) -> None:
    """The canonical form equals fastavro's Parsing Canonical Form for any valid schema."""
    expected = fastavro.schema.to_parsing_canonical_form(schema)
    assert parse_schema(schema).canonical_form == expected


@PROPERTY
@given(avro_schemas())
@example(NULL_NAMESPACE_INSIDE)
def test_to_json_round_trips_to_the_same_canonical_form(schema: Any) -> None:
    """Parsing a schema's to_json output gives the same canonical form."""
    parsed = parse_schema(schema)
    again = parse_schema(json.dumps(parsed.to_json()))
    assert again.canonical_form == parsed.canonical_form


@PROPERTY
@given(avro_schemas())
@example(NULL_NAMESPACE_INSIDE)
def test_to_json_keeps_docs_defaults_and_aliases(schema: Any) -> None:
    """to_json keeps what the canonical form drops: docs, defaults, aliases and other props."""
    parsed = parse_schema(schema)
    again = parse_schema(parsed.to_json())
    before = [_details(t) for t in parsed.walk()]
    after = [_details(t) for t in again.walk()]
    assert after == before


def _details(node: Any) -> Any:
    """What to_json must preserve of one node, beyond its canonical form."""
    if isinstance(node, Record):
        return (
            node.fullname,
            node.doc,
            node.aliases,
            [(f.name, f.doc, f.aliases, f.order, f.default) for f in node.fields],
        )
    if isinstance(node, Enum):
        return (node.fullname, node.doc, node.aliases, node.default)
    if isinstance(node, Fixed):
        return (node.fullname, node.doc, node.aliases, node.logical, dict(node.props))
    if isinstance(node, (Array, Map)):
        return (node.type, dict(node.props))
    if isinstance(node, Primitive):
        return (node.type, node.logical, dict(node.props))
    return node.type


@PROPERTY
@given(avro_schemas())
@example(NULL_NAMESPACE_INSIDE)
def test_to_json_is_a_standalone_schema_fastavro_accepts(schema: Any) -> None:
    """The to_json output parses with fastavro on its own."""
    out = parse_schema(schema).to_json()
    fastavro.schema.parse_schema(out, _write_hint=False)


def test_fingerprint_is_the_sha256_of_the_canonical_form() -> None:
    """``fingerprint`` is ``sha256:`` and the hex SHA-256 of the canonical form."""
    schema = parse_schema(one_field("int", doc="the doc"))
    expected = hashlib.sha256(schema.canonical_form.encode()).hexdigest()
    assert schema.fingerprint == f"sha256:{expected}"


def test_fingerprint_ignores_docs_and_defaults() -> None:
    """Two schemas differing only in docs and defaults share a fingerprint."""
    plain = parse_schema(one_field("int"))
    documented = parse_schema(one_field("int", doc="counts things", default=3))
    assert plain.fingerprint == documented.fingerprint


# ---------------------------------------------------------------------------------------------
# Union branch names and full names (one definition each, shared by every layer)


@PROPERTY
@given(avro_schemas())
def test_a_unions_branches_have_distinct_branch_names(source: Any) -> None:
    """Every union's branches have distinct ``branch_name``s: the full name of a named type, the
    type name of any other."""
    from devicecontracts.schema import NamedType, walk

    for node in walk(parse_schema(source).root):
        if isinstance(node, Union):
            names = [b.branch_name for b in node.branches]
            assert len(set(names)) == len(names)
            for b in node.branches:
                assert b.branch_name == (b.fullname if isinstance(b, NamedType) else b.type)
                assert b.is_named == isinstance(b, NamedType)


def test_branch_names_follow_avro_java() -> None:
    """A named branch is known by its full name, a logical-type branch by its base type."""
    schema = parse_schema(
        one_field(
            [
                "null",
                {"type": "long", "logicalType": "timestamp-millis"},
                {"type": "enum", "name": "E", "symbols": ["A"]},
                {"type": "array", "items": "int"},
            ]
        )
    )
    assert isinstance(schema.root, Record)
    union = schema.root.fields[0].type
    assert isinstance(union, Union)
    assert [b.branch_name for b in union.branches] == ["null", "long", "a.b.E", "array"]


@pytest.mark.parametrize(
    ("name", "namespace", "full"),
    [
        ("Reading", "com.acme", "com.acme.Reading"),
        ("Reading", "", "Reading"),
        ("Reading", None, "Reading"),
        ("x.y.Reading", "com.acme", "x.y.Reading"),
        (".Reading", "com.acme", "Reading"),
    ],
)
def test_full_names_are_qualified_as_avro_java_does(
    name: str, namespace: str | None, full: str
) -> None:
    """A plain name joins the namespace, a dotted name keeps its own, a leading dot means the null
    namespace; the parser names types the same way."""
    from devicecontracts._avro import qualify

    assert qualify(name, namespace) == full
    schema = parse_schema(
        {
            "type": "fixed",
            "name": name,
            "size": 1,
            **({"namespace": namespace} if namespace else {}),
        }
    )
    assert isinstance(schema.root, Fixed)
    assert schema.root.fullname == full


# ---------------------------------------------------------------------------------------------
# Parity with Avro Java's parser (Schema.parse and its helpers in Avro 1.11.4; parseRecord,
# parseField, parseName, parseEnum, parseFixed in 1.12.0). Each test cites what it follows.

BOTH_LINES = pytest.mark.parametrize("line", [CONFLUENT_7, CONFLUENT_8], ids=lambda x: x.name)


@BOTH_LINES
def test_json_comments_are_allowed_like_avro_java(line: RegistryLine) -> None:
    """Schema.FACTORY enables Jackson's ALLOW_COMMENTS: /* */ and // comments parse, and the
    lines and columns of later errors stay right."""
    text = '/* lead */ {"type": "record", // the type\n "name": "R", "fields": [] /* end */}'
    root = parse_schema(text, line=line).root
    assert isinstance(root, Record) and root.fullname == "R"
    with pytest.raises(SchemaJSONError) as caught:
        parse_schema('// c\n{"type": "int",}', line=line)
    assert (caught.value.location.line, caught.value.location.column) == (2, 16)


def test_comment_markers_inside_strings_are_text() -> None:
    """A // or /* inside a JSON string is part of the string, not a comment."""
    schema = parse_schema({"type": "record", "name": "R", "doc": "see http://x /*", "fields": []})
    text = json.dumps(schema.source)
    root = parse_schema(text).root
    assert isinstance(root, Record) and root.doc == "see http://x /*"


def test_an_unclosed_comment_is_bad_json() -> None:
    """An unterminated /* comment is a JSON error, as Jackson reports it."""
    with pytest.raises(SchemaJSONError):
        parse_schema('{"type": "int"} /* open')


@BOTH_LINES
def test_a_non_string_doc_is_absent_like_avro_java(line: RegistryLine) -> None:
    """getOptionalText(schema, "doc") is textValue(): a number or object doc is no doc."""
    root = parse_schema(rec([{"name": "f", "type": "int", "doc": 3}], doc={"x": 1}), line=line)
    assert isinstance(root.root, Record)
    assert root.root.doc is None and root.root.fields[0].doc is None


@BOTH_LINES
@pytest.mark.parametrize("order", ["DESCENDING", "Descending", "descending"])
def test_order_is_upper_cased_like_avro_java(line: RegistryLine, order: str) -> None:
    """Field.Order.valueOf(order.toUpperCase(Locale.ENGLISH)): any case of an order passes."""
    root = parse_schema(one_field("int", order=order), line=line).root
    assert isinstance(root, Record) and root.fields[0].order == "descending"


@pytest.mark.parametrize("order", [1, None, "down"])
def test_an_order_java_cannot_read_is_rejected(order: Any) -> None:
    """A non-string order is a NullPointerException in Java, an unknown one an
    IllegalArgumentException from valueOf: both make the registry reject the schema."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field("int", order=order))
    assert caught.value.location.path == "/fields/0/order"


@BOTH_LINES
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5", 1.5),
        (" 2 ", 2.0),
        ("1e3", 1000.0),
        ("2.5f", 2.5),
        ("0x1p3", 8.0),
        ("-Infinity", -math.inf),
    ],
)
@pytest.mark.parametrize("kind", ["float", "double"])
def test_float_defaults_as_strings(line: RegistryLine, text: str, value: float, kind: str) -> None:
    """Schema.parse turns a string default of a float or double field into
    DoubleNode(Double.parseDouble(text)): Java's number syntax, suffixes and all."""
    root = parse_schema(one_field(kind, default=text), line=line).root
    assert isinstance(root, Record) and root.fields[0].default == value


def test_a_nan_string_default_is_nan_and_written_back_as_java_writes_it() -> None:
    """ "NaN" parses to a NaN default; the schema's JSON writes it back as the string "NaN"."""
    schema = parse_schema(one_field("double", default="NaN"))
    assert isinstance(schema.root, Record) and math.isnan(schema.root.fields[0].default)
    assert schema.to_json()["fields"][0]["default"] == "NaN"


@pytest.mark.parametrize("strict", [True, False])
def test_a_float_string_default_java_cannot_read_is_rejected_even_when_stored(
    strict: bool,
) -> None:
    """Double.parseDouble throws on "one" whether or not defaults are validated, so even a
    stored schema with it cannot be read."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field("float", default="one"), strict=strict)
    assert caught.value.location.path == "/fields/0/default"


@BOTH_LINES
@pytest.mark.parametrize("namespace", [None, 7, ["x"]], ids=["null", "number", "list"])
def test_a_non_string_namespace_inherits_the_enclosing_one(
    line: RegistryLine, namespace: Any
) -> None:
    """getOptionalText(schema, "namespace") is null for a non-string, and Schema.parse (1.11.4)
    and parseName (1.12.0) then use the enclosing namespace."""
    inner = {"type": "fixed", "name": "F", "size": 1, "namespace": namespace}
    root = parse_schema(one_field(inner), line=line).root
    assert isinstance(root, Record)
    fixed = root.fields[0].type
    assert isinstance(fixed, Fixed) and fixed.fullname == "a.b.F"


def test_an_empty_namespace_is_still_the_null_namespace() -> None:
    """A string namespace "" is the null namespace (Name's constructor maps "" to null)."""
    inner = {"type": "fixed", "name": "F", "size": 1, "namespace": ""}
    root = parse_schema(one_field(inner)).root
    assert isinstance(root, Record)
    assert isinstance(root.fields[0].type, Fixed) and root.fields[0].type.fullname == "F"


@BOTH_LINES
@pytest.mark.parametrize("default", [0, 1.5, True, ["A"]])
def test_a_non_string_enum_default_is_ignored(line: RegistryLine, default: Any) -> None:
    """The enum default is read with textValue(): anything but a string is no default."""
    root = parse_schema(
        {"type": "enum", "name": "E", "symbols": ["A"], "default": default}, line=line
    ).root
    assert isinstance(root, Enum) and root.default is None


@BOTH_LINES
@pytest.mark.parametrize("alias", ["bad-alias", "1st", "a.b.bad-alias"])
def test_an_invalid_named_type_alias_is_rejected(line: RegistryLine, alias: str) -> None:
    """NamedSchema.addAlias builds a Name, whose constructor validates the alias's short name."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(rec([], aliases=[alias]), line=line)
    assert caught.value.location.path == "/aliases/0"


def test_an_alias_with_an_odd_namespace_is_accepted() -> None:
    """Only an alias's short name is validated (Name's constructor), not its namespace."""
    root = parse_schema(rec([], aliases=["odd-space.Old"])).root
    assert isinstance(root, Record) and root.aliases == ("odd-space.Old",)


@BOTH_LINES
@pytest.mark.parametrize("wrapped", [{"type": "int"}, ["null", "int"]], ids=["object", "union"])
def test_a_wrapped_type_is_rejected(line: RegistryLine, wrapped: Any) -> None:
    """getRequiredText(schema, "type", "No type"): a schema object's type must be a string."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field({"type": wrapped}), line=line)
    assert caught.value.location.path == "/fields/0/type"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_literal_nan_default_is_bad_json(literal: str) -> None:
    """Jackson's ALLOW_NON_NUMERIC_NUMBERS is off in Avro's JSON reader: NaN is not JSON."""
    text = (
        '{"type": "record", "name": "R", "fields": [\n {"name": "f", "type": "double", "default": '
        + literal
        + "}]}"
    )
    with pytest.raises(SchemaJSONError) as caught:
        parse_schema(text)
    assert caught.value.location.line == 2


@BOTH_LINES
@pytest.mark.parametrize("aliases", [{}, None, "p"], ids=["object", "null", "string"])
def test_field_aliases_that_are_not_a_list_are_rejected(line: RegistryLine, aliases: Any) -> None:
    """parseAliases: present but not an array throws ("aliases not an array"), even {} or null."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field("int", aliases=aliases), line=line)
    assert caught.value.location.path == "/fields/0/aliases"


@BOTH_LINES
@pytest.mark.parametrize(
    ("size", "ok"),
    [(2**31 - 9, True), (2**31 - 8, False), (2**31, False), (-1, False), (4.0, False)],
)
def test_fixed_sizes_follow_java_limits(line: RegistryLine, size: Any, ok: bool) -> None:
    """Schema.parse needs an int node (sizeNode.isInt()), and FixedSchema's constructor calls
    SystemLimitException.checkMaxBytesLength: 0 to Integer.MAX_VALUE - 8."""
    schema = {"type": "fixed", "name": "F", "size": size}
    if ok:
        assert parse_schema(schema, line=line).root
    else:
        with pytest.raises(InvalidSchemaError) as caught:
            parse_schema(schema, line=line)
        assert caught.value.location.path == "/size"


@pytest.mark.parametrize(
    "name",
    ["a\U0001d400", "\U0001d400", "x\u0870", "\ua7c0b"],
    ids=["non-BMP letter", "non-BMP initial", "Unicode 14 Arabic", "Unicode 14 Latin"],
)
def test_letters_outside_java_17_tables_are_rejected_under_cp7(name: str) -> None:
    """Java's Character.isLetter tests UTF-16 chars (a surrogate is no letter) against Java
    17's Unicode 13 tables: letters Python knows from Unicode 14 are not letters there."""
    assert name[-1].isalpha() or name[0].isalpha()
    with pytest.raises(InvalidSchemaError):
        parse_schema(rec([{"name": name, "type": "int"}]), line=CONFLUENT_7)


def test_repeated_aliases_collapse_to_a_set() -> None:
    """parseAliases returns a LinkedHashSet: repeats collapse, first-seen order kept."""
    root = parse_schema(rec([{"name": "f", "type": "int", "aliases": ["p", "q", "p"]}])).root
    assert isinstance(root, Record) and root.fields[0].aliases == ("p", "q")


BIG = 2**63


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "record", "name": "R", "fields": [], "x": BIG},
        {"type": "record", "name": "R", "fields": [], "x": [[1, -BIG - 1]]},
        {"type": "record", "name": "R", "fields": [], "x": {"k": BIG}},
        one_field({"type": "array", "items": "int", "x": BIG}),
        one_field(["null", {"type": "map", "values": "int", "x": BIG}]),
    ],
    ids=["record", "record nested", "record object", "array", "map in union"],
)
@pytest.mark.parametrize("strict", [True, False])
def test_cp8_rejects_an_integer_beyond_long_in_a_copied_property(schema: Any, strict: bool) -> None:
    """Avro 1.12's SchemaResolver.copyProperties passes a record's, array's or map's props
    through JacksonUtils.toObject, which has no value for a BigInteger: the parse fails even for
    a stored schema; Avro 1.11 keeps the property."""
    with pytest.raises(InvalidSchemaError):
        parse_schema(schema, strict=strict, line=CONFLUENT_8)
    assert parse_schema(schema, strict=strict, line=CONFLUENT_7)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "enum", "name": "E", "symbols": ["A"], "x": BIG},
        {"type": "fixed", "name": "F", "size": 1, "x": BIG},
        one_field({"type": "int", "x": BIG}),
        one_field("int", x=BIG),
        {"type": "record", "name": "R", "fields": [], "x": 2**63 - 1},
    ],
    ids=["enum", "fixed", "primitive", "field", "record at the long limit"],
)
def test_cp8_keeps_big_integers_where_avro_does_not_copy_them(schema: Any) -> None:
    """Enums, fixed, primitives and fields keep such a property under Avro 1.12 too."""
    assert parse_schema(schema, line=CONFLUENT_8)


def test_an_empty_name_passes_only_where_names_are_not_validated() -> None:
    """NameValidator.NO_VALIDATION (CP 8, stored schemas) lets an empty name through; every
    validating parser says "Empty name" (CP 8 new, CP 7 always)."""
    schema = {"type": "enum", "name": "", "symbols": ["A"]}
    assert parse_schema(schema, strict=False, line=CONFLUENT_8)
    for strict, line in ((True, CONFLUENT_8), (True, CONFLUENT_7), (False, CONFLUENT_7)):
        with pytest.raises(InvalidSchemaError):
            parse_schema(schema, strict=strict, line=line)


SELF_DEFAULT = {
    "type": "record",
    "name": "R",
    "fields": [
        {"name": "n", "type": "R", "default": {}},
        {"name": "m", "type": "int", "default": 0},
    ],
}


@pytest.mark.parametrize("line", [CONFLUENT_8, CP7_VALIDATING], ids=["cp8", "cp7-validating"])
def test_a_default_reaching_its_own_record_is_rejected_where_defaults_are_validated(
    line: RegistryLine,
) -> None:
    """Avro Java validates a default in Field's constructor, before the record's setFields: a
    default that reaches the record being defined throws "Schema fields not set yet"."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(SELF_DEFAULT, line=line)
    assert caught.value.location.path == "/fields/0/default"


def test_fields_not_set_is_thrown_before_a_later_union_branch_is_tried() -> None:
    """Avro 1.12's anyMatch stops at the exception: {} for ["R", map] is rejected although the
    map branch would take it."""
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "n", "type": ["R", {"type": "map", "values": "int"}], "default": {}}],
    }
    with pytest.raises(InvalidSchemaError):
        parse_schema(schema, line=CONFLUENT_8)


def test_a_recursive_default_terminates_where_defaults_are_not_validated() -> None:
    """CP 7 without switches takes the self-holding default (a spec problem), and a later
    field whose default needs it terminates too, as invalid."""
    outer = {
        "type": "record",
        "name": "Outer",
        "fields": [{"name": "r", "type": SELF_DEFAULT}, {"name": "s", "type": "R", "default": {}}],
    }
    schema = parse_schema(outer, line=CONFLUENT_7)
    assert [p.location.path for p in schema.spec_problems] == [
        "/fields/0/type/fields/0/default",
        "/fields/1/default",
    ]
    assert parse_schema(SELF_DEFAULT, strict=False, line=CONFLUENT_8)
