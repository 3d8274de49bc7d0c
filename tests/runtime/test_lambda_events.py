"""Lambda Kafka events (MSK and self-managed) into typed messages, bad records collected."""

from __future__ import annotations

import base64
import datetime as dt
import gc
import importlib
import json
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import pytest

from devicecontracts.dead_letters import DeadLetter
from devicecontracts.errors import (
    BadMagicByte,
    CorruptPayload,
    KafkaEventError,
    RegistryUnreachableError,
    TruncatedMessage,
    UnknownSchemaId,
)
from devicecontracts.lambda_events import (
    KafkaRecord,
    batch_item_failures,
    decode_kafka_event,
    kafka_records,
)
from devicecontracts.serde import Deserializer, Serializer

from ..support.models import VERSIONS, framed, latest, writer_schemas

TOPIC = "fleet.telemetry"


class RecordingSink:
    """A dead-letter sink that keeps what it is given and delivers all but ``refuse``."""

    def __init__(self, refuse: int = 0) -> None:
        self.batches: list[list[DeadLetter]] = []
        self.refuse = refuse

    def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
        self.batches.append(list(letters))
        return list(letters[: self.refuse])

    @property
    def letters(self) -> list[DeadLetter]:
        return [letter for batch in self.batches for letter in batch]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def telemetry(version: int, sequence: int) -> bytes:
    v = VERSIONS["telemetry"][version - 1]
    value: dict[str, Any] = {
        "header": {
            "device_id": f"dev-{sequence}",
            "message_id": uuid.UUID(int=sequence),
            "sent_at": dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
            "firmware_version": f"{version}.0.0",
            "sequence": sequence,
        },
        "readings": [],
    }
    if version >= 2:
        value.update(location=None, battery_mv=3700)
    if version >= 3:
        value.update(signal_dbm=-71)
    return Serializer(writer_schemas()).encode(v.model.from_avro_dict(value))


def telemetry_from(device_id: str) -> bytes:
    """Latest-version telemetry of ``device_id``."""
    newest = latest("telemetry")
    message = newest.model.from_avro_dict(
        {
            "header": {
                "device_id": device_id,
                "message_id": uuid.UUID(int=99),
                "sent_at": dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
                "firmware_version": "3.0.0",
                "sequence": 99,
            },
            "readings": [],
            "location": None,
            "battery_mv": None,
            "signal_dbm": None,
        }
    )
    return Serializer(writer_schemas()).encode(message)


def record(partition: int, offset: int, value: bytes | None, **extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "topic": TOPIC,
        "partition": partition,
        "offset": offset,
        "timestamp": 1714521600123,
        "timestampType": "CREATE_TIME",
        "key": b64(b"dev-1"),
        "value": None if value is None else b64(value),
        "headers": [{"traceparent": [48, 48, 45, 97]}, {"origin": [-61, -87]}],
    }
    raw.update(extra)
    return raw


def msk_event() -> dict[str, Any]:
    """A realistic MSK event: two partitions, old and new firmware, a poisoned record, a
    record whose value is not base64, and a tombstone."""
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/fleet/abcd-1",
        "bootstrapServers": "b-1.fleet.kafka.eu-west-1.amazonaws.com:9098",
        "records": {
            f"{TOPIC}-0": [
                record(0, 100, telemetry(1, 1)),
                record(0, 101, b'{"not": "avro"}'),
                record(0, 102, telemetry(3, 2)),
            ],
            f"{TOPIC}-1": [
                record(1, 7, telemetry(2, 3)),
                record(1, 8, framed(987_654, b"\x00")),
                record(1, 9, None),
                {**record(1, 10, b""), "value": "%%% not base64 %%%"},
                record(1, 11, telemetry(3, 4)[:-3]),
            ],
        },
    }


def deserializer() -> Deserializer[Any]:
    return Deserializer(latest("telemetry").model, schemas=writer_schemas())


def test_msk_event_decodes_good_records_and_collects_bad_ones() -> None:
    """Good records of every version become typed messages in event order; each bad one becomes
    a failure with the typed error naming its topic, partition and offset; tombstones are set
    apart."""
    batch = decode_kafka_event(msk_event(), deserializer(), undecodable="fail")

    assert [(m.partition, m.offset, m.value.header.sequence) for m in batch.messages] == [
        (0, 100, 1),
        (0, 102, 2),
        (1, 7, 3),
    ]
    assert all(type(m.value) is latest("telemetry").model for m in batch.messages)
    assert [(f.record.offset, type(f.error)) for f in batch.failures] == [
        (101, BadMagicByte),
        (8, UnknownSchemaId),
        (10, CorruptPayload),
        (11, TruncatedMessage),
    ]
    for failure in batch.failures:
        assert str(failure.error).startswith(
            f"topic {TOPIC}, partition {failure.record.partition}, offset {failure.record.offset}"
        )
    assert [r.offset for r in batch.tombstones] == [9]


def test_record_metadata_is_decoded() -> None:
    """Messages carry the record's timestamp (UTC), key bytes and headers (signed Java bytes
    turned into bytes)."""
    message = decode_kafka_event(msk_event(), deserializer(), undecodable="fail").messages[0]

    assert message.topic == TOPIC
    assert message.timestamp == dt.datetime(2024, 5, 1, 0, 0, 0, 123000, tzinfo=dt.UTC)
    assert message.record.timestamp_type == "CREATE_TIME"
    assert message.key == b"dev-1"
    assert message.headers == (("traceparent", b"00-a"), ("origin", "é".encode()))
    assert message.record.header("origin") == "é".encode()
    assert message.record.header("missing") is None


def test_response_reports_poisoned_and_unprocessed_records_under_fail() -> None:
    """Under the fail policy the partial batch response lists every decode failure plus the
    messages the handler failed, as Kafka item identifiers (topic-partition and offset), each
    once."""
    batch = decode_kafka_event(msk_event(), deserializer(), undecodable="fail")

    response = batch.response(batch.messages[2], batch.messages[2].record)

    assert response == {
        "batchItemFailures": [
            {"itemIdentifier": {"topic-partition": f"{TOPIC}-0", "offset": 101}},
            {"itemIdentifier": {"topic-partition": f"{TOPIC}-1", "offset": 8}},
            {"itemIdentifier": {"topic-partition": f"{TOPIC}-1", "offset": 10}},
            {"itemIdentifier": {"topic-partition": f"{TOPIC}-1", "offset": 11}},
            {"itemIdentifier": {"topic-partition": f"{TOPIC}-1", "offset": 7}},
        ]
    }
    json.dumps(response)  # Lambda serialises it as JSON


def test_a_clean_batch_reports_no_failures() -> None:
    """A batch without bad records answers an empty failure list: the whole batch succeeded."""
    event = {
        "eventSource": "SelfManagedKafka",
        "records": {f"{TOPIC}-0": [record(0, 1, telemetry(3, 1))]},
    }

    sink = RecordingSink()
    batch = decode_kafka_event(event, deserializer(), sink)

    assert len(batch.messages) == 1
    assert batch.response() == {"batchItemFailures": []}
    assert sink.batches == []  # nothing to dead-letter: the sink is not even called


def test_self_managed_kafka_event_shape() -> None:
    """A self-managed Kafka event (no ARN, base64 header values) decodes the same way."""
    event = {
        "eventSource": "SelfManagedKafka",
        "bootstrapServers": "kafka-1:9092,kafka-2:9092",
        "records": {
            f"{TOPIC}-4": [
                {
                    "topic": TOPIC,
                    "partition": 4,
                    "offset": 55,
                    "timestamp": 1714521600000,
                    "timestampType": "LOG_APPEND_TIME",
                    "value": b64(telemetry(2, 9)),
                    "headers": [{"source": b64(b"iot-core")}],
                }
            ]
        },
    }

    (message,) = decode_kafka_event(event, deserializer(), RecordingSink()).messages

    assert (message.partition, message.offset, message.key) == (4, 55, None)
    assert message.record.header("source") == b"iot-core"
    assert message.value.battery_mv == 3700


def test_handler_example_from_the_readme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's handler, configured by environment variables and the lock, stores every
    good record of every version, sends the poisoned ones to its dead-letter sink and reports
    only the record its processing failed."""
    pytest.importorskip("devicecontracts.models._manifest")
    from ..support.models import MODELS_PACKAGE, write_lock

    if MODELS_PACKAGE != "devicecontracts.models":
        pytest.skip("the example imports devicecontracts.models")
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    monkeypatch.setenv("DEVICECONTRACTS_ENVIRONMENT", "prod")
    monkeypatch.setenv("DEVICECONTRACTS_LOCK", str(lock))
    monkeypatch.setenv("DEVICECONTRACTS_DEAD_LETTER_TOPIC", "fleet.telemetry.dlq")
    monkeypatch.setenv("DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    monkeypatch.delitem(sys.modules, "tests.runtime.example_handler", raising=False)
    example = importlib.import_module("tests.runtime.example_handler")
    assert example.dead_letters.topic == "fleet.telemetry.dlq"
    sink = RecordingSink()
    monkeypatch.setattr(example, "dead_letters", sink)  # the Kafka sink runs in test_kafka_e2e
    event = msk_event()
    event["records"][f"{TOPIC}-0"].append(record(0, 103, telemetry_from("bad-device")))

    response = example.handler(event, None)

    assert [t.header.sequence for t in example.stored] == [1, 2, 3]
    assert response == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": f"{TOPIC}-0", "offset": 103}}]
    }
    assert [letter.record.offset for letter in sink.letters] == [101, 8, 10, 11]


def test_readme_shows_the_example_handler() -> None:
    """The README's Lambda handler is tests/runtime/example_handler.py, character for
    character, so the code the README shows is the code these tests run."""
    from ..support.models import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = (Path(__file__).parent / "example_handler.py").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    assert example in blocks


@pytest.mark.parametrize(
    "event",
    [
        [],
        {"eventSource": "aws:sqs", "Records": []},
        {"eventSource": "aws:kafka"},
        {"eventSource": "aws:kafka", "records": {f"{TOPIC}-0": {"offset": 1}}},
        {"eventSource": "aws:kafka", "records": {"nodash": [{"value": ""}]}},
    ],
)
def test_events_that_are_not_kafka_events_fail_whole(event: Any) -> None:
    """An event that is not a Kafka event, or a record without topic, partition and offset,
    raises KafkaEventError: no partial response could name it."""
    with pytest.raises(KafkaEventError):
        list(kafka_records(event))


def test_topic_and_partition_default_to_the_group_key() -> None:
    """A record without topic and partition fields takes them from its topic-partition key."""
    (parsed,) = kafka_records({"records": {"fleet.alarms-12": [{"offset": 3, "value": None}]}})

    assert isinstance(parsed, KafkaRecord)
    assert (parsed.topic, parsed.partition, parsed.offset) == ("fleet.alarms", 12, 3)


def test_batch_item_failures_of_plain_records() -> None:
    """batch_item_failures accepts records directly and reports each one once."""
    a = KafkaRecord("t", 0, 1)
    assert batch_item_failures([a, a, KafkaRecord("t", 2, 5)]) == {
        "batchItemFailures": [
            {"itemIdentifier": {"topic-partition": "t-0", "offset": 1}},
            {"itemIdentifier": {"topic-partition": "t-2", "offset": 5}},
        ]
    }


# -- the cyclic garbage collector: paused while a batch decodes, always given back ------------


class WatchingDeserializer(Deserializer[Any]):
    """Records whether the collector ran during each decode; raises ``error`` at ``fail_at``."""

    def __init__(self, error: Exception | None = None, fail_at: int | None = None) -> None:
        super().__init__(latest("telemetry").model, schemas=writer_schemas())
        self.collector_enabled: list[bool] = []
        self.error, self.fail_at = error, fail_at

    def decode(self, data: bytes, **where: Any) -> Any:
        self.collector_enabled.append(gc.isenabled())
        if where.get("offset") == self.fail_at and self.error is not None:
            raise self.error
        return super().decode(data, **where)


def test_batch_decoding_pauses_the_collector_and_restores_it(collector: bool) -> None:
    """Every record of a batch decodes with the cyclic collector paused; afterwards it is in
    the state the caller left it, on or off, bad records and all."""
    watching = WatchingDeserializer()
    batch = decode_kafka_event(msk_event(), watching, undecodable="fail")

    assert len(batch.messages) == 3 and len(batch.failures) == 4
    assert watching.collector_enabled and not any(watching.collector_enabled)
    assert gc.isenabled() is collector


@pytest.mark.parametrize("undecodable", ["fail", "skip", "dead-letter"])
def test_the_collector_is_restored_when_decoding_raises(collector: bool, undecodable: Any) -> None:
    """A registry failure propagates out of the batch (Lambda retries it) under every policy,
    and the collector is restored all the same."""
    outage = RegistryUnreachableError("the registry is down")
    watching = WatchingDeserializer(error=outage, fail_at=102)
    sink = RecordingSink() if undecodable == "dead-letter" else None

    with pytest.raises(RegistryUnreachableError):
        decode_kafka_event(msk_event(), watching, sink, undecodable=undecodable)

    assert watching.collector_enabled == [False, False, False]  # offsets 100, 101, 102
    assert gc.isenabled() is collector


def test_the_collector_is_restored_when_a_record_cannot_be_identified(collector: bool) -> None:
    """A record without an offset mid-batch is a KafkaEventError for the whole event, after
    earlier records decoded; the collector is restored."""
    event = msk_event()
    del event["records"][f"{TOPIC}-1"][2]["offset"]
    watching = WatchingDeserializer()

    with pytest.raises(KafkaEventError, match="lacks a topic, partition or offset"):
        decode_kafka_event(event, watching, undecodable="fail")

    assert len(watching.collector_enabled) == 5 and not any(watching.collector_enabled)
    assert gc.isenabled() is collector


def test_the_dead_letter_sink_runs_with_the_collector_restored(collector: bool) -> None:
    """The sink (network I/O, the user's code) is not inside the pause."""
    seen: list[bool] = []

    class Sink(RecordingSink):
        def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
            seen.append(gc.isenabled())
            return super().deliver(letters)

    batch = decode_kafka_event(msk_event(), deserializer(), Sink())

    assert len(batch.dead_lettered) == 4
    assert seen == [collector]
    assert gc.isenabled() is collector


_ABSENT = object()


def _field_values() -> dict[str, list[Any]]:
    """For each part of a record: the usual values and every odd one the event could carry."""
    good = b64(telemetry_from("dev-7"))
    return {
        "topic": [TOPIC, _ABSENT],
        "partition": [1, 0, _ABSENT, "7", 7.0, 2**31 - 1],
        "offset": [15, 0, "15", 15.0, 2**63 - 1],
        "timestamp": [
            1714521600123,
            _ABSENT,
            None,
            -1,
            0,
            253402300799999,
            253402300800000,
            2**33 * 1000 - 1,
            2**33 * 1000,
            2**70,
            True,
            1.5,
            "123",
        ],
        "timestampType": ["CREATE_TIME", _ABSENT, None, 5],
        "key": [b64(b"dev-1"), _ABSENT, None, "", "!!", 5, "dA==x", "é"],
        "value": [
            good,
            good,
            _ABSENT,
            None,
            "",
            "%%% not base64 %%%",
            5,
            b64(b"\x00\x00\x00"),
            b64(b"{}"),
            b64(framed(987_654, b"\x00")),
            b64(telemetry(1, 1)),
            b64(telemetry(3, 2)[:-2]),
            b64(telemetry(3, 2) + b"\x00"),
        ],
        "headers": [
            _ABSENT,
            None,
            [],
            [{"traceparent": [48, 48, 45, 97]}],
            [{"origin": [-61, -87]}, {"a": "aGk="}],
            [{"a": [-129]}],
            [{"a": [True]}],
            [5],
            "x",
            {},
            [{"a": None}],
        ],
        "keySchemaMetadata": [_ABSENT, None, {"dataFormat": "AVRO", "schemaId": "x"}],
        "valueSchemaMetadata": [_ABSENT, None, {"dataFormat": "JSON", "schemaId": "1"}],
    }


_BAD_COORDINATES: Final[dict[str, list[Any]]] = {
    "topic": ["", 5, None],
    "partition": [-1, 2**31, True, None, "x"],
    "offset": [-1, 2**63, True, None, _ABSENT, 1.5],
}
"""Coordinates that make the whole event a KafkaEventError (a record that cannot be reported)."""


def _described(outcome: Any) -> Any:
    """A batch (or the error that stopped it) as comparable values."""
    if isinstance(outcome, Exception):
        return type(outcome), str(outcome)
    return (
        [(m.record, m.value.model_dump()) for m in outcome.messages],
        [(f.record, type(f.error), str(f.error), f.outcome) for f in outcome.failures],
        list(outcome.tombstones),
    )


def _one_at_a_time(event: Any, deserializer: Deserializer[Any]) -> Any:
    """What decode_kafka_event is defined to do: each record of kafka_records, decoded by the
    deserializer's decode (the batch loop fuses the two)."""
    from devicecontracts.errors import DecodeError
    from devicecontracts.lambda_events import (
        KafkaBatch,
        KafkaMessage,
        RecordFailure,
        _decode_registry_format,
    )

    batch: Any = KafkaBatch()
    try:
        for parsed in kafka_records(event):
            if isinstance(parsed, RecordFailure):
                batch.failures.append(parsed)
            elif parsed.value is None:
                batch.tombstones.append(parsed)
            else:
                try:
                    if parsed.value_schema is not None:  # the schema-registry integration
                        value = _decode_registry_format(parsed, parsed.value, deserializer)
                    else:
                        value = deserializer.decode(
                            parsed.value,
                            topic=parsed.topic,
                            partition=parsed.partition,
                            offset=parsed.offset,
                        )
                except DecodeError as exc:
                    batch.failures.append(RecordFailure(parsed, exc))
                else:
                    batch.messages.append(KafkaMessage(parsed, value))
    except KafkaEventError as exc:
        return exc
    return batch


@pytest.mark.parametrize("seed", range(40))
def test_the_batch_loop_ends_every_record_as_kafka_records_and_decode_do(seed: int) -> None:
    """The batch loop (kafka_records and Deserializer.decode fused for the usual record) gives
    every record, usual or odd in any part, the outcome of the two run one record at a time:
    the same KafkaRecord, the same model, the same error and message, or the same
    KafkaEventError for the event."""
    import random

    rng = random.Random(seed)
    values = _field_values()
    records: list[Any] = []
    for _ in range(30):
        raw: dict[str, Any] = {}
        for name, options in values.items():
            # Mostly the usual value, so that odd parts meet otherwise usual records.
            chosen = options[0] if rng.random() < 0.7 else rng.choice(options)
            if chosen is not _ABSENT:
                raw[name] = chosen
        records.append(raw)
    if seed % 4 == 0:  # one record that cannot be identified: the event is refused
        name, bad = rng.choice(list(_BAD_COORDINATES.items()))
        spoilt = {**records[0], name: rng.choice(bad)}
        records[rng.randrange(30)] = {k: v for k, v in spoilt.items() if v is not _ABSENT}
    if seed % 8 == 1:  # records that are not objects, or not dicts
        records[rng.randrange(30)] = rng.choice([5, None, MappingProxyType(dict(records[0]))])
    event = {"eventSource": "aws:kafka", "records": {f"{TOPIC}-1": records}}
    reader = deserializer()
    expected = _described(_one_at_a_time(event, reader))  # plans the ids: the inline path
    try:
        actual = _described(decode_kafka_event(event, reader, undecodable="fail"))
    except KafkaEventError as exc:
        actual = _described(exc)
    assert actual == expected


def test_the_batch_loop_gives_every_timestamp_its_exact_datetime() -> None:
    """Record timestamps converted through a float are the exact datetime of their
    milliseconds, as adding a timedelta gives it, up to the end of the fast range and past it:
    in the batch loop and in `kafka_records`."""
    import random

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    limit = 2**33 * 1000
    rng = random.Random(13)
    stamps = [0, 1, 999, 1000, 1714521600123, limit - 1, limit, limit + 1, 253402300799999]
    stamps += [rng.randrange(limit) for _ in range(3000)]
    stamps += [limit - rng.randrange(1, 10**7) for _ in range(1000)]
    event = {
        "records": {
            f"{TOPIC}-0": [
                {"offset": i, "timestamp": ms, "value": b64(b"\x00\x00")}
                for i, ms in enumerate(stamps)
            ]
        }
    }
    batch = decode_kafka_event(event, deserializer(), undecodable="fail")

    assert len(batch.failures) == len(stamps)  # values too short: every record a failure
    for failure, ms in zip(batch.failures, stamps, strict=True):
        expected = epoch + dt.timedelta(milliseconds=ms)
        assert failure.record.timestamp == expected, ms
        assert failure.record.timestamp.tzinfo is dt.UTC
    one_by_one = [r.timestamp for r in kafka_records(event)]
    assert one_by_one == [f.record.timestamp for f in batch.failures]
