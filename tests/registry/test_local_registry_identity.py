"""Identity in the local registry: what counts as "the same schema" (property tests)."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.testing.registry import LocalRegistry

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
primitive = st.sampled_from(["int", "long", "string", "boolean", "double", "bytes"])


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid record with distinct field names and optional docs."""
    field_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    fields = []
    for name in field_names:
        field: dict[str, Any] = {"name": name, "type": draw(primitive)}
        if draw(st.booleans()):
            field["doc"] = draw(st.text(max_size=10))
        fields.append(field)
    return {"type": "record", "name": "R", "namespace": "com.example", "fields": fields}


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON with every object's keys in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


@settings(max_examples=40, deadline=None)
@given(schema=records(), seed=st.integers(0, 2**16), indent=st.sampled_from([None, 1, 4]))
def test_whitespace_and_key_order_do_not_make_a_new_version(
    schema: dict[str, Any], seed: int, indent: int | None
):
    """Re-registering the same schema with other formatting and key order returns the same
    id and version."""
    registry = LocalRegistry()  # in-process: no server needed to arrange and inspect
    first = registry.register("s", json.dumps(schema))
    again = registry.register("s", json.dumps(shuffled(schema, random.Random(seed)), indent=indent))
    assert again == first
    assert registry.versions("s") == [1]


@settings(max_examples=40, deadline=None)
@given(schema=records(), doc=st.text(min_size=1, max_size=10))
def test_a_doc_change_is_a_new_schema(schema: dict[str, Any], doc: str):
    """Changing only a doc is a different schema: a new version with a new id."""
    changed = {**schema, "doc": doc}
    registry = LocalRegistry()  # in-process: no server needed to arrange and inspect
    registry.set_level("NONE")
    first = registry.register("s", json.dumps(schema))
    second = registry.register("s", json.dumps(changed))
    assert (second.version, second.id) == (2, first.id + 1)
