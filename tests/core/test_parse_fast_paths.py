"""The parser's shortcuts for common nodes read exactly as the general path does."""

from __future__ import annotations

import pytest

from devicecontracts.schema import (
    AvroType,
    Enum,
    LogicalType,
    Primitive,
    Record,
    Union,
    _parse,
    parse_schema,
)


def field_type(schema: dict[str, object], position: int = 0) -> AvroType:
    root = parse_schema(schema).root
    assert isinstance(root, Record)
    return root.fields[position].type


def record_of(*types: object, **extra: object) -> dict[str, object]:
    return {
        "type": "record",
        "name": "R",
        **extra,
        "fields": [{"name": f"f{i}", "type": t} for i, t in enumerate(types)],
    }


def test_a_primitive_with_only_a_logical_type_keeps_its_own_props() -> None:
    """Two nodes of the same (type, logicalType) pair share the logical type and shape, but
    each has its own props mapping and path."""
    node = {"type": "long", "logicalType": "timestamp-millis"}
    root = parse_schema(record_of(node, dict(node))).root
    assert isinstance(root, Record)
    first, second = (f.type for f in root.fields)
    assert isinstance(first, Primitive) and isinstance(second, Primitive)
    assert first.logical == LogicalType("timestamp-millis") and second.logical == first.logical
    assert dict(first.props) == {"logicalType": "timestamp-millis"}
    assert first.props is not second.props
    assert (first.path, second.path) == ("/fields/0/type", "/fields/1/type")
    assert first.shape == second.shape
    micros = field_type(record_of({"type": "long", "logicalType": "time-micros"}))
    assert first.shape != micros.shape
    assert first.shape != field_type(record_of("long")).shape


def test_a_misplaced_logical_type_is_ignored_but_kept_in_props() -> None:
    """uuid on an int is no logical type (Avro ignores it): the node reads as a plain int."""
    for _ in range(2):  # the second parse takes the remembered pair
        node = field_type(record_of({"type": "int", "logicalType": "uuid"}))
        assert isinstance(node, Primitive) and node.logical is None
        assert dict(node.props) == {"logicalType": "uuid"}
        assert node.shape == field_type(record_of("int")).shape


def test_the_logical_pairs_table_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its bound the table stops growing, and pairs are still read right."""
    monkeypatch.setattr(_parse, "_SIMPLE_LOGICAL", {})
    monkeypatch.setattr(_parse, "_SIMPLE_LOGICAL_LIMIT", 1)
    field_type(record_of({"type": "int", "logicalType": "date"}))
    node = field_type(record_of({"type": "string", "logicalType": "uuid"}))
    assert isinstance(node, Primitive) and node.logical == LogicalType("uuid")
    assert list(_parse._SIMPLE_LOGICAL) == [("int", "date")]


def test_known_unions_of_names_get_a_node_per_occurrence() -> None:
    """["null", "long"] met again is a new node with its own path, sharing the branches."""
    root = parse_schema(record_of(["null", "long"], ["null", "long"])).root
    assert isinstance(root, Record)
    first, second = (f.type for f in root.fields)
    assert isinstance(first, Union) and isinstance(second, Union) and first is not second
    assert first.branches == second.branches and first.shape == second.shape
    assert (first.path, second.path) == ("/fields/0/type", "/fields/1/type")


def test_a_union_holding_an_object_is_read_branch_by_branch() -> None:
    """A union with a record branch is no union of names: each branch is parsed, in place."""
    inner = {"type": "record", "name": "In", "fields": []}
    node = field_type(record_of(["null", inner]))
    assert isinstance(node, Union)
    assert [b.type for b in node.branches] == ["null", "record"]
    assert node.branches[1].path == "/fields/0/type/1"


@pytest.mark.parametrize(
    ("extra", "props"),
    [
        ({}, {}),
        ({"namespace": "a.b"}, {}),
        ({"x-owner": "fleet"}, {"x-owner": "fleet"}),
        ({"namespace": "a.b", "x-owner": "fleet"}, {"x-owner": "fleet"}),
        ({"doc": "d"}, {}),
    ],
)
def test_record_properties_are_what_the_record_declares(
    extra: dict[str, object], props: dict[str, object]
) -> None:
    """A record's props are its keys beyond the known ones, whatever its size."""
    root = parse_schema(record_of("int", **extra)).root
    assert isinstance(root, Record) and dict(root.props) == props


@pytest.mark.parametrize(
    ("extra", "props"),
    [({}, {}), ({"default": "A", "doc": "d"}, {}), ({"x-owner": "fleet"}, {"x-owner": "fleet"})],
)
def test_enum_properties_are_what_the_enum_declares(
    extra: dict[str, object], props: dict[str, object]
) -> None:
    node = field_type(record_of({"type": "enum", "name": "E", "symbols": ["A", "B"], **extra}))
    assert isinstance(node, Enum) and dict(node.props) == props
