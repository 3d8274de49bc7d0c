"""The catalog's parsed form: contracts, their versions, the problems found, the catalog.

Plain data, filled in by `load_catalog` (``_load``) from ``catalog.toml`` (``_config``), the
version files (``_files``) and the references between them (``_references``).
"""

from __future__ import annotations

import enum
import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devicecontracts._avro import CONFLUENT_8, RegistryLine
from devicecontracts.catalog._waivers import Waiver
from devicecontracts.catalog.lock import Lock, Reference
from devicecontracts.errors import CatalogError, Location, SchemaError
from devicecontracts.schema import Schema
from devicecontracts.schema.compatibility import CompatibilityLevel

if TYPE_CHECKING:
    from devicecontracts.catalog._config import ModelsConfig
    from devicecontracts.catalog._consumers import Consumer, ConsumerRead
    from devicecontracts.catalog._contract_file import ContractFile, DeclaredRule
    from devicecontracts.datacontracts import Metadata, RuleSet

__all__ = [
    "CATALOG_FILE",
    "LOCK_FILE",
    "Catalog",
    "Contract",
    "ContractKind",
    "Direction",
    "Lifecycle",
    "LoadProblem",
    "MajorBreak",
    "SchemaVersion",
    "display_path",
]

CATALOG_FILE = "catalog.toml"
LOCK_FILE = "contracts.lock.json"


class ContractKind(enum.StrEnum):
    """A *message* is what a topic carries; a *shared* contract is a named type other schemas
    use by full name (a Schema Registry reference), its own subject under RecordNameStrategy."""

    MESSAGE = "message"
    SHARED = "shared"


class Direction(enum.StrEnum):
    """Who writes a message: a device (device-to-cloud) or the cloud (cloud-to-device)."""

    DEVICE_TO_CLOUD = "device-to-cloud"
    CLOUD_TO_DEVICE = "cloud-to-device"

    @property
    def minimum_levels(self) -> frozenset[CompatibilityLevel]:
        """Levels that protect the long-lived party: old writers, or old readers (firmware)."""
        level = CompatibilityLevel
        if self is Direction.DEVICE_TO_CLOUD:
            return frozenset({level.BACKWARD_TRANSITIVE, level.FULL_TRANSITIVE})
        return frozenset({level.FORWARD_TRANSITIVE, level.FULL_TRANSITIVE})

    @property
    def default_level(self) -> CompatibilityLevel:
        """The level a message of this direction gets when the catalog names none."""
        if self is Direction.DEVICE_TO_CLOUD:
            return CompatibilityLevel.BACKWARD_TRANSITIVE
        return CompatibilityLevel.FORWARD_TRANSITIVE


@dataclass(eq=False)
class SchemaVersion:
    """One version file of a contract, parsed (``schema``) or not (``problem`` says why)."""

    contract: str
    version: int
    file: Path
    display: str
    text: str
    schema: Schema | None = None
    references: tuple[Reference, ...] = ()
    problem: SchemaError | None = None
    raw: Any = None  # the decoded JSON; _UNREADABLE when it could not be decoded
    content: str | None = None
    """For a version the lock releases, the content hash of its file (`lock.content_hash`),
    made while loading from the JSON decoded for parsing (the check compares it with the
    lock's; the text is not decoded again)."""


@dataclass(eq=False)
class Contract:
    """A message or shared type: where it lives, its subject, level and versions (oldest first)."""

    name: str
    kind: ContractKind
    folder: Path
    level: CompatibilityLevel
    level_declared: bool
    description: str | None = None
    topic: str | None = None
    direction: Direction | None = None
    subject_strategy: str = "record"
    explicit_subject: str | None = None
    key: str | None = None
    """What the Kafka record key holds, in words (``key`` in catalog.toml), for messages."""
    producers: tuple[str, ...] = ()
    """Who writes the message (firmware lines, services), as ``producers`` in catalog.toml."""
    versions: list[SchemaVersion] = field(default_factory=list)
    fullname: str | None = None
    data: ContractFile | None = None
    """The contract's ``contract.toml`` (owner, properties, rules, majors), None without one."""

    def metadata(self, version: int) -> Metadata:
        """The metadata version ``version`` is registered with: what ``contract.toml``
        declares for it, empty without one (sent explicitly, so nothing is inherited)."""
        from devicecontracts.datacontracts import EMPTY_METADATA

        return self.data.metadata(version) if self.data is not None else EMPTY_METADATA

    def rule_set(self, version: int) -> RuleSet:
        """The rule set version ``version`` is registered with (empty without
        ``contract.toml``)."""
        from devicecontracts.datacontracts import EMPTY_RULE_SET

        return self.data.rule_set(version) if self.data is not None else EMPTY_RULE_SET

    def major(self, version: int) -> int | None:
        """The major of ``version`` when the contract declares a compatibility group, else
        None (every version is compared with every earlier one)."""
        if self.data is None or not self.data.compatibility_group:
            return None
        return self.data.major(version)

    def major_break(self, old: int, new: int) -> MajorBreak | None:
        """Between versions of different majors (a compatibility group in ``contract.toml``):
        the group, both majors and the migration rules that bridge them, those of the versions
        after the older one up to the newer one, by version; None within a major or without a
        group. ``contracts diff`` and the docs site show it."""
        old_major, new_major = self.major(old), self.major(new)
        if old_major is None or new_major is None or old_major == new_major or self.data is None:
            return None
        low, high = sorted((old, new))
        bridge = tuple(
            m
            for m in sorted(self.data.migrations, key=lambda m: m.from_version)
            if low < m.from_version <= high
        )
        return MajorBreak(self.data.compatibility_group or "", old_major, new_major, bridge)

    @property
    def subject(self) -> str:
        """The Schema Registry subject, by the contract's naming strategy."""
        if self.explicit_subject:
            return self.explicit_subject
        if self.subject_strategy == "topic" and self.topic:
            return f"{self.topic}-value"
        fullname = self.fullname or self.name
        if self.subject_strategy == "topic_record" and self.topic:
            return f"{self.topic}-{fullname}"
        return fullname

    @property
    def latest(self) -> SchemaVersion | None:
        """The newest version, parsed or not."""
        return self.versions[-1] if self.versions else None

    def location(self, v: SchemaVersion | None = None, path: str | None = None) -> Location:
        """Where a finding about this contract is: its subject, and version ``v``'s file and
        number with the JSON ``path`` in it when given."""
        if v is None:
            return Location(subject=self.subject, path=path)
        return Location(file=v.display, subject=self.subject, version=v.version, path=path)


@dataclass(frozen=True)
class MajorBreak:
    """Two versions in different majors: the compatibility group, their majors, and the
    migration rules that bridge them (empty when none does)."""

    group: str
    old_major: int
    new_major: int
    migrations: tuple[DeclaredRule, ...]


@dataclass(frozen=True)
class LoadProblem:
    """Something in the catalog folder that is not where or what it should be.

    ``location`` names the file or folder, and the contract (by name) it belongs to.
    """

    rule: str
    message: str
    hint: str
    location: Location = field(default_factory=Location)


@dataclass(frozen=True)
class Lifecycle:
    """The deprecation and census settings of ``catalog.toml``: ``[deprecation] warn_days``,
    how many days before a sunset ``contracts check`` starts warning (default 30), and
    ``[census] max_age_days``, the age beyond which a census report is stale: a warning, and
    not trusted by the deprecation gates (default 7)."""

    warn_days: int = 30
    census_max_age_days: int = 7


@dataclass(eq=False, repr=False)
class Catalog:
    """Every contract of a catalog folder, loaded and parsed once."""

    root: Path
    contracts: dict[str, Contract]
    lock: Lock
    problems: list[LoadProblem] = field(default_factory=list)
    rules: Mapping[str, Any] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    line: RegistryLine = CONFLUENT_8
    """The registry line the catalog targets (``line`` in catalog.toml): how it validates."""
    models_read: tuple[ModelsConfig | None] | None = field(default=None, repr=False)
    """The ``[models]`` table as loading read it (one item, None for no table); None when the
    catalog was not loaded from its file, and `models` reads ``catalog.toml``."""
    consumers: tuple[Consumer, ...] = ()
    """The consumer reader contracts of ``consumers/*.toml`` (``_consumers``), by file name."""
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    """``[deprecation]`` and ``[census]`` of catalog.toml (`Lifecycle`)."""

    def consumers_of(
        self, subject: str, field: str | None = None
    ) -> list[tuple[Consumer, ConsumerRead]]:
        """The consumers reading ``subject`` (a registry subject or contract name), each with
        what it declares for it; with ``field`` (a dotted path such as ``battery_mv`` or
        ``header.device_id``), only those using that field or any part of it."""
        if not self.consumers:
            return []  # no pass over the contracts for a catalog without consumer contracts
        contract = next(
            (c for c in self.contracts.values() if subject in (c.subject, c.name)), None
        )
        names = {subject} if contract is None else {contract.name, contract.subject}
        return [
            (consumer, read)
            for consumer in self.consumers
            for read in consumer.reads
            if read.contract in names and (field is None or read.reads(field))
        ]

    def by_subject(self, subject: str) -> Contract:
        """The contract registered under ``subject``; `CatalogError` naming the known ones."""
        for contract in self.contracts.values():
            if subject in (contract.subject, contract.name):
                return contract
        known = ", ".join(sorted(c.subject for c in self.contracts.values()))
        raise CatalogError(f"no subject {subject!r} in the catalog; known subjects: {known}")

    def versions(self) -> Iterator[SchemaVersion]:
        """Every version of every contract, shared types first."""
        for contract in self.ordered():
            yield from contract.versions

    def ordered(self) -> list[Contract]:
        """Shared contracts first (they are registered first), then messages, each by name."""
        return sorted(
            self.contracts.values(), key=lambda c: (c.kind is not ContractKind.SHARED, c.name)
        )

    def __repr__(self) -> str:
        # Short on purpose: the generated repr holds every parsed schema (megabytes), and pytest
        # and hypothesis print it whenever a test that was given a catalog fails.
        versions = sum(len(c.versions) for c in self.contracts.values())
        return (
            f"Catalog({display_path(self.root)!r}, contracts={len(self.contracts)}, "
            f"versions={versions})"
        )

    @property
    def models(self) -> ModelsConfig | None:
        """The ``[models]`` table of ``catalog.toml``: the generated models package and its
        folder (None without one). Loading the catalog read and validated it already."""
        from devicecontracts.catalog._config import models_config

        if self.models_read is not None:
            return self.models_read[0]
        if not (self.root / CATALOG_FILE).is_file():
            return None
        return models_config(self.root)


def display_path(path: Path) -> str:
    """A path as users see it in messages: relative to the working directory when possible."""
    return shown_as(path, path.resolve())


def shown_as(path: Path, resolved: Path) -> str:
    """`display_path` of ``path`` whose resolved form is known already (a catalog's files are
    resolved once per folder, not once per file)."""
    try:
        return resolved.relative_to(_resolved_cwd(os.getcwd())).as_posix()
    except ValueError:
        return path.as_posix()


@functools.lru_cache(maxsize=8)
def _resolved_cwd(cwd: str) -> Path:
    return Path(cwd).resolve()
