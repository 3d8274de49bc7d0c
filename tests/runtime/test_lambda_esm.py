"""Records from an event source mapping with Lambda's schema-registry integration (SOURCE and
JSON record formats), and malformed Lambda events."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
from typing import Any

import fastavro
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.errors import (
    CorruptPayload,
    DeviceContractsError,
    KafkaEventError,
    SchemaMismatch,
    UnknownSchemaId,
)
from devicecontracts.lambda_events import decode_kafka_event, kafka_records

from ..support.models import VERSIONS, latest
from .test_lambda_events import TOPIC, deserializer, msk_event, telemetry

# The record shape is AWS's "Using schema registries with Kafka event sources in Lambda"
# (services-consume-kafka-events) and Powertools for AWS Lambda (Python)'s parser model
# (aws_lambda_powertools/utilities/parser/models/kafka.py, KafkaRecordSchemaMetadata, and its
# tests/events/kafkaEventMsk.json): "valueSchemaMetadata": {"dataFormat": "AVRO", "schemaId":
# "1234"} beside the usual fields; the value stays base64.


def esm_event(value: bytes, schema_id: Any, data_format: str = "AVRO") -> dict[str, Any]:
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/fleet/abcd-1",
        "bootstrapServers": "b-2.fleet.kafka.eu-west-1.amazonaws.com:9098",
        "records": {
            f"{TOPIC}-0": [
                {
                    "topic": TOPIC,
                    "partition": 0,
                    "offset": 15,
                    "timestamp": 1545084650987,
                    "timestampType": "CREATE_TIME",
                    "key": base64.b64encode(b"dev-1").decode(),
                    "value": base64.b64encode(value).decode(),
                    "headers": [],
                    "valueSchemaMetadata": {"dataFormat": data_format, "schemaId": schema_id},
                    "keySchemaMetadata": {"dataFormat": "AVRO", "schemaId": "1234"},
                }
            ]
        },
    }


def decode_one(event: dict[str, Any]) -> Any:
    batch = decode_kafka_event(event, deserializer(), undecodable="fail")
    if batch.failures:
        raise batch.failures[0].error
    (message,) = batch.messages
    return message


@pytest.mark.parametrize("version", [1, 2, 3])
def test_source_format_body_without_header_decodes_into_the_latest_model(version: int) -> None:
    """SOURCE format: the value is the Avro body with the 5-byte header stripped, and the
    schemaId string names the writer; it resolves into the latest model."""
    framed = telemetry(version, 7)
    writer = VERSIONS["telemetry"][version - 1]

    message = decode_one(esm_event(framed[5:], str(writer.schema_id)))

    assert type(message.value) is latest("telemetry").model
    assert message.value.header.sequence == 7
    assert message.value.battery_mv == (None if version == 1 else 3700)
    assert message.record.value_schema.schema_id == str(writer.schema_id)
    assert message.record.key_schema.data_format == "AVRO"


def writer_json(version: int, tagged: bool) -> bytes:
    """Telemetry of ``version`` as writer-shaped JSON: Avro's JSON encoding (unions tagged) or
    plain JSON (unions untagged)."""
    v = VERSIONS["telemetry"][version - 1]
    datum = {
        "header": {
            "device_id": "dev-9",
            "message_id": "00000000-0000-0000-0000-000000000009",
            "sent_at": 1714521600000,
            "firmware_version": f"{version}.0.0",
            "sequence": 9,
        },
        "readings": [
            {
                "sensor_id": "t1",
                "kind": "HUMIDITY",
                "value": 41.5,
                "unit": "%",
                "sampled_at": 1714521599000,
            }
        ],
    }
    if version >= 2:
        datum["location"] = {
            "latitude": 1.5,
            "longitude": 2.5,
            "altitude_m": None,
            "accuracy_m": None,
            "speed_mps": None,
        }
        datum["battery_mv"] = 3650
    if version >= 3:
        datum["signal_dbm"] = -80
    if not tagged:
        return json.dumps(datum).encode()
    out = io.StringIO()
    parsed = v.model.parsed_avro_schema()
    fastavro.json_writer(out, parsed, [datum])
    return out.getvalue().encode()


@pytest.mark.parametrize("tagged", [False, True])
@pytest.mark.parametrize("version", [2, 3])
def test_json_format_writer_shaped_json_decodes_with_resolution(version: int, tagged: bool) -> None:
    """JSON format: the value is the record as JSON shaped by the writer's schema (unions plain
    or tagged as in Avro's JSON encoding); it is read through the writer schema of the id and
    resolved into the latest model."""
    writer = VERSIONS["telemetry"][version - 1]

    message = decode_one(esm_event(writer_json(version, tagged), str(writer.schema_id)))

    value = message.value
    assert type(value) is latest("telemetry").model
    assert (value.header.sequence, value.battery_mv, value.location.latitude) == (9, 3650, 1.5)
    assert value.readings[0].kind.value == "HUMIDITY"
    assert value.signal_dbm == (-80 if version == 3 else None)


@pytest.mark.parametrize(
    ("value", "schema_id", "data_format", "error", "text"),
    [
        (b"\x02", "3f8e0c8a-6a59-4b62-9d1e-1d3c2b1a0f9e", "AVRO", UnknownSchemaId, "Glue"),
        (b"\x02", "1", "PROTOBUF", SchemaMismatch, "reads Avro"),
        (b'{"header": {"device_id": 5}}', None, "AVRO", CorruptPayload, "header.device_id"),
        (b'{"header": 1}', None, "AVRO", CorruptPayload, "at header expected"),
        (b"\x02\x03", "999999", "AVRO", UnknownSchemaId, "999999"),
    ],
)
def test_esm_records_that_cannot_be_read_are_typed_failures(
    value: bytes, schema_id: str | None, data_format: str, error: type, text: str
) -> None:
    """A Glue (UUID) id, a non-Avro format, JSON that does not fit the writer schema and an
    unknown id are typed DecodeErrors naming the record, never anything else."""
    schema_id = schema_id or str(VERSIONS["telemetry"][1].schema_id)
    with pytest.raises(error, match=text) as caught:
        decode_one(esm_event(value, schema_id, data_format))
    assert str(caught.value).startswith(f"topic {TOPIC}, partition 0, offset 15")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.update(eventSource=["aws:kafka"]),
        lambda e: e.update(eventSource={"x": 1}),
        lambda e: first(e).update(offset=math.inf),
        lambda e: first(e).update(offset=math.nan),
        lambda e: first(e).update(offset=2**80),
        lambda e: first(e).update(offset=-1),
        lambda e: first(e).update(offset=1.5),
        lambda e: first(e).update(partition=True),
        lambda e: first(e).update(partition=[0]),
        lambda e: first(e).update(topic=7),
        lambda e: first(e).pop("offset"),
        lambda e: e.update(records=[]),
        lambda e: e["records"].update({"nodash": {"a": 1}}),
    ],
)
def test_malformed_events_raise_kafka_event_error(mutate: Any) -> None:
    """Malformed events (a list as eventSource, an offset of Infinity, NaN or past a Java long,
    a boolean partition, missing keys...) raise KafkaEventError, never TypeError or
    OverflowError."""
    event = msk_event()
    mutate(event)
    with pytest.raises(KafkaEventError):
        decode_kafka_event(event, deserializer(), undecodable="fail")


def first(event: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = event["records"][f"{TOPIC}-0"][0]
    return record


def test_numeric_strings_and_float_offsets_are_read_as_kafka_values() -> None:
    """A partition as a string of digits (as some events carry it) and an offset of 15.0 are
    read as integers."""
    event = msk_event()
    first(event).update(partition="0", offset=100.0)
    (parsed, *_) = kafka_records(event)
    assert (parsed.partition, parsed.offset) == (0, 100)


def test_bad_record_parts_are_record_failures() -> None:
    """Bad base64, headers of the wrong shape and schema metadata that is not an object are
    failures of that record alone (CorruptPayload), not of the event."""
    event = msk_event()
    first(event).update(headers=[{"h": [True]}])
    event["records"][f"{TOPIC}-0"][1].update(valueSchemaMetadata="AVRO")
    batch = decode_kafka_event(event, deserializer(), undecodable="fail")
    assert [type(f.error) for f in batch.failures][:2] == [CorruptPayload, CorruptPayload]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "eventSource",
        "records",
        "topic",
        "partition",
        "offset",
        "timestamp",
        "timestampType",
        "key",
        "value",
        "headers",
        "valueSchemaMetadata",
        "keySchemaMetadata",
    ]
)


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    """A valid MSK event with a few keys, at the event or a record, replaced or removed."""
    event = msk_event()
    records = [r for group in event["records"].values() for r in group]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from([event, *records]))
        key = draw(KEYS)
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(JSON_VALUES)
    return event


@given(mutated_events())
def test_mutated_events_only_raise_the_documented_errors(event: Any) -> None:
    """Whatever is swapped or removed in an event, decoding returns a batch (with typed record
    failures) or raises KafkaEventError; the batch response is always JSON."""
    try:
        batch = decode_kafka_event(event, deserializer(), undecodable="fail")
    except KafkaEventError:
        return
    assert all(isinstance(f.error, DeviceContractsError) for f in batch.failures)
    json.dumps(batch.response(), allow_nan=False)


@given(JSON_VALUES)
def test_any_json_value_as_an_event_raises_only_kafka_event_error(event: Any) -> None:
    """Any JSON value at all as the event decodes or raises KafkaEventError."""
    with contextlib.suppress(KafkaEventError):
        decode_kafka_event(event, deserializer(), undecodable="fail")


def test_huge_values_are_record_failures() -> None:
    """Multi-megabyte values (an Avro body with 4 MB of trailing garbage, 4 MB that is not
    base64, 4 MB of JSON under schema metadata) are failures of their records, typed."""
    good = telemetry(3, 1)
    event = msk_event()
    records = event["records"][f"{TOPIC}-0"]
    records[0]["value"] = base64.b64encode(good + bytes(4_000_000)).decode()
    records[1]["value"] = "%" * 4_000_000
    records[2]["value"] = base64.b64encode(b'{"a": "' + b"x" * 4_000_000 + b'"}').decode()
    v2_id = str(VERSIONS["telemetry"][1].schema_id)
    records[2]["valueSchemaMetadata"] = {"dataFormat": "AVRO", "schemaId": v2_id}

    batch = decode_kafka_event(event, deserializer(), undecodable="fail")

    failed = {f.record.offset: type(f.error) for f in batch.failures}
    assert (failed[100], failed[101], failed[102]) == (CorruptPayload,) * 3
