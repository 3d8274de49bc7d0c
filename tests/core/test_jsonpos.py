"""Specification of `devicecontracts.check._jsonpos.locate`: line and column of a JSON path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.check._jsonpos import Positions, locate

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


_WS = re.compile(r"[ \t\n\r]*")


def walked(text: str, pointer: str) -> tuple[int, int] | None:
    """The answer of a walk from the start of the text for this one path (the way findings
    were located before files were indexed), which `Positions` must reproduce."""
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def member(i: int, key: str) -> int | None:
        i = skip(i + 1)
        while text[i] != "}":
            name, i = decoder.raw_decode(text, i)
            i = skip(skip(i) + 1)
            if name == key:
                return i
            _, i = decoder.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return None

    def element(i: int, index: int) -> int | None:
        i = skip(i + 1)
        n = 0
        while text[i] != "]":
            if n == index:
                return i
            _, i = decoder.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
            n += 1
        return None

    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:] if t]
    try:
        offset = skip(0)
        for token in tokens:
            char = text[offset]
            if char == "{":
                found = member(offset, token)
            elif char == "[" and token.isdigit():
                found = element(offset, int(token))
            else:
                found = None
            if found is None:
                break
            offset = found
    except (ValueError, IndexError):
        return None
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


pointer_tokens = st.sampled_from(
    ["fields", "type", "name", "0", "1", "2", "01", "a", "²", "", "~1", "~0", "x"]
)


@st.composite
def damaged_json(draw: st.DrawFn, inserts: list[str]) -> str:
    """The JSON text of a value, indented or not, maybe broken by one of ``inserts`` (a
    character, a comment, an unclosed comment, a quote) somewhere in it."""
    text = json.dumps(draw(json_values), indent=draw(st.sampled_from([None, 0, 2])))
    insert = draw(st.sampled_from(inserts))
    if insert:
        at = draw(st.integers(min_value=0, max_value=60)) % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    return text


@settings(max_examples=300, deadline=None)
@given(
    damaged_json(["", " ", "x", "// c\n", "/*", "\x01", ",", "}", "]", '"', "0", "\\q"]),
    st.lists(st.lists(pointer_tokens, max_size=4), min_size=1, max_size=6),
)
def test_index_answers_as_the_walk_does(text: str, pointers: list[list[str]]) -> None:
    """Indexed once, any text (valid JSON, or broken by an inserted character, a comment, a
    truncation) locates every path exactly as walking it from the start would."""
    positions = Positions(text)
    for tokens in pointers:
        pointer = "/" + "/".join(tokens) if tokens[:1] != ["x"] else "/".join(tokens)
        assert positions.locate(pointer) == walked(text, pointer), (text, pointer)


def test_duplicate_keys_locate_the_first() -> None:
    """With a key given twice, the first one counts, as a walk from the start finds it."""
    text = '{"a": 1, "a": [2, 3]}'
    assert Positions(text).locate("/a") == (1, 7)
    assert Positions(text).locate("/a/1") == (1, 7)


def test_digit_tokens_index_arrays_only() -> None:
    """A digit token is an index in an array (leading zeros allowed) and a key in an object;
    a digit int() refuses gives None."""
    text = '{"0": [10, 11], "k": [1]}'
    assert Positions(text).locate("/0/01") == (1, 12)
    assert Positions(text).locate("/k/²") is None


def test_commented_text_is_walked() -> None:
    """Comments (which Avro's JSON reader allows) stop only the paths whose walk meets them."""
    text = '{"a": {"b": 1}, // note\n "c": 2}'
    assert Positions(text).locate("/a/b") == (1, 13)
    assert Positions(text).locate("/c") is None


@settings(max_examples=300, deadline=None)
@given(
    damaged_json(["", " ", "x", "// c\n", "/*", ",", "}", "]", '"', "0"]),
    st.lists(st.lists(pointer_tokens, max_size=3), min_size=1, max_size=4),
)
def test_elements_answer_as_the_walk_does(text: str, pointers: list[list[str]]) -> None:
    """`Positions.elements` gives, for each element of an array, where walking to it from the
    start finds it, and nothing past the last; or None, and then `locate` answers. Asked
    between other paths' walks, on valid or broken text."""
    positions = Positions(text)
    for tokens in pointers:
        pointer = "/" + "/".join(tokens)
        offsets = positions.elements(pointer)
        if offsets is None:
            assert positions.locate(pointer + "/0") == walked(text, pointer + "/0")
            continue
        for k, offset in enumerate(offsets):
            assert positions.line_column(offset) == walked(text, f"{pointer}/{k}")
        past = walked(text, f"{pointer}/{len(offsets)}")
        assert past == walked(text, pointer)  # no element there: the walk stops at the array
        assert positions.locate(pointer + "/1") == walked(text, pointer + "/1")


def test_elements_of_a_fields_array() -> None:
    """Each field of a record, from one scan of its fields array."""
    positions = Positions(SCHEMA_TEXT)
    offsets = positions.elements("/fields")
    assert offsets is not None
    assert [positions.line_column(i) for i in offsets] == [(5, 5), (6, 5)]
    assert positions.elements("/name") is None  # not an array
    assert positions.elements("fields") is None  # not a path from the root
    assert Positions('{"fields": [1, // c\n 2]}').elements("/fields") is None  # unreadable
