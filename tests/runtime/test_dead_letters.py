"""Undecodable records under each policy, and the Kafka dead-letter sink (without a broker)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from devicecontracts.dead_letters import CONTRACT_HEADERS, DeadLetter, KafkaDeadLetters
from devicecontracts.errors import DeadLetterError, UnknownSchemaId
from devicecontracts.lambda_events import KafkaRecord, decode_kafka_event

from ..support.models import latest
from .test_lambda_events import TOPIC, RecordingSink, deserializer, msk_event


def offsets(response: dict[str, Any]) -> list[int]:
    return [item["itemIdentifier"]["offset"] for item in response["batchItemFailures"]]


def test_dead_letter_policy_sends_poison_away_and_reports_only_processing_failures() -> None:
    """Under the default policy every undecodable record goes to the sink in one call, the
    batch response lists only what the handler failed, and nothing is reported for retry."""
    sink = RecordingSink()
    batch = decode_kafka_event(msk_event(), deserializer(), sink)

    assert [letter.record.offset for letter in sink.letters] == [101, 8, 10, 11]
    assert len(sink.batches) == 1
    assert [f.outcome for f in batch.failures] == ["dead-lettered"] * 4
    assert batch.response() == {"batchItemFailures": []}
    assert offsets(batch.response(batch.messages[0])) == [100]


def test_contract_headers_say_what_went_wrong_and_where() -> None:
    """A dead letter keeps the record's own headers, then adds the error class and message,
    the subject and schema id when known, and the source coordinates and timestamp."""
    sink = RecordingSink()
    decode_kafka_event(msk_event(), deserializer(), sink)
    truncated = next(letter for letter in sink.letters if letter.record.offset == 11)

    headers = truncated.headers()
    assert headers[:2] == [("traceparent", b"00-a"), ("origin", "é".encode())]
    added = dict(headers[2:])
    assert added["devicecontracts.error.class"] == b"TruncatedMessage"
    assert added["devicecontracts.error.message"].startswith(
        f"topic {TOPIC}, partition 1, offset 11".encode()
    )
    assert added["devicecontracts.subject"] == latest("telemetry").subject.encode()
    assert added["devicecontracts.schema.id"] == str(latest("telemetry").schema_id).encode()
    assert added["devicecontracts.source.topic"] == TOPIC.encode()
    assert added["devicecontracts.source.partition"] == b"1"
    assert added["devicecontracts.source.offset"] == b"11"
    assert added["devicecontracts.source.timestamp"] == b"1714521600123"
    assert set(added) == set(CONTRACT_HEADERS)
    unknown = next(letter for letter in sink.letters if letter.record.offset == 8)
    assert dict(unknown.contract_headers())["devicecontracts.schema.id"] == b"987654"
    assert "devicecontracts.subject" not in dict(unknown.contract_headers())  # not released
    not_base64 = next(letter for letter in sink.letters if letter.record.offset == 10)
    assert "devicecontracts.schema.id" not in dict(not_base64.contract_headers())


def test_undelivered_letters_are_retried_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    """Letters the sink did not deliver, or all of them when the sink raises, are reported in
    batchItemFailures, with an error log line."""
    partial = decode_kafka_event(msk_event(), deserializer(), RecordingSink(refuse=2))
    assert offsets(partial.response()) == [101, 8]
    assert [f.outcome for f in partial.failures] == ["retried"] * 2 + ["dead-lettered"] * 2

    class Broken:
        def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
            raise ConnectionError("sink down")

    with caplog.at_level(logging.ERROR):
        batch = decode_kafka_event(msk_event(), deserializer(), Broken())
    assert offsets(batch.response()) == [101, 8, 10, 11]
    assert "sink down" in caplog.text


def test_skip_policy_logs_counts_and_drops(caplog: pytest.LogCaptureFixture) -> None:
    """Under skip, undecodable records are logged at WARNING, counted and not retried."""
    with caplog.at_level(logging.WARNING):
        batch = decode_kafka_event(msk_event(), deserializer(), undecodable="skip")

    assert len(batch.skipped) == 4
    assert batch.response() == {"batchItemFailures": []}
    assert sum("skipped undecodable record" in r.message for r in caplog.records) == 4


def test_dead_letter_policy_without_a_sink_fails_at_once() -> None:
    """The dead-letter policy without a sink, or an unknown policy, raises DeadLetterError
    before any record is read, even for an event with no records."""
    with pytest.raises(DeadLetterError, match="needs a sink"):
        decode_kafka_event({"records": {}}, deserializer())
    with pytest.raises(DeadLetterError, match="undecodable is one of"):
        decode_kafka_event({"records": {}}, deserializer(), undecodable="retry")  # type: ignore[arg-type]


class FakeProducer:
    """Stands in for confluent_kafka.Producer: records produce calls, confirms or fails."""

    def __init__(self, fail_delivery: bool = False, raise_on: int | None = None) -> None:
        self.produced: list[dict[str, Any]] = []
        self.callbacks: list[Any] = []
        self.flush_timeouts: list[float] = []
        self.fail_delivery = fail_delivery
        self.raise_on = raise_on

    def produce(self, topic: str, **kwargs: Any) -> None:
        if self.raise_on == len(self.produced):
            self.produced.append({})
            raise BufferError("Local: Queue full")
        self.produced.append({"topic": topic, **kwargs})
        self.callbacks.append(kwargs["on_delivery"])

    def poll(self, timeout: float) -> int:
        return 0

    def flush(self, timeout: float) -> int:
        self.flush_timeouts.append(timeout)
        for callback in self.callbacks:
            callback("Broker: Message size too large" if self.fail_delivery else None, None)
        self.callbacks.clear()
        return 0


def letters() -> list[DeadLetter]:
    record = KafkaRecord(TOPIC, 3, 42, key=b"dev-1", value=b"\x00\x00", headers=(("h", b"v"),))
    error = UnknownSchemaId(
        "unknown schema id 9: the registry at https://key:s3cret@registry.example does not have it"
    )
    return [DeadLetter(record, error), DeadLetter(record._replace(offset=43), error)]


def test_kafka_sink_produces_originals_with_headers_and_flushes_bounded() -> None:
    """KafkaDeadLetters produces each record's key and value with its headers plus the contract
    headers to the topic, then flushes with its bounded timeout; all confirmed, none returned."""
    producer = FakeProducer()
    sink = KafkaDeadLetters("fleet.telemetry.dlq", flush_timeout=2.5, producer=producer)

    assert sink.deliver(letters()) == []
    assert [p["topic"] for p in producer.produced] == ["fleet.telemetry.dlq"] * 2
    first = producer.produced[0]
    assert (first["key"], first["value"]) == (b"dev-1", b"\x00\x00")
    assert first["headers"][0] == ("h", b"v")
    assert dict(first["headers"])["devicecontracts.source.offset"] == b"42"
    assert producer.flush_timeouts == [2.5]


def test_kafka_sink_returns_what_the_brokers_refused(caplog: pytest.LogCaptureFixture) -> None:
    """Letters whose delivery failed, or whose produce call raised, come back undelivered, and
    one error line names the topic and the broker's reason."""
    with caplog.at_level(logging.ERROR):
        refused = KafkaDeadLetters("dlq", producer=FakeProducer(fail_delivery=True)).deliver(
            letters()
        )
        full = KafkaDeadLetters("dlq", producer=FakeProducer(raise_on=1)).deliver(letters())

    assert [letter.record.offset for letter in refused] == [42, 43]
    assert [letter.record.offset for letter in full] == [43]
    assert "2 of 2 dead letters were not delivered to topic 'dlq'" in caplog.text
    assert "Message size too large" in caplog.text


def test_no_secret_in_headers_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    """URL credentials in an error message are masked in the message header and in logs, and
    the sink's repr never shows its producer config."""
    (letter, _) = letters()
    message = dict(letter.contract_headers())["devicecontracts.error.message"]
    assert b"s3cret" not in message and b"https://***@registry.example" in message
    assert "s3cret" not in letter.describe()
    sink = KafkaDeadLetters(
        "dlq", {"bootstrap.servers": "b:9092", "sasl.password": "hunter2"}, producer=FakeProducer()
    )
    assert "hunter2" not in repr(sink)
    with caplog.at_level(logging.DEBUG):
        decode_kafka_event(
            {"records": {f"{TOPIC}-0": [{"offset": 1, "value": "AAAAAAk="}]}},
            deserializer(),
            sink,
        )
    assert "s3cret" not in caplog.text and "hunter2" not in caplog.text


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        ({}, "DEVICECONTRACTS_DEAD_LETTER_TOPIC"),
        ({"DEVICECONTRACTS_DEAD_LETTER_TOPIC": "dlq"}, "needs brokers"),
    ],
)
def test_from_environment_fails_at_cold_start(environ: dict[str, str], match: str) -> None:
    """A missing topic or broker list is one clear DeadLetterError at construction."""
    with pytest.raises(DeadLetterError, match=match):
        KafkaDeadLetters.from_environment(environ=environ)


def test_from_environment_reads_topic_and_brokers() -> None:
    """The topic and brokers come from the environment; the config adds to them."""
    sink = KafkaDeadLetters.from_environment(
        {"security.protocol": "SASL_SSL"},
        environ={
            "DEVICECONTRACTS_DEAD_LETTER_TOPIC": "fleet.dlq",
            "DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS": "b-1:9098,b-2:9098",
        },
    )
    assert sink.topic == "fleet.dlq"
    assert sink._config["bootstrap.servers"] == "b-1:9098,b-2:9098"
    assert sink._config["security.protocol"] == "SASL_SSL"
