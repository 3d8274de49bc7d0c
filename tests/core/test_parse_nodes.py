"""The cheap parse keeps what callers read: paths, props, field details and shapes."""

from __future__ import annotations

import gc
import json

import pytest

from devicecontracts.errors import InvalidSchemaError
from devicecontracts.schema import (
    NO_DEFAULT,
    Array,
    Enum,
    Field,
    Map,
    Primitive,
    Record,
    Union,
    parse_schema,
)

SCHEMA = {
    "type": "record",
    "name": "Device",
    "namespace": "com.example",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "level", "type": ["null", "int"], "default": None},
        {
            "name": "reading",
            "type": {
                "type": "record",
                "name": "Reading",
                "fields": [
                    {"name": "value", "type": "double"},
                    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                ],
            },
            "doc": "The reading.",
            "aliases": ["sample"],
            "order": "DESCENDING",
            "x-owner": "fleet",
        },
        {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}},
        {"name": "items", "type": {"type": "array", "items": ["null", "long"]}},
        {"name": "other", "type": ["null", "int"], "default": None},
    ],
}


def record_field(record: Record, name: str) -> Field:
    found = record.field_named(name)
    assert found is not None
    return found


def test_field_paths_come_from_the_record_path_and_the_position() -> None:
    """A field's path is its record's path, then /fields/N, at every depth."""
    root = parse_schema(json.dumps(SCHEMA)).root
    assert isinstance(root, Record)
    assert [f.path for f in root.fields] == [f"/fields/{i}" for i in range(6)]
    reading = record_field(root, "reading").type
    assert isinstance(reading, Record)
    assert reading.path == "/fields/2/type"
    assert [f.path for f in reading.fields] == [
        "/fields/2/type/fields/0",
        "/fields/2/type/fields/1",
    ]


def test_type_nodes_keep_their_paths() -> None:
    """Unions, maps, arrays, logical primitives and their inner nodes have their own paths."""
    root = parse_schema(SCHEMA).root
    assert isinstance(root, Record)
    level = record_field(root, "level").type
    assert isinstance(level, Union) and level.path == "/fields/1/type"
    other = record_field(root, "other").type
    assert isinstance(other, Union) and other.path == "/fields/5/type"
    assert other is not level and other.branches == level.branches
    tags = record_field(root, "tags").type
    assert isinstance(tags, Map) and tags.path == "/fields/3/type"
    items = record_field(root, "items").type
    assert isinstance(items, Array) and items.path == "/fields/4/type"
    assert isinstance(items.items, Union) and items.items.path == "/fields/4/type/items"
    reading = record_field(root, "reading").type
    assert isinstance(reading, Record)
    at = record_field(reading, "at").type
    assert isinstance(at, Primitive) and at.path == "/fields/2/type/fields/1/type"
    assert at.logical is not None and at.logical.name == "timestamp-millis"
    assert dict(at.props) == {"logicalType": "timestamp-millis"}


def test_fields_without_details_read_as_defaults() -> None:
    """A field with only a name, a type and a default has no doc, aliases or props, and the
    ascending order; a detailed field keeps all of them."""
    root = parse_schema(SCHEMA).root
    assert isinstance(root, Record)
    plain = record_field(root, "level")
    assert (plain.doc, plain.aliases, plain.order, dict(plain.props)) == (
        None,
        (),
        "ascending",
        {},
    )
    assert plain.default is None and plain.has_default
    assert record_field(root, "id").default is NO_DEFAULT
    detailed = record_field(root, "reading")
    assert detailed.doc == "The reading."
    assert detailed.aliases == ("sample",)
    assert detailed.order == "descending"
    assert dict(detailed.props) == {"x-owner": "fleet"}
    assert not detailed.has_default


def test_nodes_without_properties_share_no_per_node_dict() -> None:
    """Nodes with no extra properties all have the same empty mapping."""
    root = parse_schema(SCHEMA).root
    assert isinstance(root, Record)
    tags = record_field(root, "tags").type
    assert isinstance(tags, Map)
    assert tags.props == {} and tags.props is root.props is record_field(root, "id").props


def test_the_same_structure_gets_the_same_shape_and_a_change_another() -> None:
    """Shapes: equal for equal structure in separate parses, different after a change."""
    first = parse_schema(SCHEMA).root
    second = parse_schema(json.dumps(SCHEMA)).root
    assert first.shape and first.shape == second.shape
    changed = json.loads(json.dumps(SCHEMA))
    changed["fields"][0]["aliases"] = ["ident"]
    assert parse_schema(changed).root.shape not in (0, first.shape)
    defaulted = json.loads(json.dumps(SCHEMA))
    defaulted["fields"][0]["default"] = ""
    assert parse_schema(defaulted).root.shape not in (0, first.shape)


def test_enum_and_record_are_registered_by_full_name() -> None:
    """Every named type is in `Schema.named`, by full name."""
    schema = parse_schema(
        {
            "type": "record",
            "name": "R",
            "namespace": "a.b",
            "fields": [
                {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
                {"name": "again", "type": "E"},
            ],
        }
    )
    assert sorted(schema.named) == ["a.b.E", "a.b.R"]
    enum = schema.named["a.b.E"]
    assert isinstance(enum, Enum) and enum.path == "/fields/0/type"
    root = schema.root
    assert isinstance(root, Record) and root.fields[1].type is enum


def test_parse_gives_the_collector_back_as_it_was(collector: bool) -> None:
    """parse_schema pauses the cyclic collector and restores its state, on success and error."""
    parse_schema(SCHEMA)
    assert gc.isenabled() is collector
    with pytest.raises(Exception, match="unknown type"):
        parse_schema({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]})
    assert gc.isenabled() is collector


def test_a_null_default_of_an_empty_union_is_refused_where_it_is() -> None:
    """An empty union has no branch a null default could match: refused at the default."""
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "f", "type": [], "default": None}],
    }
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(schema)
    assert caught.value.location.path == "/fields/0/default"
    assert parse_schema(schema, strict=False).root.type == "record"
