"""What the generated values are: edge values, logical types in range, unions, recursion."""

from __future__ import annotations

import datetime
import math
import struct
import uuid
from decimal import Decimal
from random import Random
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from devicecontracts.schema import parse_schema
from devicecontracts.testing import from_avro_schema

from ..support.schemas import FAST, GEO

UTC = datetime.UTC
FLT_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]
PATIENT = settings(max_examples=1000, database=None, deadline=None)


def reach(strategy: st.SearchStrategy[Any], condition: Any) -> Any:
    """The simplest value meeting ``condition``, searched with a fixed seed (never flaky)."""
    return find(strategy, condition, settings=PATIENT, random=Random(0))


def values(schema: Any, **options: Any) -> st.SearchStrategy[Any]:
    return from_avro_schema(schema, **options)


def record(*fields: tuple[str, Any], name: str = "R") -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "namespace": "t",
        "fields": [{"name": n, "type": t} for n, t in fields],
    }


# ---------------------------------------------------------------------------------------------
# Edge values


@pytest.mark.parametrize(
    ("schema", "edge"),
    [
        ("int", -(2**31)),
        ("int", 2**31 - 1),
        ("long", -(2**63)),
        ("long", 2**63 - 1),
    ],
)
def test_integer_bounds_are_reached(schema: str, edge: int) -> None:
    """int and long values reach both ends of their range."""
    assert reach(values(f'"{schema}"'), lambda x: x == edge) == edge


@pytest.mark.parametrize(
    "wanted",
    [
        math.isnan,
        lambda x: x == math.inf,
        lambda x: x == -math.inf,
        lambda x: x == 0 and math.copysign(1.0, x) < 0,
        lambda x: abs(x) == FLT_MAX,
    ],
    ids=["nan", "inf", "-inf", "-0.0", "float32-max"],
)
def test_float_extremes_are_reached(wanted: Any) -> None:
    """float values reach NaN, both infinities, -0.0 and float32's largest value."""
    reach(values('"float"'), wanted)


@FAST
@given(values('"float"'))
def test_floats_are_exact_float32(x: float) -> None:
    """Every float value is exactly representable in 32 bits, so it survives the wire."""
    back = struct.unpack("<f", struct.pack("<f", x))[0]
    assert (math.isnan(x) and math.isnan(back)) or (back == x)


@pytest.mark.parametrize(
    "wanted",
    [
        math.isnan,
        lambda x: x == math.inf,
        lambda x: x == 0 and math.copysign(1.0, x) < 0,
        lambda x: abs(x) > FLT_MAX,
    ],
    ids=["nan", "inf", "-0.0", "beyond-float32"],
)
def test_double_extremes_are_reached(wanted: Any) -> None:
    """double values reach NaN, infinity, -0.0 and magnitudes beyond float32."""
    reach(values('"double"'), wanted)


@given(values('"double"', allow_nan=False, allow_infinity=False))
@FAST
def test_nan_and_infinity_can_be_turned_off(x: float) -> None:
    """allow_nan=False and allow_infinity=False leave only finite values."""
    assert math.isfinite(x)


@pytest.mark.parametrize(
    "wanted",
    [
        lambda s: s == "",
        lambda s: any(ord(c) > 127 for c in s),
        lambda s: any(ord(c) > 0xFFFF for c in s),
        lambda s: len(s) >= 50,
    ],
    ids=["empty", "non-ascii", "astral", "long"],
)
def test_strings_reach_empty_long_and_non_ascii(wanted: Any) -> None:
    """Strings are sometimes empty, sometimes long, sometimes beyond ASCII and the BMP."""
    reach(values('"string"'), wanted)


@FAST
@given(values({"type": "map", "values": "string"}))
def test_text_never_holds_lone_surrogates(value: dict[str, str]) -> None:
    """Map keys and values encode to UTF-8: no lone surrogates."""
    for text in [*value, *value.values()]:
        text.encode("utf-8")


@pytest.mark.parametrize(
    "schema",
    [{"type": "array", "items": "int"}, {"type": "map", "values": "int"}],
    ids=["array", "map"],
)
def test_collections_are_empty_and_not(schema: Any) -> None:
    """Arrays and maps come empty and non-empty."""
    assert reach(values(schema), lambda c: True) in ([], {})
    assert len(reach(values(schema), lambda c: len(c) > 0)) == 1


@FAST
@given(values({"type": "array", "items": {"type": "array", "items": "int"}}, max_collection_size=3))
def test_collection_size_is_bounded(value: list[list[int]]) -> None:
    """max_collection_size bounds every array and map."""
    assert len(value) <= 3 and all(len(inner) <= 3 for inner in value)


def test_every_enum_symbol_and_union_branch_is_generated() -> None:
    """Each enum symbol, and each branch of a union, shows up."""
    enum = {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}
    for symbol in ("A", "B", "C"):
        assert reach(values(enum), lambda s, symbol=symbol: s == symbol) == symbol
    union = ["null", "int", "string", record(("x", "int"))]
    for kind in (type(None), int, str, dict):
        reach(values(union), lambda v, kind=kind: type(v) is kind)


def test_null_is_the_simplest_union_value() -> None:
    """Unions shrink to null wherever it is declared in the union."""
    assert reach(values(["int", "null"]), lambda v: True) is None


# ---------------------------------------------------------------------------------------------
# Logical types


@FAST
@given(
    values(
        record(
            ("ts_ms", {"type": "long", "logicalType": "timestamp-millis"}),
            ("ts_us", {"type": "long", "logicalType": "timestamp-micros"}),
            ("lts_ms", {"type": "long", "logicalType": "local-timestamp-millis"}),
            ("lts_us", {"type": "long", "logicalType": "local-timestamp-micros"}),
            ("t_ms", {"type": "int", "logicalType": "time-millis"}),
            ("t_us", {"type": "long", "logicalType": "time-micros"}),
            ("day", {"type": "int", "logicalType": "date"}),
        )
    )
)
def test_temporal_values_are_aligned_to_their_unit(value: dict[str, Any]) -> None:
    """Timestamps are UTC-aware (local ones naive) and, like times, aligned to their unit."""
    assert value["ts_ms"].tzinfo is UTC and value["ts_ms"].microsecond % 1000 == 0
    assert value["ts_us"].tzinfo is UTC
    assert value["lts_ms"].tzinfo is None and value["lts_ms"].microsecond % 1000 == 0
    assert value["lts_us"].tzinfo is None
    assert isinstance(value["t_ms"], datetime.time) and value["t_ms"].microsecond % 1000 == 0
    assert isinstance(value["t_us"], datetime.time)
    assert type(value["day"]) is datetime.date


@pytest.mark.parametrize(
    ("schema", "precision", "scale"),
    [
        ({"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}, 4, 2),
        ({"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 0}, 38, 0),
        (
            {
                "type": "fixed",
                "name": "Money",
                "size": 3,
                "logicalType": "decimal",
                "precision": 6,
                "scale": 6,
            },
            6,
            6,
        ),
    ],
    ids=["bytes-4-2", "bytes-38-0", "fixed3-6-6"],
)
def test_decimals_keep_precision_and_scale(schema: Any, precision: int, scale: int) -> None:
    """Decimals have exactly `scale` places, at most `precision` digits, and reach the bound."""

    @FAST
    @given(values(schema))
    def check(value: Decimal) -> None:
        _sign, digits, exponent = value.as_tuple()
        assert exponent == -scale
        assert len(digits) <= precision

    check()
    largest = Decimal(10**precision - 1).scaleb(-scale)
    reach(values(schema), lambda d: abs(d) == largest)


def test_uuids_and_durations() -> None:
    """uuid values are UUID objects; durations are 12 bytes whose parts reach 2**32-1."""
    assert reach(values({"type": "string", "logicalType": "uuid"}), lambda u: True) == uuid.UUID(
        int=0
    )
    duration = {"type": "fixed", "name": "D", "size": 12, "logicalType": "duration"}
    found = reach(values(duration), lambda b: b[8:] == b"\xff" * 4)
    assert len(found) == 12


# ---------------------------------------------------------------------------------------------
# Recursion and references

TREE = {
    "type": "record",
    "name": "Tree",
    "fields": [
        {"name": "children", "type": {"type": "array", "items": "Tree"}},
        {"name": "parent", "type": ["null", "Tree"]},
    ],
}


def depth(tree: dict[str, Any] | None) -> int:
    if tree is None:
        return 0
    below = [depth(child) for child in tree["children"]] + [depth(tree["parent"])]
    return 1 + max(below)


@pytest.mark.parametrize("max_depth", [1, 2, 4])
def test_recursion_stops_at_max_depth(max_depth: int) -> None:
    """A recursive record nests exactly up to max_depth levels, never more."""

    @FAST
    @given(values(TREE, max_depth=max_depth))
    def check(tree: dict[str, Any]) -> None:
        assert depth(tree) <= max_depth

    check()
    reach(values(TREE, max_depth=max_depth), lambda t: depth(t) == max_depth)


def test_named_types_come_from_other_schemas() -> None:
    """Types defined in other schemas are supplied as schemas or as parsed named types."""
    user = record(("at", "com.acme.shared.Geo"))
    as_list = reach(values(user, named_types=[GEO]), lambda v: True)
    as_mapping = reach(values(user, named_types=dict(parse_schema(GEO).named)), lambda v: True)
    assert as_list == as_mapping == {"at": {"lat": 0.0, "lon": 0.0}}


# ---------------------------------------------------------------------------------------------
# Overrides

TWO_PLACES = record(
    ("home", GEO),
    ("work", ["null", "com.acme.shared.Geo"]),
    ("name", "string"),
)


def test_a_named_type_override_applies_everywhere() -> None:
    """Overriding a named type replaces it wherever the schema uses it."""
    fixed = {"lat": 1.5, "lon": 2.5}
    strategy = values(TWO_PLACES, overrides={"com.acme.shared.Geo": st.just(fixed)})
    value = reach(strategy, lambda v: v["work"] is not None)
    assert value["home"] == value["work"] == fixed


def test_a_field_override_applies_to_that_field_only() -> None:
    """Overriding a field path replaces that field's values and nothing else."""
    strategy = values(TWO_PLACES, overrides={"t.R.name": st.sampled_from(["x", "y"])})

    @FAST
    @given(strategy)
    def check(value: dict[str, Any]) -> None:
        assert value["name"] in ("x", "y")

    check()
    assert reach(strategy, lambda v: True)["home"] == {"lat": 0.0, "lon": 0.0}


def test_overridden_branches_are_still_tagged() -> None:
    """An overridden record in an ambiguous union keeps its branch tag."""
    union = [{"type": "map", "values": "double"}, GEO]
    strategy = values(union, overrides={"com.acme.shared.Geo": st.just({"lat": 0.0, "lon": 0.0})})
    assert reach(strategy, lambda v: isinstance(v, tuple)) == (
        "com.acme.shared.Geo",
        {"lat": 0.0, "lon": 0.0},
    )
