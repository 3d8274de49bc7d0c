"""How generated modules are spelled: the embedded schema split at JSON tokens, one field per
line; loop variables named after fields; exact return types."""

from __future__ import annotations

import ast
import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.codegen._text import _width, json_chunks

FAST = settings(max_examples=200, deadline=None, database=None)
WIDTH = 92

# Words of printable characters (quotes and backslashes included), short enough that no single
# word is wider than a line: only such a word may ever be cut.
_words = st.text(
    st.characters(categories=("L", "N", "P", "S"), exclude_characters=" "), max_size=30
)
_docs = st.lists(_words, max_size=12).map(" ".join)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), _docs)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from("abcd"), inner, max_size=4)
    ),
    max_leaves=12,
)
_fields = st.lists(
    st.fixed_dictionaries({"name": st.from_regex(r"[a-z]{1,8}", fullmatch=True), "doc": _docs}),
    min_size=1,
    max_size=6,
)


def _record(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "record",
        "name": "R",
        "fields": [{"name": f["name"], "type": "string", "doc": f["doc"]} for f in fields],
    }


def _values(literals: list[str]) -> list[str]:
    return [ast.literal_eval(literal) for literal in literals]


def _string_interiors(text: str) -> set[int]:
    """Offsets of ``text`` (compact JSON) that fall strictly inside a string token."""
    inside: set[int] = set()
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                continue
            inside.add(i)
        elif char == '"':
            in_string = True
    return inside


@FAST
@given(_json)
def test_the_literals_spell_the_compact_json_exactly(value: Any) -> None:
    """Concatenated, the literals are the compact JSON of the value, character for character."""
    text = "".join(_values(json_chunks(value, WIDTH)))
    assert text == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@FAST
@given(_json)
def test_lines_break_only_between_tokens_or_after_a_space(value: Any) -> None:
    """Every line fits the width and ends between JSON tokens, or inside a string right after a
    space: never inside a word."""
    literals = json_chunks(value, WIDTH)
    assert all(_width(literal) <= WIDTH for literal in literals)
    parts = _values(literals)
    text = "".join(parts)
    inside = _string_interiors(text)
    offset = 0
    for part in parts[:-1]:
        offset += len(part)
        assert offset not in inside or text[offset - 1] == " ", (text[:offset], text[offset:])


@FAST
@given(_fields, st.data())
def test_editing_one_field_changes_only_that_fields_lines(
    fields: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Changing one field's doc leaves every line before and after that field as it was."""
    index = data.draw(st.integers(0, len(fields) - 1))
    edited = copy.deepcopy(fields)
    edited[index]["doc"] = data.draw(_docs)
    before, after = json_chunks(_record(fields), WIDTH), json_chunks(_record(edited), WIDTH)
    starts = [i for i, line in enumerate(before) if line.startswith('\'{"name":')]
    assert len(starts) == len(fields)  # every field starts a line
    first = starts[index]
    last_before = len(before) - (starts[index + 1] if index + 1 < len(fields) else len(before))
    assert after[:first] == before[:first]
    if last_before:
        assert after[-last_before:] == before[-last_before:]


def test_a_long_doc_wraps_at_spaces_within_the_width() -> None:
    """A doc longer than a line is cut after spaces, each literal within the width."""
    doc = "Identifier of the sensor on the device, unique per device. " * 4
    literals = json_chunks(_record([{"name": "sensor_id", "doc": doc}]), WIDTH)
    assert all(len(literal) <= WIDTH for literal in literals)
    assert all(value.endswith((" ", ",", "[", "}", "]")) for value in _values(literals)[:-1])


def test_loop_variables_are_named_after_the_field() -> None:
    """A comprehension over ``readings`` names its variable ``reading``, not ``v0``."""
    import inspect

    from devicecontracts.models.telemetry import v3

    source = inspect.getsource(v3.Telemetry)
    assert '[{"sensor_id": reading.sensor_id, ' in source  # the nested record inlined
    assert "for reading in self.readings]" in source
    assert "for reading in data[" in source
    assert " v0 " not in source


def test_an_enum_default_is_typed_as_the_enum_itself() -> None:
    """``avro_default()`` of an enum with a default returns the enum type, not ``X | None``."""
    import typing

    from devicecontracts.models.telemetry import SensorKind

    assert typing.get_type_hints(SensorKind.avro_default)["return"] is SensorKind
    assert SensorKind.avro_default() is SensorKind.UNKNOWN
