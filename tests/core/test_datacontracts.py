"""`devicecontracts.datacontracts`: the registry entities and rule evaluation (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.datacontracts import (
    ACTIONS,
    DOMAIN_MODES,
    MIGRATION_MODES,
    Metadata,
    Rule,
    RuleSet,
    metadata_from_registry,
    rule_set_from_registry,
)
from devicecontracts.datacontracts._eval import (
    RuleEvaluationError,
    cel_syntax_error,
    condition_failure,
    field_tags,
    jsonata_syntax_error,
    migrate,
)
from devicecontracts.schema import Record, parse_schema

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_rules = st.builds(
    Rule,
    name=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    kind=st.sampled_from(("CONDITION", "TRANSFORM")),
    mode=st.sampled_from(DOMAIN_MODES + MIGRATION_MODES),
    type=st.sampled_from(("CEL", "CEL_FIELD", "JSONATA")),
    expr=st.none() | _text,
    doc=st.none() | _text,
    tags=st.lists(_text, max_size=3).map(tuple),
    params=st.dictionaries(_text, _text, max_size=3).map(MappingProxyType),
    on_success=st.none() | st.sampled_from(ACTIONS),
    on_failure=st.none() | st.sampled_from(ACTIONS),
    disabled=st.booleans(),
)


@given(
    domain=st.lists(_rules, max_size=3),
    migration=st.lists(_rules, max_size=2),
    enable_at=st.none() | st.sampled_from(("ALL", "CLIENT")),
)
def test_a_rule_set_survives_the_registry_json(
    domain: list[Rule], migration: list[Rule], enable_at: str | None
) -> None:
    """What `to_registry` writes, JSON-encoded and read back, is the same rule set."""
    rule_set = RuleSet(tuple(domain), tuple(migration), enable_at=enable_at)
    wire = json.loads(json.dumps(rule_set.to_registry()))
    assert rule_set_from_registry(wire).to_registry() == rule_set.to_registry()
    assert rule_set_from_registry(wire) == rule_set


@given(
    properties=st.dictionaries(_text, _text, max_size=4),
    tags=st.dictionaries(_text, st.lists(_text, min_size=1, max_size=3), max_size=3),
    sensitive=st.lists(_text, max_size=3, unique=True),
)
def test_metadata_survives_the_registry_json(
    properties: dict[str, str], tags: dict[str, list[str]], sensitive: list[str]
) -> None:
    metadata = Metadata(
        MappingProxyType(properties),
        MappingProxyType({k: tuple(sorted(v)) for k, v in tags.items()}),
        tuple(sorted(sensitive)),
    )
    wire = json.loads(json.dumps(metadata.to_registry()))
    assert metadata_from_registry(wire).to_registry() == metadata.to_registry()


def test_empty_entities_are_explicit_empty_objects() -> None:
    """Sent as ``{}``, never omitted: the registry would otherwise inherit the previous
    version's metadata and rules."""
    assert Metadata().to_registry() == {}
    assert RuleSet().to_registry() == {}
    assert not Metadata() and not RuleSet()
    assert metadata_from_registry(None) == Metadata()
    assert rule_set_from_registry({}) == RuleSet()


def test_reserved_names_come_from_the_confluent_property() -> None:
    metadata = Metadata(MappingProxyType({"confluent:reserved": "a, b,,c"}))
    assert metadata.reserved == ("a", "b", "c")


@pytest.mark.parametrize(
    ("spec", "mode", "success", "action"),
    [
        (None, "WRITE", False, "ERROR"),
        (None, "READ", True, "NONE"),
        ("DLQ", "READ", False, "DLQ"),
        ("ERROR,DLQ", "WRITE", False, "ERROR"),
        ("ERROR,DLQ", "READ", False, "DLQ"),
        ("NONE,ERROR", "UPGRADE", False, "NONE"),
        ("NONE,ERROR", "DOWNGRADE", False, "ERROR"),
    ],
)
def test_a_rule_takes_the_action_of_its_mode(
    spec: str | None, mode: str, success: bool, action: str
) -> None:
    rule = Rule("r", "CONDITION", "WRITEREAD", "CEL", "true", on_failure=spec, on_success=spec)
    assert rule.action(mode, success=success) == action


def test_syntax_errors_are_reported_not_raised() -> None:
    assert cel_syntax_error("value > 1") is None
    assert cel_syntax_error("name == 'x' ; value > 1") is None
    assert cel_syntax_error("value >") is not None
    assert cel_syntax_error("name == ; value > 1") is not None  # the guard is checked too
    assert jsonata_syntax_error("$merge([$, {'a': 1}])") is None
    assert jsonata_syntax_error("$merge([") is not None


_SCHEMA = parse_schema(
    {
        "type": "record",
        "name": "Reading",
        "namespace": "com.acme",
        "fields": [
            {"name": "battery_mv", "type": ["null", "int"], "default": None},
            {"name": "serial", "type": "string", "confluent:tags": ["PII"]},
            {
                "name": "cells",
                "type": {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": "Cell",
                        "fields": [{"name": "mv", "type": "int"}],
                    },
                },
                "default": [],
            },
        ],
    }
)
_RANGE = Rule(
    "battery",
    "CONDITION",
    "WRITEREAD",
    "CEL_FIELD",
    "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500",
)


def _message(**fields: Any) -> dict[str, Any]:
    return {"battery_mv": None, "serial": "SN-1", "cells": [], **fields}


@given(st.integers(-(2**31), 2**31 - 1))
def test_a_field_range_holds_exactly_inside_the_range(mv: int) -> None:
    why = condition_failure(_RANGE, _SCHEMA.root, _message(battery_mv=mv))
    assert (why is None) == (2500 <= mv <= 4500)
    if why is not None:
        assert why.startswith(f"Reading.battery_mv = {mv}")


def test_a_guard_that_does_not_hold_passes() -> None:
    """The null branch of the union fails the guard, so the rule does not apply."""
    assert condition_failure(_RANGE, _SCHEMA.root, _message()) is None


def test_field_rules_reach_nested_records_and_filter_by_tags() -> None:
    nested = Rule("cells", "CONDITION", "WRITE", "CEL_FIELD", "name == 'mv' ; value > 0")
    assert condition_failure(nested, _SCHEMA.root, _message(cells=[{"mv": 1}])) is None
    assert condition_failure(nested, _SCHEMA.root, _message(cells=[{"mv": 1}, {"mv": 0}])) == (
        "Cell.mv = 0"
    )
    pii = Rule("pii", "CONDITION", "WRITE", "CEL_FIELD", "value.startsWith('SN-')", tags=("PII",))
    # Without the tag filter the rule would fail on battery_mv (an int has no startsWith).
    assert condition_failure(pii, _SCHEMA.root, _message(battery_mv=3000)) is None
    assert condition_failure(pii, _SCHEMA.root, _message(serial="x")) == "Reading.serial = 'x'"


def test_metadata_tags_apply_by_field_path() -> None:
    record = _SCHEMA.root
    assert isinstance(record, Record)
    metadata = Metadata(tags=MappingProxyType({"Reading.battery_mv": ("SENSOR",)}))
    assert field_tags(record, "serial", None) == {"PII"}
    assert field_tags(record, "battery_mv", metadata) == {"SENSOR"}
    glob = Metadata(tags=MappingProxyType({"com.acme.**": ("ALL",)}))
    assert field_tags(record, "serial", glob) == {"PII", "ALL"}


def test_a_message_condition_binds_the_record_and_fails_on_errors() -> None:
    rule = Rule("serial", "CONDITION", "WRITE", "CEL", "message.serial.size() > 3")
    assert condition_failure(rule, _SCHEMA.root, _message()) is None
    assert condition_failure(rule, _SCHEMA.root, _message(serial="S")) == "the condition is false"
    missing = Rule("missing", "CONDITION", "WRITE", "CEL", "message.nope == 1")
    why = condition_failure(missing, _SCHEMA.root, _message())
    assert why is not None and "nope" in why


def test_a_migration_transforms_generic_data() -> None:
    upgrade = Rule(
        "up",
        "TRANSFORM",
        "UPGRADE",
        "JSONATA",
        '$merge([$sift($, function($v, $k) {$k != "uptime_s"}), {"uptime_ms": uptime_s * 1000}])',
    )
    assert migrate(upgrade, {"uptime_s": 5, "state": "ONLINE"}) == {
        "state": "ONLINE",
        "uptime_ms": 5000,
    }
    with pytest.raises(RuleEvaluationError, match="not valid JSONata"):
        migrate(Rule("bad", "TRANSFORM", "UPGRADE", "JSONATA", "$merge(["), {})
    with pytest.raises(RuleEvaluationError, match="not a JSONata migration"):
        migrate(Rule("cel", "TRANSFORM", "UPGRADE", "CEL", "true"), {})


def test_importing_the_entities_imports_no_rule_engine() -> None:
    code = (
        "import sys, devicecontracts.datacontracts, devicecontracts.catalog._contract_file\n"
        "bad = {'celpy', 'jsonata', 'devicecontracts.datacontracts._eval'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


_names = st.sampled_from(("battery_mv", "serial", "mv", "a'b", ""))
_type_names = st.sampled_from(("INT", "LONG", "STRING", "NULL"))


@given(
    terms=st.lists(
        st.tuples(
            st.sampled_from(("name", "fullName", "typeName")),
            st.sampled_from(("==", "!=")),
            st.sampled_from(("battery_mv", "serial", "NULL", "INT", "com.acme.Reading.mv")),
            st.sampled_from(("'", '"')),
        ),
        min_size=1,
        max_size=3,
    ),
    name=_names,
    type_name=_type_names,
)
def test_a_guard_read_in_python_agrees_with_cel(
    terms: list[tuple[str, str, str, str]], name: str, type_name: str
) -> None:
    """A field guard of literal comparisons is decided without CEL (a field rule runs once per
    field of every message); it must decide exactly as CEL does."""
    from devicecontracts.datacontracts import _eval

    guard = " && ".join(f"{var} {op} {q}{lit}{q}" for var, op, lit, q in terms)
    fast = _eval._python_guard(guard)
    assert fast is not None
    full_name = f"com.acme.Reading.{name}"
    args = {"name": name, "fullName": full_name, "typeName": type_name}
    assert fast(name, full_name, type_name) == _eval._holds(
        guard, {k: _eval.to_cel(v) for k, v in args.items()}
    )


@pytest.mark.parametrize(
    "guard", ["name == 'a' || name == 'b'", "size(name) > 1", "name == 'a' && value > 1", "tags"]
)
def test_other_guards_are_left_to_cel(guard: str) -> None:
    from devicecontracts.datacontracts import _eval

    assert _eval._python_guard(guard) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("battery_mv_in_range", None),
        ("_x-1", None),
        ("été", None),
        ("r" * 64, None),
        ("r" * 65, "Rule name too long"),
        ("\U0001d49c" * 33, "Rule name too long"),  # 33 characters, 66 UTF-16 units
        (None, "Missing rule name"),
        ("", "Empty rule name"),
        ("1x", "Illegal initial character in rule name: 1x"),
        ("-x", "Illegal initial character in rule name: -x"),
        ("x y", "Illegal character in rule name: x y"),
        ("x\U0001d49c", "Illegal character in rule name: x\U0001d49c"),
    ],
)
def test_rule_names_as_the_registry_validates_them(name: str | None, problem: str | None) -> None:
    """Confluent's Rule.validate, whose words the local registry answers 42210 with."""
    from devicecontracts.datacontracts import rule_name_problem

    assert rule_name_problem(name) == problem
