"""The bridge step: device JSON validated into the model, with clear errors, then Avro."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.bridge import DeviceBridge, validate_payload
from devicecontracts.errors import PayloadValidationError
from devicecontracts.serde import Deserializer, Serializer, schema_id_of
from devicecontracts.testing import as_read, from_avro_schema

from .conftest import RUNTIME
from .support import VERSIONS, latest, writer_schemas

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
    """A field the model does not have is reported as such (firmware newer than the model, or
    a typo)."""
    ((path, why),) = problems_of(payload(batery_mv=1))
    assert path == "batery_mv"
    assert "not a field of this message" in why


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
