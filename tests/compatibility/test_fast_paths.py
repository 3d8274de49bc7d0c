"""The checker's fast paths skip only what cannot break: unchanged fields of alias-free
structure. An ambiguous field alias inside an unchanged structure is still reported."""

from __future__ import annotations

import json
from typing import Any

from devicecontracts.schema import parse_schema
from devicecontracts.schema.compatibility import (
    CompatibilityCache,
    CompatibilityLevel,
    check_compatibility,
    check_parsed,
)

INNER = {
    "type": "record",
    "name": "Inner",
    "fields": [
        {"name": "a", "type": "int"},
        # "b" also answers to "a": reading Inner with itself is ambiguous (Java throws).
        {"name": "b", "type": "int", "aliases": ["a"]},
    ],
}


def outer(extra: bool, inner: Any = INNER) -> str:
    fields: list[dict[str, Any]] = [
        {"name": "id", "type": "string"},
        {"name": "inner", "type": inner},
    ]
    if extra:
        fields.append({"name": "added", "type": ["null", "int"], "default": None})
    return json.dumps({"type": "record", "name": "Outer", "namespace": "x", "fields": fields})


def test_an_ambiguous_alias_in_an_unchanged_nested_record_still_breaks() -> None:
    """The nested record is the same in both versions, yet its alias makes Java throw."""
    result = check_compatibility(outer(True), [outer(False)], CompatibilityLevel.FULL)
    assert not result.compatible
    assert {(i.kind, i.path, i.direction) for i in result.issues} == {
        ("AMBIGUOUS_ALIAS", "/fields/1/type/fields/1", "BACKWARD"),
        ("AMBIGUOUS_ALIAS", "/fields/1/type/fields/1", "FORWARD"),
    }


def test_unchanged_alias_free_fields_are_compatible_and_changes_are_found() -> None:
    """With a shared cache across versions, unchanged fields pass and a changed type does not."""
    inner = {"type": "record", "name": "Inner", "fields": [{"name": "a", "type": "int"}]}
    changed = {"type": "record", "name": "Inner", "fields": [{"name": "a", "type": "string"}]}
    v1, v2 = parse_schema(outer(False, inner)), parse_schema(outer(True, inner))
    v3 = parse_schema(outer(True, changed))
    cache = CompatibilityCache()
    assert check_parsed(v2, [v1], "FULL_TRANSITIVE", cache=cache).compatible
    broken = check_parsed(v3, [v1, v2], "FULL_TRANSITIVE", cache=cache)
    assert not broken.compatible
    assert {(i.kind, i.path, i.previous_version) for i in broken.issues} == {
        ("TYPE_MISMATCH", "/fields/1/type/fields/0/type", 1),
        ("TYPE_MISMATCH", "/fields/1/type/fields/0/type", 2),
    }


def test_issue_order_follows_field_positions() -> None:
    """Issues of one record come in the reader's field order, whatever the fast path skipped."""
    old = {
        "type": "record",
        "name": "R",
        "fields": [{"name": n, "type": "int"} for n in ("a", "b", "c", "d", "e")],
    }
    new = {
        "type": "record",
        "name": "R",
        "fields": [
            {"name": "a", "type": "string"},
            {"name": "b", "type": "int"},
            {"name": "c", "type": "boolean"},
            {"name": "d", "type": "int"},
            {"name": "z", "type": "int"},
        ],
    }
    result = check_compatibility(json.dumps(new), [json.dumps(old)], "BACKWARD")
    assert [i.path for i in result.issues] == [
        "/fields/0/type",
        "/fields/2/type",
        "/fields/4",
    ]


def test_forgetting_comparisons_frees_every_records_table_and_changes_no_verdict() -> None:
    """`forget_comparisons` drops the tables checking made on each record of a schema; the
    same check afterwards makes them again and answers the same."""
    from devicecontracts.schema import Record, parse_schema
    from devicecontracts.schema.compatibility import check_parsed, forget_comparisons

    def text(extra: str) -> str:
        inner = '{"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}'
        inner += extra + "]}"
        return (
            '{"type": "record", "name": "Outer", "fields": [{"name": "i", "type": '
            + inner
            + '}, {"name": "n", "type": "long"}]}'
        )

    old = parse_schema(text(""))
    new = parse_schema(text(', {"name": "y", "type": "int"}'))
    before = check_parsed(new, [old], "FULL_TRANSITIVE")
    records = [t for s in (old, new) for t in s.named.values() if isinstance(t, Record)]
    assert len(records) == 4 and all(r._compat_view is not None for r in records)
    for schema in (old, new):
        forget_comparisons(schema)
    assert all(r._compat_view is None for r in records)
    after = check_parsed(new, [old], "FULL_TRANSITIVE")
    assert (after.compatible, after.issues) == (before.compatible, before.issues)
    assert not before.compatible  # y has no default: new readers cannot read old data
