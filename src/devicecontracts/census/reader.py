"""Reading a topic for a census: only the 5-byte header of each record, from a start point,
until every partition read reaches its end, ``max_messages`` records were read, or
``duration_s`` passed, whichever comes first.

Two ways to take partitions:

* without a group, the reader assigns itself every partition of the topic (no group
  membership, nothing committed);
* with a group, it subscribes and Kafka's consumer-group protocol assigns partitions: N
  processes with one group split the topic between them. Offsets are committed as the reader
  goes and whenever a partition is taken away, so a rebalance never counts a record twice; a
  partition the group has committed an offset for resumes there (use a new group name for a
  new census), the others start at the start point.

confluent-kafka is imported when `run_census` runs, never at import.
"""

from __future__ import annotations

import io
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter, methodcaller
from typing import Any, Final

from devicecontracts.catalog.census import (
    CensusReport,
    PartitionCensus,
    Seen,
    Verification,
    VerifyFailure,
)
from devicecontracts.census.classify import FRAMED_MIN, unframed_kind
from devicecontracts.census.ids import IdSource
from devicecontracts.census.kafka import (
    CensusError,
    KafkaUnreachable,
    kafka_logger,
    secrets_of,
)
from devicecontracts.registry.settings import redact

__all__ = [
    "BATCH",
    "COMMIT_EVERY_S",
    "IDLE_TIMEOUT_S",
    "JOIN_TIMEOUT_S",
    "METADATA_TIMEOUT_S",
    "CensusOptions",
    "Progress",
    "Start",
    "run_census",
]

BATCH: Final = 1000
"""Records asked of each ``consume`` call."""
METADATA_TIMEOUT_S: Final = 15.0
"""How long the brokers have to answer the first metadata request."""
IDLE_TIMEOUT_S: Final = 30.0
"""How long reading may go without a record or an end of partition before the brokers count
as gone."""
JOIN_TIMEOUT_S: Final = 60.0
"""With a group: how long to wait for Kafka to assign partitions (a member that left
without a word holds its partitions until its session times out, 45 s by default) before
ending with none."""
COMMIT_EVERY_S: Final = 5.0
_COMMIT_TRIES: Final = 20

_NO_FIRST: Final = 2**63
_GENERIC: Final = tuple(methodcaller(name) for name in ("error", "partition", "value", "timestamp"))
_SECOND = itemgetter(1)
_HEAD = itemgetter(slice(0, 5))
_LATEST = re.compile(r"latest:([0-9]+)\Z")


@dataclass(frozen=True)
class Start:
    """Where reading starts in each partition: ``earliest``, ``latest:N`` (the last N records
    of each partition) or an ISO 8601 time (the first record at or after it, as the brokers'
    time index answers)."""

    text: str
    latest: int | None = None
    time_ms: int | None = None

    @classmethod
    def parse(cls, text: str) -> Start:
        """The start point ``text``; `CensusError` saying what is accepted."""
        text = text.strip()
        if text == "earliest":
            return cls(text)
        match = _LATEST.match(text)
        if match:
            return cls(text, latest=int(match[1]))
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise CensusError(
                f"--from {text!r:.60}: expected earliest, latest:N (the last N records of each "
                "partition) or an ISO 8601 time such as 2026-12-01T00:00:00Z"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return cls(when.astimezone(UTC).isoformat().replace("+00:00", "Z"), time_ms=_ms(when))


@dataclass(frozen=True)
class CensusOptions:
    """What to read and how: the topic, its brokers, the start point and limits."""

    topic: str
    bootstrap_servers: str
    start: Start = Start("earliest")
    max_messages: int | None = None
    duration_s: float | None = None
    group: str | None = None
    kafka_config: Mapping[str, str] | None = field(default=None, repr=False)
    """Extra Kafka client settings (librdkafka's names); kept out of ``repr``: secrets."""
    verify_sample: int | None = None
    """Verify up to this many framed bodies (a uniform sample), None: no verification."""
    connect_timeout_s: float = METADATA_TIMEOUT_S
    """How long the brokers have to answer the first metadata request."""


@dataclass(frozen=True)
class Progress:
    """Where a running census is."""

    records: int
    elapsed_s: float
    partitions_done: int
    partitions: int


class _Part:
    """One partition's tallies: ``stats`` per 5-byte header (framed) or unframed kind,
    each ``[count, first_ms, last_ms]``."""

    __slots__ = ("first_offset", "last_offset", "stats")

    def __init__(self) -> None:
        self.stats: dict[bytes | str, list[int]] = {}
        self.first_offset: int | None = None
        self.last_offset: int | None = None


def run_census(
    options: CensusOptions,
    ids: IdSource,
    *,
    consumer_factory: Callable[[dict[str, Any]], Any] | None = None,
    progress: Callable[[Progress], None] | None = None,
    progress_every_s: float = 1.0,
    idle_timeout_s: float = IDLE_TIMEOUT_S,
) -> CensusReport:
    """Read ``options.topic`` as ``options`` say and return its census, ids mapped by ``ids``.

    ``consumer_factory`` builds the consumer from its config (confluent-kafka's ``Consumer``
    by default); ``progress`` is called at most every ``progress_every_s`` seconds.
    `KafkaUnreachable` when the brokers do not answer in time; `CensusError` for an unknown
    topic or a Kafka error that will not go away. Secrets of the Kafka settings never appear
    in either.
    """
    from confluent_kafka import Consumer

    if options.max_messages is not None and options.max_messages < 1:
        raise CensusError("--max-messages must be 1 or more")
    if options.duration_s is not None and not options.duration_s > 0:
        raise CensusError("--duration must be a positive number of seconds")
    extra = dict(options.kafka_config or {})
    secrets = secrets_of(extra)
    config: dict[str, Any] = {
        "bootstrap.servers": options.bootstrap_servers,
        "log_level": 4,
        **extra,
        # What the census relies on, whatever the settings say:
        "group.id": options.group or f"devicecontracts-census-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
        "logger": kafka_logger(secrets),
    }
    factory = consumer_factory or Consumer
    try:
        consumer = factory(config)
    except Exception as exc:
        raise CensusError(redact(f"the Kafka settings were refused: {exc}", secrets)) from None
    reading = _Reading(options, consumer, secrets, progress, progress_every_s, idle_timeout_s)
    try:
        reading.run()
    finally:
        reading.close()
    return reading.report(ids)


class _Reading:
    def __init__(  # noqa: PLR0917
        self,
        options: CensusOptions,
        consumer: Any,
        secrets: tuple[str, ...],
        progress: Callable[[Progress], None] | None,
        progress_every_s: float,
        idle_timeout_s: float,
    ) -> None:
        from confluent_kafka import KafkaError, Message, TopicPartition

        self.options = options
        self.topic = options.topic
        self.consumer = consumer
        self.secrets = secrets
        self.progress = progress
        self.progress_every_s = progress_every_s
        self.idle_timeout_s = idle_timeout_s
        self.parts: dict[int, _Part] = {}
        self.assigned: set[int] = set()
        self.eof: set[int] = set()
        self.records = 0
        self.partition_count = 0
        self.samples: list[tuple[int, int, int, bytes]] = []
        self.sampled_from = 0
        self.random = random.Random(0)  # a sample, not a secret
        self.finished_at = datetime.now(UTC)
        self._eof_code = KafkaError._PARTITION_EOF
        self._fatal_codes = {
            KafkaError.UNKNOWN_TOPIC_OR_PART,
            KafkaError.TOPIC_AUTHORIZATION_FAILED,
            KafkaError.GROUP_AUTHORIZATION_FAILED,
            KafkaError._AUTHENTICATION,
            KafkaError.SASL_AUTHENTICATION_FAILED,
        }
        self._tp = TopicPartition
        self._message_type = Message
        self._native = (Message.error, Message.partition, Message.value, Message.timestamp)
        self._get: tuple[Callable[[Any], Any], ...] = _GENERIC
        self._closed = False
        self._finished = False

    # -- setting up ---------------------------------------------------------------------------

    def _say(self, text: str) -> str:
        return redact(text, self.secrets)

    def partitions(self) -> list[int]:
        from confluent_kafka import KafkaException

        try:
            metadata = self.consumer.list_topics(self.topic, timeout=self.options.connect_timeout_s)
        except KafkaException as exc:
            raise KafkaUnreachable(
                self._say(
                    f"no Kafka broker at {self.options.bootstrap_servers} answered within "
                    f"{self.options.connect_timeout_s:g} s ({exc.args[0] if exc.args else exc}); "
                    "check "
                    "--bootstrap-servers and the security settings (-X, --kafka-config)"
                )
            ) from None
        found = metadata.topics.get(self.topic)
        if found is None or found.error is not None or not found.partitions:
            why = f" ({found.error.str()})" if found is not None and found.error else ""
            raise CensusError(
                self._say(
                    f"topic {self.topic!r} is not on the cluster at "
                    f"{self.options.bootstrap_servers}{why}; check the name (contracts census "
                    "lists what a topic carries, it never creates one)"
                )
            )
        return sorted(found.partitions)

    def start_offsets(self, partitions: list[int]) -> dict[int, int | None]:
        """The offset to start each partition at; None: nothing to read (at its end)."""
        from confluent_kafka import OFFSET_BEGINNING

        start = self.options.start
        out: dict[int, int | None] = {}
        if start.latest is not None:
            for p in partitions:
                low, high = self._watermarks(p)
                out[p] = max(low, high - start.latest) if high > low and start.latest else None
        elif start.time_ms is not None:
            wanted = [self._tp(self.topic, p, start.time_ms) for p in partitions]
            try:
                answer = self.consumer.offsets_for_times(wanted, timeout=METADATA_TIMEOUT_S)
            except Exception as exc:
                raise CensusError(
                    self._say(f"the brokers did not answer where {start.text} starts: {exc}")
                ) from None
            for tp in answer:
                out[tp.partition] = tp.offset if tp.offset >= 0 else None
        else:
            out = dict.fromkeys(partitions, OFFSET_BEGINNING)
        return out

    def _watermarks(self, partition: int) -> tuple[int, int]:
        try:
            low, high = self.consumer.get_watermark_offsets(
                self._tp(self.topic, partition), timeout=METADATA_TIMEOUT_S
            )
        except Exception as exc:
            raise KafkaUnreachable(
                self._say(
                    f"the brokers did not answer the end offsets of partition {partition}: {exc}"
                )
            ) from None
        return int(low), int(high)

    def _on_assign(self, consumer: Any, partitions: list[Any]) -> None:
        numbers = [tp.partition for tp in partitions]
        committed = {
            tp.partition: tp.offset
            for tp in consumer.committed(partitions, timeout=METADATA_TIMEOUT_S)
            if tp.offset >= 0
        }
        # A partition this process read before (taken away, then given back) resumes after
        # what it counted, whatever the group committed: it never counts a record twice.
        for p in numbers:
            part = self.parts.get(p)
            if part is not None and part.last_offset is not None:
                committed[p] = max(committed.get(p, 0), part.last_offset + 1)
        fresh = [p for p in numbers if p not in committed]
        starts = self.start_offsets(fresh) if fresh else {}
        chosen = []
        for p in numbers:
            offset = committed.get(p, starts.get(p))
            self.eof.discard(p)
            if offset is None:
                self.eof.add(p)  # at its end already: nothing to read from it
                continue
            chosen.append(self._tp(self.topic, p, offset))
        self.assigned.update(numbers)
        consumer.assign(chosen)

    def _on_revoke(self, consumer: Any, partitions: list[Any]) -> None:
        numbers = {tp.partition for tp in partitions}
        if not self._finished:  # once finished, _final_commit has committed (or said why not)
            self._commit(numbers, asynchronous=False)
        self.assigned -= numbers
        self.eof -= numbers

    def _commit(
        self, numbers: set[int] | None = None, *, asynchronous: bool, last_try: bool = True
    ) -> bool:
        """Commit the offsets after what was counted (of ``numbers``, or every partition);
        whether the group took them. A failure is a warning on the last try: a process taking
        the partitions over re-reads from the previous commit, and census merge then refuses
        the overlap rather than count records twice."""
        if self.options.group is None:
            return True
        offsets = [
            self._tp(self.topic, p, part.last_offset + 1)
            for p, part in self.parts.items()
            if part.last_offset is not None and (numbers is None or p in numbers)
        ]
        if not offsets:
            return True
        try:
            self.consumer.commit(offsets=offsets, asynchronous=asynchronous)
        except Exception as exc:
            if last_try:
                error = exc.args[0] if exc.args else exc
                reason = error.str() if hasattr(error, "str") else str(error)
                kafka_logger(self.secrets).warning(
                    "could not commit the census offsets of partitions %s of %s (%s): a process "
                    "taking them over re-reads from the group's previous commit, and census "
                    "merge refuses the overlap",
                    ", ".join(str(tp.partition) for tp in offsets),
                    self.topic,
                    self._say(reason),
                )
            return False
        return True

    def _final_commit(self) -> None:
        """Commit what was counted before leaving; during a rebalance (another member left
        or joined), serve it and try again, for a few seconds at most."""
        for attempt in range(_COMMIT_TRIES):
            if self._commit(asynchronous=False, last_try=attempt == _COMMIT_TRIES - 1):
                return
            self.consumer.poll(
                0.25
            )  # runs the rebalance callbacks; a record it returns is not counted

    # -- reading ------------------------------------------------------------------------------

    def run(self) -> None:
        partitions = self.partitions()
        self.partition_count = len(partitions)
        if self.options.group is None:
            starts = self.start_offsets(partitions)
            self.assigned = set(partitions)
            self.eof = {p for p, offset in starts.items() if offset is None}
            self.consumer.assign(
                [self._tp(self.topic, p, o) for p, o in starts.items() if o is not None]
            )
        else:
            self.consumer.subscribe(
                [self.topic], on_assign=self._on_assign, on_revoke=self._on_revoke
            )
        self._loop()
        self.finished_at = datetime.now(UTC)
        self._finished = True
        self._final_commit()

    def _loop(self) -> None:
        options = self.options
        began = now = time.monotonic()
        deadline = began + options.duration_s if options.duration_s is not None else None
        last_activity = last_progress = last_commit = began
        remaining = options.max_messages
        verify = options.verify_sample is not None
        consume = self.consumer.consume
        while True:
            if self.assigned and self.assigned <= self.eof:
                return  # every partition read to its end
            if remaining is not None and remaining <= 0:
                return
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return
            waiting = options.group is not None and not self.assigned
            limit = max(self.idle_timeout_s, JOIN_TIMEOUT_S) if waiting else self.idle_timeout_s
            if now - last_activity > limit:
                if waiting:
                    return  # the group gave this process no partition
                raise KafkaUnreachable(
                    self._say(
                        f"no record and no end of partition from {options.bootstrap_servers} "
                        f"for {self.idle_timeout_s:g} s: the brokers stopped answering"
                    )
                )
            wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - now))
            batch = consume(BATCH if remaining is None else min(BATCH, remaining), wait)
            if batch:
                last_activity = time.monotonic()
                counted = self._tally(batch)
                if verify:
                    self._sample(batch)
                self.records += counted
                if remaining is not None:
                    remaining -= counted
            now = time.monotonic()
            if self.progress is not None and now - last_progress >= self.progress_every_s:
                last_progress = now
                self.progress(
                    Progress(self.records, now - began, len(self.eof), self.partition_count)
                )
            if options.group is not None and now - last_commit >= COMMIT_EVERY_S:
                last_commit = now
                self._commit(asynchronous=True)

    def _tally(self, batch: list[Any]) -> int:
        """Count ``batch`` into the partitions' tallies; the number of records counted.

        The hot path, no decoding: the 5-byte header is the key. A run of one partition's
        records whose timestamps are all known and never go back, without tombstones, is
        counted a run at a time (the accessors mapped over it, the headers counted with
        `Counter`, the first and last timestamp per header at its first and last place);
        anything else a record at a time (`_tally_each`). Both count the same.

        Errors (an end of partition, a broker's failure) come as messages too. librdkafka
        gives them no timestamp (-1), so a run holding one is never counted a run at a time:
        `_tally_each` sees each error.
        """
        # confluent-kafka's own methods, unbound, when these are its messages (a quarter of
        # methodcaller's cost per record); methodcaller for anything shaped like them.
        self._get = self._native if type(batch[0]) is self._message_type else _GENERIC
        partitions = list(map(self._get[1], batch))
        if partitions.count(partitions[0]) == len(partitions):
            return self._tally_run(partitions[0], batch)
        counted = 0
        start = 0
        for i in range(1, len(partitions)):
            if partitions[i] != partitions[i - 1]:
                counted += self._tally_run(partitions[start], batch[start:i])
                start = i
        return counted + self._tally_run(partitions[start], batch[start:])

    def _tally_run(self, partition: int, run: list[Any]) -> int:
        """`_tally` of records of one partition, a run at a time when it can."""
        _, _, value, timestamp = self._get
        stamps = list(map(_SECOND, map(timestamp, run)))
        if stamps[0] < 0 or stamps != sorted(stamps):
            return self._tally_each(run)  # an error, a record without a time, or time going back
        try:
            keys = list(map(_HEAD, map(value, run)))
        except TypeError:  # a tombstone (no value) among them
            return self._tally_each(run)
        part = self._part(partition, run[0])
        stats = part.stats
        backwards = keys[::-1]
        end = len(keys) - 1
        for key, count in Counter(keys).items():
            first_at = keys.index(key)
            if len(key) == FRAMED_MIN and key[0] == 0:
                # timestamps rise: a header's first and last are at its first and last place
                _add(stats, key, count, stamps[first_at], stamps[end - backwards.index(key)])
                continue
            at = first_at  # a few records, each classified by its whole value
            for i in range(count):
                if i:
                    at = keys.index(key, at + 1)
                _add(stats, unframed_kind(value(run[at])), 1, stamps[at], stamps[at])
        part.last_offset = run[-1].offset()
        return len(run)

    def _part(self, partition: int, first: Any) -> _Part:
        part = self.parts.get(partition)
        if part is None:
            part = self.parts[partition] = _Part()
        if part.first_offset is None:
            part.first_offset = first.offset()
        return part

    def _tally_each(self, batch: list[Any]) -> int:
        """`_tally`, a record at a time: errors, tombstones, timestamps missing or going back."""
        counted = 0
        current = -1
        part: _Part | None = None
        stats: dict[bytes | str, list[int]] = {}
        last = None
        for m in batch:
            if m.error() is not None:
                if last is not None and part is not None:
                    part.last_offset = last.offset()
                    last = None
                    current = -1
                self._error(m)
                continue
            p = m.partition()
            if p != current:
                if last is not None and part is not None:
                    part.last_offset = last.offset()
                part = self._part(p, m)
                stats = part.stats
                current = p
            v = m.value()
            ts = m.timestamp()[1]
            key = v[:5] if v and v[0] == 0 and len(v) >= FRAMED_MIN else unframed_kind(v)
            s = stats.get(key)
            if s is None:
                stats[key] = [1, ts if ts >= 0 else _NO_FIRST, ts]
            else:
                s[0] += 1
                if ts > s[2]:  # noqa: PLR1730 - a comparison is cheaper than max() per record
                    s[2] = ts
                if 0 <= ts < s[1]:
                    s[1] = ts
            last = m
            counted += 1
        if last is not None and part is not None:
            part.last_offset = last.offset()
        return counted

    def _error(self, m: Any) -> None:
        error = m.error()
        code = error.code()
        if code == self._eof_code:
            self.eof.add(m.partition())
            return
        if error.fatal() or code in self._fatal_codes:
            raise CensusError(
                self._say(f"Kafka refused the census of {self.topic!r}: {error.str()}")
            )
        kafka_logger(self.secrets).warning("kafka: %s", error.str())

    def _sample(self, batch: list[Any]) -> None:
        """Reservoir-sample framed records (partition, offset, id, value) for verification."""
        size = self.options.verify_sample or 0
        for m in batch:
            if m.error() is not None:
                continue
            v = m.value()
            if not (v and v[0] == 0 and len(v) >= 5):
                continue
            self.sampled_from += 1
            item = (m.partition(), m.offset(), int.from_bytes(v[1:5], "big"), v)
            if len(self.samples) < size:
                self.samples.append(item)
            else:
                j = self.random.randrange(self.sampled_from)
                if j < size:
                    self.samples[j] = item

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self.consumer.close()
            except Exception as exc:  # closing must never hide the outcome of the run
                kafka_logger(self.secrets).debug("closing the consumer failed: %s", exc)

    # -- the report ---------------------------------------------------------------------------

    def report(self, ids: IdSource) -> CensusReport:
        partitions = []
        seen_ids: set[int] = set()
        for number in sorted(self.parts):
            part = self.parts[number]
            if part.first_offset is None:
                continue
            schema_ids: dict[int, Seen] = {}
            unframed: dict[str, Seen] = {}
            total = Seen(0)
            for key, (count, first, last) in part.stats.items():
                seen = Seen(
                    count, None if first == _NO_FIRST else first, None if last < 0 else last
                )
                total = total.plus(seen)
                if isinstance(key, bytes):
                    schema_id = int.from_bytes(key[1:5], "big")
                    schema_ids[schema_id] = seen
                    seen_ids.add(schema_id)
                else:
                    unframed[key] = seen
            partitions.append(
                PartitionCensus(
                    number,
                    part.first_offset,
                    part.last_offset,
                    dict(sorted(schema_ids.items())),
                    unframed,
                    total,
                )
            )
        known = ids.resolve(sorted(seen_ids), self.topic)
        options = self.options
        return CensusReport(
            topic=self.topic,
            environment=ids.environment,
            finished_at=self.finished_at,
            partitions=tuple(partitions),
            known=known,
            registry=ids.registry,
            start=options.start.text,
            max_messages=options.max_messages,
            duration_s=options.duration_s,
            group=options.group,
            verification=self._verify(ids, known) if options.verify_sample is not None else None,
        )

    def _verify(self, ids: IdSource, known: Mapping[int, tuple[str, int]]) -> Verification:
        from fastavro import schemaless_reader

        failures = []
        sampled = 0
        for partition, offset, schema_id, value in sorted(self.samples):
            if schema_id not in known:
                continue  # an unknown id is reported as such; there is no schema to try
            writer = ids.writer_schema(schema_id)
            if writer is None:
                continue
            sampled += 1
            body = io.BytesIO(value[5:])
            try:
                schemaless_reader(body, writer, None)
                rest = len(value) - 5 - body.tell()
                if rest:
                    raise ValueError(f"{rest} bytes left after the record")
            except Exception as exc:
                subject, version = known[schema_id]
                failures.append(
                    VerifyFailure(
                        partition,
                        offset,
                        schema_id,
                        f"not a record of {subject} v{version}: "
                        f"{type(exc).__name__}: {str(exc)[:200]}",
                    )
                )
        return Verification(sampled, tuple(failures))


def _add(
    stats: dict[bytes | str, list[int]], key: bytes | str, count: int, first: int, last: int
) -> None:
    """Add ``count`` records of ``key``, timestamps ``first`` to ``last`` (both known)."""
    s = stats.get(key)
    if s is None:
        stats[key] = [count, first, last]
    else:
        s[0] += count
        s[1] = min(s[1], first)
        s[2] = max(s[2], last)


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)
