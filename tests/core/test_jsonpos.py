"""Specification of `devicecontracts.check._jsonpos.locate`: line and column of a JSON path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.check._jsonpos import locate

SCHEMA_TEXT = """{
  "type": "record",
  "name": "R",
  "fields": [
    {"name": "a", "type": "int"},
    {
      "name": "b",
      "type": ["null", "string"],
      "default": null
    }
  ]
}"""


def test_root_is_the_first_character() -> None:
    """The path "/" is the start of the document, after leading whitespace."""
    assert locate("\n\n  {}", "/") == (3, 3)


def test_member_of_an_object() -> None:
    """A key's value is located where the value starts."""
    assert locate(SCHEMA_TEXT, "/name") == (3, 11)


def test_element_of_an_array() -> None:
    """An array index is located at that element."""
    assert locate(SCHEMA_TEXT, "/fields/1") == (6, 5)


def test_nested_path() -> None:
    """A path through objects and arrays reaches a nested value."""
    assert locate(SCHEMA_TEXT, "/fields/1/type/1") == (8, 24)
    assert locate(SCHEMA_TEXT, "/fields/1/default") == (9, 18)


def test_path_past_the_document_stops_at_the_deepest_value() -> None:
    """A path that goes beyond the document gives the deepest value that exists."""
    assert locate(SCHEMA_TEXT, "/fields/1/doc") == locate(SCHEMA_TEXT, "/fields/1")
    assert locate(SCHEMA_TEXT, "/fields/7") == locate(SCHEMA_TEXT, "/fields")


def test_escaped_tokens() -> None:
    """~1 stands for / and ~0 for ~ in a path token, as in JSON Pointer."""
    text = '{"a/b": {"c~d": 1}}'
    assert locate(text, "/a~1b/c~0d") == (1, 17)


def test_truncated_json_gives_none() -> None:
    """Text that ends before the path can be walked gives None rather than an exception."""
    assert locate('{"b": ', "/a") is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            # Schema paths never hold an empty key ("/" is the root), so keys are non-empty.
            st.text(min_size=1, max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def paths(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every JSON path in a value, with the value it leads to."""
    yield prefix or "/", value
    if isinstance(value, dict):
        for key, item in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            yield from paths(item, f"{prefix}/{token}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, f"{prefix}/{index}")


def offset_of(text: str, line: int, column: int) -> int:
    """The string offset of a 1-based line and column."""
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2, 4]), st.booleans())
def test_every_path_locates_its_value(value: Any, indent: int | None, ascii_only: bool) -> None:
    """For any JSON document and layout, decoding at the located position gives the path's value."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    decoder = json.JSONDecoder()
    for pointer, expected in paths(value):
        position = locate(text, pointer)
        assert position is not None
        found, _ = decoder.raw_decode(text, offset_of(text, *position))
        assert found == expected, pointer
