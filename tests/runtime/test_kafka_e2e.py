"""End to end over Kafka: librdkafka's mock cluster, a local Schema Registry, old and new
firmware producing with Confluent's serializer and ours, a consumer decoding into the latest
model."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import io
import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext

from devicecontracts.errors import DecodeError
from devicecontracts.serde import (
    Deserializer,
    Serializer,
    WriterSchemas,
    confluent_serializer,
)
from devicecontracts.testing.registry import LocalRegistry

from ..support.models import MODELS_PACKAGE, VERSIONS, latest, write_lock

TOPIC = "fleet.telemetry"
DEAD_LETTERS = "fleet.telemetry.dlq"
DEADLINE_S = 30.0
QUIET = {"log_level": 3}  # errors only: the mock cluster is chatty at info level


@pytest.fixture
def mock_cluster() -> Iterator[tuple[Producer, str]]:
    """A producer owning a librdkafka mock cluster, and the cluster's bootstrap address."""
    producer = Producer({"test.mock.num.brokers": 1, **QUIET})
    brokers = producer.list_topics(timeout=10).brokers
    broker = next(iter(brokers.values()))
    yield producer, f"{broker.host}:{broker.port}"
    producer.flush(5)


@pytest.fixture
def registry() -> Iterator[LocalRegistry]:
    with LocalRegistry() as running:
        yield running


def telemetry(version: int, sequence: int) -> Any:
    value: dict[str, Any] = {
        "header": {
            "device_id": "dev-1",
            "message_id": uuid.UUID(int=sequence),
            "sent_at": dt.datetime(2024, 5, 1, 12, sequence, tzinfo=dt.UTC),
            "firmware_version": f"{version}.0.0",
            "sequence": sequence,
        },
        "readings": [
            {
                "sensor_id": "t1",
                "kind": "TEMPERATURE",
                "value": 20.0 + sequence,
                "unit": "Cel",
                "sampled_at": dt.datetime(2024, 5, 1, 12, sequence, tzinfo=dt.UTC),
            }
        ],
    }
    if version >= 2:
        value.update(
            location={
                "latitude": 1.5,
                "longitude": 2.5,
                "altitude_m": None,
                "accuracy_m": None,
                "speed_mps": None,
            },
            battery_mv=3600,
        )
    if version >= 3:
        value.update(signal_dbm=-60 - sequence)
    return VERSIONS["telemetry"][version - 1].model.from_avro_dict(value)


def consume(bootstrap: str, count: int, topic: str = TOPIC) -> list[Any]:
    """``count`` messages of ``topic``, from the beginning, within the deadline."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"e2e-{topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            **QUIET,
        }
    )
    consumer.subscribe([topic])
    found: list[Any] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(found) < count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            found.append(message)
    finally:
        consumer.close()
    return found


def test_old_and_new_firmware_over_kafka_decode_into_the_latest_model(
    mock_cluster: tuple[Producer, str], registry: LocalRegistry
) -> None:
    """Telemetry v1, v2 and v3 produced to the mock cluster (v1 and v3 with Confluent's
    AvroSerializer, v2 with ours), and one poisoned value, are consumed; every good value
    decodes into the latest model with the writer's data and the defaults of what it lacked,
    and the poisoned one raises a DecodeError naming its partition and offset."""
    producer, bootstrap = mock_cluster
    client = SchemaRegistryClient({"url": registry.url})
    ctx = SerializationContext(TOPIC, MessageField.VALUE)
    auto = {"auto.register.schemas": True}
    v1_serializer = confluent_serializer(client, VERSIONS["telemetry"][0].model, auto)
    v3_serializer = confluent_serializer(client, VERSIONS["telemetry"][2].model, auto)
    v2_model = VERSIONS["telemetry"][1].model
    v2_id = client.register_schema(f"{TOPIC}-value", Schema(v2_model.avro_schema_json, "AVRO"))
    ours = Serializer(ids={v2_model: v2_id})

    values = [
        v1_serializer(telemetry(1, 1), ctx),
        ours.encode(telemetry(2, 2)),
        v3_serializer(telemetry(3, 3), ctx),
        b"\x00\x00\x00\x00\x01garbage",
    ]
    for value in values:
        producer.produce(TOPIC, key=b"dev-1", value=value)
    assert producer.flush(10) == 0

    consumed = consume(bootstrap, len(values))
    assert len(consumed) == len(values)

    deserializer = Deserializer(
        latest("telemetry").model,
        schemas=WriterSchemas(registry={"url": registry.url}, models_package=None),
    )
    decoded = [
        deserializer.decode(m.value(), topic=m.topic(), partition=m.partition(), offset=m.offset())
        for m in consumed[:3]
    ]
    assert [type(d) for d in decoded] == [latest("telemetry").model] * 3
    assert [d.header.sequence for d in decoded] == [1, 2, 3]
    assert [d.battery_mv for d in decoded] == [None, 3600, 3600]
    assert [d.signal_dbm for d in decoded] == [None, None, -63]
    assert decoded[1].location.latitude == 1.5
    assert [d.readings[0].value for d in decoded] == [21.0, 22.0, 23.0]

    poisoned = consumed[3]
    with pytest.raises(DecodeError) as caught:
        deserializer.decode(
            poisoned.value(),
            topic=poisoned.topic(),
            partition=poisoned.partition(),
            offset=poisoned.offset(),
        )
    assert (caught.value.partition, caught.value.offset) == (poisoned.partition(), 3)


def msk_event_of(messages: list[Any]) -> dict[str, Any]:
    """The event Lambda's MSK event source mapping would build from these consumed records."""
    records: dict[str, list[dict[str, Any]]] = {}
    for m in messages:
        records.setdefault(f"{m.topic()}-{m.partition()}", []).append(
            {
                "topic": m.topic(),
                "partition": m.partition(),
                "offset": m.offset(),
                "timestamp": m.timestamp()[1],
                "timestampType": "CREATE_TIME",
                "key": base64.b64encode(m.key()).decode(),
                "value": base64.b64encode(m.value()).decode(),
                # Java's signed bytes, as Lambda serialises header values
                "headers": [
                    {name: [b - 256 if b > 127 else b for b in value]}
                    for name, value in (m.headers() or [])
                ],
            }
        )
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/fleet/abcd-1",
        "bootstrapServers": "b-1.fleet.kafka.eu-west-1.amazonaws.com:9098",
        "records": records,
    }


def test_readme_handler_on_msk_events_sends_poison_to_the_dead_letter_topic(
    mock_cluster: tuple[Producer, str],
    registry: LocalRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Telemetry v1, v2 and v3, a v4 registered only after the handler was deployed, and four
    poisoned records (raw JSON, truncated, an unknown id, a 1 MB value with garbage after its
    record) go through the mock cluster; the README handler, run on the MSK event built from
    them, stores every good record (v4 through the registry fallback), writes every poisoned
    one to the dead-letter topic with its original bytes and contract headers, and reports no
    batch item failure."""
    pytest.importorskip("devicecontracts.models._manifest")
    if MODELS_PACKAGE != "devicecontracts.models":
        pytest.skip("the example imports devicecontracts.models")
    _, bootstrap = mock_cluster
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 1000})  # ids apart from v4's
    for name, value in {
        "SCHEMA_REGISTRY_URL": registry.url,
        "DEVICECONTRACTS_ENVIRONMENT": "prod",
        "DEVICECONTRACTS_LOCK": str(lock),
        "DEVICECONTRACTS_DEAD_LETTER_TOPIC": DEAD_LETTERS,
        "DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS": bootstrap,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "tests.runtime.example_handler", raising=False)
    example = importlib.import_module("tests.runtime.example_handler")  # deployed with v1 to v3

    serializer = Serializer(WriterSchemas.from_environment())
    good = [serializer.encode(telemetry(version, version)) for version in (1, 2, 3)]
    good.append(v4_released_later(registry))
    poisoned = [
        b'{"header": {"device_id": "dev-1"}}',
        good[2][:-4],
        b"\x00\x00\x0f\x12\x06" + good[0][5:],
        good[2] + bytes(1_000_000),
    ]
    producer = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 4_000_000, **QUIET})
    for value in [*good, *poisoned]:
        producer.produce(TOPIC, key=b"dev-1", value=value, headers=[("origin", "é".encode())])
    assert producer.flush(10) == 0
    consumed = consume(bootstrap, len(good) + len(poisoned))
    assert [m.offset() for m in consumed] == list(range(len(consumed)))  # one partition (the key)
    event = msk_event_of(consumed)

    started = time.perf_counter()
    response = example.handler(event, None)
    elapsed = time.perf_counter() - started
    print(f"README handler: {len(good) + len(poisoned)} records in {elapsed * 1000:.1f} ms")

    assert response == {"batchItemFailures": []}
    assert [t.header.sequence for t in example.stored] == [1, 2, 3, 4]
    assert type(example.stored[3]) is latest("telemetry").model
    assert example.stored[3].signal_dbm == -64
    letters = consume(bootstrap, len(poisoned), topic=DEAD_LETTERS)
    assert [m.value() for m in letters] == poisoned
    classes = []
    for source_offset, letter in enumerate(letters, start=len(good)):
        headers = dict(letter.headers())
        assert letter.key() == b"dev-1"
        assert headers["origin"] == "é".encode()
        assert headers["devicecontracts.source.topic"] == TOPIC.encode()
        assert headers["devicecontracts.source.offset"] == str(source_offset).encode()
        assert headers["devicecontracts.source.partition"] == str(consumed[0].partition()).encode()
        assert headers["devicecontracts.source.timestamp"].isdigit()
        assert headers["devicecontracts.error.message"].startswith(f"topic {TOPIC}".encode())
        classes.append(headers["devicecontracts.error.class"])
    assert classes == [b"BadMagicByte", b"TruncatedMessage", b"UnknownSchemaId", b"CorruptPayload"]
    assert dict(letters[1].headers())["devicecontracts.subject"] == b"fleet.telemetry-value"
    example.dead_letters._producer = None  # its producer goes with the mock cluster


def v4_released_later(registry: LocalRegistry) -> bytes:
    """A telemetry v4 (v3 plus an optional field) registered now, and a value framed with the
    id the registry gave it."""
    schema = json.loads(latest("telemetry").model.avro_schema_json)
    schema["fields"].append({"name": "modem", "type": ["null", "string"], "default": None})
    client = SchemaRegistryClient({"url": registry.url})
    v4_id = client.register_schema(f"{TOPIC}-value", Schema(json.dumps(schema), "AVRO"))
    datum = telemetry(3, 4).to_avro_dict() | {"modem": "LTE-M"}
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)
    return b"\x00" + v4_id.to_bytes(4, "big") + out.getvalue()
