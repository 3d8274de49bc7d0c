"""Timestamp-millis and uuid values converted once, by pydantic-core (issue 13).

A generated record holding a timestamp-millis validates with ``val_temporal_unit="milliseconds"``;
the serde reads its timestamp-millis (and every generated record's uuid strings) as the plain
wire value and lets validation convert it, and ``to_avro_dict`` writes the wire value itself.
These tests pin what must not change with it: numbers mean milliseconds, naive datetimes are
refused, micros and local timestamps keep their exact handling, a union beside another number
keeps fastavro's conversion, and an out-of-range value names its field and its number.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import sys
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import fastavro
import pytest
from pydantic import ValidationError

from devicecontracts._runtime.plans import plan_for, write_schema
from devicecontracts.errors import CorruptPayload
from devicecontracts.serde import Deserializer, Release, SchemaIds, Serializer, WriterSchemas

from ..support.codegen import write_package

UTC = dt.UTC
MILLIS = {"type": "long", "logicalType": "timestamp-millis"}
SCHEMA = {
    "type": "record",
    "name": "Event",
    "namespace": "com.example.units",
    "fields": [
        {"name": "at", "type": MILLIS},
        {"name": "maybe", "type": ["null", MILLIS], "default": None},
        {"name": "many", "type": {"type": "array", "items": MILLIS}, "default": []},
        {"name": "precise", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "wall", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "either", "type": ["null", MILLIS, "double"], "default": None},
        {
            "name": "inner",
            "type": {
                "type": "record",
                "name": "Day",
                "fields": [{"name": "day", "type": {"type": "int", "logicalType": "date"}}],
            },
        },
    ],
}


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated module of `SCHEMA`, imported."""
    root = tmp_path_factory.mktemp("units")
    schemas = root / "schemas"
    schemas.mkdir()
    (schemas / "event.avsc").write_text(json.dumps(SCHEMA), encoding="utf-8")
    out = root / "unitspkg"
    write_package(schemas, out, "unitspkg")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("unitspkg.event")
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == "unitspkg"]:
            del sys.modules[name]


def event(units: ModuleType, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "at": dt.datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=UTC),
        "maybe": dt.datetime(2024, 5, 2, tzinfo=UTC),
        "many": [
            dt.datetime(2024, 5, 3, tzinfo=UTC),
            dt.datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
        ],
        "precise": dt.datetime(2024, 5, 1, 0, 0, 0, 123_456, tzinfo=UTC),
        "wall": dt.datetime(2024, 5, 1, 8, 30),
        "id": uuid.UUID(int=7),
        "either": None,
        "inner": {"day": dt.date(2024, 5, 1)},
    }
    return units.Event(**(fields | changes))


def plain_body(**values: Any) -> bytes:
    """An Event body written from wire values (logical types ignored): any long, any string."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "logicalType"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    datum = {
        "at": 1_714_564_800_250,
        "maybe": None,
        "many": [],
        "precise": 1_714_521_600_123_456,
        "wall": 1_714_552_200_000,
        "id": str(uuid.UUID(int=7)),
        "either": None,
        "inner": {"day": 19_844},
    } | values
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(strip(SCHEMA)), datum)
    return out.getvalue()


def test_the_rule_is_per_record(units: ModuleType) -> None:
    """A record holding a timestamp-millis gets the millisecond unit; one without does not."""
    assert units.Event.model_config.get("val_temporal_unit") == "milliseconds"
    assert "val_temporal_unit" not in units.Day.model_config


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, dt.datetime(1970, 1, 1, tzinfo=UTC)),
        (1000, dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),  # pydantic alone: 1000 seconds
        (-1, dt.datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
        (1_714_521_600, dt.datetime(1970, 1, 20, 20, 15, 21, 600_000, tzinfo=UTC)),
        (1_714_521_600_123, dt.datetime(2024, 5, 1, 0, 0, 0, 123_000, tzinfo=UTC)),
    ],
)
def test_numbers_for_timestamp_millis_are_milliseconds(
    units: ModuleType, number: int, expected: dt.datetime
) -> None:
    """Small and large numbers alike mean milliseconds since the epoch, Avro's unit, in every
    position and through JSON too (in a union beside a double, a number is the double)."""
    message = event(units, at=number, maybe=number, many=[number])
    assert message.at == message.maybe == message.many[0] == expected
    assert message.at.utcoffset() == dt.timedelta(0)
    text = event(units).model_dump_json()
    document = json.loads(text) | {"at": number}
    assert units.Event.model_validate_json(json.dumps(document)).at == expected


def test_naive_datetimes_are_still_refused(units: ModuleType) -> None:
    """A naive datetime is ambiguous for an aware timestamp, with the unit set or not."""
    for field in ("at", "maybe", "precise"):
        with pytest.raises(ValidationError, match="timezone-aware"):
            event(units, **{field: dt.datetime(2024, 5, 1)})
    with pytest.raises(ValidationError, match="timezone-aware"):
        event(units, many=[dt.datetime(2024, 5, 1)])


def test_aware_values_are_normalised_to_utc_and_the_unit(units: ModuleType) -> None:
    """Other offsets move to UTC; sub-millisecond digits of a millis field are dropped; micros
    keep every digit; local timestamps stay naive and refuse an offset."""
    plus_two = dt.timezone(dt.timedelta(hours=2))
    message = event(units, at=dt.datetime(2024, 5, 1, 14, 0, 0, 250_999, tzinfo=plus_two))
    assert message.at == dt.datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=UTC)
    assert message.at.tzinfo is UTC
    assert message.precise.microsecond == 123_456
    assert message.wall.tzinfo is None
    with pytest.raises(ValidationError, match="wall-clock"):
        event(units, wall=dt.datetime(2024, 5, 1, tzinfo=UTC))


def test_the_read_plan_reads_millis_and_uuid_plain_only_where_validation_converts(
    units: ModuleType,
) -> None:
    """Fields and nullable fields and array items are read as longs and strings; a union beside
    a double keeps fastavro's conversion (an int there would validate as the double); micros,
    local timestamps and dates keep theirs."""
    plan = plan_for(units.Event)
    assert plan.plain
    fields = {f["name"]: f["type"] for f in plan._args[0]["fields"]}
    assert fields["at"] == "long"
    assert fields["maybe"] == ["null", "long"]
    assert fields["many"]["items"] == "long"
    assert fields["id"] == "string"
    assert fields["either"][1]["logicalType"] == "timestamp-millis"
    assert fields["precise"]["logicalType"] == "timestamp-micros"
    assert fields["wall"]["logicalType"] == "local-timestamp-millis"


@pytest.mark.parametrize("either", [None, 1.5, dt.datetime(2024, 1, 1, tzinfo=UTC)])
def test_values_survive_the_round_trip_exactly(units: ModuleType, either: Any) -> None:
    """Encode then decode gives the same model: millis, micros to the microsecond, local, uuid,
    date and both branches of the timestamp-or-double union."""
    message = event(units, either=either)
    ids = SchemaIds("t", {5: Release("units-value", 1, units.Event.avro_fingerprint)})
    schemas = WriterSchemas(ids=ids, models=[units.Event], models_package=None)
    value = Serializer(schemas).encode(message)
    decoded = Deserializer(units.Event, schemas=schemas).decode(value)
    assert decoded == message
    assert decoded.precise.microsecond == 123_456
    assert type(decoded.either) is type(either)
    assert decoded.wall.tzinfo is None


def test_to_avro_dict_writes_wire_values_and_the_same_bytes(units: ModuleType) -> None:
    """``to_avro_dict`` gives the long of a timestamp-millis and the string of a uuid; the
    serde's plain writer schema and fastavro's own writing of datetimes give equal bytes."""
    message = event(units)
    datum = message.to_avro_dict()
    assert datum["at"] == 1_714_564_800_250
    assert datum["many"] == [1_714_694_400_000, -60_000]
    assert datum["id"] == str(uuid.UUID(int=7))
    parsed = units.Event.parsed_avro_schema()
    natural = io.BytesIO()
    fastavro.schemaless_writer(
        natural,
        parsed,
        datum | {"at": message.at, "many": message.many, "maybe": message.maybe, "id": message.id},
    )
    plain = io.BytesIO()
    fastavro.schemaless_writer(plain, write_schema(units.Event), datum)
    assert natural.getvalue() == plain.getvalue() == message.to_avro_bytes()
    assert units.Event.from_avro_dict(datum) == message


@pytest.mark.parametrize(
    ("values", "field", "number"),
    [
        ({"at": 2**62}, "field at:", 2**62),
        ({"at": -(2**62)}, "field at:", -(2**62)),
        ({"at": 253_402_300_800_000}, "field at:", 253_402_300_800_000),
        ({"maybe": 2**60}, "field maybe:", 2**60),
        ({"many": [0, -62_135_596_800_001]}, "field many[1]:", -62_135_596_800_001),
    ],
)
def test_out_of_range_millis_name_the_field_and_the_number(
    units: ModuleType, values: dict[str, Any], field: str, number: int
) -> None:
    """A timestamp-millis outside Python's years 1 to 9999, read plain, is a CorruptPayload
    naming the field and the raw number, as when fastavro converted it."""
    with pytest.raises(CorruptPayload) as caught:
        units.Event.from_avro_bytes(plain_body(**values))
    assert field in str(caught.value)
    assert f"timestamp-millis value {number} is outside" in str(caught.value)


def test_a_uuid_that_is_no_uuid_is_corrupt_without_its_text(units: ModuleType) -> None:
    """The uuid string is payload: the error names the field, never the text."""
    with pytest.raises(CorruptPayload, match="field id: uuid value is not a UUID") as caught:
        units.Event.from_avro_bytes(plain_body(id="secret-token-not-a-uuid"))
    assert "secret" not in str(caught.value)
