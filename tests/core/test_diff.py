"""Specification of `devicecontracts.schema.diff.diff_schemas`: what changed between versions."""

from __future__ import annotations

from typing import Any

import pytest

from devicecontracts.schema import parse_schema
from devicecontracts.schema.diff import Change, diff_schemas


def rec(fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A record ``a.R`` with these fields."""
    return {"type": "record", "name": "R", "namespace": "a", "fields": fields, **extra}


def one(type_: Any, **extra: Any) -> dict[str, Any]:
    """A record ``a.R`` with one field ``x``."""
    return rec([{"name": "x", "type": type_, **extra}])


def changes(old: Any, new: Any) -> list[Change]:
    """The changes from ``old`` to ``new`` (both parsed)."""
    return diff_schemas(parse_schema(old).root, parse_schema(new).root)


def kinds(old: Any, new: Any) -> list[str]:
    """The kinds of the changes from ``old`` to ``new``."""
    return [c.kind for c in changes(old, new)]


ENUM = {"type": "enum", "name": "E", "symbols": ["A", "B"]}
DECIMAL = {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}
NESTED = {"type": "record", "name": "S", "fields": []}

CASES = {
    "enum-symbols-reordered": (
        one(ENUM),
        one({"type": "enum", "name": "E", "symbols": ["B", "A"]}),
        "/fields/0/type/symbols",
    ),
    "field-order-changed": (
        one("int"),
        one("int", order="descending"),
        "/fields/0/order",
    ),
    "field-added": (
        one("int"),
        rec([{"name": "x", "type": "int"}, {"name": "y", "type": "int", "default": 0}]),
        "/fields/1",
    ),
    "field-added-without-default": (
        one("int"),
        rec([{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]),
        "/fields/1",
    ),
    "field-removed": (
        rec([{"name": "x", "type": "int"}, {"name": "y", "type": "int", "default": 0}]),
        one("int"),
        "/fields",
    ),
    "field-removed-without-default": (
        rec([{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]),
        one("int"),
        "/fields",
    ),
    "field-renamed": (
        one("int"),
        rec([{"name": "z", "type": "int", "aliases": ["x"]}]),
        "/fields/0/name",
    ),
    "default-added": (one("int"), one("int", default=1), "/fields/0/default"),
    "default-removed": (one("int", default=1), one("int"), "/fields/0"),
    "default-changed": (one("int", default=1), one("int", default=2), "/fields/0/default"),
    "doc-changed": (one("int", doc="old"), one("int", doc="new"), "/fields/0/doc"),
    "fields-reordered": (
        rec([{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]),
        rec([{"name": "y", "type": "int"}, {"name": "x", "type": "int"}]),
        "/fields",
    ),
    "type-widened": (one("int"), one("long"), "/fields/0/type"),
    "type-widened-lossy": (one("long"), one("double"), "/fields/0/type"),
    "type-narrowed": (one("long"), one("int"), "/fields/0/type"),
    "string-bytes-changed": (one("string"), one("bytes"), "/fields/0/type"),
    "type-changed": (one("int"), one("string"), "/fields/0/type"),
    "made-optional": (one("string"), one(["null", "string"], default=None), "/fields/0/type"),
    "union-introduced": (one("string"), one(["string", "int"], default="x"), "/fields/0/type"),
    "made-required": (one(["null", "string"], default=None), one("string"), "/fields/0/type"),
    "union-removed": (one(["string", "int"]), one("string"), "/fields/0/type"),
    "union-branch-added": (
        one(["null", "int"]),
        one(["null", "int", "string"]),
        "/fields/0/type/2",
    ),
    "union-branch-removed": (
        one(["null", "int", "string"]),
        one(["null", "int"]),
        "/fields/0/type",
    ),
    "union-reordered": (one(["int", "string"]), one(["string", "int"]), "/fields/0/type"),
    "type-renamed": (rec([]), {**rec([]), "name": "T", "aliases": ["a.R"]}, "/name"),
    "namespace-changed": (rec([]), {**rec([]), "namespace": "b"}, "/namespace"),
    "enum-symbols-added": (
        one(ENUM),
        one({**ENUM, "symbols": ["A", "B", "C"]}),
        "/fields/0/type/symbols",
    ),
    "enum-symbols-removed": (one(ENUM), one({**ENUM, "symbols": ["A"]}), "/fields/0/type/symbols"),
    "enum-default-changed": (one(ENUM), one({**ENUM, "default": "A"}), "/fields/0/type/default"),
    "fixed-size-changed": (
        one({"type": "fixed", "name": "F", "size": 4}),
        one({"type": "fixed", "name": "F", "size": 8}),
        "/fields/0/type/size",
    ),
    "logical-type-changed": (
        one({"type": "long", "logicalType": "timestamp-millis"}),
        one({"type": "long", "logicalType": "timestamp-micros"}),
        "/fields/0/type",
    ),
    "decimal-changed": (one(DECIMAL), one({**DECIMAL, "scale": 3}), "/fields/0/type"),
}


@pytest.mark.parametrize(
    ("kind", "old", "new", "path"),
    [(kind, *case) for kind, case in CASES.items()],
    ids=CASES.keys(),
)
def test_each_change_kind_is_reported_once_at_its_path(
    kind: str, old: Any, new: Any, path: str
) -> None:
    """A pair of schemas differing in one way gives exactly that change, at the right path."""
    found = [c for c in changes(old, new) if c.kind == kind]
    assert [(c.kind, c.path) for c in found] == [(kind, path)]


def test_identical_schemas_have_no_changes() -> None:
    """A schema compared with itself has no changes."""
    schema = one(["null", {"type": "array", "items": ENUM}], default=None)
    assert changes(schema, schema) == []


def test_recursive_schemas_are_compared_without_looping() -> None:
    """Diffing recursive records terminates and finds the added field."""
    old = {
        "type": "record",
        "name": "N",
        "fields": [{"name": "n", "type": ["null", "N"], "default": None}],
    }
    new = {
        "type": "record",
        "name": "N",
        "fields": [
            {"name": "n", "type": ["null", "N"], "default": None},
            {"name": "v", "type": "int", "default": 0},
        ],
    }
    assert kinds(old, new) == ["field-added"]


def test_changes_inside_array_items_are_found() -> None:
    """A change to array items is reported at the items path."""
    found = changes(one({"type": "array", "items": "int"}), one({"type": "array", "items": "long"}))
    assert [(c.kind, c.path) for c in found] == [("type-widened", "/fields/0/type/items")]


def test_changes_inside_map_values_are_found() -> None:
    """A change to map values is reported at the values path."""
    found = changes(one({"type": "map", "values": "int"}), one({"type": "map", "values": "string"}))
    assert [(c.kind, c.path) for c in found] == [("type-changed", "/fields/0/type/values")]


def test_changes_inside_a_nested_record_in_a_union_are_found() -> None:
    """A field added to a record inside a union is reported at its nested path."""
    old = one(["null", {**NESTED, "fields": [{"name": "a", "type": "int"}]}], default=None)
    new = one(
        [
            "null",
            {**NESTED, "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]},
        ],
        default=None,
    )
    found = changes(old, new)
    assert [(c.kind, c.path) for c in found] == [
        ("field-added-without-default", "/fields/0/type/1/fields/1")
    ]


def test_logical_type_change_inside_an_optional_field_is_found() -> None:
    """A timestamp unit change inside ["null", long] is still logical-type-changed."""
    millis = {"type": "long", "logicalType": "timestamp-millis"}
    micros = {"type": "long", "logicalType": "timestamp-micros"}
    found = changes(one(["null", millis], default=None), one(["null", micros], default=None))
    assert [c.kind for c in found] == ["logical-type-changed"]


def test_lossy_widening_inside_an_optional_field_is_found() -> None:
    """["null", "long"] to ["null", "double"] is reported as type-widened-lossy."""
    found = kinds(one(["null", "long"], default=None), one(["null", "double"], default=None))
    assert "type-widened-lossy" in found


def test_type_change_while_made_optional_is_found() -> None:
    """string to ["null", "bytes"] is reported as string-bytes-changed as well as made-optional."""
    found = kinds(one("string"), one(["null", "bytes"], default=None))
    assert "made-optional" in found
    assert "string-bytes-changed" in found


def test_enum_symbols_added_message_mentions_the_enum_default() -> None:
    """The message of added symbols says whether old readers fall back to the enum default."""
    with_default = {**ENUM, "default": "A"}
    [change] = changes(one(with_default), one({**with_default, "symbols": ["A", "B", "C"]}))
    assert "C" in change.message and "'A'" in change.message
    [bare] = changes(one(ENUM), one({**ENUM, "symbols": ["A", "B", "C"]}))
    assert "no default" in bare.message


def test_messages_name_field_and_record() -> None:
    """A change's message names the field and its record in words."""
    [change] = changes(one("int"), one("long"))
    assert change.message == "field 'x' of a.R widened from int to long"
