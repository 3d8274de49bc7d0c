"""Bad arguments fail when the strategy is built, with a message that says what would work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from devicecontracts.catalog import load_catalog
from devicecontracts.errors import DeviceContractsError
from devicecontracts.testing import InvalidStrategyArgument, from_avro_schema

from ..support.schemas import BUNDLED, GEO

POINT = {
    "type": "record",
    "name": "Point",
    "namespace": "t",
    "fields": [{"name": "x", "type": "int"}, {"name": "at", "type": ["null", "t.Point"]}],
}


@pytest.mark.parametrize(
    ("schema", "options", "message"),
    [
        ("{not json", {}, "not valid JSON"),
        ({"type": "record", "name": "R", "fields": [{"name": "x"}]}, {}, "has no 'type'"),
        ({"type": "record", "name": "1R", "fields": []}, {}, "1R"),
        ("com.acme.Missing", {}, "named_types="),
        (42, {}, "schema must be Avro JSON text"),
        (POINT, {"overrides": {"t.Point.y": st.just(1)}}, "t.Point.at, t.Point.x"),
        (POINT, {"overrides": {"t.Pont": st.just(1)}}, "named types: t.Point"),
        (POINT, {"overrides": {"t.Point.x": 1}}, "must be a hypothesis strategy"),
        (POINT, {"overrides": [("t.Point.x", st.just(1))]}, "overrides must be a mapping"),
        (POINT, {"max_depth": 0}, "max_depth must be an integer >= 1"),
        (POINT, {"max_depth": True}, "max_depth must be an integer"),
        (POINT, {"max_collection_size": -1}, "max_collection_size must be an integer >= 0"),
        (POINT, {"allow_nan": "yes"}, "allow_nan must be True or False"),
        (POINT, {"named_types": "com.acme.shared.Geo"}, "named_types must be a mapping"),
        (POINT, {"named_types": {"t.X": "record"}}, "must be a parsed record"),
        (POINT, {"named_types": ['"int"']}, "defines no named type"),
    ],
)
def test_bad_arguments_fail_at_build_time(schema: Any, options: Any, message: str) -> None:
    """Each bad argument raises InvalidStrategyArgument naming the problem, before any draw."""
    with pytest.raises(InvalidStrategyArgument) as caught:
        from_avro_schema(schema, **options)
    assert message in str(caught.value)


def test_the_error_is_both_hypothesis_and_devicecontracts() -> None:
    """InvalidStrategyArgument is a hypothesis InvalidArgument and a DeviceContractsError."""
    assert issubclass(InvalidStrategyArgument, InvalidArgument)
    assert issubclass(InvalidStrategyArgument, DeviceContractsError)


def test_a_record_that_always_contains_itself_is_refused() -> None:
    """A recursive record without an optional way out has no finite value: refused."""
    endless = {
        "type": "record",
        "name": "Endless",
        "fields": [{"name": "next", "type": "Endless"}],
    }
    with pytest.raises(InvalidStrategyArgument, match="no finite value"):
        from_avro_schema(endless)


def test_named_types_do_not_apply_to_parsed_schemas() -> None:
    """A parsed Schema has its references resolved: named_types beside it is a mistake."""
    telemetry = load_catalog(BUNDLED).by_subject("telemetry").versions[-1].schema
    assert telemetry is not None
    with pytest.raises(InvalidStrategyArgument, match="named_types applies to JSON"):
        from_avro_schema(telemetry, named_types=[GEO])


def test_repr_shows_how_the_strategy_was_built() -> None:
    """The repr names the schema and the options that differ from the defaults (sorted)."""
    assert repr(from_avro_schema(POINT)) == "from_avro_schema('t.Point')"
    assert repr(from_avro_schema(json.dumps(POINT), max_depth=2, allow_nan=False)) == (
        "from_avro_schema('t.Point', allow_nan=False, max_depth=2)"
    )
    assert repr(from_avro_schema({"type": "array", "items": "int"})) == (
        """from_avro_schema('{"type":"array","items":"int"}')"""
    )
    shown = repr(from_avro_schema(POINT, overrides={"t.Point.x": st.just(1)}))
    assert shown == "from_avro_schema('t.Point', overrides={'t.Point.x': just(1)})"
