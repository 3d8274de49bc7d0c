"""Dead letters: undecodable Kafka records set aside, with why, instead of stalling a partition.

A record that cannot be decoded never will be: the same bytes fail on every retry, and Lambda's
Kafka event source mapping retries a failed batch indefinitely by default, so reporting it as a
batch item failure blocks its partition. The ``dead-letter`` policy of
`devicecontracts.lambda_events` hands such records to a `DeadLetterSink` instead and moves on.

`KafkaDeadLetters` is the sink for Kafka: it writes each record's original key, value and
headers to a dead-letter topic, adding contract headers (`CONTRACT_HEADERS`) that say what went
wrong and where the record came from, and flushes before the handler returns. A record that
failed a data-contract rule (rules on: `devicecontracts.errors.RuleViolationOnRead`,
`MigrationError`) also gets Confluent's ``__rule.*`` headers (`RULE_HEADERS`), and goes to the
rule's own ``dlq.topic`` when its action is DLQ. Any other
destination (SQS, S3, a table) is a class with one method, ``deliver``::

    class SqsDeadLetters:
        def deliver(self, letters):
            failed = []
            for letter in letters:
                try:
                    sqs.send_message(QueueUrl=URL, MessageBody=letter.describe())
                except Exception:
                    failed.append(letter)
            return failed          # these are retried through batchItemFailures

Delivery is at least once: a letter whose confirmation times out is reported for retry and may
also arrive later.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

from devicecontracts.errors import DeadLetterError, DecodeError, DeviceContractsError, RuleFailure

if TYPE_CHECKING:
    from devicecontracts.lambda_events import KafkaRecord

__all__ = [
    "BOOTSTRAP_SERVERS_VARIABLE",
    "CONTRACT_HEADERS",
    "RULE_HEADERS",
    "TOPIC_VARIABLE",
    "DeadLetter",
    "DeadLetterSink",
    "KafkaDeadLetters",
    "safe_text",
]

TOPIC_VARIABLE: Final = "DEVICECONTRACTS_DEAD_LETTER_TOPIC"
"""Names the dead-letter topic for `KafkaDeadLetters.from_environment`."""
BOOTSTRAP_SERVERS_VARIABLE: Final = "DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS"
"""The brokers of the dead-letter topic (comma-separated), unless the config names them."""

_PREFIX: Final = "devicecontracts."
CONTRACT_HEADERS: Final = tuple(
    _PREFIX + name
    for name in (
        "error.class",
        "error.message",
        "subject",
        "schema.id",
        "source.topic",
        "source.partition",
        "source.offset",
        "source.timestamp",
    )
)
"""Headers a dead letter carries besides the record's own, values UTF-8 text: the error class
(``UnknownSchemaId``), its message, the subject and writer schema id (when known), and the
source topic, partition, offset and timestamp (epoch milliseconds, when the record had one)."""
RULE_HEADERS: Final = tuple(
    "__rule." + name for name in ("name", "mode", "subject", "topic", "exception")
)
"""Headers a record that failed a data-contract rule also carries, as Confluent's DLQ action
writes them: the rule's name, the mode it ran in (READ, UPGRADE, ...), the subject whose version
carries it, the record's source topic, and what failed (without the field's value). A consumer
reading the dead-letter topic with Confluent's deserializer skips the rule ``__rule.name``
names, as it does for its own dead letters."""

_MAX_MESSAGE: Final = 2000
# A URL's user info (user:password@) is cut from every message that leaves the process.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)

log = logging.getLogger(__name__)


def safe_text(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` without URL credentials, cut to ``limit`` characters: fit for headers and logs."""
    text = _USERINFO.sub(r"\1***@", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class DeadLetter(NamedTuple):
    """An undecodable record on its way to a dead-letter sink, with its error and, when the
    writer schema's id is released in the lock, its subject."""

    record: KafkaRecord
    error: DeviceContractsError
    subject: str | None = None

    @property
    def schema_id(self) -> int | None:
        """The writer schema id the record named, when known."""
        return self.error.schema_id if isinstance(self.error, DecodeError) else None

    def contract_headers(self) -> list[tuple[str, bytes]]:
        """The `CONTRACT_HEADERS` of this letter that are known, in that order."""
        record = self.record
        values: list[str | None] = [
            type(self.error).__name__,
            safe_text(str(self.error)),
            self.subject,
            None if self.schema_id is None else str(self.schema_id),
            record.topic,
            str(record.partition),
            str(record.offset),
            None if record.timestamp is None else str(_millis(record.timestamp)),
        ]
        return [
            (name, value.encode())
            for name, value in zip(CONTRACT_HEADERS, values, strict=True)
            if value
        ]

    @property
    def dlq_topic(self) -> str | None:
        """The dead-letter topic a failed rule with a DLQ action names (``dlq.topic``), which
        `KafkaDeadLetters` sends the letter to instead of its own topic; None otherwise."""
        return self.error.dlq_topic if isinstance(self.error, RuleFailure) else None

    def rule_headers(self) -> list[tuple[str, bytes]]:
        """The `RULE_HEADERS` of a letter whose error is a failed rule (empty otherwise)."""
        error = self.error
        if not isinstance(error, RuleFailure):
            return []
        values = [
            error.rule_name,
            error.rule_mode,
            error.subject,
            self.record.topic,
            safe_text(error.message),
        ]
        return [
            (name, value.encode())
            for name, value in zip(RULE_HEADERS, values, strict=True)
            if value
        ]

    def headers(self) -> list[tuple[str, bytes]]:
        """The record's own headers, in order, then the contract headers, then the rule
        headers of a failed rule."""
        return [*self.record.headers, *self.contract_headers(), *self.rule_headers()]

    def describe(self) -> str:
        """One line for logs and queue messages: where the record was and why it is here."""
        return safe_text(
            f"{type(self.error).__name__} at {self.record.topic}-{self.record.partition} "
            f"offset {self.record.offset}: {self.error}"
        )


def _millis(moment: _dt.datetime) -> int:
    return (moment - _EPOCH) // _dt.timedelta(milliseconds=1)


class DeadLetterSink(Protocol):
    """Where undecodable records go. One method, called once per batch that has any."""

    def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
        """Store ``letters`` durably before returning, and return those that were *not*
        stored (empty when all were): they are reported as batch item failures, so Lambda
        retries them instead of losing them. Return within the function's timeout."""
        ...


class KafkaDeadLetters:
    """A `DeadLetterSink` writing to a Kafka topic through confluent-kafka's ``Producer``.

    ``config`` is the producer's librdkafka configuration (``bootstrap.servers`` and the
    cluster's authentication); ``flush_timeout`` bounds the wait for the brokers' confirmation
    in each batch. The producer is created, and confluent-kafka imported, on the first batch
    that has a dead letter, so a clean cold start pays for neither. ``producer`` replaces it
    (tests, a producer the function already has).

    Its default ``message.max.bytes`` is 6 MiB, the size of a whole Lambda event, so any
    record Lambda delivered fits; the topic's ``max.message.bytes`` must allow it too.
    """

    def __init__(
        self,
        topic: str,
        config: Mapping[str, Any] | None = None,
        *,
        flush_timeout: float = 10.0,
        producer: Any = None,
    ) -> None:
        if not isinstance(topic, str) or not topic.strip():
            raise DeadLetterError(f"a dead-letter topic needs a name: set {TOPIC_VARIABLE}")
        if producer is None and not (config or {}).get("bootstrap.servers"):
            raise DeadLetterError(
                f"the dead-letter topic {topic!r} needs brokers: set {BOOTSTRAP_SERVERS_VARIABLE}"
                " or give bootstrap.servers in the producer config"
            )
        if not flush_timeout > 0:
            raise DeadLetterError(f"flush_timeout is seconds above 0, not {flush_timeout!r}")
        self.topic = topic
        self.flush_timeout = float(flush_timeout)
        self._config = {"acks": "all", "message.max.bytes": 6 * 1024 * 1024, **(config or {})}
        self._producer = producer

    @classmethod
    def from_environment(
        cls,
        config: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        flush_timeout: float = 10.0,
    ) -> KafkaDeadLetters:
        """The topic from ``DEVICECONTRACTS_DEAD_LETTER_TOPIC`` and the brokers from
        ``DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS`` (unless ``config`` names them);
        ``config`` adds authentication. `DeadLetterError` at once when either is missing."""
        environ = os.environ if environ is None else environ
        merged = dict(config or {})
        servers = environ.get(BOOTSTRAP_SERVERS_VARIABLE, "").strip()
        if servers and not merged.get("bootstrap.servers"):
            merged["bootstrap.servers"] = servers
        return cls(environ.get(TOPIC_VARIABLE, "").strip(), merged, flush_timeout=flush_timeout)

    def __repr__(self) -> str:
        return f"KafkaDeadLetters(topic={self.topic!r})"  # never the config: it holds secrets

    def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
        """Produce every letter, flush, and return the letters the brokers did not confirm."""
        if not letters:
            return []
        producer = self._get_producer()
        confirmed: set[int] = set()
        problems: list[str] = []

        def confirm(index: int) -> Any:
            def on_delivery(error: Any, message: Any) -> None:
                if error is None:
                    confirmed.add(index)
                else:
                    problems.append(str(error))

            return on_delivery

        for index, letter in enumerate(letters):
            try:
                producer.produce(
                    letter.dlq_topic or self.topic,
                    key=letter.record.key,
                    value=letter.record.value,
                    headers=letter.headers(),
                    on_delivery=confirm(index),
                )
            except Exception as exc:  # BufferError, KafkaException: this letter is not sent
                problems.append(f"{type(exc).__name__}: {exc}")
            producer.poll(0)
        producer.flush(self.flush_timeout)
        failed = [letter for index, letter in enumerate(letters) if index not in confirmed]
        if failed:
            reason = problems[0] if problems else f"no confirmation within {self.flush_timeout}s"
            error = DeadLetterError(
                f"{len(failed)} of {len(letters)} dead letters were not delivered to topic "
                f"{self.topic!r} ({safe_text(reason, 300)}); they are reported as batch item "
                "failures and will be retried"
            )
            log.error("%s", error)
        return failed

    def _get_producer(self) -> Any:
        if self._producer is None:
            from confluent_kafka import Producer  # slow to import: only when a letter is sent

            try:
                self._producer = Producer(self._config)
            except Exception as exc:  # KafkaException for a bad setting
                raise DeadLetterError(
                    f"cannot create the producer of dead-letter topic {self.topic!r}: "
                    f"{safe_text(str(exc), 300)}"
                ) from None
        return self._producer
