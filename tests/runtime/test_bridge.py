"""The bridge step: device JSON validated into the model, with clear errors, then Avro."""

from __future__ import annotations

import datetime
import json
import logging
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.bridge import MIN_EPOCH_MILLIS, DeviceBridge, validate_payload
from devicecontracts.errors import PayloadValidationError
from devicecontracts.serde import Deserializer, Serializer, schema_id_of
from devicecontracts.testing import as_read, from_avro_schema

from ..support.models import VERSIONS, latest, writer_schemas
from .conftest import RUNTIME

TELEMETRY = latest("telemetry")


def payload(**changes: Any) -> dict[str, Any]:
    """A telemetry payload as firmware sends it over MQTT."""
    body: dict[str, Any] = {
        "header": {
            "device_id": "dev-7",
            "message_id": "6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11",
            "sent_at": "2024-05-01T12:00:00.250Z",
            "firmware_version": "3.1.0",
            "sequence": 12,
        },
        "readings": [
            {
                "sensor_id": "t1",
                "kind": "TEMPERATURE",
                "value": 21.5,
                "unit": "Cel",
                "sampled_at": 1714564799000,
            }
        ],
        "location": {"latitude": 52.37, "longitude": 4.89},
        "battery_mv": 3650,
        "signal_dbm": -67,
    }
    body.update(changes)
    return body


def bridge() -> DeviceBridge[Any]:
    return DeviceBridge(TELEMETRY.model, Serializer(writer_schemas()))


@pytest.mark.parametrize("form", ["text", "bytes", "dict"])
def test_valid_payload_becomes_framed_avro(form: str) -> None:
    """A valid payload, as JSON text, bytes or an already parsed dict, becomes Confluent-framed
    Avro with the schema's id, which decodes back to the same message."""
    raw = payload()
    forms = {"text": json.dumps(raw), "bytes": json.dumps(raw).encode(), "dict": raw}
    given_payload: Any = forms[form]

    value = bridge().to_avro(given_payload)
    decoded = Deserializer(TELEMETRY.model, schemas=writer_schemas()).decode(value)

    assert schema_id_of(value) == TELEMETRY.schema_id
    assert decoded.header.sent_at.isoformat() == "2024-05-01T12:00:00.250000+00:00"
    assert decoded.readings[0].sampled_at.isoformat() == "2024-05-01T11:59:59+00:00"
    assert decoded.location.altitude_m is None
    assert decoded == bridge().validate(given_payload)


@RUNTIME
@given(data=st.data())
def test_models_json_form_is_a_valid_payload(data: st.DataObject) -> None:
    """Whatever the model writes as JSON (any valid message), the bridge accepts and encodes
    to the same Avro as the model itself."""
    value = data.draw(from_avro_schema(TELEMETRY.schema, allow_nan=False, allow_infinity=False))
    message = TELEMETRY.model.from_avro_dict(
        as_read(value, TELEMETRY.schema, return_named_type=True)
    )
    serializer = Serializer(writer_schemas())

    assert bridge().to_avro(message.model_dump_json()) == serializer.encode(message)


def problems_of(raw: Any) -> tuple[tuple[str, str], ...]:
    with pytest.raises(PayloadValidationError) as caught:
        bridge().to_avro(raw)
    return caught.value.problems


def test_every_problem_is_listed_with_its_field_path() -> None:
    """A payload with several problems lists each, with the path of its field."""
    raw = payload(battery_mv="full", signal_dbm=2**40)
    raw["header"].pop("device_id")
    raw["readings"][0]["kind"] = "SMELL"
    raw["readings"][0]["sampled_at"] = "yesterday"

    paths = [path for path, _ in problems_of(raw)]

    assert paths == [
        "header.device_id",
        "readings[0].kind",
        "readings[0].sampled_at",
        "battery_mv",
        "signal_dbm",
    ]


def test_message_says_what_is_wrong_without_repeating_values() -> None:
    """The error message names the model, counts the problems and explains each, without the
    payload's values (safe to log)."""
    raw = payload(battery_mv="SECRET-VALUE")
    with pytest.raises(PayloadValidationError) as caught:
        bridge().to_avro(raw)
    message = str(caught.value)

    assert message.startswith("the payload does not fit Telemetry (1 problem): battery_mv: ")
    assert "SECRET-VALUE" not in message


def test_unknown_field_is_named() -> None:
    """With ``unknown_fields="forbid"``, a field the model does not have is reported as such,
    with the field it most likely misspells."""
    forbidding = DeviceBridge(
        TELEMETRY.model, Serializer(writer_schemas()), unknown_fields="forbid"
    )
    with pytest.raises(PayloadValidationError) as caught:
        forbidding.to_avro(payload(batery_mv=1))
    ((path, why),) = caught.value.problems
    assert path == "batery_mv"
    assert why == "not a field of Telemetry (did you mean 'battery_mv'?)"


def test_invalid_json_is_reported_with_its_position() -> None:
    """Text that is not JSON is one problem saying where the JSON breaks."""
    ((path, why),) = problems_of('{"header": ')
    assert path == "(payload)"
    assert why.startswith("not valid JSON (")


def test_oversized_payload_is_refused_before_parsing() -> None:
    """A payload over the size limit is refused without being parsed."""
    with pytest.raises(PayloadValidationError, match="more than the 100"):
        validate_payload(TELEMETRY.model, "x" * 101, max_bytes=100)


def test_payload_that_is_not_json_data_is_refused() -> None:
    """A payload that is neither text nor an object is refused with its type."""
    ((path, why),) = problems_of([1, 2])
    assert (path, why) == ("(payload)", "not JSON: list")


def test_old_firmware_payloads_validate_into_their_version() -> None:
    """A payload of an older version validates into that version's model (the bridge of old
    firmware produces old versions; consumers resolve them)."""
    v1 = VERSIONS["telemetry"][0]
    raw = payload()
    for added in ("location", "battery_mv", "signal_dbm"):
        raw.pop(added)

    value = DeviceBridge(v1.model, Serializer(writer_schemas())).to_avro(raw)

    assert schema_id_of(value) == v1.schema_id


# ---------------------------------------------------------------------------------------------
# Strict kinds, field by field, for every field type of every catalog model


def leaves(value: Any, schema: Any, named: dict[str, Any], path: str = "") -> Any:
    """(path, keys, Avro schema) of every non-null scalar, list and map of a JSON payload."""
    if isinstance(schema, str) and schema in named:
        schema = named[schema]
    if isinstance(schema, list):
        if value is None:
            return
        (schema,) = [b for b in schema if b != "null"]  # the catalog's unions: null or one type
        yield from leaves(value, schema, named, path)
        return
    if isinstance(schema, dict) and schema["type"] == "record":
        for field in schema["fields"]:
            if field["name"] not in value:
                continue  # left to its default
            here = f"{path}.{field['name']}" if path else field["name"]
            yield from leaves(value[field["name"]], field["type"], named, here)
        return
    yield path, schema


def set_at(body: Any, path: str, new: Any) -> Any:
    """A deep copy of ``body`` with the value at ``path`` (``a.b[0].c``) replaced."""
    copy = json.loads(json.dumps(body))
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    node = copy
    for part in parts[:-1]:
        try:
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]
        except (LookupError, TypeError):
            return copy  # an earlier change replaced the parent: nothing to replace
    last = parts[-1]
    if not isinstance(node, list if last.startswith("[") else dict):
        return copy
    if last.startswith("[") and int(last[1:-1]) >= len(node):
        return copy
    if last.startswith("["):
        node[int(last[1:-1])] = new
    else:
        node[last] = new
    return copy


def wrong_values(schema: Any, value: Any) -> list[tuple[Any, str]]:
    """Values of the wrong JSON kind for a field of this schema, with what each one is."""
    kind = schema if isinstance(schema, str) else schema["type"]
    logical = None if isinstance(schema, str) else schema.get("logicalType")
    if logical in ("timestamp-millis", "timestamp-micros"):
        return [
            (1714564800, "epoch seconds"),
            ("2024-05-01T12:00:00", "naive ISO text"),
            (1714564800000.5, "fractional millis"),
            ("1714564800000", "millis in quotes"),
            (True, "a boolean"),
        ]
    if logical == "decimal":
        return [(True, "a boolean"), ([], "a list")]
    if kind in ("int", "long"):
        return [(str(value), "a number in quotes"), (True, "a boolean"), (float(value), "a float")]
    if kind in ("float", "double"):
        return [(str(value), "a number in quotes"), (True, "a boolean")]
    if kind == "boolean":
        return [(1, "a number"), ("true", "a boolean in quotes")]
    if kind in ("string", "enum"):
        return [(5, "a number"), (False, "a boolean")]
    if kind == "array":
        return [({}, "an object")]
    if kind == "map":
        return [([], "a list"), ({"k": 1}, "a map of numbers")]
    raise AssertionError(f"no wrong values for {schema}")


def every_version() -> list[Any]:
    return [v for versions in VERSIONS.values() for v in versions]


@settings(RUNTIME, max_examples=10)
@pytest.mark.parametrize("version", every_version(), ids=lambda v: f"{v.contract}-v{v.number}")
@given(data=st.data())
def test_every_field_refuses_values_of_the_wrong_kind(version: Any, data: st.DataObject) -> None:
    """For every field of every catalog model, a valid message's JSON is accepted as it is, and
    the same payload with that field's value of the wrong kind (a number in quotes, a boolean
    for a number, a float for an int, epoch seconds or naive text for a timestamp) is refused
    naming exactly that field, what it expects and what arrived."""
    value = data.draw(from_avro_schema(version.schema, allow_nan=False, allow_infinity=False))
    message = version.model.from_avro_dict(as_read(value, version.schema, return_named_type=True))
    body = json.loads(message.model_dump_json())
    strict = DeviceBridge(version.model, Serializer(writer_schemas()), unknown_fields="forbid")
    assert strict.validate(body) == message
    parsed = version.model.parsed_avro_schema()

    for path, schema in leaves(body, parsed, parsed["__named_schemas"]):
        here: Any = body
        for wrong, what in wrong_values(schema, _value_at(body, path)):
            with pytest.raises(PayloadValidationError) as caught:
                strict.validate(set_at(here, path, wrong))
            ((where, why),) = caught.value.problems
            assert where == (f"{path}.k" if what == "a map of numbers" else path), what
            assert why.startswith("expected ") and ", arrived " in why, why


def _value_at(body: Any, path: str) -> Any:
    node = body
    for part in [p for p in path.replace("[", ".[").split(".") if p]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    return node


@pytest.mark.parametrize(
    ("field", "wrong", "arrived"),
    [
        ("battery_mv", "3650", "arrived a string (a number in quotes: send it unquoted)"),
        ("battery_mv", True, "arrived a boolean"),
        ("battery_mv", 3650.0, "arrived a number with a point"),
        ("signal_dbm", -67.5, "arrived a number with a fraction"),
    ],
)
def test_numbers_are_strict(field: str, wrong: Any, arrived: str) -> None:
    """An int field refuses a number in quotes, a boolean and a float, saying what it expects
    and what arrived, in the firmware's terms."""
    ((path, why),) = problems_of(payload(**{field: wrong}))
    assert path == field
    assert why == f"expected a whole number from -2147483648 to 2147483647 (int) or null, {arrived}"


def test_number_for_a_double_may_be_whole() -> None:
    """A double field takes a whole JSON number (no float is narrowed to an int, only the
    other way round)."""
    raw = payload()
    raw["readings"][0]["value"] = 21
    assert bridge().validate(raw).readings[0].value == 21.0


# ---------------------------------------------------------------------------------------------
# Timestamps


def sent_at(value: Any) -> Any:
    raw = payload()
    raw["header"]["sent_at"] = value
    return raw


def test_epoch_millis_and_offset_iso_text_are_the_same_instant() -> None:
    """Epoch milliseconds, ISO text in UTC and ISO text with another offset give one instant,
    in UTC."""
    forms = [1714564800250, "2024-05-01T12:00:00.250Z", "2024-05-01T14:00:00.250+02:00"]
    instants = {bridge().validate(sent_at(form)).header.sent_at for form in forms}
    assert [t.isoformat() for t in instants] == ["2024-05-01T12:00:00.250000+00:00"]


def test_epoch_seconds_are_refused_saying_so() -> None:
    """A number that can only be epoch seconds is refused, naming the 1970 date it would be as
    milliseconds and asking for milliseconds."""
    ((path, why),) = problems_of(sent_at(1714564800))
    assert path == "header.sent_at"
    assert "(it would be 1970-01-20T20:16:04Z): epoch seconds? Multiply by 1000" in why
    assert why.startswith("expected epoch milliseconds or ISO 8601 text with an offset")


def test_the_seconds_threshold_is_min_epoch_millis() -> None:
    """`MIN_EPOCH_MILLIS` is the smallest number taken as milliseconds; one less is refused,
    and so is its negative counterpart."""
    assert bridge().validate(sent_at(MIN_EPOCH_MILLIS)).header.sent_at.isoformat() == (
        "1970-04-26T17:46:40+00:00"
    )
    for refused in (MIN_EPOCH_MILLIS - 1, 0, -MIN_EPOCH_MILLIS + 1):
        ((_, why),) = problems_of(sent_at(refused))
        assert "epoch seconds?" in why


def test_naive_iso_text_is_refused() -> None:
    """ISO text without an offset is refused: its time zone would be a guess."""
    ((path, why),) = problems_of(sent_at("2024-05-01T12:00:00"))
    assert path == "header.sent_at"
    assert why.endswith(
        "arrived ISO 8601 text without an offset: add Z (UTC) or the device's "
        "offset, such as +02:00"
    )


@pytest.mark.parametrize("wrong", [1714564800000.0, "1714564800000", "yesterday", 10**20])
def test_other_timestamp_forms_are_refused(wrong: Any) -> None:
    """Fractional or quoted millis, free text and numbers past year 9999 are refused."""
    ((path, _),) = problems_of(sent_at(wrong))
    assert path == "header.sent_at"


# ---------------------------------------------------------------------------------------------
# Unknown fields and IoT Core enrichment


def test_unknown_fields_are_dropped_by_default_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """By default a field the contract lacks (top level or nested) is dropped, the message
    kept, and each such field logged once with a "did you mean" for a near-miss."""
    raw = payload(batery_mv=1, boot_reason="watchdog")
    raw["header"]["boot_id"] = 3
    lenient = bridge()

    with caplog.at_level(logging.WARNING, logger="devicecontracts.bridge"):
        first = lenient.validate(raw)
        lenient.validate(raw)

    assert first == bridge().validate(payload())
    assert [r.getMessage() for r in caplog.records] == [
        "Telemetry payloads carry header.boot_id, which the contract does not have: dropped",
        "Telemetry payloads carry batery_mv, which the contract does not have: dropped "
        "(did you mean 'battery_mv'?)",
        "Telemetry payloads carry boot_reason, which the contract does not have: dropped",
    ]


def test_forbid_refuses_nested_unknown_fields_too() -> None:
    """With ``forbid`` an unknown nested field is a problem at its path."""
    raw = payload()
    raw["header"]["deviceId"] = "dev-7"
    forbidding = DeviceBridge(
        TELEMETRY.model, Serializer(writer_schemas()), unknown_fields="forbid"
    )
    with pytest.raises(PayloadValidationError) as caught:
        forbidding.validate(raw)
    assert caught.value.problems == (
        ("header.deviceId", "not a field of DeviceHeader (did you mean 'device_id'?)"),
    )


def test_missing_field_points_at_its_misspelling() -> None:
    """A required field that is missing names the payload field that likely misspells it."""
    raw = payload()
    raw["header"]["devce_id"] = raw["header"].pop("device_id")
    ((path, why),) = problems_of(raw)
    assert path == "header.device_id"
    assert why == "missing: expected a string (string) (the payload has 'devce_id': a misspelling?)"


def test_enum_symbol_near_miss_is_suggested() -> None:
    """An enum value that is not a symbol lists the symbols and suggests the near one."""
    raw = payload()
    raw["readings"][0]["kind"] = "temperature"
    ((path, why),) = problems_of(raw)
    assert path == "readings[0].kind"
    assert why.startswith("expected one of UNKNOWN, TEMPERATURE, HUMIDITY")
    assert why.endswith("arrived a string that is none of them (did you mean TEMPERATURE?)")


def iot_bridge(**options: Any) -> DeviceBridge[Any]:
    return DeviceBridge(
        TELEMETRY.model,
        Serializer(writer_schemas()),
        enrichment={"thing": "header.device_id", "received_at": None},
        **options,
    )


def test_enrichment_fields_are_mapped_or_dropped_even_when_forbidding() -> None:
    """IoT Core's ``topic(2) AS thing`` fills the mapped field and ``timestamp() AS
    received_at`` is dropped, with unknown fields otherwise forbidden; the caller's payload
    is left as it was."""
    raw = payload(thing="dev-7", received_at=1714564800999)
    raw["header"].pop("device_id")
    before = json.loads(json.dumps(raw))

    message = iot_bridge(unknown_fields="forbid").validate(raw)

    assert message == bridge().validate(payload())
    assert raw == before


def test_enrichment_that_contradicts_the_payload_is_refused() -> None:
    """A device whose payload names another thing than its topic is refused."""
    with pytest.raises(PayloadValidationError) as caught:
        iot_bridge().validate(payload(thing="dev-8"))
    ((path, why),) = caught.value.problems
    assert path == "header.device_id"
    assert why.startswith("differs from 'thing', which the IoT rule adds")


def test_bad_options_fail_at_construction() -> None:
    """An unknown policy or an enrichment target that is not a field raises ValueError when the
    bridge is built, not per payload."""
    with pytest.raises(ValueError, match="'forbid' or 'ignore'"):
        DeviceBridge(TELEMETRY.model, unknown_fields="allow")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"'header\.thing', which is not a field of Telemetry"):
        DeviceBridge(TELEMETRY.model, enrichment={"thing": "header.thing"})


# ---------------------------------------------------------------------------------------------
# Bounded, and only ever the documented error

PYTHON_WORDING = ("Input should", "pydantic", "type=", "https://", "Value error", "datetime.")


def assert_speaks_to_firmware(error: PayloadValidationError) -> None:
    """The message and every problem avoid Python and pydantic wording."""
    texts = [str(error), *(why for _, why in error.problems)]
    for text in texts:
        for word in PYTHON_WORDING:
            assert word not in text, text


def test_value_errors_of_the_model_are_worded_for_firmware() -> None:
    """What the model refuses after the walk (a UUID that is not one, an int out of range)
    is worded as expected versus arrived too."""
    raw = payload(signal_dbm=2**40)
    raw["header"]["message_id"] = "not-a-uuid"
    with pytest.raises(PayloadValidationError) as caught:
        bridge().validate(raw)
    assert_speaks_to_firmware(caught.value)
    assert dict(caught.value.problems) == {
        "header.message_id": "expected a UUID string such as 6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11 "
        "(uuid), arrived a string that is not a UUID",
        "signal_dbm": "expected a whole number from -2147483648 to 2147483647 (int), arrived a "
        "number out of that range",
    }


def test_deep_nesting_is_refused_quickly() -> None:
    """A payload nested far deeper than any contract is refused as invalid JSON at once."""
    deep = '{"readings": ' + "[" * 100_000 + "]" * 100_000 + "}"
    started = time.perf_counter()
    ((path, why),) = problems_of(deep)
    assert time.perf_counter() - started < 1
    assert path == "(payload)"
    assert "recursion limit" in why


def test_too_many_problems_are_counted_not_all_listed() -> None:
    """A payload with thousands of bad readings lists ten problems and counts the rest."""
    raw = payload(readings=[{"sensor_id": 1}] * 2000)
    with pytest.raises(PayloadValidationError) as caught:
        bridge().validate(raw)
    assert "(10000 problems)" in str(caught.value)
    assert str(caught.value).endswith("; and 9990 more")
    assert len(caught.value.problems) == 100


def test_python_values_that_are_not_json_are_refused() -> None:
    """A dict handed over from Python with a key or a value JSON cannot hold is refused (or
    the key dropped as unknown), never crashing the bridge."""
    raw: Any = payload()
    raw[1] = "one"
    raw["header"]["sent_at"] = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    with pytest.raises(PayloadValidationError) as caught:
        DeviceBridge(
            TELEMETRY.model, Serializer(writer_schemas()), unknown_fields="forbid"
        ).validate(raw)
    assert [path for path, _ in caught.value.problems] == ["header.sent_at", "1"]
    assert caught.value.problems[0][1].endswith("arrived datetime (not JSON)")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@RUNTIME
@given(anything=JSON_VALUES | st.text() | st.binary())
def test_random_input_raises_only_the_documented_error(anything: Any) -> None:
    """Random JSON values, text and bytes are accepted or refused with PayloadValidationError
    worded for firmware; nothing else escapes."""
    for form in (anything, json.dumps(anything) if not isinstance(anything, bytes) else anything):
        try:
            bridge().validate(form)
        except PayloadValidationError as exc:
            assert_speaks_to_firmware(exc)


@RUNTIME
@given(data=st.data())
def test_mutated_payloads_raise_only_the_documented_error(data: st.DataObject) -> None:
    """A valid payload with any field replaced by any JSON value, or dropped, is accepted or
    refused with PayloadValidationError worded for firmware."""
    raw = payload()
    parsed = TELEMETRY.model.parsed_avro_schema()
    paths = [path for path, _ in leaves(raw, parsed, parsed["__named_schemas"])]
    paths += ["header", "readings[0]", "location"]
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        raw = set_at(raw, path, data.draw(JSON_VALUES))
    for policy in ("ignore", "forbid"):
        try:
            iot_bridge(unknown_fields=policy).to_avro(raw)
        except PayloadValidationError as exc:
            assert_speaks_to_firmware(exc)
