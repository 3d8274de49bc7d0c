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

A record that cannot be decoded never will be, and Lambda's Kafka event source mapping retries
a reported failure indefinitely by default: reporting it would stall its partition. So the
``undecodable`` policy decides where such records go:

- ``dead-letter`` (the default): to a `devicecontracts.dead_letters.DeadLetterSink`, such as
  `KafkaDeadLetters`, flushed before `decode_kafka_event` returns; a letter the sink could not
  deliver is reported for retry rather than lost;
- ``fail``: reported in ``batchItemFailures``, for teams that want Lambda to retry them;
- ``skip``: logged and dropped (``batch.skipped`` counts them).

`KafkaBatch.response` builds the partial batch response: the records the handler could not
process, plus undecodable records only under ``fail`` (turn on ``ReportBatchItemFailures`` on
the event source mapping)::

    deserializer = Deserializer(Telemetry)               # at module level: once per cold start
    dead_letters = KafkaDeadLetters.from_environment()

    def handler(event, context):
        batch = decode_kafka_event(event, deserializer, dead_letters)
        failed = []
        for message in batch.messages:
            try:
                store(message.value)
            except TemporaryError:
                failed.append(message)
        return batch.response(*failed)

Kafka item identifiers are ``{"topic-partition": "<topic>-<partition>", "offset": <offset>}``,
as Powertools for AWS Lambda reports them.

With the event source mapping's own schema-registry integration (a Confluent registry, 2025)
records carry ``valueSchemaMetadata`` (``dataFormat``, ``schemaId``) and their value is either
the Avro body with the 5-byte header stripped (``EventRecordFormat`` ``SOURCE``) or JSON shaped
by the writer's schema (``JSON``). Both are decoded into the consumer's model with Avro
resolution from the writer schema of that id, found as for framed values.

With data-contract rules on (``Deserializer(..., rules=True)`` or ``DEVICECONTRACTS_RULES=1``
in the function's configuration), a record that fails a READ rule of the reader's version, or
cannot be migrated from another major, is undecodable too (`RuleViolationOnRead`,
`MigrationError`): under ``dead-letter`` it goes to the sink with Confluent's ``__rule.name``,
``__rule.mode``, ``__rule.subject``, ``__rule.topic`` and ``__rule.exception`` headers besides
the contract headers, to the rule's ``dlq.topic`` when its action is DLQ.

Registry failures are not record failures: they propagate, the invocation fails, and Lambda
retries the batch, which is right for an outage and wrong for a poisoned record.
"""

from __future__ import annotations

import binascii
import datetime as _dt
import io
import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Generic, Literal, NamedTuple, TypeVar, get_args

from devicecontracts._gc import collector_paused
from devicecontracts._runtime.plans import AvroModel, ReadPlan
from devicecontracts._runtime.wire import HEADER_SIZE, MAX_SCHEMA_ID, header
from devicecontracts.dead_letters import DeadLetter, DeadLetterSink, KafkaDeadLetters, safe_text
from devicecontracts.errors import (
    CorruptPayload,
    DeadLetterError,
    DecodeError,
    DeviceContractsError,
    KafkaEventError,
    SchemaMismatch,
    UnknownSchemaId,
)
from devicecontracts.serde import Deserializer

__all__ = [
    "EVENT_SOURCES",
    "KafkaBatch",
    "KafkaDeadLetters",
    "KafkaMessage",
    "KafkaRecord",
    "Outcome",
    "RecordFailure",
    "SchemaMetadata",
    "Undecodable",
    "batch_item_failures",
    "decode_kafka_event",
    "kafka_records",
]

EVENT_SOURCES: Final = frozenset({"aws:kafka", "SelfManagedKafka"})
"""``eventSource`` of Amazon MSK and of self-managed Apache Kafka events."""

Undecodable = Literal["dead-letter", "fail", "skip"]
"""What becomes of a record that cannot be decoded (see the module's documentation)."""
_POLICIES: Final = get_args(Undecodable)

Outcome = Literal["dead-lettered", "retried", "skipped"]
"""What became of an undecodable record (`RecordFailure.outcome`)."""

M = TypeVar("M", bound=AvroModel)

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_timedelta = _dt.timedelta
_new_tuple = tuple.__new__  # a named tuple from its fields, without its Python-level __new__
_MAX_OFFSET: Final = 2**63 - 1  # Kafka offsets and partitions are Java longs and ints
_MAX_PARTITION: Final = 2**31 - 1
_FLOAT_EXACT_MILLIS: Final = 2**33 * 1000
"""Below this (2242), ``datetime.fromtimestamp(millis / 1000, UTC)`` is the exact datetime of
``millis``, at two thirds of the cost of adding a timedelta: the float is within half a ulp,
2**-21 s, of the true value, which rounding to whole microseconds then recovers exactly."""
_fromtimestamp = _dt.datetime.fromtimestamp
_UTC = _dt.UTC
_a2b = binascii.a2b_base64
_BytesIO = io.BytesIO

log = logging.getLogger(__name__)


class SchemaMetadata(NamedTuple):
    """``keySchemaMetadata`` / ``valueSchemaMetadata`` of a record from an event source mapping
    with a schema registry: ``data_format`` (``AVRO``, ``PROTOBUF``, ``JSON``) and the
    registry's ``schema_id`` as Lambda sends it, a string (a number for Confluent, a UUID for
    AWS Glue)."""

    data_format: str
    schema_id: str


class KafkaRecord(NamedTuple):
    """One record of a Lambda Kafka event, key and value base64-decoded (None when absent).

    ``timestamp`` is an aware UTC datetime, None when the record has none; ``headers`` keeps
    order and repeats, as Kafka does; ``key_schema`` and ``value_schema`` are the schema
    metadata of the event source mapping's schema-registry integration, when it is on.
    (Named tuples, not dataclasses, here and below: they are immutable too and cost a tenth of
    the import time, which a Lambda cold start pays.)
    """

    topic: str
    partition: int
    offset: int
    timestamp: _dt.datetime | None = None
    timestamp_type: str | None = None
    key: bytes | None = None
    value: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
    key_schema: SchemaMetadata | None = None
    value_schema: SchemaMetadata | None = None

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
    """A record that could not be decoded, why (the error names topic, partition, offset), and
    what became of it: ``dead-lettered``, ``retried`` (reported in ``batchItemFailures``) or
    ``skipped``."""

    record: KafkaRecord
    error: DeviceContractsError
    outcome: Outcome = "retried"


class KafkaBatch(Generic[M]):
    """A decoded Lambda Kafka event, in event order: ``messages``, ``failures`` (every record
    that could not be decoded, whatever its outcome), and ``tombstones`` (records without a
    value, deletes on compacted topics: neither)."""

    __slots__ = ("failures", "messages", "tombstones")

    def __init__(self) -> None:
        self.messages: list[KafkaMessage[M]] = []
        self.failures: list[RecordFailure] = []
        self.tombstones: list[KafkaRecord] = []

    def __repr__(self) -> str:
        return (
            f"KafkaBatch({len(self.messages)} messages, {len(self.failures)} failures "
            f"({len(self.dead_lettered)} dead-lettered, {len(self.skipped)} skipped), "
            f"{len(self.tombstones)} tombstones)"
        )

    @property
    def dead_lettered(self) -> list[RecordFailure]:
        """Undecodable records the dead-letter sink confirmed."""
        return [f for f in self.failures if f.outcome == "dead-lettered"]

    @property
    def skipped(self) -> list[RecordFailure]:
        """Undecodable records dropped under the ``skip`` policy."""
        return [f for f in self.failures if f.outcome == "skipped"]

    @property
    def retried(self) -> list[RecordFailure]:
        """Undecodable records reported for retry: the ``fail`` policy, or undelivered letters."""
        return [f for f in self.failures if f.outcome == "retried"]

    def response(self, *failed: KafkaRecord | KafkaMessage[Any] | RecordFailure) -> dict[str, Any]:
        """The partial batch response: the records in ``failed`` (messages the handler could
        not process) plus the undecodable records to retry (`retried`)."""
        return batch_item_failures([*self.retried, *failed])


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


def decode_kafka_event(
    event: Mapping[str, Any],
    deserializer: Deserializer[M],
    dead_letters: DeadLetterSink | None = None,
    *,
    undecodable: Undecodable = "dead-letter",
) -> KafkaBatch[M]:
    """Decode every record of a Lambda Kafka event; undecodable ones follow ``undecodable``.

    Under ``dead-letter`` the undecodable records go to ``dead_letters`` before this returns
    (`DeadLetterError` at once when there is no sink). `KafkaEventError` when the event is not
    a Kafka event or a record cannot be identified (no topic, partition or offset): then no
    partial response is possible.

    The batch keeps every decoded model alive until it returns, so the cyclic garbage collector
    is paused while the records are decoded (`devicecontracts._gc.collector_paused`: its state
    is restored on return and on any exception; the dead-letter sink runs with it restored).
    """
    if undecodable not in _POLICIES:
        raise DeadLetterError(
            f"undecodable is one of {', '.join(_POLICIES)}, not {safe_text(repr(undecodable))}"
        )
    if undecodable == "dead-letter" and dead_letters is None:
        raise DeadLetterError(
            "the dead-letter policy needs a sink: pass dead_letters=KafkaDeadLetters(...) (or "
            "KafkaDeadLetters.from_environment()), or choose undecodable='fail' or 'skip'"
        )
    batch: KafkaBatch[M] = KafkaBatch()
    with collector_paused():
        _decode_records(event, deserializer, batch)
    if batch.failures:
        _settle(batch, deserializer, undecodable, dead_letters)
    return batch


def _decode_records(
    event: Mapping[str, Any], deserializer: Deserializer[M], batch: KafkaBatch[M]
) -> None:
    """Decode the event's records into ``batch``: the loop every record of a batch runs.

    It is `kafka_records` and `Deserializer.decode` fused, for the shape nearly every record
    has (a dict whose coordinates are JSON integers, base64 key and value, no schema metadata)
    and a writer id already planned: one frame per record, no generator, no keyword call, the
    plan's read in line (`ReadPlan.inline`). Anything else goes through `_record`, ``decode``
    and `ReadPlan.decode` themselves, so every record ends as they say.
    """
    own_decode = type(deserializer).decode is Deserializer.decode
    plans = deserializer._plans if own_decode and "decode" not in vars(deserializer) else {}
    decode = deserializer.decode
    messages, failures, tombstones = batch.messages, batch.failures, batch.tombstones
    inline: dict[int | None, tuple[Any, tuple[Any, ...], Any]] = {}
    for name, entries, group_topic, group_partition in _groups(event):
        for index, raw in enumerate(entries):
            record: Any = None
            data: Any = None
            if type(raw) is dict:
                get = raw.get
                topic = get("topic", group_topic)
                partition = get("partition", group_partition)
                offset = get("offset")
                value = get("value")
                key = get("key")
                if (
                    type(value) is str
                    and type(partition) is int
                    and 0 <= partition <= _MAX_PARTITION
                    and type(offset) is int
                    and 0 <= offset <= _MAX_OFFSET
                    and type(topic) is str
                    and topic
                    and (key is None or type(key) is str)
                    and get("keySchemaMetadata") is None
                    and get("valueSchemaMetadata") is None
                ):  # what _record does for this shape, in line
                    kind = get("timestampType")
                    if type(kind) is not str:
                        kind = kind if isinstance(kind, str) else None
                    timestamp = _timestamp(get("timestamp"))
                    headers = get("headers")
                    try:
                        data = _a2b(value, strict_mode=True)
                        if key is not None:
                            key = _a2b(key, strict_mode=True)
                        headers = () if headers is None or headers == [] else _headers(headers)
                    except ValueError:  # binascii.Error too: _record says which part is bad
                        pass
                    else:
                        record = _new_tuple(
                            KafkaRecord,
                            (
                                topic,
                                partition,
                                offset,
                                timestamp,
                                kind,
                                key,
                                data,
                                headers,
                                None,
                                None,
                            ),
                        )
            if record is None:
                record = _record(raw, name, index, group_topic, group_partition)
                if type(record) is not KafkaRecord:
                    failures.append(record)
                    continue
                data = record.value
                if data is None:
                    tombstones.append(record)
                    continue
                if record.value_schema is not None:
                    try:
                        decoded = _decode_registry_format(record, data, deserializer)
                    except DecodeError as exc:
                        failures.append(RecordFailure(record, exc))
                    else:
                        messages.append(_new_tuple(KafkaMessage, (record, decoded)))
                    continue
            # A framed value, as Deserializer.decode reads it.
            schema_id = (
                int.from_bytes(data[1:HEADER_SIZE], "big")
                if len(data) >= HEADER_SIZE and not data[0]
                else None
            )
            way = inline.get(schema_id)
            if way is not None:
                read, args, convert = way
                buffer = _BytesIO(data)
                buffer.seek(HEADER_SIZE)
                try:
                    datum = read(buffer, *args)
                    if buffer.tell() == len(data):
                        messages.append(_new_tuple(KafkaMessage, (record, convert(datum))))
                        continue
                except Exception:  # decode below reads it again and raises the typed error
                    pass
            plan = None if schema_id is None else plans.get(schema_id)
            try:
                if plan is None or isinstance(plan, DecodeError):
                    decoded = decode(
                        data, topic=record.topic, partition=record.partition, offset=record.offset
                    )
                else:
                    if type(plan) is ReadPlan:
                        pieces = plan.inline()
                        if pieces is not None:
                            inline[schema_id] = pieces
                    decoded = plan.decode(data)  # type: ignore[assignment]
            except DecodeError as exc:
                if plan is not None and not isinstance(plan, DecodeError):
                    exc = exc.at(
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        schema_id=schema_id,
                    )
                failures.append(RecordFailure(record, exc))
            else:
                messages.append(_new_tuple(KafkaMessage, (record, decoded)))


def _decode_registry_format(record: KafkaRecord, value: bytes, deserializer: Deserializer[M]) -> M:
    """A value of an event source mapping with schema-registry integration: the Avro body (its
    header stripped) or the writer-shaped JSON, named by ``valueSchemaMetadata``."""
    metadata = record.value_schema
    assert metadata is not None
    topic, partition, offset = record.topic, record.partition, record.offset
    schema_id = None
    try:
        schema_id = _registry_id(metadata)
        document = _json_object(value)
        if document is None:  # EventRecordFormat SOURCE: the body, its header stripped
            framed = header(schema_id) + value
        else:  # EventRecordFormat JSON: the record as the writer's schema shapes it
            from devicecontracts._runtime.esm_json import framed_from_json

            framed = framed_from_json(document, deserializer.schemas.get(schema_id), schema_id)
    except DecodeError as exc:
        raise exc.at(schema_id=schema_id, topic=topic, partition=partition, offset=offset) from None
    return deserializer.decode(framed, topic=topic, partition=partition, offset=offset)


def _json_object(value: bytes) -> dict[str, Any] | None:
    """The value as a JSON object, or None when it is not one (an Avro body).

    The event does not say which ``EventRecordFormat`` the mapping uses. An Avro body that is
    also a whole JSON object, braces first and last, is not a value real producers write.
    """
    stripped = value.strip()
    if not (stripped.startswith(b"{") and stripped.endswith(b"}")):
        return None
    try:
        document = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _registry_id(metadata: SchemaMetadata) -> int:
    if metadata.data_format.upper() != "AVRO":
        raise SchemaMismatch(
            f"the event source mapping says the value is {safe_text(metadata.data_format, 40)}"
            ", but this consumer reads Avro"
        )
    text = metadata.schema_id.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SCHEMA_ID:
        raise UnknownSchemaId(
            f"schema id {safe_text(text, 60)!r} is not a Confluent Schema Registry id (AWS Glue "
            "Schema Registry ids are UUIDs, which this consumer does not resolve)"
        )
    return int(text)


def _settle(
    batch: KafkaBatch[Any],
    deserializer: Deserializer[Any],
    undecodable: Undecodable,
    dead_letters: DeadLetterSink | None,
) -> None:
    """Give each failure its outcome under the policy, delivering dead letters first."""
    if undecodable == "fail":
        return  # "retried" already
    if undecodable == "skip":
        for index, failure in enumerate(batch.failures):
            log.warning("skipped undecodable record: %s", safe_text(str(failure.error)))
            batch.failures[index] = failure._replace(outcome="skipped")
        return
    assert dead_letters is not None
    letters = [
        DeadLetter(f.record, f.error, _letter_subject(deserializer, f.error))
        for f in batch.failures
    ]
    try:
        undelivered = dead_letters.deliver(letters)
    except Exception as exc:  # a sink that raises delivered nothing; retry rather than lose
        log.error("the dead-letter sink failed: %s", safe_text(f"{type(exc).__name__}: {exc}"))
        undelivered = letters
    lost = {
        (letter.record.partition, letter.record.offset, letter.record.topic)
        for letter in undelivered
    }
    for index, failure in enumerate(batch.failures):
        record = failure.record
        if (record.partition, record.offset, record.topic) not in lost:
            log.warning("dead-lettered undecodable record: %s", safe_text(str(failure.error)))
            batch.failures[index] = failure._replace(outcome="dead-lettered")


def _subject(deserializer: Deserializer[Any], error: DeviceContractsError) -> str | None:
    schema_id = error.schema_id if isinstance(error, DecodeError) else None
    ids = getattr(deserializer.schemas, "ids", None)
    if schema_id is None or ids is None:
        return None
    release = ids.release(schema_id)
    return None if release is None else str(release.subject)


def _letter_subject(deserializer: Deserializer[Any], error: DeviceContractsError) -> str | None:
    """The writer's subject from the lock, else the subject the error names (a failed rule's)."""
    return _subject(deserializer, error) or error.location.subject


def kafka_records(event: Mapping[str, Any]) -> Iterator[KafkaRecord | RecordFailure]:
    """The records of a Lambda Kafka event in order; one whose key, value or headers cannot be
    decoded from base64 is a `RecordFailure` with a `CorruptPayload`.

    `KafkaEventError` (never a TypeError or OverflowError) for anything else malformed.
    """
    for name, entries, group_topic, group_partition in _groups(event):
        for index, raw in enumerate(entries):
            yield _record(raw, name, index, group_topic, group_partition)


def _groups(event: Mapping[str, Any]) -> Iterator[tuple[str, list[Any], str, str]]:
    """The event's topic-partition groups: each name (made safe to print), its list of records
    and the topic and partition its name supplies for what a record leaves out."""
    if not isinstance(event, Mapping):
        raise KafkaEventError(f"a Lambda Kafka event is a JSON object, not {type(event).__name__}")
    source = event.get("eventSource")
    if source is not None and (not isinstance(source, str) or source not in EVENT_SOURCES):
        raise KafkaEventError(
            f"eventSource is {safe_text(repr(source), 80)}, not a Kafka event source "
            f"({', '.join(sorted(EVENT_SOURCES))})"
        )
    groups = event.get("records")
    if not isinstance(groups, Mapping):
        raise KafkaEventError(
            'a Lambda Kafka event has "records": an object of topic-partition to record lists'
        )
    for group, entries in groups.items():
        name = safe_text(str(group), 300)
        if not isinstance(entries, list):
            raise KafkaEventError(f"records[{name!r}] is not a list of records")
        # The group key, "<topic>-<partition>", supplies what a record leaves out.
        group_topic, _, group_partition = name.rpartition("-")
        yield name, entries, group_topic, group_partition


def _record(
    raw: Any, group: str, index: int, group_topic: str, group_partition: str
) -> KafkaRecord | RecordFailure:
    """One record, each part read once and one `KafkaRecord` built; where it sits in the event
    is only spelled out when it is malformed."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise KafkaEventError(f"records[{group!r}][{index}] is not a record object")
    get = raw.get
    topic = get("topic", group_topic)
    partition = _whole(get("partition", group_partition), _MAX_PARTITION)
    offset = _whole(get("offset"), _MAX_OFFSET)
    if partition is None or offset is None or not isinstance(topic, str) or not topic:
        raise KafkaEventError(
            f"records[{group!r}][{index}] lacks a topic, partition or offset (or one is not a "
            "Kafka value), so it cannot be reported as a batch item failure"
        )
    kind = get("timestampType")
    if type(kind) is not str:
        kind = kind if isinstance(kind, str) else None
    timestamp = _timestamp(get("timestamp"))
    try:
        key = _base64(get("key"), "key")
        value = _base64(get("value"), "value")
        headers = get("headers")
        headers = () if headers is None or headers == [] else _headers(headers)
        key_schema = get("keySchemaMetadata")
        if key_schema is not None:
            key_schema = _schema_metadata(key_schema, "keySchemaMetadata")
        value_schema = get("valueSchemaMetadata")
        if value_schema is not None:
            value_schema = _schema_metadata(value_schema, "valueSchemaMetadata")
    except ValueError as exc:
        error = CorruptPayload(str(exc)).at(topic=topic, partition=partition, offset=offset)
        return RecordFailure(KafkaRecord(topic, partition, offset, timestamp, kind), error)
    return _new_tuple(
        KafkaRecord,
        (topic, partition, offset, timestamp, kind, key, value, headers, key_schema, value_schema),
    )


def _whole(value: Any, limit: int) -> int | None:
    """A partition or offset: a JSON integer, or a string of digits as some events carry."""
    if type(value) is int:  # the usual case, first
        return value if 0 <= value <= limit else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)  # 15.0 from a JSON library that reads every number as a float
    if isinstance(value, int) and 0 <= value <= limit:
        return value
    return None


def _timestamp(millis: Any) -> _dt.datetime | None:
    """The record's timestamp (milliseconds since the epoch) as an aware UTC datetime."""
    if type(millis) is int and 0 <= millis < _FLOAT_EXACT_MILLIS:
        return _fromtimestamp(millis / 1000, _UTC)
    if type(millis) is not int and (not isinstance(millis, int) or isinstance(millis, bool)):
        return None
    if millis < 0:
        return None
    try:
        return _EPOCH + _timedelta(0, 0, 0, millis)  # positional: days, s, us, ms
    except OverflowError:
        return None


def _schema_metadata(raw: Any, what: str) -> SchemaMetadata | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError(f"the record's {what} is not an object")
    data_format, schema_id = raw.get("dataFormat"), raw.get("schemaId")
    if isinstance(schema_id, int) and not isinstance(schema_id, bool):
        schema_id = str(schema_id)
    if not isinstance(data_format, str) or not isinstance(schema_id, str):
        raise ValueError(f"the record's {what} lacks a dataFormat or schemaId string")
    return SchemaMetadata(data_format, schema_id)


def _base64(text: Any, what: str) -> bytes | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(f"the record's {what} is not a base64 string")
    try:
        # Strict mode accepts exactly what base64.b64decode(validate=True) does, without its
        # regular expression: the alphabet, padding only at the end, nothing after it.
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):  # ValueError: a non-ASCII string
        raise ValueError(f"the record's {what} is not valid base64") from None


def _headers(raw: Any) -> tuple[tuple[str, bytes], ...]:
    if not isinstance(raw, list):
        raise ValueError("the record's headers are not a list")
    headers = []
    for entry in raw:
        if type(entry) is not dict and not isinstance(entry, Mapping):
            raise ValueError("a record header is not an object")
        for name, value in entry.items():
            headers.append((str(name), _header_value(value)))
    return tuple(headers)


_INTS: Final = frozenset({int})


def _header_value(value: Any) -> bytes:
    if isinstance(value, list):
        # Lambda serialises Java byte arrays: numbers, negative above 127 (signed bytes).
        if _INTS.issuperset(map(type, value)):  # plain ints only (no bools): checked in C
            try:
                return bytes(value)
            except ValueError:  # some below 0 (signed) or above 255
                if value and (min(value) < -128 or max(value) > 255):
                    raise ValueError("a record header value is not a list of byte values") from None
                return bytes(b & 0xFF for b in value)
        if not all(
            isinstance(b, int) and not isinstance(b, bool) and -128 <= b <= 255 for b in value
        ):
            raise ValueError("a record header value is not a list of byte values")
        return bytes(b & 0xFF for b in value)
    if isinstance(value, str):  # some tools and test fixtures send base64 instead
        decoded = _base64(value, "header value")
        assert decoded is not None
        return decoded
    if value is None:
        return b""
    raise ValueError("a record header value is neither bytes nor base64")
