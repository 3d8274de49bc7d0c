"""Shapes made on first read: the same numbers, zeros and errors as shapes made while parsing."""

from __future__ import annotations

import json
import sys

import pytest

from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Map,
    Primitive,
    Record,
    Union,
    parse_schema,
)
from devicecontracts.schema.compatibility import check_compatibility

# B refers back to A while A is being defined: A and B are recursive, C is not.
RECURSIVE = {
    "type": "record",
    "name": "A",
    "namespace": "n",
    "fields": [
        {
            "name": "b",
            "type": {
                "type": "record",
                "name": "B",
                "fields": [
                    {"name": "a", "type": ["null", "A"], "default": None},
                    {
                        "name": "c",
                        "type": {
                            "type": "record",
                            "name": "C",
                            "fields": [{"name": "x", "type": "int"}],
                        },
                    },
                ],
            },
        },
        {"name": "c2", "type": "C"},
        {"name": "many", "type": {"type": "array", "items": "B"}},
        {"name": "by", "type": {"type": "map", "values": "C"}},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
        {"name": "f", "type": {"type": "fixed", "name": "F", "size": 4}, "aliases": ["g"]},
    ],
}


def _types(root: Record) -> dict[str, AvroType]:
    return {f.name: f.type for f in root.fields}


def test_recursive_types_have_shape_zero_and_the_rest_a_shape() -> None:
    """What reaches a record defined in terms of itself is compared by identity (shape 0)."""
    root = parse_schema(RECURSIVE).root
    assert isinstance(root, Record)
    types = _types(root)
    b, many, by = types["b"], types["many"], types["by"]
    assert isinstance(b, Record) and isinstance(many, Array) and isinstance(by, Map)
    assert root.shape == 0 and b.shape == 0 and many.shape == 0
    union = b.fields[0].type
    assert isinstance(union, Union) and union.shape == 0
    c = types["c2"]
    assert c is b.fields[1].type and c.shape != 0
    assert by.shape != 0 and by.shape != c.shape
    assert isinstance(types["e"], Enum) and types["e"].shape != 0
    assert types["f"].shape != 0


def test_lazy_shapes_match_across_parses_in_any_reading_order() -> None:
    """Reading shapes top-down in one parse and bottom-up in another gives the same numbers."""
    first = parse_schema(RECURSIVE).root
    second = parse_schema(json.dumps(RECURSIVE)).root
    assert isinstance(first, Record) and isinstance(second, Record)
    top_down = [first.shape] + [t.shape for t in _types(first).values()]
    bottom_up = [t.shape for t in _types(second).values()] + [second.shape]
    assert top_down == bottom_up[-1:] + bottom_up[:-1]


def test_a_field_change_deep_inside_changes_every_enclosing_shape() -> None:
    """A lazily made shape still sees a change of a nested field's default."""
    schema = {
        "type": "record",
        "name": "Outer",
        "fields": [
            {
                "name": "inner",
                "type": {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": "Inner",
                        "fields": [{"name": "v", "type": "int"}],
                    },
                },
            }
        ],
    }
    changed = json.loads(json.dumps(schema))
    changed["fields"][0]["type"]["items"]["fields"][0]["default"] = 0
    a, b = parse_schema(schema).root, parse_schema(changed).root
    assert isinstance(a, Record) and isinstance(b, Record)
    assert a.shape and b.shape and a.shape != b.shape
    assert a.fields[0].type.shape != b.fields[0].type.shape


def test_a_missing_attribute_is_still_an_attribute_error() -> None:
    """Only ``shape`` is made on demand: other missing attributes fail as before."""
    node = parse_schema('{"type": "array", "items": "int"}').root
    with pytest.raises(AttributeError, match="'Array' object has no attribute 'fullname'"):
        _ = node.fullname  # type: ignore[attr-defined]
    assert getattr(node, "symbols", None) is None
    assert isinstance(Primitive("int"), AvroType) and Primitive("int").shape == 0


def test_deep_schemas_make_their_shapes_with_headroom() -> None:
    """A legal schema (within Jackson's 1,000 levels) whose shapes need more frames than Python's
    default stack is compared without a RecursionError."""
    depth = 950
    assert sys.getrecursionlimit() < 2 * depth
    text = '{"type": "array", "items": ' * depth + '"int"' + "}" * depth
    changed = '{"type": "array", "items": ' * depth + '"long"' + "}" * depth
    result = check_compatibility(changed, [text], "BACKWARD")
    assert result.compatible
    assert not check_compatibility(text, [changed], "BACKWARD").compatible
