"""Data-contract rules end to end over librdkafka's mock cluster: a producer with rules on
refuses a record that breaks telemetry's battery rule, old firmware writes it anyway, and the
Lambda helpers with rules on send it to the rule's dead-letter topic with Confluent's
``__rule.*`` headers; a heartbeat of the old major is migrated into the new major's model."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import Producer

from devicecontracts.dead_letters import KafkaDeadLetters
from devicecontracts.errors import RuleViolationOnWrite
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer, Serializer

from ..support import majors
from ..support.models import latest, writer_schemas
from .test_kafka_e2e import QUIET, consume, mock_cluster, msk_event_of

__all__ = ["mock_cluster"]  # the fixture, shared with the other end-to-end test

TELEMETRY = latest("telemetry")
RULE_DLQ = "fleet.telemetry.dlq"  # battery_mv_in_range's dlq.topic
OWN_DLQ = "devicecontracts.dead-letters"


def telemetry(sequence: int, battery_mv: int) -> Any:
    return TELEMETRY.model.model_validate(
        {
            "header": {
                "device_id": "dev-1",
                "message_id": uuid.UUID(int=sequence),
                "sent_at": dt.datetime(2024, 5, 1, 12, sequence, tzinfo=dt.UTC),
                "firmware_version": "3.0.0",
                "sequence": sequence,
            },
            "readings": [],
            "battery_mv": battery_mv,
        }
    )


@pytest.fixture(scope="module")
def heartbeats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Any]]:
    with majors.majors_models(tmp_path_factory.mktemp("majors")) as models:
        yield models


def test_rules_on_the_mock_cluster(
    mock_cluster: tuple[Producer, str], heartbeats: list[Any]
) -> None:
    _, bootstrap = mock_cluster
    producer = Producer({"bootstrap.servers": bootstrap, **QUIET})

    # Telemetry: the producer's rules refuse 2400 mV; old firmware (no rules) writes it anyway.
    checked = Serializer(writer_schemas(), rules=True)
    with pytest.raises(RuleViolationOnWrite) as refused:
        checked.encode(telemetry(2, 2400))
    assert (refused.value.rule_name, refused.value.dlq_topic) == ("battery_mv_in_range", RULE_DLQ)
    old_firmware = Serializer(writer_schemas(), rules=False)
    telemetry_values = [checked.encode(telemetry(1, 3300)), old_firmware.encode(telemetry(2, 2400))]
    for value in telemetry_values:
        producer.produce("fleet.telemetry", key=b"dev-1", value=value, headers=[("origin", b"x")])

    # Heartbeat: a v1 device (major 1) beside a v3 one (major 2).
    v1, _, v3 = heartbeats
    header = telemetry(9, 3300).header.model_dump()
    heartbeat_values = [
        Serializer(ids={v1: majors.IDS[1]}).encode(
            v1.model_validate({"header": header, "state": "ONLINE", "uptime_s": 7})
        ),
        Serializer(ids={v3: majors.IDS[3]}).encode(
            v3.model_validate({"header": header, "state": "ONLINE", "uptime_ms": 8000})
        ),
    ]
    for value in heartbeat_values:
        producer.produce("fleet.heartbeats", key=b"dev-1", value=value)
    assert producer.flush(10) == 0

    # The Lambda consumer of telemetry, rules on: the violating record goes to the rule's topic.
    sink = KafkaDeadLetters(OWN_DLQ, {"bootstrap.servers": bootstrap, **QUIET})
    reader = Deserializer(TELEMETRY.model, schemas=writer_schemas(), rules=True)
    consumed = consume(bootstrap, 2, topic="fleet.telemetry")
    batch = decode_kafka_event(msk_event_of(consumed), reader, sink)
    assert [m.value.battery_mv for m in batch.messages] == [3300]
    assert batch.response() == {"batchItemFailures": []}
    (letter,) = consume(bootstrap, 1, topic=RULE_DLQ)
    assert letter.value() == telemetry_values[1]
    headers = dict(letter.headers())
    assert headers["origin"] == b"x"
    assert headers["__rule.name"] == b"battery_mv_in_range"
    assert headers["__rule.mode"] == b"READ"
    assert headers["__rule.subject"] == b"fleet.telemetry-value"
    assert headers["__rule.topic"] == b"fleet.telemetry"
    assert headers["devicecontracts.error.class"] == b"RuleViolationOnRead"
    assert headers["devicecontracts.source.offset"] == str(consumed[1].offset()).encode()
    sink._producer = None  # its producer goes with the mock cluster

    # The consumer of heartbeats on v3, rules on: the v1 record is migrated.
    migrating = Deserializer(v3, schemas=majors.schemas(heartbeats), rules=True)
    decoded = [
        migrating.decode(m.value(), topic=m.topic(), partition=m.partition(), offset=m.offset())
        for m in consume(bootstrap, 2, topic="fleet.heartbeats")
    ]
    assert [(type(d), d.uptime_ms) for d in decoded] == [(v3, 7000), (v3, 8000)]
