"""Census reports: what a topic carries on the wire, as ``contracts census`` counted it.

A census reads a topic's records and looks only at Confluent's 5-byte header (magic byte 0 and
the schema id); it maps each id to its subject and version through the lock of one environment
or through the registry. The report counts, per partition:

* framed records per schema id, each id mapped to (subject, version) when known, the others
  listed as unknown ids;
* records that are not framed, by kind: ``tombstone`` (no value), ``empty`` (zero bytes),
  ``json`` (an object or array that parses), ``other``;
* for each count, the first and last record timestamp seen (`Seen`), and the offsets read.

Reports live in the catalog, one per environment and topic::

    schemas/census/<environment>/<topic>.json   ids mapped through that environment's lock
    schemas/census/registry/<topic>.json        ids mapped through a schema registry

(`report_path` gives the path; `read_census` reads them all.) A report is JSON with sorted keys
and ``"format": "devicecontracts-census/1"``; `CensusReport.from_json` reads one back, refusing
malformed input with a `CatalogError` naming the file.

N census processes in one consumer group each read the partitions Kafka assigns them; `merge`
combines their reports exactly: the counts of different partitions are summed, and a partition
two reports both read is combined only when their offset ranges do not overlap (a record is
never counted twice).

Pure: the standard library and ``devicecontracts.errors`` only; no Kafka, no network.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from devicecontracts.errors import CatalogError, Location

__all__ = [
    "CENSUS_FOLDER",
    "FORMAT",
    "NONE_SEEN",
    "REGISTRY_FOLDER",
    "UNFRAMED_KINDS",
    "CensusReport",
    "PartitionCensus",
    "Seen",
    "Verification",
    "VerifyFailure",
    "latest_census",
    "merge",
    "read_census",
    "read_report",
    "report_path",
]

FORMAT: Final = "devicecontracts-census/1"
"""The ``format`` member of every census report."""

CENSUS_FOLDER: Final = "census"
"""The catalog's folder of census reports: ``census/<environment>/<topic>.json``."""

REGISTRY_FOLDER: Final = "registry"
"""The environment folder of reports whose ids were mapped through a schema registry (their
``environment`` is None)."""

UNFRAMED_KINDS: Final = ("tombstone", "empty", "json", "other")
"""The kinds of records without Confluent framing, in the order reports list them."""


@dataclass(frozen=True)
class Seen:
    """How many records, and the first and last record timestamp among them (milliseconds since
    the epoch; None when no record carried one)."""

    count: int
    first_ms: int | None = None
    last_ms: int | None = None

    def plus(self, other: Seen) -> Seen:
        """Both counts together: counts summed, the earliest first and the latest last."""
        return Seen(
            self.count + other.count,
            _pick(min, self.first_ms, other.first_ms),
            _pick(max, self.last_ms, other.last_ms),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"count": .., "first_ms": .., "last_ms": ..}``."""
        return {"count": self.count, "first_ms": self.first_ms, "last_ms": self.last_ms}

    @property
    def first(self) -> datetime | None:
        """`first_ms` as a UTC datetime."""
        return _datetime(self.first_ms)

    @property
    def last(self) -> datetime | None:
        """`last_ms` as a UTC datetime."""
        return _datetime(self.last_ms)


NONE_SEEN: Final = Seen(0)


@dataclass(frozen=True)
class PartitionCensus:
    """What one partition held in the offsets read: ``first_offset`` to ``last_offset``
    (inclusive; both None when nothing was read), counts per schema id and per unframed kind,
    and ``seen``, every record read."""

    partition: int
    first_offset: int | None = None
    last_offset: int | None = None
    schema_ids: Mapping[int, Seen] = field(default_factory=dict)
    unframed: Mapping[str, Seen] = field(default_factory=dict)
    seen: Seen = NONE_SEEN

    def overlaps(self, other: PartitionCensus) -> bool:
        """Whether both read some offset of the same partition."""
        if self.partition != other.partition:
            return False
        if self.first_offset is None or other.first_offset is None:
            return False
        assert self.last_offset is not None and other.last_offset is not None
        return self.first_offset <= other.last_offset and other.first_offset <= self.last_offset

    def plus(self, other: PartitionCensus) -> PartitionCensus:
        """Both readings of one partition (offset ranges that do not overlap) together."""
        return PartitionCensus(
            self.partition,
            _pick(min, self.first_offset, other.first_offset),
            _pick(max, self.last_offset, other.last_offset),
            _sum_seen(self.schema_ids, other.schema_ids),
            _sum_seen(self.unframed, other.unframed),
            self.seen.plus(other.seen),
        )


@dataclass(frozen=True)
class VerifyFailure:
    """A sampled body that did not decode with its writer schema."""

    partition: int
    offset: int
    schema_id: int
    message: str


@dataclass(frozen=True)
class Verification:
    """What ``--verify`` did: how many framed bodies of known ids it decoded (``sampled``),
    and those that did not decode."""

    sampled: int
    failures: tuple[VerifyFailure, ...] = ()

    def plus(self, other: Verification) -> Verification:
        """Both samples together."""
        failures = sorted(
            (*self.failures, *other.failures), key=lambda f: (f.partition, f.offset, f.schema_id)
        )
        return Verification(self.sampled + other.sampled, tuple(failures))


@dataclass(frozen=True)
class CensusReport:
    """One census of one topic: its header (how it was read) and its partitions.

    ``environment`` is the lock environment the ids were mapped through (None: through the
    registry at ``registry``); ``known`` maps every schema id seen that resolved to
    (subject, version); ``start`` is where reading started (``earliest``, ``latest:N`` or an
    ISO timestamp); ``max_messages``, ``duration_s`` the limits given; ``group`` the consumer
    group (None: this process read every partition itself); ``finished_at`` when reading
    ended (UTC); ``verification`` None unless ``--verify`` ran; ``readers`` how many census
    processes the report combines.
    """

    topic: str
    environment: str | None
    finished_at: datetime
    partitions: tuple[PartitionCensus, ...] = ()
    known: Mapping[int, tuple[str, int]] = field(default_factory=dict)
    registry: str | None = None
    start: str = "earliest"
    max_messages: int | None = None
    duration_s: float | None = None
    group: str | None = None
    verification: Verification | None = None
    readers: int = 1

    def __post_init__(self) -> None:
        # Only ids seen are kept: a report says what was on the wire, not the whole lock.
        seen = {i for part in self.partitions for i in part.schema_ids}
        known = {i: tuple(key) for i, key in sorted(self.known.items()) if i in seen}
        object.__setattr__(self, "known", known)

    def versions(self) -> Mapping[tuple[str, int], Seen]:
        """Totals per (subject, version) over every partition, sorted."""
        totals: dict[tuple[str, int], Seen] = {}
        for part in self.partitions:
            for schema_id, seen in part.schema_ids.items():
                key = self.known.get(schema_id)
                if key is not None:
                    totals[key] = totals.get(key, NONE_SEEN).plus(seen)
        return dict(sorted(totals.items()))

    def unknown_ids(self) -> Mapping[int, Seen]:
        """Totals per schema id that mapped to no (subject, version), sorted by id."""
        totals: dict[int, Seen] = {}
        for part in self.partitions:
            for schema_id, seen in part.schema_ids.items():
                if schema_id not in self.known:
                    totals[schema_id] = totals.get(schema_id, NONE_SEEN).plus(seen)
        return dict(sorted(totals.items()))

    def unframed(self) -> Mapping[str, Seen]:
        """Totals per unframed kind (``tombstone``, ``empty``, ``json``, ``other``) seen."""
        totals: dict[str, Seen] = {}
        for part in self.partitions:
            for kind, seen in part.unframed.items():
                totals[kind] = totals.get(kind, NONE_SEEN).plus(seen)
        return {kind: totals[kind] for kind in UNFRAMED_KINDS if kind in totals}

    def total(self) -> Seen:
        """Every record read, over every partition."""
        total = NONE_SEEN
        for part in self.partitions:
            total = total.plus(part.seen)
        return total

    def is_live(self, subject: str, version: int) -> bool:
        """Whether the census saw any record of ``version`` of ``subject``."""
        seen = self.versions().get((subject, version))
        return seen is not None and seen.count > 0

    @property
    def id_source(self) -> str:
        """How ids were mapped, for people: ``lock environment prod`` or ``registry URL``."""
        if self.environment is not None:
            return f"lock environment {self.environment}"
        return f"registry {self.registry}" if self.registry else "registry"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (see `to_json`)."""
        verification: dict[str, Any] | None = None
        if self.verification is not None:
            verification = {
                "sampled": self.verification.sampled,
                "failures": [
                    {
                        "partition": f.partition,
                        "offset": f.offset,
                        "schema_id": f.schema_id,
                        "message": f.message,
                    }
                    for f in self.verification.failures
                ],
            }
        return {
            "format": FORMAT,
            "topic": self.topic,
            "environment": self.environment,
            "registry": self.registry,
            "start": self.start,
            "max_messages": self.max_messages,
            "duration_s": self.duration_s,
            "group": self.group,
            "finished_at": _iso(self.finished_at),
            "readers": self.readers,
            "verification": verification,
            "partitions": [self._partition_dict(p) for p in self.partitions],
        }

    def _partition_dict(self, part: PartitionCensus) -> dict[str, Any]:
        versions = []
        unknown: dict[str, Any] = {}
        for schema_id, seen in sorted(part.schema_ids.items()):
            key = self.known.get(schema_id)
            if key is None:
                unknown[str(schema_id)] = seen.to_dict()
            else:
                versions.append(
                    {"schema_id": schema_id, "subject": key[0], "version": key[1]} | seen.to_dict()
                )
        return {
            "partition": part.partition,
            "first_offset": part.first_offset,
            "last_offset": part.last_offset,
            "seen": part.seen.to_dict(),
            "versions": versions,
            "unknown_ids": unknown,
            "unframed": {
                k: part.unframed[k].to_dict() for k in UNFRAMED_KINDS if k in part.unframed
            },
        }

    def to_json(self) -> str:
        """The report as JSON text: sorted keys, two-space indent, a final newline; the same
        report always gives the same text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str) -> CensusReport:
        """The report in ``text``, read from ``source`` (a file name, for messages);
        `CatalogError` naming ``source`` when it is not a census report."""
        reader = _Reader(source)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise reader.error(f"not JSON ({exc})") from None
        return reader.report(data)


def merge(reports: Sequence[CensusReport]) -> CensusReport:
    """The reports of one topic, read by different processes (or runs), as one report.

    Counts are summed exactly: partitions read by one report are taken as they are; a
    partition read by several is combined when their offset ranges do not overlap. Raises
    `CatalogError` for no reports, different topics or id sources, one schema id mapped two
    ways, or overlapping offset ranges (the same records would be counted twice).
    """
    if not reports:
        raise CatalogError("nothing to merge: give at least one census report")
    first = reports[0]
    for other in reports[1:]:
        if other.topic != first.topic:
            raise CatalogError(
                f"census reports of different topics cannot be merged: {first.topic!r} and "
                f"{other.topic!r}"
            )
        if (other.environment, other.registry) != (first.environment, first.registry):
            raise CatalogError(
                "census reports mapped ids differently and cannot be merged: "
                f"{first.id_source} and {other.id_source}"
            )
    known: dict[int, tuple[str, int]] = {}
    for report in reports:
        for schema_id, key in report.known.items():
            if known.setdefault(schema_id, key) != key:
                raise CatalogError(
                    f"schema id {schema_id} is {_version(known[schema_id])} in one census report "
                    f"and {_version(key)} in another: they were not mapped through the same lock"
                )
    partitions: dict[int, PartitionCensus] = {}
    readings: dict[int, list[PartitionCensus]] = {}
    for report in reports:
        for part in report.partitions:
            for earlier in readings.get(part.partition, ()):
                if part.overlaps(earlier):
                    raise CatalogError(
                        f"two census reports both read partition {part.partition} of "
                        f"{first.topic!r} at offsets {_range(earlier)} and {_range(part)}: "
                        "their counts overlap and cannot be merged exactly (merge the reports "
                        "of one consumer group's run, or of runs over different offsets)"
                    )
            readings.setdefault(part.partition, []).append(part)
            had = partitions.get(part.partition)
            partitions[part.partition] = part if had is None else had.plus(part)
    verifications = [r.verification for r in reports if r.verification is not None]
    verification: Verification | None = None
    for v in verifications:
        verification = v if verification is None else verification.plus(v)
    return CensusReport(
        topic=first.topic,
        environment=first.environment,
        finished_at=max(r.finished_at for r in reports),
        partitions=tuple(partitions[p] for p in sorted(partitions)),
        known=dict(sorted(known.items())),
        registry=first.registry,
        start=_same(r.start for r in reports) or "mixed",
        max_messages=_same(r.max_messages for r in reports),
        duration_s=_same(r.duration_s for r in reports),
        group=_same(r.group for r in reports),
        verification=verification,
        readers=sum(r.readers for r in reports),
    )


def report_path(root: Path, topic: str, environment: str | None) -> Path:
    """Where the catalog at ``root`` keeps the census of ``topic`` whose ids were mapped
    through ``environment`` (None: through a registry)."""
    folder = environment if environment is not None else REGISTRY_FOLDER
    return root / CENSUS_FOLDER / folder / f"{topic}.json"


def read_census(root: Path) -> tuple[CensusReport, ...]:
    """Every census report of the catalog at ``root`` (``census/*/*.json``), by environment
    folder and topic; none when there is no ``census/`` folder. `CatalogError` naming the file
    for a report that cannot be read."""
    folder = Path(root) / CENSUS_FOLDER
    if not folder.is_dir():
        return ()
    return tuple(read_report(path) for path in sorted(folder.glob("*/*.json")))


def read_report(path: Path) -> CensusReport:
    """The census report in the file at ``path``; `CatalogError` naming the file when it
    cannot be read or is not a census report."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise CatalogError(
            f"cannot read the census report: {exc.strerror or exc}",
            Location(file=path.as_posix()),
        ) from None
    return CensusReport.from_json(text, source=path.as_posix())


def latest_census(
    reports: Iterable[CensusReport], topic: str, *, environment: object = ...
) -> CensusReport | None:
    """The report of ``topic`` that finished last (of ``environment`` when given: a lock
    environment, or None for registry-mapped reports); None when there is none."""
    found = [
        r
        for r in reports
        if r.topic == topic and (environment is ... or r.environment == environment)
    ]
    return max(found, key=lambda r: r.finished_at, default=None)


# --- reading the JSON form ---------------------------------------------------------------------


class _Reader:
    """Reads a report's JSON document strictly, every error naming the file and the member."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, message: str) -> CatalogError:
        return CatalogError(
            f"not a census report: {message}; write it again with contracts census",
            Location(file=self.source),
        )

    def report(self, data: Any) -> CensusReport:
        obj = self.object(data, "the document")
        if obj.get("format") != FORMAT:
            raise self.error(f'expected "format": "{FORMAT}", found {obj.get("format")!r:.60}')
        topic = self.string(obj.get("topic"), "topic")
        environment = self.optional_string(obj.get("environment"), "environment")
        registry = self.optional_string(obj.get("registry"), "registry")
        start = self.string(obj.get("start", "earliest"), "start")
        max_messages = self.optional_int(obj.get("max_messages"), "max_messages")
        duration = obj.get("duration_s")
        if duration is not None and (
            isinstance(duration, bool)
            or not isinstance(duration, int | float)
            or not math.isfinite(duration)
        ):
            raise self.error("duration_s must be a number of seconds or null")
        group = self.optional_string(obj.get("group"), "group")
        finished_at = self.timestamp(obj.get("finished_at"))
        readers = self.integer(obj.get("readers", 1), "readers")
        known: dict[int, tuple[str, int]] = {}
        partitions: list[PartitionCensus] = []
        raw_parts = obj.get("partitions")
        if not isinstance(raw_parts, list):
            raise self.error("partitions must be a list")
        numbers: set[int] = set()
        for i, raw in enumerate(raw_parts):
            part = self.partition(raw, f"partitions[{i}]", known)
            if part.partition in numbers:
                raise self.error(f"partition {part.partition} is listed twice")
            numbers.add(part.partition)
            partitions.append(part)
        return CensusReport(
            topic=topic,
            environment=environment,
            finished_at=finished_at,
            partitions=tuple(sorted(partitions, key=lambda p: p.partition)),
            known=dict(sorted(known.items())),
            registry=registry,
            start=start,
            max_messages=max_messages,
            duration_s=float(duration) if duration is not None else None,
            group=group,
            verification=self.verification(obj.get("verification")),
            readers=readers,
        )

    def partition(self, raw: Any, where: str, known: dict[int, tuple[str, int]]) -> PartitionCensus:
        obj = self.object(raw, where)
        number = self.integer(obj.get("partition"), f"{where}.partition")
        first = self.optional_int(obj.get("first_offset"), f"{where}.first_offset")
        last = self.optional_int(obj.get("last_offset"), f"{where}.last_offset")
        if (first is None) != (last is None) or (
            first is not None and last is not None and first > last
        ):
            raise self.error(f"{where}: first_offset and last_offset do not form a range")
        ids: dict[int, Seen] = {}
        versions = obj.get("versions", [])
        if not isinstance(versions, list):
            raise self.error(f"{where}.versions must be a list")
        for j, item in enumerate(versions):
            at = f"{where}.versions[{j}]"
            entry = self.object(item, at)
            schema_id = self.integer(entry.get("schema_id"), f"{at}.schema_id")
            key = (
                self.string(entry.get("subject"), f"{at}.subject"),
                self.integer(entry.get("version"), f"{at}.version"),
            )
            if known.setdefault(schema_id, key) != key:
                raise self.error(f"{at}: schema id {schema_id} is mapped two ways")
            if schema_id in ids:
                raise self.error(f"{at}: schema id {schema_id} is listed twice")
            ids[schema_id] = self.seen(entry, at)
        for raw_id, seen in self.object(obj.get("unknown_ids", {}), f"{where}.unknown_ids").items():
            at = f"{where}.unknown_ids.{raw_id}"
            if not raw_id.isdigit():
                raise self.error(f"{at}: a schema id is a whole number")
            if int(raw_id) in ids:
                raise self.error(f"{at}: schema id {raw_id} is both known and unknown")
            ids[int(raw_id)] = self.seen(seen, at)
        unframed: dict[str, Seen] = {}
        for kind, seen in self.object(obj.get("unframed", {}), f"{where}.unframed").items():
            if kind not in UNFRAMED_KINDS:
                raise self.error(
                    f"{where}.unframed: unknown kind {kind!r:.40} (one of "
                    f"{', '.join(UNFRAMED_KINDS)})"
                )
            unframed[kind] = self.seen(seen, f"{where}.unframed.{kind}")
        return PartitionCensus(
            number,
            first,
            last,
            dict(sorted(ids.items())),
            {k: unframed[k] for k in UNFRAMED_KINDS if k in unframed},
            self.seen(obj.get("seen"), f"{where}.seen"),
        )

    def verification(self, raw: Any) -> Verification | None:
        if raw is None:
            return None
        obj = self.object(raw, "verification")
        failures_raw = obj.get("failures", [])
        if not isinstance(failures_raw, list):
            raise self.error("verification.failures must be a list")
        failures = []
        for i, item in enumerate(failures_raw):
            at = f"verification.failures[{i}]"
            f = self.object(item, at)
            failures.append(
                VerifyFailure(
                    self.integer(f.get("partition"), f"{at}.partition"),
                    self.integer(f.get("offset"), f"{at}.offset"),
                    self.integer(f.get("schema_id"), f"{at}.schema_id"),
                    self.string(f.get("message", ""), f"{at}.message"),
                )
            )
        return Verification(
            self.integer(obj.get("sampled"), "verification.sampled"), tuple(failures)
        )

    def seen(self, raw: Any, where: str) -> Seen:
        obj = self.object(raw, where)
        return Seen(
            self.integer(obj.get("count"), f"{where}.count"),
            self.optional_int(obj.get("first_ms"), f"{where}.first_ms", negative=True),
            self.optional_int(obj.get("last_ms"), f"{where}.last_ms", negative=True),
        )

    def timestamp(self, raw: Any) -> datetime:
        text = self.string(raw, "finished_at")
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.error(f"finished_at {text!r:.40} is not an ISO 8601 timestamp") from None
        if when.tzinfo is None:
            raise self.error("finished_at has no time zone (write it in UTC, ending in Z)")
        return when.astimezone(UTC)

    def object(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.error(f"{where} must be an object")
        return raw

    def string(self, raw: Any, where: str) -> str:
        if not isinstance(raw, str) or not raw:
            raise self.error(f"{where} must be a non-empty string")
        return raw

    def optional_string(self, raw: Any, where: str) -> str | None:
        return None if raw is None else self.string(raw, where)

    def integer(self, raw: Any, where: str, *, negative: bool = False) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or (raw < 0 and not negative):
            raise self.error(f"{where} must be a whole number{'' if negative else ' >= 0'}")
        return raw

    def optional_int(self, raw: Any, where: str, *, negative: bool = False) -> int | None:
        return None if raw is None else self.integer(raw, where, negative=negative)


# --- small helpers -----------------------------------------------------------------------------


def _pick(choose: Any, a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    result: int = choose(a, b)
    return result


def _sum_seen(a: Mapping[Any, Seen], b: Mapping[Any, Seen]) -> dict[Any, Seen]:
    total = dict(a)
    for key, seen in b.items():
        total[key] = total[key].plus(seen) if key in total else seen
    return dict(sorted(total.items()))


def _same(values: Iterable[Any]) -> Any:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _range(part: PartitionCensus) -> str:
    return f"{part.first_offset}..{part.last_offset}"


def _version(key: tuple[str, int]) -> str:
    return f"{key[0]} v{key[1]}"


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _datetime(ms: int | None) -> datetime | None:
    if ms is None:
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
