"""The value helpers (compare, untag, read forms, encode/decode) and strategies of models."""

from __future__ import annotations

import datetime
import doctest
import math
from decimal import Decimal
from random import Random
from typing import Any, ClassVar

import pytest
from hypothesis import find, given
from pydantic import BaseModel

import devicecontracts.testing
from devicecontracts.schema import parse_schema
from devicecontracts.testing import (
    InvalidStrategyArgument,
    as_read,
    decode,
    encode,
    from_avro_schema,
    from_model,
    untag,
    values_equal,
)

from ..support.schemas import FAST


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (math.nan, math.nan, True),
        (0.0, -0.0, False),
        (1, 1.0, False),
        (True, 1, False),
        (Decimal("1.20"), Decimal("1.2"), False),
        (Decimal("1.20"), Decimal("1.20"), True),
        ({"a": [math.nan]}, {"a": [math.nan]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        (("x", 1), ("x", 1), True),
        (
            datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
            datetime.datetime(2024, 1, 1),
            False,
        ),
    ],
)
def test_values_equal_is_strict_where_round_trips_must_be_exact(
    a: Any, b: Any, equal: bool
) -> None:
    """NaN equals NaN; -0.0, types, decimal exponents and time zones all count."""
    assert values_equal(a, b) is equal


SHAPES = parse_schema(
    {
        "type": "record",
        "name": "Holder",
        "namespace": "t",
        "fields": [
            {
                "name": "shape",
                "type": [
                    "null",
                    {"type": "record", "name": "A", "fields": [{"name": "r", "type": "int"}]},
                    {"type": "record", "name": "B", "fields": [{"name": "r", "type": "int"}]},
                ],
            },
            {"name": "n", "type": ["int", "long"]},
        ],
    }
)


def test_untag_and_as_read_give_the_reader_forms() -> None:
    """untag gives fastavro's default read form; as_read can keep named branches tagged."""
    value = {"shape": ("t.B", {"r": 1}), "n": ("long", 5)}
    assert untag(value) == {"shape": {"r": 1}, "n": 5}
    assert as_read(value, SHAPES, return_named_type=True) == {"shape": ("t.B", {"r": 1}), "n": 5}
    payload = encode(value, SHAPES)
    assert decode(payload, SHAPES) == untag(value)
    assert decode(payload, SHAPES, return_named_type=True) == as_read(
        value, SHAPES, return_named_type=True
    )


def test_decode_refuses_bytes_left_over() -> None:
    """Bytes the reader did not consume mean it misread them: decode says so."""
    payload = encode({"shape": None, "n": 1}, SHAPES)
    with pytest.raises(ValueError, match="not consumed"):
        decode(payload + b"\x00", SHAPES)


def test_tags_the_validator_cannot_read_still_reach_the_writer() -> None:
    """An inline enum after a string is tagged; fastavro writes (and reads) that branch."""
    union = parse_schema(["string", {"type": "enum", "name": "E", "symbols": ["A"]}])
    value = find(from_avro_schema(union), lambda v: isinstance(v, tuple), random=Random(0))
    assert value == ("E", "A")
    assert decode(encode(value, union), union, return_named_type=True) == ("E", "A")


# ---------------------------------------------------------------------------------------------
# from_model


class Point(BaseModel):
    """A plain pydantic model with an Avro schema beside it."""

    x: int
    label: str

    avro_schema_json: ClassVar[str] = (
        '{"type": "record", "name": "Point", "fields": ['
        '{"name": "x", "type": "int"}, {"name": "label", "type": "string"}]}'
    )


@FAST
@given(from_model(Point))
def test_from_model_builds_instances_of_plain_pydantic_models(point: Point) -> None:
    """A pydantic model with avro_schema_json is built through model_validate."""
    assert isinstance(point, Point) and -(2**31) <= point.x < 2**31


def test_from_model_builds_generated_models() -> None:
    """A generated model is built through from_avro_dict, union branches included."""
    telemetry = pytest.importorskip("devicecontracts.models.telemetry")
    strategy = from_model(telemetry.Telemetry, max_collection_size=2)
    assert repr(strategy) == "from_model(Telemetry, max_collection_size=2)"
    model = find(strategy, lambda m: m.location is not None, random=Random(0))
    assert isinstance(model, telemetry.Telemetry)
    assert model.location is not None


def test_from_model_refuses_classes_it_cannot_build() -> None:
    """A class without a schema, or an unknown option, fails at build time."""

    class Bare:
        pass

    with pytest.raises(InvalidStrategyArgument, match="exposes no Avro schema"):
        from_model(Bare)
    with pytest.raises(InvalidStrategyArgument, match="no constructor"):
        from_model(Bare, schema='"int"')
    with pytest.raises(InvalidStrategyArgument, match="unknown option"):
        from_model(Point, max_dept=2)


def test_the_documented_examples_hold() -> None:
    """The examples in devicecontracts.testing's docstring run as written."""
    failures, tried = doctest.testmod(devicecontracts.testing, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
