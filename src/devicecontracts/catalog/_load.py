"""The contract catalog: ``schemas/``, its ``catalog.toml`` and every version of every contract.

Layout::

    schemas/
      catalog.toml              one table per contract: [shared.<name>] or [messages.<name>]
      contracts.lock.json       released versions (see devicecontracts.catalog.lock)
      <name>/v1.avsc, v2.avsc   every version of a contract, numbered from 1 without gaps

A *shared* contract is a named type other schemas use by full name (a Schema Registry schema
reference); it is its own subject under RecordNameStrategy. A *message* is what a topic carries.

`load_catalog` reads it all once: it parses every version strictly (as the registry validates new
schemas), resolving references to shared types whatever the file order, and pins each version's
references to the shared versions the lock recorded (the latest shared version for versions not
released yet). Bad schema files do not stop loading: they become `LoadProblem` entries that
``contracts check`` reports. A missing or malformed catalog raises `CatalogError`.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devicecontracts._avro import qualify
from devicecontracts.catalog.lock import Lock, LockEntry, Reference, read_lock
from devicecontracts.errors import CatalogError, Location, SchemaError, UnknownTypeError
from devicecontracts.schema import (
    NamedType,
    Schema,
    load_json,
    parse_schema,
    walk,
)
from devicecontracts.schema.compatibility import CompatibilityLevel

__all__ = [
    "CATALOG_FILE",
    "LOCK_FILE",
    "Catalog",
    "Contract",
    "Direction",
    "LoadProblem",
    "SchemaVersion",
    "display_path",
    "load_catalog",
]

CATALOG_FILE = "catalog.toml"
LOCK_FILE = "contracts.lock.json"
_VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.avsc\Z")


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


_STRATEGIES = ("topic", "record", "topic_record")
_MESSAGE_KEYS = {
    "description",
    "topic",
    "direction",
    "compatibility",
    "subject",
    "subject_strategy",
}
_SHARED_KEYS = {"description", "compatibility", "subject"}


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


@dataclass(eq=False)
class Contract:
    """A message or shared type: where it lives, its subject, level and versions (oldest first)."""

    name: str
    kind: str  # "message" or "shared"
    folder: Path
    level: CompatibilityLevel
    level_declared: bool
    description: str | None = None
    topic: str | None = None
    direction: Direction | None = None
    subject_strategy: str = "record"
    explicit_subject: str | None = None
    versions: list[SchemaVersion] = field(default_factory=list)
    fullname: str | None = None

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
class LoadProblem:
    """Something in the catalog folder that is not where or what it should be.

    ``location`` names the file or folder, and the contract (by name) it belongs to.
    """

    rule: str
    message: str
    hint: str
    location: Location = field(default_factory=Location)


@dataclass(eq=False)
class Catalog:
    """Every contract of a catalog folder, loaded and parsed once."""

    root: Path
    contracts: dict[str, Contract]
    lock: Lock
    problems: list[LoadProblem] = field(default_factory=list)
    rules: Mapping[str, Any] = field(default_factory=dict)

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
        return sorted(self.contracts.values(), key=lambda c: (c.kind != "shared", c.name))


def load_catalog(root: str | Path) -> Catalog:
    """Load the catalog in folder ``root`` (the folder holding ``catalog.toml``)."""
    root = Path(root)
    config_file = root / CATALOG_FILE
    if not root.is_dir():
        raise CatalogError(
            f"no catalog folder at {root}: point --catalog at the folder holding {CATALOG_FILE}"
        )
    if not config_file.is_file():
        raise CatalogError(
            f"no {CATALOG_FILE} in {root}: create it with one [messages.<name>] table per "
            "message folder",
            Location(file=str(config_file)),
        )
    config = _read_config(config_file)
    lock = read_lock(root / LOCK_FILE)
    contracts = _contracts_from_config(root, config, config_file)
    catalog = Catalog(root, contracts, lock, rules=config.get("rules", {}))
    _check_rules_config(catalog.rules, config_file)
    _read_versions(catalog)
    _parse_all(catalog)
    return catalog


def _read_config(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_position(str(exc))
        raise CatalogError(
            f"{CATALOG_FILE} is not valid TOML: {exc}", Location(str(path), line=line, column=col)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read {CATALOG_FILE}: {exc}", Location(str(path))) from None


def _toml_position(message: str) -> tuple[int | None, int | None]:
    found = re.search(r"line (\d+), column (\d+)", message)
    return (int(found[1]), int(found[2])) if found else (None, None)


def _contracts_from_config(
    root: Path, config: dict[str, Any], config_file: Path
) -> dict[str, Contract]:
    unknown = set(config) - {"shared", "messages", "rules"}
    if unknown:
        raise CatalogError(
            f"unknown table(s) {sorted(unknown)} in {CATALOG_FILE}: use [shared.<name>], "
            "[messages.<name>] and [rules]",
            Location(str(config_file)),
        )
    contracts: dict[str, Contract] = {}
    for kind, table in (
        ("shared", config.get("shared", {})),
        ("message", config.get("messages", {})),
    ):
        if not isinstance(table, dict):
            raise CatalogError(f"[{kind}] must be a table of tables", Location(str(config_file)))
        for name, entry in table.items():
            where = Location(str(config_file), subject=name)
            if name in contracts:
                raise CatalogError(f"contract {name!r} is declared twice", where)
            if not isinstance(entry, dict):
                raise CatalogError(f"[{kind}.{name}] must be a table", where)
            contracts[name] = _contract(root, kind, name, entry, where)
    if not contracts:
        raise CatalogError(
            f"{CATALOG_FILE} declares no contracts: add a [messages.<name>] table",
            Location(str(config_file)),
        )
    return contracts


def _contract(root: Path, kind: str, name: str, entry: dict[str, Any], where: Location) -> Contract:
    allowed = _SHARED_KEYS if kind == "shared" else _MESSAGE_KEYS
    extra = set(entry) - allowed
    if extra:
        raise CatalogError(
            f"unknown key(s) {sorted(extra)} for {kind} {name!r}; allowed: {sorted(allowed)}",
            where,
        )
    for key, value in entry.items():
        if not isinstance(value, str):
            raise CatalogError(f"{key!r} of {name!r} must be a string", where)
    direction: Direction | None = None
    topic = entry.get("topic")
    if kind == "message":
        if not topic:
            raise CatalogError(f"message {name!r} needs a 'topic'", where)
        try:
            direction = Direction(entry.get("direction", ""))
        except ValueError:
            raise CatalogError(
                f'message {name!r} needs a \'direction\': "device-to-cloud" or "cloud-to-device"',
                where,
            ) from None
    declared = entry.get("compatibility")
    if declared is not None:
        try:
            level = CompatibilityLevel.parse(declared)
        except ValueError as exc:
            raise CatalogError(f"{name!r}: {exc}", where) from None
    else:
        level = direction.default_level if direction else CompatibilityLevel.FULL_TRANSITIVE
    strategy = entry.get("subject_strategy", "topic" if kind == "message" else "record")
    if strategy not in _STRATEGIES:
        raise CatalogError(
            f"subject_strategy {strategy!r} of {name!r} is not one of {list(_STRATEGIES)}", where
        )
    return Contract(
        name=name,
        kind=kind,
        folder=root / name,
        level=level,
        level_declared=declared is not None,
        description=entry.get("description"),
        topic=topic,
        direction=direction,
        subject_strategy=strategy,
        explicit_subject=entry.get("subject"),
    )


def _check_rules_config(rules: Mapping[str, Any], config_file: Path) -> None:
    extra = set(rules) - {"disable", "warn"}
    bad = [
        k
        for k in ("disable", "warn")
        if k in rules
        and not (isinstance(rules[k], list) and all(isinstance(r, str) for r in rules[k]))
    ]
    if extra or bad:
        raise CatalogError(
            "[rules] takes 'disable' and 'warn', each a list of rule ids",
            Location(str(config_file)),
        )
    from devicecontracts.findings import RULES

    unknown = sorted({r for k in ("disable", "warn") for r in rules.get(k, []) if r not in RULES})
    if unknown:
        raise CatalogError(
            f"[rules] names unknown rule id(s) {unknown}: `contracts rules` lists them",
            Location(str(config_file)),
        )


def display_path(path: Path) -> str:
    """A path as users see it in messages: relative to the working directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_versions(catalog: Catalog) -> None:
    root = catalog.root
    declared = set(catalog.contracts)
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and entry.name not in declared and any(entry.glob("*.avsc")):
            catalog.problems.append(
                LoadProblem(
                    "catalog-undeclared-folder",
                    f"folder {entry.name}/ holds schemas but {CATALOG_FILE} does not declare it",
                    f"add a [messages.{entry.name}] (or [shared.{entry.name}]) table to "
                    f"{CATALOG_FILE}",
                    location=Location(display_path(entry)),
                )
            )
    for contract in catalog.contracts.values():
        folder = contract.folder
        if not folder.is_dir():
            catalog.problems.append(
                LoadProblem(
                    "catalog-missing-folder",
                    f"{contract.kind} {contract.name!r} is declared but {folder.name}/ "
                    "does not exist",
                    f"create {folder.name}/v1.avsc or remove the table from {CATALOG_FILE}",
                    location=Location(display_path(folder), contract.name),
                )
            )
            continue
        numbered: dict[int, Path] = {}
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue  # .gitkeep and editor files are not schemas
            match = _VERSION_FILE.match(path.name)
            if match:
                numbered[int(match[1])] = path
            elif path.suffix == ".avsc" or path.is_file():
                catalog.problems.append(
                    LoadProblem(
                        "catalog-stray-file",
                        f"{path.name} is not a version file (v1.avsc, v2.avsc, ...)",
                        "rename it to the next version number, or move it out of the catalog",
                        location=Location(display_path(path), contract.name),
                    )
                )
        if not numbered:
            catalog.problems.append(
                LoadProblem(
                    "catalog-missing-folder",
                    f"{contract.kind} {contract.name!r} is declared but {folder.name}/ holds no "
                    "version files",
                    f"add {folder.name}/v1.avsc or remove the table from {CATALOG_FILE}",
                    location=Location(display_path(folder), contract.name),
                )
            )
            continue
        expected = list(range(1, len(numbered) + 1))
        if sorted(numbered) != expected:
            missing = sorted(set(range(1, max(numbered, default=0) + 1)) - set(numbered))
            catalog.problems.append(
                LoadProblem(
                    "catalog-version-gap",
                    f"versions of {contract.name!r} are not numbered 1..n: missing "
                    + ", ".join(f"v{m}" for m in missing),
                    "released versions are never deleted or renumbered: restore the missing "
                    "files from git history",
                    location=Location(display_path(folder), contract.name),
                )
            )
        for number in sorted(numbered):
            path = numbered[number]
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                text = ""
                problem: SchemaError | None = SchemaError(
                    f"cannot read the file: {exc}", Location(file=display_path(path))
                )
            else:
                problem = None
            contract.versions.append(
                SchemaVersion(
                    contract.name, number, path, display_path(path), text, problem=problem
                )
            )


def _parse_all(catalog: Catalog) -> None:
    """Parse every version; shared types first, in whatever order their references allow."""
    shared = [c for c in catalog.contracts.values() if c.kind == "shared"]
    messages = [c for c in catalog.contracts.values() if c.kind == "message"]
    # The full name each shared contract defines, from its raw JSON, so references can be
    # resolved before anything is parsed.
    definers: dict[str, Contract] = {}
    for contract in shared + messages:
        for v in contract.versions:
            v.raw = _raw_json(v)
            if isinstance(v.raw, dict) and isinstance(v.raw.get("name"), str):
                contract.fullname = _fullname(v.raw)  # the latest version's name wins
                if contract.kind == "shared":
                    definers.setdefault(contract.fullname, contract)
    unreadable_shared = [
        v.display
        for contract in shared
        for v in contract.versions
        if not (isinstance(v.raw, dict) and isinstance(v.raw.get("name"), str))
    ]
    resolver = _Resolver(catalog, definers, unreadable_shared)
    for contract in shared + messages:
        for v in contract.versions:
            resolver.parse(v)


_UNREADABLE: Any = object()


def _raw_json(v: SchemaVersion) -> Any:
    if v.problem is not None:
        return _UNREADABLE
    try:
        return load_json(v.text, file=v.display)
    except SchemaError as exc:
        v.problem = exc
        return _UNREADABLE


def _fullname(raw: dict[str, Any]) -> str:
    ns = raw.get("namespace")
    return qualify(raw["name"], ns if isinstance(ns, str) else None)


class _Resolver:
    """Parses versions on demand so a reference is parsed before whatever uses it."""

    def __init__(
        self, catalog: Catalog, definers: dict[str, Contract], unreadable_shared: list[str]
    ) -> None:
        self.catalog = catalog
        self.definers = definers
        self.unreadable_shared = unreadable_shared
        self.in_progress: set[int] = set()

    def parse(self, v: SchemaVersion) -> None:
        if v.schema is not None or v.problem is not None or id(v) in self.in_progress:
            return
        raw = v.raw
        if raw is _UNREADABLE:
            return
        self.in_progress.add(id(v))
        contract = self.catalog.contracts[v.contract]
        entry = self.catalog.lock.entry(contract.subject, v.version)
        imported: dict[str, NamedType] = {}
        pins: dict[str, Reference] = {}
        try:
            while True:
                try:
                    schema = parse_schema(raw, named_types=imported, file=v.display)
                    break
                except UnknownTypeError as exc:
                    target = self._reference_target(exc, v, entry)
                    if target is None and self.unreadable_shared:
                        # The definition may be in a shared file that could not be read.
                        raise UnknownTypeError(
                            f"{exc.message}; these shared type files are invalid and may "
                            f"define it: {', '.join(self.unreadable_shared)}",
                            exc.location,
                            exc.name,
                            exc.candidates,
                        ) from None
                    if target is None:
                        raise
                    self.parse(target)
                    if target.schema is None:
                        raise UnknownTypeError(
                            f"{exc.message}; it is defined by {target.display}, which is invalid",
                            exc.location,
                            exc.name,
                        ) from None
                    imported.update(_exports(target))
                    owner = self.catalog.contracts[target.contract]
                    pins[exc.name] = Reference(exc.name, owner.subject, target.version)
        except SchemaError as exc:
            v.problem = exc
        else:
            v.schema = schema
            v.references = tuple(pins[name] for name in schema.references if name in pins)
        finally:
            self.in_progress.discard(id(v))

    def _reference_target(
        self, exc: UnknownTypeError, v: SchemaVersion, entry: LockEntry | None
    ) -> SchemaVersion | None:
        owner = None
        for candidate in exc.candidates:
            owner = self.definers.get(candidate)
            if owner is not None:
                exc.name = candidate
                break
        if owner is None or not owner.versions or owner.name == v.contract:
            return None
        pinned = entry.reference_version(exc.name) if entry else None
        if pinned is not None and 1 <= pinned <= len(owner.versions):
            return owner.versions[pinned - 1]
        return owner.versions[-1]


def _exports(v: SchemaVersion) -> dict[str, NamedType]:
    """The named types a referenced version brings: its own and those it references."""
    assert v.schema is not None
    return {t.fullname: t for t in walk(v.schema.root) if isinstance(t, NamedType)}
