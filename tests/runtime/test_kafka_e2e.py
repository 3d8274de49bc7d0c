"""End to end over Kafka: librdkafka's mock cluster, a local Schema Registry, old and new
firmware producing with Confluent's serializer and ours, a consumer decoding into the latest
model."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

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

from .support import VERSIONS, latest

TOPIC = "fleet.telemetry"
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


def consume(bootstrap: str, count: int) -> list[Any]:
    """``count`` messages of the topic, from the beginning, within the deadline."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "e2e",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            **QUIET,
        }
    )
    consumer.subscribe([TOPIC])
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
