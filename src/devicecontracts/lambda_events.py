"""AWS Lambda Kafka events (Amazon MSK and self-managed Kafka) into typed messages.

Lambda hands a Kafka consumer a batch grouped by topic-partition, keys and values in base64,
headers as lists of byte values::

    {"eventSource": "aws:kafka",            # or "SelfManagedKafka"
     "records": {"fleet.telemetry-0": [
         {"topic": "fleet.telemetry", "partition": 0, "offset": 15,
          "timestamp": 1545084650987, "timestampType": "CREATE_TIME",
          "key": "ZGV2LTE=", "value": "AAAAAAEC...",
          "headers": [{"traceparent": [48, 48, 45, ...]}]}]}}

`decode_kafka_event` decodes every value with a `Deserializer` and never loses the batch to one
bad record: each record becomes a `KafkaMessage` (typed value plus topic, partition, offset,
timestamp, key and headers) or a `RecordFailure` (the record and its `DecodeError`).
`KafkaBatch.response` builds the partial batch response, so Lambda retries only from the failed
records (turn on ``ReportBatchItemFailures`` on the event source mapping)::

    deserializer = Deserializer(Telemetry)           # at module level: once per cold start

    def handler(event, context):
        batch = decode_kafka_event(event, deserializer)
        failed = []
        for message in batch.messages:
            try:
                store(message.value)
            except TemporaryError:
                failed.append(message)
        for failure in batch.failures:
            log.error("poisoned record: %s", failure.error)
        return batch.response(*failed)

Kafka item identifiers are ``{"topic-partition": "<topic>-<partition>", "offset": <offset>}``,
as Powertools for AWS Lambda reports them. Configure the event source mapping *without* its
schema-registry integration: with ``EventRecordFormat`` ``SOURCE`` Lambda strips the schema id
this module needs, and with ``JSON`` it decodes with the writer's schema only.

Registry failures are not record failures: they propagate, the invocation fails, and Lambda
retries the batch, which is right for an outage and wrong for a poisoned record.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Generic, NamedTuple, TypeVar

from devicecontracts._runtime.plans import AvroModel
from devicecontracts.errors import (
    CorruptPayload,
    DecodeError,
    DeviceContractsError,
    KafkaEventError,
)
from devicecontracts.serde import Deserializer

__all__ = [
    "EVENT_SOURCES",
    "KafkaBatch",
    "KafkaMessage",
    "KafkaRecord",
    "RecordFailure",
    "batch_item_failures",
    "decode_kafka_event",
    "kafka_records",
]

EVENT_SOURCES: Final = frozenset({"aws:kafka", "SelfManagedKafka"})
"""``eventSource`` of Amazon MSK and of self-managed Apache Kafka events."""

M = TypeVar("M", bound=AvroModel)

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


class KafkaRecord(NamedTuple):
    """One record of a Lambda Kafka event, key and value base64-decoded (None when absent).

    ``timestamp`` is an aware UTC datetime, None when the record has none; ``headers`` keeps
    order and repeats, as Kafka does. (Named tuples, not dataclasses, here and below: they are
    immutable too and cost a tenth of the import time, which a Lambda cold start pays.)
    """

    topic: str
    partition: int
    offset: int
    timestamp: _dt.datetime | None = None
    timestamp_type: str | None = None
    key: bytes | None = None
    value: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()

    def header(self, name: str) -> bytes | None:
        """The last value of header ``name``, or None."""
        for key, value in reversed(self.headers):
            if key == name:
                return value
        return None

    @property
    def item_identifier(self) -> dict[str, Any]:
        """This record's ``itemIdentifier`` in a Kafka partial batch response."""
        return {"topic-partition": f"{self.topic}-{self.partition}", "offset": self.offset}


class KafkaMessage(NamedTuple, Generic[M]):
    """A decoded record: the typed ``value`` with the record it came from."""

    record: KafkaRecord
    value: M

    @property
    def topic(self) -> str:
        """The record's topic."""
        return self.record.topic

    @property
    def partition(self) -> int:
        """The record's partition."""
        return self.record.partition

    @property
    def offset(self) -> int:
        """The record's offset."""
        return self.record.offset

    @property
    def timestamp(self) -> _dt.datetime | None:
        """The record's Kafka timestamp (UTC), if it has one."""
        return self.record.timestamp

    @property
    def key(self) -> bytes | None:
        """The record's key bytes, if it has a key."""
        return self.record.key

    @property
    def headers(self) -> tuple[tuple[str, bytes], ...]:
        """The record's headers, in order."""
        return self.record.headers


class RecordFailure(NamedTuple):
    """A record that could not be decoded, and why (the error names topic, partition, offset)."""

    record: KafkaRecord
    error: DeviceContractsError


class KafkaBatch(Generic[M]):
    """A decoded Lambda Kafka event, in event order: ``messages``, ``failures``, and
    ``tombstones`` (records without a value, deletes on compacted topics: neither)."""

    __slots__ = ("failures", "messages", "tombstones")

    def __init__(self) -> None:
        self.messages: list[KafkaMessage[M]] = []
        self.failures: list[RecordFailure] = []
        self.tombstones: list[KafkaRecord] = []

    def __repr__(self) -> str:
        return (
            f"KafkaBatch({len(self.messages)} messages, {len(self.failures)} failures, "
            f"{len(self.tombstones)} tombstones)"
        )

    def response(self, *failed: KafkaRecord | KafkaMessage[Any] | RecordFailure) -> dict[str, Any]:
        """The partial batch response: every decode failure plus the records in ``failed``
        (messages the handler could not process)."""
        return batch_item_failures([*self.failures, *failed])


def batch_item_failures(
    failed: Iterable[KafkaRecord | KafkaMessage[Any] | RecordFailure],
) -> dict[str, Any]:
    """``{"batchItemFailures": [{"itemIdentifier": ...}]}`` for these records, each once.

    An empty list tells Lambda the whole batch succeeded.
    """
    seen: set[tuple[str, int, int]] = set()
    items = []
    for entry in failed:
        record = entry if isinstance(entry, KafkaRecord) else entry.record
        key = (record.topic, record.partition, record.offset)
        if key not in seen:
            seen.add(key)
            items.append({"itemIdentifier": record.item_identifier})
    return {"batchItemFailures": items}


def decode_kafka_event(event: Mapping[str, Any], deserializer: Deserializer[M]) -> KafkaBatch[M]:
    """Decode every record of a Lambda Kafka event; bad records become `RecordFailure`s.

    `KafkaEventError` when the event is not a Kafka event or a record cannot be identified (no
    topic, partition or offset): then no partial response is possible.
    """
    batch: KafkaBatch[M] = KafkaBatch()
    for record in kafka_records(event):
        if isinstance(record, RecordFailure):
            batch.failures.append(record)
            continue
        if record.value is None:
            batch.tombstones.append(record)
            continue
        try:
            value = deserializer.decode(
                record.value, topic=record.topic, partition=record.partition, offset=record.offset
            )
        except DecodeError as exc:
            batch.failures.append(RecordFailure(record, exc))
        else:
            batch.messages.append(KafkaMessage(record, value))
    return batch


def kafka_records(event: Mapping[str, Any]) -> Iterator[KafkaRecord | RecordFailure]:
    """The records of a Lambda Kafka event in order; one whose key, value or headers cannot be
    decoded from base64 is a `RecordFailure` with a `CorruptPayload`."""
    if not isinstance(event, Mapping):
        raise KafkaEventError(f"a Lambda Kafka event is a JSON object, not {type(event).__name__}")
    source = event.get("eventSource")
    if source is not None and source not in EVENT_SOURCES:
        raise KafkaEventError(
            f"eventSource is {source!r}, not a Kafka event source ({', '.join(EVENT_SOURCES)})"
        )
    groups = event.get("records")
    if not isinstance(groups, Mapping):
        raise KafkaEventError(
            'a Lambda Kafka event has "records": an object of topic-partition to record lists'
        )
    for group, entries in groups.items():
        if not isinstance(entries, list):
            raise KafkaEventError(f"records[{group!r}] is not a list of records")
        for index, raw in enumerate(entries):
            yield _record(raw, str(group), index)


def _record(raw: Any, group: str, index: int) -> KafkaRecord | RecordFailure:
    where = f"records[{group!r}][{index}]"
    if not isinstance(raw, Mapping):
        raise KafkaEventError(f"{where} is not a record object")
    topic, partition, offset = _coordinates(raw, group, where)
    record = KafkaRecord(topic, partition, offset, *_timestamp(raw))
    try:
        key = _base64(raw.get("key"), "key")
        value = _base64(raw.get("value"), "value")
        headers = _headers(raw.get("headers"))
    except ValueError as exc:
        error = CorruptPayload(str(exc), topic=topic, partition=partition, offset=offset)
        return RecordFailure(record, error)
    return KafkaRecord(topic, partition, offset, *_timestamp(raw), key, value, headers)


def _coordinates(raw: Mapping[str, Any], group: str, where: str) -> tuple[str, int, int]:
    group_topic, _, group_partition = group.rpartition("-")
    topic = raw.get("topic", group_topic)
    partition = raw.get("partition", group_partition)
    offset = raw.get("offset")
    try:
        if not isinstance(topic, str) or not topic:
            raise ValueError("topic")
        return topic, int(partition), int(offset)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise KafkaEventError(
            f"{where} lacks a topic, partition or offset, so it cannot be reported as a batch "
            "item failure"
        ) from None


def _timestamp(raw: Mapping[str, Any]) -> tuple[_dt.datetime | None, str | None]:
    kind = raw.get("timestampType")
    millis = raw.get("timestamp")
    if not isinstance(millis, int) or isinstance(millis, bool) or millis < 0:
        return None, kind
    try:
        return _EPOCH + _dt.timedelta(milliseconds=millis), kind
    except OverflowError:
        return None, kind


def _base64(text: Any, what: str) -> bytes | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(f"the record's {what} is not a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the record's {what} is not valid base64") from None


def _headers(raw: Any) -> tuple[tuple[str, bytes], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("the record's headers are not a list")
    headers = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise ValueError("a record header is not an object")
        for name, value in entry.items():
            headers.append((str(name), _header_value(value)))
    return tuple(headers)


def _header_value(value: Any) -> bytes:
    if isinstance(value, list):
        # Lambda serialises Java byte arrays: numbers, negative above 127 (signed bytes).
        if not all(isinstance(b, int) and -128 <= b <= 255 for b in value):
            raise ValueError("a record header value is not a list of byte values")
        return bytes(b & 0xFF for b in value)
    if isinstance(value, str):  # some tools and test fixtures send base64 instead
        decoded = _base64(value, "header value")
        assert decoded is not None
        return decoded
    if value is None:
        return b""
    raise ValueError("a record header value is neither bytes nor base64")
