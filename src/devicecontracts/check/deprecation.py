"""The deprecation lifecycle against the census: is what was deprecated still on the wire?

Rule categories ``deprecation`` and ``census``. A contract's ``contract.toml`` deprecates
versions (``[deprecated.versions.<n>]``) and field paths (``[deprecated.fields."<path>"]``),
each with ``since``, ``sunset`` and ``reason`` (``devicecontracts.catalog._contract_file``). The
census reports of ``census/<environment>/<topic>.json`` (``devicecontracts.catalog.census``) say
what each topic carried when they were taken.

*The census of a topic* is, per environment, the latest report of that topic; a report older
than ``[census] max_age_days`` (default 7) is stale: ``census-stale`` (a warning) and not
trusted, so a topic whose reports are all stale has no census. Something counts as *live* when
a fresh report of any environment counted records of it.

For each deprecated version, and each deprecated field (the versions carrying it: every version
whose schema has the path, through records, unions, arrays and maps, a field matching by name
or alias):

* the version must exist (``deprecation-unknown-version``), the field path must be a field of
  the version its ``since`` names (``deprecation-unknown-field``);
* within ``[deprecation] warn_days`` (default 30) of the sunset, ``deprecation-sunset-near``
  (a warning), unless a fresh census shows it no longer sent;
* after the sunset: ``deprecated-version-live`` / ``deprecated-field-live`` (errors) while a
  fresh census counts it, ``deprecation-unverified`` (a warning: "no census: cannot tell
  whether v1 is still sent") without one, nothing once a fresh census shows it gone.

For each pending version (not in the lock), a field path of the version before it that it no
longer has (by name or alias) while a fresh census counts versions carrying it is
``census-field-still-written`` (an error, waivable): readers decoding into the new version drop
what live writers send. A field a declared consumer reads is ``consumer-field-removed``
(`devicecontracts.check.consumers`), not repeated here.

Findings about a declaration point at ``contract.toml`` and its line, with the path
``/deprecated/versions/<n>`` or ``/deprecated/fields/<field path>`` and, for a field, the version
its ``since`` names; a removal points at the pending version's file with the path
``/census/<field path>``; a stale census at its report. Pure: the census reports and today's
date are given; no file is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from devicecontracts.catalog import Catalog, Contract, SchemaVersion, display_path
from devicecontracts.catalog._contract_file import ContractFile, Deprecation
from devicecontracts.catalog.census import CensusReport, Seen, report_path
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make
from devicecontracts.schema import Array, AvroType, Field, Map, Record, Union

__all__ = ["TopicCensus", "carries", "census_by_topic", "deprecation_findings", "field_at"]


@dataclass(frozen=True)
class TopicCensus:
    """A topic's census as check trusts it: the latest report of each environment, split into
    the ``fresh`` and the ``stale`` ones."""

    topic: str
    fresh: tuple[CensusReport, ...] = ()
    stale: tuple[CensusReport, ...] = ()

    def live(self, subject: str, version: int) -> list[tuple[CensusReport, Seen]]:
        """The fresh reports that counted records of ``version`` of ``subject``, with what."""
        out = []
        for report in self.fresh:
            seen = report.versions().get((subject, version))
            if seen is not None and seen.count > 0:
                out.append((report, seen))
        return out


def census_by_topic(
    reports: Sequence[CensusReport], today: dt.date, max_age_days: int
) -> dict[str, TopicCensus]:
    """Each topic's `TopicCensus`: per environment its latest report, fresh when it finished at
    most ``max_age_days`` before ``today``."""
    latest: dict[tuple[str, str | None, str | None], CensusReport] = {}
    for report in reports:
        key = (report.topic, report.environment, report.registry)
        had = latest.get(key)
        if had is None or report.finished_at > had.finished_at:
            latest[key] = report
    fresh: dict[str, list[CensusReport]] = {}
    stale: dict[str, list[CensusReport]] = {}
    for (topic, _, _), report in sorted(latest.items(), key=lambda kv: _order(kv[0])):
        age = (today - report.finished_at.date()).days
        (stale if age > max_age_days else fresh).setdefault(topic, []).append(report)
    return {
        topic: TopicCensus(topic, tuple(fresh.get(topic, ())), tuple(stale.get(topic, ())))
        for topic in sorted(set(fresh) | set(stale))
    }


def _order(key: tuple[str, str | None, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


def deprecation_findings(
    catalog: Catalog, census: Sequence[CensusReport], today: dt.date
) -> Iterator[Finding]:
    """Every finding of the module docstring, for ``catalog`` on ``today`` with the census
    reports ``census``."""
    settings = catalog.lifecycle
    topics = census_by_topic(census, today, settings.census_max_age_days)
    for topic in topics.values():
        for report in topic.stale:
            yield _stale(catalog, report, today, settings.census_max_age_days)
    for contract in catalog.ordered():
        topic = topics.get(contract.topic or "", TopicCensus(contract.topic or ""))
        if contract.data is not None:
            yield from _Gate(catalog, contract, contract.data, topic, today).findings()
        yield from _removals(catalog, contract, topic)


def _stale(catalog: Catalog, report: CensusReport, today: dt.date, max_age: int) -> Finding:
    age = (today - report.finished_at.date()).days
    file = display_path(report_path(catalog.root, report.topic, report.environment))
    return make(
        "census-stale",
        f"the census of {report.topic} ({report.id_source}) finished "
        f"{report.finished_at.date().isoformat()}, {age} days ago, more than [census] "
        f"max_age_days = {max_age}: check does not trust it",
        f"run `contracts census {report.topic}` again and commit the new report",
        location=Location(file=file),
    )


# -- the sunset gates ----------------------------------------------------------------------


class _Gate:
    def __init__(
        self,
        catalog: Catalog,
        contract: Contract,
        data: ContractFile,
        topic: TopicCensus,
        today: dt.date,
    ) -> None:
        self.catalog = catalog
        self.contract = contract
        self.data = data
        self.topic = topic
        self.today = today
        self.subject = contract.subject
        self.by_number = {v.version: v for v in contract.versions}

    def findings(self) -> Iterator[Finding]:
        for number, dep in sorted(self.data.deprecated_versions.items()):
            where = self._where(dep, number, f"/deprecated/versions/{number}")
            if number not in self.by_number:
                yield make(
                    "deprecation-unknown-version",
                    f"[deprecated.versions.{number}] deprecates v{number} of {self.subject}, "
                    f"which has {_versions(self.contract)}",
                    location=where,
                )
                continue
            yield from self._sunset(dep, where, f"v{number}", [number], field=False)
        for path, dep in sorted(self.data.deprecated_fields.items()):
            assert isinstance(dep.since, int)
            where = self._where(dep, dep.since, f"/deprecated/fields/{path}")
            names = path.split(".")
            since = self.by_number.get(dep.since)
            if since is None or (since.schema is not None and not carries(since, names)):
                has = (
                    f"v{dep.since} of {self.subject} has no field {path}"
                    if since is not None
                    else f"{self.subject} has no v{dep.since} ({_versions(self.contract)})"
                )
                yield make(
                    "deprecation-unknown-field",
                    f'[deprecated.fields."{path}"] deprecates {path} since v{dep.since}, but {has}',
                    location=where,
                )
                continue
            carrying = [v.version for v in self.contract.versions if carries(v, names)]
            yield from self._sunset(dep, where, path, carrying, field=True)

    def _where(self, dep: Deprecation, version: int, path: str) -> Location:
        return Location(
            file=self.data.file, subject=self.subject, version=version, path=path, line=dep.line
        )

    def _sunset(
        self,
        dep: Deprecation,
        where: Location,
        what: str,
        versions: list[int],
        *,
        field: bool,
    ) -> Iterator[Finding]:
        days = (dep.sunset - self.today).days
        live = [
            (v, report, seen) for v in versions for report, seen in self.topic.live(self.subject, v)
        ]
        gone = bool(self.topic.fresh) and not live
        named = f"{what} of {self.subject}"
        if field:
            named = f"field {what} of {self.subject} ({_list(versions)})"
        if days >= 0:
            if days <= self.catalog.lifecycle.warn_days and not gone:
                yield make(
                    "deprecation-sunset-near",
                    f"{named} is deprecated ({dep.reason}); its sunset "
                    f"{dep.sunset.isoformat()} is {_in_days(days)}; "
                    + (_counted(live) if live else self._unknown(what)),
                    location=where,
                )
            return
        passed = f"its sunset {dep.sunset.isoformat()} passed {-days} day{'s' * (days != -1)} ago"
        if live:
            yield make(
                "deprecated-field-live" if field else "deprecated-version-live",
                f"{named} is deprecated ({dep.reason}) and {passed}, but {_counted(live)}",
                location=where,
            )
        elif not gone:
            yield make(
                "deprecation-unverified",
                f"{self._unknown(what)}: {named} is deprecated ({dep.reason}) and {passed}",
                location=where,
            )

    def _unknown(self, what: str) -> str:
        """Why no census tells: none (``no census of T: cannot tell whether v1 is still
        sent``), a stale one, or no topic."""
        sent = f"cannot tell whether {what} is still sent"
        if not self.contract.topic:
            return f"no topic, so no census: {sent}"
        if self.topic.stale:
            dates = ", ".join(r.finished_at.date().isoformat() for r in self.topic.stale)
            return f"the census of {self.topic.topic} is stale ({dates}): {sent}"
        return f"no census of {self.topic.topic}: {sent}"


# -- removals from pending versions --------------------------------------------------------


def _removals(catalog: Catalog, contract: Contract, topic: TopicCensus) -> Iterator[Finding]:
    if not topic.fresh:
        return
    released = catalog.lock.released(contract.subject)
    consumed = {
        (read.contract, path)
        for consumer in catalog.consumers
        for read in consumer.reads
        for path in read.fields
    }
    for before, pending in zip(contract.versions, contract.versions[1:], strict=False):
        if pending.version in released or before.schema is None or pending.schema is None:
            continue
        for path in _removed(before, pending):
            names = path.split(".")
            if _read_by_consumer(catalog, contract, names, consumed):
                continue  # consumer-field-removed says it, naming the consumer
            carrying = [
                v.version
                for v in contract.versions
                if v.version < pending.version and carries(v, names)
            ]
            live = [
                (v, report, seen)
                for v in carrying
                for report, seen in topic.live(contract.subject, v)
            ]
            if not live:
                continue
            yield make(
                "census-field-still-written",
                f"v{pending.version} of {contract.subject} (pending) removes {path}, but "
                f"{_counted(live)}: readers decoding into v{pending.version} drop it",
                location=contract.location(pending, f"/census/{path}"),
                previous_version=before.version,
            )


def _read_by_consumer(
    catalog: Catalog, contract: Contract, names: list[str], consumed: set[tuple[str, str]]
) -> bool:
    """Whether a declared consumer reads the path or a field under it."""
    path = ".".join(names)
    return any(
        c in (contract.name, contract.subject) and (p == path or p.startswith(path + "."))
        for c, p in consumed
    )


def _removed(before: SchemaVersion, pending: SchemaVersion) -> Iterator[str]:
    """The field paths of ``before`` that ``pending`` lacks (by name or alias), topmost only."""
    assert before.schema is not None and pending.schema is not None
    new_root = pending.schema.root
    gone: list[str] = []
    for names in _paths(before.schema.root, [], set()):
        path = ".".join(names)
        if any(path.startswith(g + ".") for g in gone):
            continue
        if _resolve(new_root, names) is None:
            gone.append(path)
            yield path


def _paths(t: AvroType, prefix: list[str], seen: set[str]) -> Iterator[list[str]]:
    """Every field path under ``t``, parents before children; recursion stops at records
    already on the path."""
    for record in _records(t):
        if record.fullname in seen:
            continue
        inner = seen | {record.fullname}
        for f in record.fields:
            names = [*prefix, f.name]
            yield names
            yield from _paths(f.type, names, inner)


def carries(version: SchemaVersion, names: list[str]) -> bool:
    """Whether ``version``'s schema has the field path ``names`` (by name or alias)."""
    return version.schema is not None and _resolve(version.schema.root, names) is not None


def field_at(root: AvroType, names: list[str]) -> tuple[Record, Field] | None:
    """The field at path ``names`` under ``root`` (by name or alias, through records, unions,
    arrays and maps) with its record, or None."""
    t = root
    found: tuple[Record, Field] | None = None
    for name in names:
        found = next(
            ((record, f) for record in _records(t) if (f := _named(record, name)) is not None),
            None,
        )
        if found is None:
            return None
        t = found[1].type
    return found


def _resolve(root: AvroType, names: list[str]) -> Field | None:
    found = field_at(root, names)
    return None if found is None else found[1]


def _records(t: AvroType) -> Iterator[Record]:
    if isinstance(t, Record):
        yield t
    elif isinstance(t, Union):
        for branch in t.branches:
            yield from _records(branch)
    elif isinstance(t, Array):
        yield from _records(t.items)
    elif isinstance(t, Map):
        yield from _records(t.values)


def _named(record: Record, name: str) -> Field | None:
    found = record.field_named(name)
    if found is None:
        found = next((f for f in record.fields if name in f.aliases), None)
    return found


# -- wording -------------------------------------------------------------------------------


def _counted(live: list[tuple[int, CensusReport, Seen]]) -> str:
    """``the census of fleet.heartbeats (lock environment prod, 2026-12-01) counts v1: 1,204
    records, last seen 2026-11-30 23:59 UTC``."""
    parts = []
    reports: list[CensusReport] = []
    for _, report, _ in live:
        if not any(report is r for r in reports):
            reports.append(report)
    for report in reports:
        counts = "; ".join(
            f"v{v}: {seen.count:,} record{'s' * (seen.count != 1)}"
            + (f", last seen {seen.last:%Y-%m-%d %H:%M} UTC" if seen.last is not None else "")
            for v, r, seen in live
            if r is report
        )
        parts.append(
            f"the census of {report.topic} ({report.id_source}, "
            f"{report.finished_at.date().isoformat()}) counts {counts}"
        )
    return " and ".join(parts)


def _versions(contract: Contract) -> str:
    if not contract.versions:
        return "no versions"
    return f"v1 to v{contract.versions[-1].version}"


def _list(versions: list[int]) -> str:
    if not versions:
        return "in no version"
    return "in " + ", ".join(f"v{v}" for v in versions)


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    return f"in {days} day{'s' * (days != 1)}"
